"""End to end, in a real Chromium against gunicorn: the rich-text editor.

Typing with Word's keyboard shortcuts (a heading, bold, italic, a nested list, a table from
the toolbar reached with Alt+F10), then the Markdown stored; saving a demo section and a
section written by the Word import without a change (no revision) and with one word
changed (that word only); pasting real clipboard HTML from Word and LibreOffice
(tests/fixtures/clipboard/); a partner's proposal and its preview; a draft that survives
closing the page; and who else is editing. axe-core on the edit and proposal pages is in
tests/e2e/test_accessibility.py.

Runs on SQLite only, like tests/e2e/test_browser.py whose helpers it uses. Screenshots go
to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.corpus import ROOT
from tests.e2e.test_browser import (
    ARTIFACTS,
    BIN,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    _free_port,
    _run,
    chromium_or_skip,
)

pytestmark = pytest.mark.browser

FIXTURES = ROOT / "tests" / "fixtures" / "clipboard"
BUNDLE = ROOT / "app" / "static" / "dist" / "editor.js"
DRAFTER = "redaction@oph.demo"
ASSOCIE = "logement@departement.demo"
IMPORTED_TITLE = "CUS importée de Word"

# Office's leftovers that must not reach the stored Markdown.
OFFICE_MARKUP = re.compile(
    r"mso-|MsoNormal|font-family|Times New Roman|style=|class=|<o:p|\[if |endif|<span|<font|"
    r"Préciser le calendrier|\[A\d\]",
    re.I,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict]:
    """The demo, plus a convention made from a Word document (its sections as the Word
    import writes them), served by gunicorn; yields its URL and database path."""
    if not BUNDLE.exists():
        pytest.skip("the editor's bundle is not built: run `make assets` (make test does)")
    data = tmp_path_factory.mktemp("editor-data")
    env = dict(os.environ)
    env["COSIGNE_DATA_DIR"] = str(data)
    for name in ("DATABASE_URL", "COSIGNE_ENV", "SECRET_KEY"):
        env.pop(name, None)
    flask = str(BIN / "flask")
    _run([flask, "--app", "app", "db", "upgrade"], env)
    _run([flask, "--app", "app", "demo"], env)
    exported = data / "cus.docx"
    _run([flask, "--app", "app", "export", "1", str(exported)], env)
    _run(
        [flask, "--app", "app", "import-docx", str(exported), "--as", DRAFTER, "--kind", "cus"]
        + ["--year", "2031", "--title", IMPORTED_TITLE],
        env,
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(data / "gunicorn.log", "wb")  # noqa: SIM115 - open for the server's lifetime
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{(data / 'gunicorn.log').read_text()}")
            time.sleep(0.2)
        yield {"base": base, "db": data / "cosigne.db"}
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def query(site: dict, sql: str, *args):
    with sqlite3.connect(site["db"]) as connection:
        return connection.execute(sql, args).fetchall()


def section_id(
    site: dict, title: str, convention: str = "CUS 2025-2030 de Val de Loire Habitat"
) -> int:
    rows = query(
        site,
        "SELECT s.id FROM section s JOIN convention c ON c.id = s.convention_id"
        " WHERE s.title = ? AND c.title = ?",
        title,
        convention,
    )
    assert rows, (title, convention)
    return rows[0][0]


def bodies(site: dict, section: int) -> list[str]:
    """The section's revisions' bodies, oldest first."""
    return [
        r[0]
        for r in query(
            site, "SELECT body FROM revision WHERE section_id = ? ORDER BY number", section
        )
    ]


@pytest.fixture(scope="module")
def browser(site):
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415 - once Chromium is known

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Session:
    """A logged-in page, with the console watched for errors (CSP violations first)."""

    def __init__(self, browser, site: dict, email: str, **context) -> None:
        self.site = site
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fr-FR", **context
        )
        self.errors: list[str] = []
        self.page = self.new_page()
        page = self.page
        page.goto(site["base"] + "/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/$"))

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        return page

    def open(self, path: str, page=None):
        page = page or self.page
        page.goto(self.site["base"] + path)
        if "/edit" in path or "/contributions/new" in path:
            editor_ready(page)
        return page

    def close(self) -> None:
        self.context.close()
        csp = [e for e in self.errors if "content security policy" in e.lower()]
        assert not csp, "CSP violations:\n" + "\n".join(csp)
        assert not [e for e in self.errors if e.startswith("pageerror")], self.errors


def select_text(page, text: str) -> None:
    """Put the editor's selection on ``text`` (as a double click on it would)."""
    found = page.evaluate(
        """(word) => {
            const editor = window.cosigneEditor;
            let found = null;
            editor.state.doc.descendants((node, pos) => {
                if (found || !node.isText) return;
                const at = node.text.indexOf(word);
                if (at >= 0) found = { from: pos + at, to: pos + at + word.length };
            });
            if (found) editor.chain().focus().setTextSelection(found).run();
            return found;
        }""",
        text,
    )
    assert found, f"{text!r} not in the editor"
    focused(page)


