"""JSON API of the note d'enjeux, as its page does it: reading it, recording or amending
its date and points, its file (multipart) added, replaced or removed, through the same
operation (app/enjeux/operations.py)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.enjeux import operations, queries
from app.enjeux.download import download
from workflows.enjeux import PointInput
from workflows.errors import InvalidInput, NotFound
from workflows.limits import MAX_NOTE_POINTS

bp = Blueprint("enjeux_api", __name__, url_prefix="/api")

_EXAMPLE = (
    '{"noted_on": "AAAA-MM-JJ", "points": [{"kind": "enjeu", "text": "...", '
    '"sections": [id, ...]}], "version": n}'
)


def _answer(convention_id: int, status: int = 200) -> ResponseReturnValue:
    db_session().expire_all()  # read what the write left
    note = queries.note_of(convention_id)
    assert note is not None  # written just now; a note is never deleted
    return jsonify(queries.note_json(note)), status


def _points(data: json_input.Payload) -> list[PointInput] | None:
    raw = data.get("points")
    if raw is None:
        return None  # kept as they are
    message = (
        "Le champ points doit être une liste d'objets "
        '{"kind": "enjeu" | "objectif", "text": "...", "sections": [id, ...]}.'
    )
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise InvalidInput(message)
    if len(raw) > MAX_NOTE_POINTS:
        raise InvalidInput(f"La note compte {len(raw)} points : {MAX_NOTE_POINTS} au plus.")
    return [
        PointInput(
            index,
            json_input.string(point, "kind"),
            json_input.string(point, "text"),
            tuple(json_input.id_list(point, "sections")),
        )
        for index, point in enumerate(raw)
    ]


@bp.get("/conventions/<int:convention_id>/note-enjeux", endpoint="show")
def show(convention_id: int) -> ResponseReturnValue:
    note = queries.note_of(convention_id)
    return jsonify(note=queries.note_json(note) if note is not None else None)


@bp.post("/conventions/<int:convention_id>/note-enjeux", endpoint="save")
def save(convention_id: int) -> ResponseReturnValue:
    """Record the note (201) or amend it (200); ``points`` absent: kept as they are."""
    operations.ensure_may_record(convention_id, g.user)
    data = json_input.payload(_EXAMPLE)
    _note, created = operations.save_note(
        convention_id,
        g.user,
        json_input.day(data, "noted_on", "La date de la note"),
        _points(data),
        version=json_input.optional_id(data, "version"),
    )
    return _answer(convention_id, 201 if created else 200)


@bp.post("/conventions/<int:convention_id>/note-enjeux/file", endpoint="file_set")
def file_set(convention_id: int) -> ResponseReturnValue:
    """The note's file (multipart ``file``), added or replaced; ``noted_on`` records the
    note at the same time when there is none yet."""
    operations.ensure_may_record(convention_id, g.user)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("Joignez le fichier dans le champ « file » (multipart/form-data).")
    note = queries.note_of(convention_id)
    raw_date = request.form.get("noted_on", "")
    noted_on: date | None
    if note is not None and not raw_date.strip():
        noted_on = note.noted_on
    else:
        noted_on = json_input.day({"noted_on": raw_date}, "noted_on", "La date de la note")
    _note, created = operations.save_note(
        convention_id,
        g.user,
        noted_on,
        None,
        upload=operations.Upload(upload.filename, upload.read()),
        version=json_input.optional_id(dict(request.form), "version"),
    )
    return _answer(convention_id, 201 if created else 200)


@bp.delete("/conventions/<int:convention_id>/note-enjeux/file", endpoint="file_remove")
def file_remove(convention_id: int) -> ResponseReturnValue:
    operations.ensure_may_record(convention_id, g.user)
    operations.remove_file(convention_id, g.user)
    return "", 204


@bp.get("/conventions/<int:convention_id>/note-enjeux/file", endpoint="file")
def file(convention_id: int) -> ResponseReturnValue:
    found = queries.file_of(convention_id)
    if found is None:
        raise NotFound("La note d'enjeux n'a pas de fichier enregistré.")
    return download(found)
