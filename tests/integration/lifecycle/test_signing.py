"""Signing on the convention's page, as each party's people meet it: a signatory is
offered its own line only (the form a browser submits records it), a user who signs for
no one is told why instead of a form, a date before the transmission to the préfet or in
the future is refused next to its field with what was typed kept and nothing written
(the API the same, through the same operation), the organisme signs too, and a paper
copy's signature names who signed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db import db_session, write_transaction
from app.lifecycle.operations import record_proposal, sign, transition
from app.lifecycle.queries import local_date, local_today
from app.models import Convention, Membership, Signature
from tests.conftest import api_headers, logged_in
from tests.factories import add_member, make_user, set_state
from tests.integration.api_answers import call
from tests.integration.conventions.helpers import sign_convention
from workflows.conventions import OrganisationKind
from workflows.errors import InvalidInput, Refused
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

DRAFTER, EPCI, DDT = "redac@oph.test", "sign@epci.test", "ddt@etat.test"
# 23:30 UTC on 20 November is 00:30 on the 21st in Paris: transmitted on the 21st.
TRANSMITTED_AT = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


def _transmitted(app, world, at: datetime = TRANSMITTED_AT, proposed: bool = True) -> None:
    """Two signatories (the EPCI, the DDT), the convention with the préfet since ``at``;
    ``proposed``: the préfet de département proposed its signature the day it came."""
    with app.app_context():
        ddt = make_user(DDT, "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, ddt)
        set_state(world.convention_id, ConventionState.TRANSMISE)
        with write_transaction() as session:
            session.get(Convention, world.convention_id).transmitted_at = at
        if proposed:
            record_proposal(world.convention_id, world.user("redacteur"), local_date(at))


def _party(app, world, name: str) -> int:
    with app.app_context():
        for membership in db_session().scalars(
            select(Membership).where(Membership.convention_id == world.convention_id)
        ):
            if membership.party_name == name:
                return membership.id
    raise AssertionError(name)


def _signatures(app) -> list[tuple[int, date, str]]:
    with app.app_context():
        return list(
            db_session().execute(
                select(Signature.membership_id, Signature.signed_on, Signature.signer).order_by(
                    Signature.id
                )
            )
        )


def _sign_form(page: str) -> str:
    start = page.index('/sign" class="row"')
    start = page.rindex("<form", 0, start)
    return page[start : page.index("</form>", start)]


def _submit(client, form_html: str, action: str, **typed: str):
    """Post the form as a browser would: its hidden fields and the selected option as
    the page gives them, the other fields as typed."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html))
    select_ = re.search(r'<select[^>]*name="membership_id".*?</select>', form_html, re.S)
    if select_:
        options = re.findall(r'<option value="(\d+)"( selected)?', select_.group(0))
        fields["membership_id"] = next((v for v, s in options if s), options[0][0])
    fields.update(typed)
    return client.post(action, data=fields)


def test_a_signatory_sees_only_its_own_line_and_its_form_records_it(app, world):
    _transmitted(app, world)
    client = logged_in(app, DDT)
    url = f"/conventions/{world.convention_id}"
    form = _sign_form(client.get(url).get_data(as_text=True))
    # Neither the EPCI nor the organisme is offered to the DDT: its own line only.
    assert "EPCI Test" not in form and "OPH Test" not in form
    assert "Signature de <strong>DDT Test</strong>" in form
    with app.app_context():
        today = local_today().isoformat()
    response = _submit(client, form, f"{url}/sign", signed_on=today, signer="Jean Test, directeur")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _signatures(app) == [
        (_party(app, world, "DDT Test"), date.fromisoformat(today), "Jean Test, directeur")
    ]
    # Signed: no form any more, but why.
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/sign"' not in page
    assert "La signature de DDT Test est déjà enregistrée." in page


def test_the_drafter_is_offered_the_organisme_first_then_the_paper_copies(app, world):
    _transmitted(app, world)
    client = logged_in(app, DRAFTER)
    page = client.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    form = _sign_form(page)
    options = re.findall(r'<option value="\d+"( selected)?>([^<]+)</option>', form)
    assert [name for _selected, name in options] == [
        "OPH Test (votre organisation)",
        "EPCI Test (d'après l'exemplaire papier)",
        "DDT Test (d'après l'exemplaire papier)",
    ]
    assert options[0][0] == " selected"
    # Not prefilled with the drafter's name: chosen for a paper copy, it would be wrong.
    assert 'name="signer" maxlength="200" value=""' in form
    # A paper copy's signature names who signed: refused without, beside the field.
    with app.app_context():
        today = local_today().isoformat()
    action = f"/conventions/{world.convention_id}/sign"
    epci = str(_party(app, world, "EPCI Test"))
    refused = _submit(client, form, action, membership_id=epci, signed_on=today, signer="")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'id="sign-signer-error"' in html and "exemplaire papier pour EPCI Test" in html
    assert f'<option value="{epci}" selected>' in html  # the party chosen is kept
    assert _signatures(app) == []
    done = _submit(client, form, action, membership_id=epci, signed_on=today, signer="K. Test")
    assert done.status_code == 303
    assert _signatures(app)[0][2] == "K. Test"


