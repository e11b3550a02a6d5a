"""Section review: each signatory's position on the current revision, the register of
open reserves and disagreements. Rules in workflows/review.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.db import db_session, write_transaction
from app.models import Membership, ReviewPosition, Revision, Section, User
from workflows.lifecycle import review_open
from workflows.permissions import Role
from workflows.review import (
    AGREEING_POSITIONS,
    POSITION_LABELS,
    RegisterItem,
    SectionState,
    clean_position,
    open_items,
    request_review,
    state_after_positions,
)


class ReviewRefused(Exception):
    """Refused by the convention's phase or the section's state (HTTP 409)."""


def party_name(membership: Membership) -> str:
    if membership.organisation is not None:
        return membership.organisation.name
    assert membership.user is not None
    return membership.user.name


def signatories(session: Session, convention_id: int) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.convention_id == convention_id, Membership.role == Role.SIGNATAIRE)
            .options(joinedload(Membership.organisation), joinedload(Membership.user))
            .order_by(Membership.id)
        )
    )


def _reviewed_state(session: Session, section: Section, parties: list[Membership]) -> SectionState:
    """The state the signatories' positions on the current revision give a section.
    Parties are told apart by their membership, not their name: two people of the same
    name signing personally are two signatories."""
    current = section.current_revision
    positions = latest_positions(session, section.id, current.number) if current else {}
    return state_after_positions(
        section.state,
        [str(m.id) for m in parties],
        {str(p.membership_id): p.position for p in positions.values()},
    )


def recheck_reviews(session: Session, convention_id: int, actor: User | None) -> list[Section]:
    """After the signatories changed: a section under review or validated is validated
    exactly when every signatory, as they now are, agrees with its current revision (a
    new signatory reopens the review of validated sections; a party leaving may close
    one). Returns the sections whose state changed, each recorded in the journal."""
    from app.models import Convention

    convention = session.get(Convention, convention_id)
    if convention is None or not review_open(convention.state):
        return []  # reviews are over at this stage: nobody could give the missing position
    parties = signatories(session, convention_id)
    changed = []
    for section in session.scalars(
        select(Section)
        .where(
            Section.convention_id == convention_id,
            Section.state.in_([SectionState.EN_REVUE, SectionState.VALIDEE]),
        )
        .with_for_update()  # as record_position: a position taken meanwhile waits
    ):
        state = _reviewed_state(session, section, parties)
        if state is section.state:
            continue
        section.state = state
        changed.append(section)
        summary = (
            f"« {section.title} » validée : tous les signataires sont d'accord"
            if state is SectionState.VALIDEE
            else f"« {section.title} » repasse en revue : un signataire n'a pas encore donné son accord"
        )
        audit.record(
            session, "revue_signataires", summary, actor, convention_id, "section", section.id
        )
    return changed


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


def on_new_revision(
    session: Session, section: Section, previous: Revision | None, author: User
) -> str | None:
    """A new text voids the positions taken on the previous one: back to draft, saying
    whose agreement was lost, and telling those parties."""
    from workflows.review import after_new_revision

    if previous is None or section.state is SectionState.BROUILLON:
        return None
    positions = latest_positions(session, section.id, previous.number)
    agreed = [p for p in positions.values() if p.position in AGREEING_POSITIONS]
    result = after_new_revision(
        section.state, [party_name(p.membership) for p in agreed], previous.number
    )
    section.state = result.state
    if result.message:
        users: set[int] = set()
        # Everyone who had taken a position on the old text, agreeing or not, is told
        # that it no longer applies.
        for position in positions.values():
            users |= audit.users_of_membership(session, position.membership)
        audit.notify(
            session,
            users - {author.id},
            f"« {section.title} » : {result.message}",
            f"/sections/{section.id}",
            section.convention_id,
        )
        audit.record(
            session,
            "revue_annulee",
            f"« {section.title} » : {result.message}",
            author,
            section.convention_id,
            "section",
            section.id,
        )
    return result.message


def ask_for_review(section_id: int, actor: User) -> Section:
    with write_transaction() as session:
        section = session.scalar(select(Section).where(Section.id == section_id).with_for_update())
        assert section is not None
        if not review_open(section.convention.state):
            raise ReviewRefused(
                "La relecture des sections se fait pendant l'association et la négociation."
            )
        section.state = request_review(section.state, section.current_revision is not None)
        parties = signatories(session, section.convention_id)
        users: set[int] = set()
        for membership in parties:
            users |= audit.users_of_membership(session, membership)
        number = section.current_revision.number  # type: ignore[union-attr]
        audit.notify(
            session,
            users,
            f"Relecture demandée : « {section.title} », révision {number}",
            f"/sections/{section.id}#revue",
            section.convention_id,
        )
        audit.record(
            session,
            "revue_demandee",
            f"Relecture demandée pour « {section.title} » (révision {number})",
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return section


def record_position(
    section_id: int,
    actor: User,
    position: str,
    text: str | None,
    revision_number: int | None = None,
) -> ReviewPosition:
    """Record the actor's party's position on the section's current revision."""
    chosen, cleaned = clean_position(position, text)
    with write_transaction() as session:
        section = session.scalar(select(Section).where(Section.id == section_id).with_for_update())
        assert section is not None
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        if not review_open(section.convention.state):
            raise ReviewRefused("Les positions se donnent pendant l'association et la négociation.")
        # Under review, or validated (a party may withdraw its agreement on the same text).
        if section.state is SectionState.BROUILLON:
            raise ReviewRefused("Cette section n'est pas en revue : aucune position à donner.")
        current = section.current_revision
        assert current is not None
        if revision_number is not None and revision_number != current.number:
            raise ReviewRefused(
                f"La section a changé : la révision actuelle est la {current.number}, "
                f"relisez-la avant de donner votre position."
            )
        membership = acting_membership(session, actor, section.convention_id)
        if membership is None:
            raise ReviewRefused("Seuls les signataires donnent une position sur les sections.")
        row = ReviewPosition(
            section_id=section.id,
            revision_number=current.number,
            membership_id=membership.id,
            author_id=actor.id,
            position=chosen,
            text=cleaned,
        )
        session.add(row)
        session.flush()
        section.state = _reviewed_state(
            session, section, signatories(session, section.convention_id)
        )
        name = party_name(membership)
        audit.record(
            session,
            "position",
            f"{name} : {POSITION_LABELS[chosen]} sur « {section.title} » "
            f"(révision {current.number})" + (f" — {cleaned}" if cleaned else ""),
            actor,
            section.convention_id,
            "section",
            section.id,
        )
        if section.state is SectionState.VALIDEE:
            audit.record(
                session,
                "section_validee",
                f"« {section.title} » validée par tous les signataires",
                actor,
                section.convention_id,
                "section",
                section.id,
            )
    return row


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
        SectionReview(party_name(m), positions.get(m.id))
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
    items = []
    for section in sections:
        if section.current_revision is None:
            continue
        for position in latest_positions(
            session, section.id, section.current_revision.number
        ).values():
            items.append(
                RegisterItem(
                    party_name(position.membership),
                    section.title,
                    position.position,
                    position.text,
                    section.current_revision.number,
                )
            )
    return open_items(items)
