"""A new convention through the API, as the « Nouvelle convention » page makes it: the
user's organisme its drafter, its standard sections; only an organisme HLM creates one,
and bad input creates nothing. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import Convention
from app.sections.queries import sections_with_current
from tests.conftest import api_client, api_headers
from tests.integration.api_answers import call


def _count(app) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(Convention))


def test_an_organisme_creates_a_cus_with_its_standard_sections(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    created = call(
        client,
        "POST",
        "/api/conventions",
        drafter,
        201,
        json={"kind": "cus", "title": "CUS 2027-2032", "start_year": 2027},
    )
    assert (created["kind"], created["end_year"], created["role"]) == ("cus", 2032, "redacteur")
    assert created["state"] == "brouillon"
    listed = call(client, "GET", "/api/conventions", drafter, 200)["conventions"]
    assert created["id"] in {c["id"] for c in listed}
    with app.app_context():
        assert len(sections_with_current(created["id"])) > 5
    cadre = call(
        client,
        "POST",
        "/api/conventions",
        drafter,
        201,
        json={
            "kind": "contractualisation_cadre",
            "title": "Document cadre",
            "start_year": 2026,
            "end_year": 2031,
        },
    )
    application = call(
        client,
        "POST",
        "/api/conventions",
        drafter,
        201,
        json={
            "kind": "convention_application",
            "title": "Application 2026",
            "start_year": 2026,
            "cadre_id": cadre["id"],
        },
    )
    assert application["cadre_id"] == cadre["id"] and application["end_year"] == 2026


def test_partners_and_bad_input_create_nothing(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    before = _count(app)
    good = {"kind": "cus", "title": "CUS", "start_year": 2027}
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test"):
        refused = call(client, "POST", "/api/conventions", api_headers(app, email), 403, json=good)
        assert "organisme HLM" in refused["error"]
    for bad in (
        {**good, "kind": "avenant"},
        {**good, "kind": "loi"},
        {**good, "title": " "},
        {**good, "start_year": "2027"},
        {**good, "start_year": 1990},
        {**good, "end_year": 2030},  # a CUS runs six years
        {"kind": "cus", "title": "CUS"},
        {**good, "kind": "convention_application"},  # without its document cadre
        {**good, "cadre_id": world.other_convention_id},
    ):
        call(client, "POST", "/api/conventions", drafter, 400, json=bad)
    assert _count(app) == before
