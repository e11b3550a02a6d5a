"""Reading sections and revisions, and the shapes the API gives them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from app.access import member_users
from app.contributions.queries import section_context
from app.db import db_session
from app.models import Revision, Section, User, iso
from app.review.queries import review_of
from workflows.lifecycle import contributions_open, review_open, text_editable


def sections_with_current(convention_id: int) -> list[Section]:
    return list(
        db_session().scalars(
            select(Section)
            .where(Section.convention_id == convention_id)
            .options(joinedload(Section.current_revision).joinedload(Revision.author))
            .order_by(Section.position, Section.id)
        )
    )


def history(section_id: int, limit: int | None = None, offset: int = 0) -> list[Revision]:
    """Revisions newest first, for listing: the bodies are left in the database (a
    thousand two-page revisions weigh 10 MB) and load only if one is read."""
    query = (
        select(Revision)
        .where(Revision.section_id == section_id)
        .options(defer(Revision.body), joinedload(Revision.author).joinedload(User.organisation))
        .order_by(Revision.number.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db_session().scalars(query))


def revision_count(section_id: int) -> int:
    return (
        db_session().scalar(
            select(func.count(Revision.id)).where(Revision.section_id == section_id)
        )
        or 0
    )


def revision(section_id: int, number: int) -> Revision | None:
    return db_session().scalar(
        select(Revision)
        .where(Revision.section_id == section_id, Revision.number == number)
        .options(joinedload(Revision.author))
    )


def section_page(section: Section) -> dict[str, Any]:
    """What the section page shows besides the text: its contributions, discussions and
    co-authors, each signatory's position, and what the convention's phase allows."""
    state, path = section.convention.state, section.convention.lifecycle
    return {
        "revision_count": revision_count(section.id),
        "review": review_of(section),
        "review_open": review_open(state, path),
        "editable": text_editable(state, path),
        "phase_open": contributions_open(state, path),
        "mention_names": [user.name for user in member_users(section.convention_id)],
        **section_context(section),
    }


# --- as the API gives them ----------------------------------------------------------------


def revision_json(revision: Revision, with_body: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": revision.number,
        "parent_number": revision.parent_number,
        "author": {"id": revision.author.id, "name": revision.author.name},
        "created_at": iso(revision.created_at),
        "message": revision.message,
        "restored_from": revision.restored_from,
    }
    if with_body:
        data["body"] = revision.body
    return data


def section_json(section: Section, with_body: bool = False) -> dict[str, Any]:
    current = section.current_revision
    return {
        "id": section.id,
        "convention_id": section.convention_id,
        "position": section.position,
        "title": section.title,
        "mandatory": section.mandatory,
        "concertation": section.concertation,
        "current_revision": revision_json(current, with_body) if current else None,
    }
