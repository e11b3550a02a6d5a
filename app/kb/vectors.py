"""The passages' dense vectors, stored in the database (``kb_vector``), for the hybrid
search (knowledge.search.hybrid).

Like the search index, the vectors are a projection of the passages: a passage without
a vector of the configured model (``COSIGNE_EMBEDDINGS``) gets one from
``compute_missing``, which the knowledge base's background work calls (after an ingest,
in the minute's sweep of app/kb/background.py, in the catch-up of app/kb/projection.py),
and ``kb reindex`` computes them all again. A vector is its model's name, its dimension
and float32 bytes, normalised: no vector type of the database (no pgvector), the same
table on SQLite and PostgreSQL.

Searching reads them once into a numpy matrix per process (``DatabaseVectors``), read
again when their count or highest passage id changes (an aggregate query, 2.5 ms at
10,000 vectors on SQLite, asked at most once every ``REFRESH_SECONDS``), and compares
the question with every row: a dot product, about a millisecond at 10,000 passages of
256 dimensions (10 MB), 10 to 13 ms at 100,000 (100 MB; bench/bench_vectors.py). Reading
10,000 vectors from SQLite into the matrix takes about 0.1 s, once.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app
from sqlalchemy import Select, delete, func, or_, select

from app.db import db_session, write_transaction
from app.models import KbPassage, KbVector
from knowledge.search.vectors import (
    Embedder,
    VectorMatrix,
    from_bytes,
    model_name,
    normalise,
    passage_text,
    to_bytes,
)

log = logging.getLogger(__name__)

BATCH = 32  # passages embedded and written per transaction
# How stale the matrix may be: a passage vectorised by another process meanwhile is
# found by its words (BM25) until then.
REFRESH_SECONDS = 2.0


def embeddings() -> Embedder | None:
    """The configured embedding model of this process, None when ``none``. A model that
    cannot be built (a bad setting) is logged once: the search is BM25's alone."""
    app = current_app
    setting = app.config.get("EMBEDDINGS", "none")
    cached = app.extensions.get("cosigne_embeddings")
    if cached is not None and (cached[0] is setting or cached[0] == setting):
        model: Embedder | None = cached[1]
        return model
    if not isinstance(setting, str):
        model = setting  # an Embeddings object (tests)
    elif setting.strip().lower() in ("", "none"):
        model = None  # no LangChain import either
    else:
        # LangChain is imported with the model, not when the application starts.
        from knowledge.search.embeddings import embeddings_from_spec  # noqa: PLC0415

        try:
            model = embeddings_from_spec(
                str(setting),
                app.config.get("EMBEDDINGS_URL", ""),
                app.config.get("EMBEDDINGS_KEY", ""),
            )
        except ValueError as error:
            log.error("COSIGNE_EMBEDDINGS inutilisable (%s) : recherche sans vecteurs", error)
            model = None
    app.extensions["cosigne_embeddings"] = (setting, model)
    return model


class DatabaseVectors:
    """knowledge.search.vectors.VectorSource over ``kb_vector``, for one model."""

    def __init__(self, model: str, refresh: float = REFRESH_SECONDS) -> None:
        self.model = model
        self.refresh = refresh
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._checked = float("-inf")
        self._matrix = VectorMatrix.empty()

    def matrix(self) -> VectorMatrix:
        now = time.monotonic()
        if self._key is not None and now - self._checked < self.refresh:
            return self._matrix
        self._checked = now
        session = db_session()
        count, last = session.execute(
            select(func.count(KbVector.passage_id), func.max(KbVector.passage_id)).where(
                KbVector.model == self.model
            )
        ).one()
        key = (int(count or 0), int(last or 0))
        with self._lock:
            if key != self._key:
                rows = session.execute(
                    select(KbVector.passage_id, KbVector.dimension, KbVector.data)
                    .where(KbVector.model == self.model)
                    .order_by(KbVector.passage_id)
                )
                self._matrix = VectorMatrix.build(
                    (passage_id, from_bytes(data, dimension))
                    for passage_id, dimension, data in rows
                )
                self._key = key
            return self._matrix


def missing() -> int:
    """How many passages have no vector of the configured model (0 without a model)."""
    model = embeddings()
    if model is None:
        return 0
    return int(
        db_session().scalar(
            select(func.count()).select_from(_missing(model_name(model)).subquery())
        )
        or 0
    )


def _missing(name: str) -> Select[int, str, str]:
    return (
        select(KbPassage.id, KbPassage.heading, KbPassage.text)
        .outerjoin(KbVector, KbVector.passage_id == KbPassage.id)
        .where(or_(KbVector.passage_id.is_(None), KbVector.model != name))
        .order_by(KbPassage.id)
    )


def compute_missing(limit: int | None = None) -> int:
    """Embed the passages that have no vector of the configured model (another model's
    is replaced), ``BATCH`` per transaction; returns how many were embedded. Several
    workers at once may embed the same passage twice: the last write stands."""
    model = embeddings()
    if model is None:
        return 0
    name = model_name(model)
    done = 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = db_session().execute(_missing(name).limit(size)).all()
        db_session().rollback()  # no transaction held open while the model works
        if not rows:
            break
        vectors = normalise(
            model.embed_documents([passage_text(heading, text) for _id, heading, text in rows])
        )
        ids = [passage_id for passage_id, _h, _t in rows]
        with write_transaction() as session:
            present = set(session.scalars(select(KbPassage.id).where(KbPassage.id.in_(ids))))
            session.execute(delete(KbVector).where(KbVector.passage_id.in_(ids)))
            session.add_all(
                KbVector(
                    passage_id=passage_id,
                    model=name,
                    dimension=int(vector.shape[0]),
                    data=to_bytes(vector),
                )
                for passage_id, vector in zip(ids, vectors, strict=True)
                if passage_id in present  # a passage removed meanwhile keeps no vector
            )
        done += len(rows)
    if done:
        log.info("%d passage(s) vectorisé(s) (%s)", done, name)
    return done


def clear() -> None:
    """Drop every vector (before ``kb reindex`` computes them again)."""
    with write_transaction() as session:
        session.execute(delete(KbVector))
