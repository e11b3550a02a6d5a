"""In a real browser, the organisme's drafter prepares the transmission to the préfet:
the convention's page lists what still blocks it, section by section, each item a link;
a refused step says so inside that list, focused; a reserve carried without its note is
refused beside the note, focused, and with its note it joins the points carried into the
transmitted file."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_browser import (  # noqa: F401 (server is a fixture)
    ARTIFACTS,
    CHROMIUM_ARGS,
    CUS_TITLE,
    PASSWORD,
    TIMEOUT_MS,
    chromium_or_skip,
    server,
)

DRAFTER = "redaction@oph.demo"
NOTE = "Réserve de la DDT maintenue : le calendrier des ventes sera arrêté en 2026."


@pytest.mark.browser
def test_the_drafter_sees_what_blocks_and_carries_a_reserve(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server + "/login")
        page.locator("#email").fill(DRAFTER)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()

        block = page.locator("section.readiness")
        expect(block.locator("h2")).to_have_text("Avant la transmission au préfet")
        reserve = block.locator("li.blocker-point", has_text="Réserve de DDT").first
        expect(reserve).to_be_visible()

        # The step is refused: the page comes back to the list, the refusal focused.
        page.get_by_role("button", name="Passer à « Transmise au préfet »").click()
        expect(page.locator("#transition-error")).to_be_focused()
        expect(page.locator("#transition-error")).to_contain_text("points à régler")

        # A carry without its note: refused beside the note, which has the focus.
        reserve.locator("summary").click()
        reserve.get_by_role("button", name="Reporter").click()
        reserve = block.locator("li.blocker-point", has_text="Réserve de DDT").first
        note = reserve.locator("textarea")
        expect(note).to_be_focused()
        expect(note).to_have_attribute("aria-invalid", "true")
        expect(reserve.locator(".field-error")).to_contain_text("Écrivez la note")
        page.screenshot(path=ARTIFACTS / "readiness-carry-refused.png")

        note.fill(NOTE)
        reserve.get_by_role("button", name="Reporter").click()
        carried = page.locator("ul.carried")
        expect(carried).to_contain_text(NOTE)
        expect(carried).to_contain_text("Réserve")
        expect(block.locator("li.blocker-point", has_text="Réserve de DDT")).to_have_count(0)
        carried.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "readiness-carried.png")

        # Each remaining item leads where it is resolved.
        first_contribution = block.locator("li.blocker-contribution a").first
        first_contribution.click()
        expect(page).to_have_url(re.compile(r"/contributions/\d+$"))
        browser.close()
    assert not errors
