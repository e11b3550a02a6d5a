"""The drafting assistant in the application: operations, CLI, JSON API and chat page.

The answering itself is knowledge.assistant (LangChain, no Flask); this module gives it
the search index and the corpus statistics of this application, checks who may ask
about which convention, and keeps each user's conversation.

- ``flask --app app assistant ask [--json] [QUESTION]``: without QUESTION, one question
  per line on standard input and one answer per line on standard output (JSON with
  ``--json``), flushed after each, as ``../shared/eval/score.py`` drives it.
- ``POST /api/assistant/ask`` ``{"question", "convention_id"?, "section_id"?}``.
- ``/assistant``: the chat page. The conversation (the last ``KEEP_EXCHANGES``) is kept
  per user in the database (not the session cookie, which answers with their sources
  would overflow, nor a file, which each application server would have its own of). A
  model's answer is streamed to the page as it is written, without JavaScript. An
  answer asked from a section offers its wording as a contribution (``propose``).

``COSIGNE_LLM`` (or the ``ASSISTANT_LLM`` setting, which tests set to a chat model
object) chooses the model; unset, the assistant is extractive and needs no network.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    stream_template,
    url_for,
)
from flask.cli import AppGroup
from markupsafe import Markup, escape
from sqlalchemy import delete, func, select

from app import csrf, kb, queries
from app.db import db_session, write_transaction
from app.models import AssistantExchange, Convention, KbPassage, Section, User
from app.operations import NotFound, StateRefused
from app.webutil import back, require_csrf
from knowledge.assistant.chain import MAX_QUESTION_CHARS, RETRIEVE, Assistant
from knowledge.assistant.model import chat_model_from_spec
from knowledge.assistant.retrieval import CorpusStats, PassageRetriever
from workflows.contributions import assisted_rationale, with_addition
from workflows.conventions import parse_id
from workflows.errors import InvalidInput, TooLarge
from workflows.lifecycle import contributions_open
from workflows.permissions import Action, can

log = logging.getLogger(__name__)

KEEP_EXCHANGES = 20
STATS_VERSION = 1  # bump when knowledge.assistant.understanding.terms changes how it reads words

bp = Blueprint("assistant", __name__)
assistant_group = AppGroup("assistant", help="Assistant de rédaction : questions à la base.")


class AccessDenied(Exception):
    """The user may not see the convention or section the question is asked from."""


# --- the assistant of this application -----------------------------------------------------


def corpus_stats() -> CorpusStats:
    """Word statistics of the stored passages, recounted when passages change."""
    session = db_session()
    key = session.execute(select(func.count(KbPassage.id), func.max(KbPassage.id))).one()
    key = [STATS_VERSION, int(key[0] or 0), int(key[1] or 0)]
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
    llm = None
    if isinstance(setting, str):
        if setting:
            try:
                llm = chat_model_from_spec(setting)
            except Exception as error:  # a missing provider package, a bad spec
                log.warning("COSIGNE_LLM=%s inutilisable (%s) : réponses extraites", setting, error)
    elif setting:
        llm = setting  # a chat model object (tests)
    retriever = PassageRetriever(index=kb.index(), k=RETRIEVE)
    built = Assistant(retriever, stats=corpus_stats, llm=llm)  # type: ignore[arg-type]
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
    right to see them (NotFound, AccessDenied, InvalidInput)."""
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
        if user is None or not can(queries.role_of(user, convention.id), Action.VIEW):
            raise AccessDenied("Vous ne participez pas à cette convention.")
    return convention, section


def ask(
    question: str,
    user: User | None = None,
    convention_id: int | None = None,
    section_id: int | None = None,
) -> dict:
    """Answer one question, from a convention or section the user can see."""
    question = clean_question(question)
    convention, section = context_of(user, convention_id, section_id)
    # The section's title tells what a short request ("aide-moi à rédiger cette
    # partie") is about.
    answer = assistant().ask(question, context=section.title if section else None)
    answer["context"] = {
        "convention_id": convention.id if convention else None,
        "section_id": section.id if section else None,
    }
    return answer


# --- command line --------------------------------------------------------------------------


