"""JSON API of the review: a drafter asks the signatories to review a section, a
signatory records its position, and everyone reads where a section's review stands and the
register of reserves. The same operations as the pages (app/review/operations.py)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.models import Section
from app.review import operations
from app.review.queries import API_POSITIONS, register_json, review_json
from workflows.errors import InvalidInput

bp = Blueprint("review_api", __name__, url_prefix="/api")


def _review_answer(section_id: int, status: int = 200) -> ResponseReturnValue:
    session = db_session()
    session.expire_all()  # the access check loaded the section before the write
    section = session.get(Section, section_id)
    assert section is not None  # sections are never deleted
    response = jsonify(review_json(section))
    response.status_code = status
    return response


@bp.get("/sections/<int:section_id>/review")
def show(section_id: int) -> ResponseReturnValue:
    return jsonify(review_json(g.section))


@bp.post("/sections/<int:section_id>/review", endpoint="request")
def request_review(section_id: int) -> ResponseReturnValue:
    json_input.payload(optional=True)  # no field, but a body sent is read as any other
    operations.ask_for_review(section_id, g.user)
    return _review_answer(section_id)


@bp.post("/sections/<int:section_id>/position")
def position(section_id: int) -> ResponseReturnValue:
    data = json_input.payload('{"position": "accord" | "reserves" | "desaccord", "text": "..."}')
    raw = json_input.string(data, "position", required=True).strip()
    chosen = API_POSITIONS.get(raw)
    if chosen is None:
        raise InvalidInput(
            f"Position inconnue : « {raw[:50]} ». Choisissez accord, reserves ou desaccord."
        )
    operations.record_position(
        section_id,
        g.user,
        chosen.value,
        json_input.string(data, "text"),
        json_input.optional_id(data, "revision_number"),
    )
    return _review_answer(section_id, 201)


@bp.get("/conventions/<int:convention_id>/reserves")
def register(convention_id: int) -> ResponseReturnValue:
    return jsonify(items=register_json(convention_id))
