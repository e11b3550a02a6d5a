"""Where the tests find the repository and the shared reference files (../shared), and
the shared corpus as search documents, for the tests of both search backends."""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy import text as sql  # norm() takes a text of its own
from sqlalchemy.engine import make_url

from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages
from knowledge.types import SearchDocument

ROOT = Path(__file__).resolve().parents[1]  # the repository
SHARED = ROOT.parent / "shared"  # ../shared, beside the repository
CORPUS = SHARED / "corpus"
DOCX = SHARED / "docx"


def corpus_available() -> bool:
    return (CORPUS / "manifest.json").exists()


def search_documents() -> list[SearchDocument]:
    """Every passage of the corpus, numbered from 1, with the manifest's title and kind."""
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


def norm(text: str) -> str:
    """As ../shared/eval/norm.py: accents folded, lower case, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("’", " ").replace("'", " ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@contextmanager
def search_schema(database_url: str) -> Iterator:
    """An engine whose search_path is a new schema of ``database_url``, dropped
    afterwards: where a PostgreSQL search index builds its tables in a test."""
    schema = f"cosigne_search_{secrets.token_hex(4)}"
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(sql(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(
        make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sql(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
