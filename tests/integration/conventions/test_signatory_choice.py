"""An associated collectivité's choice to sign the convention (art. L. 445-1 CCH), on the
participants page and through the API: recorded by the collectivité itself or by the
organisme from its letter (dated), journaled and told; no choice is shown as such and
never stands among the reasons a transmission or a signature is refused."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.access import members
from app.conventions.operations import set_membership
from app.db import db_session
from app.lifecycle.queries import refusals
from app.models import Convention, Event, Membership, Notification, SignatoryChoice
from tests.conftest import api_client, api_headers, logged_in, post_form
from tests.factories import set_state
from tests.integration.api_answers import call
from tests.integration.conventions.helpers import sign_convention
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

PARTY = "Département Test"


def _membership(app, world, name: str = PARTY) -> int:
    with app.app_context():
        return next(m.id for m in members(world.convention_id) if m.party_name == name)


def _written(app) -> tuple[int, int]:
    """(choices stored, journal events of a choice)."""
    with app.app_context():
        session = db_session()
        return (
            session.scalar(select(func.count(SignatoryChoice.id))),
            session.scalar(select(func.count(Event.id)).where(Event.action == "choix_signataire")),
        )


def _refusals(app, world, to: str) -> list[str]:
    with app.app_context():
        return refusals(db_session().get(Convention, world.convention_id), to)


def _choose(client, world, membership_id: int, data: dict):
    return post_form(
        client,
        f"/conventions/{world.convention_id}/members/{membership_id}/choice",
        data,
        page=f"/conventions/{world.convention_id}/members",
    )


def test_no_choice_is_shown_and_never_blocks_transmission_nor_signature(app, world):
    page = logged_in(app, "obs@obs.test").get(f"/conventions/{world.convention_id}/members")
    line = re.search(
        rf'<li id="choix-{_membership(app, world)}">.*?</li>', page.get_data(as_text=True), re.S
    )
    assert line and PARTY in line.group() and "pas de choix exprimé" in line.group()
    # The associée is named elsewhere (its contribution to decide, its invitation to the
    # working meetings): never for a choice, nor as a signature awaited.
    for step in ("transmise", "signee"):
        reasons = _refusals(app, world, step)
        assert not any("choix" in reason for reason in reasons)
        assert f"Signature manquante : {PARTY}." not in reasons
    # Through the lifecycle's own steps: transmitted and signed, the associée silent.
    sign_convention(app, world)
    with app.app_context():
        convention = db_session().get(Convention, world.convention_id)
        assert convention.state is ConventionState.SIGNEE
    assert _written(app) == (0, 0)


def test_the_collectivite_chooses_to_sign_and_its_signature_is_then_awaited(app, world):
    membership_id = _membership(app, world)
    client = logged_in(app, "asso@dep.test")
    response = _choose(client, world, membership_id, {"choice": "signataire"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/members#choix-{membership_id}")
    assert _written(app) == (1, 1)
    with app.app_context():
        session = db_session()
        assert session.get(Membership, membership_id).role is Role.SIGNATAIRE
        summary = session.scalar(select(Event.summary).where(Event.action == "choix_signataire"))
        told = session.scalars(
            select(Notification.user_id).where(Notification.kind == "participation")
        ).all()
    assert summary == f"{PARTY} : devenue signataire"
    assert world.users["redacteur"] in told and world.users["associe"] not in told
    page = client.get(f"/conventions/{world.convention_id}/members").get_data(as_text=True)
    line = re.search(rf'<li id="choix-{membership_id}">.*?</li>', page, re.S).group()
    assert "devenue signataire" in line and "Département" in line
    # A signatory now: its signature is among those the conclusion awaits.
    assert any(PARTY in reason for reason in _refusals(app, world, "signee"))
    # It may go back to being associated; a role set by hand then drops its choice.
    assert _choose(client, world, membership_id, {"choice": "associee"}).status_code == 303
    with app.app_context():
        assert db_session().get(Membership, membership_id).role is Role.ASSOCIE
        organisation_id = db_session().get(Membership, membership_id).organisation_id
    assert not any(PARTY in reason for reason in _refusals(app, world, "signee"))
    assert _written(app) == (1, 2)
    with app.app_context():
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=organisation_id)
    assert _written(app)[0] == 0


def test_the_organisme_records_it_from_the_letter_with_its_date(app, world):
    membership_id = _membership(app, world)
    client = logged_in(app, "redac@oph.test")
    # The users' tomorrow (Paris): after 23:00 UTC, the UTC "tomorrow" is already today there.
    tomorrow = (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)).isoformat()
    for letter_on, words in (
        ("", "La date du courrier"),
        (tomorrow, "dans le futur"),
        ("32/01/2026", "n&#39;existe pas"),
    ):
        refused = _choose(
            client, world, membership_id, {"choice": "associee", "letter_on": letter_on}
        )
        assert refused.status_code == 400, letter_on
        page = refused.get_data(as_text=True)
        error = re.search(rf'id="letter-{membership_id}-error"[^>]*>([^<]*)<', page)
        assert error and words in error.group(1), (letter_on, error)
        assert f'aria-describedby="letter-{membership_id}-error"' in page
        assert 'value="associee" checked' in page  # the choice as it was typed
    refused = _choose(
        client, world, membership_id, {"choice": "peut-être", "letter_on": "2026-01-01"}
    )
    assert refused.status_code == 400 and f'id="choix-{membership_id}-error"' in refused.get_data(
        as_text=True
    )
    assert _written(app) == (0, 0)
    letter = date.today() - timedelta(days=8)
    assert (
        _choose(
            client, world, membership_id, {"choice": "associee", "letter_on": letter.isoformat()}
        ).status_code
        == 303
    )
    assert _written(app) == (1, 1)
    page = client.get(f"/conventions/{world.convention_id}/members").get_data(as_text=True)
    line = re.search(rf'<li id="choix-{membership_id}">.*?</li>', page, re.S).group()
    assert "reste associée" in line and f"courrier du {letter:%d/%m/%Y}" in line
    with app.app_context():
        assert db_session().get(Membership, membership_id).role is Role.ASSOCIE
        summary = db_session().scalar(
            select(Event.summary).where(Event.action == "choix_signataire")
        )
    assert f"d'après son courrier du {letter:%d/%m/%Y}" in summary


def test_who_records_a_choice_and_until_when(app, world):
    departement = _membership(app, world)
    epci = _membership(app, world, "EPCI Test")
    # Another party does not choose for the collectivité; an observateur chooses nothing.
    assert (
        _choose(
            logged_in(app, "sign@epci.test"), world, departement, {"choice": "signataire"}
        ).status_code
        == 403
    )
    assert (
        _choose(
            logged_in(app, "obs@obs.test"), world, departement, {"choice": "signataire"}
        ).status_code
        == 403
    )
    # A signatory from the start has no such choice.
    refused = _choose(logged_in(app, "sign@epci.test"), world, epci, {"choice": "associee"})
    assert (
        refused.status_code == 400
        and "n&#39;est pas une collectivité associée" in refused.get_data(as_text=True)
    )
    # Once transmitted, the parties are settled.
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    late = _choose(logged_in(app, "asso@dep.test"), world, departement, {"choice": "signataire"})
    assert late.status_code == 409 and "avenant" in late.get_data(as_text=True)
    assert _written(app) == (0, 0)


def test_the_choice_through_the_api(app, world):
    membership_id = _membership(app, world)
    client, own = api_client(app, "asso@dep.test")
    url = f"/api/conventions/{world.convention_id}/choices"
    listed = call(client, "GET", url, api_headers(app, "obs@obs.test"), 200)["choices"]
    assert [(c["party"], c["choice"], c["status"]) for c in listed] == [
        (PARTY, None, "pas de choix exprimé")
    ]
    choice_url = f"/api/conventions/{world.convention_id}/members/{membership_id}/choice"
    chosen = call(client, "POST", choice_url, own, 200, json={"choice": "signataire"})
    assert chosen["role"] == "signataire" and chosen["choice"] == "signataire"
    assert chosen["letter_on"] is None and chosen["recorded_by"]
    drafter = api_headers(app, "redac@oph.test")
    missing = call(client, "POST", choice_url, drafter, 400, json={"choice": "associee"})
    assert "date du courrier" in missing["error"]
    call(
        client,
        "POST",
        choice_url,
        api_headers(app, "sign@epci.test"),
        403,
        json={"choice": "associee"},
    )
    back = call(
        client,
        "POST",
        choice_url,
        drafter,
        200,
        json={"choice": "associee", "letter_on": "2026-01-05"},
    )
    assert back["role"] == "associe" and back["letter_on"] == "2026-01-05"
    assert _written(app) == (1, 2)