def focused(page) -> None:
    # TipTap focuses on the next frame: keys pressed before would go elsewhere.
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    expect(page.locator(".rich-content")).to_be_focused()


def editor_ready(page) -> None:
    # The page's CSP has no 'unsafe-eval': wait with locators, not wait_for_function.
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    expect(page.locator(".rich-content")).to_be_visible()


def cursor_at_end(page) -> None:
    page.evaluate("window.cosigneEditor.commands.focus('end')")
    focused(page)


def paste_html(page, html: str) -> None:
    page.evaluate(
        """(html) => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', 'texte');
            const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
            document.querySelector('.rich-content').dispatchEvent(event);
        }""",
        html,
    )


def save(page) -> None:
    page.get_by_role("button", name="Enregistrer", exact=True).click()


def test_typing_with_words_shortcuts_stores_markdown(browser, site):
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    section = section_id(site, "Politique patrimoniale et d'investissement, plan de mise en vente")
    original = bodies(site, section)[-1]
    drafter = Session(browser, site, DRAFTER)
    page = drafter.open(f"/sections/{section}/edit")
    expect(page.locator("textarea#body")).to_be_hidden()  # the editor stands in its place
    cursor_at_end(page)
    keyboard = page.keyboard
    keyboard.press("Enter")
    keyboard.press("Control+Alt+2")
    keyboard.type("Engagements nouveaux")
    keyboard.press("Enter")
    keyboard.type("Texte en ")
    keyboard.press("Control+b")
    keyboard.type("gras")
    keyboard.press("Control+b")
    keyboard.type(" et en ")
    keyboard.press("Control+i")
    keyboard.type("italique")
    keyboard.press("Control+i")
    keyboard.press("Enter")
    keyboard.press("Control+Shift+l")
    keyboard.type("premier point")
    keyboard.press("Enter")
    keyboard.press("Tab")
    keyboard.type("point imbriqué")
    keyboard.press("Enter")
    keyboard.press("Shift+Tab")
    keyboard.type("second point")
    keyboard.press("Enter")
    keyboard.press("Enter")
    # The toolbar from the keyboard: Alt+F10, then the arrows to "Insérer un tableau".
    keyboard.press("Alt+F10")
    for _ in range(30):
        if (
            page.evaluate("document.activeElement.getAttribute('aria-label')")
            == "Insérer un tableau"
        ):
            break
        keyboard.press("ArrowRight")
    keyboard.press("Enter")
    focused(page)  # the table is in, the cursor in its first cell
    for cell in ["Année", "Logements", "Taux", "2026", "240", "12 %"]:
        keyboard.type(cell)
        keyboard.press("Tab")
    page.get_by_role("button", name="Supprimer la ligne").click()  # the third, empty row
    page.screenshot(path=ARTIFACTS / "editor-typed.png", full_page=True)
    save(page)
    expect(page.locator("p.flash.success")).to_contain_text("enregistrée")
    stored = bodies(site, section)[-1]
    assert stored.startswith(original + "\n\n"), stored  # what was there, as written
    assert stored[len(original) :] == (
        "\n\n## Engagements nouveaux\n\nTexte en **gras** et en *italique*\n\n"
        "- premier point\n  - point imbriqué\n- second point\n\n"
        "| Année | Logements | Taux |\n| --- | --- | --- |\n| 2026 | 240 | 12 % |"
    ), stored
    page.screenshot(path=ARTIFACTS / "editor-saved.png", full_page=True)
    drafter.close()


