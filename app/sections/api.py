"""JSON API of sections: reading them and their revisions, saving, comparing; adding,
renaming, moving a section and restoring a revision, as the pages do."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.models import Section
from app.sections import operations, queries
from app.sections.queries import revision_json, section_json
from workflows.conventions import MAX_ID
from workflows.errors import InvalidInput, NotFound
from workflows.revisions import parse_revision_number
from workflows.text.diff import diff_stats, word_diff

bp = Blueprint("sections_api", __name__, url_prefix="/api")

PAGE_MAX = 1000


@bp.get("/conventions/<int:convention_id>/sections")
def of_convention(convention_id: int) -> ResponseReturnValue:
    return jsonify(sections=[section_json(s) for s in queries.sections_with_current(convention_id)])


@bp.get("/sections/<int:section_id>")
def show(section_id: int) -> ResponseReturnValue:
    return jsonify(section_json(g.section, with_body=True))


@bp.get("/sections/<int:section_id>/revisions")
def revisions(section_id: int) -> ResponseReturnValue:
    """Newest first, without bodies; ``?limit=`` (default 100, at most 1000) and ``?offset=``."""
    limit = _int_arg("limit", 100)
    offset = _int_arg("offset", 0)
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"limit doit être compris entre 1 et {PAGE_MAX}.")
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
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        raise InvalidInput(f"Le paramètre {name} doit être un entier positif.")
    return int(raw)


def _number_arg(name: str) -> int:
    raw = (request.args.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        raise InvalidInput("Paramètres from et to obligatoires (numéros de révision).")
    return int(raw)


@bp.get("/sections/<int:section_id>/revisions/<int:number>")
def revision(section_id: int, number: int) -> ResponseReturnValue:
    found = queries.revision(section_id, number)
    if found is None:
        raise NotFound("Révision introuvable.")
    return jsonify(revision_json(found))


@bp.post("/sections/<int:section_id>/revisions")
def revision_create(section_id: int) -> ResponseReturnValue:
    data = json_input.payload('{"base_revision": n, "body": "...", "message": "..."}')
    body, message = data.get("body"), data.get("message", "")
    if not isinstance(body, str) or not isinstance(message, str):
        raise InvalidInput("Les champs body et message doivent être des chaînes.")
    saved = operations.save_revision(
        section_id, g.user.id, parse_revision_number(data.get("base_revision")), body, message
    )
    response = jsonify(number=saved.number, review_notice=saved.review_notice)
    response.status_code = 201
    response.headers["Location"] = url_for(
        "sections_api.revision", section_id=section_id, number=saved.number
    )
    return response


@bp.get("/sections/<int:section_id>/diff")
def diff(section_id: int) -> ResponseReturnValue:
    from_number, to_number = _number_arg("from"), _number_arg("to")
    old = queries.revision(section_id, from_number) if from_number else None
    new = queries.revision(section_id, to_number)
    if new is None or (from_number and old is None):
        raise NotFound("Révision introuvable.")
    diffs = word_diff(old.body if old else "", new.body)
    stats = diff_stats(diffs)
    return jsonify(
        {
            "from": from_number,
            "to": to_number,
            # inserted_words, deleted_words, changed_paragraphs, then the paragraphs,
            # list items and table rows added, removed or reworded.
            "stats": asdict(stats),
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


def _section(section_id: int) -> Section:
    session = db_session()
    session.expire_all()  # the access check loaded it before the write
    section = session.get(Section, section_id)
    assert section is not None  # sections are never deleted
    return section


@bp.post("/conventions/<int:convention_id>/sections", endpoint="add")
def add(convention_id: int) -> ResponseReturnValue:
    title = json_input.string(json_input.payload('{"title": "..."}'), "title")
    section = operations.add_section(convention_id, title, actor=g.user)
    response = jsonify(section_json(_section(section.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("sections_api.show", section_id=section.id)
    return response


@bp.post("/sections/<int:section_id>/rename")
def rename(section_id: int) -> ResponseReturnValue:
    title = json_input.string(json_input.payload('{"title": "..."}'), "title")
    operations.rename_section(section_id, title, actor=g.user)
    return jsonify(section_json(_section(section_id)))


@bp.post("/sections/<int:section_id>/concertation")
def concertation(section_id: int) -> ResponseReturnValue:
    """Put the section under the tenants' concertation (true) or take it out (false)."""
    data = json_input.payload('{"concertation": true | false}')
    if "concertation" not in data:
        raise InvalidInput("Le champ concertation (true ou false) est obligatoire.")
    operations.set_concertation(section_id, json_input.flag(data, "concertation"), actor=g.user)
    return jsonify(section_json(_section(section_id)))


@bp.post("/sections/<int:section_id>/move")
def move(section_id: int) -> ResponseReturnValue:
    """Swap the section with its neighbour; answers the convention's sections in their
    new order."""
    data = json_input.payload('{"direction": "up" | "down"}')
    operations.move_section(section_id, json_input.string(data, "direction"), actor=g.user)
    convention_id = _section(section_id).convention_id
    return jsonify(sections=[section_json(s) for s in queries.sections_with_current(convention_id)])


@bp.post("/sections/<int:section_id>/revisions/<int:number>/restore")
def restore(section_id: int, number: int) -> ResponseReturnValue:
    data = json_input.payload('{"base_revision": n}')
    saved = operations.restore_revision(
        section_id, g.user.id, number, parse_revision_number(data.get("base_revision"))
    )
    response = jsonify(number=saved.number, review_notice=saved.review_notice)
    response.status_code = 201
    response.headers["Location"] = url_for(
        "sections_api.revision", section_id=section_id, number=saved.number
    )
    return response
