"""JSON API of contributions and discussions: propose, read with each change's status,
decide, withdraw; open a discussion on a section (or a passage, or a contribution), reply,
resolve and reopen it, as the section and contribution pages do."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from app import json_input
from app.contributions import operations, queries
from app.contributions.queries import contribution_json, thread_json
from app.db import db_session
from app.models import CommentThread, Contribution
from workflows.conventions import parse_id
from workflows.errors import InvalidInput
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


@bp.post("/contributions/<int:contribution_id>/treat")
def treat(contribution_id: int) -> ResponseReturnValue:
    """Taken into account without changing the text, with a note its author receives."""
    note = json_input.string(json_input.payload('{"note": "..."}'), "note")
    done = operations.mark_treated(contribution_id, g.user, note)
    return jsonify(contribution_json(done, with_hunks=False))


def _decisions(decisions: list[operations.Decision]) -> ResponseReturnValue:
    return jsonify(
        contributions=[contribution_json(d.contribution, with_hunks=False) for d in decisions],
        revisions=[d.revision.number for d in decisions if d.revision is not None],
    )


@bp.post("/sections/<int:section_id>/authors/<int:user_id>/accept")
def accept_author(section_id: int, user_id: int) -> ResponseReturnValue:
    """Every open contribution of one author on the section, oldest first, in one
    transaction (nothing written when one conflicts)."""
    json_input.payload(optional=True)
    return _decisions(operations.decide_author(section_id, user_id, g.user, accept=True))


@bp.post("/sections/<int:section_id>/authors/<int:user_id>/reject")
def reject_author(section_id: int, user_id: int) -> ResponseReturnValue:
    reason = json_input.string(json_input.payload('{"reason": "..."}'), "reason")
    return _decisions(
        operations.decide_author(section_id, user_id, g.user, accept=False, reason=reason)
    )


# --- discussions --------------------------------------------------------------------------


def _thread_answer(thread_id: int, status: int = 200) -> ResponseReturnValue:
    # The request's session still holds the thread as it was before the write (the access
    # check loaded it): read it again, comments included.
    session = db_session()
    session.expire_all()
    thread = session.get(CommentThread, thread_id)
    assert thread is not None  # written just now; discussions are never deleted
    response = jsonify(thread_json(thread))
    response.status_code = status
    response.headers["Location"] = url_for("contributions_api.thread", thread_id=thread_id)
    return response


@bp.get("/sections/<int:section_id>/threads")
def threads(section_id: int) -> ResponseReturnValue:
    """The section's discussions (those on the section itself, or with ``?contribution=``
    those on one of its contributions), open ones first, newest first, as the page lists
    them."""
    raw = request.args.get("contribution")
    contribution_id = None
    if raw is not None:
        contribution_id = parse_id(raw)
        if contribution_id is None:
            raise InvalidInput("Le paramètre contribution doit être un identifiant entier positif.")
    views = queries.threads_of(g.section, contribution_id)
    return jsonify(threads=[thread_json(v.thread, v.detached) for v in views])


@bp.post("/sections/<int:section_id>/threads")
def thread_create(section_id: int) -> ResponseReturnValue:
    data = json_input.payload('{"body": "...", "quote": "..."}')
    thread = operations.open_thread(
        section_id,
        g.user,
        json_input.string(data, "body"),
        quote=json_input.string(data, "quote"),
        revision_number=json_input.optional_id(data, "revision_number"),
        contribution_id=json_input.optional_id(data, "contribution_id"),
        before=json_input.string(data, "before"),
        after=json_input.string(data, "after"),
    )
    return _thread_answer(thread.id, 201)


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int) -> ResponseReturnValue:
    return jsonify(thread_json(g.thread))


@bp.post("/threads/<int:thread_id>/replies")
def thread_reply(thread_id: int) -> ResponseReturnValue:
    body = json_input.string(json_input.payload('{"body": "..."}'), "body")
    operations.reply(thread_id, g.user, body)
    return _thread_answer(thread_id, 201)


@bp.post("/threads/<int:thread_id>/resolve")
def thread_resolve(thread_id: int) -> ResponseReturnValue:
    json_input.payload(optional=True)
    operations.set_resolved(thread_id, g.user, True)
    return _thread_answer(thread_id)


@bp.post("/threads/<int:thread_id>/reopen")
def thread_reopen(thread_id: int) -> ResponseReturnValue:
    json_input.payload(optional=True)
    operations.set_resolved(thread_id, g.user, False)
    return _thread_answer(thread_id)
