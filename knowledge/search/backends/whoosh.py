"""The whoosh backend of knowledge.search (package whoosh-reloaded, pinned).

A file index in ``<data dir>/index``. Several gunicorn workers share it safely: whoosh
writes a new segment and switches the table of contents atomically, so a reader sees
either the old or the new index, never half of one; a second writer waits for the lock
(``WRITER_TIMEOUT``) instead of failing at once, whoosh's default.

Ranking is knowledge.search.ranking's two stages, because whoosh's own matchers (a tree of
Python objects walked posting by posting, over four fields, with phrase matchers that
defeat its block skipping) took a quarter of a second on ten thousand passages. One
field, ``content``, holds each passage's weighted terms (``ranking.content_terms``:
BM25F's weighted term frequency summed at index time); stage 1 reads the chosen terms'
postings straight from whoosh's posting blocks; stage 2 reads the stored fields.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from knowledge.search.index import Filters, IndexBusy
from knowledge.search.query import QueryPlan
from knowledge.search.ranking import (
    HEADING_WEIGHT,
    RANKING,
    Concept,
    Ranking,
    concepts_of,
    content_terms,
    plain_hit,
    prepare,
    question_of,
    rerank,
    stage_one_terms,
    stored_fields,
    weigh,
    with_acronyms,
)
from knowledge.types import Hit, SearchDocument

log = logging.getLogger(__name__)

WRITER_TIMEOUT = 60.0  # seconds a writer waits for another one to finish
INDEX_NAME = "passages"
_FIELD_SEPARATOR = "\x1e"

if TYPE_CHECKING:
    # whoosh is untyped: to mypy its Tokenizer is Any, and a subclass of Any would be
    # checked for nothing (strict mode refuses one). mypy sees a plain class; at run time
    # the base is whoosh's Tokenizer, as its analysers need.
    _Tokenizer = object
else:
    _Tokenizer = Tokenizer


# What this module uses of whoosh's objects (whoosh is untyped), so that it is checked.
class _Reader(Protocol):
    # A matcher is read through whoosh's internals (``_postings``): left untyped.
    def postings(self, fieldname: str, text: str) -> Any: ...
    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None: ...
    def doc_count_all(self) -> int: ...
    def field_terms(self, fieldname: str) -> Iterator[str]: ...


class _Searcher(Protocol):
    def close(self) -> None: ...
    def up_to_date(self) -> bool: ...
    def doc_count(self) -> int: ...
    def doc_count_all(self) -> int: ...
    def doc_frequency(self, fieldname: str, text: str) -> int: ...
    def avg_field_length(self, fieldname: str, default: float | None = None) -> float: ...
    def stored_fields(self, docnum: int) -> dict[str, str]: ...
    def leaf_searchers(self) -> list[tuple[_Searcher, int]]: ...
    def reader(self) -> _Reader: ...


class _Writer(Protocol):
    def update_document(self, **fields: str) -> None: ...
    def delete_by_term(self, fieldname: str, text: str) -> None: ...
    def cancel(self) -> None: ...
    def commit(self, *, optimize: bool = False) -> None: ...


class _Schema(Protocol):
    def names(self) -> list[str]: ...


class _Index(Protocol):
    @property
    def schema(self) -> _Schema: ...
    def writer(self, *, timeout: float, limitmb: int) -> _Writer: ...
    def searcher(self) -> _Searcher: ...


class PreparedTokenizer(_Tokenizer):
    """The ``content`` field's analyser: "heading\\x1ebody" → weighted stems.

    Positions are not kept (stage 2 reads the stored words), so the field is a Frequency
    field and a term's weight in a passage is the sum of its occurrences' weights.
    """

    def __init__(self, heading_weight: float = HEADING_WEIGHT) -> None:
        self.heading_weight = heading_weight

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PreparedTokenizer) and other.heading_weight == self.heading_weight

    def __hash__(self) -> int:
        return hash(("PreparedTokenizer", self.heading_weight))

    def __call__(
        self,
        value: object,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=True, mode=kwargs.get("mode", ""))
        terms: list[tuple[str, float]] | None = getattr(value, "terms", None)
        if terms is None:  # plain text: analyse it here
            heading, _sep, body = str(value).partition(_FIELD_SEPARATOR)
            if not _sep:
                heading, body = "", heading
            terms = [
                *((stem, self.heading_weight) for stem in with_acronyms(prepare(heading)[1])),
                *((stem, 1.0) for stem in with_acronyms(prepare(body)[1])),
            ]
        for pos, (text, weight) in enumerate(terms):
            token.text = text
            token.boost = weight
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


class _Prepared(str):
    """The ``content`` field's value with its terms already computed by ``add``."""

    terms: list[tuple[str, float]]


