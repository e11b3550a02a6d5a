"""End to end, in a real Chromium against gunicorn: co-drafting as the partners live it.

An associated collectivité proposes two changes to a section of the demo CUS; the
organisme's drafter accepts one and refuses the other from their inbox; the section then
names the associé among its co-authors and the associé's inbox carries the decision. A
signatory (the DDT) records an agreement with reserves, which the negotiation's register
lists; the drafter finally looks at the convention, the printable association register
and the journal.

Runs on SQLite only, like tests/e2e/test_browser.py whose server fixture and Chromium
helpers it reuses. Screenshots go to tests/artifacts/ for a human to look at.
"""

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
    normalise,
    server,
)

DRAFTER = "redaction@oph.demo"
ASSOCIE = "logement@departement.demo"
ASSOCIE_NAME = "Sophie Lefèvre"
ASSOCIE_ORG = "Département du Val de Loire (démo)"
DDT = "ddt@etat.demo"
DDT_ORG = "DDT du Val de Loire (démo)"

# A section of the demo with two revisions and several paragraphs.
SECTION = "État des lieux"
KEPT_OLD = "concentré sur deux résidences des années 1970."
KEPT_NEW = "concentré sur deux résidences des années 1970, dont une sans ascenseur."
REFUSED_OLD = "pour 1 050 attributions par an."
REFUSED_NEW = "pour 1 050 attributions par an, dont 140 à des ménages de plus de 75 ans."
RATIONALE = (
    "Le Département souhaite que l'état des lieux fasse apparaître les besoins liés au "
    "vieillissement : accessibilité des résidences et attributions aux personnes âgées."
)

REVIEWED = "Politique patrimoniale et d'investissement, plan de mise en vente"
RESERVE = (
    "Accord sous réserve d'un échéancier annuel des 1 200 réhabilitations, "
    "présenté au comité de suivi avant le 31 mars de chaque année."
)
CALENDAR = "Les réhabilitations suivent un calendrier annuel : 240 logements par an de 2026 à 2030."
OLD_DDT_RESERVE = "Préciser le calendrier annuel des réhabilitations."


