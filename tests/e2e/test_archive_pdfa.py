"""The signed convention's archive made by the real LibreOffice: a PDF/A-2b (its XMP
metadata say so, which a plain PDF's do not), holding the signed text and the signature
blocks, whose SHA-256 shown on the page and in the API is that of the bytes every member
downloads; a failure of the converter is shown, and a retry then makes it. Skipped,
saying why, where LibreOffice is not installed (``make office``); every other path of
the job is tested with a stand-in (tests/integration/archive/)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.conventions import pdf
from app.word.queries import export_bytes
from tests.conftest import api_client, logged_in, post_form
from tests.integration.archive.helpers import archive_row, run_jobs, sign_convention, signed_sha256
from tests.integration.conventions.helpers import furnish

pytestmark = pytest.mark.office
if (shutil.which("soffice") or shutil.which("libreoffice")) is None:
    pytest.skip(
        "LibreOffice (soffice) is not installed: `make office` installs it "
        "(Debian package libreoffice-writer-nogui)",
        allow_module_level=True,
    )

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = ("redac@oph.test", "sign@epci.test", "asso@dep.test", "obs@obs.test")


def _pdfa_identification(data: bytes) -> tuple[str, str] | None:
    """PDF/A part and conformance as the XMP metadata packet in the bytes declares
    them (element or attribute form), None when it declares none."""
    part = re.search(rb"pdfaid:part(?:>|=\")\s*(\d)", data)
    conformance = re.search(rb"pdfaid:conformance(?:>|=\")\s*([ABUabu])", data)
    if part is None:
        return None
    return part.group(1).decode(), conformance.group(1).decode().upper() if conformance else ""


def _text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_the_identification_check_tells_a_plain_pdf_from_a_pdf_a(app, world):
    # The check the archive's test relies on answers "none" for LibreOffice's plain PDF
    # of the same document, so it would fail on an archive that is not a PDF/A.
    with app.app_context():
        docx = export_bytes(world.convention_id)
        executable = pdf.command()
        assert executable is not None
        plain = pdf.convert(executable, docx, archival=False, timeout=60)
        archival = pdf.convert(executable, docx, archival=True, timeout=60)
    assert _pdfa_identification(plain) is None
    assert _pdfa_identification(archival) == ("2", "B")


def test_the_signed_convention_is_archived_as_pdf_a_and_every_member_downloads_it(app, world):
    cid = world.convention_id
    furnish(app, world)
    sign_convention(app, world)
    assert run_jobs(app) == 1
    row = archive_row(app, cid)
    assert row.state == "fait", row.error
    data = row.pdf
    assert _pdfa_identification(data) == ("2", "B")
    xmp = PdfReader(io.BytesIO(data)).xmp_metadata
    assert xmp is not None and (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("2", "B")
    # The signed text, its signature blocks filled from the recorded signatures.
    text = _text(data)
    assert "Le parc compte 8 400 logements locatifs sociaux" in text
    assert "Redac" in text and "Sign" in text  # who signed for the organisme, the EPCI
    assert row.text_sha256 == signed_sha256(app, cid)
    digest = hashlib.sha256(data).hexdigest()
    assert row.pdf_sha256 == digest and row.size == len(data)
    for email in MEMBERS:
        client = logged_in(app, email)
        page = client.get(f"/conventions/{cid}").get_data(as_text=True)
        assert f'<code id="archive-sha256">{digest}</code>' in page
        assert row.text_sha256 in page
        response = client.get(f"/conventions/{cid}/archive.pdf")
        assert response.status_code == 200, email
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert hashlib.sha256(response.data).hexdigest() == digest
        api, headers = api_client(app, email)
        shown = api.get(f"/api/conventions/{cid}/archive", headers=headers).get_json()
        assert shown["pdf_sha256"] == digest and shown["size"] == len(data)
        assert shown["text_sha256"] == row.text_sha256
        assert hashlib.sha256(api.get(shown["url"], headers=headers).data).hexdigest() == digest
    outsider = logged_in(app, "autre@esh.test")
    assert outsider.get(f"/conventions/{cid}/archive.pdf").status_code == 403


def test_a_failed_conversion_is_shown_then_a_retry_makes_the_archive(app, world):
    cid = world.convention_id
    configured = app.config["SOFFICE_COMMAND"]
    app.config["SOFFICE_COMMAND"] = "/nonexistent/soffice"
    sign_convention(app, world)
    run_jobs(app)
    drafter = logged_in(app, "redac@oph.test")
    page = drafter.get(f"/conventions/{cid}").get_data(as_text=True)
    assert "Archive PDF/A en échec" in page and "/nonexistent/soffice" in page
    app.config["SOFFICE_COMMAND"] = configured
    response = post_form(drafter, f"/conventions/{cid}/archive/retry", page=f"/conventions/{cid}")
    assert response.status_code == 303
    assert run_jobs(app) == 1
    row = archive_row(app, cid)
    assert row.state == "fait" and row.error == "" and _pdfa_identification(row.pdf) == ("2", "B")
    page = drafter.get(f"/conventions/{cid}").get_data(as_text=True)
    assert "Archive PDF/A en échec" not in page and row.pdf_sha256 in page


def test_a_real_worker_archives_the_convention_once_it_is_signed(app, world, tmp_path):
    """`flask jobs worker` in a subprocess, on the test's database and embedded queue:
    the message handed over at the signing's commit reaches it, and it converts."""
    cid = world.convention_id
    sign_convention(app, world)
    config = app.config
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=config["DATABASE_URL"],
        COSIGNE_DATA_DIR=config["DATA_DIR"],
        SECRET_KEY=config["SECRET_KEY"],
        COSIGNE_JOBS_URL=config["JOBS_URL"],
        COSIGNE_JOBS_NAME=config["JOBS_NAME"],
        COSIGNE_SOFFICE=config["SOFFICE_COMMAND"],
    )
    env.pop("COSIGNE_ENV", None)
    env.pop("COSIGNE_SMTP_HOST", None)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"]
            + ["--workers", "1", "--no-periodic", "--max-delay", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and archive_row(app, cid).state != "fait":
            time.sleep(0.5)
        row = archive_row(app, cid)
        assert row.state == "fait", (row.state, row.error, log_path.read_text())
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
    assert _pdfa_identification(row.pdf) == ("2", "B")
    assert hashlib.sha256(row.pdf).hexdigest() == row.pdf_sha256
