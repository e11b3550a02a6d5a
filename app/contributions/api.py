"""JSON API of contributions: propose, read with each change's status, decide, withdraw."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for
from flask.typing import ResponseReturnValue

from app import json_input
from app.contributions import operations
from app.contributions.queries import contribution_json
from app.db import db_session
from app.models import Contribution
from workflows.revisions import parse_revision_number

bp = Blueprint("contributions_api", __name__, url_prefix="/api")


@bp.post("/sections/<int:section_id>/contributions")
def create(section_id: int) -> ResponseReturnValue:
    data = json_input.payload()
    body = json_input.string(data, "body")
    rationale = json_input.string(data, "rationale")
    assisted = json_input.flag(data, "assisted")  # drafted with the assistant
    contribution = operations.create_contribution(
        section_id,
        g.user,
        parse_revision_number(data.get("base_revision")),
        body,
        rationale,
        assisted=assisted,
    )
    response = jsonify(contribution_json(contribution))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "contributions_api.show", contribution_id=contribution.id
    )
    return response


@bp.get("/contributions/<int:contribution_id>")
def show(contribution_id: int) -> ResponseReturnValue:
    return jsonify(contribution_json(g.contribution))


@bp.post("/contributions/<int:contribution_id>/accept")
def accept(contribution_id: int) -> ResponseReturnValue:
    data = json_input.payload(optional=True)
    hunks = json_input.string_list(
        data, "hunks", 'hunks doit être une liste d\'identifiants ("h1", "h2"...).'
    )
    revision = operations.accept(contribution_id, g.user, hunks)
    refreshed = db_session().get(Contribution, contribution_id)
    assert refreshed is not None  # accepted just now, never deleted
    return jsonify(
        contribution=contribution_json(refreshed, with_hunks=False),
        revision=revision.number if revision else None,
    )


@bp.post("/contributions/<int:contribution_id>/reject")
def reject(contribution_id: int) -> ResponseReturnValue:
    reason = json_input.string(json_input.payload(), "reason")
    done = operations.reject(contribution_id, g.user, reason)
    return jsonify(contribution_json(done, with_hunks=False))


@bp.post("/contributions/<int:contribution_id>/withdraw")
def withdraw(contribution_id: int) -> ResponseReturnValue:
    # No field to read, but a body sent is read as every API body is: bounded, or a 400.
    json_input.payload(optional=True)
    done = operations.withdraw(contribution_id, g.user)
    return jsonify(contribution_json(done, with_hunks=False))


@bp.post("/contributions/<int:contribution_id>/changes/<int:number>/accept")
def accept_change(contribution_id: int, number: int) -> ResponseReturnValue:
    json_input.payload(optional=True)
    decision = operations.decide_change(contribution_id, g.user, number, accept=True)
    return jsonify(
        contribution=contribution_json(decision.contribution),
        revision=decision.revision.number if decision.revision else None,
    )


@bp.post("/contributions/<int:contribution_id>/changes/<int:number>/reject")
def reject_change(contribution_id: int, number: int) -> ResponseReturnValue:
    data = json_input.payload(optional=True)
    reason = json_input.string(data, "reason")
    decision = operations.decide_change(
        contribution_id, g.user, number, accept=False, reason=reason
    )
    return jsonify(contribution=contribution_json(decision.contribution))
