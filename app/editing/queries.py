"""Reads of the editor pages: a user's draft, who else has a section open for editing,
and the Markdown an editor form stands for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import db_session
from app.json_input import editor_document
from app.models import Draft, EditingPresence, User, utcnow
from app.sections.queries import revision
from workflows.editing import PURPOSE_LABELS, Purpose, present_since
from workflows.errors import InvalidInput
from workflows.text.carry import carry_edits
from workflows.text.editor import from_editor, to_editor

__all__ = ["draft_of", "editor_document_of", "others", "submitted_text"]


def submitted_text(section_id: int, base_number: int, body: str, document: str) -> str:
    """The Markdown to store for an editor form: the textarea's text as typed when the
    page has no editor (no JavaScript, or the Markdown source), else the editor's
    document as Markdown, written as the base revision writes every part the edit did
    not change (``workflows.text.carry``)."""
    if not document.strip():
        return body
    edited = from_editor(editor_document(document))
    base = revision(section_id, base_number) if base_number else None
    if base_number and base is None:
        raise InvalidInput(f"La révision de base {base_number} n'existe pas.")
    return carry_edits(base.body if base is not None else "", edited)


def editor_document_of(body: str) -> dict:
    """What the editor opens: the document of a Markdown text."""
    return to_editor(body)


def draft_of(user_id: int, section_id: int, purpose: Purpose) -> Draft | None:
    return db_session().scalar(
        select(Draft).where(
            Draft.user_id == user_id, Draft.section_id == section_id, Draft.purpose == purpose
        )
    )


@dataclass(frozen=True)
class Other:
    """Someone else at work on a section: on its page now, or with a draft kept."""

    name: str
    organisation: str
    doing: str
    since: datetime
    draft: bool


def others(section_id: int, user_id: int, now: datetime | None = None) -> list[Other]:
    """Who else has the section open for editing (heard from in the last two minutes)
    or keeps an unsaved draft of it, longest there first."""
    session = db_session()
    now = now or utcnow()
    present = session.scalars(
        select(EditingPresence)
        .where(
            EditingPresence.section_id == section_id,
            EditingPresence.user_id != user_id,
            EditingPresence.seen_at >= present_since(now),
        )
        .options(joinedload(EditingPresence.user).joinedload(User.organisation))
    )
    found = [
        Other(
            p.user.name,
            p.user.organisation.name,
            PURPOSE_LABELS[p.purpose],
            p.opened_at,
            draft=False,
        )
        for p in present
    ]
    drafts = session.scalars(
        select(Draft)
        .where(Draft.section_id == section_id, Draft.user_id != user_id)
        .options(joinedload(Draft.user).joinedload(User.organisation))
    )
    for d in drafts:
        what = "la section" if d.purpose is Purpose.REVISION else "une proposition"
        found.append(
            Other(
                d.user.name,
                d.user.organisation.name,
                f"a un brouillon non enregistré ({what})",
                d.saved_at,
                draft=True,
            )
        )
    return sorted(found, key=lambda o: (o.since, o.name))
