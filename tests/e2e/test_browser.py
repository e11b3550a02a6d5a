"""End to end, in a real Chromium against the real app served by gunicorn.

Two sessions of the same drafter edit one section of the demo CUS at once: the second
to save meets the conflict page, keeps their own text, saves again deliberately, and the
difference between the two versions is shown as tracked changes.

Runs on SQLite only (the Makefile passes ``-m "not browser"`` to the PostgreSQL series).
Screenshots go to tests/artifacts/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.corpus import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
BIN = Path(sys.executable).parent
TIMEOUT_MS = 10_000

EMAIL = "redaction@oph.demo"
PASSWORD = "demo"
CUS_TITLE = "CUS 2025-2030 de Val de Loire Habitat"
SECTION_TITLE = "Politique patrimoniale et d'investissement, plan de mise en vente"
ORIGINAL = "porte sur 60 logements individuels"
TEXT_A = "porte sur 45 logements individuels situés hors quartiers prioritaires"
TEXT_B = "porte sur 80 logements individuels et collectifs"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def chromium_or_skip() -> str:
    """Debian's Chromium, or the test is skipped saying why."""
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "chromium is not installed (make test installs it with apt when run as root): "
            "no `chromium` on PATH nor /usr/bin/chromium"
        )
    return executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"


def faketime_or_skip() -> str:
    """Debian's faketime (libfaketime), which serves the app on another day, or the test
    is skipped saying why."""
    executable = shutil.which("faketime")
    if executable is None:
        pytest.skip(
            "faketime is not installed (make test installs it with apt when run as root): "
            "the app cannot be served on a later day"
        )
    return executable


def demo_env(data_dir: Path) -> dict[str, str]:
    """The environment of a server on its own data dir, with nothing of the caller's."""
    env = dict(os.environ)
    env["COSIGNE_DATA_DIR"] = str(data_dir)
    for name in ("DATABASE_URL", "COSIGNE_ENV", "SECRET_KEY"):
        env.pop(name, None)
    return env


@contextmanager
def serving(data_dir: Path, log_path: Path, on: str | None = None) -> Iterator[str]:
    """Serve ``data_dir`` with gunicorn (2 workers) until the block ends; yields its base
    URL. ``on`` ("2027-01-15 10:00:00") serves it on that day, the clock running from
    there, as when the months have passed. (Every clock is shifted alike, the monotonic
    one too: left true, Python's sleep asks libfaketime for an absolute wake-up it
    refuses.)"""
    env = demo_env(data_dir)
    command = [str(BIN / "gunicorn"), "--workers", "2"]
    if on is not None:
        command = [faketime_or_skip(), "-f", f"@{on}", *command]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz in 20 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    """A fresh data dir with the demo, served by gunicorn (2 workers); yields its base URL."""
    data_dir = tmp_path / "data"
    env = demo_env(data_dir)
    flask = str(BIN / "flask")
    _run([flask, "--app", "app", "db", "upgrade"], env)
    _run([flask, "--app", "app", "demo"], env)
    with serving(data_dir, tmp_path / "gunicorn.log") as base:
        yield base


