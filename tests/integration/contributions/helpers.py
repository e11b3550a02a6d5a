"""A section whose current text is BASE (or RICH), for the contributions' tests."""

from __future__ import annotations

from app.contributions.operations import create_contribution
from tests.factories import write

BASE = (
    "Le parc compte 8 400 logements.\n\n"
    "La vacance atteint 2 % fin 2024.\n\n"
    "L'office réhabilite 1 200 logements sur la période."
)


# A text with a heading, a paragraph, a list and a table, and a proposal changing each:
# h1 adds a word to the heading, h2 changes a figure, h3 adds a list item, h4 a cell.
RICH = (
    "## Patrimoine\n\n"
    "L'office gère 8 400 logements sur 46 communes. Il en rénove 1 200 par an.\n\n"
    "- Enquête tous les deux ans ;\n- astreinte le week-end.\n\n"
    "| Année | Logements |\n|---|---|\n| 2025 | 120 |"
)
RICH_PROPOSAL = (
    RICH.replace("Patrimoine", "Patrimoine bâti")
    .replace("46 communes", "47 communes")
    .replace("ans ;\n", "ans ;\n- délai de 15 jours ;\n")
    .replace("| 120 |", "| 125 |")
)


def propose(app, world, role: str, body: str, base: int = 2) -> int:
    """The id of a contribution of ``role``'s user proposing ``body`` on the section."""
    with app.app_context():
        return create_contribution(world.section_id, world.user(role), base, body).id


def save_base(app, world, body=BASE):
    """A section whose current revision (2) is BASE."""
    with app.app_context():
        write(world.section_id, world.users["redacteur"], body, "base")
