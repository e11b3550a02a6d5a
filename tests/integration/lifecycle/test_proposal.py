"""The préfet de région signs a CUS for the State on the proposal of the préfet de
département (circulaire CUS, IV): the proposal is recorded once the convention is
transmitted, dated between the transmission and today (a wrong date is refused next to
its field, what was typed kept, nothing written); the State's signature waits for it and
is not dated before it; the readiness lists it while missing; the signatures block and
the Word export say it. Web (CSRF) and API, through the same operation."""

from __future__ import annotations

import html
import io
from datetime import UTC, date, datetime, timedelta

import docx
from sqlalchemy import select

from app.db import db_session, write_transaction
from app.lifecycle.operations import sign
from app.lifecycle.queries import local_today
from app.models import Convention, Event, Signature, SignatureProposal
from app.word.queries import export_bytes
from tests.conftest import api_headers, logged_in, post_form
from tests.factories import add_member, make_user, set_state
from tests.integration.api_answers import call
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

DRAFTER, EPCI, DDT = "redac@oph.test", "sign@epci.test", "ddt@etat.test"
# 23:30 UTC on 20 November is 00:30 on the 21st in Paris: transmitted on the 21st.
TRANSMITTED_AT = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


def _with_state(app, world, transmitted: bool = True) -> None:
    """The DDT negotiates and signs for the State; the convention with the préfet since
    TRANSMITTED_AT (or still negotiated)."""
    with app.app_context():
        ddt = make_user(DDT, "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, ddt)
        if transmitted:
            set_state(world.convention_id, ConventionState.TRANSMISE)
            with write_transaction() as session:
                session.get(Convention, world.convention_id).transmitted_at = TRANSMITTED_AT


def _proposals(app) -> list[tuple[date, str, str, bool]]:
    with app.app_context():
        return list(
            db_session().execute(
                select(
                    SignatureProposal.proposed_on,
                    SignatureProposal.proposer,
                    SignatureProposal.note,
                    SignatureProposal.by_state,
                ).order_by(SignatureProposal.id)
            )
        )


def _today(app) -> date:
    with app.app_context():
        return local_today()


def test_the_ddt_records_the_proposal_on_the_page_dates_checked_next_to_the_field(app, world):
    _with_state(app, world)
    client = logged_in(app, DDT)
    page_url = f"/conventions/{world.convention_id}"
    url = f"{page_url}/signature-proposal"
    page = html.unescape(client.get(page_url).get_data(as_text=True))
    assert 'id="proposal-missing"' in page and f'action="{url}"' in page
    # Before the transmission (the 21st in Paris): refused next to the date, kept.
    early = post_form(
        client, url, {"proposed_on": "2026-11-20", "proposer": "préfet du Loiret"}, page_url
    )
    assert early.status_code == 400
    text = html.unescape(early.get_data(as_text=True))
    assert 'id="proposal-date-error"' in text and "précède la transmission" in text
    assert 'value="2026-11-20"' in text and 'value="préfet du Loiret"' in text
    # In the future: refused too.
    future = (_today(app) + timedelta(days=1)).isoformat()
    late = post_form(client, url, {"proposed_on": future}, page_url)
    assert late.status_code == 400
    assert "ne peut être dans le futur" in html.unescape(late.get_data(as_text=True))
    # No date, or one that is not a date: refused, said beside the field.
    for typed in ("", "pas une date"):
        blank = post_form(client, url, {"proposed_on": typed}, page_url)
        assert blank.status_code == 400
        assert 'id="proposal-date-error"' in blank.get_data(as_text=True)
    # Without the CSRF token: refused, nothing written.
    assert client.post(url, data={"proposed_on": "2026-11-23"}).status_code == 400
    assert _proposals(app) == []
    done = post_form(
        client,
        url,
        {"proposed_on": "2026-11-23", "proposer": "préfet du Loiret", "note": "Courrier n° 12"},
        page_url,
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("#proposition")
    assert _proposals(app) == [(date(2026, 11, 23), "préfet du Loiret", "Courrier n° 12", True)]
    shown = html.unescape(client.get(page_url).get_data(as_text=True))
    assert "Sur proposition du préfet de département du 23/11/2026 (préfet du Loiret)" in shown
    with app.app_context():
        journal = db_session().scalars(
            select(Event.summary).where(Event.action == "proposition_signature")
        )
        assert [s for s in journal] == [
            "Proposition de signature du préfet de département au préfet de région du "
            "23/11/2026 (préfet du Loiret) enregistrée"
        ]


def test_refused_before_the_transmission_and_for_a_collectivite(app, world):
    _with_state(app, world, transmitted=False)
    client = logged_in(app, DDT)
    page_url = f"/conventions/{world.convention_id}"
    url = f"{page_url}/signature-proposal"
    # Still negotiated: no block to record it, and the post is refused with the reason.
    assert f'action="{url}"' not in client.get(page_url).get_data(as_text=True)
    refused = post_form(client, url, {"proposed_on": _today(app).isoformat()}, page_url)
    assert refused.status_code == 409
    assert "une fois la convention transmise" in html.unescape(refused.get_data(as_text=True))
    # The EPCI signatory is not the State: 403 before its input is read.
    epci = logged_in(app, EPCI)
    assert post_form(epci, url, {"proposed_on": "x"}, page_url).status_code == 403
    assert _proposals(app) == []


def test_the_state_signs_only_on_the_proposal_and_not_before_it(app, world):
    _with_state(app, world)
    client = logged_in(app, DDT)
    page_url = f"/conventions/{world.convention_id}"
    today = _today(app).isoformat()
    signing = {"signed_on": today, "signer": "Jean Test, directeur"}
    # Without the proposal: refused with the reason, nothing written.
    refused = post_form(client, f"{page_url}/sign", signing, page_url)
    assert refused.status_code == 409
    assert "enregistrez d'abord cette proposition" in html.unescape(refused.get_data(as_text=True))
    with app.app_context():
        assert db_session().scalar(select(Signature.id)) is None
        # The EPCI, not the State, signs without it.
        sign(world.convention_id, world.user("signataire"), None, local_today())
    # The organisme records it from the letter.
    drafter = logged_in(app, DRAFTER)
    assert (
        post_form(
            drafter, f"{page_url}/signature-proposal", {"proposed_on": "2026-11-25"}
        ).status_code
        == 303
    )
    assert _proposals(app)[-1][3] is False  # from the letter, not by the State
    # A State signature dated before the proposal: refused beside the date.
    early = post_form(client, f"{page_url}/sign", {**signing, "signed_on": "2026-11-24"}, page_url)
    assert early.status_code == 400
    text = html.unescape(early.get_data(as_text=True))
    assert 'id="sign-date-error"' in text and "précède la proposition du préfet" in text
    assert post_form(client, f"{page_url}/sign", signing, page_url).status_code == 303
    # Signed: the proposal no longer changes.
    again = post_form(drafter, f"{page_url}/signature-proposal", {"proposed_on": "2026-11-26"})
    assert again.status_code == 409
    assert len(_proposals(app)) == 1


def test_the_readiness_lists_it_while_missing_and_the_word_export_says_it(app, world):
    _with_state(app, world)
    client = logged_in(app, DRAFTER)
    page_url = f"/conventions/{world.convention_id}"
    page = html.unescape(client.get(page_url).get_data(as_text=True))
    start = page.index('id="preparation"')
    readiness = page[start : page.index("</section>", start)]
    assert 'class="blocker-proposal"' in readiness
    assert '<a href="#proposition">Proposition de signature du préfet de département' in readiness
    api = call(
        app.test_client(),
        "GET",
        f"/api/conventions/{world.convention_id}/readiness",
        api_headers(app, DRAFTER),
        200,
    )
    assert [(b["kind"], b["party"]) for b in api["blockers"] if b["kind"] == "proposal"] == [
        ("proposal", "DDT Test")
    ]
    post_form(client, f"{page_url}/signature-proposal", {"proposed_on": "2026-11-23"}, page_url)
    page = html.unescape(client.get(page_url).get_data(as_text=True))
    assert 'class="blocker-proposal"' not in page
    with app.app_context():
        data = export_bytes(world.convention_id)
    cells = [
        cell.text
        for table in docx.Document(io.BytesIO(data)).tables
        for row in table.rows
        for cell in row.cells
    ]
    state_block = next(c for c in cells if c.startswith("Pour DDT Test"))
    assert "Sur proposition du préfet de département du 23/11/2026." in state_block
    assert not any("Sur proposition" in c for c in cells if c.startswith("Pour EPCI Test"))


def test_the_api_records_the_proposal_through_the_same_rules(app, world):
    _with_state(app, world, transmitted=False)
    client = app.test_client()
    url = f"/api/conventions/{world.convention_id}/signature-proposal"
    ddt = api_headers(app, DDT)
    today = _today(app).isoformat()
    early = call(client, "POST", url, ddt, 409, json={"proposed_on": today})
    assert "une fois la convention transmise" in early["error"]
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
        with write_transaction() as session:
            session.get(Convention, world.convention_id).transmitted_at = TRANSMITTED_AT
    before = call(client, "POST", url, ddt, 400, json={"proposed_on": "2026-11-20"})
    assert "précède la transmission" in before["error"]
    future = (_today(app) + timedelta(days=1)).isoformat()
    ahead = call(client, "POST", url, ddt, 400, json={"proposed_on": future})
    assert "ne peut être dans le futur" in ahead["error"]
    assert "Indiquez la date" in call(client, "POST", url, ddt, 400, json={})["error"]
    assert "propose" not in call(client, "POST", url, api_headers(app, EPCI), 403, json={})
    # The State's signature through the API: refused without the proposal.
    signatures = f"/api/conventions/{world.convention_id}/signatures"
    assert (
        "proposition"
        in call(client, "POST", signatures, ddt, 409, json={"signed_on": today})["error"]
    )
    assert _proposals(app) == []
    done = call(
        client,
        "POST",
        url,
        ddt,
        201,
        json={"proposed_on": "2026-11-23", "proposer": "préfet du Loiret", "note": ""},
    )
    assert done["proposal_required"] is True
    assert (done["proposal"]["proposed_on"], done["proposal"]["by_state"]) == ("2026-11-23", True)
    assert [p["state"] for p in done["signatories"]] == [False, False, True]
    # The State wrote it: the organisme no longer rewrites it.
    drafter = api_headers(app, DRAFTER)
    call(client, "POST", url, drafter, 403, json={"proposed_on": "2026-11-24"})
    early = call(client, "POST", signatures, ddt, 400, json={"signed_on": "2026-11-22"})
    assert "précède la proposition" in early["error"]
    signed = call(client, "POST", signatures, ddt, 201, json={"signed_on": today})
    assert [s["party"] for s in signed["signatures"]] == ["DDT Test"]
