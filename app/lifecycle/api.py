"""JSON API of the lifecycle: moving a convention (409 with every reason when refused)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.conventions.queries import convention_json
from app.lifecycle import operations

bp = Blueprint("lifecycle_api", __name__, url_prefix="/api")


@bp.post("/conventions/<int:convention_id>/transition")
def transition(convention_id: int) -> ResponseReturnValue:
    target = json_input.string(json_input.payload(), "to", required=True)
    return jsonify(convention_json(operations.transition(convention_id, g.user, target)))
