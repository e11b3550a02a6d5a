"""Deadline reminders: at 30 days, at 7 days and when a deadline is reached or passed,
each once, to those who have something left to do for it.

Once per (convention, deadline, due date, stage): the reminder's ``ScheduledRun`` row
and its notifications are written in one transaction, and a second worker doing the same
hits the unique constraint and rolls back. A deadline moved to another date gets its
reminders anew (the due date is in the key); one set 5 days ahead gets the 7-day
reminder only (``workflows.notifications.reminder_stage``); a deadline met (its phase
is past) gets none.

Who has something left to do (those the reminder would otherwise bother are spared):
- association (the collectivités' contributions close): the drafters, who run it, and
  the associés, whose contributions it awaits;
- transmission to the préfet: the drafters, who alone transmit;
- signature: the drafters and, of the signatories, the people of each party that has
  not signed yet (a party that signed is done with it).
Observateurs are told only of what they chose (``notify`` applies it).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import db_session, write_transaction
from app.lifecycle.queries import deadlines_of
from app.models import Convention, Membership, ScheduledRun, Signature, User, utcnow
from app.notifications import audience
from app.notifications.operations import notify
from workflows.lifecycle import Deadline
from workflows.notifications import Kind, reminder_stage, reminder_text
from workflows.permissions import Role

log = logging.getLogger(__name__)

JOB = "rappel-echeance"


def today(now: datetime) -> date:
    return now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def period_key(convention_id: int, deadline: Deadline, stage: int) -> str:
    return f"{convention_id}:{deadline.key}:{deadline.due.isoformat()}:{stage}"


def concerned(session: Session, convention_id: int, key: str) -> set[int]:
    """Those who have something left to do for the deadline ``key`` (module docstring)."""
    roles = audience.roles_of_members(session, convention_id)
    drafters = audience.having(roles, Role.REDACTEUR)
    if key == "association":
        return drafters | audience.having(roles, Role.ASSOCIE)
    if key == "signature":
        return drafters | _unsigned_signatories(session, convention_id, roles)
    return drafters


def _unsigned_signatories(session: Session, convention_id: int, roles: dict[int, Role]) -> set[int]:
    signers = audience.having(roles, Role.SIGNATAIRE)
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention_id)
        )
    )
    unsigned = session.scalars(
        select(Membership).where(
            Membership.convention_id == convention_id,
            Membership.role == Role.SIGNATAIRE,
            Membership.id.not_in(signed or [-1]),
        )
    ).all()
    personal = {m.user_id for m in unsigned if m.user_id is not None}
    organisations = {m.organisation_id for m in unsigned if m.organisation_id is not None}
    # A personal membership speaks for its holder alone (effective_role: it wins over
    # the organisation's), so a person with one is not counted through the organisation.
    with_personal = set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.convention_id == convention_id, Membership.user_id.is_not(None)
            )
        )
    )
    through_organisation = set(
        session.scalars(
            select(User.id).where(
                User.id.in_(signers or [-1]), User.organisation_id.in_(organisations or [-1])
            )
        )
    )
    return signers & (personal | (through_organisation - with_personal))


def run_due(now: datetime | None = None) -> int:
    """Every reminder due at ``now`` not sent yet: the number of reminders written."""
    now = now or utcnow()
    day = today(now)
    session = db_session()
    conventions = session.scalars(
        select(Convention)
        .where(
            or_(
                Convention.association_deadline.is_not(None),
                Convention.transmission_deadline.is_not(None),
                Convention.signature_deadline.is_not(None),
            )
        )
        .order_by(Convention.id)
    ).all()
    due: list[tuple[int, str, Deadline, int]] = []
    for convention in conventions:
        for view in deadlines_of(convention, day):
            stage = reminder_stage(view.deadline.due, day)
            if view.deadline.done or stage is None:
                continue
            due.append((convention.id, convention.title, view.deadline, stage))
    done = set(
        session.scalars(
            select(ScheduledRun.period).where(
                ScheduledRun.job == JOB,
                ScheduledRun.period.in_([period_key(c, d, s) for c, _t, d, s in due] or [""]),
            )
        )
    )
    session.rollback()
    written = 0
    for convention_id, title, deadline, stage in due:
        key = period_key(convention_id, deadline, stage)
        if key in done:
            continue
        if _remind(convention_id, title, deadline, stage, day, key):
            written += 1
    return written


def _remind(
    convention_id: int, title: str, deadline: Deadline, stage: int, day: date, key: str
) -> bool:
    try:
        with write_transaction() as session:
            session.add(ScheduledRun(job=JOB, period=key))
            session.flush()  # the unique key first: a second worker stops here
            users = concerned(session, convention_id, deadline.key)
            notify(
                session,
                Kind.DEADLINE,
                users,
                reminder_text(deadline.label, deadline.due, stage, day),
                link=f"/conventions/{convention_id}#echeances",
                convention_id=convention_id,
            )
    except IntegrityError:
        return False  # another worker sent this reminder
    log.info("Rappel d'échéance %s (%s) : %s", key, title, deadline.label)
    return True
