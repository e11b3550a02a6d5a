"""JSON API of the knowledge base: search, the indicators, the calculator."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from app import json_input
from app.kb import queries
from knowledge.indicators.calculator import compute
from knowledge.indicators.catalogue import CATALOGUE
from knowledge.indicators.display import indicator_json
from knowledge.types import DocumentKind
from workflows.conventions import parse_id
from workflows.errors import InvalidInput

bp = Blueprint("kb_api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> ResponseReturnValue:
    limit = parse_id(request.args.get("limit", "10"))
    if limit is None or limit > 100:
        raise InvalidInput("limit doit être un entier entre 1 et 100.")
    kind = request.args.get("kind") or None
    if kind and kind not in {k.value for k in DocumentKind}:
        raise InvalidInput(f"kind inconnu : {kind}.")
    result = queries.search(request.args.get("q", ""), kind=kind, limit=limit)
    return jsonify(
        hits=[queries.hit_json(h) for h in result.hits], total=result.total, took_ms=result.took_ms
    )


@bp.get("/indicators")
def indicators() -> ResponseReturnValue:
    return jsonify(
        indicators=[
            {"code": i.code, "title": i.title, "unit": i.unit, "aspect": i.aspect}
            for i in CATALOGUE.values()
        ]
    )


@bp.get("/indicators/<code>")
def indicator(code: str) -> ResponseReturnValue:
    return jsonify(indicator_json(queries.indicator_of(code)))


@bp.post("/indicators/<code>/compute", endpoint="compute")
def compute_indicator(code: str) -> ResponseReturnValue:
    item = queries.indicator_of(code)
    data = json_input.payload('{"years": {"2025": {"V1": 120, "V2": 4000}}}')
    years = data.get("years")
    if not isinstance(years, dict):
        raise InvalidInput('Corps JSON attendu : {"years": {"2025": {"V1": 120, "V2": 4000}}}.')
    return jsonify(dataclasses.asdict(compute(item.code, years)))
