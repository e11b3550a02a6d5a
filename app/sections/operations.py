"""Sections and their revisions: adding, renaming, moving, saving, restoring.

Saving takes the section's row lock, compares the base revision with the current one,
inserts and moves the section's pointer, in one transaction; ``UNIQUE(section_id,
number)`` is the backstop. A save based on an outdated revision is refused with a
``RevisionConflict`` that carries the current revision.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.db import db_session, within, write_transaction
from app.models import Convention, Revision, Section, User
from app.review.operations import on_new_revision
from app.sections.queries import revision_json
from workflows.conventions import clean_title
from workflows.errors import Conflict, InvalidInput, NotFound
from workflows.lifecycle import text_editable, text_frozen_reason
from workflows.revisions import check_base, clean_body, clean_message
from workflows.text.paragraphs import assign_paragraph_ids


class RevisionConflict(Conflict):
    """Someone saved the section after the revision this save was based on; the API
    answers with the current revision, the edit page shows it beside the user's text."""

    def __init__(self, base_number: int, current: Revision) -> None:
        super().__init__(
            f"La section a été modifiée entre-temps : votre texte partait de la révision "
            f"{base_number}, la révision actuelle est la {current.number}."
        )
        self.base_number = base_number
        self.current = current

    def details(self) -> dict[str, object]:
        return {"current": revision_json(self.current)}


def add_section(
    convention_id: int,
    title: str,
    actor: User | None = None,
    within_session: Session | None = None,
) -> Section:
    title = clean_title(title, "Le titre de la section")
    with within(within_session) as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        if not text_editable(convention.state, convention.lifecycle):
            raise Conflict(text_frozen_reason(convention.state, convention.lifecycle))
        last = session.scalar(
            select(func.max(Section.position)).where(Section.convention_id == convention_id)
        )
        section = Section(
            convention_id=convention_id, title=title, position=(last or 0) + 1, mandatory=False
        )
        session.add(section)
        session.flush()
        audit.record(
            session,
            "section_ajoutee",
            f"Section « {title} » ajoutée",
            actor,
            convention_id,
            "section",
            section.id,
        )
    return section


