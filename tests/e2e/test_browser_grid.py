"""End to end, in a real Chromium: the drafter of the demo CUS fills a grid of one
indicator (years × scopes), meets a refused cell with everything typed still there and
nothing saved, corrects it, and saves the whole grid at once.

Runs on SQLite only, with the server and Chromium helpers of tests/e2e/test_browser.py.
Screenshots go to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser import (  # noqa: F401 (server is a fixture)
    ARTIFACTS,
    CHROMIUM_ARGS,
    CUS_TITLE,
    EMAIL,
    PASSWORD,
    TIMEOUT_MS,
    chromium_or_skip,
    server,
)


def _name(year: int, variable: str) -> str:
    return f'input[name="v|G.III|{year}|0|cible|{variable}"]'


@pytest.mark.browser
def test_fill_a_grid_meet_a_refusal_and_save(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
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
            page.goto(server + "/login")
            page.locator("#email").fill(EMAIL)
            page.locator("#password").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
            convention = re.search(r"/conventions/(\d+)", page.url)
            assert convention
            page.goto(f"{server}/conventions/{convention.group(1)}/indicateurs")
            page.get_by_role("navigation", name="Saisir plusieurs valeurs à la fois").get_by_role(
                "link", name="G.III", exact=True
            ).click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("G.III")

            years = [
                int(y)
                for y in page.locator("table.grille-table tbody th[scope=row]").all_inner_texts()
            ]
            first, second = years[0], years[1]
            page.locator(_name(first, "V1")).fill("30")
            page.locator(_name(first, "V2")).fill("200")
            page.locator(_name(second, "V1")).fill("12")
            page.locator(_name(second, "V2")).fill("0")  # the calculator refuses it
            page.get_by_role("button", name="Enregistrer la grille").click()

            expect(page.locator("#grille-erreur")).to_contain_text("Rien n'a été enregistré")
            refused = page.locator("fieldset.refusee")
            expect(refused).to_have_count(1)
            expect(refused.locator(".field-error")).to_be_visible()
            # Everything typed is still there, the refused figure included.
            expect(page.locator(_name(first, "V1"))).to_have_value("30")
            expect(page.locator(_name(second, "V2"))).to_have_value("0")
            page.screenshot(path=ARTIFACTS / "grid-refused.png", full_page=False)

            page.locator(_name(second, "V2")).fill("100")
            page.get_by_role("button", name="Enregistrer la grille").click()
            expect(page.locator(".flash.success")).to_contain_text("Grille enregistrée")
            expect(page.locator(_name(second, "V1"))).to_have_value("12")
            expect(
                page.locator("fieldset.case", has=page.locator(_name(first, "V1")))
            ).to_contain_text("15,0 %")
            page.screenshot(path=ARTIFACTS / "grid-saved.png", full_page=False)
        finally:
            browser.close()
    # The refused Save answers 400 (the grid with its errors), which Chromium logs.
    assert [e for e in errors if "status of 400" not in e] == [], errors
