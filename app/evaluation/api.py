"""JSON API of the evaluations, through the same operations as the pages."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.evaluation import operations
from app.evaluation.queries import report_json
from app.models import Convention

bp = Blueprint("evaluation_api", __name__, url_prefix="/api")


def _fresh(convention_id: int) -> Convention:
    session = db_session()
    session.expire_all()
    convention = session.get(Convention, convention_id)
    assert convention is not None  # conventions are never deleted
    return convention


@bp.get("/conventions/<int:convention_id>/evaluations/<int:years>")
def show(convention_id: int, years: int) -> ResponseReturnValue:
    return jsonify(report_json(g.convention, years))


@bp.post("/conventions/<int:convention_id>/evaluations/<int:years>/explain")
def explain(convention_id: int, years: int) -> ResponseReturnValue:
    data = json_input.payload('{"code": "F.VI", "scope": "Loiret", "explanation": "…"}')
    operations.explain(
        convention_id,
        g.user,
        years,
        json_input.string(data, "code", required=True),
        json_input.string(data, "scope", required=True),
        json_input.string(data, "explanation"),
    )
    return jsonify(report_json(_fresh(convention_id), years))


@bp.post("/conventions/<int:convention_id>/evaluations/<int:years>/assess")
def assess(convention_id: int, years: int) -> ResponseReturnValue:
    operations.require_assessor(g.user)
    data = json_input.payload(
        '{"code": "F.VI", "scope": "Loiret", "assessment": "imputable" | "non_imputable", '
        '"note": "…"}'
    )
    operations.assess(
        convention_id,
        g.user,
        years,
        json_input.string(data, "code", required=True),
        json_input.string(data, "scope", required=True),
        json_input.string(data, "assessment", required=True),
        json_input.string(data, "note"),
    )
    return jsonify(report_json(_fresh(convention_id), years))
