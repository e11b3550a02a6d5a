"""Recording and amending the préfet's note d'enjeux et d'objectifs: one operation, one
transaction, journaled; the page and the API both call it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import audit
from app.access import role_of
from app.db import db_session, reloaded, write_transaction
from app.enjeux.queries import load_note, points_of
from app.models import Convention, NoteEnjeux, NotePoint, NotePointSection, Section, User, utcnow
from app.notifications.operations import everyone, notify
from app.register.queries import today
from workflows.enjeux import NoteRefused, PointInput, changes, clean_note
from workflows.errors import Conflict, Forbidden, NotFound
from workflows.files import FileRefused, check_attachment
from workflows.limits import NOTE_FILE_MAX_BYTES
from workflows.notifications import Kind
from workflows.permissions import may_record_note, speaks_for_state


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


REFUSED = (
    "Votre rôle ne permet pas d'enregistrer la note d'enjeux : elle l'est par les services "
    "de l'État signataires, ou par l'organisme d'après le document reçu."
)
STATE_WROTE = (
    "La note d'enjeux a été enregistrée par les services de l'État : seuls eux peuvent "
    "désormais la modifier."
)


def ensure_may_record(convention_id: int, actor: User) -> None:
    """Refuse (403) a user who may not record the note, before their input is read: the
    same rule as ``save_note`` applies in its transaction."""
    state_wrote = db_session().scalar(
        select(NoteEnjeux.state_wrote).where(NoteEnjeux.convention_id == convention_id)
    )
    if not may_record_note(
        role_of(actor, convention_id), actor.organisation.kind, bool(state_wrote)
    ):
        raise Forbidden(STATE_WROTE if state_wrote else REFUSED)


def save_note(
    convention_id: int,
    actor: User,
    noted_on: date | None,
    points: list[PointInput] | None,
    *,
    upload: Upload | None = None,
    remove_file: bool = False,
    version: int | None = None,
    date_error: str | None = None,
) -> tuple[NoteEnjeux, bool]:
    """Record the note, or amend it: its date, its points (None: kept as they are), its
    file (``upload`` replaces it, ``remove_file`` removes it). ``version``: the note as
    the user read it; an amendment based on an older one is refused (409). Every fault
    of the input is refused at once, nothing written (``NoteRefused``). Returns the note
    and whether it was created."""
    faults: dict[str, str] = {}
    checked: tuple[str, str] | None = None
    if upload is not None:
        # Read before the transaction: the archive checks take a moment on a large file.
        try:
            checked = check_attachment(upload.filename, upload.data, NOTE_FILE_MAX_BYTES)
        except FileRefused as refusal:
            faults["file"] = refusal.message
    with write_transaction() as session:
        actor = reloaded(session, actor)
        # The convention's row is locked first: two first recordings at once are taken one
        # after the other, and the second finds the note the first wrote (PostgreSQL;
        # SQLite writes one at a time).
        session.scalar(
            select(Convention.id).where(Convention.id == convention_id).with_for_update()
        )
        note = load_note(session, convention_id)
        if not may_record_note(
            role_of(actor, convention_id),
            actor.organisation.kind,
            note.state_wrote if note is not None else False,
        ):
            raise Forbidden(STATE_WROTE if note is not None and note.state_wrote else REFUSED)
        if note is not None and version is not None and version != note.version:
            raise Conflict(
                f"La note d'enjeux a été modifiée entre-temps par {note.updated_by.name} "
                f"(le {note.updated_at:%d/%m/%Y}) : rechargez la page pour partir de sa "
                "version actuelle."
            )
        before = points_of(note) if note is not None else []
        if points is None:
            points = [
                PointInput(i, p.kind.value, p.text, p.section_ids) for i, p in enumerate(before)
            ]
        sections = session.scalars(select(Section.id).where(Section.convention_id == convention_id))
        try:
            noted_on, cleaned = clean_note(noted_on, points, sections, today(), date_error)
        except NoteRefused as refusal:
            faults = {**refusal.fields, **faults}
        if faults:
            raise NoteRefused(faults)
        assert noted_on is not None
        file_change = ""
        if checked is not None:
            file_change = "remplacé" if note is not None and note.file_size else "ajouté"
        elif remove_file and note is not None and note.file_size:
            file_change = "retiré"
        created = note is None
        if note is None:
            note = NoteEnjeux(
                convention_id=convention_id,
                noted_on=noted_on,
                recorded_by_id=actor.id,
                updated_by_id=actor.id,
            )
            session.add(note)
            found = changes(None, noted_on, [], cleaned, file_change)
        else:
            found = changes(note.noted_on, noted_on, before, cleaned, file_change)
            if not found.any:
                return note, False  # nothing to record: neither a version nor an event
            note.version += 1
            note.updated_by_id = actor.id
            note.updated_at = utcnow()
        note.noted_on = noted_on
        if speaks_for_state(actor.organisation.kind):
            note.state_wrote = True
        if checked is not None and upload is not None:
            note.file_name, note.file_type = checked
            note.file_data = upload.data
            note.file_size = len(upload.data)
            note.file_sha256 = hashlib.sha256(upload.data).hexdigest()
        elif file_change == "retiré":
            note.file_name = note.file_type = note.file_sha256 = ""
            note.file_data = b""
            note.file_size = 0
        if found.added or found.removed or found.changed:
            note.points.clear()
            session.flush()
            for position, point in enumerate(cleaned, start=1):
                note.points.append(
                    NotePoint(
                        position=position,
                        kind=point.kind,
                        text=point.text,
                        sections=[NotePointSection(section_id=s) for s in point.section_ids],
                    )
                )
        session.flush()
        paper = "" if speaks_for_state(actor.organisation.kind) else " (d'après le document reçu)"
        if created:
            what = f"{len(cleaned)} point{'s' if len(cleaned) > 1 else ''}"
            if file_change:
                what += f", fichier « {note.file_name} »"
            summary = f"Note d'enjeux du préfet du {noted_on:%d/%m/%Y} enregistrée{paper} : {what}"
        else:
            summary = f"Note d'enjeux du préfet modifiée{paper} : {', '.join(found.details)}"
        audit.record(session, "note_enjeux", summary, actor, convention_id, "note_enjeux", note.id)
        # Its points are the negotiation's key points: every party reads them.
        notify(
            session,
            Kind.NOTE_ENJEUX,
            everyone(session, convention_id),
            summary,
            f"/conventions/{convention_id}#note-enjeux",
            convention_id,
            actor,
        )
    return note, created


def remove_file(convention_id: int, actor: User, version: int | None = None) -> NoteEnjeux:
    """The note's file removed, the note kept (its date and points as they are)."""
    found = db_session().scalar(
        select(NoteEnjeux.noted_on).where(NoteEnjeux.convention_id == convention_id)
    )
    if found is None:
        raise NotFound("Aucune note d'enjeux n'est enregistrée pour cette convention.")
    note, _created = save_note(convention_id, actor, found, None, remove_file=True, version=version)
    return note
