"""A contribution past the limits of a section's text is refused at the door, and nothing
is written; the statuses of a large contribution's changes are worked out."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import Contribution, Notification
from tests.conftest import api_client, logged_in
from workflows.limits import MAX_HUNKS, MAX_PARAGRAPHS, number


def counts(app) -> tuple[int, int]:
    with app.app_context():
        session = db_session()
        return (
            session.scalar(select(func.count(Contribution.id))),
            session.scalar(select(func.count(Notification.id))),
        )


def propose(app, world, body: str):
    client, headers = api_client(app, "asso@dep.test")
    return client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=headers,
        json={"base_revision": 1, "body": body, "rationale": "Essai"},
    )


def test_a_body_of_330_000_paragraphs_is_refused_and_nothing_is_written(app, world):
    before = counts(app)
    response = propose(app, world, "p\n\n" * 330_000)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert f"{number(330_000)} paragraphes" in error and number(MAX_PARAGRAPHS) in error
    assert counts(app) == before


def test_emphasis_marks_past_the_limit_are_refused_and_nothing_is_written(app, world):
    before = counts(app)
    response = propose(app, world, "_*" * 499_000)
    assert (
        response.status_code == 413 and "marques de mise en forme" in response.get_json()["error"]
    )
    assert counts(app) == before


def test_more_changes_than_a_contribution_may_hold_are_refused(app, world):
    before = counts(app)
    # Every paragraph new against a one-paragraph base: one insertion each.
    body = "\n\n".join(f"Paragraphe {k}." for k in range(MAX_HUNKS + 1))
    response = propose(app, world, body)
    assert response.status_code == 413
    assert f"{number(MAX_HUNKS)} par contribution" in response.get_json()["error"]
    assert counts(app) == before


def test_a_large_contribution_saves_and_its_changes_have_their_statuses(app, world):
    paragraphs = [f"Le bailleur réhabilite {k} logements." for k in range(3_000)]
    client, headers = api_client(app, "redac@oph.test")
    saved = client.post(
        f"/api/sections/{world.section_id}/revisions",
        headers=headers,
        json={"base_revision": 1, "body": "\n\n".join(paragraphs), "message": "Grand texte"},
    )
    assert saved.status_code == 201, saved.get_json()
    proposal = [p.replace("logements", "pavillons") if k % 10 == 0 else p
                for k, p in enumerate(paragraphs)]  # fmt: skip
    asso, asso_headers = api_client(app, "asso@dep.test")
    created = asso.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=asso_headers,
        json={"base_revision": 2, "body": "\n\n".join(proposal)},
    )
    assert created.status_code == 201, created.get_json()
    hunks = created.get_json()["hunks"]
    assert len(hunks) == 300 and {h["status"] for h in hunks} == {"applicable"}
    # The drafter changes the same word of one of those paragraphs, another of a second.
    moved = list(paragraphs)
    moved[0] = moved[0].replace("logements", "foyers")
    moved[10] = moved[10].replace("Le bailleur", "L'office")
    resaved = client.post(
        f"/api/sections/{world.section_id}/revisions",
        headers=headers,
        json={"base_revision": 2, "body": "\n\n".join(moved)},
    )
    assert resaved.status_code == 201, resaved.get_json()
    shown = asso.get(f"/api/contributions/{created.get_json()['id']}", headers=asso_headers)
    statuses = [h["status"] for h in shown.get_json()["hunks"]]
    assert statuses[:2] == ["conflict", "applicable"] and set(statuses[2:]) == {"applicable"}
    page = logged_in(app, "redac@oph.test").get(f"/contributions/{created.get_json()['id']}")
    assert page.status_code == 200 and "pavillons" in page.get_data(as_text=True)
