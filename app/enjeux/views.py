"""The note d'enjeux on the web: its page (the note, and the form for those who record
it), its file, and the blocks the convention's and the sections' pages include.

Access was checked before any view runs (app.access); ``g.convention`` and ``g.role``
are loaded. The blocks read their data through template globals, so that the pages that
include them need nothing else than the include line.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.enjeux import operations, queries
from app.enjeux.download import download
from app.enjeux.forms import BLANK_ROWS, NoteForm
from app.forms import form_errors
from app.sections.queries import sections_with_current
from app.webutil import back
from workflows.conventions import parse_id
from workflows.enjeux import NoteRefused, PointInput
from workflows.errors import CosigneError, InvalidInput, NotFound
from workflows.limits import MAX_NOTE_POINTS, NOTE_FILE_MAX_BYTES
from workflows.permissions import speaks_for_state
from workflows.register import parse_date

bp = Blueprint("enjeux", __name__)


@bp.app_template_global("note_enjeux_block")
def note_enjeux_block(convention_id: int) -> dict[str, Any]:
    """The note as the convention's page shows it (templates/conventions/_note_enjeux.html)."""
    return queries.note_block(convention_id, g.get("user"), g.get("role"))


@bp.app_template_global("note_enjeux_aside")
def note_enjeux_aside(section_id: int) -> dict[str, Any]:
    """The points that concern a section (templates/sections/_note_enjeux_aside.html)."""
    return queries.section_aside(section_id)


def _page(form: NoteForm, error: CosigneError | None = None) -> ResponseReturnValue:
    block = queries.note_block(g.convention.id, g.user, g.role)
    faults = error.fields if isinstance(error, NoteRefused) else {}
    return render_template(
        "enjeux/note.html",
        convention=g.convention,
        form=form,
        sections=sections_with_current(g.convention.id),
        faults=faults,
        error=None if faults or error is None else error.message,
        MAX_NOTE_POINTS=MAX_NOTE_POINTS,
        max_megabytes=NOTE_FILE_MAX_BYTES // (1024 * 1024),
        from_state=speaks_for_state(g.user.organisation.kind),
        **block,
    ), (error.status if error else 200)


def _filled(form: NoteForm, note: Any) -> NoteForm:
    """The form holding the note as it stands, and blank rows to add points."""
    form.version.data = "0"
    if note is not None:
        form.noted_on.data = note.noted_on.isoformat()
        form.version.data = str(note.version)
        for point in note.points:
            form.points.append_entry(
                {
                    "kind": point.kind.value,
                    "text": point.text,
                    "sections": [str(s.section_id) for s in point.sections],
                }
            )
    room = MAX_NOTE_POINTS - len(form.points.entries)
    for _ in range(max(min(BLANK_ROWS, room), 0)):
        form.points.append_entry({"kind": "enjeu"})
    return form


@bp.get("/conventions/<int:convention_id>/note-enjeux")
def page(convention_id: int) -> ResponseReturnValue:
    return _page(_filled(NoteForm(formdata=None), queries.note_of(convention_id)))


@bp.post("/conventions/<int:convention_id>/note-enjeux")
def save(convention_id: int) -> ResponseReturnValue:
    form = NoteForm()
    errors.on_error(lambda error: _page(form, error))
    operations.ensure_may_record(convention_id, g.user)
    if not form.validate_on_submit():
        raise InvalidInput(form_errors(form))
    date_error = None
    noted_on = None
    try:
        noted_on = parse_date(form.noted_on.data, "La date de la note")
    except InvalidInput as refusal:
        date_error = refusal.message
    points = [
        PointInput(
            index,
            entry.form.kind.data or "",
            entry.form.text.data or "",
            tuple(i for raw in entry.form.sections.data or [] if (i := parse_id(raw))),
        )
        for index, entry in enumerate(form.points.entries)
        if not entry.form.remove.data
    ]
    upload = request.files.get(form.file.name)
    _note, created = operations.save_note(
        convention_id,
        g.user,
        noted_on,
        points,
        upload=operations.Upload(upload.filename or "", upload.read())
        if upload is not None and upload.filename
        else None,
        remove_file=bool(form.remove_file.data),
        # "0": the form was read when there was no note; one recorded since is not
        # overwritten by it.
        version=0 if form.version.data == "0" else parse_id(form.version.data or ""),
        date_error=date_error,
    )
    target = url_for("conventions.show", convention_id=convention_id) + "#note-enjeux"
    return back(
        target,
        "Note d'enjeux enregistrée." if created else "Note d'enjeux mise à jour.",
        "success",
    )


@bp.get("/conventions/<int:convention_id>/note-enjeux/fichier")
def file(convention_id: int) -> ResponseReturnValue:
    found = queries.file_of(convention_id)
    if found is None:
        raise NotFound("La note d'enjeux n'a pas de fichier enregistré.")
    return download(found)
