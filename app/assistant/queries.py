"""The drafting assistant in the application: this application's assistant (its search
index, its corpus statistics, the chat model ``COSIGNE_LLM`` names), asking it from a
convention or a section the user may see, and reading the user's conversation.

The answering itself is ``knowledge.assistant`` (LangChain, no Flask). ``COSIGNE_LLM``
(or the ``ASSISTANT_LLM`` setting, which tests set to a chat model object) chooses the
model; unset, the assistant is extractive and needs no network.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import current_app
from langchain_core.language_models import BaseChatModel
from sqlalchemy import func, select

from app.access import role_of
from app.assistant.operations import KEEP_EXCHANGES, carry_over_file
from app.db import db_session
from app.kb.queries import index
from app.models import AssistantExchange, Convention, KbPassage, Section, User
from knowledge.assistant.chain import MAX_QUESTION_CHARS, RETRIEVE, Assistant
from knowledge.assistant.model import chat_model_from_spec
from knowledge.assistant.retrieval import CorpusStats, PassageRetriever
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.lifecycle import contributions_open
from workflows.permissions import Action, can

log = logging.getLogger(__name__)

STATS_VERSION = 1  # bump when knowledge.assistant.understanding.terms changes how it reads words


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
            stats = CorpusStats(stored["frequencies"], stored["passages"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    if stats is None:
        rows = session.execute(select(KbPassage.heading, KbPassage.text))
        stats = CorpusStats.from_texts(f"{heading}\n{text}" for heading, text in rows)
        _write_json(
            path, {"key": key, "passages": stats.passages, "frequencies": stats.frequencies}
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


# --- operations ----------------------------------------------------------------------------


def clean_question(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Posez une question.")
    question = " ".join(raw.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidInput(f"La question dépasse {MAX_QUESTION_CHARS} caractères.")
    return question


def context_of(
    user: User | None, convention_id: int | None = None, section_id: int | None = None
) -> tuple[Convention | None, Section | None]:
    """The convention and section a question is asked from, checked against the user's
    right to see them (NotFound, Forbidden, InvalidInput)."""
    session = db_session()
    section = convention = None
    if section_id is not None:
        section = session.get(Section, section_id)
        if section is None:
            raise NotFound("Section introuvable.")
        if convention_id is not None and section.convention_id != convention_id:
            raise InvalidInput("Cette section n'appartient pas à cette convention.")
        convention_id = section.convention_id
    if convention_id is not None:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        if user is None or not can(role_of(user, convention.id), Action.VIEW):
            raise Forbidden("Vous ne participez pas à cette convention.")
    return convention, section


def ask(
    question: object,
    user: User | None = None,
    convention_id: int | None = None,
    section_id: int | None = None,
) -> dict[str, Any]:
    """Answer one question, from a convention or section the user can see."""
    text = clean_question(question)
    convention, section = context_of(user, convention_id, section_id)
    # The section's title tells what a short request ("aide-moi à rédiger cette
    # partie") is about.
    answer = assistant().ask(text, context=section.title if section else None)
    answer["context"] = {
        "convention_id": convention.id if convention else None,
        "section_id": section.id if section else None,
    }
    return answer


def conversation(user_id: int) -> list[dict[str, Any]]:
    """The user's last exchanges, oldest first."""
    carry_over_file(user_id)
    rows = db_session().scalars(
        select(AssistantExchange)
        .where(AssistantExchange.user_id == user_id)
        .order_by(AssistantExchange.id.desc())
        .limit(KEEP_EXCHANGES)
    )
    exchanges = []
    for row in reversed(list(rows)):
        exchange = dict(row.content)
        if row.section_id is None:  # asked from no section, or the section is gone
            exchange["section"] = None
        else:
            section = db_session().get(Section, row.section_id)
            exchange["section"] = {"id": section.id, "title": section.title} if section else None
        exchanges.append(exchange)
    return exchanges


def exchange_of(question: str, answer: dict[str, Any], section: Section | None) -> dict[str, Any]:
    return {
        "question": question,
        "asked_at": time.time(),
        "section": {"id": section.id, "title": section.title} if section else None,
        "answer": answer["answer"],
        "found": answer["found"],
        "mode": answer["mode"],
        "indicator": (answer.get("indicator") or {}).get("code"),
        "calculation": answer.get("calculation"),
        "suggestion": answer.get("suggestion"),
        "sources": [
            {k: s.get(k) for k in ("n", "title", "locator", "document_id", "passage_id", "quote")}
            for s in answer.get("sources") or []
        ],
    }


def proposable(user: User, section_ids: set[int]) -> set[int]:
    """Of these sections, those the user may now propose a contribution to."""
    if not section_ids:
        return set()
    allowed = set()
    for section in db_session().scalars(select(Section).where(Section.id.in_(section_ids))):
        role = role_of(user, section.convention_id)
        if can(role, Action.PROPOSE) and contributions_open(section.convention.state):
            allowed.add(section.id)
    return allowed