@pytest.mark.browser
def test_two_sessions_conflict_then_diff(server: str) -> None:
    executable = chromium_or_skip()
    # Imported once Chromium is known to be there: the test skips, saying why, otherwise.
    from playwright.sync_api import Page, expect, sync_playwright  # noqa: PLC0415

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console_errors: list[str] = []

    def watch(page: Page, name: str) -> Page:
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "console",
            lambda msg: (
                console_errors.append(f"[{name}] {msg.text}") if msg.type == "error" else None
            ),
        )
        page.on("pageerror", lambda exc: console_errors.append(f"[{name}] pageerror: {exc}"))
        return page

    def login(page: Page, screenshot: str | None = None) -> None:
        page.goto(server + "/login")
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        page.locator("#email").fill(EMAIL)
        page.locator("#password").fill(PASSWORD)
        if screenshot:
            page.screenshot(path=ARTIFACTS / screenshot, full_page=True)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Mes conventions")).to_be_visible()

    def open_section(page: Page) -> None:
        page.goto(server + "/")
        # The conventions table (the dashboard's "À traiter" box links to the CUS too).
        page.locator("table.list").get_by_role("link", name=CUS_TITLE, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=CUS_TITLE)).to_be_visible()
        page.locator("table.list").get_by_role("link", name=SECTION_TITLE, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=SECTION_TITLE)).to_be_visible()

    def is_edit_post(response) -> bool:  # type: ignore[no-untyped-def]
        return response.request.method == "POST" and urlsplit(response.url).path.endswith("/edit")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            context_a = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            context_b = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            a = watch(context_a.new_page(), "A")
            b = watch(context_b.new_page(), "B")

            # A: logs in, opens the section, starts editing (not saved yet).
            login(a, "login.png")
            open_section(a)
            section_url = a.url
            section_id = int(re.search(r"/sections/(\d+)$", section_url).group(1))
            a.get_by_role("link", name="Modifier", exact=True).click()
            # The rich-text editor is tested in test_editor.py: here the Markdown source.
            a.get_by_role("link", name="Modifier le texte source (Markdown)").click()
            body_a = a.locator("textarea#body")
            original = body_a.input_value()
            assert ORIGINAL in original
            hint = a.get_by_text(re.compile(r"Enregistrement à partir de la révision \d+\."))
            base = int(re.search(r"révision (\d+)", hint.inner_text()).group(1))
            assert base >= 1
            text_a = original.replace(ORIGINAL, TEXT_A)
            body_a.fill(text_a)

            # B: another session of the same drafter saves a different change first.
            login(b)
            open_section(b)
            b.get_by_role("link", name="Modifier", exact=True).click()
            b.get_by_role("link", name="Modifier le texte source (Markdown)").click()
            body_b = b.locator("textarea#body")
            assert body_b.input_value() == original
            body_b.fill(original.replace(ORIGINAL, TEXT_B))
            b.get_by_label("Résumé de la modification (facultatif)").fill(
                "Objectif de vente relevé"
            )
            b.get_by_role("button", name="Enregistrer", exact=True).click()
            expect(b).to_have_url(section_url)
            expect(b.get_by_role("status").filter(has_text="enregistrée")).to_have_text(
                f"Révision {base + 1} enregistrée."
            )
            expect(b.locator("article.prose")).to_contain_text(TEXT_B)
            b.screenshot(path=ARTIFACTS / "section.png", full_page=True)

            # A saves: conflict, A's text kept, the other version shown.
            with a.expect_response(is_edit_post) as response_info:
                a.get_by_role("button", name="Enregistrer", exact=True).click()
            assert response_info.value.status == 409
            expect(
                a.get_by_role("heading", name="Une autre version a été enregistrée")
            ).to_be_visible()
            assert normalise(body_a.input_value()) == normalise(text_a)
            conflict = a.locator("section.conflict")
            expect(conflict.locator("pre.source")).to_contain_text(TEXT_B)
            expect(conflict).to_contain_text(f"révision {base + 1}")
            expect(conflict.locator(".comparison del").first).to_be_visible()
            expect(
                a.get_by_text(f"Enregistrement à partir de la révision {base + 1}.")
            ).to_be_visible()
            a.screenshot(path=ARTIFACTS / "conflict.png", full_page=True)

            # A saves again, now deliberately over revision 4.
            a.get_by_role("button", name="Enregistrer ma version").click()
            expect(a).to_have_url(section_url)
            expect(a.get_by_role("status").filter(has_text="enregistrée")).to_have_text(
                f"Révision {base + 2} enregistrée."
            )
            expect(a.locator("article.prose")).to_contain_text(TEXT_A)

            # History, then the default comparison (4 -> 5).
            a.get_by_role("link", name=re.compile(r"^Historique")).click()
            expect(a.get_by_role("heading", level=1)).to_contain_text("Historique")
            expect(a.get_by_text(f"{base + 2} révisions.")).to_be_visible()
            a.screenshot(path=ARTIFACTS / "history.png", full_page=True)
            a.get_by_role("button", name="Comparer les révisions choisies").click()
            expect(a).to_have_url(re.compile(rf"/sections/{section_id}/diff\?"))
            query = parse_qs(urlsplit(a.url).query)
            assert query == {"from": [str(base + 1)], "to": [str(base + 2)]}, a.url
            diff = a.locator("div.comparison")
            inserted = " ".join(diff.locator("ins").all_inner_texts())
            deleted = " ".join(diff.locator("del").all_inner_texts())
            assert "45" in inserted and "situés hors quartiers prioritaires" in inserted, inserted
            assert "80" in deleted and "et collectifs" in deleted, deleted
            assert "60" not in inserted + deleted
            a.screenshot(path=ARTIFACTS / "diff.png", full_page=True)

            # The convention page on a phone.
            a.set_viewport_size({"width": 390, "height": 844})
            a.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
                "link", name=CUS_TITLE
            ).click()
            expect(a.get_by_role("heading", level=1, name=CUS_TITLE)).to_be_visible()
            a.screenshot(path=ARTIFACTS / "convention-phone.png", full_page=True)
        finally:
            browser.close()

    csp = [m for m in console_errors if "content security policy" in m.lower()]
    assert not csp, "CSP violations:\n" + "\n".join(csp)


def normalise(text: str) -> str:
    """A textarea's value after a round trip through a form: CRLF from the browser."""
    return text.replace("\r\n", "\n")
