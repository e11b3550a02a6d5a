"""The PDF of a convention made by the real LibreOffice: the demo's CUS with every
section title in it, the second download from the cache, and a signed convention as
PDF/A. Skipped, saying why, where LibreOffice is not installed (``make office``); the
cache, the time limit and the error pages are tested on every machine with a stand-in
(tests/integration/conventions/test_document_pdf.py)."""

from __future__ import annotations

import io
import shutil

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.db import db_session
from app.demo import load_demo
from app.models import Convention
from app.sections import queries
from tests.conftest import logged_in, login
from tests.integration.conventions.helpers import furnish, sign_convention

pytestmark = pytest.mark.office
if (shutil.which("soffice") or shutil.which("libreoffice")) is None:
    pytest.skip(
        "LibreOffice (soffice) is not installed: `make office` installs it "
        "(Debian package libreoffice-writer-nogui)",
        allow_module_level=True,
    )


def _text(data: bytes) -> str:
    """The PDF's text with its line breaks and spacing evened out."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_the_demo_convention_as_pdf_holds_every_section_then_comes_from_the_cache(app):
    with app.app_context():
        assert load_demo()
        cus = db_session().scalar(select(Convention.id).where(Convention.title.like("CUS %")))
        titles = [s.title for s in queries.sections_with_current(cus)]
    client = app.test_client()
    assert login(client, "lecture@observatoire.demo", "demo").status_code == 302
    response = client.get(f"/conventions/{cus}/document.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    for title in titles:
        assert " ".join(title.split()) in text, title
    assert "Val de Loire Habitat gère 8 412 logements locatifs sociaux" in text
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.xmp_metadata is None or reader.xmp_metadata.pdfaid_part is None  # not signed
    # The second download is the file kept: it is served even without LibreOffice now.
    app.config["SOFFICE_COMMAND"] = "/nonexistent/soffice"
    again = client.get(f"/conventions/{cus}/document.pdf")
    assert again.status_code == 200 and again.data == response.data


def test_a_signed_convention_is_a_pdf_a(app, world):
    furnish(app, world)
    sign_convention(app, world)
    response = logged_in(app, "obs@obs.test").get(
        f"/conventions/{world.convention_id}/document.pdf"
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    xmp = reader.xmp_metadata
    assert xmp is not None, "no XMP metadata: not a PDF/A"
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("2", "B")  # PDF/A-2b
    text = _text(response.data)
    with app.app_context():
        for section in queries.sections_with_current(world.convention_id):
            assert " ".join(section.title.split()) in text, section.title
    assert "Le parc compte 8 400 logements locatifs sociaux" in text
