"""The whoosh backend of knowledge.search (package whoosh-reloaded, pinned).

A file index in ``<data dir>/index``. Several gunicorn workers share it safely: whoosh
writes a new segment and switches the table of contents atomically, so a reader sees
either the old or the new index, never half of one; a second writer waits for the lock
(``WRITER_TIMEOUT``) instead of failing at once, whoosh's default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.query import And, Or, Phrase, Term

from knowledge.analysis import fold, is_stop, stem, tokens
from knowledge.query import QueryPlan
from knowledge.search import Filters
from knowledge.types import Hit, SearchDocument

WRITER_TIMEOUT = 60.0  # seconds a writer waits for another one to finish
INDEX_NAME = "passages"


class FrenchTokenizer(Tokenizer):
    """Words with elisions split, stop words dropped, accent-folded, optionally stemmed.

    One class does the whole chain so that positions count content words only (phrase
    queries then match "taux de vacance" as the adjacent terms taux, vacance) and
    character offsets point into the original text for highlighting.
    """

    def __init__(self, stemming: bool) -> None:
        self.stemming = stemming

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchTokenizer) and other.stemming == self.stemming

    def __hash__(self) -> int:
        return hash(("FrenchTokenizer", self.stemming))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,  # type: ignore[no-untyped-def]
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        pos = start_pos
        for word, start, end in tokens(value):
            if is_stop(word):
                continue
            token.text = stem(word) if self.stemming else fold(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            pos += 1
            yield token


STEMMED = FrenchTokenizer(stemming=True)
EXACT = FrenchTokenizer(stemming=False)


def schema() -> Schema:
    return Schema(
        passage_id=ID(stored=True, unique=True),
        document_id=ID(stored=True),
        kind=ID(stored=True),
        indicator=ID(stored=True),
        status=STORED(),
        locator=STORED(),
        title=TEXT(analyzer=STEMMED, stored=True, field_boost=2.5),
        heading=TEXT(analyzer=STEMMED, stored=True, field_boost=2.0),
        body=TEXT(analyzer=STEMMED, stored=True),
        # Unstemmed forms: exact words and phrases outrank Snowball's look-alikes.
        exact=TEXT(analyzer=EXACT, field_boost=1.5, phrase=True),
    )


class WhooshIndex:
    """knowledge.search.SearchIndex on a whoosh file index."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(self.directory), indexname=INDEX_NAME):
            self._ix = whoosh_index.open_dir(str(self.directory), indexname=INDEX_NAME)
        else:
            self._ix = whoosh_index.create_in(str(self.directory), schema(), indexname=INDEX_NAME)

    def _writer(self):  # type: ignore[no-untyped-def]
        return self._ix.writer(timeout=WRITER_TIMEOUT, limitmb=256)

    def add(self, documents: Iterable[SearchDocument]) -> int:
        count = 0
        writer = self._writer()
        try:
            for doc in documents:
                writer.update_document(
                    passage_id=str(doc.passage_id),
                    document_id=str(doc.document_id),
                    kind=doc.kind,
                    indicator=doc.indicator or "",
                    status=doc.status,
                    locator=doc.locator,
                    title=doc.title,
                    heading=doc.heading,
                    body=doc.text,
                    exact=f"{doc.title}\n{doc.heading}\n{doc.text}",
                )
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
        self._ix = whoosh_index.create_in(str(self.directory), schema(), indexname=INDEX_NAME)

    def count(self) -> int:
        with self._ix.searcher() as searcher:
            return searcher.doc_count()

    def _query(self, query: QueryPlan):  # type: ignore[no-untyped-def]
        clauses = []
        for term in query.terms:
            stemmed = stem(term)
            for field in ("title", "heading", "body"):
                clauses.append(Term(field, stemmed))
            clauses.append(Term("exact", fold(term)))
        for first, second in query.phrases:
            clauses.append(Phrase("exact", [fold(first), fold(second)], boost=2.0))
        for expansion in query.expansions:
            words = [fold(w) for w, _s, _e in tokens(expansion) if not is_stop(w)]
            if len(words) > 1:
                clauses.append(Phrase("exact", words, boost=1.5))
            elif words:
                clauses.append(Term("exact", words[0], boost=1.5))
        for code in query.indicators:
            clauses.append(Term("indicator", code, boost=8.0))
        return Or(clauses)

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        q = self._query(query)
        restrict = []
        if filters.kind:
            restrict.append(Term("kind", filters.kind))
        if filters.document_id:
            restrict.append(Term("document_id", str(filters.document_id)))
        if filters.indicator:
            restrict.append(Term("indicator", filters.indicator))
        filter_query = And(restrict) if restrict else None
        with self._ix.searcher(weighting=scoring.BM25F()) as searcher:
            results = searcher.search(q, limit=limit, filter=filter_query, terms=True)
            results.fragmenter = ContextFragmenter(maxchars=240, surround=80)
            results.formatter = HtmlFormatter(tagname="mark", classname="hl", termclass="t")
            hits = []
            for hit in results:
                text = hit["body"]
                excerpt = hit.highlights("body", text=text, top=2) or _plain_excerpt(text)
                hits.append(
                    Hit(
                        passage_id=int(hit["passage_id"]),
                        document_id=int(hit["document_id"]),
                        title=hit["title"],
                        kind=hit["kind"],
                        status=hit["status"],
                        locator=hit["locator"],
                        text=text,
                        excerpt=excerpt,
                        score=float(hit.score or 0.0),
                        indicator=hit["indicator"] or None,
                    )
                )
            # estimated_length() reads posting counts; len(results) would run the query
            # again to count every match.
            total = results.estimated_length() if hits else 0
        return hits, max(total, len(hits))


def _plain_excerpt(text: str, size: int = 240) -> str:
    from markupsafe import escape

    cut = text[:size]
    return str(escape(cut + ("…" if len(text) > size else "")))
