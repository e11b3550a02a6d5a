"""The register of the association through the API: a meeting with the organisations
invited, the documents sent for it (a late one answers its warning), its minutes, a
letter received; read back as the page shows them. Other roles, another convention's
meeting and bad input write nothing. Every answer is checked against the OpenAPI
document."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import Meeting, Organisation, ReceivedLetter, SentDocument
from tests.conftest import api_client, api_headers
from tests.integration.api_answers import call

DRAFTER = "redac@oph.test"


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        session = db_session()
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Meeting, SentDocument, ReceivedLetter)
        )


def _organisation_id(app, name: str) -> int:
    with app.app_context():
        return db_session().scalar(select(Organisation.id).where(Organisation.name == name))


def test_keep_the_register_and_read_it_back(app, world):
    client, drafter = api_client(app, DRAFTER)
    base = f"/api/conventions/{world.convention_id}"
    epci = _organisation_id(app, "EPCI Test")
    meeting = call(
        client,
        "POST",
        f"{base}/meetings",
        drafter,
        201,
        json={
            "title": "Réunion de lancement",
            "meeting_on": "2026-04-02",
            "place": "Siège",
            "invited": [epci],
        },
    )
    assert meeting["meeting_on"] == "2026-04-02" and meeting["invited"] == [epci]
    documents = f"{base}/meetings/{meeting['id']}/documents"
    late = call(
        client,
        "POST",
        documents,
        drafter,
        201,
        json={"title": "Projet v2", "sent_on": "20/03/2026"},
    )
    assert "moins d'un mois" in late["warning"]
    on_time = call(
        client,
        "POST",
        documents,
        drafter,
        201,
        json={"title": "Diagnostic", "sent_on": "2026-02-20"},
    )
    assert on_time["warning"] is None
    # In the order they were sent, as the page lists them.
    assert [d["title"] for d in on_time["meeting"]["documents"]] == ["Diagnostic", "Projet v2"]
    minutes = call(
        client,
        "POST",
        f"{base}/meetings/{meeting['id']}/minutes",
        drafter,
        200,
        json={"minutes": "Présents : EPCI, DDT."},
    )
    assert minutes["minutes"] == "Présents : EPCI, DDT."
    letter = call(
        client,
        "POST",
        f"{base}/letters",
        drafter,
        201,
        json={
            "sender": "Préfecture",
            "received_on": "2026-03-01",
            "subject": "Observations",
            "summary": "Deux remarques.",
        },
    )
    assert letter["recorded_by"] == "Redac"

    # Read back by a partner, as the page shows it.
    register = call(client, "GET", f"{base}/register", api_headers(app, "asso@dep.test"), 200)
    kept = {m["title"]: m for m in register["meetings"]}
    assert kept["Réunion de lancement"]["minutes"] == "Présents : EPCI, DDT."
    assert [d["warning"] is not None for d in kept["Réunion de lancement"]["documents"]] == [
        False,
        True,
    ]
    assert [x["subject"] for x in register["letters"]] == ["Observations"]
    assert [c["id"] for c in register["contributions"]] == [world.contribution_id]
    with app.app_context():
        stored = db_session().get(Meeting, meeting["id"])
        assert stored.minutes == "Présents : EPCI, DDT." and len(stored.documents) == 2


def test_only_drafters_keep_the_register(app, world):
    client = app.test_client()
    base = f"/api/conventions/{world.convention_id}"
    before = _counts(app)
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        headers = api_headers(app, email)
        call(
            client,
            "POST",
            f"{base}/meetings",
            headers,
            403,
            json={"title": "Réunion", "meeting_on": "2026-04-02"},
        )
        call(
            client,
            "POST",
            f"{base}/meetings/{world.meeting_id}/documents",
            headers,
            403,
            json={"title": "Doc", "sent_on": "2026-03-01"},
        )
        call(
            client,
            "POST",
            f"{base}/meetings/{world.meeting_id}/minutes",
            headers,
            403,
            json={"minutes": "Pirate."},
        )
        call(
            client,
            "POST",
            f"{base}/letters",
            headers,
            403,
            json={"sender": "X", "received_on": "2026-03-01", "subject": "Y"},
        )
    assert _counts(app) == before


def test_bad_input_and_another_conventions_meeting_write_nothing(app, world):
    client, drafter = api_client(app, DRAFTER)
    base = f"/api/conventions/{world.convention_id}"
    before = _counts(app)
    meetings = f"{base}/meetings"
    missing = call(client, "POST", meetings, drafter, 400, json={"title": "Réunion"})
    assert "date de la réunion est obligatoire" in missing["error"]
    wrong = call(
        client, "POST", meetings, drafter, 400, json={"title": "Réunion", "meeting_on": "04/02"}
    )
    assert "n'est pas une date valide" in wrong["error"]
    call(
        client,
        "POST",
        meetings,
        drafter,
        400,
        json={"title": "Réunion", "meeting_on": "2026-02-30"},
    )
    call(client, "POST", meetings, drafter, 400, json={"title": "", "meeting_on": "2026-04-02"})
    for invited in (["1"], [987654], 3, [True]):
        call(
            client,
            "POST",
            meetings,
            drafter,
            400,
            json={"title": "Réunion", "meeting_on": "2026-04-02", "invited": invited},
        )
    # A meeting of another convention is not found from this one.
    call(
        client,
        "POST",
        f"{base}/meetings/{world.other_meeting_id}/documents",
        drafter,
        404,
        json={"title": "Doc", "sent_on": "2026-03-01"},
    )
    call(
        client,
        "POST",
        f"{base}/meetings/{world.meeting_id}/minutes",
        drafter,
        400,
        json={"minutes": "  "},
    )
    future = call(
        client,
        "POST",
        f"{base}/letters",
        drafter,
        400,
        json={"sender": "X", "received_on": "2999-01-01", "subject": "Y"},
    )
    assert "dans le futur" in future["error"]
    assert _counts(app) == before
    with app.app_context():
        assert db_session().get(Meeting, world.meeting_id).minutes == ""
