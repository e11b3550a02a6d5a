"""The editor pages' calls: drafts saved (autosave) and discarded, the presence
heartbeat, the preview of a proposal as tracked changes.

Every call posts the page's own form fields with its CSRF token (fetch sends it in the
``X-CSRFToken`` header too). A draft or a heartbeat answers JSON or an HTML fragment the
page puts in place; a discard is a plain form that comes back to the page.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.editing import operations, queries
from app.editing.forms import DraftForm, EditorForm, PresenceForm
from app.forms import submitted
from app.models import iso
from app.sections.queries import revision
from workflows.editing import Purpose
from workflows.errors import CosigneError
from workflows.revisions import parse_revision_number
from workflows.text.diff import diff_stats, summary, word_diff

bp = Blueprint("editing", __name__)

PAGES = {Purpose.REVISION: "sections.edit", Purpose.PROPOSAL: "contributions.new"}


def _answer_in_json(error: CosigneError) -> ResponseReturnValue:
    return jsonify(error=error.message), error.status


@bp.post("/sections/<int:section_id>/edit/draft")
def revision_draft(section_id: int) -> ResponseReturnValue:
    return _save_draft(section_id, Purpose.REVISION)


@bp.post("/sections/<int:section_id>/contributions/new/draft")
def proposal_draft(section_id: int) -> ResponseReturnValue:
    return _save_draft(section_id, Purpose.PROPOSAL)


def _save_draft(section_id: int, purpose: Purpose) -> ResponseReturnValue:
    errors.on_error(_answer_in_json)
    form = submitted(DraftForm())
    base = parse_revision_number(form.base_revision.data)
    body = queries.submitted_text(section_id, base, form.body.data or "", form.document.data or "")
    note = form.message.data if purpose is Purpose.REVISION else form.rationale.data
    draft = operations.save_draft(g.user.id, section_id, purpose, base, body, note or "")
    if draft is None:
        return jsonify(saved=False, saved_at=None)
    return jsonify(saved=True, saved_at=iso(draft.saved_at))


@bp.post("/sections/<int:section_id>/edit/draft/discard")
def revision_draft_discard(section_id: int) -> ResponseReturnValue:
    return _discard(section_id, Purpose.REVISION)


@bp.post("/sections/<int:section_id>/contributions/new/draft/discard")
def proposal_draft_discard(section_id: int) -> ResponseReturnValue:
    return _discard(section_id, Purpose.PROPOSAL)


def _discard(section_id: int, purpose: Purpose) -> ResponseReturnValue:
    page = url_for(PAGES[purpose], section_id=section_id)
    errors.back_to(page)
    submitted(PresenceForm())
    if operations.discard_draft(g.user.id, section_id, purpose):
        flash("Brouillon abandonné : le texte repart de la version enregistrée.", "success")
    return redirect(page, 303)


@bp.post("/sections/<int:section_id>/edit/presence")
def revision_presence(section_id: int) -> ResponseReturnValue:
    return _heard(section_id, Purpose.REVISION)


@bp.post("/sections/<int:section_id>/contributions/new/presence")
def proposal_presence(section_id: int) -> ResponseReturnValue:
    return _heard(section_id, Purpose.PROPOSAL)


def _heard(section_id: int, purpose: Purpose) -> ResponseReturnValue:
    errors.on_error(_answer_in_json)
    form = submitted(PresenceForm())
    operations.heard(g.user.id, section_id, purpose, leaving=form.leaving.data == "1")
    return render_template("editing/presence.html", others=queries.others(section_id, g.user.id))


@bp.post("/sections/<int:section_id>/contributions/new/preview")
def proposal_preview(section_id: int) -> ResponseReturnValue:
    """The proposal as the tracked changes it makes to the revision it starts from."""
    errors.on_error(
        lambda error: (render_template("editing/preview.html", error=error.message), error.status)
    )
    form = submitted(EditorForm())
    base_number = parse_revision_number(form.base_revision.data)
    text = queries.submitted_text(
        section_id, base_number, form.body.data or "", form.document.data or ""
    )
    base = revision(section_id, base_number) if base_number else None
    old = base.body if base is not None else ""
    stats = diff_stats(word_diff(old, text))
    return render_template(
        "editing/preview.html",
        old=old,
        new=text,
        stats=stats,
        changes=summary(stats),
        base_number=base_number,
        unchanged=old == text,
    )
