"""The knowledge base through the CLI, the web and the API."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import api_headers, csrf_token, logged_in

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.exists(),
    reason=f"reference corpus not found at {CORPUS} (shared/ is beside the repository)",
)


def _upload(client, filename, data, kind="guide"):
    token = csrf_token(client, "/kb/documents")
    return client.post(
        "/kb/documents",
        data={
            "csrf_token": token,
            "kind": kind,
            "status": "en_vigueur",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


@needs_corpus
def test_cli_ingests_the_corpus_once_and_searches_it(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kb", "ingest", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "5 ajouté(s)" in result.output
    again = runner.invoke(args=["kb", "ingest", str(CORPUS)])
    assert "0 ajouté(s)" in again.output and "5 inchangé(s)" in again.output
    listed = json.loads(runner.invoke(args=["kb", "list", "--json"]).output)
    kinds = {row["kind"] for row in listed}
    assert kinds == {"circulaire", "guide", "fiche"}
    circulaire = next(row for row in listed if row["kind"] == "circulaire")
    found = json.loads(
        runner.invoke(args=["kb", "search", "taux de vacance F.VI", "--json"]).output
    )
    assert found["hits"][0]["indicator"] == "F.VI"
    assert {
        "document_id",
        "title",
        "kind",
        "locator",
        "excerpt",
        "text",
        "score",
        "indicator",
    } <= found["hits"][0].keys()
    # The index is a projection: rebuilt from the database, it answers the same.
    rebuilt = runner.invoke(args=["kb", "reindex"])
    assert rebuilt.exit_code == 0 and "Index reconstruit" in rebuilt.output
    again = json.loads(
        runner.invoke(args=["kb", "search", "taux de vacance F.VI", "--json"]).output
    )
    assert [h["passage_id"] for h in again["hits"]] == [h["passage_id"] for h in found["hits"]]
    removed = runner.invoke(args=["kb", "remove", str(circulaire["id"])])
    assert removed.exit_code == 0
    after = json.loads(
        runner.invoke(args=["kb", "search", "taux de vacance F.VI", "--json"]).output
    )
    assert all(h["document_id"] != circulaire["id"] for h in after["hits"])
    assert runner.invoke(args=["kb", "remove", "9999"]).exit_code != 0


def test_cli_reports_refused_files(app, tmp_path):
    (tmp_path / "vide.txt").write_bytes(b"")
    (tmp_path / "faux.pdf").write_bytes(b"ceci n'est pas un PDF")
    (tmp_path / "bon.md").write_text(
        "# Titre\n\nLe plan de concertation locative est révisé.", encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(args=["kb", "ingest", str(tmp_path), "--kind", "guide"])
    assert "1 ajouté(s)" in result.output and "2 refusé(s)" in result.output
    assert "vide.txt" in result.output and "faux.pdf" in result.output


def test_upload_search_and_bad_files_on_the_web(app, world):
    client = logged_in(app, "redac@oph.test")
    text = (
        "# Concertation\n\nLes réhabilitations sont présentées au conseil de concertation locative."
    )
    response = _upload(client, "guide-test.md", text.encode())
    assert response.status_code == 303 and "/kb/documents/" in response.headers["Location"]
    page = client.get("/kb/?q=réhabilitation").get_data(as_text=True)
    assert "<mark" in page and "guide test" in page.lower()
    # The same file twice changes nothing.
    assert "déjà dans la base" in client.get(
        _upload(client, "copie.md", text.encode()).headers["Location"]
    ).get_data(as_text=True)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>" + "a" * 30_000_000 + "</w:document>")
    for name, data in (
        ("vide.txt", b""),
        ("faux.pdf", b"pas un pdf"),
        ("bombe.docx", bomb.getvalue()),
        ("script.exe", b"MZ"),
    ):
        response = _upload(client, name, data)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert name in page, name
    listing = client.get("/kb/documents").get_data(as_text=True)
    assert listing.count("/kb/documents/") == 1
    # A collectivité reads the base but does not upload; only an admin removes.
    partner = logged_in(app, "sign@epci.test")
    assert partner.get("/kb/?q=concertation").status_code == 200
    assert _upload(partner, "autre.md", b"# X\n\ntexte").status_code == 403
    assert (
        client.post("/kb/documents/1/remove", data={"csrf_token": csrf_token(client)}).status_code
        == 403
    )


def test_search_api_and_odd_queries(app, world):
    client = logged_in(app, "redac@oph.test")
    _upload(client, "guide.md", b"# Vacance\n\nLa vacance technique tient aux travaux.")
    api = app.test_client()
    headers = api_headers(app, "obs@obs.test")
    data = api.get("/api/search?q=vacance%20technique&limit=5", headers=headers).get_json()
    assert data["total"] >= 1 and data["hits"][0]["status"] == "en_vigueur" and "took_ms" in data
    for q in ("les de la", '"*:(?', "x" * 10_000, ""):
        response = api.get("/api/search", query_string={"q": q}, headers=headers)
        assert response.status_code == 200, q
    assert api.get("/api/search?q=x&limit=0", headers=headers).status_code == 400
    assert api.get("/api/search?q=x&kind=roman", headers=headers).status_code == 400
    assert api.get("/api/search?q=x").status_code == 401


def test_indicator_pages_and_calculator_api(app, world):
    client = app.test_client()
    headers = api_headers(app, "asso@dep.test")
    listing = client.get("/api/indicators", headers=headers).get_json()["indicators"]
    assert len(listing) == 26 and listing[0]["code"] == "A.I"
    detail = client.get("/api/indicators/g3", headers=headers).get_json()
    assert detail["code"] == "G.III" and detail["variables"]
    response = client.post(
        "/api/indicators/G.III/compute",
        headers=headers,
        json={"years": {"2025": {"V1": 30, "V2": 200}}},
    )
    assert response.status_code == 200 and response.get_json()["years"][0]["value"] == 15.0
    response = client.post(
        "/api/indicators/G.III/compute",
        headers=headers,
        json={"years": {"2025": {"V1": 30, "V2": 0}}},
    )
    assert response.status_code == 400 and "V2" in response.get_json()["error"]
    assert client.get("/api/indicators/Z.IX", headers=headers).status_code == 404
    web = logged_in(app, "asso@dep.test")
    page = web.get("/kb/indicateurs/G.III").get_data(as_text=True)
    assert "G.III" in page and "Formule" in page
    assert web.get("/kb/indicateurs/g3").status_code == 301
    token = csrf_token(web, "/kb/indicateurs/G.III")
    result = web.post(
        "/kb/indicateurs/G.III", data={"csrf_token": token, "year": "2025", "V1": "30", "V2": "200"}
    )
    assert result.status_code == 200 and "15" in result.get_data(as_text=True)


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
