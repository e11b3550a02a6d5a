"""The one small interface to the search index: index, search, delete.

The database holds documents and passages; an index is a projection of them that
`kb reindex` rebuilds. Two backends implement this interface: whoosh (a file index in
the data directory, the default) and PostgreSQL full-text search (a table in the
database, for deployments with several application servers). whoosh-reloaded is no
longer maintained upstream, so nothing outside knowledge/ imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from knowledge.search.query import QueryPlan, plan
from knowledge.types import Hit, SearchDocument

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


class IndexBusy(RuntimeError):
    """The index is being written by someone else (a rebuild) past the wait allowed:
    try again later. Raised by every backend instead of its own lock error."""


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    document_id: int | None = None
    indicator: str | None = None


class SearchIndex(Protocol):
    def add(self, documents: Iterable[SearchDocument]) -> int:
        """Index passages (replacing any with the same passage id); returns the count."""

    def delete_document(self, document_id: int) -> None:
        """Remove every passage of a document."""

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""

    def count(self) -> int:
        """Number of passages indexed."""

    def documents(self) -> dict[int, int]:
        """The documents indexed, each with its number of passages: what the database is
        compared with to bring the projection up to date (``kb`` catch-up)."""

    def optimize(self) -> None:
        """After a rebuild: make the index fast to read (whoosh merges its segments into
        one; PostgreSQL vacuums its tables, so postings are read from the index alone)."""

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        """Best passages first, and an estimate of how many matched."""

    def passages(self, passage_ids: list[int]) -> list[Hit]:
        """The passages of these ids that the index holds, in that order, as hits of
        score 0 with a plain excerpt: what the hybrid search reads of a passage that
        only the dense side found (``knowledge.search.hybrid``)."""


def search(
    index: SearchIndex, question: str, filters: Filters | None = None, limit: int = DEFAULT_LIMIT
) -> tuple[list[Hit], int]:
    """Search ``index`` for a natural-language question; never raises on odd input."""
    query = plan(question)
    if query.empty:
        return [], 0
    return index.search(query, filters or Filters(), max(1, min(limit, MAX_LIMIT)))
