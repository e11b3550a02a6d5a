"""End to end, in a real Chromium: the demo CUS read whole, searched, printed to PDF, and
checked for accessibility with axe-core.

An observer opens the reading view from the convention's page, searches "vacance" in
the text and the discussions, follows a hit, then prints the page with Chromium
(``page.pdf()``, print media): every section title must be in that PDF. axe-core checks
the reading view and the search results for serious or critical violations; it comes
from ``frontend/node_modules/axe-core/axe.min.js`` (or the file named by
``AXE_CORE_JS``), and that test is skipped, saying why, when it is absent.

Runs on SQLite only, with the server and Chromium helpers of tests/e2e/test_browser.py.
Screenshots go to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from tests.corpus import ROOT
from tests.e2e.test_browser import (  # noqa: F401 (server is a fixture)
    ARTIFACTS,
    CHROMIUM_ARGS,
    CUS_TITLE,
    PASSWORD,
    TIMEOUT_MS,
    chromium_or_skip,
    server,
)

if TYPE_CHECKING:
    from playwright.sync_api import Expect, Page

OBSERVER = "lecture@observatoire.demo"
# The demo CUS's sections, in order (app/demo.py, workflows/conventions.py).
SECTIONS = [
    "État des lieux",
    "Classement des immeubles",
    "Politique patrimoniale et d'investissement, plan de mise en vente",
    "Cahier des charges de gestion sociale",
    "Qualité du service rendu aux locataires",
    "Engagements, objectifs et indicateurs",
    "Objectifs facultatifs",
    "Association des collectivités et concertation",
]
AXE = Path(os.environ.get("AXE_CORE_JS") or ROOT / "frontend/node_modules/axe-core/axe.min.js")


def _open_reading_view(page: Page, base: str, expect: Expect) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(OBSERVER)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes conventions")).to_be_visible()
    page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
    page.get_by_role("navigation", name="Pages de la convention").get_by_role(
        "link", name="Lire en entier, imprimer, rechercher"
    ).click()
    expect(page.get_by_role("heading", level=1, name=CUS_TITLE)).to_be_visible()


def _search(page: Page, expect: Expect) -> None:
    search = page.get_by_role("search", name="Rechercher dans la convention")
    search.get_by_label("Rechercher dans le texte de la convention").fill("vacance")
    search.get_by_label("Chercher aussi dans les discussions").check()
    search.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="Résultats de la recherche")).to_be_visible()


@pytest.mark.browser
def test_read_search_and_print_the_whole_convention(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
    # Imported once Chromium is known to be there: the test skips, saying why, otherwise.
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            _open_reading_view(page, server, expect)
            headings = page.locator("section.doc-section > h2").all_inner_texts()
            assert headings[: len(SECTIONS)] == [f"{n}. {t}" for n, t in enumerate(SECTIONS, 1)]
            assert page.locator(".doc-section .prose h3", has_text="Patrimoine").count() == 1
            page.screenshot(path=ARTIFACTS / "document.png", full_page=True)

            _search(page, expect)
            status = page.get_by_role("status").filter(has_text="occurrence")
            expect(status).to_contain_text("« vacance »")
            expect(status).to_contain_text("1 discussion")
            marks = page.locator("section.doc-section mark")
            assert marks.count() >= 1
            assert {m.lower() for m in marks.all_inner_texts()} == {"vacance"}
            results = page.locator("#resultats")
            expect(results.get_by_role("link", name="1. État des lieux")).to_be_visible()
            expect(results.locator("mark").first).to_have_text(re.compile("vacance", re.I))
            page.screenshot(path=ARTIFACTS / "document-search.png")
            # Following a hit brings its mark into view.
            results.get_by_role("link", name="1. État des lieux").click()
            assert page.url.endswith("#hit-1")
            expect(page.locator("#hit-1")).to_be_in_viewport()
            page.screenshot(path=ARTIFACTS / "document-hit.png")

            # Printed by Chromium with the print stylesheet: the text, every section.
            page.goto(page.url.split("?")[0])  # the reading view without the search
            page.emulate_media(media="print")
            page.screenshot(path=ARTIFACTS / "document-print.png", full_page=True)
            assert page.locator("header.top").is_hidden()
            assert page.locator("form.document-search").is_hidden()
            pdf = page.pdf(format="A4", print_background=False)
            (ARTIFACTS / "document-print.pdf").write_bytes(pdf)
            reader = PdfReader(io.BytesIO(pdf))
            text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
            for title in SECTIONS:
                assert title in text, title
            assert "Se déconnecter" not in text and "Rechercher" not in text
            # The title page and the table of contents stand on pages of their own.
            assert reader.pages[0].extract_text().strip().startswith("CONVENTION D'UTILITÉ")
            assert reader.pages[1].extract_text().strip().startswith("Sommaire")
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.browser
def test_the_reading_view_and_its_search_have_no_serious_accessibility_issue(
    server: str,  # noqa: F811
) -> None:
    executable = chromium_or_skip()
    if not AXE.is_file():
        pytest.skip(
            f"axe-core not found at {AXE}: install the frontend's packages "
            "(npm install in frontend/) or name axe.min.js in AXE_CORE_JS"
        )
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            for width, height, name in ((1280, 900, "bureau"), (390, 844, "téléphone")):
                # axe is injected as an inline script, which the page's CSP forbids.
                context = browser.new_context(
                    viewport={"width": width, "height": height}, bypass_csp=True
                )
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                _open_reading_view(page, server, expect)
                for label in ("lecture", "recherche"):
                    if label == "recherche":
                        _search(page, expect)
                    page.add_script_tag(path=str(AXE))
                    result = page.evaluate("axe.run()")
                    for violation in result["violations"]:
                        if violation["impact"] in ("serious", "critical"):
                            targets = [n["target"] for n in violation["nodes"]][:5]
                            found.append(
                                f"[{name}, {label}] {violation['id']} ({violation['impact']}): "
                                f"{violation['help']} — {targets}"
                            )
                if name == "téléphone":
                    page.screenshot(path=ARTIFACTS / "document-phone.png")
                context.close()
        finally:
            browser.close()
    assert not found, "\n".join(found)
