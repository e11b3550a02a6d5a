"""JSON API (bearer token). Same operations and the same access matrix as the web."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request, url_for

from app import queries
from app.models import Convention, Revision, Section
from app.operations import RevisionConflict, save_revision
from workflows.conventions import InvalidInput
from workflows.diff import diff_stats, word_diff
from workflows.revisions import BodyTooLarge, parse_revision_number

bp = Blueprint("api", __name__)


def _iso(value):  # type: ignore[no-untyped-def]
    return value.isoformat() if value else None


def convention_json(convention: Convention, role: str | None = None) -> dict:
    data = {
        "id": convention.id,
        "kind": convention.kind.value,
        "title": convention.title,
        "organisme": {"id": convention.organisme.id, "name": convention.organisme.name},
        "start_year": convention.start_year,
        "end_year": convention.end_year,
        "state": convention.state.value,
        "cadre_id": convention.cadre_id,
        "created_at": _iso(convention.created_at),
    }
    if role is not None:
        data["role"] = role
    return data


def revision_json(revision: Revision, with_body: bool = True) -> dict:
    data = {
        "number": revision.number,
        "parent_number": revision.parent_number,
        "author": {"id": revision.author.id, "name": revision.author.name},
        "created_at": _iso(revision.created_at),
        "message": revision.message,
        "restored_from": revision.restored_from,
    }
    if with_body:
        data["body"] = revision.body
    return data


def section_json(section: Section, with_body: bool = False) -> dict:
    current = section.current_revision
    return {
        "id": section.id,
        "convention_id": section.convention_id,
        "position": section.position,
        "title": section.title,
        "mandatory": section.mandatory,
        "current_revision": revision_json(current, with_body) if current else None,
    }


@bp.get("/conventions")
def conventions():  # type: ignore[no-untyped-def]
    return jsonify(
        conventions=[convention_json(c, role.value) for c, role in queries.conventions_for(g.user)]
    )


@bp.get("/conventions/<int:convention_id>")
def convention(convention_id: int):  # type: ignore[no-untyped-def]
    data = convention_json(g.convention, g.role.value)
    data["members"] = [
        {
            "role": m.role.value,
            "organisation": m.organisation.name if m.organisation else None,
            "user": m.user.email if m.user else None,
        }
        for m in queries.members(convention_id)
    ]
    return jsonify(data)


@bp.get("/conventions/<int:convention_id>/sections")
def convention_sections(convention_id: int):  # type: ignore[no-untyped-def]
    return jsonify(sections=[section_json(s) for s in queries.sections_with_current(convention_id)])


@bp.get("/sections/<int:section_id>")
def section(section_id: int):  # type: ignore[no-untyped-def]
    return jsonify(section_json(g.section, with_body=True))


PAGE_MAX = 1000


@bp.get("/sections/<int:section_id>/revisions")
def revisions(section_id: int):  # type: ignore[no-untyped-def]
    """Newest first, without bodies; ``?limit=`` (default 100, at most 1000) and ``?offset=``."""
    limit = _int_arg("limit", 100)
    offset = _int_arg("offset", 0)
    if not 1 <= limit <= PAGE_MAX:
        abort(400, f"limit doit être compris entre 1 et {PAGE_MAX}.")
    return jsonify(
        total=queries.revision_count(section_id),
        limit=limit,
        offset=offset,
        revisions=[
            revision_json(r, with_body=False)
            for r in queries.history(section_id, limit=limit, offset=offset)
        ],
    )


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        abort(400, f"Le paramètre {name} doit être un entier positif.")
    return int(raw)


@bp.get("/sections/<int:section_id>/revisions/<int:number>")
def revision(section_id: int, number: int):  # type: ignore[no-untyped-def]
    rev = queries.revision(section_id, number)
    if rev is None:
        abort(404, "Révision introuvable.")
    return jsonify(revision_json(rev))


@bp.post("/sections/<int:section_id>/revisions")
def revision_create(section_id: int):  # type: ignore[no-untyped-def]
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, 'Corps JSON attendu : {"base_revision": n, "body": "...", "message": "..."}.')
    body = payload.get("body")
    message = payload.get("message", "")
    if not isinstance(body, str) or not isinstance(message, str):
        abort(400, "Les champs body et message doivent être des chaînes.")
    try:
        base = parse_revision_number(payload.get("base_revision"))
        rev = save_revision(section_id, g.user.id, base, body, message)
    except RevisionConflict as conflict:
        return jsonify(error=str(conflict), current=revision_json(conflict.current)), 409
    except BodyTooLarge as exc:
        abort(413, str(exc))
    except InvalidInput as exc:
        abort(400, str(exc))
    response = jsonify(number=rev.number)
    response.status_code = 201
    response.headers["Location"] = url_for("api.revision", section_id=section_id, number=rev.number)
    return response


@bp.get("/sections/<int:section_id>/diff")
def diff(section_id: int):  # type: ignore[no-untyped-def]
    try:
        from_number = parse_revision_number(request.args.get("from"))
        to_number = parse_revision_number(request.args.get("to"))
    except InvalidInput:
        abort(400, "Paramètres from et to obligatoires (numéros de révision).")
    old = queries.revision(section_id, from_number) if from_number else None
    new = queries.revision(section_id, to_number)
    if new is None or (from_number and old is None):
        abort(404, "Révision introuvable.")
    diffs = word_diff(old.body if old else "", new.body)
    stats = diff_stats(diffs)
    return jsonify(
        {
            "from": from_number,
            "to": to_number,
            "stats": {
                "inserted_words": stats.inserted_words,
                "deleted_words": stats.deleted_words,
                "changed_paragraphs": stats.changed_paragraphs,
            },
            "paragraphs": [
                {
                    "op": d.op,
                    "old_index": d.old_index,
                    "new_index": d.new_index,
                    "spans": [{"op": s.op, "text": s.text} for s in d.spans],
                }
                for d in diffs
            ],
        }
    )
