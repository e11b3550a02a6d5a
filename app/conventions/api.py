"""JSON API of conventions: those the user takes part in, one with its members, and its
participants managed as the participants page does (app/conventions/operations.py)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for
from flask.typing import ResponseReturnValue

from app import json_input
from app.access import conventions_for, members
from app.conventions import operations
from app.conventions.queries import choice_json, choice_lines, convention_json, membership_json
from app.db import db_session
from workflows.conventions import ConventionKind
from workflows.errors import InvalidInput
from workflows.permissions import Role
from workflows.signatory_choice import read_choice

bp = Blueprint("conventions_api", __name__, url_prefix="/api")


@bp.get("/conventions", endpoint="list")
def list_conventions() -> ResponseReturnValue:
    return jsonify(
        conventions=[convention_json(c, role.value) for c, role in conventions_for(g.user)]
    )


@bp.post("/conventions", endpoint="create")
def create() -> ResponseReturnValue:
    """A new convention of the user's organisme with its standard sections, as the « Nouvelle
    convention » page makes it (from a Word draft: ``POST /api/conventions/import.docx``)."""
    data = json_input.payload('{"kind": "cus", "title": "...", "start_year": 2026}')
    raw = json_input.string(data, "kind", required=True).strip()
    try:
        kind = ConventionKind(raw)
    except ValueError:
        kinds = ", ".join(k.value for k in ConventionKind if k is not ConventionKind.AVENANT)
        raise InvalidInput(f"Type de convention inconnu : « {raw[:50]} » ({kinds}).") from None
    start_year = json_input.whole_number(data, "start_year", required=True)
    assert start_year is not None  # required
    created = operations.create_convention(
        g.user,
        kind,
        json_input.string(data, "title"),
        start_year,
        json_input.whole_number(data, "end_year"),
        json_input.optional_id(data, "cadre_id"),
    )
    response = jsonify(convention_json(created, Role.REDACTEUR.value))
    response.status_code = 201
    response.headers["Location"] = url_for("conventions_api.show", convention_id=created.id)
    return response


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


@bp.get("/conventions/<int:convention_id>/members", endpoint="members")
def list_members(convention_id: int) -> ResponseReturnValue:
    return jsonify(members=[membership_json(m) for m in members(convention_id)])


@bp.post("/conventions/<int:convention_id>/members", endpoint="member_set")
def member_set(convention_id: int) -> ResponseReturnValue:
    """Add an organisation or a user (by address) with a role, or change the role of
    one already taking part: 201 when added, 200 when changed."""
    data = json_input.payload('{"role": "associe", "organisation_id": n} ou {"user_email": "..."}')
    raw = json_input.string(data, "role", required=True).strip()
    try:
        role = Role(raw)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Rôle inconnu : « {raw[:50]} » ({roles}).") from None
    before = {m.id for m in members(convention_id)}
    membership = operations.set_membership(
        convention_id,
        role,
        organisation_id=json_input.optional_id(data, "organisation_id"),
        user_email=json_input.string(data, "user_email").strip() or None,
        actor=g.user,
    )
    session = db_session()
    session.expire_all()
    found = next(m for m in members(convention_id) if m.id == membership.id)
    return jsonify(membership_json(found)), 200 if membership.id in before else 201


@bp.delete("/conventions/<int:convention_id>/members/<int:membership_id>")
def member_remove(convention_id: int, membership_id: int) -> ResponseReturnValue:
    operations.remove_membership(convention_id, membership_id, actor=g.user)
    return "", 204


@bp.post("/conventions/<int:convention_id>/members/<int:membership_id>/choice", endpoint="choice")
def choice(convention_id: int, membership_id: int) -> ResponseReturnValue:
    """An associated collectivité's choice, as the participants page records it:
    ``{"choice": "signataire" | "associee", "letter_on": "AAAA-MM-JJ"}`` (the letter's
    date when the organisme records it from the collectivité's letter)."""
    operations.ensure_may_choose(convention_id, membership_id, g.user)
    data = json_input.payload('{"choice": "signataire", "letter_on": "AAAA-MM-JJ"}')
    letter_on = json_input.day(data, "letter_on", "La date du courrier")
    operations.record_choice(
        convention_id,
        membership_id,
        g.user,
        read_choice(json_input.string(data, "choice")),
        letter_on,
    )
    db_session().expire_all()
    memberships = members(convention_id)
    line = next(
        (
            c
            for c in choice_lines(g.convention, memberships, g.user, g.role)
            if c.membership.id == membership_id
        ),
        None,
    )
    assert line is not None  # a collectivité that has chosen is still one that may
    return jsonify(choice_json(line))


@bp.get("/conventions/<int:convention_id>/choices", endpoint="choices")
def choices(convention_id: int) -> ResponseReturnValue:
    """Each associated collectivité and its choice (``null``: none expressed)."""
    lines = choice_lines(g.convention, members(convention_id), g.user, g.role)
    return jsonify(choices=[choice_json(line) for line in lines])
