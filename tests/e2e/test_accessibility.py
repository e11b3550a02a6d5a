"""axe-core on the pages where text is written, compared, read and searched: the section
editor and the proposal page (the editor mounted), a contribution with its decision
table, a diff inline and side by side, a section with its discussions, and the knowledge
base's search. A serious or critical violation fails the test. The reading view of the
whole convention and its search are checked the same way, on a desktop and a phone, in
tests/e2e/test_browser_document.py.

axe-core is the engine of npm's `@axe-core/playwright`; these tests drive Chromium from
Python's Playwright, so they inject axe-core's own build (installed by `make assets` from
frontend/'s lockfile) and run `axe.run()` in the page, as that package does.

Runs on SQLite only, against gunicorn serving the demo (tests/e2e/test_editor.py's site,
with the reference texts ingested so that the searches find something). Screenshots go
to tests/artifacts/axe-*.png.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.corpus import CORPUS, ROOT
from tests.e2e.test_browser import ARTIFACTS, BIN, _run
from tests.e2e.test_editor import ASSOCIE, DRAFTER, Session, browser, section_id, site

pytestmark = pytest.mark.browser

__all__ = ["browser", "site"]  # the fixtures this module shares with test_editor

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CUS = "État des lieux"


@pytest.fixture(scope="module")
def corpus(site) -> dict:
    """The demo with the reference texts in its knowledge base, when they are there."""
    if CORPUS.is_dir():
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
        env["COSIGNE_DATA_DIR"] = str(site["db"].parent)
        env.pop("COSIGNE_ENV", None)
        _run([str(BIN / "flask"), "--app", "app", "kb", "ingest", str(CORPUS)], env)
    return site


def _contribution(site: dict) -> int:
    from tests.e2e.test_editor import query  # noqa: PLC0415 - the same SQLite helper

    rows = query(site, "SELECT id FROM contribution WHERE state = 'ouverte' ORDER BY id")
    assert rows, "the demo has open contributions"
    return rows[0][0]


STATE = "ddt@etat.demo"


def _cus(site: dict) -> int:
    from tests.e2e.test_editor import query  # noqa: PLC0415 - the same SQLite helper

    return query(site, "SELECT id FROM convention WHERE title LIKE 'CUS 2025-2030%'")[0][0]


PAGES = [
    (DRAFTER, "edit", lambda site: f"/sections/{section_id(site, CUS)}/edit"),
    (ASSOCIE, "propose", lambda site: f"/sections/{section_id(site, CUS)}/contributions/new"),
    (DRAFTER, "contribution", lambda site: f"/contributions/{_contribution(site)}"),
    (
        DRAFTER,
        "contribution-side",
        lambda site: f"/contributions/{_contribution(site)}?vue=cote-a-cote",
    ),
    (DRAFTER, "diff", lambda site: f"/sections/{section_id(site, CUS)}/diff?from=1&to=2"),
    (
        DRAFTER,
        "diff-side",
        lambda site: f"/sections/{section_id(site, CUS)}/diff?from=1&to=2&vue=cote-a-cote",
    ),
    (ASSOCIE, "section", lambda site: f"/sections/{section_id(site, CUS)}"),
    # The préfet's note on its own page with its form (the DDT's; the section above shows
    # its aside), and the associated collectivités' choice on the participants page.
    (STATE, "note-enjeux", lambda site: f"/conventions/{_cus(site)}/note-enjeux"),
    (ASSOCIE, "members-choice", lambda site: f"/conventions/{_cus(site)}/members"),
    (DRAFTER, "kb-search", lambda site: "/kb/?q=taux+de+vacance"),
]


@pytest.mark.parametrize(("email", "name", "path"), PAGES, ids=[p[1] for p in PAGES])
def test_no_serious_accessibility_violation(browser, corpus, email, name, path):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make assets` (npm ci in frontend/)")
    # axe is injected as an inline script, which the page's CSP refuses: bypassed here only.
    session = Session(browser, corpus, email, bypass_csp=True)
    url = path(corpus)
    page = session.open(url)
    assert not re.search(r"/login", page.url), f"{url} sent {email} to the login page"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """() => axe.run().then((result) => result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        })))"""
    )
    page.screenshot(path=ARTIFACTS / f"axe-{name}.png", full_page=True)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    session.close()
