"""Reading reviews: the signatories, their latest positions, the register of reserves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db import db_session
from app.models import CarriedPoint, Membership, ReviewPosition, Section, User, iso
from workflows.permissions import Role
from workflows.review import Position, RegisterItem, open_items

# The API's words for a position (issue 14's contract), and back.
API_POSITIONS: dict[str, Position] = {
    "accord": Position.ACCORD,
    "reserves": Position.RESERVES,
    "desaccord": Position.DESACCORD,
}
POSITION_API_NAMES: dict[Position, str] = {v: k for k, v in API_POSITIONS.items()}


def signatories(session: Session, convention_id: int) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.convention_id == convention_id, Membership.role == Role.SIGNATAIRE)
            .options(joinedload(Membership.organisation), joinedload(Membership.user))
            .order_by(Membership.id)
        )
    )


def latest_positions(session: Session, section_id: int, number: int) -> dict[int, ReviewPosition]:
    """The last position of each party on one revision (membership id -> position)."""
    rows = session.scalars(
        select(ReviewPosition)
        .where(ReviewPosition.section_id == section_id, ReviewPosition.revision_number == number)
        .options(joinedload(ReviewPosition.membership), joinedload(ReviewPosition.author))
        .order_by(ReviewPosition.id)
    )
    return {p.membership_id: p for p in rows}


def acting_membership(session: Session, user: User, convention_id: int) -> Membership | None:
    """The signatory membership a user speaks for: personal first, else their organisation's."""
    personal = session.scalar(
        select(Membership).where(
            Membership.convention_id == convention_id, Membership.user_id == user.id
        )
    )
    if personal is not None:
        return personal if personal.role is Role.SIGNATAIRE else None
    membership = session.scalar(
        select(Membership).where(
            Membership.convention_id == convention_id,
            Membership.organisation_id == user.organisation_id,
        )
    )
    return membership if membership and membership.role is Role.SIGNATAIRE else None


@dataclass(frozen=True)
class SectionReview:
    party: str
    position: ReviewPosition | None


def review_of(section: Section) -> list[SectionReview]:
    """Each signatory and its position on the current revision (None: not given yet)."""
    session = db_session()
    current = section.current_revision
    positions = latest_positions(session, section.id, current.number) if current else {}
    return [
        SectionReview(m.party_name, positions.get(m.id))
        for m in signatories(session, section.convention_id)
    ]


def register(convention_id: int) -> list[RegisterItem]:
    """Every open reserve and disagreement on the sections' current revisions."""
    session = db_session()
    sections = session.scalars(
        select(Section)
        .where(Section.convention_id == convention_id)
        .options(joinedload(Section.current_revision))
    )
    carried = dict(
        session.execute(
            select(CarriedPoint.position_id, CarriedPoint.note).where(
                CarriedPoint.convention_id == convention_id, CarriedPoint.position_id.is_not(None)
            )
        ).all()
    )
    items = []
    for section in sections:
        if section.current_revision is None:
            continue
        for position in latest_positions(
            session, section.id, section.current_revision.number
        ).values():
            items.append(
                RegisterItem(
                    position.membership.party_name,
                    section.title,
                    position.position,
                    position.text,
                    section.current_revision.number,
                    carried.get(position.id, ""),
                )
            )
    return open_items(items)


def review_json(section: Section) -> dict[str, Any]:
    """A section's review as the API gives it: its state, its current revision and each
    signatory's latest position on that revision (``position`` null: not given yet)."""
    session = db_session()
    current = section.current_revision
    positions = latest_positions(session, section.id, current.number) if current else {}
    parties = []
    for membership in signatories(session, section.convention_id):
        given = positions.get(membership.id)
        parties.append(
            {
                "membership_id": membership.id,
                "party": membership.party_name,
                "position": POSITION_API_NAMES[given.position] if given else None,
                "text": given.text if given else "",
                "author": given.author.name if given else None,
                "created_at": iso(given.created_at) if given else None,
            }
        )
    return {
        "section_id": section.id,
        "state": section.state.value,
        "revision": current.number if current else None,
        "positions": parties,
    }


def register_json(convention_id: int) -> list[dict[str, Any]]:
    """The register of reserves and disagreements, as the API gives it."""
    return [
        {
            "party": item.party,
            "section": item.section,
            "position": POSITION_API_NAMES[item.position],
            "text": item.text,
            "revision": item.revision,
            "carried_note": item.carried,
        }
        for item in register(convention_id)
    ]
