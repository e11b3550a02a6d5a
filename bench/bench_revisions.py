"""Benchmark of Cosigne's revision paths: save, history, API listing and word diff.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_revisions.py
    .venv/bin/python bench/bench_revisions.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Each run builds its own world in a temporary COSIGNE_DATA_DIR (SQLite file there by
default): tables from Base.metadata.create_all, one user, one CUS. With a PostgreSQL
URL a fresh schema is created (options=-csearch_path=...) and dropped at the end, as
tests/conftest.py does. Web requests go through the Flask test client outside any app
context, so each gets its own database session as in production. CSRF is disabled for
this bench only. Times are wall-clock milliseconds (time.perf_counter).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts.operations import create_api_token, create_user
from app.conventions.operations import create_convention
from app.db import write_transaction
from app.models import Base, Revision, Section
from app.sections import queries
from app.sections.operations import save_revision
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.text.diff import word_diff

EMAIL, PASSWORD = "bench@oph.test", "motdepasse-bench"

# --- realistic French text: sentences composed from real-looking phrases -----------------

SUBJECTS = [
    "L'organisme",
    "Le bailleur social",
    "L'office public de l'habitat",
    "La collectivité",
    "L'établissement public de coopération intercommunale",
    "Le conseil d'administration",
    "La commission d'attribution des logements",
    "Le représentant de l'État",
    "L'association des locataires",
    "Le service de gestion locative",
]
PREDICATES = [
    "s'engage à poursuivre",
    "met en œuvre",
    "veille à garantir",
    "assure le suivi de",
    "présente chaque année un bilan de",
    "consacre une part de ses fonds propres à",
    "définit en concertation avec les partenaires",
    "programme sur la durée de la convention",
    "rend compte à l'autorité signataire de",
    "favorise, dans la mesure du possible,",
    "engage une démarche progressive pour",
    "maintient un niveau élevé de",
]
COMPLEMENTS = [
    "la réhabilitation thermique des résidences construites avant 1975",
    "l'accueil des ménages dont les ressources sont inférieures aux plafonds PLAI",
    "la mixité sociale au sein des quartiers prioritaires de la politique de la ville",
    "la maîtrise des charges locatives et de la quittance globale",
    "l'adaptation des logements au vieillissement et au handicap",
    "la vente de logements aux locataires occupants dans le respect des équilibres territoriaux",
    "la production de logements locatifs sociaux dans les communes déficitaires",
    "la qualité du service rendu aux locataires et le traitement des réclamations",
    "la lutte contre la vacance structurelle du parc ancien",
    "les mutations internes pour les ménages en situation de sous-occupation",
    "l'entretien courant et le gros entretien des parties communes",
    "la concertation locative prévue par le plan de concertation",
]
TAILS = [
    "",
    "",
    ", conformément au plan stratégique de patrimoine",
    ", selon les indicateurs figurant en annexe",
    ", à compter du 1er janvier 2025",
    ", dans le respect du cahier des charges de gestion sociale",
    ", en lien avec les orientations du programme local de l'habitat",
    ", sous réserve des financements de l'État",
]
REPLACEMENTS = [
    "notamment",
    "annuellement",
    "durablement",
    "prioritairement",
    "logements",
    "ménages",
    "locataires",
    "résidences",
    "objectifs",
    "engagements",
    "territoire",
]


def sentence(rng: random.Random) -> str:
    parts = (SUBJECTS, PREDICATES, COMPLEMENTS)
    return " ".join(rng.choice(p) for p in parts) + rng.choice(TAILS) + "."


def paragraph(rng: random.Random, words: int = 40) -> str:
    # Sentences run ~20 words, so a paragraph is ~50 words and 20 paragraphs ~2 pages.
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(sentence(rng))
    return " ".join(parts)


def document(rng: random.Random, paragraphs: int) -> list[str]:
    return [paragraph(rng) for _ in range(paragraphs)]


def edit_words(rng: random.Random, pars: list[str], count: int) -> list[str]:
    """A copy of ``pars`` with ``count`` words replaced at random places."""
    pars = list(pars)
    for _ in range(count):
        k = rng.randrange(len(pars))
        words = pars[k].split(" ")
        words[rng.randrange(len(words))] = rng.choice(REPLACEMENTS)
        pars[k] = " ".join(words)
    return pars


def body(pars: list[str]) -> str:
    return "\n\n".join(pars)


# --- measuring -----------------------------------------------------------------------------

RESULTS: list[tuple[str, list[float], float | None]] = []


def p95(samples: list[float]) -> float:
    return sorted(samples)[math.ceil(0.95 * len(samples)) - 1]


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


def record(label: str, samples: list[float], target_ms: float | None = None) -> None:
    RESULTS.append((label, samples, target_ms))
    print(f"  measured: {label} ({len(samples)} runs)", flush=True)


def fetch(client, url: str, status: int = 200, method: str = "GET", **kwargs):
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == status, (method, url, response.status_code)
    return response


def report() -> None:
    w = max(len(label) for label, _, _ in RESULTS)
    print(f"\n{'measure (ms)':<{w}}     n    median       p95       max    target  verdict")
    for label, samples, target in RESULTS:
        p = p95(samples)
        goal = f"<{target:.0f}" if target else "-"
        verdict = ("PASS" if p < target else "MISS") if target else "-"
        print(
            f"{label:<{w}}  {len(samples):>4}  {statistics.median(samples):>8.1f}  {p:>8.1f}"
            f"  {max(samples):>8.1f}  {goal:>8}  {verdict}"
        )
    print("targets apply to p95")


# --- the world -----------------------------------------------------------------------------


def fresh_database(base_url: str | None, tmp: Path):
    """Return (url, cleanup) of an empty database with Cosigne's tables."""
    cleanup = lambda: None  # noqa: E731
    url = f"sqlite:///{tmp / 'bench.db'}"
    if base_url is not None:
        schema = f"cosigne_bench_{secrets.token_hex(4)}"
        admin = create_engine(base_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url, cleanup


def insert_revisions(section_id: int, author_id: int, bodies: list[str]) -> None:
    """Setup only: bulk-insert revisions 1..n and point the section at the last one."""
    rows = [
        {
            "section_id": section_id,
            "number": n,
            "parent_number": n - 1 or None,
            "body": b,
            "message": f"Révision {n}",
            "author_id": author_id,
        }
        for n, b in enumerate(bodies, start=1)
    ]
    with write_transaction() as session:
        session.execute(insert(Revision), rows)
        last = session.scalar(
            select(Revision.id).where(
                Revision.section_id == section_id, Revision.number == len(bodies)
            )
        )
        session.get(Section, section_id).current_revision_id = last


def run(app, rng: random.Random) -> None:
    with app.app_context():
        user = create_user(EMAIL, "Bench", PASSWORD, "OPH Bench", OrganisationKind.OPH)
        cus = create_convention(user, ConventionKind.CUS, "CUS bench", 2025)
        user_id, cus_id = user.id, cus.id  # read now: write_transaction expires objects
        s_save, s_web, s_hist, s_diff = [s.id for s in queries.sections_with_current(cus_id)][:4]
        token = create_api_token(EMAIL)
    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": EMAIL, "password": PASSWORD})

    # 1. The real save_revision, one app context (hence one session) per save.
    pars, samples = document(rng, 20), []
    for number in range(300):
        pars = edit_words(rng, pars, 3)
        with app.app_context():
            samples.append(timed(save_revision, s_save, user_id, number, body(pars), "bench"))
    print(f"  section body: {len(body(pars).split())} words, {len(body(pars).encode())} bytes")
    record("1. save_revision, 2 pages", samples, 30)

    # 2. The same save through the web route.
    pars, samples = document(rng, 20), []
    for number in range(100):
        pars = edit_words(rng, pars, 3)
        data = {"base_revision": str(number), "body": body(pars), "message": "bench web"}
        samples.append(timed(fetch, client, f"/sections/{s_web}/edit", 302, "POST", data=data))
    record("2. POST /sections/<id>/edit", samples)

    # 3. A section with 1,000 revisions of 2 pages each.
    pars, bodies = document(rng, 20), []
    for _ in range(1000):
        pars = edit_words(rng, pars, 3)
        bodies.append(body(pars))
    with app.app_context():
        insert_revisions(s_hist, user_id, bodies)
    history = f"/sections/{s_hist}/history"
    fetch(client, history)
    record("3. GET history, 1,000 revs", [timed(fetch, client, history) for _ in range(30)], 150)
    # The API pages its listing (at most 1,000 a page): ask for all of it at once.
    api = f"/api/sections/{s_hist}/revisions?limit=1000"
    auth = {"Authorization": f"Bearer {token}"}
    assert len(fetch(client, api, headers=auth).get_json()["revisions"]) == 1000
    record(
        "3b. GET /api/.../revisions?limit=1000",
        [timed(fetch, client, api, headers=auth) for _ in range(30)],
    )
    # Not asked for, but telling: the diff page of a long-lived section (see 4b).
    last_diff = f"/sections/{s_hist}/diff?from=999&to=1000"
    record("3c. GET diff 999->1000, 2 pages", [timed(fetch, client, last_diff) for _ in range(20)])

    # 4. Word diff of two 20-page revisions: 50 word edits, 3 paragraphs in, 2 out.
    old = document(rng, 200)
    new = edit_words(rng, old, 50)
    for _ in range(3):
        new.insert(rng.randrange(len(new)), paragraph(rng))
    for _ in range(2):
        del new[rng.randrange(len(new))]
    old_text, new_text = body(old), body(new)
    changed = sum(d.op != "equal" for d in word_diff(old_text, new_text))
    print(
        f"  diff texts: {len(old_text.split())} -> {len(new_text.split())} words, "
        f"{len(old)} -> {len(new)} paragraphs, {changed} non-equal in the diff"
    )
    record("4. word_diff, 20 pages", [timed(word_diff, old_text, new_text) for _ in range(30)], 100)
    with app.app_context():
        save_revision(s_diff, user_id, 0, old_text, "v1")
        save_revision(s_diff, user_id, 1, new_text, "v2")
    page = f"/sections/{s_diff}/diff?from=1&to=2"
    fetch(client, page)
    record("4b. GET diff 1->2, 20 pages", [timed(fetch, client, page) for _ in range(20)])


def run_bench(run_fn, description: str) -> None:
    """Parse --database-url, build a fresh app and database, run ``run_fn(app, rng)``,
    clean up and print the table. Shared by the bench scripts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", help="PostgreSQL URL (a fresh schema is used)")
    database_url = parser.parse_args().database_url
    with tempfile.TemporaryDirectory(prefix="cosigne-bench-") as tmp:
        os.environ["COSIGNE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.pop("COSIGNE_ENV", None)
        url, cleanup = fresh_database(database_url, Path(tmp))
        try:
            app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "DATABASE_URL": url})
            engine = app.extensions["cosigne_engine"]
            with engine.connect() as conn:
                version = ".".join(map(str, conn.dialect.server_version_info or ()))
            print(
                f"python {platform.python_version()} | cpus {os.cpu_count()} | "
                f"{platform.machine()} {platform.system()} | backend {engine.dialect.name} "
                f"{version}",
                flush=True,
            )
            try:
                run_fn(app, random.Random(20250101))
            finally:
                engine.dispose()
        finally:
            cleanup()
    report()


def main() -> None:
    run_bench(run, "Cosigne revision benchmark")


if __name__ == "__main__":
    main()
