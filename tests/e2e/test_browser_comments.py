"""In a real browser, a partner comments as in a word processor: the passage the DDT
commented is highlighted in the text and opens its discussion; selecting words offers
to comment on them; "@" offers the convention's members; the new comment's passage is
highlighted once published."""

from __future__ import annotations

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

PARTNER = "logement@departement.demo"
SECTION = "État des lieux"
SELECTED = "5 900 demandes actives"

# Select exactly the first occurrence of a phrase inside the section's rendered text.
SELECT = """(phrase) => {
  const article = document.querySelector("article.prose");
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.nodeValue.indexOf(phrase);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + phrase.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


@pytest.mark.browser
def test_comment_on_a_selection_with_a_mention(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
    # Imported once Chromium is known to be there: the test skips, saying why, otherwise.
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(server + "/login")
        page.locator("#email").fill(PARTNER)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
        page.locator("table.list").get_by_role("link", name=SECTION, exact=True).click()

        # The DDT's discussion on "vacance commerciale" (the demo's) is marked in the text
        # and opens its discussion.
        marked = page.locator("article.prose mark.commented")
        expect(marked.first).to_have_text("vacance commerciale")
        marked.first.click()
        thread = page.locator(f"#{marked.first.get_attribute('data-thread')}")
        expect(thread).to_be_focused()
        expect(thread).to_contain_text("hors vacance technique")

        # Selecting words offers to comment on them; the quote and its context are taken.
        assert page.evaluate(SELECT, SELECTED)
        button = page.get_by_role("button", name="Commenter le passage sélectionné")
        expect(button).to_be_visible()
        button.click()
        expect(button).to_be_hidden()
        expect(page.locator("#quote")).to_have_value(SELECTED)
        assert page.locator("#quote-after").input_value().startswith(", pour 1 050")
        body = page.locator("#thread-body")
        expect(body).to_be_focused()

        # "@" offers the members; the keyboard picks one.
        body.press_sequentially("Source du chiffre ? @Kar")
        options = page.get_by_role("listbox", name="Membres à mentionner")
        expect(options).to_be_visible()
        expect(options.get_by_role("option").first).to_have_text("Karim Benali")
        body.press("Enter")
        expect(body).to_have_value("Source du chiffre ? @Karim Benali ")
        page.screenshot(path=ARTIFACTS / "comment-selection.png", full_page=True)
        page.get_by_role("button", name="Publier").click()

        # Published: the new passage is highlighted, next to the DDT's.
        expect(page.locator(".flash.success")).to_contain_text("Commentaire publié")
        expect(page.locator("article.prose mark.commented", has_text=SELECTED)).to_be_visible()
        expect(page.locator("article.thread", has_text="@Karim Benali")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "comment-selection-published.png", full_page=True)
        browser.close()
    assert not errors, errors
