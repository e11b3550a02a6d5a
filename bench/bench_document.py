"""Benchmark of the reading view: a whole convention on one page, searched, and as PDF.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_document.py
    .venv/bin/python bench/bench_document.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py, whose text generator, fresh database and
report this bench reuses (a temporary COSIGNE_DATA_DIR, a fresh PostgreSQL schema with
--database-url, the Flask test client, CSRF off for the bench only, wall-clock
milliseconds, median and p95).

The convention: a CUS in transmission with 30 sections of about a page each (a heading,
eight paragraphs, a bulleted list, a table of four rows), ten of them agreed with
reserves or refused by one of its two signatories, a discussion on every section, six
indicators with targets for six years in two scopes each, and both signatures recorded.

1. GET /conventions/<id>/document, the reading view (target: p95 < 200 ms).
2. The same with a search (?q=logement): every hit marked in the rendered text.
3. The same searching the discussions too (&discussions=1).
4. When LibreOffice is installed: GET .../document.pdf, converted (the cache emptied
   before each of 3 runs), then served from the cache (30 runs).
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_revisions import body, document, fetch, record, run_bench, timed

from app.accounts.operations import create_user
from app.contributions.operations import open_thread
from app.conventions import pdf
from app.conventions.operations import create_convention, set_membership
from app.db import db_session, write_transaction
from app.lifecycle.operations import sign
from app.models import Convention, User
from app.review.operations import ask_for_review, record_position
from app.sections import queries
from app.sections.operations import add_section, save_revision
from app.targets.operations import save_value
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

PASSWORD = "motdepasse-bench"
REDACTEUR = ("redac@oph.test", "Rédactrice Bench", "OPH Bench", OrganisationKind.OPH)
EPCI = ("epci@epci.test", "Signataire EPCI", "EPCI Bench", OrganisationKind.EPCI)
DDT = ("ddt@etat.test", "Signataire DDT", "DDT Bench", OrganisationKind.DDT)
SECTIONS = 30
INDICATORS = ("C.III", "E.I", "F.I", "F.VI", "G.I", "H.VI")
SCOPES = ("Loiret", "Loir-et-Cher")
RUNS = 30


def section_text(rng: random.Random, n: int) -> str:
    """About a page: a heading, eight paragraphs, a list and a table."""
    pars = document(rng, 8)
    items = "\n".join(f"- {' '.join(rng.choice(pars).split()[:9])} ;" for _ in range(5))
    rows = "\n".join(
        f"| {commune} | {rng.randrange(200, 5000)} logements | {rng.randrange(0, 40)} % |"
        for commune in ("Orléans", "Blois", "Montargis", "Vendôme")
    )
    table = f"| Commune | Parc | Part réhabilitée |\n|---|---|---|\n{rows}"
    return body(
        [
            f"## Partie {n}",
            *pars[:4],
            items,
            *pars[4:],
            table,
            f"**Engagement {n}** : suivi annuel.",
        ]
    )


def user(user_id: int) -> User:
    found = db_session().get(User, user_id)
    assert found is not None
    return found


def build(rng: random.Random) -> tuple[int, int]:
    """The convention described above; returns (convention id, drafter id)."""
    drafter = create_user(*REDACTEUR[:2], PASSWORD, *REDACTEUR[2:])
    epci = create_user(*EPCI[:2], PASSWORD, *EPCI[2:])
    ddt = create_user(*DDT[:2], PASSWORD, *DDT[2:])
    convention_id = create_convention(drafter, ConventionKind.CUS, "CUS à lire", 2025).id
    for signer in (epci, ddt):
        set_membership(convention_id, Role.SIGNATAIRE, organisation_id=signer.organisation_id)
    with write_transaction() as session:
        session.get(Convention, convention_id).state = ConventionState.NEGOCIATION
    for k in range(SECTIONS - len(queries.sections_with_current(convention_id))):
        add_section(convention_id, f"Section ajoutée {k + 1}")
    section_ids = [s.id for s in queries.sections_with_current(convention_id)]
    for n, section_id in enumerate(section_ids, start=1):
        save_revision(section_id, drafter.id, 0, section_text(rng, n), "v1")
        open_thread(
            section_id,
            user(epci.id),
            f"Les logements de la partie {n} sont-ils comptés hors vacance technique ?",
        )
    for k, section_id in enumerate(section_ids[:10]):
        ask_for_review(section_id, user(drafter.id))
        if k % 2:
            record_position(section_id, user(ddt.id), "desaccord", "Le calendrier manque.")
        else:
            record_position(
                section_id, user(epci.id), "accord_avec_reserves", "Sous réserve du PLH."
            )
    for code in INDICATORS:
        for scope in SCOPES:
            for year in range(2025, 2031):
                variables = {"V1": rng.randrange(10, 90), "V2": rng.randrange(100, 900)}
                save_value(convention_id, user(drafter.id), code, scope, year, "cible", variables)
    with write_transaction() as session:
        session.get(Convention, convention_id).state = ConventionState.TRANSMISE
    for signer in (epci, ddt):
        sign(convention_id, user(signer.id), None, date.today())
    return convention_id, drafter.id


def run(app, rng: random.Random) -> None:
    with app.app_context():
        convention_id, _drafter = build(rng)
        words = sum(
            len(s.current_revision.body.split())
            for s in queries.sections_with_current(convention_id)
            if s.current_revision
        )
    print(f"  convention: {SECTIONS} sections, {words} words in all", flush=True)
    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": REDACTEUR[0], "password": PASSWORD})
    base = f"/conventions/{convention_id}/document"
    page = fetch(client, base).get_data(as_text=True)
    assert page.count('class="doc-section') == SECTIONS + 2, "every section and two annexes"
    assert page.count("Sous réserve du PLH.") == 5 and "signée le" in page
    searched = fetch(client, base + "?q=logement").get_data(as_text=True)
    print(f"  search 'logement': {searched.count('<mark ')} marks", flush=True)
    for label, url in (
        ("1. GET /conventions/<id>/document, 30 sections", base),
        ("2. the same, ?q=logement", base + "?q=logement"),
        ("3. the same, with the discussions", base + "?q=logement&discussions=1"),
    ):
        fetch(client, url)
        record(label, [timed(fetch, client, url) for _ in range(RUNS)], 200)

    with app.app_context():
        has_soffice = pdf.command() is not None
    if not has_soffice:
        print("  LibreOffice (soffice) is not installed: the PDF is not measured", flush=True)
        return
    cache = Path(app.config["DATA_DIR"]) / pdf.CACHE_FOLDER

    def converted() -> float:
        shutil.rmtree(cache, ignore_errors=True)
        return timed(fetch, client, base + ".pdf")

    record("4a. GET .../document.pdf, converted", [converted() for _ in range(3)])
    record(
        "4b. GET .../document.pdf, from the cache",
        [timed(fetch, client, base + ".pdf") for _ in range(RUNS)],
    )


def main() -> None:
    run_bench(run, "Cosigne reading view benchmark")


if __name__ == "__main__":
    main()
