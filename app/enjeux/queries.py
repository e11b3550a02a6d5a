"""Reading the note d'enjeux: the note with its points and the sections each concerns,
the points that concern one section, its file, and the shape the API gives it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.db import db_session
from app.models import NoteEnjeux, NotePoint, NotePointSection, Section, User, iso
from workflows.enjeux import POINT_KIND_LABELS, Point, PointKind
from workflows.permissions import Role, may_record_note


@dataclass(frozen=True)
class PointView:
    id: int
    kind: PointKind
    label: str  # "Enjeu" | "Objectif"
    text: str
    sections: list[tuple[int, str]]  # (id, title), in the convention's order


def load_note(session: Session, convention_id: int) -> NoteEnjeux | None:
    return session.scalar(
        select(NoteEnjeux)
        .where(NoteEnjeux.convention_id == convention_id)
        .options(
            selectinload(NoteEnjeux.points).selectinload(NotePoint.sections),
            joinedload(NoteEnjeux.recorded_by).joinedload(User.organisation),
            joinedload(NoteEnjeux.updated_by).joinedload(User.organisation),
        )
    )


def points_of(note: NoteEnjeux) -> list[Point]:
    """The note's points as the rules see them."""
    return [Point(p.kind, p.text, tuple(s.section_id for s in p.sections)) for p in note.points]


def _titles(convention_id: int) -> dict[int, tuple[int, str]]:
    return {
        section_id: (position, title)
        for section_id, position, title in db_session().execute(
            select(Section.id, Section.position, Section.title).where(
                Section.convention_id == convention_id
            )
        )
    }


def point_views(note: NoteEnjeux) -> list[PointView]:
    titles = _titles(note.convention_id)
    views = []
    for point in note.points:
        found = sorted(
            titles[s.section_id] + (s.section_id,) for s in point.sections if s.section_id in titles
        )
        views.append(
            PointView(
                point.id,
                point.kind,
                POINT_KIND_LABELS[point.kind],
                point.text,
                [(section_id, title) for _position, title, section_id in found],
            )
        )
    return views


def note_of(convention_id: int) -> NoteEnjeux | None:
    return load_note(db_session(), convention_id)


def may_record(user: User | None, role: Role | None, note: NoteEnjeux | None) -> bool:
    """Whether this user may record or amend the note now (workflows.permissions)."""
    if user is None:
        return False
    return may_record_note(
        role, user.organisation.kind, note.state_wrote if note is not None else False
    )


def note_block(convention_id: int, user: User | None, role: Role | None) -> dict[str, Any]:
    """What the convention's page shows of the note: the note (None: none recorded), its
    points with their sections, and whether this user may record or amend it."""
    note = note_of(convention_id)
    return {
        "note": note,
        "points": point_views(note) if note is not None else [],
        "may_record": may_record(user, role, note),
    }


def points_for_section(section_id: int) -> list[PointView]:
    """The note's points that concern one section, in the note's order (one query)."""
    points = db_session().scalars(
        select(NotePoint)
        .join(NotePointSection, NotePointSection.point_id == NotePoint.id)
        .where(NotePointSection.section_id == section_id)
        .options(joinedload(NotePoint.note))
        .order_by(NotePoint.position)
    )
    return [PointView(p.id, p.kind, POINT_KIND_LABELS[p.kind], p.text, []) for p in points]


def section_aside(section_id: int) -> dict[str, Any]:
    """What a section's page shows of the note: the points that concern it, and the
    note's date (None when no point concerns the section)."""
    points = points_for_section(section_id)
    note = None
    if points:
        note = db_session().scalar(
            select(NoteEnjeux)
            .join(NotePoint, NotePoint.note_id == NoteEnjeux.id)
            .where(NotePoint.id == points[0].id)
        )
    return {"points": points, "note": note}


@dataclass(frozen=True)
class NoteFile:
    name: str
    mimetype: str
    data: bytes


def file_of(convention_id: int) -> NoteFile | None:
    row = (
        db_session()
        .execute(
            select(NoteEnjeux.file_name, NoteEnjeux.file_type, NoteEnjeux.file_data).where(
                NoteEnjeux.convention_id == convention_id, NoteEnjeux.file_size > 0
            )
        )
        .first()
    )
    return NoteFile(*row) if row is not None else None


def note_json(note: NoteEnjeux) -> dict[str, Any]:
    return {
        "id": note.id,
        "convention_id": note.convention_id,
        "noted_on": note.noted_on.isoformat(),
        "version": note.version,
        "file": {"name": note.file_name, "type": note.file_type, "size": note.file_size}
        if note.file_size
        else None,
        "recorded_by": note.recorded_by.name,
        "recorded_by_state": note.state_wrote,
        "created_at": iso(note.created_at),
        "updated_by": note.updated_by.name,
        "updated_at": iso(note.updated_at),
        "points": [
            {
                "id": p.id,
                "kind": p.kind.value,
                "text": p.text,
                "sections": [section_id for section_id, _title in p.sections],
            }
            for p in point_views(note)
        ],
    }
