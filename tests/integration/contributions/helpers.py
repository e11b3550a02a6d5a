"""A section whose current text is BASE, for the contributions' tests."""

from __future__ import annotations

from tests.factories import write

BASE = (
    "Le parc compte 8 400 logements.\n\n"
    "La vacance atteint 2 % fin 2024.\n\n"
    "L'office réhabilite 1 200 logements sur la période."
)


def save_base(app, world, body=BASE):
    """A section whose current revision (2) is BASE."""
    with app.app_context():
        write(world.section_id, world.users["redacteur"], body, "base")
