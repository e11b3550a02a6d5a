"""A convention's participants through the API, as its participants page manages them:
an organisation or a person added with a role (201), a role changed (200), a participant
removed (204); who may not, the organisme and the last drafter that stay, bad input:
nothing changes. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import select

from app.access import members, role_of
from app.db import db_session
from app.models import Membership, Organisation, User
from tests.conftest import api_client, api_headers
from tests.factories import make_user
from tests.integration.api_answers import call
from workflows.conventions import OrganisationKind

DRAFTER = "redac@oph.test"


def _roles(app, convention_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted((m.party_label, m.role.value) for m in members(convention_id))


def _organisation_id(app, name: str) -> int:
    with app.app_context():
        return db_session().scalar(select(Organisation.id).where(Organisation.name == name))


def test_add_change_and_remove_participants(app, world):
    with app.app_context():
        make_user("dreal@etat.test", "DREAL Test", OrganisationKind.DREAL)
        make_user("maire@commune.test", "Commune Test", OrganisationKind.COMMUNE)
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/members"
    listed = call(client, "GET", url, api_headers(app, "obs@obs.test"), 200)["members"]
    assert {(m["party"], m["role"]) for m in listed} >= {
        ("OPH Test", "redacteur"),
        ("EPCI Test", "signataire"),
    }
    dreal = _organisation_id(app, "DREAL Test")
    added = call(
        client, "POST", url, drafter, 201, json={"role": "associe", "organisation_id": dreal}
    )
    assert added["organisation"]["name"] == "DREAL Test" and added["user"] is None
    changed = call(
        client, "POST", url, drafter, 200, json={"role": "signataire", "organisation_id": dreal}
    )
    assert changed["id"] == added["id"] and changed["role"] == "signataire"
    person = call(
        client,
        "POST",
        url,
        drafter,
        201,
        json={"role": "observateur", "user_email": " Maire@Commune.test "},
    )
    assert person["user"]["email"] == "maire@commune.test" and person["organisation"] is None
    with app.app_context():
        maire = db_session().scalar(select(User).where(User.email == "maire@commune.test"))
        assert role_of(maire, world.convention_id).value == "observateur"
    call(client, "DELETE", f"{url}/{person['id']}", drafter, 204)
    assert ("maire@commune.test", "observateur") not in _roles(app, world.convention_id)
    assert ("DREAL Test", "signataire") in _roles(app, world.convention_id)


def test_only_drafters_manage_participants(app, world):
    client = app.test_client()
    url = f"/api/conventions/{world.convention_id}/members"
    before = _roles(app, world.convention_id)
    associe = _organisation_id(app, "Département Test")
    with app.app_context():
        observer = db_session().scalar(
            select(Membership.id).where(Membership.user_id == world.users["observateur"])
        )
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        headers = api_headers(app, email)
        call(
            client,
            "POST",
            url,
            headers,
            403,
            json={"role": "redacteur", "organisation_id": associe},
        )
        call(client, "DELETE", f"{url}/{observer}", headers, 403)
    assert _roles(app, world.convention_id) == before


def test_bad_input_and_what_must_stay_change_nothing(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/members"
    before = _roles(app, world.convention_id)
    oph = _organisation_id(app, "OPH Test")
    associe = _organisation_id(app, "Département Test")
    assert "Rôle inconnu" in call(client, "POST", url, drafter, 400, json={"role": "chef"})["error"]
    call(client, "POST", url, drafter, 400, json={"role": "associe"})  # nobody named
    both = {"role": "associe", "organisation_id": associe, "user_email": "obs@obs.test"}
    call(client, "POST", url, drafter, 400, json=both)
    call(client, "POST", url, drafter, 400, json={"role": "associe", "user_email": "x@nulle.part"})
    call(client, "POST", url, drafter, 400, json={"role": "associe", "organisation_id": 987654})
    call(client, "POST", url, drafter, 400, json={"role": "associe", "organisation_id": "abc"})
    # The organisme stays its convention's drafter, and is never removed.
    call(client, "POST", url, drafter, 400, json={"role": "signataire", "organisation_id": oph})
    with app.app_context():
        own = db_session().scalar(
            select(Membership.id).where(
                Membership.convention_id == world.convention_id, Membership.organisation_id == oph
            )
        )
        other = members(world.other_convention_id)[0].id
    call(client, "DELETE", f"{url}/{own}", drafter, 400)
    # Another convention's participant is not found from this one.
    call(client, "DELETE", f"{url}/{other}", drafter, 404)
    call(client, "DELETE", f"{url}/987654", drafter, 404)
    assert _roles(app, world.convention_id) == before
