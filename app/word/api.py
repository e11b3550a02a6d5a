"""JSON API of the Word round trip: export, import into a convention (``dry_run=1``: the
preview only), and a new convention from a Word draft."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from app import json_input
from app.word import operations, queries
from workflows.conventions import MAX_ID, ConventionKind
from workflows.errors import InvalidInput

bp = Blueprint("word_api", __name__, url_prefix="/api")

AUTHORS_MESSAGE = 'Le champ « authors » doit être un objet JSON {"auteur": id}.'


def _upload() -> FileStorage:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Joignez le document dans le champ « file » (multipart/form-data).")
    return upload


def _dry_run() -> bool:
    return request.form.get("dry_run", "") in ("1", "true", "oui")


def _int_field(name: str, required: bool) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise InvalidInput(f"Le champ « {name} » est obligatoire.")
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_ID:
        raise InvalidInput(f"Le champ « {name} » doit être un nombre.")
    return int(raw)


@bp.get("/conventions/<int:convention_id>/export.docx")
def export(convention_id: int) -> ResponseReturnValue:
    data, filename = queries.export_file(g.convention, request.args)
    return Response(
        data,
        mimetype=queries.DOCX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/conventions/<int:convention_id>/import.docx")
def import_docx(convention_id: int) -> ResponseReturnValue:
    upload = _upload()
    mapping = json_input.int_mapping(request.form.get("authors") or "{}", AUTHORS_MESSAGE)
    dry_run = _dry_run()
    found = queries.preview(convention_id, upload.filename or "", upload.read())
    result = queries.preview_json(found)
    if not dry_run:
        mode = request.form.get("mode") or "contributions"
        result["written"] = queries.written_json(operations.apply(found, g.user, mapping, mode))
    result["dry_run"] = dry_run
    return jsonify(result), 200 if dry_run else 201


@bp.post("/conventions/import.docx")
def create() -> ResponseReturnValue:
    """A new convention from a Word draft (multipart: file, kind, title, start_year,
    end_year?, cadre_id?)."""
    upload = _upload()
    kind = _kind(request.form.get("kind", ""))
    data = upload.read()
    if _dry_run():
        plan = queries.plan_new(upload.filename or "", data, kind).plan
        return jsonify(queries.new_plan_json(plan))
    start_year = _int_field("start_year", required=True)
    assert start_year is not None  # required
    created = operations.create_from_docx(
        g.user,
        upload.filename or "",
        data,
        kind,
        request.form.get("title", ""),
        start_year,
        _int_field("end_year", required=False),
        _int_field("cadre_id", required=False),
    )
    return jsonify(queries.created_json(created)), 201


def _kind(raw: str) -> ConventionKind:
    if raw not in {k.value for k in ConventionKind}:
        raise InvalidInput(
            "Type de convention inconnu (cus, contractualisation_cadre, convention_application)."
        )
    return ConventionKind(raw)
