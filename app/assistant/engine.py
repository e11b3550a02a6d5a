"""This application's assistant object: its search index, its corpus statistics, the chat
model ``COSIGNE_LLM`` names (or the ``ASSISTANT_LLM`` setting, which tests set to a chat
model object; unset, the assistant is extractive and needs no network).

LangChain is imported here and nowhere else in ``app``; ``app.assistant.queries`` imports
this module on the first question, so a process that never answers one (a worker serving
pages, the command line's ``--help``) does not pay about a second for it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from flask import current_app
from langchain_core.language_models import BaseChatModel
from sqlalchemy import func, select

from app.db import db_session
from app.kb.queries import index
from app.models import KbPassage
from knowledge.assistant.chain import Assistant
from knowledge.assistant.limits import RETRIEVE
from knowledge.assistant.model import chat_model_from_spec
from knowledge.assistant.retrieval import CorpusStats, PassageRetriever

log = logging.getLogger(__name__)

STATS_VERSION = 4  # bump when knowledge.assistant.understanding.terms changes how it reads words


def corpus_stats() -> CorpusStats:
    """Word statistics of the stored passages, recounted when passages change."""
    session = db_session()
    count, last = session.execute(select(func.count(KbPassage.id), func.max(KbPassage.id))).one()
    key = [STATS_VERSION, int(count or 0), int(last or 0)]
    cached = current_app.extensions.get("cosigne_corpus_stats")
    if cached is not None and cached[0] == key:
        return cached[1]
    # Counting reads every passage: done once per state of the corpus and kept in the
    # data directory for the other processes (workers, command line).
    path = Path(current_app.config["DATA_DIR"]) / "assistant" / "corpus-stats.json"
    stats = None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("key") == key:
            stats = CorpusStats(stored["frequencies"], stored["passages"], stored["words"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    if stats is None:
        rows = session.execute(select(KbPassage.heading, KbPassage.text))
        stats = CorpusStats.from_texts(f"{heading}\n{text}" for heading, text in rows)
        _write_json(
            path,
            {
                "key": key,
                "passages": stats.passages,
                "frequencies": stats.frequencies,
                "words": sorted(stats.words),
            },
        )
    current_app.extensions["cosigne_corpus_stats"] = (key, stats)
    return stats


def _write_json(path: Path, data: object) -> None:
    """Write atomically: another process reads the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(temporary, path)


def _model_setting() -> object:
    configured = current_app.config.get("ASSISTANT_LLM")
    if configured is not None:
        return configured
    return os.environ.get("COSIGNE_LLM", "").strip()


def assistant() -> Assistant:
    """This application's assistant (one per process and model setting)."""
    setting = _model_setting()
    cached = current_app.extensions.get("cosigne_assistant")
    if cached is not None and (cached[0] is setting or cached[0] == setting):
        return cached[1]
    llm: BaseChatModel | None = None
    if isinstance(setting, BaseChatModel):
        llm = setting  # a chat model object (tests)
    elif isinstance(setting, str) and setting:
        try:
            llm = chat_model_from_spec(setting)
        except Exception as error:  # a missing provider package, a bad spec
            log.warning("COSIGNE_LLM=%s inutilisable (%s) : réponses extraites", setting, error)
    retriever = PassageRetriever(index=index(), k=RETRIEVE)
    built = Assistant(retriever, stats=corpus_stats, llm=llm)
    current_app.extensions["cosigne_assistant"] = (setting, built)
    return built
