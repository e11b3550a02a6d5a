"""In a real browser, a CUS from its opening decision: the drafter creates it, brings in
its parties, records the board's decision and the day it was sent to each, a working
meeting with its documents sent a month before, and the concertation with the tenants'
representatives; the readiness block's register items go away one after the other, the
adoption of the projet (which ends the association) staying last. The EPCI, told of the
opening in its inbox, reads the terms. (The walk from the negotiation to the signed
convention and its evaluation is tests/e2e/test_browser_signature_walk.py, on the demo
CUS whose register this one rebuilds.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.test_browser import (  # noqa: F401 (server is a fixture)
    ARTIFACTS,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    chromium_or_skip,
    server,
)

DRAFTER = "redaction@oph.demo"
EPCI = "habitat@epci.demo"
TITLE = "CUS 2026-2031 — ouverture de l'élaboration"
PARTIES = (
    ("Communauté d'agglomération du Val de Loire (démo)", "Signataire"),
    ("DDT du Val de Loire (démo)", "Signataire"),
    ("Département du Val de Loire (démo)", "Associé"),
)


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


@pytest.mark.browser
def test_a_cus_opened_then_associated_as_its_register_proves(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

        def open_as(email: str):
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server + "/login")
            page.locator("#email").fill(email)
            page.locator("#password").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            return page

        drafter = open_as(DRAFTER)
        # 1. The convention, with the standard sections of a CUS.
        drafter.goto(server + "/conventions/new")
        drafter.locator("#kind").select_option(label="Convention d'utilité sociale (CUS)")
        drafter.locator("#title").fill(TITLE)
        drafter.locator("#start_year").fill("2026")
        drafter.get_by_role("button", name="Créer avec les sections types").click()
        expect(drafter.get_by_role("heading", level=1)).to_have_text(TITLE)
        convention_url = drafter.url.split("#")[0]

        # 2. Its parties: the signatories and an associated collectivité.
        for organisation, role in PARTIES:
            drafter.goto(convention_url + "/members")
            drafter.locator("#organisation_id").select_option(label=organisation)
            drafter.locator("#role").select_option(label=role)
            drafter.get_by_role("button", name="Enregistrer").click()
            expect(drafter.locator("#members-table")).to_contain_text(organisation)

        drafter.goto(convention_url)
        block = drafter.locator("section.readiness")
        expect(block.locator("li.blocker-association")).not_to_have_count(0)
        expect(block).to_contain_text("n'est pas enregistrée")

        # 3. The board's decision, sent to the préfet and to each party.
        register = convention_url + "/association"
        drafter.goto(register)
        drafter.get_by_label("Conseil d'administration").first.check()
        drafter.locator("#decision-date").fill(_days_ago(90))
        drafter.locator("#decision-meetings").fill("1")
        sent = drafter.locator("input[name^=notified_]")
        for index in range(sent.count()):
            sent.nth(index).fill(_days_ago(85))
        drafter.get_by_role("button", name="Enregistrer la décision").click()
        expect(drafter.locator(".flash.success")).to_be_visible()

        # 4. A working meeting held with everyone, its documents sent a month before.
        drafter.get_by_text("Enregistrer une réunion").click()
        drafter.locator("#meeting-title").fill("État des lieux et orientations")
        drafter.locator("#meeting-date").fill(_days_ago(20))
        drafter.locator("#meeting-place").fill("Siège de l'office, Blois")
        drafter.get_by_role("button", name="Enregistrer la réunion").click()
        meeting = drafter.locator("article.meeting", has_text="État des lieux et orientations")
        meeting.get_by_text("Ajouter un document envoyé ou le compte rendu").click()
        meeting.locator("input[name=title]").fill("Diagnostic du patrimoine")
        meeting.locator("input[name=sent_on]").fill(_days_ago(60))
        meeting.get_by_role("button", name="Ajouter").click()
        meeting = drafter.locator("article.meeting", has_text="État des lieux et orientations")
        expect(meeting).to_contain_text("Diagnostic du patrimoine")

        # 5. The concertation with the tenants' representatives.
        drafter.get_by_text("Inscrire une concertation ou la formalité impossible").click()
        drafter.locator("#c-date").fill(_days_ago(10))
        drafter.locator("#c-association_cnc").fill("Amicale des locataires de la Source — CNL")
        drafter.get_by_role("button", name="Inscrire au registre").click()
        expect(drafter.locator("ul.concertations")).to_contain_text("Amicale des locataires")
        drafter.screenshot(path=ARTIFACTS / "walk-association-register.png", full_page=True)

        # What the register proves no longer blocks; the adoption of the projet remains.
        drafter.goto(convention_url)
        block = drafter.locator("section.readiness")
        expect(block.locator("li.blocker-association")).to_have_count(0)
        expect(block.locator("li.blocker-adoption")).to_have_count(1)
        expect(block.locator("li.blocker-adoption a")).to_have_attribute(
            "href", f"{register.removeprefix(server)}#adoption"
        )

        # The EPCI was told of the opening and of the terms.
        epci = open_as(EPCI)
        epci.goto(server + "/inbox")
        told = epci.locator("main li, main article, main tr", has_text="engage l'élaboration").first
        expect(told).to_contain_text("au moins")
        browser.close()
    assert not errors