def test_who_signs_for_no_one_is_told_why_instead_of_a_form(app, world):
    _transmitted(app, world)
    page = logged_in(app, "asso@dep.test").get(f"/conventions/{world.convention_id}")
    html = page.get_data(as_text=True)
    assert f'action="/conventions/{world.convention_id}/sign"' not in html
    assert "Votre rôle dans cette convention (associé) ne comprend pas la signature" in html


def test_a_signature_dated_before_the_transmission_is_refused_next_to_its_field(app, world):
    _transmitted(app, world)
    client = logged_in(app, EPCI)
    url = f"/conventions/{world.convention_id}"
    form = _sign_form(client.get(url).get_data(as_text=True))
    # The 20th in Paris is the day before the transmission (the 21st, Paris time).
    response = _submit(client, form, f"{url}/sign", signed_on="2026-11-20", signer="Karim")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = re.search(r'<input id="sign-date"[^>]*>', html).group(0)
    assert 'value="2026-11-20"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="sign-date-error"' in field and "autofocus" in field
    error = re.search(
        r'<p class="flash error field-error" id="sign-date-error"[^>]*>(.*?)</p>', html
    )
    assert "précède la transmission de la convention au préfet, le 21/11/2026" in error.group(1)
    assert 'value="Karim"' in html  # the name typed is kept too
    assert _signatures(app) == []
    # In the future: refused the same way.
    with app.app_context():
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = _submit(client, form, f"{url}/sign", signed_on=tomorrow)
    assert response.status_code == 400
    assert "ne peut être dans le futur" in response.get_data(as_text=True)
    assert _signatures(app) == []
    # The day of the transmission is the first a signature may bear.
    assert _submit(client, form, f"{url}/sign", signed_on="2026-11-21").status_code == 303
    assert [s[1] for s in _signatures(app)] == [date(2026, 11, 21)]


def test_the_api_refuses_the_same_dates_through_the_same_rule(app, world):
    _transmitted(app, world)
    client = app.test_client()
    url = f"/api/conventions/{world.convention_id}/signatures"
    headers = api_headers(app, EPCI)
    listed = call(client, "GET", url, headers, 200)
    assert listed["transmitted_on"] == "2026-11-21"
    early = call(client, "POST", url, headers, 400, json={"signed_on": "2026-11-20"})
    assert "précède la transmission" in early["error"]
    assert _signatures(app) == []
    signed = call(client, "POST", url, headers, 201, json={"signed_on": "2026-11-21"})
    assert [(s["party"], s["signer"]) for s in signed["signatures"]] == [("EPCI Test", "Sign")]


def test_transmitting_records_when_and_the_organisme_must_sign_too(app, world):
    """Through the operations: the transmission's moment is kept, signatures before it
    are refused, and every party, the organisme included, signs before ``signee``."""
    with app.app_context():
        before = datetime.now(UTC)
    sign_convention(app, world)
    with app.app_context():
        convention = db_session().get(Convention, world.convention_id)
        assert convention.state is ConventionState.SIGNEE
        assert convention.transmitted_at >= before.replace(microsecond=0)
        parties = {
            s.membership.party_name: s.signer for s in db_session().scalars(select(Signature))
        }
        assert parties == {"OPH Test": "Redac", "EPCI Test": "Sign"}
    # A convention whose organisme has not signed stays transmitted.
    with app.app_context():
        with write_transaction() as session:
            for s in session.scalars(select(Signature)):
                if s.membership.party_name == "OPH Test":
                    session.delete(s)
        set_state(world.convention_id, ConventionState.TRANSMISE)
        drafter = world.user("redacteur")
        with pytest.raises(Refused, match="Signature manquante : OPH Test."):
            transition(world.convention_id, drafter, "signee")
        with pytest.raises(InvalidInput, match="précède la transmission"):
            sign(world.convention_id, drafter, None, local_today() - timedelta(days=400))
