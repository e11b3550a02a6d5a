"""The shared corpus indexed once for the assistant's tests: a whoosh index and the
corpus statistics, and an extractive assistant over them."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from knowledge.assistant.chain import Assistant
from knowledge.assistant.retrieval import CorpusStats, PassageRetriever
from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages
from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.types import SearchDocument
from tests.corpus import CORPUS


def _index_corpus(directory: Path):
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    documents, texts = [], []
    passage_id = 0
    for document_id, entry in enumerate(manifest["documents"], 1):
        path = CORPUS / entry["file"]
        for passage in split_passages(extract(path.name, path.read_bytes())):
            passage_id += 1
            heading = " › ".join(passage.heading_path)
            documents.append(
                SearchDocument(
                    passage_id=passage_id,
                    document_id=document_id,
                    title=entry["title"],
                    kind=entry["kind"],
                    status="en_vigueur",
                    locator=passage.locator,
                    heading=heading,
                    text=passage.text,
                    indicator=passage.indicator,
                )
            )
            texts.append(f"{heading}\n{passage.text}")
    index = WhooshIndex(directory)
    index.add(documents)
    return index, CorpusStats.from_texts(texts)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    if not (CORPUS / "manifest.json").is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return _index_corpus(tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def extractive(corpus):
    index, stats = corpus
    return Assistant(PassageRetriever(index=index, k=12), stats)


class RecordingFakeModel(GenericFakeChatModel):
    """GenericFakeChatModel that also keeps the messages it was sent."""

    seen: list = []

    def _generate(self, messages, *args, **kwargs):
        self.seen.append(messages)
        return super()._generate(messages, *args, **kwargs)

    def _stream(self, messages, *args, **kwargs):
        self.seen.append(messages)
        yield from super()._stream(messages, *args, **kwargs)


def fake_model(text: str) -> RecordingFakeModel:
    """A chat model that answers ``text`` to every call and records what it was sent."""
    return RecordingFakeModel(messages=itertools.repeat(AIMessage(content=text)), seen=[])