def schema() -> Schema:
    return Schema(
        passage_id=ID(stored=True, unique=True),
        document_id=ID(stored=True),
        kind=ID(stored=True),
        indicator=ID(stored=True),
        status=STORED(),
        locator=STORED(),
        title=STORED(),
        heading=STORED(),
        body=STORED(),
        # Content words as written and their stems, space-separated and aligned, for
        # stage 2 (no tokenizer to run again).
        heading_words=STORED(),
        heading_stems=STORED(),
        body_words=STORED(),
        body_stems=STORED(),
        content=TEXT(analyzer=PreparedTokenizer(), phrase=False),
    )


class WhooshIndex:
    """knowledge.search.SearchIndex on a whoosh file index."""

    def __init__(self, directory: str | os.PathLike[str], ranking: Ranking = RANKING) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ranking = ranking
        self._lock = threading.RLock()
        self._searcher: _Searcher | None = None
        self._lengths: dict[int, tuple[object, list[float]]] = {}
        self._ix = self._open()

    def _open(self) -> _Index:
        directory = str(self.directory)
        if whoosh_index.exists_in(directory, indexname=INDEX_NAME):
            try:
                existing: _Index = whoosh_index.open_dir(directory, indexname=INDEX_NAME)
                if sorted(existing.schema.names()) == sorted(schema().names()):
                    return existing
            except Exception:  # an index written by an older version of this module
                pass
            log.warning(
                "search index in %s has an old layout: emptied, run `kb reindex`", directory
            )
        return _create(directory)

    def _writer(self) -> _Writer:
        try:
            return self._ix.writer(timeout=WRITER_TIMEOUT, limitmb=256)
        except LockError as error:
            raise IndexBusy(f"search index locked by another writer: {error}") from error

    def add(self, documents: Iterable[SearchDocument]) -> int:
        # The same passage twice in one call: the last one wins (whoosh's update only
        # replaces what was committed before).
        latest = {doc.passage_id: doc for doc in documents}
        count = 0
        writer = self._writer()
        try:
            for doc in latest.values():
                stored = stored_fields(doc)
                content = _Prepared(f"{doc.heading}{_FIELD_SEPARATOR}{doc.text}")
                content.terms = content_terms(stored)
                writer.update_document(**stored, content=content)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return count

    def delete_document(self, document_id: int) -> None:
        writer = self._writer()
        try:
            writer.delete_by_term("document_id", str(document_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def clear(self) -> None:
        with self._lock:
            self._close_searcher()
            self._ix = _create(str(self.directory))

    def count(self) -> int:
        with self._lock:
            return self._current().doc_count()

    def documents(self) -> dict[int, int]:
        # The document_id terms and their document frequencies: one entry per document,
        # without reading any passage (deleted passages are not counted).
        with self._lock:
            reader = self._current().reader()
            found: dict[int, int] = {}
            for term in reader.field_terms("document_id"):
                live = sum(1 for _ in reader.postings("document_id", term).all_ids())
                if live:
                    found[int(term)] = live
            return found

    def optimize(self) -> None:
        writer = self._writer()
        writer.commit(optimize=True)

    def passages(self, passage_ids: list[int]) -> list[Hit]:
        # Each id's posting read from the leaves' term index (whoosh's document_number
        # parses and runs a query: a hundred times slower).
        with self._lock:
            searcher = self._current()
            leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
            hits = []
            for passage_id in dict.fromkeys(passage_ids):
                term = str(int(passage_id))
                docnum = next(
                    (
                        ids[0] + offset
                        for reader, offset in leaves
                        for ids, _weights in _postings(reader, "passage_id", term)
                        if ids
                    ),
                    None,
                )
                if docnum is not None:
                    hits.append(plain_hit(searcher.stored_fields(docnum)))
            return hits

    # --- searching -----------------------------------------------------------------------

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._lengths.clear()

    def _current(self) -> _Searcher:
        """The open searcher, refreshed when the index changed (another process may
        have written): opening one per query costs more than the query."""
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses the readers of unchanged segments, and
            # those keep their old deletions (a replaced passage would still be found).
            self._close_searcher()
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        return self._searcher

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        if query.empty:
            return [], 0
        with self._lock:
            searcher = self._current()
            return self._search(searcher, query, filters, max(1, limit))

    def _search(
        self, searcher: _Searcher, query: QueryPlan, filters: Filters, limit: int
    ) -> tuple[list[Hit], int]:
        ranking = self.ranking
        if searcher.doc_count() == 0:
            return [], 0
        # Document frequencies count deleted passages until whoosh merges their segment:
        # so does this total, and idf stays positive.
        total_docs = searcher.doc_count_all()
        if total_docs == 0:
            return [], 0
        concepts = concepts_of(query)
        mass = weigh(concepts, lambda stem: searcher.doc_frequency("content", stem), total_docs)
        avg_length = searcher.avg_field_length("content", 1.0) or 1.0

        accumulated = self._candidates(searcher, concepts, query, filters, mass, avg_length)
        matched = len(accumulated)
        if not accumulated:
            return [], 0
        keep = max(ranking.candidates, 2 * limit)
        best = heapq.nlargest(keep, accumulated, key=accumulated.__getitem__)
        question = question_of(query, concepts, mass)
        hits = rerank(
            ((docnum, searcher.stored_fields(docnum)) for docnum in best),
            question,
            avg_length,
            limit,
            ranking,
        )
        return hits, max(matched, len(hits))

    def _candidates(
        self,
        searcher: _Searcher,
        concepts: dict[str, Concept],
        query: QueryPlan,
        filters: Filters,
        mass: float,
        avg_length: float,
    ) -> dict[int, float]:
        """Stage 1: {docnum: partial BM25 score} over the index's leaves."""
        ranking = self.ranking
        k1 = ranking.k1
        chosen = stage_one_terms(concepts, ranking)
        accumulated: dict[int, float] = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            allowed = _allowed(reader, filters)
            if allowed is not None and not allowed:
                continue
            norms = self._norms(reader, avg_length)
            get = accumulated.get
            for concept in chosen:
                scale = concept.idf * (k1 + 1.0)
                for ids, weights in _postings(reader, "content", concept.stem):
                    if allowed is not None:
                        pairs = [(d, w) for d, w in zip(ids, weights, strict=False) if d in allowed]
                        ids, weights = [d for d, _w in pairs], [w for _d, w in pairs]
                    if offset:
                        for docnum, weight in zip(ids, weights, strict=False):
                            key = docnum + offset
                            accumulated[key] = get(key, 0.0) + scale * weight / (
                                weight + norms[docnum]
                            )
                    else:  # one segment: the common case, the hot loop
                        for docnum, weight in zip(ids, weights, strict=False):
                            accumulated[docnum] = get(docnum, 0.0) + scale * weight / (
                                weight + norms[docnum]
                            )
            bonus = ranking.code_bonus * mass
            for code in query.indicators:
                for ids, _weights in _postings(reader, "indicator", code):
                    for docnum in ids:
                        if allowed is None or docnum in allowed:
                            key = docnum + offset
                            accumulated[key] = get(key, 0.0) + bonus
        return accumulated

    def _norms(self, reader: _Reader, avg_length: float) -> list[float]:
        """k1 × (1 - b + b × length / average) of every document of a leaf, cached while
        the searcher lives (a refreshed searcher recomputes them)."""
        cached = self._lengths.get(id(reader))
        if cached is not None and cached[0] is reader:
            return cached[1]
        k1, b = self.ranking.k1, self.ranking.b
        norms = [
            k1 * (1.0 - b + b * (reader.doc_field_length(docnum, "content", 0) or 0) / avg_length)
            for docnum in range(reader.doc_count_all())
        ]
        self._lengths[id(reader)] = (reader, norms)
        return norms


def _create(directory: str) -> _Index:
    """A new, empty index in ``directory`` (one there before is replaced)."""
    created: _Index = whoosh_index.create_in(directory, schema(), indexname=INDEX_NAME)
    return created


def _allowed(reader: _Reader, filters: Filters) -> set[int] | None:
    """Document numbers of a leaf that the filters let through (None: all of them)."""
    allowed: set[int] | None = None
    for name, value in (
        ("kind", filters.kind),
        ("document_id", str(filters.document_id) if filters.document_id else None),
        ("indicator", filters.indicator),
    ):
        if not value:
            continue
        ids = {docnum for block, _weights in _postings(reader, name, value) for docnum in block}
        allowed = ids if allowed is None else allowed & ids
    return allowed


def _postings(
    reader: _Reader, field: str, text: str
) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """(ids, weights) blocks of a term's postings in one leaf, deleted documents left out.

    whoosh's on-disk matcher is read a block at a time (its block decoding, not its
    per-posting methods); any other matcher, posting by posting.
    """
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return
    deleted: set[int] | frozenset[int] = frozenset()
    if isinstance(matcher, FilterMatcher):  # the leaf has deleted documents
        deleted = matcher._ids
        matcher = matcher.child
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            if deleted:
                kept = [(i, w) for i, w in zip(ids, weights, strict=False) if i not in deleted]
                ids, weights = [i for i, _w in kept], [w for _i, w in kept]
            yield ids, weights
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():
        docnum = matcher.id()
        if docnum not in deleted:
            ids.append(docnum)
            weights.append(matcher.weight())
        matcher.next()
    yield ids, weights
