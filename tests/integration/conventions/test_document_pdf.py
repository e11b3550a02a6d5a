"""The PDF of a convention, with a stand-in for LibreOffice: a small script that answers
as soffice does (or hangs, or gives nothing), so that the cache, its key, the time limit
and the error pages are tested on every machine. tests/e2e/test_document_pdf.py does the
same with the real LibreOffice."""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from pathlib import Path

import pytest

from app.conventions import pdf
from app.targets.operations import save_value
from tests.conftest import logged_in
from tests.factories import set_state, write
from tests.integration.conventions.helpers import furnish
from workflows.lifecycle import ConventionState

# Writes a tiny PDF named after the source into --outdir, counts its runs in a file
# beside it, and writes its pid; FAKE_SOFFICE_MODE: "hang" sleeps, "nothing" writes none.
FAKE_SOFFICE = """#!{python}
import os, sys, time
from pathlib import Path
here = Path(__file__).parent
(here / "runs").open("a").write(" ".join(sys.argv[1:]) + "\\n")
(here / "pid").write_text(str(os.getpid()))
mode = (here / "mode").read_text().strip() if (here / "mode").exists() else ""
if mode == "hang":
    time.sleep(60)
if mode != "nothing":
    out = Path(sys.argv[sys.argv.index("--outdir") + 1])
    out.mkdir(parents=True, exist_ok=True)
    source = Path(sys.argv[-1])
    (out / (source.stem + ".pdf")).write_bytes(b"%PDF-1.4 " + source.read_bytes()[:4] + b"\\n%%EOF\\n")
"""


@pytest.fixture
def soffice(app, tmp_path) -> Path:
    folder = tmp_path / "fake-soffice"
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    app.config["SOFFICE_COMMAND"] = str(script)
    return folder


def _runs(folder: Path) -> list[str]:
    runs = folder / "runs"
    return runs.read_text().splitlines() if runs.exists() else []


def _cached(app) -> list[str]:
    return sorted(p.name for p in (Path(app.config["DATA_DIR"]) / "pdf").glob("*.pdf"))


def test_the_pdf_is_converted_once_then_served_from_the_cache(app, world, soffice):
    furnish(app, world)
    client = logged_in(app, "obs@obs.test")
    url = f"/conventions/{world.convention_id}/document.pdf"
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data.startswith(b"%PDF-1.4 PK")  # the converter was given the .docx
    assert first.headers["Content-Disposition"] == 'attachment; filename="CUS-test-1.pdf"'
    runs = _runs(soffice)
    assert len(runs) == 1
    # Its own profile, headless, writer_pdf_Export; not PDF/A while not signed.
    assert "-env:UserInstallation=file:///" in runs[0] and "--headless" in runs[0]
    assert "--convert-to pdf:writer_pdf_Export --outdir" in runs[0]
    [kept] = _cached(app)
    assert re.fullmatch(rf"{world.convention_id}-pdf-[0-9a-f]{{40}}\.pdf", kept)
    again = client.get(url)
    assert again.status_code == 200 and again.data == first.data
    assert len(_runs(soffice)) == 1  # from the cache


def test_a_new_text_gives_a_new_pdf_and_the_old_one_goes(app, world, soffice):
    client = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/document.pdf"
    assert client.get(url).status_code == 200
    before = _cached(app)
    with app.app_context():
        write(world.section_id, world.user("redacteur"), "Un texte nouveau.")
    assert client.get(url).status_code == 200
    assert len(_runs(soffice)) == 2
    after = _cached(app)
    assert len(after) == 1 and after != before
    # Another convention's PDF is its own file.
    other = logged_in(app, "autre@esh.test")
    assert other.get(f"/conventions/{world.other_convention_id}/document.pdf").status_code == 200
    assert len(_cached(app)) == 2


def test_anything_the_document_shows_changes_the_key(app, world, soffice):
    base = pdf.cache_key(1, "contenu", archival=False)
    assert pdf.cache_key(1, "contenu", archival=False) == base
    assert len({base, pdf.cache_key(1, "contenu.", False), pdf.cache_key(2, "contenu", False)}) == 3
    assert pdf.cache_key(1, "contenu", archival=True) != base
    # Through the web: a target, then the stage on the title page, each make a new PDF.
    client = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/document.pdf"
    assert client.get(url).status_code == 200
    with app.app_context():
        save_value(
            world.convention_id,
            world.user("redacteur"),
            "F.VI",
            "Loiret",
            2026,
            "cible",
            {"V1": 3, "V2": 100},
        )
    assert client.get(url).status_code == 200 and len(_runs(soffice)) == 2
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    assert client.get(url).status_code == 200 and len(_runs(soffice)) == 3
    assert client.get(url).status_code == 200 and len(_runs(soffice)) == 3


def test_libreoffice_missing_gives_a_clear_page(app, world):
    app.config["SOFFICE_COMMAND"] = "/nonexistent/soffice"
    response = logged_in(app, "sign@epci.test").get(
        f"/conventions/{world.convention_id}/document.pdf"
    )
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 503
    assert "Le PDF n'est pas disponible sur ce serveur : LibreOffice (soffice) n'y est pas" in page
    assert f'href="/conventions/{world.convention_id}/document"' in page
    assert f'href="/conventions/{world.convention_id}/export.docx"' in page


def test_a_converter_that_hangs_is_stopped_in_time(app, world, soffice):
    (soffice / "mode").write_text("hang")
    app.config["PDF_TIMEOUT_SECONDS"] = 1
    started = time.monotonic()
    response = logged_in(app, "redac@oph.test").get(
        f"/conventions/{world.convention_id}/document.pdf"
    )
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "LibreOffice n'a pas terminé dans le temps imparti (1 s)" in page
    pid = int((soffice / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed, and reaped
    assert _cached(app) == []


def test_a_converter_that_gives_nothing_is_an_error_not_an_empty_file(app, world, soffice):
    (soffice / "mode").write_text("nothing")
    response = logged_in(app, "redac@oph.test").get(
        f"/conventions/{world.convention_id}/document.pdf"
    )
    assert response.status_code == 503
    assert "LibreOffice n&#39;a pas converti le document (code de sortie 0)" in response.get_data(
        as_text=True
    )
    assert _cached(app) == []
