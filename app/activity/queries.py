"""Reading the journal and the ledger of a convention, and building each user's inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, literal, select, union_all
from sqlalchemy.orm import defer, joinedload

from app.access import conventions_for
from app.audit import ACTION_LABELS
from app.db import db_session
from app.lifecycle.queries import DeadlineView, deadlines_of
from app.models import (
    Contribution,
    Convention,
    Event,
    Section,
    User,
    iso,
)
from app.review.queries import acting_membership, latest_positions
from workflows.contributions import ContributionState
from workflows.lifecycle import contributions_open
from workflows.permissions import Role
from workflows.review import SectionState

EVENTS_PAGE = 200
# Contributions to decide shown at once in the inbox (the count says how many there are).
INBOX_PAGE = 50


def events(
    convention_id: int,
    action: str | None = None,
    organisation_id: int | None = None,
    before_id: int | None = None,
    limit: int = EVENTS_PAGE,
) -> list[Event]:
    """The convention's events, newest first, optionally filtered; ``before_id`` pages."""
    query = (
        select(Event)
        .where(Event.convention_id == convention_id)
        .options(joinedload(Event.actor), joinedload(Event.organisation))
        .order_by(Event.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(Event.action == action)
    if organisation_id:
        query = query.where(Event.organisation_id == organisation_id)
    if before_id:
        query = query.where(Event.id < before_id)
    return list(db_session().scalars(query))


def event_actions(convention_id: int) -> list[str]:
    """The actions this convention's journal holds, for its filter. One probe of the
    (convention, action) index per known action, rather than a DISTINCT over every event:
    the cost stays flat as the journal grows."""
    probes = [
        select(literal(action).label("action")).where(
            exists().where(Event.convention_id == convention_id, Event.action == action)
        )
        for action in ACTION_LABELS
    ]
    found = set(db_session().scalars(select(union_all(*probes).subquery().c.action)))
    return [action for action in sorted(ACTION_LABELS) if action in found]


def ledger(convention_id: int) -> dict[str, list[Contribution]]:
    """Who contributed what, and what became of it: contributions by organisation."""
    rows = db_session().scalars(
        select(Contribution)
        .join(Section, Section.id == Contribution.section_id)
        .where(Section.convention_id == convention_id)
        .options(
            joinedload(Contribution.organisation),
            joinedload(Contribution.author),
            joinedload(Contribution.section),
        )
        .order_by(Contribution.id)
    )
    result: dict[str, list[Contribution]] = {}
    for contribution in rows:
        result.setdefault(contribution.organisation.name, []).append(contribution)
    return dict(sorted(result.items()))


@dataclass
class Inbox:
    to_decide: list[Contribution]  # one page of them, oldest first
    to_review: list[Section]
    deadlines: list[tuple[Convention, DeadlineView]]
    to_decide_total: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.to_decide_total // INBOX_PAGE))

    @property
    def count(self) -> int:
        return self.to_decide_total + len(self.to_review) + len(self.deadlines)


def inbox(user: User, today: date | None = None, page: int = 1) -> Inbox:
    """What awaits ``user``; the contributions to decide a page at a time (``page``, from 1):
    a drafter of a busy convention may have thousands."""
    session = db_session()
    memberships = conventions_for(user)
    # Contributions wait for a decision only while the phase takes decisions.
    drafting = [
        c.id
        for c, role in memberships
        if role is Role.REDACTEUR and contributions_open(c.state, c.lifecycle)
    ]
    signing = [c for c, role in memberships if role is Role.SIGNATAIRE]
    waiting = (
        select(Contribution)
        .join(Section, Section.id == Contribution.section_id)
        .where(
            Section.convention_id.in_(drafting or [-1]),
            Contribution.state == ContributionState.OUVERTE,
        )
    )
    total = session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // INBOX_PAGE)))
    to_decide = list(
        session.scalars(
            waiting.options(
                joinedload(Contribution.author),
                joinedload(Contribution.section).joinedload(Section.convention),
                defer(Contribution.body),
                defer(Contribution.paragraph_ids),
            )
            .order_by(Contribution.created_at, Contribution.id)
            .limit(INBOX_PAGE)
            .offset((page - 1) * INBOX_PAGE)
        )
    )
    to_review = []
    for convention in signing:
        membership = acting_membership(session, user, convention.id)
        if membership is None:
            continue
        for section in session.scalars(
            select(Section).where(
                Section.convention_id == convention.id, Section.state == SectionState.EN_REVUE
            )
        ):
            current = section.current_revision
            if current is None:  # under review: a text was given to review
                continue
            if membership.id not in latest_positions(session, section.id, current.number):
                to_review.append(section)
    deadlines = [
        (convention, view)
        for convention, _role in memberships
        for view in deadlines_of(convention, today)
        if view.status in ("late", "soon")
    ]
    return Inbox(to_decide, to_review, deadlines, total, page)


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": iso(event.created_at),
        "action": event.action,
        "actor": event.actor.name if event.actor else None,
        "organisation": event.organisation.name if event.organisation else None,
        "target": {"type": event.target_type, "id": event.target_id},
        "summary": event.summary,
    }
