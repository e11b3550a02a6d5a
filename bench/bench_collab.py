"""Benchmark of Cosigne's collaboration paths: hunks, three-way merge, contributions.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_collab.py
    .venv/bin/python bench/bench_collab.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py, whose text generator, fresh database and
report this bench reuses: a temporary COSIGNE_DATA_DIR (SQLite file there by default, a
fresh PostgreSQL schema with --database-url, dropped at the end), web requests through
the Flask test client outside any app context, CSRF disabled for this bench only,
wall-clock milliseconds, median and p95.

1. The pure functions of workflows.text.merge on a 20-page section (200 paragraphs): a
   proposal with 50 scattered word changes, 2 inserted and 2 deleted paragraphs, and a
   current revision with 20 other word changes in other paragraphs.
2. The same through the app: app.contributions.view (hunk statuses against the moved-on
   current revision), create_contribution, accept (each on a fresh contribution), and
   the contribution page.
3. A convention in negotiation with 30 sections of one page and 200 open contributions:
   the convention page, the busiest section's page, the drafter's inbox and a
   contribution page. The 200 ms page budget asked of the convention page is applied
   to the other pages too.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_revisions import (
    REPLACEMENTS,
    body,
    document,
    fetch,
    paragraph,
    record,
    run_bench,
    timed,
)

from app.accounts.operations import create_user
from app.contributions.operations import accept, create_contribution, mark_treated
from app.contributions.queries import of_section, view
from app.conventions.operations import create_convention, set_membership
from app.db import db_session, write_transaction
from app.models import Contribution, Convention, User
from app.sections import queries
from app.sections.operations import add_section, save_revision
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role
from workflows.text.merge import (
    align_proposal,
    apply_hunks,
    compute_hunks,
    hunk_statuses,
    merge3,
    paragraphs_of,
)
from workflows.text.paragraphs import assign_paragraph_ids

REDACTEUR = ("redac@oph.test", "Rédactrice Bench", "OPH Bench", OrganisationKind.OPH)
ASSOCIE = ("asso@dep.test", "Associé Bench", "Département Bench", OrganisationKind.DEPARTEMENT)
PASSWORD = "motdepasse-bench"
SECTIONS, CONTRIBUTIONS = 30, 200


# --- edits in chosen paragraphs ------------------------------------------------------------


def edit_in(rng: random.Random, pars: list[str], count: int, where: list[int]) -> list[str]:
    """A copy of ``pars`` with ``count`` words replaced, in paragraphs ``where`` only.

    The replacement always differs from the word it replaces, so each edit is a change.
    """
    pars = list(pars)
    for _ in range(count):
        k = rng.choice(where)
        words = pars[k].split(" ")
        i = rng.randrange(len(words))
        words[i] = rng.choice([r for r in REPLACEMENTS if r != words[i]])
        pars[k] = " ".join(words)
    return pars


def edit_in_part(rng: random.Random, text: str, part: int) -> str:
    """One word replaced in the first (part 0) or the last (part 1) third of a paragraph."""
    words = text.split(" ")
    third = len(words) // 3
    i = rng.randrange(third) if part == 0 else rng.randrange(len(words) - third, len(words))
    words[i] = rng.choice([r for r in REPLACEMENTS if r != words[i]])
    return " ".join(words)


def scenario(rng: random.Random, base: list[str]) -> tuple[list[str], list[str]]:
    """(proposal, current) texts of a base: the proposal changes 50 words in 50 scattered
    paragraphs, inserts 2 paragraphs and deletes 2; current changes 20 words in 20 other
    paragraphs (never one the proposal touches or deletes)."""
    order = list(range(len(base)))
    rng.shuffle(order)
    proposed, deleted, drafted = order[:50], order[50:52], order[52:72]
    proposal = edit_in(rng, base, 50, proposed)
    current = edit_in(rng, base, 20, drafted)
    proposal = [p for k, p in enumerate(proposal) if k not in deleted]
    for _ in range(2):
        proposal.insert(rng.randrange(len(proposal) + 1), paragraph(rng))
    return proposal, current


# --- 1. pure functions ---------------------------------------------------------------------


def pure_functions(rng: random.Random) -> None:
    base_pars = document(rng, 200)
    proposal_pars, current_pars = scenario(rng, base_pars)
    base_text, proposal_text, current_text = map(body, (base_pars, proposal_pars, current_pars))
    base_ids = assign_paragraph_ids("", None, base_text)
    base = paragraphs_of(base_text, base_ids)
    current = paragraphs_of(current_text, assign_paragraph_ids(base_text, base_ids, current_text))
    proposal = align_proposal(base, proposal_text)
    hunks = compute_hunks(base, proposal)
    merged = merge3(base, current, proposal)
    kinds = {k: sum(h.kind == k for h in hunks) for k in ("modify", "insert", "delete")}
    print(
        f"  section: {len(base_text.split())} words, {len(base)} paragraphs; proposal: "
        f"{len(hunks)} hunks {kinds}; merge clean: {merged.clean}"
    )
    assert merged.clean and len(merged.paragraphs) == len(base), merged.conflicts
    selected = {h.id for h in hunks}

    def hunks_and_merge() -> None:
        found = compute_hunks(base, proposal)
        merge3(base, current, apply_hunks(base, proposal, found, {h.id for h in found}))

    def statuses() -> None:
        hunk_statuses(base, current, proposal, hunks)

    assert set(hunk_statuses(base, current, proposal, hunks)) == {"applicable"}
    runs = 30
    record(
        "1a. align_proposal, 20 pages",
        [timed(align_proposal, base, proposal_text) for _ in range(runs)],
    )
    record(
        "1b. compute_hunks, 20 pages", [timed(compute_hunks, base, proposal) for _ in range(runs)]
    )
    record("1c. merge3, 20 pages", [timed(merge3, base, current, proposal) for _ in range(runs)])
    record(
        "1d. apply_hunks (all), 20 pages",
        [timed(apply_hunks, base, proposal, hunks, selected) for _ in range(runs)],
    )
    record(
        "1e. compute_hunks+apply_hunks+merge3",
        [timed(hunks_and_merge) for _ in range(runs)],
        100,
    )
    # What view() does: the statuses of every hunk, in one pass.
    record(f"1f. hunk_statuses, {len(hunks)} hunks", [timed(statuses) for _ in range(runs)])

    # Not asked for, but telling: 10 paragraphs edited on both sides (in different thirds),
    # so that merge3 goes down to merge_words for them.
    both = rng.sample(range(len(base_pars)), 10)
    cur2 = [edit_in_part(rng, p, 0) if k in both else p for k, p in enumerate(base_pars)]
    pro2 = [edit_in_part(rng, p, 1) if k in both else p for k, p in enumerate(base_pars)]
    current2 = paragraphs_of(body(cur2), [p.id for p in base])
    proposal2 = paragraphs_of(body(pro2), [p.id for p in base])
    assert merge3(base, current2, proposal2).clean
    record(
        "1g. merge3, 10 paragraphs both sides",
        [timed(merge3, base, current2, proposal2) for _ in range(runs)],
    )


# --- the world -----------------------------------------------------------------------------


def make_users() -> tuple[int, int]:
    redacteur = create_user(*REDACTEUR[:2], PASSWORD, *REDACTEUR[2:])
    associe = create_user(*ASSOCIE[:2], PASSWORD, *ASSOCIE[2:])
    return redacteur.id, associe.id


def convention_in_negotiation(redacteur_id: int, associe_id: int, title: str) -> int:
    redacteur = db_session().get(User, redacteur_id)
    associe = db_session().get(User, associe_id)
    convention = create_convention(redacteur, ConventionKind.CUS, title, 2025)
    convention_id = convention.id
    set_membership(convention_id, Role.ASSOCIE, organisation_id=associe.organisation_id)
    # As tests/factories.py set_state: straight to negotiation, skipping the transitions.
    with write_transaction() as session:
        session.get(Convention, convention_id).state = ConventionState.NEGOCIATION
    return convention_id


def user(user_id: int) -> User:
    found = db_session().get(User, user_id)
    assert found is not None
    return found


# --- 2. through the app --------------------------------------------------------------------


def through_the_app(app, client, rng: random.Random, redacteur_id: int, associe_id: int) -> None:
    with app.app_context():
        convention_id = convention_in_negotiation(redacteur_id, associe_id, "CUS vingt pages")
        section_id = queries.sections_with_current(convention_id)[0].id
    pars = document(rng, 200)
    proposal, current = scenario(rng, pars)
    with app.app_context():
        save_revision(section_id, redacteur_id, 0, body(pars), "v1")
        viewed_id = create_contribution(section_id, user(associe_id), 1, body(proposal), "Bench").id
        save_revision(section_id, redacteur_id, 1, body(current), "v2 : la section avance")

    def one_view() -> float:
        with app.app_context():
            contribution = db_session().get(Contribution, viewed_id)
            elapsed = timed(view, contribution)
            shown = view(contribution)
            assert shown.rebased and {h.status for h in shown.hunks} == {"applicable"}
            return elapsed

    record("2a. view(), 20 pages, rebased", [one_view() for _ in range(30)])
    page = f"/contributions/{viewed_id}"
    fetch(client, page)
    record("2b. GET /contributions/<id>, 20 pages", [timed(fetch, client, page) for _ in range(30)])

    # Each accept on a fresh contribution, based on the revision before the drafter's
    # latest save, so that every accept is a real three-way merge.
    created, accepted = [], []
    number, text = 2, current
    for _ in range(20):
        proposal, current = scenario(rng, text)
        with app.app_context():
            associe = user(associe_id)
            start = time.perf_counter()
            contribution_id = create_contribution(
                section_id, associe, number, body(proposal), "Bench"
            ).id
            created.append((time.perf_counter() - start) * 1000)
            save_revision(section_id, redacteur_id, number, body(current), "la section avance")
        with app.app_context():
            drafter = user(redacteur_id)
            accepted.append(timed(accept, contribution_id, drafter))
        with app.app_context():
            revision = queries.revision(section_id, number + 2)
            assert revision is not None and revision.contribution_id == contribution_id
            text = revision.body.split("\n\n")
        number += 2
    record("2c. create_contribution, 20 pages", created)
    record("2d. accept(), 20 pages, rebased", accepted)
    with app.app_context():
        # Out of the way of part 3's inbox: only its 200 contributions await a decision.
        mark_treated(viewed_id, user(redacteur_id), "Bench : traitée.")


# --- 3. pages of a convention with many contributions ---------------------------------------


def pages(app, client, rng: random.Random, redacteur_id: int, associe_id: int) -> None:
    with app.app_context():
        convention_id = convention_in_negotiation(redacteur_id, associe_id, "CUS collaborative")
        for k in range(SECTIONS - len(queries.sections_with_current(convention_id))):
            add_section(convention_id, f"Section ajoutée {k + 1}")
        section_ids = [s.id for s in queries.sections_with_current(convention_id)]
    assert len(section_ids) == SECTIONS
    texts = {s: document(rng, 10) for s in section_ids}  # ~500 words: about a page
    weights = [1 / (k + 1) for k in range(SECTIONS)]  # a few busy sections, a long tail
    rng.shuffle(weights)
    targets = rng.choices(section_ids, weights, k=CONTRIBUTIONS)
    with app.app_context():
        for section_id, pars in texts.items():
            save_revision(section_id, redacteur_id, 0, body(pars), "v1")
        associe = user(associe_id)
        for section_id in targets:
            proposal = edit_in(rng, texts[section_id], 3, list(range(10)))
            create_contribution(section_id, associe, 1, body(proposal), "Pour préciser.")
    busiest = max(section_ids, key=targets.count)
    with app.app_context():
        open_here = of_section(busiest, only_open=True)
        assert len(open_here) == targets.count(busiest)
    print(
        f"  convention: {SECTIONS} sections of ~{len(body(texts[busiest]).split())} words, "
        f"{CONTRIBUTIONS} open contributions, {targets.count(busiest)} on the busiest section"
    )
    urls = [
        ("3a. GET /conventions/<id>", f"/conventions/{convention_id}"),
        ("3b. GET /sections/<id>, busiest", f"/sections/{busiest}"),
        ("3c. GET /inbox, 200 to decide", "/inbox"),
        ("3d. GET /contributions/<id>, 1 page", f"/contributions/{open_here[0].id}"),
    ]
    html = fetch(client, "/inbox").get_data(as_text=True)
    assert html.count("/contributions/") >= CONTRIBUTIONS, "the inbox should list all 200"
    for label, url in urls:
        fetch(client, url)
        record(label, [timed(fetch, client, url) for _ in range(30)], 200)


def run(app, rng: random.Random) -> None:
    pure_functions(rng)
    with app.app_context():
        redacteur_id, associe_id = make_users()
    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": REDACTEUR[0], "password": PASSWORD})
    through_the_app(app, client, rng, redacteur_id, associe_id)
    pages(app, client, rng, redacteur_id, associe_id)


def main() -> None:
    run_bench(run, "Cosigne collaboration benchmark")


if __name__ == "__main__":
    main()
