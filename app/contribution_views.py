"""Contributions (tracked changes) and comment threads on the web."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from app import contributions as ops
from app import queries
from app.operations import NotFound, StateRefused
from app.webutil import back, require_csrf
from workflows.contributions import STATE_LABELS, ContributionState
from workflows.conventions import parse_id
from workflows.errors import InvalidInput, TooLarge
from workflows.lifecycle import contributions_closed_reason, contributions_open
from workflows.revisions import parse_revision_number
from workflows.text.diff import word_diff

bp = Blueprint("contributions", __name__)


@bp.route("/sections/<int:section_id>/contributions/new", methods=["GET", "POST"])
def new(section_id: int):  # type: ignore[no-untyped-def]
    section = g.section
    reason = contributions_closed_reason(g.convention.state)
    current = section.current_revision
    base = current.number if current else 0
    body = current.body if current else ""
    rationale = ""
    error = None
    status = 200
    if request.method == "POST":
        require_csrf()
        body = request.form.get("body", "")
        rationale = request.form.get("rationale", "")
        try:
            base = parse_revision_number(request.form.get("base_revision"))
            contribution = ops.create_contribution(section_id, g.user, base, body, rationale)
        except StateRefused as exc:
            error, status = str(exc), 409
        except TooLarge as exc:
            error, status = str(exc), 413
        except InvalidInput as exc:
            error, status = str(exc), 400
        else:
            return back(
                url_for("contributions.show", contribution_id=contribution.id),
                f"Contribution n° {contribution.id} envoyée aux rédacteurs.",
                "success",
            )
    elif reason:
        error, status = reason, 409
    return render_template(
        "contribution_new.html",
        convention=g.convention,
        section=section,
        base=base,
        body=body,
        rationale=rationale,
        error=error,
        closed=not contributions_open(g.convention.state),
    ), status


@bp.get("/contributions/<int:contribution_id>")
def show(contribution_id: int):  # type: ignore[no-untyped-def]
    contribution = g.contribution
    view = ops.view(contribution)
    from workflows.text.merge import join

    return render_template(
        "contribution.html",
        convention=g.convention,
        section=g.section,
        c=contribution,
        view=view,
        diffs=word_diff(join(view.base), contribution.body),
        threads=ops.threads_of(g.section, contribution.id),
        STATES=STATE_LABELS,
        is_open=contribution.state is ContributionState.OUVERTE,
        phase_open=contributions_open(g.convention.state),
    )


def _decision(contribution_id: int, action, success):  # type: ignore[no-untyped-def]
    """Run a decision; ``success`` is the message, or a function of the action's result."""
    require_csrf()
    url = url_for("contributions.show", contribution_id=contribution_id)
    try:
        result = action()
    except (ops.MergeRefused, StateRefused, InvalidInput) as exc:
        return back(url, str(exc))
    except NotFound:
        abort(404)
    if callable(success):
        success = success(result)
    return back(url, success, "success")


@bp.post("/contributions/<int:contribution_id>/accept")
def accept(contribution_id: int):  # type: ignore[no-untyped-def]
    chosen = request.form.getlist("hunk")
    everything = request.form.get("all") == "1"
    return _decision(
        contribution_id,
        lambda: ops.accept(contribution_id, g.user, None if everything else chosen),
        _accepted_message,
    )


def _accepted_message(revision) -> str:  # type: ignore[no-untyped-def]
    from app.db import db_session

    contribution = g.contribution
    db_session().refresh(contribution)
    what = STATE_LABELS[contribution.state]
    if revision is None:
        return f"Contribution {what.lower()} : le texte actuel contenait déjà ces modifications."
    message = f"Contribution {what.lower()} : révision {revision.number} de la section créée."
    if revision.review_notice:
        message += " " + revision.review_notice
    return message


@bp.post("/contributions/<int:contribution_id>/reject")
def reject(contribution_id: int):  # type: ignore[no-untyped-def]
    reason = request.form.get("reason", "")
    return _decision(
        contribution_id,
        lambda: ops.reject(contribution_id, g.user, reason),
        "Contribution rejetée ; son auteur en est informé avec le motif.",
    )


@bp.post("/contributions/<int:contribution_id>/treat")
def treat(contribution_id: int):  # type: ignore[no-untyped-def]
    note = request.form.get("note", "")
    return _decision(
        contribution_id,
        lambda: ops.mark_treated(contribution_id, g.user, note),
        "Contribution marquée comme traitée.",
    )


@bp.post("/contributions/<int:contribution_id>/withdraw")
def withdraw(contribution_id: int):  # type: ignore[no-untyped-def]
    return _decision(
        contribution_id, lambda: ops.withdraw(contribution_id, g.user), "Contribution retirée."
    )


@bp.post("/sections/<int:section_id>/threads")
def thread_new(section_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    contribution_id = request.form.get("contribution_id", "")
    target = (
        url_for("contributions.show", contribution_id=int(contribution_id))
        if parse_id(contribution_id)
        else url_for("web.section", section_id=section_id) + "#discussion"
    )
    try:
        number = request.form.get("revision_number", "")
        ops.open_thread(
            section_id,
            g.user,
            request.form.get("body", ""),
            quote=request.form.get("quote", ""),
            revision_number=parse_id(number),
            contribution_id=parse_id(contribution_id),
        )
    except (InvalidInput, StateRefused) as exc:
        return back(target, str(exc))
    except NotFound as exc:
        abort(404, str(exc))
    return back(target, "Commentaire publié.", "success")


def _thread_target() -> str:
    thread = g.thread
    if thread.contribution_id:
        return url_for("contributions.show", contribution_id=thread.contribution_id)
    return url_for("web.section", section_id=thread.section_id) + f"#fil-{thread.id}"


@bp.post("/threads/<int:thread_id>/reply")
def thread_reply(thread_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    try:
        ops.reply(thread_id, g.user, request.form.get("body", ""))
    except (InvalidInput, StateRefused) as exc:
        return back(_thread_target(), str(exc))
    return back(_thread_target(), "Réponse publiée.", "success")


@bp.post("/threads/<int:thread_id>/resolve")
def thread_resolve(thread_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    resolved = request.form.get("resolved") == "1"
    try:
        ops.set_resolved(thread_id, g.user, resolved)
    except (InvalidInput, StateRefused) as exc:
        return back(_thread_target(), str(exc))
    return back(_thread_target(), "Fil résolu." if resolved else "Fil rouvert.", "success")


def section_context(section) -> dict:  # type: ignore[no-untyped-def]
    """What the section page shows of contributions and discussions."""
    return {
        "contributions": ops.of_section(section.id),
        "threads": ops.threads_of(section),
        "coauthors": ops.coauthors(section.id),
        "phase_open": contributions_open(section.convention.state),
        "CONTRIBUTION_STATES": STATE_LABELS,
        "revision_numbers": queries.revision_count(section.id),
    }
