"""JSON API of the deliberations: reading them, and recording one as the page does,
through the same operation (app/deliberations/operations.py). The extract of the
registre des délibérations is attached through ``/proofs`` (entry "deliberation")."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.deliberations import operations
from app.deliberations.queries import deliberations_json

bp = Blueprint("deliberations_api", __name__, url_prefix="/api")


@bp.get("/conventions/<int:convention_id>/deliberations", endpoint="index")
def index(convention_id: int) -> ResponseReturnValue:
    return jsonify(deliberations_json(g.convention))


@bp.post("/conventions/<int:convention_id>/deliberations", endpoint="record")
def record(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload(
        '{"organisation_id": 12, "instance": "conseil_communautaire", '
        '"decided_on": "AAAA-MM-JJ", "decision": "approuve", "note": ""}'
    )
    recorded = operations.record_deliberation(
        convention_id,
        g.user,
        g.role,
        json_input.optional_id(data, "organisation_id"),
        json_input.string(data, "instance"),
        json_input.day(data, "decided_on", "La date de la délibération"),
        json_input.string(data, "decision"),
        json_input.string(data, "note"),
    )
    session = db_session()
    session.expire_all()
    found = next(
        d for d in deliberations_json(g.convention)["deliberations"] if d["id"] == recorded.id
    )
    return jsonify(found), 201
