"""Section review: each signatory's position on the current revision, and what a new
text or a change of signatories does to a review. Rules in workflows/review.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.db import write_transaction
from app.models import Convention, Membership, ReviewPosition, Revision, Section, User
from app.notifications.operations import notify, with_roles
from app.review.queries import acting_membership, latest_positions, signatories
from workflows.errors import Conflict, Forbidden, NotFound
from workflows.lifecycle import review_open
from workflows.notifications import Kind
from workflows.permissions import Role
from workflows.review import (
    AGREEING_POSITIONS,
    POSITION_LABELS,
    Position,
    SectionState,
    after_new_revision,
    clean_position,
    request_review,
    state_after_positions,
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
    convention = session.get(Convention, convention_id)
    if convention is None or not review_open(convention.state, convention.lifecycle):
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
        _tell_reviewed(session, section, summary, actor)
    return changed


def on_new_revision(
    session: Session, section: Section, previous: Revision | None, author: User
) -> str | None:
    """A new text voids the positions taken on the previous one: back to draft, saying
    whose agreement was lost, and telling those parties."""
    if previous is None or section.state is SectionState.BROUILLON:
        return None
    positions = latest_positions(session, section.id, previous.number)
    agreed = [p for p in positions.values() if p.position in AGREEING_POSITIONS]
    result = after_new_revision(
        section.state, [p.membership.party_name for p in agreed], previous.number
    )
    section.state = result.state
    if result.message:
        # Everyone who had taken a position on the old text, agreeing or not, is told
        # that it no longer applies, and so are the drafters.
        users = with_roles(session, section.convention_id, Role.REDACTEUR)
        for position in positions.values():
            users |= audit.users_of_membership(session, position.membership)
        notify(
            session,
            Kind.SECTION_REVIEWED,
            users,
            f"« {section.title} » : {result.message}",
            f"/sections/{section.id}#revue",
            section.convention_id,
            author,
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
        section = _lock_section(session, section_id)
        if not review_open(section.convention.state, section.convention.lifecycle):
            raise Conflict(
                f"La relecture des sections se fait {section.convention.lifecycle.review_words}."
            )
        section.state = request_review(section.state, section.current_revision is not None)
        assert section.current_revision is not None  # request_review refuses an empty one
        number = section.current_revision.number
        # Each signatory whose party has not yet taken position on this text.
        taken = latest_positions(session, section.id, number)
        users: set[int] = set()
        for membership in signatories(session, section.convention_id):
            if membership.id not in taken:
                users |= audit.users_of_membership(session, membership)
        notify(
            session,
            Kind.REVIEW_REQUESTED,
            users,
            f"Relecture demandée : « {section.title} », révision {number}",
            f"/sections/{section.id}#revue",
            section.convention_id,
            actor,
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
        section = _lock_section(session, section_id)
        actor = session.get(User, actor.id) or actor
        if not review_open(section.convention.state, section.convention.lifecycle):
            raise Conflict(f"Les positions se donnent {section.convention.lifecycle.review_words}.")
        # Under review, or validated (a party may withdraw its agreement on the same text).
        if section.state is SectionState.BROUILLON:
            raise Conflict("Cette section n'est pas en revue : aucune position à donner.")
        current = section.current_revision
        assert current is not None
        if revision_number is not None and revision_number != current.number:
            raise Conflict(
                f"La section a changé : la révision actuelle est la {current.number}, "
                f"relisez-la avant de donner votre position."
            )
        membership = acting_membership(session, actor, section.convention_id)
        if membership is None:
            raise Forbidden("Seuls les signataires donnent une position sur les sections.")
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
        name = membership.party_name
        told = with_roles(session, section.convention_id, Role.REDACTEUR)
        if chosen is Position.DESACCORD:
            # A disagreement concerns the other parties too: it may block the text.
            told |= with_roles(session, section.convention_id, Role.SIGNATAIRE)
        notify(
            session,
            Kind.POSITION,
            told,
            f"{name} : {POSITION_LABELS[chosen]} sur « {section.title} » "
            f"(révision {current.number})" + (f" — {cleaned}" if cleaned else ""),
            f"/sections/{section.id}#revue",
            section.convention_id,
            actor,
        )
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
            _tell_reviewed(
                session, section, f"« {section.title} » validée par tous les signataires", actor
            )
    return row


def _tell_reviewed(session: Session, section: Section, summary: str, actor: User | None) -> None:
    """A section validated, or back from validated: its drafters and signatories."""
    notify(
        session,
        Kind.SECTION_REVIEWED,
        with_roles(session, section.convention_id, Role.REDACTEUR, Role.SIGNATAIRE),
        summary,
        f"/sections/{section.id}#revue",
        section.convention_id,
        actor,
    )


def _lock_section(session: Session, section_id: int) -> Section:
    section = session.scalar(select(Section).where(Section.id == section_id).with_for_update())
    if section is None:
        raise NotFound("Section introuvable.")
    return section
