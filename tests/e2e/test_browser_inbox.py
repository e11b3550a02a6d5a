"""In a real browser, the EPCI's chargé de mission is told: the Département mentions him
in a discussion; on his next page the navigation counts what he has not read; the inbox
lists it first, unread; following it lands on the discussion and the counter goes down;
the e-mail preferences page offers each kind its rhythm."""

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

PARTNER = "logement@departement.demo"
SIGNATORY = "habitat@epci.demo"
SECTION = "État des lieux"


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.browser
def test_the_unread_counter_and_the_inbox(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        partner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        signatory = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for page in (partner, signatory):
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        _log_in(signatory, server, SIGNATORY)
        counter = signatory.locator("header .inbox-link .counter")
        before = int(counter.get_attribute("data-unread") or 0) if counter.count() else 0

        # The Département asks the EPCI a question, naming him.
        _log_in(partner, server, PARTNER)
        partner.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
        partner.locator("table.list").get_by_role("link", name=SECTION, exact=True).click()
        partner.locator("#thread-body").fill(
            "@Karim Benali, l'EPCI confirme-t-il le nombre de demandes actives ?"
        )
        partner.get_by_role("button", name="Publier").click()
        expect(partner.locator(".flash.success")).to_contain_text("Commentaire publié")

        # His next page counts it, on every page.
        signatory.reload()
        expect(counter).to_have_attribute("data-unread", str(before + 1))
        expect(counter).to_contain_text(f"{before + 1} non lue")
        signatory.screenshot(path=ARTIFACTS / "inbox-counter.png")

        # The inbox lists it first, unread, with its kind and convention.
        signatory.locator("header").get_by_role(
            "link", name=re.compile("Boîte de réception")
        ).click()
        first = signatory.locator("ul.notifications li").first
        expect(first).to_have_class(re.compile("unread"))
        expect(first).to_contain_text("Sophie Lefèvre vous a mentionné")
        expect(first).to_contain_text("Mention (@)")
        expect(first).to_contain_text(CUS_TITLE)
        signatory.screenshot(path=ARTIFACTS / "inbox.png", full_page=True)

        # Filtering on mentions keeps it alone with its kind.
        signatory.locator("#f-type").select_option(label="Mention (@)")
        signatory.get_by_role("button", name="Filtrer").click()
        expect(signatory.locator("ul.notifications li")).to_have_count(1)

        # Following it lands on the discussion, and it is read.
        signatory.locator("ul.notifications li").first.get_by_role(
            "link", name=re.compile("vous a mentionné")
        ).click()
        expect(signatory).to_have_url(re.compile(r"/sections/\d+#fil-\d+$"))
        thread_id = signatory.url.rsplit("#", 1)[1]
        expect(signatory.locator(f"#{thread_id}")).to_contain_text("demandes actives")
        if before:
            expect(counter).to_have_attribute("data-unread", str(before))
        else:
            expect(counter).to_have_count(0)
        signatory.screenshot(path=ARTIFACTS / "inbox-followed.png")

        # The preferences: a rhythm per kind, saved.
        signatory.goto(server + "/notifications/preferences")
        signatory.get_by_role(
            "radio", name="Changement d'étape de la convention : Résumé hebdomadaire"
        ).check()
        signatory.get_by_role("button", name="Enregistrer mes choix").click()
        expect(signatory.locator(".flash.success")).to_contain_text("préférences sont enregistrées")
        expect(
            signatory.get_by_role(
                "radio", name="Changement d'étape de la convention : Résumé hebdomadaire"
            )
        ).to_be_checked()
        signatory.screenshot(path=ARTIFACTS / "notification-preferences.png", full_page=True)
        browser.close()
    assert not errors, errors
