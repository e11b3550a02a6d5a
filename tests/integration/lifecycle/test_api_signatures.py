"""Signatures, deadlines and avenants through the API, as the convention's page offers
them: a signatory signs for its own party, the organisme records any from the paper
copy; deadlines set, cleared and left alone; an avenant only to a signed convention.
Other roles and bad input change nothing. Every answer is checked against the OpenAPI
document."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.db import db_session, write_transaction
from app.lifecycle.operations import record_proposal
from app.models import Convention, Signature
from tests.conftest import api_client, api_headers
from tests.factories import add_member, make_user, set_state
from tests.integration.api_answers import answer, call
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

DRAFTER, SIGNER = "redac@oph.test", "sign@epci.test"


def _signatures(app) -> list[tuple[int, date]]:
    with app.app_context():
        return list(
            db_session().execute(
                select(Signature.membership_id, Signature.signed_on).order_by(Signature.id)
            )
        )


def _transmitted_with_two_signatories(app, world) -> None:
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, ddt)
        set_state(world.convention_id, ConventionState.TRANSMISE)
        # The préfet de département proposed the signature: the State may sign.
        record_proposal(world.convention_id, world.user("redacteur"), date(2026, 1, 10))


def test_signatories_sign_for_themselves_and_the_organisme_records_any(app, world):
    _transmitted_with_two_signatories(app, world)
    client = app.test_client()
    url = f"/api/conventions/{world.convention_id}/signatures"
    before = call(client, "GET", url, api_headers(app, "obs@obs.test"), 200)
    assert before["signing_open"] and before["signatures"] == []
    parties = {p["party"]: p["membership_id"] for p in before["signatories"]}
    # Every party that signs: the organisme first, then the signatories.
    assert list(parties) == ["OPH Test", "EPCI Test", "DDT Test"]
    assert [p["organisme"] for p in before["signatories"]] == [True, False, False]

    signer = api_headers(app, SIGNER)
    # Its own party, named or not.
    signed = call(client, "POST", url, signer, 201, json={"signed_on": "2026-01-15"})
    assert [(s["party"], s["signed_on"]) for s in signed["signatures"]] == [
        ("EPCI Test", "2026-01-15")
    ]
    assert {p["party"]: p["signed"] for p in signed["signatories"]} == {
        "OPH Test": False,
        "EPCI Test": True,
        "DDT Test": False,
    }
    again = call(client, "POST", url, signer, 400, json={"signed_on": "2026-01-16"})
    assert "déjà enregistrée" in again["error"]
    # Not for another party.
    other = {
        "membership_id": parties["DDT Test"],
        "signed_on": "2026-01-15",
        "signer": "Dominique Test, directrice",
    }
    assert "propre organisation" in call(client, "POST", url, signer, 403, json=other)["error"]
    # The organisme records it from the paper copy.
    done = call(client, "POST", url, api_headers(app, DRAFTER), 201, json=other)
    assert [s["recorded_by"] for s in done["signatures"]] == ["Sign", "Redac"]
    assert _signatures(app) == [
        (parties["EPCI Test"], date(2026, 1, 15)),
        (parties["DDT Test"], date(2026, 1, 15)),
    ]


def test_signatures_refused_and_bad_input_record_nothing(app, world):
    client = app.test_client()
    url = f"/api/conventions/{world.convention_id}/signatures"
    signer = api_headers(app, SIGNER)
    early = call(client, "POST", url, signer, 409, json={"signed_on": "2026-01-15"})
    assert "transmise au préfet" in early["error"] and early["reasons"]
    _transmitted_with_two_signatories(app, world)
    for email in ("asso@dep.test", "obs@obs.test", "autre@esh.test"):
        call(client, "POST", url, api_headers(app, email), 403, json={"signed_on": "2026-01-15"})
    call(client, "POST", url, signer, 400, json={})
    call(client, "POST", url, signer, 400, json={"signed_on": "15 janvier"})
    # The users' tomorrow (Paris): after 23:00 UTC, the UTC "tomorrow" is already today there.
    tomorrow = (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)).isoformat()
    assert "futur" in call(client, "POST", url, signer, 400, json={"signed_on": tomorrow})["error"]
    call(
        client,
        "POST",
        url,
        signer,
        400,
        json={"membership_id": 987654, "signed_on": "2026-01-15"},
    )
    assert _signatures(app) == []


def _deadlines(app, world) -> tuple[date | None, date | None, date | None]:
    with app.app_context():
        c = db_session().get(Convention, world.convention_id)
        return c.association_deadline, c.transmission_deadline, c.signature_deadline


def test_deadlines_set_cleared_and_left_alone(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/deadlines"
    listed = call(client, "GET", url, api_headers(app, SIGNER), 200)["deadlines"]
    assert [(d["key"], d["due"], d["status"]) for d in listed] == [
        ("association", None, None),
        ("transmission", None, None),
        ("signature", None, None),
    ]
    later = (date.today() + timedelta(days=90)).isoformat()
    soon = (date.today() + timedelta(days=10)).strftime("%d/%m/%Y")
    answer = call(
        client, "POST", url, drafter, 200, json={"transmission": later, "signature": soon}
    )
    shown = {d["key"]: d for d in answer["deadlines"]}
    assert shown["transmission"]["due"] == later and shown["transmission"]["status"] == "later"
    assert shown["signature"]["status"] == "soon"
    # The association is over in negotiation: its deadline, once set, is done.
    answer = call(client, "POST", url, drafter, 200, json={"association": "2026-01-31"})
    assert {d["key"]: d["status"] for d in answer["deadlines"]}["association"] == "done"
    assert _deadlines(app, world)[1] == date.fromisoformat(later)  # left alone
    call(client, "POST", url, drafter, 200, json={"transmission": None})
    assert _deadlines(app, world)[1] is None


def test_deadlines_refused_and_bad_input_change_nothing(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/deadlines"
    call(client, "POST", url, drafter, 200, json={"signature": "2027-06-30"})
    before = _deadlines(app, world)
    unknown = call(
        client, "POST", url, drafter, 400, json={"signature": None, "bilan": "2027-01-01"}
    )
    assert "Échéance inconnue" in unknown["error"]
    call(client, "POST", url, drafter, 400, json={"signature": "2027-02-30"})
    call(client, "POST", url, drafter, 400, json={"signature": 20270630})
    for email in (SIGNER, "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        call(client, "POST", url, api_headers(app, email), 403, json={"signature": None})
    assert _deadlines(app, world) == before


def test_an_avenant_is_opened_on_a_signed_convention_only(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/avenant"
    refused = call(client, "POST", url, drafter, 409, json={"title": "Avenant n° 1"})
    assert "signée" in refused["error"]
    with app.app_context():
        set_state(world.convention_id, ConventionState.SIGNEE)
        with write_transaction() as session:
            session.get(Convention, world.convention_id).signed_sha256 = "0" * 64
    call(client, "POST", url, drafter, 400, json={"title": " "})
    call(client, "POST", url, api_headers(app, SIGNER), 403, json={"title": "Avenant pirate"})
    with app.app_context():
        count = db_session().scalar(select(func.count()).select_from(Convention))
    response = client.post(url, json={"title": "Avenant n° 1"}, headers=drafter)
    opened = answer(response, 201, "POST", url)
    created = call(client, "GET", response.headers["Location"], drafter, 200)
    assert opened["id"] == created["id"]
    assert created["kind"] == "avenant" and created["title"] == "Avenant n° 1"
    assert created["role"] == "redacteur"  # the same parties take part
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(Convention)) == count + 1
        assert db_session().get(Convention, created["id"]).amends_id == world.convention_id