@pytest.mark.browser
def test_associe_proposes_drafter_decides_signatory_reserves(server: str) -> None:  # noqa: F811
    executable = chromium_or_skip()
    # Imported once Chromium is known to be there: the test skips, saying why, otherwise.
    from playwright.sync_api import Page, expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console_errors: list[str] = []
    visited: list[str] = []

    def watch(page: Page, name: str) -> Page:
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "console",
            lambda msg: (
                console_errors.append(f"[{name}] {page.url}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: console_errors.append(f"[{name}] pageerror: {exc}"))
        page.on("load", lambda: visited.append(f"[{name}] {page.url}"))
        return page

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=ARTIFACTS / name, full_page=True)

    def login(page: Page, email: str) -> None:
        page.goto(server + "/login")
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Mes conventions")).to_be_visible()

    def open_convention(page: Page) -> None:
        page.goto(server + "/")
        # The table of conventions (the "À traiter" box may link to it too).
        page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=CUS_TITLE)).to_be_visible()

    def open_section(page: Page, title: str) -> None:
        open_convention(page)
        # The sections' table (the note d'enjeux and the readiness list link to them too).
        page.locator("table.sections").get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()

    def status(page: Page):
        return page.locator("p.flash[role=status]")

    def inbox(page: Page) -> None:
        page.get_by_role("navigation", name="Compte").get_by_role(
            "link", name="Boîte de réception"
        ).click()
        expect(page.get_by_role("heading", level=1, name="Ma boîte de réception")).to_be_visible()

    def tab(page: Page, name: str) -> None:
        page.get_by_role("navigation", name="Pages de la convention").get_by_role(
            "link", name=name
        ).click()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:

            def context_page(name: str) -> Page:
                context = browser.new_context(
                    viewport={"width": 1280, "height": 900}, locale="fr-FR"
                )
                return watch(context.new_page(), name)

            associe = context_page("associé")
            drafter = context_page("rédacteur")
            ddt = context_page("DDT")

            # 1. The associé proposes two changes to a section that has text.
            login(associe, ASSOCIE)
            open_section(associe, SECTION)
            section_url = associe.url
            expect(associe.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
            associe.get_by_role("link", name="Proposer une modification").click()
            expect(associe.get_by_role("heading", level=1)).to_contain_text(
                "Proposer une modification"
            )
            # The rich-text editor is tested in test_editor.py: here the Markdown source.
            associe.get_by_role("link", name="Modifier le texte source (Markdown)").click()
            body = associe.locator("textarea#body")
            original = normalise(body.input_value())
            assert KEPT_OLD in original and REFUSED_OLD in original, original
            body.fill(original.replace(KEPT_OLD, KEPT_NEW).replace(REFUSED_OLD, REFUSED_NEW))
            associe.get_by_label("Justification (facultative, conseillée)").fill(RATIONALE)
            # Before sending, the proposal is shown as the changes it makes.
            associe.get_by_role("button", name="Voir mes modifications avant l'envoi").click()
            expect(associe.locator("#proposal-preview ins").first).to_be_visible()
            associe.get_by_role("button", name="Envoyer la contribution").click()
            expect(associe).to_have_url(re.compile(r"/contributions/\d+$"))
            contribution_url = associe.url
            number = int(contribution_url.rsplit("/", 1)[1])
            expect(status(associe)).to_have_text(
                f"Contribution n° {number} envoyée aux rédacteurs."
            )
            expect(associe.locator(".heading-row .state")).to_have_text("Ouverte")
            tracked = associe.locator(".tracked div.comparison")
            inserted = " ".join(tracked.locator("ins").all_inner_texts())
            deleted = " ".join(tracked.locator("del").all_inner_texts())
            assert "sans ascenseur" in inserted and "plus de 75 ans" in inserted, inserted
            assert "8 412" not in inserted + deleted, (inserted, deleted)
            expect(associe.locator(".rationale")).to_contain_text("vieillissement")
            hunk_rows = associe.locator("table.hunks > tbody > tr")
            expect(hunk_rows).to_have_count(2)
            # The associé cannot decide: no accept or reject button for them.
            expect(
                associe.get_by_role("button", name=re.compile("^(Accepter|Rejeter)"))
            ).to_have_count(0)
            shot(associe, "contribution-proposed.png")

            # 2. The drafter finds it in the inbox and accepts only one of the two changes.
            login(drafter, DRAFTER)
            inbox(drafter)
            to_decide = drafter.locator("h2", has_text="Contributions à décider").locator(
                "xpath=following-sibling::ul[1]"
            )
            item = to_decide.locator("li", has_text=f"Contribution n° {number}")
            expect(item).to_contain_text(ASSOCIE_NAME)
            expect(item).to_contain_text(SECTION)
            item.get_by_role("link", name=f"Contribution n° {number}", exact=True).click()
            expect(drafter).to_have_url(contribution_url)
            refused_row = drafter.locator("table.hunks > tbody > tr", has_text="plus de 75 ans")
            kept_row = drafter.locator("table.hunks > tbody > tr", has_text="sans ascenseur")
            expect(refused_row).to_have_count(1)
            expect(kept_row).to_have_count(1)
            shot(drafter, "contribution-to-decide.png")
            # One change at a time, each control naming the change it decides.
            kept_row.get_by_role(
                "button",
                name=re.compile(
                    r"^Accepter la modification \d+ : ajoute « , dont une sans ascenseur »"
                ),
            ).click()
            expect(drafter).to_have_url(contribution_url)
            expect(drafter.locator("p.flash.success")).to_be_visible()
            expect(drafter.locator(".heading-row .state")).to_have_text("Ouverte")
            expect(kept_row.locator("td").last).to_have_text("Acceptée")
            refused_row.get_by_role(
                "button", name=re.compile(r"^Rejeter la modification \d+ : ")
            ).click()
            expect(drafter).to_have_url(contribution_url)
            expect(drafter.locator(".heading-row .state")).to_have_text("Partiellement acceptée")
            expect(drafter.locator("p.decision")).to_contain_text("Claire Martin")
            expect(kept_row.locator("td").last).to_have_text("Acceptée")
            expect(refused_row.locator("td").last).to_have_text("Rejetée")
            shot(drafter, "contribution-decided.png")

            drafter.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
                "link", name=SECTION, exact=True
            ).click()
            expect(drafter).to_have_url(section_url)
            prose = drafter.locator("article.prose")
            expect(prose).to_contain_text("dont une sans ascenseur")
            expect(prose).not_to_contain_text("plus de 75 ans")
            coauthors = drafter.locator("p.meta", has_text="Co-auteurs")
            expect(coauthors).to_contain_text(f"{ASSOCIE_NAME} ({ASSOCIE_ORG})")
            expect(drafter.locator("p.meta").first).to_contain_text(f"Contribution n° {number}")
            shot(drafter, "section-after.png")

            # 3. The associé's inbox carries each decision: the change accepted, then the
            # contribution's final state.
            inbox(associe)
            messages = associe.locator("ul.notifications li", has_text=f"n° {number}")
            expect(messages).to_have_count(2)
            expect(messages.filter(has_text="partiellement acceptée")).to_contain_text(SECTION)
            expect(messages.filter(has_text="dont une sans ascenseur")).to_contain_text("acceptée")
            shot(associe, "inbox.png")

            # 4. The demo's reviewed section is already validated (the EPCI agreed, the
            # DDT with reserves): the DDT sees its position but can no longer change it.
            login(ddt, DDT)
            open_section(ddt, REVIEWED)
            expect(ddt.locator("h1 .state")).to_have_text("Validée")
            expect(ddt.locator("#revue tr", has_text=DDT_ORG)).to_contain_text(OLD_DDT_RESERVE)
            expect(ddt.get_by_role("button", name="Enregistrer ma position")).to_have_count(0)
            shot(ddt, "section-validated-ddt.png")

            # The drafter answers that reserve with a new revision, which sends the section
            # back to draft, then asks the signatories to review it again.
            open_section(drafter, REVIEWED)
            drafter.get_by_role("link", name="Modifier", exact=True).click()
            drafter.get_by_role("link", name="Modifier le texte source (Markdown)").click()
            text = drafter.locator("textarea#body")
            text.fill(normalise(text.input_value()) + "\n\n" + CALENDAR)
            drafter.get_by_label("Résumé de la modification (facultatif)").fill(
                "Calendrier des réhabilitations (réserve de la DDT)"
            )
            drafter.get_by_role("button", name="Enregistrer", exact=True).click()
            expect(drafter.locator("p.flash.success")).to_have_text(
                re.compile(r"Révision \d+ enregistrée\.")
            )
            expect(drafter.locator("p.flash.warning")).to_be_visible()
            expect(drafter.locator("h1 .state")).to_have_text("Brouillon")
            drafter.get_by_role("button", name="Demander la relecture des signataires").click()
            expect(status(drafter)).to_have_text("Relecture demandée aux signataires.")
            expect(drafter.locator("h1 .state")).to_have_text("En revue")

            # The DDT finds the review in its inbox and records an agreement with reserves.
            inbox(ddt)
            to_review = ddt.locator("h2", has_text="Relectures en attente").locator(
                "xpath=following-sibling::ul[1]"
            )
            to_review.get_by_role("link", name=f"« {REVIEWED} »", exact=True).click()
            expect(ddt.get_by_role("heading", level=1, name=REVIEWED)).to_be_visible()
            expect(ddt.locator("article.prose")).to_contain_text(CALENDAR)
            expect(ddt.locator("h1 .state")).to_have_text("En revue")
            form = ddt.locator(
                "form", has=ddt.get_by_role("button", name="Enregistrer ma position")
            )
            form.get_by_label("Accord avec réserves").check()
            form.locator("#position-text").fill(RESERVE)
            shot(ddt, "section-review-ddt.png")
            form.get_by_role("button", name="Enregistrer ma position").click()
            expect(status(ddt)).to_have_text("Position enregistrée.")
            expect(ddt.locator("#revue tr", has_text=DDT_ORG)).to_contain_text(RESERVE)
            ddt.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
                "link", name=CUS_TITLE
            ).click()
            tab(ddt, "Réserves et désaccords")
            expect(ddt.get_by_role("heading", level=1)).to_have_text(
                "Réserves et désaccords ouverts"
            )
            row = ddt.locator("table.list tbody tr", has_text=RESERVE)
            expect(row).to_have_count(1)
            expect(row).to_contain_text(DDT_ORG)
            expect(row).to_contain_text(REVIEWED)
            expect(row).to_contain_text("Accord avec réserves")
            expect(ddt.locator("table.list")).not_to_contain_text(OLD_DDT_RESERVE)
            shot(ddt, "reserves.png")

            # 5. The drafter looks over the convention, the register and the journal.
            open_convention(drafter)
            transmise = drafter.locator("ul.steps > li", has_text="Transmise au préfet")
            expect(transmise).to_have_count(1)
            # What blocks it is listed once, in the preparation block the step links to.
            expect(transmise.locator("a.reasons-link")).to_contain_text("à régler")
            expect(drafter.locator("section.readiness li").first).to_be_visible()
            expect(drafter.locator("ul.deadlines li")).to_have_count(3)
            deadlines = drafter.locator("ul.deadlines li")
            expect(deadlines.filter(has_text="Fin de l'association")).to_contain_text(
                "étape accomplie"
            )
            expect(deadlines.filter(has_text="Transmission au préfet")).to_contain_text(
                "dans moins de 30 jours"
            )
            shot(drafter, "convention.png")

            tab(drafter, "Registre de l'association")
            expect(drafter.get_by_role("heading", level=1)).to_contain_text(
                "Registre de l'association"
            )
            drafter.get_by_role("link", name="Version imprimable").click()
            expect(drafter).to_have_url(re.compile(r"/association\?impression=1$"))
            expect(drafter.locator("li[id^=document-] strong.warning").first).to_be_visible()
            expect(drafter.locator("li[id^=document-] strong.warning").first).to_contain_text(
                "moins d'un mois"
            )
            expect(drafter.locator("details")).to_have_count(0)
            written = drafter.locator("table.list tbody tr", has_text=ASSOCIE_NAME)
            expect(written.filter(has_text=SECTION)).to_have_count(1)
            shot(drafter, "association.png")
            drafter.emulate_media(media="print")
            shot(drafter, "association-print.png")
            drafter.emulate_media(media="screen")

            drafter.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
                "link", name=CUS_TITLE
            ).click()
            tab(drafter, "Journal")
            expect(drafter.get_by_role("heading", level=1)).to_have_text("Journal de la convention")
            events = drafter.locator("table.events tbody")
            expect(events).to_contain_text(f"Contribution n° {number}")
            expect(events).to_contain_text(RESERVE[:40])
            shot(drafter, "events.png")
        finally:
            browser.close()

    assert visited, "no page was loaded"
    print(f"{len(visited)} page loads; console errors: {console_errors or 'none'}")
    csp = [m for m in console_errors if "content security policy" in m.lower()]
    assert not csp, "CSP violations:\n" + "\n".join(csp)
