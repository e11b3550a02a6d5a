"""The assistant's chat page: the user's conversation (the last ``KEEP_EXCHANGES``, kept
in the database), a model's answer streamed to the page as it is written (no script),
and an answer asked from a section offered as a contribution."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, stream_template, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from app import errors
from app.assistant import operations, queries
from app.assistant.forms import ProposeForm, QuestionForm
from app.contributions.operations import create_contribution
from app.forms import EmptyForm, submitted
from app.models import Section
from app.webutil import back
from knowledge.assistant.limits import MAX_QUESTION_CHARS
from workflows.contributions import assisted_rationale, with_addition
from workflows.conventions import parse_id
from workflows.errors import InvalidInput

bp = Blueprint("assistant", __name__)

# A citation as the assistant writes it: "[2]" or "[1, 3]".
_CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def source_url(source: dict[str, Any]) -> str:
    return (
        url_for("kb.document", document_id=source["document_id"])
        + f"#passage-{source['passage_id']}"
    )


def answer_html(text: str, sources: list[dict[str, Any]], prefix: str = "") -> Markup:
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
    return Markup(linked.replace("\n", "<br>\n"))  # noqa: S704 - escaped above, links built here


def _stream_html(
    events: Iterator[dict[str, Any]], sources: list[dict[str, Any]]
) -> Iterator[Markup]:
    # CitationFilter never splits a citation between two pieces: each can be linked.
    for event in events:
        if event["event"] == "token":
            yield answer_html(event["text"], sources)


def _page_context(section: Section | None) -> dict[str, Any]:
    exchanges = queries.conversation(g.user.id)
    asked_from = {ex["section"]["id"] for ex in exchanges if ex.get("section")}
    return {
        "exchanges": exchanges,
        "proposable": queries.proposable(g.user, asked_from | ({section.id} if section else set())),
        "section": section,
        "convention": section.convention if section else None,
        "answer_html": answer_html,
        "source_url": source_url,
        "max_chars": MAX_QUESTION_CHARS,
        "keep": operations.KEEP_EXCHANGES,
    }


def _section_from(raw: str | None) -> Section | None:
    """The section a question is asked from, if any, which the user must be able to see."""
    if raw in (None, ""):
        return None
    section_id = parse_id(raw)
    if section_id is None:
        raise InvalidInput("Section invalide.")
    return queries.context_of(g.user, section_id=section_id)[1]


@bp.route("/assistant", methods=["GET", "POST"])
def page() -> ResponseReturnValue:
    if request.method == "GET":
        section = _section_from(request.args.get("section_id"))
        return render_template("assistant/assistant.html", **_page_context(section))
    form = submitted(QuestionForm())
    section = _section_from(form.section_id.data)
    errors.back_to(url_for("assistant.page", section_id=section.id if section else None))
    question = queries.clean_question(form.question.data)
    facts = queries.facts_of(section.convention, section) if section else None
    events = queries.assistant().stream(
        question, context=section.title if section else None, facts=facts
    )
    start = next(events)  # retrieval and calculation run before the page starts
    # The page is rendered after this view returns, once the request's database session
    # is closed: what the page reads of the user and the section is loaded now.
    _ = g.user.organisation.name, section.convention.title if section else None
    final: dict[str, Any] = {}  # the whole answer, once streamed: its suggestion follows it
    remembered = _remember_at_end(events, g.user.id, question, section, final)
    return stream_template(
        "assistant/assistant.html",
        **_page_context(section),
        pending={"question": question, **start},
        stream=_stream_html(remembered, start["sources"]),
        final=final,
    )


def _remember_at_end(
    events: Iterator[dict[str, Any]],
    user_id: int,
    question: str,
    section: Section | None,
    final: dict[str, Any],
) -> Iterator[dict[str, Any]]:
    for event in events:
        if event["event"] == "end":
            final.update(event["result"])
            operations.remember(
                user_id,
                queries.exchange_of(question, event["result"], section),
                section.id if section else None,
            )
        yield event


@bp.post("/sections/<int:section_id>/assistant/proposition")
def propose(section_id: int) -> ResponseReturnValue:
    """A suggested wording becomes a contribution of the user, marked as drafted with the
    assistant and added at the end of the section's current text; the section itself
    changes only when a drafter accepts it."""
    form = submitted(ProposeForm())
    errors.back_to(url_for("assistant.page", section_id=section_id))
    current = g.section.current_revision
    contribution = create_contribution(
        section_id,
        g.user,
        current.number if current else 0,
        with_addition(current.body if current else "", form.text.data),
        assisted_rationale(form.question.data),
        assisted=True,
    )
    return back(
        url_for("contributions.show", contribution_id=contribution.id),
        f"Contribution n° {contribution.id} proposée à partir de l'assistant : "
        "les rédacteurs l'accepteront ou la rejetteront.",
        "success",
    )


@bp.post("/assistant/effacer")
def clear() -> ResponseReturnValue:
    submitted(EmptyForm())
    operations.forget(g.user.id)
    return redirect(url_for("assistant.page"), 303)
