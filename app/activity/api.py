"""JSON API of the journal: a convention's events, newest first, filtered and paged."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from app.activity import queries
from workflows.conventions import parse_id

bp = Blueprint("activity_api", __name__, url_prefix="/api")


@bp.get("/conventions/<int:convention_id>/events")
def events(convention_id: int) -> ResponseReturnValue:
    rows = queries.events(
        convention_id,
        request.args.get("action") or None,
        parse_id(request.args.get("organisation", "")),
        parse_id(request.args.get("before", "")),
    )
    return jsonify(events=[queries.event_json(e) for e in rows])
