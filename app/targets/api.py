"""JSON API of targets and achieved values: the convention's table (as its « Engagements,
objectifs et indicateurs » page shows it), entering or correcting one value from its
variables, removing one; the same operations as the page (app/targets/operations.py)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from app import json_input
from app.targets import grid, operations, queries
from workflows import targets as rules
from workflows.errors import InvalidInput

bp = Blueprint("targets_api", __name__, url_prefix="/api")


@bp.get("/conventions/<int:convention_id>/indicator-values", endpoint="table")
def table(convention_id: int) -> ResponseReturnValue:
    convention = g.convention
    return jsonify(
        years=list(queries.years_of(convention)),
        # Why this phase takes no target, or no achieved value (null: it does).
        refusals={
            kind: rules.phase_refusal(kind, convention.state, convention.lifecycle)
            for kind in ("cible", "realise")
        },
        indicators=queries.table_json(queries.table(convention_id)),
    )


@bp.post("/conventions/<int:convention_id>/indicator-values")
def save(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload(
        '{"code": "F.VI", "scope": "...", "year": 2026, "kind": "cible", '
        '"variables": {"V1": 120, "V2": 4000}}'
    )
    variables = data.get("variables")
    if not isinstance(variables, dict) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in variables.values()
    ):
        raise InvalidInput(
            'Le champ variables doit être un objet nom → nombre : {"V1": 120, "V2": 4000}.'
        )
    year = data.get("year")
    if not isinstance(year, int | str) or isinstance(year, bool):
        raise InvalidInput("Le champ year doit être une année de la convention.")
    row = operations.save_value(
        convention_id,
        g.user,
        json_input.string(data, "code"),
        json_input.string(data, "scope"),
        year,
        json_input.string(data, "kind"),
        variables,
    )
    return jsonify(queries.value_json(row))


@bp.delete("/conventions/<int:convention_id>/indicator-values")
def delete(convention_id: int) -> ResponseReturnValue:
    """The cell is named in the query (``?code=&scope=&year=&kind=``): a DELETE has no body."""
    args = request.args
    operations.delete_value(
        convention_id,
        g.user,
        args.get("code", ""),
        args.get("scope", ""),
        args.get("year", ""),
        args.get("kind", ""),
    )
    return "", 204


@bp.post("/conventions/<int:convention_id>/indicator-values/grid", endpoint="grid")
def grid_save(convention_id: int) -> ResponseReturnValue:
    """Many cells in one transaction, as a grid's Save: all written, or none (400 with
    every refused cell and its reason). A cell whose variables are all empty removes
    its value; an unchanged cell is left as it is."""
    data = json_input.payload(
        '{"cells": [{"code": "G.III", "scope": "...", "year": 2026, "kind": "cible", '
        '"variables": {"V1": 30, "V2": 200}}]}'
    )
    raw = data.get("cells")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("Le champ cells doit être une liste de cases, au moins une.")
    grid.check_count(len(raw))
    cells = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(
                f"La case {n} doit être un objet code, scope, year, kind, variables."
            )
        variables = item.get("variables")
        if not isinstance(variables, dict) or not all(
            v is None or (isinstance(v, str | int | float) and not isinstance(v, bool))
            for v in variables.values()
        ):
            raise InvalidInput(f"Case {n} : variables doit être un objet nom → nombre.")
        year = item.get("year")
        if not isinstance(year, int | str) or isinstance(year, bool):
            raise InvalidInput(f"Case {n} : year doit être une année de la convention.")
        cells.append(
            grid.CellInput(
                code=str(item.get("code", ""))[:20],
                scope=str(item.get("scope", ""))[:1000],
                year=year,
                kind=str(item.get("kind", ""))[:20],
                variables=variables,
                ref=str(n),
            )
        )
    planned = grid.save_grid(convention_id, g.user, cells)
    return jsonify(cells=[p.json() for p in planned])
