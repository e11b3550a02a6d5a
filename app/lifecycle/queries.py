"""Reading the lifecycle: the facts its guards judge, why a step would be refused, the
signatures, and the deadlines with their status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db import db_session
from app.models import Convention, Membership, Section, Signature, User, iso
from app.review.queries import signatories
from workflows.lifecycle import (
    DEADLINE_LABELS,
    ConventionFacts,
    Deadline,
    SectionFacts,
    check_transition,
    deadline_done,
    deadline_status,
    fingerprint,
    signing_open,
)
from workflows.permissions import (
    Role,
    SigningParty,
    parties_to_sign_for,
    why_no_signature,
)


def local_date(moment: datetime) -> date:
    """The day ``moment`` falls on where the users are (COSIGNE_TIMEZONE)."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def transmitted_on(convention: Convention) -> date | None:
    """The day the convention was last sent to the préfet (None: not known)."""
    return local_date(convention.transmitted_at) if convention.transmitted_at else None


def organisme_membership(session: Session, convention: Convention) -> Membership | None:
    """The organisme's own membership: the party that signs for the organisme (every
    convention has it: the organisme cannot be removed nor stop drafting)."""
    return session.scalar(
        select(Membership)
        .where(
            Membership.convention_id == convention.id,
            Membership.organisation_id == convention.organisme_id,
        )
        .options(joinedload(Membership.organisation))
    )


def signing_parties(session: Session, convention: Convention) -> list[Membership]:
    """Every party that signs: the organisme first, then the signatories."""
    organisme = organisme_membership(session, convention)
    return ([organisme] if organisme else []) + signatories(session, convention.id)


def speaks_for(user: User, membership: Membership) -> bool:
    """The user signs for this party: it is them, or their organisation."""
    if membership.user_id is not None:
        return membership.user_id == user.id
    return membership.organisation_id == user.organisation_id


def parties_as_seen_by(session: Session, convention: Convention, user: User) -> list[SigningParty]:
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention.id)
        )
    )
    return [
        SigningParty(
            id=m.id,
            name=m.party_name,
            organisme=m.organisation_id == convention.organisme_id,
            own=speaks_for(user, m),
            signed=m.id in signed,
        )
        for m in signing_parties(session, convention)
    ]


@dataclass(frozen=True)
class SigningForm:
    """What the signatures block offers this user: the lines they may sign for (their
    own first), or why there are none."""

    choices: list[SigningParty]
    reason: str | None  # when ``choices`` is empty


def signing_form(convention: Convention, user: User, role: Role | None) -> SigningForm:
    parties = parties_as_seen_by(db_session(), convention, user)
    choices = parties_to_sign_for(role, parties)
    return SigningForm(choices, None if choices else why_no_signature(role, parties))


def facts(session: Session, convention: Convention, today: date) -> ConventionFacts:
    sections = session.scalars(
        select(Section).where(Section.convention_id == convention.id).order_by(Section.position)
    )
    parties = signatories(session, convention.id)
    organisme = organisme_membership(session, convention)
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention.id)
        )
    )
    everyone = [*parties, organisme] if organisme else parties
    return ConventionFacts(
        state=convention.state,
        sections=tuple(
            SectionFacts(s.title, s.mandatory, s.state.value, s.current_revision_id is not None)
            for s in sections
        ),
        signatories=tuple(m.party_name for m in parties),
        signed_by=frozenset(m.party_name for m in everyone if m.id in signed),
        start_year=convention.start_year,
        today=today,
        organisme=organisme.party_name if organisme else None,
    )


def refusals(convention: Convention, to: str, today: date | None = None) -> list[str]:
    """Why each transition would be refused, for the page to explain before any click."""
    return check_transition(facts(db_session(), convention, today or date.today()), to)


def signatures(convention_id: int) -> list[Signature]:
    return list(
        db_session().scalars(
            select(Signature)
            .where(Signature.convention_id == convention_id)
            .options(joinedload(Signature.membership), joinedload(Signature.recorded_by))
            .order_by(Signature.signed_on)
        )
    )


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    status: str  # done | late | soon | later


def deadlines_of(convention: Convention, today: date | None = None) -> list[DeadlineView]:
    today = today or date.today()
    views = []
    for key, label in DEADLINE_LABELS.items():
        due = getattr(convention, f"{key}_deadline")
        if due is None:
            continue
        deadline = Deadline(key, label, due, deadline_done(key, convention.state))
        views.append(DeadlineView(deadline, deadline_status(deadline, today)))
    return views


def signed_sections(convention: Convention) -> list[tuple[str, str]] | None:
    """The title and text of each section as signed, to show them formatted: the
    convention's sections, when they still give the signed text exactly (signing
    freezes them, so they do; None otherwise, and the page shows the signed text)."""
    sections = [
        (s.title, s.current_revision.body if s.current_revision else "")
        for s in db_session().scalars(
            select(Section)
            .where(Section.convention_id == convention.id)
            .options(joinedload(Section.current_revision))
            .order_by(Section.position, Section.id)
        )
    ]
    text, _ = fingerprint(convention.title, sections)
    return sections if text == convention.signed_text else None


# --- the shapes the API gives -------------------------------------------------------------


def signatures_json(convention: Convention) -> dict[str, Any]:
    """The signatures recorded, and every signatory with whether it has signed (the
    ``membership_id`` to sign for), as the convention's page shows them."""
    found = signatures(convention.id)
    signed = {s.membership_id for s in found}
    return {
        "signing_open": signing_open(convention.state),
        "transmitted_on": day.isoformat() if (day := transmitted_on(convention)) else None,
        "signatures": [
            {
                "id": s.id,
                "membership_id": s.membership_id,
                "party": s.membership.party_name,
                "signed_on": s.signed_on.isoformat(),
                "signer": s.signer,
                "recorded_by": s.recorded_by.name,
                "created_at": iso(s.created_at),
            }
            for s in found
        ],
        "signatories": [
            {
                "membership_id": m.id,
                "party": m.party_name,
                "organisme": m.organisation_id == convention.organisme_id,
                "signed": m.id in signed,
            }
            for m in signing_parties(db_session(), convention)
        ],
    }


def deadlines_json(convention: Convention, today: date | None = None) -> list[dict[str, Any]]:
    """Each deadline the convention may have, set or not (``due`` null), with its status
    (done, late, soon: within 30 days, later)."""
    shown = {v.deadline.key: v for v in deadlines_of(convention, today)}
    result = []
    for key, label in DEADLINE_LABELS.items():
        view = shown.get(key)
        result.append(
            {
                "key": key,
                "label": label,
                "due": view.deadline.due.isoformat() if view else None,
                "done": view.deadline.done if view else deadline_done(key, convention.state),
                "status": view.status if view else None,
            }
        )
    return result
