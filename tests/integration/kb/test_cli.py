"""`flask kb`: the corpus ingested once and searched, the index rebuilt, a document
removed; refused files reported."""

from __future__ import annotations

import json

import pytest

from tests.corpus import CORPUS

needs_corpus = pytest.mark.skipif(
    not CORPUS.exists(),
    reason=f"reference corpus not found at {CORPUS} (shared/ is beside the repository)",
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
