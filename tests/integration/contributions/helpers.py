"""A section whose current text is BASE, for the contributions' tests."""

from __future__ import annotations

from app.db import db_session

BASE = (
    "Le parc compte 8 400 logements.\n\n"
    "La vacance atteint 2 % fin 2024.\n\n"
    "L'office réhabilite 1 200 logements sur la période."
)


def save_base(app, world, body=BASE):
    """A section whose current revision (2) is BASE."""
    from app.sections.operations import save_revision

    with app.app_context():
        save_revision(world.section_id, world.users["redacteur"], 1, body, "base")


def member(world, role):
    from app.models import User

    return db_session().get(User, world.users[role])