def _print_answer(answer: dict, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(answer["answer"] + "\n")
        for source in answer.get("sources") or []:
            sys.stdout.write(f"  [{source['n']}] {source['title']} — {source['locator']}\n")
        if answer.get("sources"):
            sys.stdout.write("\n")
    sys.stdout.flush()


def _failure(question: str, error: Exception) -> dict:
    return {
        "answer": f"Erreur : {error}",
        "found": False,
        "mode": "extractive",
        "indicator": None,
        "calculation": None,
        "sources": [],
        "question": question,
        "error": str(error),
    }


@assistant_group.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Une réponse JSON par question.")
def ask_command(question: str | None, as_json: bool) -> None:
    """Pose QUESTION à l'assistant ; sans QUESTION, lit une question par ligne."""
    if question is not None:
        try:
            answer = assistant().ask(clean_question(question))
        except InvalidInput as exc:
            raise click.ClickException(str(exc)) from None
        _print_answer(answer, as_json)
        return
    helper = assistant()
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        try:
            answer = helper.ask(clean_question(text))
        except Exception as exc:  # one bad question must not stop the others
            log.exception("question refusée : %s", text)
            answer = _failure(text, exc)
        _print_answer(answer, as_json)


# --- JSON API ------------------------------------------------------------------------------


def _optional_id(payload: dict, name: str) -> int | None:
    raw = payload.get(name)
    if raw is None or raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        abort(400, f"{name} doit être un identifiant entier positif.")
    return value


@bp.post("/api/assistant/ask")
@csrf.exempt  # bearer-token only, like the rest of the API (app.access)
def api_ask():  # type: ignore[no-untyped-def]
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, 'Corps JSON attendu : {"question": "...", "section_id": 12}.')
    convention_id = _optional_id(payload, "convention_id")
    section_id = _optional_id(payload, "section_id")
    try:
        return jsonify(ask(payload.get("question"), g.user, convention_id, section_id))
    except InvalidInput as exc:
        abort(400, str(exc))
    except NotFound as exc:
        abort(404, str(exc))
    except AccessDenied as exc:
        abort(403, str(exc))


# --- the conversation ----------------------------------------------------------------------


def _carry_over_file(user_id: int) -> None:
    """A conversation kept by an earlier version in ``<data dir>/assistant/<id>.json``
    moves into the database once, then the file goes."""
    path = Path(current_app.config["DATA_DIR"]) / "assistant" / f"{int(user_id)}.json"
    if not path.is_file():
        return
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = []
    with write_transaction() as session:
        for exchange in kept[-KEEP_EXCHANGES:] if isinstance(kept, list) else []:
            if isinstance(exchange, dict):
                section = exchange.get("section") or {}
                section_id = section.get("id") if isinstance(section, dict) else None
                if section_id is not None and session.get(Section, section_id) is None:
                    section_id = None
                session.add(
                    AssistantExchange(user_id=user_id, section_id=section_id, content=exchange)
                )
    path.unlink(missing_ok=True)


def conversation(user_id: int) -> list[dict]:
    """The user's last exchanges, oldest first."""
    _carry_over_file(user_id)
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


def remember(user_id: int, exchange: dict, section_id: int | None = None) -> None:
    """Add an exchange to the user's conversation, keeping the last KEEP_EXCHANGES."""
    mine = AssistantExchange.user_id == user_id
    with write_transaction() as session:
        session.add(AssistantExchange(user_id=user_id, section_id=section_id, content=exchange))
        session.flush()
        oldest_kept = session.scalar(
            select(AssistantExchange.id)
            .where(mine)
            .order_by(AssistantExchange.id.desc())
            .offset(KEEP_EXCHANGES - 1)
            .limit(1)
        )
        if oldest_kept is not None:
            session.execute(
                delete(AssistantExchange).where(mine, AssistantExchange.id < oldest_kept)
            )


def forget(user_id: int) -> None:
    with write_transaction() as session:
        session.execute(delete(AssistantExchange).where(AssistantExchange.user_id == user_id))


def _exchange(question: str, answer: dict, section: Section | None) -> dict:
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


# --- the chat page -------------------------------------------------------------------------

_CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def source_url(source: dict) -> str:
    return (
        url_for("kb.document", document_id=source["document_id"])
        + f"#passage-{source['passage_id']}"
    )


def answer_html(text: str, sources: list[dict], prefix: str = "") -> Markup:
    """The answer, escaped, with line breaks and each [n] linked to its passage."""
    by_number = {s.get("n"): s for s in sources}

    def link(match: re.Match[str]) -> str:
        links = []
        for raw in match.group(1).split(","):
            source = by_number.get(int(raw))
            if source is None:
                continue
            title = escape(f"{source.get('title')} — {source.get('locator')}")
            links.append(f'<a href="{escape(source_url(source))}" title="{title}">[{int(raw)}]</a>')
        return " ".join(links)

    escaped = str(escape(text))
    linked = _CITATION.sub(link, escaped)
    return Markup(linked.replace("\n", "<br>\n"))


