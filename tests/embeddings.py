"""A small deterministic embedding model for the hybrid search's tests: words of one
concept (synonyms, paraphrases) share a dimension, any other word gets one of its own
(hashed), so that "paraphe" and "signataires" are close without a single letter in
common, and BM25 cannot see it."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

from langchain_core.embeddings import Embeddings

DIMENSION = 64
CONCEPTS = {
    "signature": ("signer", "signe", "signataires", "signataire", "paraphe", "parapher"),
    "contract": ("contrat", "contrats", "accord", "accords", "convention"),
    "tenant": ("locataire", "locataires", "occupant", "occupants"),
}
_WORD = re.compile(r"[a-z]+")
_STOP = {"le", "la", "les", "de", "des", "du", "un", "une", "qui", "et", "l", "d", "a", "sont"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _dimension(word: str) -> int:
    for number, (_name, words) in enumerate(CONCEPTS.items()):
        if word in words:
            return number
    digest = hashlib.sha256(word.encode()).digest()
    return len(CONCEPTS) + int.from_bytes(digest[:4], "big") % (DIMENSION - len(CONCEPTS))


class ConceptEmbeddings(Embeddings):
    """Bag of concepts, L2-normalised. ``calls`` counts the texts embedded."""

    name = "test/concepts"

    def __init__(self) -> None:
        self.calls = 0

    def _embed(self, text: str) -> list[float]:
        self.calls += 1
        vector = [0.0] * DIMENSION
        for word in _WORD.findall(_fold(text)):
            if word not in _STOP:
                vector[_dimension(word)] += 1.0
        length = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / length for x in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)
