"""Asking for a section's review and giving positions as the web pages do."""

from __future__ import annotations

from app.db import db_session
from app.models import Section
from tests.conftest import logged_in, post_form


def request_review(app, world, section_id=None):
    client = logged_in(app, "redac@oph.test")
    response = post_form(client, f"/sections/{section_id or world.section_id}/review")
    assert response.status_code == 303
    return client


def give_position(app, email, section_id, position, text=""):
    return post_form(
        logged_in(app, email),
        f"/sections/{section_id}/position",
        {"position": position, "text": text},
    )


def section_state(app, section_id):
    with app.app_context():
        return db_session().get(Section, section_id).state.value
