"""JSON API of conventions: those the user takes part in, and one with its members."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app.access import conventions_for, members
from app.conventions.queries import convention_json

bp = Blueprint("conventions_api", __name__, url_prefix="/api")


@bp.get("/conventions", endpoint="list")
def list_conventions() -> ResponseReturnValue:
    return jsonify(
        conventions=[convention_json(c, role.value) for c, role in conventions_for(g.user)]
    )


@bp.get("/conventions/<int:convention_id>")
def show(convention_id: int) -> ResponseReturnValue:
    data = convention_json(g.convention, g.role.value)
    data["members"] = [
        {
            "role": m.role.value,
            "organisation": m.organisation.name if m.organisation else None,
            "user": m.user.email if m.user else None,
        }
        for m in members(convention_id)
    ]
    return jsonify(data)
