"""How the contribution page and ``GET /api/contributions/<id>`` grow with the section.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_growth_contributions.py
    .venv/bin/python bench/bench_growth_contributions.py --postgres
    .venv/bin/python bench/bench_growth_contributions.py --sizes 200,1000 --runs 5

Same conventions as bench/bench_revisions.py (whose fresh database and report it
reuses): a temporary COSIGNE_DATA_DIR, SQLite there by default, a fresh PostgreSQL schema
with --postgres (COSIGNE_TEST_DATABASE_URL, else the local test server), dropped at the
end; requests through the Flask test client outside any app context; CSRF disabled for
this bench only; wall-clock milliseconds, median and p95.

For each size (200, 1,000, 5,000 and 20,000 paragraphs by default) a section of short
paragraphs (about 50 bytes each, so that 20,000 still fit the 1 MB a section may hold),
a contribution changing a word in one paragraph in ten, inserting one paragraph in fifty
and deleting one in fifty (as many paragraphs as the base); then the section moves on
(the drafter changes a word in other paragraphs, and in some the contribution changes
too, where the statuses need a word merge), so that every status is worked out against a
rebased current text. The drafter opens the contribution page (the first view apart: it
renders the comparison of the texts, which is then kept), then the API reads the
contribution. A size past ``workflows.limits.MAX_PARAGRAPHS`` (5,000) is refused at the
door; it is measured all the same, the limit raised for it, as a section stored before
the limits were would cost: such rows are marked "past the limit".
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_collab import ASSOCIE, PASSWORD, REDACTEUR, convention_in_negotiation, make_users
from bench_revisions import fetch, fresh_database, record, report, timed

from app import create_app
from app.accounts.operations import create_api_token
from app.contributions.operations import create_contribution
from app.db import db_session
from app.models import User
from app.sections import queries
from app.sections.operations import save_revision
from workflows import limits

SIZES = (200, 1_000, 5_000, 20_000)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

SUBJECTS = ["Le bailleur", "L'office", "La commune", "L'EPCI", "Le département"]
VERBS = ["réhabilite", "construit", "attribue", "vend", "démolit"]
OBJECTS = ["logements", "pavillons", "résidences", "places", "foyers"]


def short_paragraph(rng: random.Random) -> str:
    figure = rng.randrange(10, 999)
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {figure} {rng.choice(OBJECTS)} en 2026."


def changed(rng: random.Random, text: str) -> str:
    """One word of a paragraph replaced by another (the figure: always a change)."""
    words = text.split(" ")
    words[-4] = str(int(words[-4]) + rng.randrange(1, 9))
    return " ".join(words)


def world(rng: random.Random, size: int) -> tuple[list[str], list[str], list[str]]:
    """(base, proposal, current) paragraphs of a section of ``size`` paragraphs."""
    base = [short_paragraph(rng) for _ in range(size)]
    proposal: list[str] = []
    for k, text in enumerate(base):
        if k % 50 == 7:
            continue  # deleted
        proposal.append(changed(rng, text) if k % 10 == 0 else text)
        if k % 50 == 3:
            proposal.append(short_paragraph(rng))  # inserted
    # The drafter moved on: other paragraphs, and one in five of those the contribution
    # changes (the same figure changed differently: a conflict to find).
    current = [
        changed(rng, text) if k % 10 == 5 or k % 50 == 0 else text for k, text in enumerate(base)
    ]
    return base, proposal, current


def run(app, rng: random.Random, sizes: list[int], runs: int) -> None:
    with app.app_context():
        redacteur_id, associe_id = make_users()
        token = create_api_token(ASSOCIE[0])
    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": REDACTEUR[0], "password": PASSWORD})
    auth = {"Authorization": f"Bearer {token}"}
    for size in sizes:
        base, proposal, current = world(rng, size)
        past = size > limits.MAX_PARAGRAPHS
        kept = limits.MAX_PARAGRAPHS, limits.MAX_HUNKS
        # Only this bench raises them, for the section it builds past the limit.
        limits.MAX_PARAGRAPHS, limits.MAX_HUNKS = max(size, kept[0]), max(size, kept[1])
        try:
            with app.app_context():
                convention_id = convention_in_negotiation(redacteur_id, associe_id, f"CUS {size}")
                section_id = queries.sections_with_current(convention_id)[0].id
                save_revision(section_id, redacteur_id, 0, "\n\n".join(base), "v1")
                associe = db_session().get(User, associe_id)
                contribution_id = create_contribution(
                    section_id, associe, 1, "\n\n".join(proposal), "Bench"
                ).id
                save_revision(section_id, redacteur_id, 1, "\n\n".join(current), "v2")
        finally:
            limits.MAX_PARAGRAPHS, limits.MAX_HUNKS = kept
        label = f"{size:>6} paragraphs{' (past the limit)' if past else ''}"
        page, api = f"/contributions/{contribution_id}", f"/api/contributions/{contribution_id}"
        hunks = fetch(client, api, headers=auth).get_json()["hunks"]
        statuses = sorted({h["status"] for h in hunks})
        size_kb = len("\n\n".join(proposal).encode()) // 1000
        print(f"  {size} paragraphs ({size_kb} KB): {len(hunks)} hunks {statuses}", flush=True)
        # The first view renders the comparison of base and proposal, then kept (the
        # texts never change): shown apart, then the views that follow.
        record(f"first contribution page, {label}", [timed(fetch, client, page)])
        record(
            f"contribution page, {label}",
            [timed(fetch, client, page) for _ in range(runs)],
        )
        record(
            f"GET /api/contributions/<id>, {label}",
            [timed(fetch, client, api, headers=auth) for _ in range(runs)],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (fresh schema)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="paragraph counts")
    parser.add_argument("--runs", type=int, default=10, help="requests measured per size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    database_url = os.environ.get("COSIGNE_TEST_DATABASE_URL", POSTGRES) if args.postgres else None
    with tempfile.TemporaryDirectory(prefix="cosigne-bench-") as tmp:
        os.environ["COSIGNE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.pop("COSIGNE_ENV", None)
        url, cleanup = fresh_database(database_url, Path(tmp))
        try:
            app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": url})
            engine = app.extensions["cosigne_engine"]
            print(
                f"python {platform.python_version()} | cpus {os.cpu_count()} | "
                f"backend {engine.dialect.name}",
                flush=True,
            )
            try:
                run(app, random.Random(20261202), sizes, args.runs)
            finally:
                engine.dispose()
        finally:
            cleanup()
    report()


if __name__ == "__main__":
    main()
