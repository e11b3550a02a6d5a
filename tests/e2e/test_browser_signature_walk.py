"""In a real browser, the demo CUS goes from negotiation to a signed convention with its
PDF/A, as each role walks it: the drafter decides the contributions, writes the sections
still to write, carries the open points (the EPCI's disagreement stays standing), records
the board's adoption of the text as it now stands (which ends the association) and
transmits; the DDT records the préfet de département's proposal to the préfet de région;
the EPCI and the DDT sign their own lines, the drafter the organisme's; the
convention is signed, its PDF/A made by the archive job, downloaded by a partner with
the fingerprint the page shows. Then the months pass: the app is served on
15 January 2027 (libfaketime), when the evaluation at two years of the 2025-2030 CUS
opens; the drafter enters the achieved values, explains the shortfall, the DDT assesses
it and the report is downloaded. (The register's association, decision and concertation
are the demo's.)"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from tests.e2e.test_browser import (  # noqa: F401 (server is a fixture)
    ARTIFACTS,
    BIN,
    CHROMIUM_ARGS,
    CUS_TITLE,
    PASSWORD,
    ROOT,
    TIMEOUT_MS,
    chromium_or_skip,
    faketime_or_skip,
    server,
    serving,
)

DRAFTER = "redaction@oph.demo"
EPCI = "habitat@epci.demo"
DDT = "ddt@etat.demo"
PARTNER = "logement@departement.demo"
# Two years of the 2025-2030 CUS are over: its evaluation at two years is open.
EVALUATION_DAY = "2027-01-15 10:00:00"
EXPLANATION = "La livraison de 2025 a glissé sur 2026 : le chantier a été arrêté six mois."


def _cell(year: int, kind: str, variable: str) -> str:
    # G.III on the demo's first scope, as the grid names its inputs.
    return f'input[name="v|G.III|{year}|0|{kind}|{variable}"]'


@pytest.mark.browser
def test_from_negotiation_to_the_signed_pdf_a(server: str, tmp_path) -> None:  # noqa: F811
    executable = chromium_or_skip()
    faketime_or_skip()
    if (shutil.which("soffice") or shutil.which("libreoffice")) is None:
        # Asked before anything runs, so that a conversion that fails is a failure.
        pytest.skip(
            "LibreOffice (soffice) is not installed: `make office` installs it "
            "(Debian package libreoffice-writer-nogui); the PDF/A cannot be made"
        )
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

        def open_as(email: str, base: str = server):
            page = browser.new_context(
                viewport={"width": 1280, "height": 900}, accept_downloads=True
            ).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/login")
            page.locator("#email").fill(email)
            page.locator("#password").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
            return page

        drafter = open_as(DRAFTER)
        convention_url = drafter.url
        block = drafter.locator("section.readiness")

        # 1. Every contribution decided: marked treated, with a note.
        while block.locator("li.blocker-contribution a").count():
            block.locator("li.blocker-contribution a").first.click()
            drafter.locator("#note").fill("Examinée à la réunion de négociation.")
            drafter.get_by_role("button", name="Marquer comme traitée").click()
            drafter.goto(convention_url)

        # 2. The mandatory sections still to write, in the source editor.
        while block.locator("li.blocker-section a").count():
            block.locator("li.blocker-section a").first.click()
            section_url = drafter.url
            drafter.goto(section_url + "/edit?source=markdown")
            drafter.locator("#body").fill("Texte arrêté à la réunion de négociation.")
            drafter.get_by_role("button", name="Enregistrer").click()
            expect(drafter.locator("article.prose")).to_contain_text("Texte arrêté")
            drafter.goto(convention_url)

        # 2b. The targets of one indicator for the two first years, in its grid.
        convention_id = int(convention_url.rstrip("/").rsplit("/", 1)[1])
        drafter.goto(f"{server}/conventions/{convention_id}/indicateurs/grille/G.III")
        for year in (2025, 2026):
            drafter.locator(_cell(year, "cible", "V1")).fill("30")
            drafter.locator(_cell(year, "cible", "V2")).fill("200")
        drafter.get_by_role("button", name="Enregistrer la grille").click()
        expect(drafter.locator(".flash.success")).to_contain_text("Grille enregistrée")
        drafter.goto(convention_url)

        # 3. The open points carried, each with its note; the EPCI's disagreement stays.
        while block.locator("li.blocker-point").count():
            point = block.locator("li.blocker-point").first
            point.locator("summary").click()
            point.locator("textarea").fill("Reste ouvert : le préfet en est saisi.")
            point.get_by_role("button", name="Reporter").click()
            expect(drafter.locator("ul.carried")).to_be_visible()

        # 3b. The board adopts the projet as its text now stands: the association ends.
        block.locator("li.blocker-adoption a").first.click()
        drafter.get_by_text("Enregistrer l'adoption du projet").click()
        adopted_on = drafter.locator("#adoption-date")
        adopted_on.fill(adopted_on.get_attribute("max") or "")  # today, where users are
        drafter.get_by_role("button", name="Enregistrer l'adoption").click()
        expect(drafter.locator(".flash.success")).to_contain_text("l'association a pris fin")
        expect(drafter.locator("#association-ended")).to_contain_text("conseil d'administration")
        expect(drafter.locator("#adopted-sha256")).to_be_visible()
        drafter.locator("section:has(#adoption)").screenshot(path=ARTIFACTS / "walk-adopted.png")
        drafter.goto(convention_url)
        expect(block.locator("li.blocker-adoption")).to_have_count(0)
        expect(block.locator("#ready")).to_be_visible()
        expect(drafter.locator("ul.carried")).to_contain_text("Désaccord")
        drafter.screenshot(path=ARTIFACTS / "walk-ready.png", full_page=True)

        # 4. Transmitted with the disagreement standing (circulaire CUS, IV).
        drafter.get_by_role("button", name="Passer à « Transmise au préfet »").click()
        expect(drafter.locator(".flash.success")).to_contain_text("Transmise au préfet")
        expect(drafter.locator("section.readiness h2")).to_have_text("Avant la signature")
        # The State signs on the préfet de département's proposal: listed until recorded.
        expect(drafter.locator("li.blocker-proposal a")).to_have_attribute("href", "#proposition")

        # 5. Each signatory signs its own line; the drafter the organisme's. The DDT first
        # records the préfet de département's proposal to the préfet de région.
        for email in (EPCI, DDT):
            signer = open_as(email)
            if email == DDT:
                proposal_date = signer.locator("#proposal-date")
                proposal_date.fill(proposal_date.get_attribute("max") or "")
                signer.locator("#proposal-proposer").fill("préfet de département du Loiret")
                signer.get_by_role("button", name="Enregistrer la proposition").click()
                expect(signer.locator(".flash.success")).to_contain_text(
                    "Proposition du préfet de département enregistrée"
                )
                expect(signer.locator("#proposal-recorded")).to_contain_text(
                    "Sur proposition du préfet de département du"
                )
                expect(signer.locator("li.blocker-proposal")).to_have_count(0)
                signer.locator("#signatures").scroll_into_view_if_needed()
                signer.screenshot(path=ARTIFACTS / "walk-proposal.png")
            date_field = signer.locator("#sign-date")
            date_field.fill(date_field.get_attribute("max") or "")  # today, where users are
            signer.locator("#sign-signer").fill(f"Signataire de {email}, directeur")
            signer.get_by_role("button", name="Enregistrer la signature").click()
            expect(signer.locator(".flash.success")).to_contain_text("Signature enregistrée")
            signer.context.close()
        drafter.goto(convention_url)
        if drafter.locator("#sign-party").count():
            drafter.locator("#sign-party").select_option(label=re.compile(r"votre organisation"))
        date_field = drafter.locator("#sign-date")
        date_field.fill(date_field.get_attribute("max") or "")
        drafter.locator("#sign-signer").fill("Claire Martin, directrice générale")
        drafter.get_by_role("button", name="Enregistrer la signature").click()
        expect(drafter.locator(".flash.success")).to_contain_text("Signature enregistrée")
        drafter.get_by_role("button", name="Passer à « Signée »").click()
        expect(drafter.locator(".flash.success")).to_contain_text("Signée")

        # 6. The archive job makes the PDF/A (the worker's task, run as its command).
        env = dict(os.environ, COSIGNE_DATA_DIR=str(tmp_path / "data"))
        for name in ("DATABASE_URL", "COSIGNE_ENV", "SECRET_KEY"):
            env.pop(name, None)
        made = subprocess.run(
            [str(BIN / "flask"), "--app", "app", "archive", "make", str(convention_id)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert made.returncode == 0, made.stdout + made.stderr

        # 7. A partner downloads the PDF/A; its SHA-256 is the one the page shows.
        partner = open_as(PARTNER)
        shown = partner.locator("#archive-sha256").inner_text().strip()
        # Who signed for each party, as the signed copies say.
        expect(partner.locator("#signatures + ul")).to_contain_text(
            "par Claire Martin, directrice générale"
        )
        with partner.expect_download() as download:
            partner.get_by_role("link", name="télécharger le PDF/A").click()
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"%PDF")
        assert b"pdfaid" in data
        assert hashlib.sha256(data).hexdigest() == shown
        partner.screenshot(path=ARTIFACTS / "walk-signed.png", full_page=True)
        for context in browser.contexts:
            context.close()

        # 8. Two years later (the same data, served on that day): the evaluation.
        with serving(tmp_path / "data", tmp_path / "later.log", on=EVALUATION_DAY) as later:
            drafter = open_as(DRAFTER, later)
            drafter.get_by_role("button", name="Passer à « Évaluation à 2 ans »").click()
            expect(drafter.locator(".flash.success")).to_contain_text("Évaluation à 2 ans")
            drafter.goto(f"{later}/conventions/{convention_id}/indicateurs/grille/G.III")
            drafter.locator(_cell(2025, "realise", "V1")).fill("10")  # 5 % for 15 %
            drafter.locator(_cell(2025, "realise", "V2")).fill("200")
            drafter.locator(_cell(2026, "realise", "V1")).fill("40")  # 20 % for 15 %
            drafter.locator(_cell(2026, "realise", "V2")).fill("200")
            drafter.get_by_role("button", name="Enregistrer la grille").click()
            expect(drafter.locator(".flash.success")).to_contain_text("Grille enregistrée")

            drafter.goto(f"{later}/conventions/{convention_id}")
            drafter.get_by_role("link", name=re.compile("Évaluation à 2 ans")).first.click()
            lacking = drafter.locator("#reste + ul")
            expect(lacking).to_contain_text("G.III")
            expect(lacking).to_contain_text("écart à expliquer par l'organisme")
            lacking.get_by_role("link", name=re.compile("G.III.*écart")).click()
            finding = drafter.locator("section.finding", has_text="G.III")
            finding.locator("textarea[name=explanation]").fill(EXPLANATION)
            finding.get_by_role("button", name="Enregistrer l'explication").click()
            expect(drafter.locator(".flash.success")).to_contain_text("Explication enregistrée")
            expect(drafter.locator("#reste + ul")).to_contain_text("écart à apprécier par l'État")

            agent = open_as(DDT, later)
            agent.goto(drafter.url.split("#")[0])
            finding = agent.locator("section.finding", has_text="G.III")
            expect(finding).to_contain_text(EXPLANATION)
            finding.get_by_label("Non imputable à l'organisme").check()
            finding.locator("textarea[name=note]").fill("Retard de chantier constaté par la DDT.")
            finding.get_by_role("button", name="Enregistrer l'appréciation").click()
            expect(agent.locator(".flash.success")).to_contain_text("Appréciation enregistrée")
            expect(agent.locator("#complet")).to_be_visible()
            agent.screenshot(path=ARTIFACTS / "walk-evaluation.png", full_page=True)
            with agent.expect_download() as download:
                agent.get_by_role("link", name="Rapport d'évaluation (.docx)").click()
            report = docx.Document(download.value.path())
            text = "\n".join(p.text for p in report.paragraphs) + "".join(
                cell.text for table in report.tables for row in table.rows for cell in row.cells
            )
            assert EXPLANATION in text
            assert "Non imputable" in text
        browser.close()
    assert not errors
