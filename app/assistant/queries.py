"""The drafting assistant in the application: asking it from a convention or a section
the user may see, and reading the user's conversation.

The answering itself is ``knowledge.assistant`` (LangChain, no Flask); this
application's assistant object is built in ``app.assistant.engine``, imported on the
first question.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.access import role_of
from app.assistant.operations import KEEP_EXCHANGES, carry_over_file
from app.db import db_session
from app.models import AssistantExchange, Convention, IndicatorValue, Section, User
from knowledge.assistant.limits import MAX_QUESTION_CHARS
from knowledge.assistant.numbers import cells_apart
from workflows.conventions import KIND_LABELS, ORGANISATION_KIND_LABELS
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.lifecycle import contributions_open
from workflows.permissions import ROLE_LABELS, Action, Role, can, may_take_part

if TYPE_CHECKING:
    from knowledge.assistant.chain import Assistant
    from knowledge.assistant.drafting import ConventionFacts


def assistant() -> Assistant:
    """This application's assistant (one per process and model setting)."""
    # Imported on first use: it loads LangChain (see app.assistant.engine).
    from app.assistant import engine  # noqa: PLC0415

    return engine.assistant()


# --- operations ----------------------------------------------------------------------------


def clean_question(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Posez une question.")
    # A table pasted from a spreadsheet keeps its cells apart ("400<tab>410" is not 400 410).
    question = " ".join(cells_apart(raw).split())
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


def facts_of(
    convention: Convention | None, section: Section | None = None
) -> ConventionFacts | None:
    """What Cosigne knows of the convention a question is asked from, for a draft:
    organisme, period, the other parties with their roles, the targets entered."""
    # Imported here: knowledge.assistant loads LangChain (see app.assistant.engine).
    from knowledge.assistant.drafting import ConventionFacts, Party, TargetFact  # noqa: PLC0415

    if convention is None:
        return None
    parties = []
    for membership in sorted(convention.memberships, key=lambda m: m.id):
        organisation = membership.organisation
        if organisation is None or organisation.id == convention.organisme_id:
            continue
        if membership.role not in (Role.SIGNATAIRE, Role.ASSOCIE):
            continue
        party = Party(
            organisation.name,
            ROLE_LABELS[Role(membership.role)],
            ORGANISATION_KIND_LABELS.get(organisation.kind, ""),
        )
        if party not in parties:
            parties.append(party)
    targets = db_session().scalars(
        select(IndicatorValue)
        .where(IndicatorValue.convention_id == convention.id, IndicatorValue.kind == "cible")
        .order_by(IndicatorValue.code, IndicatorValue.year, IndicatorValue.scope)
    )
    organisme = convention.organisme
    return ConventionFacts(
        title=convention.title,
        kind=KIND_LABELS.get(convention.kind, ""),
        organisme=organisme.name,
        organisme_kind=ORGANISATION_KIND_LABELS.get(organisme.kind, ""),
        start_year=convention.start_year,
        end_year=convention.end_year,
        section=section.title if section else "",
        parties=tuple(parties),
        targets=tuple(TargetFact(t.code, t.year, t.value, t.scope) for t in targets),
    )


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
    answer = assistant().ask(
        text, context=section.title if section else None, facts=facts_of(convention, section)
    )
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
        if (
            can(role, Action.PROPOSE)
            and contributions_open(section.convention.state, section.convention.lifecycle)
            and may_take_part(user.organisation.kind, section.concertation)
        ):
            allowed.add(section.id)
    return allowed