def _stream_html(events: Iterator[dict], sources: list[dict]) -> Iterator[Markup]:
    # CitationFilter never splits a citation between two pieces: each can be linked.
    for event in events:
        if event["event"] == "token":
            yield answer_html(event["text"], sources)


def _proposable(section_ids: set[int]) -> set[int]:
    """Of these sections, those the user may now propose a contribution to."""
    if not section_ids:
        return set()
    allowed = set()
    for section in db_session().scalars(select(Section).where(Section.id.in_(section_ids))):
        role = queries.role_of(g.user, section.convention_id)
        if can(role, Action.PROPOSE) and contributions_open(section.convention.state):
            allowed.add(section.id)
    return allowed


def _page_context(section: Section | None) -> dict:
    exchanges = conversation(g.user.id)
    asked_from = {ex["section"]["id"] for ex in exchanges if ex.get("section")}
    return {
        "exchanges": exchanges,
        "proposable": _proposable(asked_from | ({section.id} if section else set())),
        "section": section,
        "convention": section.convention if section else None,
        "answer_html": answer_html,
        "source_url": source_url,
        "max_chars": MAX_QUESTION_CHARS,
        "keep": KEEP_EXCHANGES,
    }


def _section_from(raw: object) -> Section | None:
    section_id = parse_id(raw) if raw not in (None, "") else None
    if raw not in (None, "") and section_id is None:
        abort(400, "Section invalide.")
    try:
        return context_of(g.user, section_id=section_id)[1]
    except NotFound as exc:
        abort(404, str(exc))
    except AccessDenied as exc:
        abort(403, str(exc))


@bp.route("/assistant", methods=["GET", "POST"])
def page():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        section = _section_from(request.args.get("section_id"))
        return render_template("assistant.html", **_page_context(section))
    section = _section_from(request.form.get("section_id"))
    target = url_for("assistant.page", section_id=section.id if section else None)
    try:
        question = clean_question(request.form.get("question"))
    except InvalidInput as exc:
        return back(target, str(exc))
    events = assistant().stream(question, context=section.title if section else None)
    start = next(events)  # retrieval and calculation run before the page starts
    # The page is rendered after this view returns, once the request's database session
    # is closed: what the page reads of the user and the section is loaded now.
    _ = g.user.organisation.name, section.convention.title if section else None
    final: dict = {}  # the whole answer, once streamed: its suggestion follows it
    remembered = _remember_at_end(events, g.user.id, question, section, final)
    return stream_template(
        "assistant.html",
        **_page_context(section),
        pending={"question": question, **start},
        stream=_stream_html(remembered, start["sources"]),
        final=final,
    )


def _remember_at_end(
    events: Iterator[dict], user_id: int, question: str, section: Section | None, final: dict
) -> Iterator[dict]:
    for event in events:
        if event["event"] == "end":
            final.update(event["result"])
            remember(
                user_id,
                _exchange(question, event["result"], section),
                section.id if section else None,
            )
        yield event


@bp.post("/sections/<int:section_id>/assistant/proposition")
def propose(section_id: int):  # type: ignore[no-untyped-def]
    """A suggested wording becomes a contribution of the user, marked as drafted with the
    assistant and added at the end of the section's current text; the section itself
    changes only when a drafter accepts it."""
    from app.contributions import create_contribution

    require_csrf()
    current = g.section.current_revision
    try:
        body = with_addition(current.body if current else "", request.form.get("text"))
        contribution = create_contribution(
            section_id,
            g.user,
            current.number if current else 0,
            body,
            assisted_rationale(request.form.get("question")),
            assisted=True,
        )
    except (StateRefused, TooLarge, InvalidInput) as exc:
        return back(url_for("assistant.page", section_id=section_id), str(exc))
    return back(
        url_for("contributions.show", contribution_id=contribution.id),
        f"Contribution n° {contribution.id} proposée à partir de l'assistant : "
        "les rédacteurs l'accepteront ou la rejetteront.",
        "success",
    )


@bp.post("/assistant/effacer")
def clear():  # type: ignore[no-untyped-def]
    require_csrf()
    forget(g.user.id)
    return redirect(url_for("assistant.page"), 303)
