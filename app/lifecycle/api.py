"""JSON API of the lifecycle: moving a convention (409 with every reason when refused),
its signatures, its deadlines and its avenants, through the same operations as the
convention's page (app/lifecycle/operations.py)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify, url_for
from flask.typing import ResponseReturnValue

from app import json_input
from app.conventions.queries import convention_json
from app.db import db_session
from app.lifecycle import operations
from app.lifecycle.queries import deadlines_json, readiness_json, signatures_json
from app.models import Convention
from workflows.errors import InvalidInput
from workflows.lifecycle import DEADLINE_LABELS
from workflows.register import parse_date

bp = Blueprint("lifecycle_api", __name__, url_prefix="/api")


def _convention(convention_id: int) -> Convention:
    session = db_session()
    session.expire_all()  # the access check loaded it before the write
    convention = session.get(Convention, convention_id)
    assert convention is not None  # conventions are never deleted
    return convention


@bp.post("/conventions/<int:convention_id>/transition")
def transition(convention_id: int) -> ResponseReturnValue:
    target = json_input.string(json_input.payload(), "to", required=True)
    return jsonify(convention_json(operations.transition(convention_id, g.user, target)))


@bp.get("/conventions/<int:convention_id>/readiness")
def readiness(convention_id: int) -> ResponseReturnValue:
    return jsonify(readiness_json(g.convention))


@bp.post("/conventions/<int:convention_id>/points/<kind>/<int:ref>/carry")
def carry(convention_id: int, kind: str, ref: int) -> ResponseReturnValue:
    data = json_input.payload('{"note": "ce qui a été fait, pourquoi le point reste ouvert"}')
    operations.carry_point(convention_id, g.user, kind, ref, json_input.string(data, "note"))
    return jsonify(readiness_json(_convention(convention_id))), 201


@bp.delete("/conventions/<int:convention_id>/points/<kind>/<int:ref>/carry")
def uncarry(convention_id: int, kind: str, ref: int) -> ResponseReturnValue:
    operations.uncarry_point(convention_id, g.user, kind, ref)
    return jsonify(readiness_json(_convention(convention_id)))


@bp.get("/conventions/<int:convention_id>/signatures")
def signatures(convention_id: int) -> ResponseReturnValue:
    return jsonify(signatures_json(g.convention))


@bp.post("/conventions/<int:convention_id>/signatures")
def sign(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload(
        '{"membership_id": n, "signed_on": "AAAA-MM-JJ", "signer": "Nom, qualité"}'
    )
    signed_on = json_input.day(data, "signed_on", "La date de signature")
    if signed_on is None:
        raise InvalidInput("La date de signature est obligatoire.")
    operations.sign(
        convention_id,
        g.user,
        json_input.optional_id(data, "membership_id"),
        signed_on,
        json_input.string(data, "signer"),
    )
    return jsonify(signatures_json(_convention(convention_id))), 201


@bp.post("/conventions/<int:convention_id>/signature-proposal")
def proposal(convention_id: int) -> ResponseReturnValue:
    operations.ensure_may_record_proposal(convention_id, g.user)
    data = json_input.payload(
        '{"proposed_on": "AAAA-MM-JJ", "proposer": "préfet de département du …", "note": "…"}'
    )
    date_error = None
    proposed_on = None
    try:
        proposed_on = json_input.day(data, "proposed_on", "La date de la proposition")
    except InvalidInput as refusal:
        date_error = refusal.message
    operations.record_proposal(
        convention_id,
        g.user,
        proposed_on,
        json_input.string(data, "proposer"),
        json_input.string(data, "note"),
        date_error=date_error,
    )
    return jsonify(signatures_json(_convention(convention_id))), 201


@bp.get("/conventions/<int:convention_id>/deadlines")
def deadlines(convention_id: int) -> ResponseReturnValue:
    return jsonify(deadlines=deadlines_json(g.convention))


@bp.post("/conventions/<int:convention_id>/deadlines", endpoint="deadlines_set")
def set_deadlines(convention_id: int) -> ResponseReturnValue:
    """The deadlines named in the body are set (a date) or removed (null or ""); those
    left out stay as they are."""
    data = json_input.payload('{"association": "AAAA-MM-JJ", "transmission": null}')
    unknown = sorted(set(data) - DEADLINE_LABELS.keys())
    if unknown:
        raise InvalidInput(
            f"Échéance inconnue : {unknown[0][:50]} (association, transmission ou signature)."
        )
    values: dict[str, date | None] = {}
    for key, label in DEADLINE_LABELS.items():
        if key in data:
            raw = json_input.string(data, key).strip()
            values[key] = parse_date(raw, label) if raw else None
    operations.set_deadlines(convention_id, g.user, values)
    return jsonify(deadlines=deadlines_json(_convention(convention_id)))


@bp.post("/conventions/<int:convention_id>/avenant")
def avenant(convention_id: int) -> ResponseReturnValue:
    title = json_input.string(json_input.payload('{"title": "..."}'), "title")
    created = operations.create_avenant(convention_id, g.user, title)
    response = jsonify(convention_json(_convention(created.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("conventions_api.show", convention_id=created.id)
    return response