@pytest.mark.parametrize(
    ("title", "convention"),
    [
        ("État des lieux", "CUS 2025-2030 de Val de Loire Habitat"),
        ("État des lieux", IMPORTED_TITLE),
        ("Qualité du service rendu aux locataires", IMPORTED_TITLE),
    ],
)
def test_saving_unchanged_then_one_word(browser, site, title, convention):
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    section = section_id(site, title, convention)
    before = bodies(site, section)
    drafter = Session(browser, site, DRAFTER)
    page = drafter.open(f"/sections/{section}/edit")
    save(page)
    expect(page.locator("p.flash.error")).to_contain_text("Aucune modification à enregistrer")
    assert bodies(site, section) == before
    editor_ready(page)  # the page came back from the server: its editor mounts again

    words = [w for w in re.findall(r"[^\W\d_]{6,}", before[-1]) if before[-1].count(w) == 1]
    word = words[len(words) // 2]
    select_text(page, word)
    page.keyboard.type("remplacé")
    save(page)
    expect(page.locator("p.flash.success")).to_contain_text("enregistrée")
    after = bodies(site, section)
    assert len(after) == len(before) + 1
    assert after[-1] == before[-1].replace(word, "remplacé"), after[-1]  # that word only
    drafter.close()


CUS = "CUS 2025-2030 de Val de Loire Habitat"
CONTRACT = "Contrat Val de Loire Habitat – Communauté d'agglomération 2025-2027"


# Each into a section of its own: an empty one, or (LibreOffice) after a paragraph.
@pytest.mark.parametrize(
    ("fixture", "section_title", "expected"),
    [
        (
            "word2013-ckeditor4-lists-table.html",
            (CUS, "Classement des immeubles"),
            ["- ", "1. ", "| ", "**", "*"],
        ),
        (
            "word2013-ckeditor4-headings-lists.html",
            (CUS, "Cahier des charges de gestion sociale"),
            ["# ", "- ", "**"],
        ),
        (
            "word2011-mac-substance.html",
            (CUS, "Objectifs facultatifs"),
            ["# intermission", "**Gregor Samsa**", "*morning*"],
        ),
        (
            "libreoffice52-mac-substance.html",
            (CUS, "Association des collectivités et concertation"),
            ["# intermission", "**Gregor Samsa**", "*morning*"],
        ),
        (
            "libreoffice-writer-export.html",
            (CONTRACT, "Contreparties de la collectivité"),
            [
                "### Patrimoine",
                "**8 412 logements**",
                "*46 communes*",
                "- réhabilitation",
                "1. diagnostic",
                "| **Année** | **Logements réhabilités** |",
                "| 2026 | 240 |",
            ],
        ),
    ],
)
def test_pasting_from_word_and_libreoffice(browser, site, fixture, section_title, expected):
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    convention, title = section_title
    section = section_id(site, title, convention)
    original = (bodies(site, section) or [""])[-1]
    drafter = Session(browser, site, DRAFTER)
    page = drafter.open(f"/sections/{section}/edit")
    cursor_at_end(page)
    page.keyboard.press("Enter")
    paste_html(page, (FIXTURES / fixture).read_text(encoding="utf-8"))
    page.screenshot(path=ARTIFACTS / f"editor-paste-{Path(fixture).stem}.png", full_page=True)
    save(page)
    expect(page.locator("p.flash.success")).to_contain_text("enregistrée")
    stored = bodies(site, section)[-1]
    assert stored.startswith(original), stored
    pasted = stored[len(original) :]
    for piece in expected:
        assert piece in pasted, (piece, pasted)
    assert not OFFICE_MARKUP.search(pasted), OFFICE_MARKUP.search(pasted)
    drafter.close()


def test_a_partner_proposes_in_the_editor_and_sees_the_preview(browser, site):
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    section = section_id(site, "État des lieux")
    base = bodies(site, section)[-1]
    associe = Session(browser, site, ASSOCIE)
    page = associe.open(f"/sections/{section}/contributions/new")
    expect(page.get_by_role("button", name="Envoyer la contribution")).to_be_hidden()
    select_text(page, "46 communes")
    page.keyboard.type("48 communes")
    page.get_by_label("Justification (facultative, conseillée)").fill("Deux communes ont fusionné.")
    page.get_by_role("button", name="Voir mes modifications avant l'envoi").click()
    preview = page.locator("#proposal-preview")
    expect(preview.get_by_role("heading", name=re.compile("Vos modifications"))).to_be_visible()
    expect(preview.locator(".comparison ins")).to_have_text(
        [re.compile(r"\[début d'insertion\] 48 \[fin d'insertion\]")]
    )
    expect(preview.locator(".comparison del")).to_have_text([re.compile(r"\] 46 \[")])
    # Formatted, as the drafters will see it: the section's sub-headings are headings.
    expect(preview.get_by_role("heading", name="Patrimoine")).to_be_visible()
    assert "##" not in preview.inner_text()
    page.screenshot(path=ARTIFACTS / "editor-proposal-preview.png", full_page=True)
    page.get_by_role("button", name="Envoyer la contribution").click()
    expect(page).to_have_url(re.compile(r"/contributions/\d+$"))
    number = int(page.url.rsplit("/", 1)[1])
    (body,) = query(site, "SELECT body FROM contribution WHERE id = ?", number)[0]
    assert body == base.replace("46 communes", "48 communes")
    page.screenshot(path=ARTIFACTS / "editor-proposal-sent.png", full_page=True)
    associe.close()


def test_a_draft_survives_closing_the_page_and_is_offered_again(browser, site):
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    section = section_id(
        site,
        "Orientations et objectifs",
        "Contrat Val de Loire Habitat – Communauté d'agglomération 2025-2027",
    )
    drafter = Session(browser, site, DRAFTER)
    page = drafter.open(f"/sections/{section}/edit")
    cursor_at_end(page)
    page.keyboard.type(" Texte tapé puis onglet fermé.")
    expect(page.locator("#draft-status")).to_contain_text("Brouillon enregistré", timeout=15_000)
    page.close()  # the tab closes without saving

    again = drafter.open(f"/sections/{section}/edit", drafter.new_page())
    offer = again.locator(".draft-offer")
    expect(offer).to_contain_text("Un brouillon non enregistré vous attend")
    expect(offer).to_contain_text(re.compile(r"conservé le \d\d/\d\d/\d{4} \d\d:\d\d:\d\d"))
    again.screenshot(path=ARTIFACTS / "editor-draft-offered.png", full_page=True)
    again.get_by_role("link", name="Reprendre le brouillon").click()
    editor_ready(again)
    expect(again.locator(".rich-content")).to_contain_text("Texte tapé puis onglet fermé.")
    expect(again.locator(".draft-offer")).to_contain_text("Brouillon repris")
    drafter.close()


def test_who_else_is_editing_shows_before_typing(browser, site):
    from playwright.sync_api import expect  # noqa: PLC0415 - see the browser fixture

    section = section_id(
        site,
        "Contreparties de la collectivité",
        "Contrat Val de Loire Habitat – Communauté d'agglomération 2025-2027",
    )
    drafter = Session(browser, site, DRAFTER)
    drafter.open(f"/sections/{section}/edit")
    expect(drafter.page.locator("#editor-presence")).to_contain_text("Personne d'autre")
    # The associé is not a member of the contract: the CUS section then.
    cus_section = section_id(site, "Qualité du service rendu aux locataires")
    drafter.open(f"/sections/{cus_section}/edit")
    associe = Session(browser, site, ASSOCIE)
    page = associe.open(f"/sections/{cus_section}/contributions/new")
    expect(page.locator("#editor-presence")).to_contain_text(
        re.compile(r"Claire Martin · Val de Loire Habitat \(démo\) — modifie la section depuis")
    )
    page.screenshot(path=ARTIFACTS / "editor-presence.png", full_page=True)
    drafter.open(f"/sections/{cus_section}/edit")
    expect(drafter.page.locator("#editor-presence")).to_contain_text("rédige une proposition")
    associe.close()
    drafter.close()
