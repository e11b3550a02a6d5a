"""Writes of the editor pages: drafts kept and discarded, presence heard and left.

None of these is journaled: a draft is nobody's act on the convention until its text is
saved as a revision or sent as a contribution, which journal themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.models import Draft, EditingPresence, Revision, Section, utcnow
from workflows.editing import Purpose, present_since
from workflows.errors import InvalidInput, NotFound
from workflows.revisions import clean_body

NOTE_MAX_LENGTH = 5_000


def save_draft(
    user_id: int, section_id: int, purpose: Purpose, base_number: int, body: str, note: str = ""
) -> Draft | None:
    """Keep the user's unsaved text of a section (one draft per page); a text that is
    still the base revision's, with nothing noted, is no draft: the one kept goes."""
    body = clean_body(body)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(f"La note du brouillon dépasse {NOTE_MAX_LENGTH} caractères.")
    return _once_more_on_duplicate(
        lambda session: _keep(session, user_id, section_id, purpose, base_number, body, note)
    )


T = TypeVar("T")


def _once_more_on_duplicate(write: Callable[[Session], T]) -> T:
    """Run ``write`` in a transaction; when another request inserted the same row
    first (two tabs of one user), run it again: it finds that row and updates it."""
    try:
        with write_transaction() as session:
            return write(session)
    except IntegrityError:
        with write_transaction() as session:
            return write(session)


def _keep(
    session: Session,
    user_id: int,
    section_id: int,
    purpose: Purpose,
    base_number: int,
    body: str,
    note: str,
) -> Draft | None:
    section = session.get(Section, section_id)
    if section is None:
        raise NotFound("Section introuvable.")
    base_body = ""
    if base_number:
        base = session.scalar(
            select(Revision).where(
                Revision.section_id == section_id, Revision.number == base_number
            )
        )
        if base is None:
            raise InvalidInput(f"La révision de base {base_number} n'existe pas.")
        base_body = base.body
    draft = session.scalar(
        select(Draft).where(
            Draft.user_id == user_id, Draft.section_id == section_id, Draft.purpose == purpose
        )
    )
    if body == base_body and not note:
        if draft is not None:
            session.delete(draft)
        return None
    if draft is None:
        draft = Draft(user_id=user_id, section_id=section_id, purpose=purpose)
        session.add(draft)
    draft.base_number = base_number
    draft.body = body
    draft.note = note
    draft.saved_at = utcnow()
    session.flush()
    return draft


def discard_draft(user_id: int, section_id: int, purpose: Purpose) -> bool:
    """Drop the user's draft of a section for that page; whether there was one."""
    with write_transaction() as session:
        result = session.execute(
            delete(Draft).where(
                Draft.user_id == user_id, Draft.section_id == section_id, Draft.purpose == purpose
            )
        )
    return bool(getattr(result, "rowcount", 0))


def heard(user_id: int, section_id: int, purpose: Purpose, leaving: bool = False) -> None:
    """The page of ``user_id`` says it is still open (or, ``leaving``, that it closes).
    Presences gone silent on this section are cleared on the way."""
    now = utcnow()

    def write(session: Session) -> None:
        session.execute(
            delete(EditingPresence).where(
                EditingPresence.section_id == section_id,
                EditingPresence.seen_at < present_since(now),
            )
        )
        presence = session.scalar(
            select(EditingPresence).where(
                EditingPresence.user_id == user_id,
                EditingPresence.section_id == section_id,
                EditingPresence.purpose == purpose,
            )
        )
        if leaving:
            if presence is not None:
                session.delete(presence)
            return
        if presence is None:
            session.add(
                EditingPresence(
                    user_id=user_id,
                    section_id=section_id,
                    purpose=purpose,
                    opened_at=now,
                    seen_at=now,
                )
            )
        else:
            presence.seen_at = now

    _once_more_on_duplicate(write)