def rename_section(section_id: int, title: str, actor: User | None = None) -> Section:
    title = clean_title(title, "Le titre de la section")
    with write_transaction() as session:
        section = lock_editable_section(session, section_id)
        old = section.title
        section.title = title
        audit.record(
            session,
            "section_renommee",
            f"« {old} » renommée « {title} »",
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return section


def set_concertation(section_id: int, concertation: bool, actor: User | None = None) -> Section:
    """Put a section under the concertation with the tenants' representatives, or take
    it out: the organisme widens or narrows the scope (the law sets the classement des
    immeubles in it); its representatives propose and comment on these sections only."""
    with write_transaction() as session:
        section = lock_editable_section(session, section_id)
        if section.concertation == concertation:
            return section
        section.concertation = concertation
        audit.record(
            session,
            "section_concertation",
            f"« {section.title} » "
            + (
                "soumise à la concertation locative"
                if concertation
                else "retirée de la concertation locative"
            ),
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return section


def move_section(section_id: int, direction: str, actor: User | None = None) -> None:
    """Swap a section with its neighbour ("up" or "down")."""
    if direction not in ("up", "down"):
        raise InvalidInput("Direction inconnue.")
    with write_transaction() as session:
        section = lock_editable_section(session, section_id)
        siblings = list(
            session.scalars(
                select(Section)
                .where(Section.convention_id == section.convention_id)
                .order_by(Section.position, Section.id)
                .with_for_update()
            )
        )
        index = siblings.index(section)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, item in enumerate(siblings, start=1):
            item.position = position
        audit.record(
            session,
            "section_deplacee",
            f"« {section.title} » déplacée",
            actor,
            section.convention_id,
            "section",
            section.id,
        )


def lock_editable_section(session: Session, section_id: int) -> Section:
    """Lock a section whose convention still allows its text to change.

    The convention row is held FOR SHARE: a transition (which takes it FOR UPDATE) waits
    for the save to commit, and a save waits for a transition, so a text is never frozen
    or fingerprinted while a change to it is half-way."""
    section = _lock_section(session, section_id)
    convention = session.scalar(
        select(Convention)
        .where(Convention.id == section.convention_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    assert convention is not None
    state, path = convention.state, convention.lifecycle
    if not text_editable(state, path):
        raise Conflict(text_frozen_reason(state, path))
    return section


def insert_revision(
    session: Session,
    section: Section,
    current: Revision | None,
    author: User,
    body: str,
    message: str,
    paragraph_ids: list[str],
    restored_from: int | None = None,
    contribution_id: int | None = None,
) -> Revision:
    """Insert the next revision of a locked section and move its pointer; a new text
    sends a reviewed section back to draft (``review.operations.on_new_revision``)."""
    revision = Revision(
        section_id=section.id,
        number=(current.number if current else 0) + 1,
        parent_number=current.number if current else None,
        body=body,
        message=message,
        author_id=author.id,
        restored_from=restored_from,
        paragraph_ids=paragraph_ids,
        contribution_id=contribution_id,
    )
    session.add(revision)
    session.flush()
    section.current_revision = revision
    revision.review_notice = on_new_revision(session, section, current, author)
    audit.record(
        session,
        "revision",
        f"Révision {revision.number} de « {section.title} »" + (f" : {message}" if message else ""),
        author,
        section.convention_id,
        "section",
        section.id,
    )
    return revision


def _lock_section(session: Session, section_id: int) -> Section:
    # FOR UPDATE on PostgreSQL; on SQLite the write transaction already began IMMEDIATE.
    section = session.scalar(select(Section).where(Section.id == section_id).with_for_update())
    if section is None:
        raise NotFound("Section introuvable.")
    return section


def save_revision(
    section_id: int,
    author_id: int,
    base_number: int | None,
    body: str,
    message: str = "",
    restored_from: int | None = None,
) -> Revision:
    """Save a new revision of a section unless someone else saved since ``base_number``.

    The section's row lock serialises concurrent saves; the comparison with the current
    revision refuses a save based on an outdated one (RevisionConflict), and
    UNIQUE(section_id, number) is the backstop should the lock ever be missing.
    """
    body = clean_body(body)
    message = clean_message(message)
    try:
        with write_transaction() as session:
            section = lock_editable_section(session, section_id)
            current = section.current_revision
            conflict = check_base(base_number, current.number if current else None)
            if conflict is not None:
                if current is None:  # based on a revision of a section that has none
                    raise InvalidInput(f"La révision de base {conflict.base_number} n'existe pas.")
                raise RevisionConflict(conflict.base_number, current)
            if current is not None and current.body == body and restored_from is None:
                raise InvalidInput("Aucune modification à enregistrer : le texte est identique.")
            ids = assign_paragraph_ids(
                current.body if current else "",
                current.usable_paragraph_ids() if current else None,
                body,
            )
            author = session.get(User, author_id)
            assert author is not None
            revision = insert_revision(
                session, section, current, author, body, message, ids, restored_from=restored_from
            )
    except IntegrityError:
        # Only reachable if two writers got past the lock: report it as the conflict it is.
        session = db_session()
        session.rollback()
        winner = session.get(Section, section_id)
        assert winner is not None and winner.current_revision is not None  # the other save
        raise RevisionConflict(base_number or 0, winner.current_revision) from None
    return revision


def restore_revision(section_id: int, author_id: int, number: int, base_number: int) -> Revision:
    """Make an old revision current again by saving its text as a new revision."""
    session = db_session()
    old = session.scalar(
        select(Revision).where(Revision.section_id == section_id, Revision.number == number)
    )
    if old is None:
        raise NotFound("Révision introuvable.")
    return save_revision(
        section_id,
        author_id,
        base_number,
        old.body,
        message=f"Restauration de la révision {number}",
        restored_from=number,
    )
