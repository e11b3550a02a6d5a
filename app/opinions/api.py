"""JSON API of the State's internal opinions (State services only)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.opinions import operations
from app.opinions.queries import opinion_json, opinions, reads_opinions
from workflows.errors import Forbidden

bp = Blueprint("opinions_api", __name__, url_prefix="/api")


def _state_only() -> None:
    if not reads_opinions(g.user):
        raise Forbidden("Les avis internes de l'État ne sont lus que par ses services.")


@bp.get("/conventions/<int:convention_id>/state-opinions")
def index(convention_id: int) -> ResponseReturnValue:
    _state_only()
    return jsonify(items=[opinion_json(o) for o in opinions(convention_id)])


@bp.post("/conventions/<int:convention_id>/state-opinions")
def add(convention_id: int) -> ResponseReturnValue:
    operations.require_state(g.user)
    data = json_input.payload('{"section_id": n, "territory": "Loiret", "body": "…"}')
    opinion = operations.add_opinion(
        convention_id,
        g.user,
        json_input.optional_id(data, "section_id"),
        json_input.string(data, "territory"),
        json_input.string(data, "body"),
    )
    return jsonify(opinion_json(opinion)), 201
