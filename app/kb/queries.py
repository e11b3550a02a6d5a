"""Reading the knowledge base: the configured search index, searching it, the documents
and their passages, and a hit as the API gives it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.db import db_session, engine, is_sqlite
from app.kb.vectors import DatabaseVectors, embeddings
from app.models import KbDocument, KbPassage
from knowledge.indicators.catalogue import Indicator
from knowledge.indicators.codes import get
from knowledge.search.backends.postgres import PostgresIndex
from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.search.hybrid import HybridIndex
from knowledge.search.index import Filters, SearchIndex
from knowledge.search.index import search as run_search
from knowledge.search.vectors import model_name
from knowledge.types import Hit
from workflows.errors import NotFound

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def index() -> SearchIndex:
    """The configured search index of this application (one per process): the
    backend's BM25, fused with the passages' vectors when a model is configured
    (``COSIGNE_EMBEDDINGS``; ``none`` gives the backend itself)."""
    app = current_app
    existing: SearchIndex | None = app.extensions.get("cosigne_search")
    if existing is None:
        backend = app.config.get("SEARCH_BACKEND", "whoosh")
        if backend == "postgres":
            if is_sqlite():
                raise RuntimeError(
                    "COSIGNE_SEARCH=postgres demande une base PostgreSQL (DATABASE_URL)."
                )
            existing = PostgresIndex(engine())
        else:
            existing = WhooshIndex(Path(app.config["DATA_DIR"]) / "index")
        model = embeddings()
        if model is not None:
            existing = HybridIndex(existing, model, DatabaseVectors(model_name(model)))
        app.extensions["cosigne_search"] = existing
    return existing


def passage_count() -> int:
    return db_session().scalar(select(func.count(KbPassage.id))) or 0


def documents() -> list[tuple[KbDocument, int]]:
    rows = db_session().execute(
        select(KbDocument, func.count(KbPassage.id))
        .outerjoin(KbPassage, KbPassage.document_id == KbDocument.id)
        .group_by(KbDocument.id)
        .order_by(KbDocument.kind, KbDocument.title)
    )
    return [(d, n) for d, n in rows]


def document(document_id: int) -> KbDocument:
    found = db_session().scalar(
        select(KbDocument)
        .where(KbDocument.id == document_id)
        .options(joinedload(KbDocument.passages))
    )
    if found is None:
        raise NotFound("Document introuvable.")
    return found


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    took_ms: float


def search(
    question: str, kind: str | None = None, document_id: int | None = None, limit: int = 10
) -> SearchResult:
    started = time.perf_counter()
    hits, total = run_search(
        index(), question, Filters(kind=kind or None, document_id=document_id), limit
    )
    return SearchResult(hits, total, round((time.perf_counter() - started) * 1000, 2))


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "document_id": hit.document_id,
        "passage_id": hit.passage_id,
        "title": hit.title,
        "kind": hit.kind,
        "status": hit.status,
        "locator": hit.locator,
        "excerpt": hit.excerpt,
        "text": hit.text,
        "score": round(hit.score, 4),
        "indicator": hit.indicator,
    }


def indicator_of(code: str) -> Indicator:
    """The indicator for any spelling of its code (404 otherwise)."""
    try:
        return get(code)
    except KeyError:
        raise NotFound("Indicateur inconnu.") from None
