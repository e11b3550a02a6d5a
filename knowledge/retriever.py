"""Passages of the knowledge base as LangChain documents, and what the corpus says of words.

``PassageRetriever`` is a langchain-core ``BaseRetriever`` over any
``knowledge.search.SearchIndex`` (whoosh or PostgreSQL): each hit becomes a ``Document``
whose ``page_content`` is the passage text and whose metadata carries what a citation
needs (title, kind, status, locator, document and passage ids, indicator, score,
excerpt).

``CorpusStats`` counts in how many passages each content stem occurs, so that the
assistant weighs the words of a question by how telling they are (a word found in
every passage says little; one found nowhere says the question is elsewhere).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge.search import DEFAULT_LIMIT, Filters, SearchIndex, search
from knowledge.types import Hit
from knowledge.understanding import terms


def hit_to_document(hit: Hit) -> Document:
    return Document(
        page_content=hit.text,
        id=str(hit.passage_id),
        metadata={
            "passage_id": hit.passage_id,
            "document_id": hit.document_id,
            "title": hit.title,
            "kind": hit.kind,
            "status": hit.status,
            "locator": hit.locator,
            "indicator": hit.indicator,
            "score": hit.score,
            "excerpt": hit.excerpt,
        },
    )


class PassageRetriever(BaseRetriever):
    """Best passages of the search index for a question, as LangChain documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any  # a knowledge.search.SearchIndex (a Protocol, so not checked by pydantic)
    k: int = DEFAULT_LIMIT
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        index: SearchIndex = self.index
        hits, _total = search(index, query, self.filters, self.k)
        return [hit_to_document(hit) for hit in hits]


class CorpusStats:
    """Document frequencies of content stems over the passages of the knowledge base."""

    def __init__(self, frequencies: dict[str, int] | None = None, passages: int = 0) -> None:
        self.frequencies = frequencies or {}
        self.passages = passages

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CorpusStats:
        counts: Counter[str] = Counter()
        total = 0
        for text in texts:
            counts.update(set(terms(text)))
            total += 1
        return cls(dict(counts), total)

    def idf(self, stem: str) -> float:
        """BM25's inverse document frequency (always positive); 1.0 without statistics."""
        if not self.passages:
            return 1.0
        df = self.frequencies.get(stem, 0)
        return math.log(1 + (self.passages - df + 0.5) / (df + 0.5))

    def known(self, stem: str) -> bool:
        return self.frequencies.get(stem, 0) > 0
