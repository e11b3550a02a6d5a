"""How the cost of Cosigne's heavier operations grows with what they hold (issue 13).

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_growth.py
    .venv/bin/python bench/bench_growth.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py (fresh database, test client, CSRF off for
the bench, wall-clock ms). Each curve is measured at growing sizes; the table prints the
median and p95 at each size and the ratio of medians to the previous size against the
ratio of sizes: linear growth shows the two ratios alike, quadratic growth shows the
first as the square of the second.

1. The Word export of a table of 300 / 1,000 / 3,000 cells. (The contribution page and
   API against paragraphs: bench/bench_growth_contributions.py.)
2. The Word export of 100 / 200 / 400 sections of one page, plain, then tracked with 3
   open contributions per section (300 / 600 / 1,200).
3. The journal page with 10,000 / 100,000 events in the convention.
4. The drafter's inbox with 200 / 2,000 open contributions.
5. A process start: ``flask --help``, and the app created and answering /healthz.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_collab import ASSOCIE, PASSWORD, REDACTEUR
from bench_revisions import document, fetch, p95, record, run_bench, timed
from sqlalchemy import insert, select

from app.accounts.operations import create_user
from app.contributions.operations import create_contribution
from app.conventions.operations import create_convention, set_membership
from app.db import db_session, write_transaction
from app.models import Convention, Event, Section, User
from app.sections import queries
from app.sections.operations import add_section, save_revision
from app.word.queries import export_bytes
from workflows.conventions import ConventionKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

ROOT = Path(__file__).resolve().parent.parent
ROWS: list[tuple[str, int, list[float]]] = []


def measure(curve: str, size: int, samples: list[float]) -> None:
    ROWS.append((curve, size, samples))
    record(f"{curve} at {size}", samples)  # also in bench_revisions' table at the end


def convention_with(app, drafter_id: int, partner_org: int, sections: int, title: str) -> int:
    """A CUS in negotiation with ``sections`` sections (its standard ones first)."""
    with app.app_context():
        drafter = db_session().get(User, drafter_id)
        convention = create_convention(drafter, ConventionKind.CUS, title, 2025)
        set_membership(convention.id, Role.ASSOCIE, organisation_id=partner_org)
        have = len(queries.sections_with_current(convention.id))
        for number in range(have, sections):
            add_section(convention.id, f"Section {number + 1}")
        with write_transaction() as session:
            session.get(Convention, convention.id).state = ConventionState.NEGOCIATION
        return convention.id


def run(app, rng) -> None:
    with app.app_context():
        drafter = create_user(*REDACTEUR[:2], PASSWORD, *REDACTEUR[2:])
        partner = create_user(*ASSOCIE[:2], PASSWORD, *ASSOCIE[2:])
        drafter_id, partner_id, partner_org = drafter.id, partner.id, partner.organisation_id
    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": REDACTEUR[0], "password": PASSWORD})

    # 1. the Word export of one table against its cells
    cid = convention_with(app, drafter_id, partner_org, 1, "Tableau")
    with app.app_context():
        section = queries.sections_with_current(cid)[0].id
    base = 0
    for rows in (30, 100, 300):
        header = "| " + " | ".join(f"Colonne {c}" for c in range(10)) + " |\n|" + "---|" * 10
        lines = [
            "| " + " | ".join(f"{r * 10 + c} logements" for c in range(10)) + " |"
            for r in range(rows)
        ]
        with app.app_context():
            base = save_revision(
                section, drafter_id, base, header + "\n" + "\n".join(lines), ""
            ).number
            measure(
                "Word export, one table (cells)",
                rows * 10,
                [timed(export_bytes, cid) for _ in range(3)],
            )

    # 2. Word export against sections, then contributions
    for size in (100, 200, 400):
        cid = convention_with(app, drafter_id, partner_org, size, f"Export {size}")
        with app.app_context():
            partner = db_session().get(User, partner_id)
            for section in queries.sections_with_current(cid):
                pars = document(rng, 18)
                save_revision(section.id, drafter_id, 0, "\n\n".join(pars), "v1")
                for author in range(3):
                    proposal = list(pars)
                    proposal[author * 5] = proposal[author * 5] + " Complété."
                    create_contribution(section.id, partner, 1, "\n\n".join(proposal), "")

            def export(tracked: bool, convention: int = cid) -> None:
                export_bytes(convention, tracked=tracked, comments=tracked)

            export(False)
            measure("Word export, plain (sections)", size, [timed(export, False) for _ in range(3)])
            measure(
                "Word export, tracked (contributions)",
                3 * size,
                [timed(export, True) for _ in range(3)],
            )

    # 3. journal page against events
    cid = convention_with(app, drafter_id, partner_org, 1, "Journal")
    have = 0
    for size in (10_000, 100_000):
        with app.app_context(), write_transaction() as session:
            rows = [
                {
                    "convention_id": cid,
                    "actor_id": drafter_id,
                    "action": ("revision", "contribution", "commentaire")[n % 3],
                    "summary": f"Événement {n}",
                }
                for n in range(have, size)
            ]
            for start in range(0, len(rows), 5_000):
                session.execute(insert(Event), rows[start : start + 5_000])
        have = size
        url = f"/conventions/{cid}/events"
        fetch(client, url)
        measure("journal page (events)", size, [timed(fetch, client, url) for _ in range(10)])

    # 4. inbox against open contributions
    cid = convention_with(app, drafter_id, partner_org, 1, "Boîte")
    with app.app_context():
        section = db_session().scalar(select(Section.id).where(Section.convention_id == cid))
        save_revision(section, drafter_id, 0, "Le texte.", "v1")
    have = 0
    for size in (200, 2_000):
        with app.app_context():
            partner = db_session().get(User, partner_id)
            for number in range(have, size):
                create_contribution(section, partner, 1, f"Le texte, proposition {number}.", "")
        have = size
        fetch(client, "/inbox")
        measure(
            "inbox (open contributions)", size, [timed(fetch, client, "/inbox") for _ in range(10)]
        )

    # 5. a process start
    def start(*command: str) -> None:
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)

    probe = "from app import create_app; create_app().test_client().get('/healthz')"
    measure(
        "process start: flask --help",
        1,
        [timed(start, sys.executable, "-m", "flask", "--app", "app", "--help") for _ in range(5)],
    )
    measure(
        "process start: app answers /healthz",
        1,
        [timed(start, sys.executable, "-c", probe) for _ in range(5)],
    )
    growth_report()


def growth_report() -> None:
    width = max(len(curve) for curve, _, _ in ROWS)
    print(f"\n{'curve':<{width}}     size    median       p95   x size  x time")
    previous: dict[str, tuple[int, float]] = {}
    for curve, size, samples in ROWS:
        median = statistics.median(samples)
        growth = ""
        if curve in previous:
            last_size, last_median = previous[curve]
            growth = f"{size / last_size:>7.1f}  {median / last_median:>6.1f}"
        previous[curve] = (size, median)
        print(f"{curve:<{width}}  {size:>7}  {median:>8.1f}  {p95(samples):>8.1f}  {growth}")


if __name__ == "__main__":
    run_bench(run, "Cosigne growth curves")
