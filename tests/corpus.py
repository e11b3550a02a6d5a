"""The shared reference corpus as search documents, for the tests of both search backends."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.types import SearchDocument

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_available() -> bool:
    return (CORPUS / "manifest.json").exists()


def search_documents() -> list[SearchDocument]:
    """Every passage of the corpus, numbered from 1, with the manifest's title and kind."""
    from knowledge.extract import extract
    from knowledge.passages import split_passages

    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    documents: list[SearchDocument] = []
    for document_id, entry in enumerate(manifest["documents"], start=1):
        path = CORPUS / entry["file"]
        for passage in split_passages(extract(path.name, path.read_bytes())):
            documents.append(
                SearchDocument(
                    passage_id=len(documents) + 1,
                    document_id=document_id,
                    title=entry["title"],
                    kind=entry["kind"],
                    status="en_vigueur",
                    locator=passage.locator,
                    heading=" › ".join(passage.heading_path),
                    text=passage.text,
                    indicator=passage.indicator,
                )
            )
    return documents
