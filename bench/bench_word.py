"""Benchmark of the Word round trip: export and import of a large convention.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_word.py
    .venv/bin/python bench/bench_word.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py (its text generator, fresh database and
report): a convention in negotiation with 100 sections of about one page (20 paragraphs
with a heading and a list each) and 300 open contributions (3 per section, each changing
a few words and adding a paragraph, based on the section's revision). Measured, wall
clock, median and p95:

1. export of the current text (``app.word.export_bytes``), and with the 300 contributions
   as revision marks and the discussions as comments (target: under 2 s);
2. the export through the web (``GET /conventions/<id>/export.docx?tracked=1``);
3. the preview of the tracked export imported back (read, match, each author's text),
   its import as 100 contributions written in one transaction (once), and the same
   document imported again, each proposal then found already open.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_collab import PASSWORD, REDACTEUR, convention_in_negotiation, make_users, user
from bench_revisions import document, fetch, record, run_bench, timed

from app.contributions.operations import create_contribution, open_thread
from app.sections import queries
from app.sections.operations import save_revision
from app.word import operations as word_operations
from app.word import queries as word

SECTIONS = 100
PER_SECTION = 3
ROUNDS = 5


def section_text(rng: random.Random, index: int) -> str:
    paragraphs = document(rng, 18)
    paragraphs.insert(0, f"## Partie {index}")
    paragraphs.insert(6, "- un engagement ;\n- un autre engagement ;\n- un troisième.")
    return "\n\n".join(paragraphs)


def proposal_of(rng: random.Random, text: str, author: int) -> str:
    paragraphs = text.split("\n\n")
    target = 1 + (author * 5 + rng.randrange(3)) % (len(paragraphs) - 1)
    words = paragraphs[target].split(" ")
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(["révisé", "précisé", "complété"])
    paragraphs[target] = " ".join(words)
    # Each contribution works on its own paragraphs, as partners mostly do: all 300 can
    # be shown as revision marks at once.
    paragraphs.insert(target + 1, f"Paragraphe ajouté par la contribution {author}.")
    return "\n\n".join(paragraphs)


def run(app, rng: random.Random) -> None:
    from app.sections.operations import add_section

    with app.app_context():
        redacteur_id, associe_id = make_users()
        convention_id = convention_in_negotiation(redacteur_id, associe_id, "CUS cent sections")
        existing = len(queries.sections_with_current(convention_id))
        for number in range(existing, SECTIONS):
            add_section(convention_id, f"Section {number + 1}", user(redacteur_id))
        sections = [s.id for s in queries.sections_with_current(convention_id)]
    print(
        f"  building {len(sections)} sections and {len(sections) * PER_SECTION} contributions…",
        flush=True,
    )
    for index, section_id in enumerate(sections):
        text = section_text(rng, index)
        with app.app_context():
            save_revision(section_id, redacteur_id, 0, text, "v1")
            associe = user(associe_id)
            for author in range(PER_SECTION):
                create_contribution(section_id, associe, 1, proposal_of(rng, text, author), "Bench")
            open_thread(section_id, associe, "Une remarque.", quote=text.split("\n\n")[1][:30])

    sizes = {}

    def export(tracked: bool) -> None:
        with app.app_context():
            sizes[tracked] = len(word.export_bytes(convention_id, tracked, tracked))

    record("1a. export, current text, 100 sections", [timed(export, False) for _ in range(ROUNDS)])
    record(
        "1b. export, 300 contributions as marks + comments",
        [timed(export, True) for _ in range(ROUNDS)],
        target_ms=2000,
    )
    print(f"  sizes: {sizes[False] // 1024} KB plain, {sizes[True] // 1024} KB tracked", flush=True)

    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": REDACTEUR[0], "password": PASSWORD})
    page = f"/conventions/{convention_id}/export.docx?tracked=1&comments=1"
    response = fetch(client, page)
    data = response.data
    record(
        "2. GET export.docx?tracked=1, 100 sections",
        [timed(fetch, client, page) for _ in range(ROUNDS)],
    )

    def preview() -> None:
        with app.app_context():
            found = word.preview(convention_id, "bench.docx", data)
            assert len(found.plan.matched) == len(sections)
            assert sum(len(s.by_author) for s in found.plan.matched) == len(sections)

    record(
        "3a. preview of the tracked export, 100 sections", [timed(preview) for _ in range(ROUNDS)]
    )

    def import_once(expected: str) -> None:
        with app.app_context():
            found = word.preview(convention_id, "bench.docx", data)
            written = word_operations.apply(found, user(redacteur_id), {})
            assert len(getattr(written, expected)) == len(sections)

    record(
        "3b. import as 100 contributions (one transaction)", [timed(import_once, "contributions")]
    )
    record(
        "3c. the same document again: 100 already open",
        [timed(import_once, "unchanged") for _ in range(ROUNDS)],
    )


if __name__ == "__main__":
    run_bench(run, "Cosigne Word export/import benchmark")
