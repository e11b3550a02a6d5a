"""Benchmark of the section editor: a 20-page section opened for editing.

Run by hand (not part of the test suite), from the project root, after `make assets`:

    .venv/bin/python bench/bench_editor.py
    .venv/bin/python bench/bench_editor.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py, whose text generator, fresh database and
report this bench reuses (a temporary COSIGNE_DATA_DIR, a fresh PostgreSQL schema with
--database-url, CSRF off for the bench only, wall-clock milliseconds, median and p95).

The section: about 20 pages (ten parts, each a heading, eighteen paragraphs, a bulleted
list with a nested level and a table of six rows), some 10,000 words.

1. Server: GET /sections/<id>/edit through the test client (the page with the editor's
   document built from the Markdown), and the same for a partner's proposal page.
2. Browser (Debian's Chromium through Playwright, against this process's own server):
   time to interactive, from the start of navigation to the editor mounted and editable
   (`window.cosigneEditor` set, its surface contenteditable), cache warm as for a drafter
   who opens a second section (target: < 1 s); and the same with the cache cold.
3. Browser: a letter inserted in the middle of the section (the editor's transaction, its
   update listeners, the draft's change tracking) to the next frame, as a sense of whether
   typing keeps up on such a section.
"""

from __future__ import annotations

import logging
import random
import shutil
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_revisions import body, document, fetch, record, run_bench, timed
from werkzeug.serving import make_server

from app.accounts.operations import create_user
from app.conventions.operations import create_convention, set_membership
from app.db import write_transaction
from app.models import Convention
from app.sections import queries
from app.sections.operations import save_revision
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "app" / "static" / "dist" / "editor.js"
PASSWORD = "motdepasse-bench"
REDACTEUR = ("redac@oph.test", "Rédactrice Bench", "OPH Bench", OrganisationKind.OPH)
ASSOCIE = ("dep@dep.test", "Chargée de mission", "Département Bench", OrganisationKind.DEPARTEMENT)
PARTS = 10
RUNS = 30
BROWSER_RUNS = 20
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
READY = (
    "() => window.cosigneEditor && document.querySelector('.rich-surface [contenteditable=true]')"
)


def twenty_pages(rng: random.Random) -> str:
    blocks: list[str] = []
    for n in range(1, PARTS + 1):
        pars = document(rng, 18)
        items = "\n".join(
            f"- {' '.join(rng.choice(pars).split()[:10])} ;"
            + (f"\n  - {' '.join(rng.choice(pars).split()[:6])}" if k == 2 else "")
            for k in range(5)
        )
        rows = "\n".join(
            f"| {commune} | {rng.randrange(200, 5000)} | {rng.randrange(0, 40)} % |"
            for commune in ("Orléans", "Blois", "Montargis", "Vendôme", "Gien", "Pithiviers")
        )
        table = f"| Commune | Logements | Part réhabilitée |\n|---|---|---|\n{rows}"
        blocks += [f"## Partie {n}", *pars[:9], items, *pars[9:], table]
    return body(blocks)


def build(rng: random.Random) -> int:
    drafter = create_user(*REDACTEUR[:2], PASSWORD, *REDACTEUR[2:])
    associe = create_user(*ASSOCIE[:2], PASSWORD, *ASSOCIE[2:])
    convention_id = create_convention(drafter, ConventionKind.CUS, "CUS à écrire", 2025).id
    set_membership(convention_id, Role.ASSOCIE, organisation_id=associe.organisation_id)
    with write_transaction() as session:
        session.get(Convention, convention_id).state = ConventionState.NEGOCIATION
    section_id = queries.sections_with_current(convention_id)[0].id
    save_revision(section_id, drafter.id, 0, twenty_pages(rng), "v1")
    return section_id


def browser(base: str, section_id: int) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("  Playwright is not installed: the browser is not measured", flush=True)
        return
    executable = shutil.which("chromium")
    if executable is None or not BUNDLE.exists():
        print("  no Chromium or no editor bundle (make browser assets): not measured")
        return
    url = f"{base}/sections/{section_id}/edit"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#email", REDACTEUR[0])
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)

        def interactive() -> float:
            page.goto(url, wait_until="commit")
            page.wait_for_function(READY)
            return float(page.evaluate("performance.now()"))

        interactive()  # the bundle in the cache
        record(
            "2a. editor interactive, cache warm (browser)",
            [interactive() for _ in range(BROWSER_RUNS)],
            1000,
        )

        cold_samples = []
        for _ in range(5):
            fresh = chromium.new_context(viewport={"width": 1280, "height": 900})
            fresh.add_cookies(context.cookies())
            tab = fresh.new_page()
            tab.goto(url, wait_until="commit")
            tab.wait_for_function(READY)
            cold_samples.append(float(tab.evaluate("performance.now()")))
            fresh.close()
        record("2b. editor interactive, cache cold (browser)", cold_samples, 1000)

        page.goto(url)
        page.wait_for_function(READY)
        words = page.locator(".rich-surface p").nth(60)
        words.click()
        samples = []
        for letter in "logement" * 3:
            samples.append(
                float(
                    page.evaluate(
                        """(letter) => new Promise((done) => {
                            const start = performance.now();
                            window.cosigneEditor.commands.insertContent(letter);
                            requestAnimationFrame(() => done(performance.now() - start));
                        })""",
                        letter,
                    )
                )
            )
        record("3. a letter inserted to the next frame (browser)", samples)
        chromium.close()


def run(app, rng: random.Random) -> None:
    with app.app_context():
        section_id = build(rng)
        words = len(queries.sections_with_current(1)[0].current_revision.body.split())
    print(f"  section: {words} words", flush=True)
    client = app.test_client()
    fetch(client, "/login", 302, "POST", data={"email": REDACTEUR[0], "password": PASSWORD})
    edit = f"/sections/{section_id}/edit"
    page = fetch(client, edit).get_data(as_text=True)
    assert 'id="editor-document"' in page, "the page carries the editor's document"
    print(f"  edit page: {len(page.encode()) // 1024} KB", flush=True)
    record(
        "1a. GET /sections/<id>/edit, 20 pages",
        [timed(fetch, client, edit) for _ in range(RUNS)],
        200,
    )
    partner = app.test_client()
    fetch(partner, "/login", 302, "POST", data={"email": ASSOCIE[0], "password": PASSWORD})
    propose = f"/sections/{section_id}/contributions/new"
    fetch(partner, propose)
    record(
        "1b. GET .../contributions/new, 20 pages",
        [timed(fetch, partner, propose) for _ in range(RUNS)],
        200,
    )

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser(f"http://127.0.0.1:{server.server_port}", section_id)
    finally:
        server.shutdown()


def main() -> None:
    run_bench(run, "Cosigne section editor benchmark")


if __name__ == "__main__":
    main()
