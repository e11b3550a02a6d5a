"""A State member in the world's convention, the sections to tie points to, and files
of each kind the note takes (and some it refuses)."""

from __future__ import annotations

import io
import zipfile

import docx
from sqlalchemy import func, select

from app.db import db_session
from app.models import Event, NoteEnjeux, NotePoint
from app.sections import queries
from tests.factories import add_member, make_user
from workflows.conventions import OrganisationKind
from workflows.permissions import Role

STATE = "ddt@etat.test"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def with_state(app, world) -> None:
    """The DDT takes part in the world's convention as signataire."""
    with app.app_context():
        add_member(
            world.convention_id,
            Role.SIGNATAIRE,
            make_user(STATE, "DDT Test", OrganisationKind.DDT),
        )


def section_ids(app, convention_id: int) -> list[int]:
    with app.app_context():
        return [s.id for s in queries.sections_with_current(convention_id)]


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Note d'enjeux de l'État.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<?xml version='1.0'?><office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<?xml version='1.0'?><manifest/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def stored(app, convention_id: int) -> tuple[int, int, int]:
    """(notes, points, journal events of the note) of the convention."""
    with app.app_context():
        session = db_session()
        notes = session.scalar(
            select(func.count(NoteEnjeux.id)).where(NoteEnjeux.convention_id == convention_id)
        )
        points = session.scalar(
            select(func.count(NotePoint.id))
            .join(NoteEnjeux, NoteEnjeux.id == NotePoint.note_id)
            .where(NoteEnjeux.convention_id == convention_id)
        )
        events = session.scalar(
            select(func.count(Event.id)).where(
                Event.convention_id == convention_id, Event.action == "note_enjeux"
            )
        )
        return notes, points, events
