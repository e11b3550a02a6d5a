"""The search index catches up with the database by itself.

A document is stored in one transaction, then indexed (and removed, then taken out of
the index): a process that dies between the two, or an index that refused the write,
leaves the projection behind the database, whose rows are the truth. Each process, on
the first request it serves, compares what the index holds (documents and their
passage counts) with the database and indexes again what differs; ``kb reindex``
remains for a rebuild from scratch.

The passages' vectors (app/kb/vectors.py) catch up likewise: a passage without a vector
of the configured model gets one (``catch_up(vectors=True)``, and the minute's sweep of
the job worker). The first request's hook leaves them to the worker: embedding a whole
corpus takes minutes with the embedded model, too long for a request to wait.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.db import db_session
from app.kb import vectors as passage_vectors
from app.kb.queries import index
from app.models import KbDocument, KbPassage
from knowledge.search.index import IndexBusy
from knowledge.types import SearchDocument

log = logging.getLogger(__name__)

_lock = threading.Lock()
BATCH = 500


@dataclass(frozen=True)
class CaughtUp:
    indexed: tuple[int, ...]  # documents (re)indexed
    removed: tuple[int, ...]  # documents taken out of the index (gone from the database)
    vectorised: int = 0  # passages given a vector


def catch_up(vectors: bool = True) -> CaughtUp:
    """Bring the index in line with the database, document by document, then (with
    ``vectors``) give a vector to each passage that has none of the configured model."""
    session = db_session()
    stored = {
        document_id: count
        for document_id, count in session.execute(
            select(KbPassage.document_id, func.count(KbPassage.id)).group_by(KbPassage.document_id)
        )
    }
    target = index()
    indexed = target.documents()
    behind = sorted(d for d, count in stored.items() if indexed.get(d) != count)
    gone = sorted(d for d in indexed if d not in stored)
    for document_id in gone:
        target.delete_document(document_id)
    for document_id in behind:
        document = session.get(KbDocument, document_id)
        if document is None:  # removed since the count: nothing to index
            continue
        target.delete_document(document_id)  # passages of an older state, if any
        passages = session.scalars(
            select(KbPassage)
            .where(KbPassage.document_id == document_id)
            .order_by(KbPassage.ordinal)
        ).all()
        for start in range(0, len(passages), BATCH):
            target.add(search_documents(document, passages[start : start + BATCH]))
    if behind or gone:
        log.warning(
            "search index caught up with the database: %d document(s) indexed, %d removed",
            len(behind),
            len(gone),
        )
    vectorised = passage_vectors.compute_missing() if vectors else 0
    return CaughtUp(tuple(behind), tuple(gone), vectorised)


def catch_up_once() -> None:
    """A before-request hook: catch up on the first request of this process. A failure
    (the index locked by a long rebuild, say) is logged and tried again at the next
    request, rather than refusing this one."""
    app = current_app
    if app.extensions.get("cosigne_index_caught_up") or not app.config["SEARCH_CATCH_UP"]:
        return
    with _lock:
        if app.extensions.get("cosigne_index_caught_up"):
            return
        try:
            catch_up(vectors=False)
        except (SQLAlchemyError, OSError, IndexBusy):
            # What a busy or unreachable store raises; a bug (anything else) is not
            # hidden: it fails the request and shows in the logs like any other.
            log.exception("search index catch-up failed; tried again at the next request")
            # The request goes on with a clean session (on PostgreSQL a failed statement
            # aborts the whole transaction).
            db_session().rollback()
            return
        app.extensions["cosigne_index_caught_up"] = True


def search_documents(document: KbDocument, passages: Iterable[KbPassage]) -> list[SearchDocument]:
    """The passages of a document as the index takes them."""
    return [
        SearchDocument(
            passage_id=passage.id,
            document_id=document.id,
            title=document.title,
            kind=document.kind.value,
            status=document.status.value,
            locator=passage.locator,
            heading=passage.heading,
            text=passage.text,
            indicator=passage.indicator,
        )
        for passage in passages
    ]
