"""Hybrid search: the French BM25 of a search backend, fused with dense vectors.

``HybridIndex`` wraps any ``SearchIndex`` (whoosh or PostgreSQL) and a ``VectorSource``
and is itself a ``SearchIndex``, so nothing upstream changes (the assistant's
``PassageRetriever``, the search page, the API). A question is searched both ways:

- BM25 (the backend's two stages), exactly as without vectors, ``limit`` hits;
- dense: the question embedded by the same model as the passages, its nearest passages
  by cosine similarity (``VectorMatrix.nearest``).

The two rankings are fused by weighted reciprocal rank fusion, score(p) = 1/(k + rank
in BM25) + w/(k + rank in dense), k = 60 (Cormack et al. 2009), the dense weight w
measured on the development question sets (bench/bench_vectors.py). BM25's first
``KEEP`` hits stay first, in their order: on a question's exact words (an indicator's
code, a date, a named text) BM25 is precise, and the assistant's ranking was built on
it; the dense side brings what BM25 misses below them, paraphrases ("signer" for a
passage on "signataires"). A passage only the dense side found is read from the
backend by ``passages(ids)`` and filtered as the backend would have.

If the model fails (an endpoint down) or no passage has a vector yet, the search is
BM25's alone, and says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from knowledge.search.index import Filters, SearchIndex
from knowledge.search.query import QueryPlan
from knowledge.search.vectors import Embedder, VectorSource
from knowledge.types import Hit, SearchDocument

log = logging.getLogger(__name__)

RRF_K = 60
# Measured on bench/questions/dev.jsonl and dev-b.jsonl with the default model
# (bench/bench_vectors.py): 0.75 finds the expected source in the first five hits for 2
# more questions of dev-b and loses none anywhere; 1.0 and more lose one of dev. The
# assistant's checks (../shared/eval/score.py, dev + dev-b): 363 of 422 with BM25
# alone, 364 at 0.25 and 0.75, 363 at 1.0, 362 at 1.5.
DENSE_WEIGHT = 0.75
KEEP = 3  # BM25's first hits, kept first
DENSE_DEPTH = 2  # the dense side reads DENSE_DEPTH × limit nearest passages


def fuse(
    lexical: list[int],
    dense: list[int],
    weight: float = DENSE_WEIGHT,
    k: int = RRF_K,
    keep: int = KEEP,
) -> list[int]:
    """Passage ids by weighted reciprocal rank fusion, BM25's first ``keep`` first."""
    scores: dict[int, float] = {}
    for rank, passage_id in enumerate(lexical, 1):
        scores[passage_id] = scores.get(passage_id, 0.0) + 1.0 / (k + rank)
    if weight > 0:
        for rank, passage_id in enumerate(dense, 1):
            scores[passage_id] = scores.get(passage_id, 0.0) + weight / (k + rank)
    lexical_rank = {p: r for r, p in enumerate(lexical)}
    dense_rank = {p: r for r, p in enumerate(dense)}
    pinned = list(dict.fromkeys(lexical[:keep]))
    rest = sorted(
        (p for p in scores if p not in pinned),
        key=lambda p: (
            -scores[p],
            lexical_rank.get(p, len(lexical)),
            dense_rank.get(p, len(dense)),
            p,
        ),
    )
    return pinned + rest


def _allowed(hit: Hit, filters: Filters) -> bool:
    return (
        (not filters.kind or hit.kind == filters.kind)
        and (filters.document_id is None or hit.document_id == filters.document_id)
        and (not filters.indicator or hit.indicator == filters.indicator)
    )


class HybridIndex:
    """A SearchIndex: ``base``'s BM25 fused with the dense vectors of ``vectors``."""

    def __init__(
        self,
        base: SearchIndex,
        embeddings: Embedder,
        vectors: VectorSource,
        weight: float = DENSE_WEIGHT,
        k: int = RRF_K,
        keep: int = KEEP,
    ) -> None:
        self.base = base
        self.embeddings = embeddings
        self.vectors = vectors
        self.weight = weight
        self.k = k
        self.keep = keep

    # --- the projection: the backend's (vectors are kept by their own store) ------------

    def add(self, documents: Iterable[SearchDocument]) -> int:
        return self.base.add(documents)

    def delete_document(self, document_id: int) -> None:
        self.base.delete_document(document_id)

    def clear(self) -> None:
        self.base.clear()

    def count(self) -> int:
        return self.base.count()

    def documents(self) -> dict[int, int]:
        return self.base.documents()

    def optimize(self) -> None:
        self.base.optimize()

    def passages(self, passage_ids: list[int]) -> list[Hit]:
        return self.base.passages(passage_ids)

    # --- searching -----------------------------------------------------------------------

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        limit = max(1, limit)
        hits, total = self.base.search(query, filters, limit)
        if self.weight <= 0:
            return hits, total
        try:
            matrix = self.vectors.matrix()
            if not len(matrix):
                return hits, total
            vector = self.embeddings.embed_query(query.text)
        except Exception:  # an endpoint down, a model that cannot load: BM25 still answers
            log.exception("dense search unavailable: BM25 results alone")
            return hits, total
        nearest = matrix.nearest(vector, DENSE_DEPTH * limit)
        similarity = dict(nearest)
        order = fuse(
            [h.passage_id for h in hits], [p for p, _s in nearest], self.weight, self.k, self.keep
        )
        by_id = {h.passage_id: h for h in hits}
        lexical = set(by_id)
        wanted = [p for p in order if p not in by_id]
        if wanted:
            by_id.update(
                (h.passage_id, h) for h in self.base.passages(wanted) if _allowed(h, filters)
            )
        fused: list[Hit] = []
        previous: float | None = None
        for passage_id in order:
            hit = by_id.get(passage_id)
            if hit is None:
                continue
            # Scores stay in the list's order: a passage the dense side brought takes
            # the score of the one above it (the search page shows scores).
            score = hit.score if passage_id in lexical else None
            if score is None:
                score = previous if previous is not None else round(similarity[passage_id], 4)
            elif previous is not None:
                score = min(score, previous)
            previous = score
            extra = dict(hit.extra)
            if passage_id in similarity:
                extra["dense"] = round(similarity[passage_id], 4)
            fused.append(replace(hit, score=score, extra=extra))
            if len(fused) >= limit:
                break
        return fused, max(total, len(fused))
