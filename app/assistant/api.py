"""JSON API of the assistant: ``POST /api/assistant/ask`` ``{"question", "convention_id"?,
"section_id"?}``."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.assistant import queries

bp = Blueprint("assistant_api", __name__, url_prefix="/api")


@bp.post("/assistant/ask")
def ask() -> ResponseReturnValue:
    data = json_input.payload('{"question": "...", "section_id": 12}')
    return jsonify(
        queries.ask(
            data.get("question"),
            g.user,
            json_input.optional_id(data, "convention_id"),
            json_input.optional_id(data, "section_id"),
        )
    )
