"""The review through the API, with the issue's words: a drafter asks for review, a
signatory records « accord », « reserves » or « desaccord » with its text; the section's
state and the register of reserves follow, as on the pages. Who may not, and bad input,
change nothing. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import Notification, ReviewPosition
from tests.conftest import api_headers
from tests.factories import add_member, make_user, write
from tests.integration.api_answers import call
from tests.integration.review.helpers import section_state
from workflows.conventions import OrganisationKind
from workflows.permissions import Role
from workflows.review import Position

DRAFTER, SIGNER = "redac@oph.test", "sign@epci.test"


def _positions(app) -> list[tuple[Position, str]]:
    with app.app_context():
        return list(
            db_session().execute(
                select(ReviewPosition.position, ReviewPosition.text).order_by(ReviewPosition.id)
            )
        )


def _ask(app, world):
    client = app.test_client()
    return call(
        client, "POST", f"/api/sections/{world.section_id}/review", api_headers(app, DRAFTER), 200
    )


def test_a_drafter_asks_for_review_and_the_signatories_are_told(app, world):
    review = _ask(app, world)
    assert review["state"] == "en_revue" and review["revision"] == 1
    assert [(p["party"], p["position"]) for p in review["positions"]] == [("EPCI Test", None)]
    assert section_state(app, world.section_id) == "en_revue"
    with app.app_context():
        told = db_session().scalars(
            select(Notification.text).where(Notification.user_id == world.users["signataire"])
        )
        assert any("Relecture demandée" in text for text in told)
    shown = call(
        app.test_client(),
        "GET",
        f"/api/sections/{world.section_id}/review",
        api_headers(app, "obs@obs.test"),
        200,
    )
    assert shown == review


def test_only_drafters_ask_for_review(app, world):
    client = app.test_client()
    url = f"/api/sections/{world.section_id}/review"
    for email in (SIGNER, "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        call(client, "POST", url, api_headers(app, email), 403)
    assert section_state(app, world.section_id) == "brouillon"


def test_positions_with_the_issues_words_validate_and_fill_the_register(app, world):
    _ask(app, world)
    client, signer = app.test_client(), api_headers(app, SIGNER)
    url = f"/api/sections/{world.section_id}/position"
    review = call(
        client,
        "POST",
        url,
        signer,
        201,
        json={"position": "reserves", "text": "Préciser le calendrier.", "revision_number": 1},
    )
    assert review["state"] == "validee"  # the only signatory agrees, with reserves
    assert review["positions"][0]["position"] == "reserves"
    assert review["positions"][0]["text"] == "Préciser le calendrier."
    assert _positions(app) == [(Position.RESERVES, "Préciser le calendrier.")]
    register = call(client, "GET", f"/api/conventions/{world.convention_id}/reserves", signer, 200)
    assert register["items"] == [
        {
            "party": "EPCI Test",
            "section": register["items"][0]["section"],
            "position": "reserves",
            "text": "Préciser le calendrier.",
            "revision": 1,
            "carried_note": "",
        }
    ]
    # A party may withdraw its agreement on the same text: back under review.
    review = call(client, "POST", url, signer, 201, json={"position": "desaccord", "text": "Non."})
    assert review["state"] == "en_revue" and review["positions"][0]["position"] == "desaccord"
    review = call(client, "POST", url, signer, 201, json={"position": "accord"})
    assert review["state"] == "validee"
    assert call(client, "GET", f"/api/conventions/{world.convention_id}/reserves", signer, 200) == {
        "items": []
    }


def test_bad_positions_and_roles_that_may_not_record_nothing(app, world):
    _ask(app, world)
    client, signer = app.test_client(), api_headers(app, SIGNER)
    url = f"/api/sections/{world.section_id}/position"
    # Reserves and disagreements must say what they are.
    assert (
        "réserves" in call(client, "POST", url, signer, 400, json={"position": "reserves"})["error"]
    )
    call(client, "POST", url, signer, 400, json={"position": "desaccord", "text": "  "})
    # The API speaks the issue's words, not the stored ones.
    error = call(client, "POST", url, signer, 400, json={"position": "accord_avec_reserves"})
    assert "accord, reserves ou desaccord" in error["error"]
    call(client, "POST", url, signer, 400, json={})
    call(client, "POST", url, signer, 400, json={"position": "accord", "text": 5})
    call(client, "POST", url, signer, 400, json={"position": "accord", "text": "x" * 5001})
    # A position on a text that changed since it was read.
    stale = call(
        client, "POST", url, signer, 409, json={"position": "accord", "revision_number": 7}
    )
    assert "révision actuelle est la 1" in stale["error"]
    for email in (DRAFTER, "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        call(client, "POST", url, api_headers(app, email), 403, json={"position": "accord"})
    assert _positions(app) == []
    assert section_state(app, world.section_id) == "en_revue"


def test_no_position_on_a_section_that_is_not_under_review(app, world):
    client, signer = app.test_client(), api_headers(app, SIGNER)
    url = f"/api/sections/{world.section_id}/position"
    refused = call(client, "POST", url, signer, 409, json={"position": "accord"})
    assert "pas en revue" in refused["error"]
    assert _positions(app) == []


def test_two_signatories_both_agree_before_the_section_is_validated(app, world):
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, ddt)
        write(world.section_id, world.users["redacteur"], "Texte à relire.")
    _ask(app, world)
    client = app.test_client()
    url = f"/api/sections/{world.section_id}/position"
    first = call(client, "POST", url, api_headers(app, SIGNER), 201, json={"position": "accord"})
    assert first["state"] == "en_revue" and first["revision"] == 2
    both = call(
        client, "POST", url, api_headers(app, "ddt@etat.test"), 201, json={"position": "accord"}
    )
    assert both["state"] == "validee"
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(ReviewPosition)) == 2
