"""JSON API (bearer token). Same operations and the same access matrix as the web."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request, url_for

from app import queries
from app.models import Convention, Revision, Section
from app.operations import RevisionConflict, StateRefused, save_revision
from workflows.conventions import parse_id
from workflows.errors import InvalidInput, TooLarge
from workflows.revisions import parse_revision_number
from workflows.text.diff import diff_stats, word_diff

bp = Blueprint("api", __name__)


def _iso(value):  # type: ignore[no-untyped-def]
    return value.isoformat() if value else None


def convention_json(convention: Convention, role: str | None = None) -> dict:
    data = {
        "id": convention.id,
        "kind": convention.kind.value,
        "title": convention.title,
        "organisme": {"id": convention.organisme.id, "name": convention.organisme.name},
        "start_year": convention.start_year,
        "end_year": convention.end_year,
        "state": convention.state.value,
        "cadre_id": convention.cadre_id,
        "created_at": _iso(convention.created_at),
    }
    if role is not None:
        data["role"] = role
    return data


def revision_json(revision: Revision, with_body: bool = True) -> dict:
    data = {
        "number": revision.number,
        "parent_number": revision.parent_number,
        "author": {"id": revision.author.id, "name": revision.author.name},
        "created_at": _iso(revision.created_at),
        "message": revision.message,
        "restored_from": revision.restored_from,
    }
    if with_body:
        data["body"] = revision.body
    return data


def section_json(section: Section, with_body: bool = False) -> dict:
    current = section.current_revision
    return {
        "id": section.id,
        "convention_id": section.convention_id,
        "position": section.position,
        "title": section.title,
        "mandatory": section.mandatory,
        "current_revision": revision_json(current, with_body) if current else None,
    }


@bp.get("/conventions")
def conventions():  # type: ignore[no-untyped-def]
    return jsonify(
        conventions=[convention_json(c, role.value) for c, role in queries.conventions_for(g.user)]
    )


@bp.get("/conventions/<int:convention_id>")
def convention(convention_id: int):  # type: ignore[no-untyped-def]
    data = convention_json(g.convention, g.role.value)
    data["members"] = [
        {
            "role": m.role.value,
            "organisation": m.organisation.name if m.organisation else None,
            "user": m.user.email if m.user else None,
        }
        for m in queries.members(convention_id)
    ]
    return jsonify(data)


@bp.get("/conventions/<int:convention_id>/sections")
def convention_sections(convention_id: int):  # type: ignore[no-untyped-def]
    return jsonify(sections=[section_json(s) for s in queries.sections_with_current(convention_id)])


@bp.get("/sections/<int:section_id>")
def section(section_id: int):  # type: ignore[no-untyped-def]
    return jsonify(section_json(g.section, with_body=True))


PAGE_MAX = 1000


@bp.get("/sections/<int:section_id>/revisions")
def revisions(section_id: int):  # type: ignore[no-untyped-def]
    """Newest first, without bodies; ``?limit=`` (default 100, at most 1000) and ``?offset=``."""
    limit = _int_arg("limit", 100)
    offset = _int_arg("offset", 0)
    if not 1 <= limit <= PAGE_MAX:
        abort(400, f"limit doit être compris entre 1 et {PAGE_MAX}.")
    return jsonify(
        total=queries.revision_count(section_id),
        limit=limit,
        offset=offset,
        revisions=[
            revision_json(r, with_body=False)
            for r in queries.history(section_id, limit=limit, offset=offset)
        ],
    )


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()):
        abort(400, f"Le paramètre {name} doit être un entier positif.")
    return int(raw)


@bp.get("/sections/<int:section_id>/revisions/<int:number>")
def revision(section_id: int, number: int):  # type: ignore[no-untyped-def]
    rev = queries.revision(section_id, number)
    if rev is None:
        abort(404, "Révision introuvable.")
    return jsonify(revision_json(rev))


@bp.post("/sections/<int:section_id>/revisions")
def revision_create(section_id: int):  # type: ignore[no-untyped-def]
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, 'Corps JSON attendu : {"base_revision": n, "body": "...", "message": "..."}.')
    body = payload.get("body")
    message = payload.get("message", "")
    if not isinstance(body, str) or not isinstance(message, str):
        abort(400, "Les champs body et message doivent être des chaînes.")
    try:
        base = parse_revision_number(payload.get("base_revision"))
        rev = save_revision(section_id, g.user.id, base, body, message)
    except RevisionConflict as conflict:
        return jsonify(error=str(conflict), current=revision_json(conflict.current)), 409
    except StateRefused as exc:
        abort(409, str(exc))
    except TooLarge as exc:
        abort(413, str(exc))
    except InvalidInput as exc:
        abort(400, str(exc))
    response = jsonify(number=rev.number, review_notice=rev.review_notice)
    response.status_code = 201
    response.headers["Location"] = url_for("api.revision", section_id=section_id, number=rev.number)
    return response


@bp.get("/sections/<int:section_id>/diff")
def diff(section_id: int):  # type: ignore[no-untyped-def]
    try:
        from_number = parse_revision_number(request.args.get("from"))
        to_number = parse_revision_number(request.args.get("to"))
    except InvalidInput:
        abort(400, "Paramètres from et to obligatoires (numéros de révision).")
    old = queries.revision(section_id, from_number) if from_number else None
    new = queries.revision(section_id, to_number)
    if new is None or (from_number and old is None):
        abort(404, "Révision introuvable.")
    diffs = word_diff(old.body if old else "", new.body)
    stats = diff_stats(diffs)
    return jsonify(
        {
            "from": from_number,
            "to": to_number,
            "stats": {
                "inserted_words": stats.inserted_words,
                "deleted_words": stats.deleted_words,
                "changed_paragraphs": stats.changed_paragraphs,
            },
            "paragraphs": [
                {
                    "op": d.op,
                    "old_index": d.old_index,
                    "new_index": d.new_index,
                    "spans": [{"op": s.op, "text": s.text} for s in d.spans],
                }
                for d in diffs
            ],
        }
    )


# --- contributions, events, lifecycle -------------------------------------------------


def _payload() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, "Corps JSON attendu (un objet).")
    return payload


def _string(payload: dict, key: str, required: bool = False) -> str:
    value = payload.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        abort(400, f"Le champ {key} doit être une chaîne.")
    if required and not value.strip():
        abort(400, f"Le champ {key} est obligatoire.")
    return value


def _flag(payload: dict, key: str) -> bool:
    value = payload.get(key, False)
    if not isinstance(value, bool):
        abort(400, f"Le champ {key} doit valoir true ou false.")
    return value


def contribution_json(contribution, with_hunks: bool = True) -> dict:  # type: ignore[no-untyped-def]
    from app.contributions import view

    data = {
        "id": contribution.id,
        "section_id": contribution.section_id,
        "author": {"id": contribution.author.id, "name": contribution.author.name},
        "organisation": contribution.organisation.name,
        "base_revision": contribution.base_number,
        "body": contribution.body,
        "rationale": contribution.rationale,
        "state": contribution.state.value,
        "created_at": _iso(contribution.created_at),
        "decided_at": _iso(contribution.decided_at),
        "decided_by": contribution.decided_by.name if contribution.decided_by else None,
        "decision_note": contribution.decision_note,
        "result_revision": contribution.result_number,
        "assisted": contribution.assisted,
    }
    if with_hunks:
        current = view(contribution)
        data["current_revision"] = current.current_number
        data["hunks"] = [
            {
                "id": h.hunk.id,
                "kind": h.hunk.kind,
                "paragraph_id": h.hunk.paragraph_id,
                "old_text": h.hunk.old_text,
                "new_text": h.hunk.new_text,
                "status": h.status,
                "decision": h.decision,
            }
            for h in current.hunks
        ]
    return data


def _contribution_errors(action):  # type: ignore[no-untyped-def]
    """Run a contribution operation, mapping refusals to JSON errors."""
    from app.contributions import MergeRefused
    from app.operations import NotFound, StateRefused

    try:
        return action()
    except MergeRefused as exc:
        response = jsonify(
            error=str(exc),
            conflicts=[
                {"paragraph_id": c.paragraph_id, "kind": c.kind, "message": c.message}
                for c in exc.conflicts
            ],
        )
        response.status_code = 409
        abort(response)
    except StateRefused as exc:
        abort(409, str(exc))
    except TooLarge as exc:
        abort(413, str(exc))
    except InvalidInput as exc:
        abort(400, str(exc))
    except NotFound as exc:
        abort(404, str(exc))


@bp.post("/sections/<int:section_id>/contributions")
def contribution_create(section_id: int):  # type: ignore[no-untyped-def]
    from app.contributions import create_contribution

    payload = _payload()
    body = _string(payload, "body")
    rationale = _string(payload, "rationale")
    assisted = _flag(payload, "assisted")  # drafted with the assistant
    contribution = _contribution_errors(
        lambda: create_contribution(
            section_id,
            g.user,
            parse_revision_number(payload.get("base_revision")),
            body,
            rationale,
            assisted=assisted,
        )
    )
    response = jsonify(contribution_json(contribution))
    response.status_code = 201
    response.headers["Location"] = url_for("api.contribution", contribution_id=contribution.id)
    return response


@bp.get("/contributions/<int:contribution_id>")
def contribution(contribution_id: int):  # type: ignore[no-untyped-def]
    return jsonify(contribution_json(g.contribution))


@bp.post("/contributions/<int:contribution_id>/accept")
def contribution_accept(contribution_id: int):  # type: ignore[no-untyped-def]
    from app.contributions import accept

    payload = request.get_json(silent=True) or {}
    if not isinstance(payload, dict):
        abort(400, "Corps JSON attendu (un objet).")
    hunks = payload.get("hunks")
    if hunks is not None and (
        not isinstance(hunks, list) or not all(isinstance(h, str) for h in hunks)
    ):
        abort(400, 'hunks doit être une liste d\'identifiants ("h1", "h2"...).')
    revision = _contribution_errors(lambda: accept(contribution_id, g.user, hunks))
    from app.db import db_session
    from app.models import Contribution

    refreshed = db_session().get(Contribution, contribution_id)
    return jsonify(
        contribution=contribution_json(refreshed, with_hunks=False),
        revision=revision.number if revision else None,
    )


@bp.post("/contributions/<int:contribution_id>/reject")
def contribution_reject(contribution_id: int):  # type: ignore[no-untyped-def]
    from app.contributions import reject

    reason = _string(_payload(), "reason")
    done = _contribution_errors(lambda: reject(contribution_id, g.user, reason))
    return jsonify(contribution_json(done, with_hunks=False))


@bp.post("/contributions/<int:contribution_id>/withdraw")
def contribution_withdraw(contribution_id: int):  # type: ignore[no-untyped-def]
    from app.contributions import withdraw

    done = _contribution_errors(lambda: withdraw(contribution_id, g.user))
    return jsonify(contribution_json(done, with_hunks=False))


@bp.get("/conventions/<int:convention_id>/events")
def events(convention_id: int):  # type: ignore[no-untyped-def]
    from app.activity import events as load

    before = request.args.get("before", "")
    organisation = request.args.get("organisation", "")
    rows = load(
        convention_id,
        request.args.get("action") or None,
        parse_id(organisation),
        parse_id(before),
    )
    return jsonify(
        events=[
            {
                "id": e.id,
                "at": _iso(e.created_at),
                "action": e.action,
                "actor": e.actor.name if e.actor else None,
                "organisation": e.organisation.name if e.organisation else None,
                "target": {"type": e.target_type, "id": e.target_id},
                "summary": e.summary,
            }
            for e in rows
        ]
    )


@bp.post("/conventions/<int:convention_id>/transition")
def transition(convention_id: int):  # type: ignore[no-untyped-def]
    from app.lifecycle import TransitionRefused
    from app.lifecycle import transition as move

    target = _string(_payload(), "to", required=True)
    try:
        convention = move(convention_id, g.user, target)
    except TransitionRefused as exc:
        response = jsonify(error=str(exc), reasons=exc.reasons)
        response.status_code = 409
        return response
    except InvalidInput as exc:
        abort(400, str(exc))
    return jsonify(convention_json(convention))
