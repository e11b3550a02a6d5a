"""The knowledge base on the web: upload and search, refused files, who uploads and who
removes."""

from __future__ import annotations

import io
import zipfile

from tests.conftest import csrf_token, logged_in
from tests.integration.kb.helpers import run_jobs, upload


def test_upload_search_and_bad_files_on_the_web(app, world):
    client = logged_in(app, "redac@oph.test")
    text = (
        "# Concertation\n\nLes réhabilitations sont présentées au conseil de concertation locative."
    )
    response = upload(client, "guide-test.md", text.encode())
    assert response.status_code == 303 and response.headers["Location"] == "/kb/documents"
    assert run_jobs(app) == 1
    page = client.get("/kb/?q=réhabilitation").get_data(as_text=True)
    assert "<mark" in page and "guide test" in page.lower()
    # The same file twice changes nothing, and queues nothing.
    assert "déjà dans la base" in client.get(
        upload(client, "copie.md", text.encode()).headers["Location"]
    ).get_data(as_text=True)
    assert run_jobs(app) == 0
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>" + "a" * 30_000_000 + "</w:document>")
    # Refused at the door, before anything is stored: an empty file, an unknown type.
    for name, data, reason in (("vide.txt", b"", "est vide"), ("script.exe", b"MZ", "format")):
        response = upload(client, name, data)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert name in page and reason in page, name
    assert run_jobs(app) == 0
    # Refused by the worker's reading: shown on the documents page as failed.
    for name, data in (("faux.pdf", b"pas un pdf"), ("bombe.docx", bomb.getvalue())):
        response = upload(client, name, data)
        assert response.status_code == 303
    assert run_jobs(app) == 2
    listing = client.get("/kb/documents").get_data(as_text=True)
    assert listing.count("/kb/documents/") == 1
    failed = listing[listing.index('id="ajouts"') :]
    assert "faux.pdf" in failed and "bombe.docx" in failed and failed.count("En échec") == 2
    # A collectivité reads the base but does not upload; only an admin removes.
    partner = logged_in(app, "sign@epci.test")
    assert partner.get("/kb/?q=concertation").status_code == 200
    assert upload(partner, "autre.md", b"# X\n\ntexte").status_code == 403
    assert (
        client.post("/kb/documents/1/remove", data={"csrf_token": csrf_token(client)}).status_code
        == 403
    )


def test_an_oversized_upload_is_refused_before_anything_is_read(app, world):
    client = logged_in(app, "redac@oph.test")
    token = csrf_token(client, "/kb/documents")
    huge = io.BytesIO(b"x" * (61 * 1024 * 1024))
    response = client.post(
        "/kb/documents",
        data={"csrf_token": token, "kind": "guide", "file": (huge, "enorme.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and "50 Mo" in response.get_data(as_text=True)
    assert "enorme" not in client.get("/kb/documents").get_data(as_text=True)


def test_indicator_pages_say_how_each_target_is_read_in_french(app, world):
    web = logged_in(app, "asso@dep.test")
    listing = web.get("/kb/indicateurs").get_data(as_text=True)
    for label in ("Cumul sur six ans", "Valeur à terme", "Dernière année", "Moyenne sur six ans"):
        assert label in listing
    for english in ("cumulated", "at term", "last year", "six year average"):
        assert english not in listing
    page = web.get("/kb/indicateurs/E.I").get_data(as_text=True)
    assert "Moyenne sur six ans" in page and "jamais la moyenne des taux annuels" in page
