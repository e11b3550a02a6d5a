"""Contributions (tracked changes) and discussions on the web."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.access import member_users
from app.contributions import operations, queries
from app.contributions.forms import (
    AcceptForm,
    ContributionForm,
    RejectForm,
    ReplyForm,
    ResolveForm,
    ThreadForm,
    TreatForm,
)
from app.db import db_session
from app.editing import operations as editing_operations
from app.editing import queries as editing_queries
from app.forms import EmptyForm, submitted
from app.models import Revision
from app.webutil import back
from workflows.contributions import STATE_LABELS, ContributionState
from workflows.conventions import parse_id
from workflows.editing import AUTOSAVE_SECONDS, HEARTBEAT_SECONDS, Purpose
from workflows.errors import Conflict, CosigneError
from workflows.lifecycle import contributions_closed_reason, contributions_open
from workflows.revisions import parse_revision_number
from workflows.text.merge import join

bp = Blueprint("contributions", __name__)


@bp.route("/sections/<int:section_id>/contributions/new", methods=["GET", "POST"])
def new(section_id: int) -> ResponseReturnValue:
    section = g.section
    current = section.current_revision
    form = ContributionForm()
    current_number = current.number if current else 0
    # As on the edit page: ?source=markdown for the textarea, ?brouillon=reprendre for the
    # user's draft of a proposal.
    source_mode = request.args.get("source") == "markdown"
    draft = editing_queries.draft_of(g.user.id, section_id, Purpose.PROPOSAL)
    resumed = (
        request.method == "GET"
        and draft is not None
        and request.args.get("brouillon") == "reprendre"
    )
    if request.method == "GET":
        form.base_revision.data = str(draft.base_number if resumed and draft else current_number)
        form.body.data = draft.body if resumed and draft else (current.body if current else "")
        form.rationale.data = draft.note if resumed and draft else ""

    def page(error: CosigneError | None = None) -> ResponseReturnValue:
        return render_template(
            "contributions/new.html",
            convention=g.convention,
            section=section,
            base=_posted_base(form.base_revision.data, current_number),
            body=form.body.data or "",
            rationale=form.rationale.data or "",
            error=error,
            closed=not contributions_open(g.convention.state, g.convention.lifecycle),
            draft=draft if request.method == "GET" else None,
            resumed=resumed,
            current_number=current_number,
            others=editing_queries.others(section_id, g.user.id),
            source_mode=source_mode,
            document=None
            if source_mode
            else editing_queries.editor_document_of(form.body.data or ""),
            HEARTBEAT_SECONDS=HEARTBEAT_SECONDS,
            AUTOSAVE_SECONDS=AUTOSAVE_SECONDS,
        ), (error.status if error else 200)

    if request.method == "GET":
        reason = contributions_closed_reason(g.convention.state, g.convention.lifecycle)
        return page(Conflict(reason) if reason else None)
    errors.on_error(page)
    submitted(form)
    base = parse_revision_number(form.base_revision.data)
    form.body.data = editing_queries.submitted_text(
        section_id, base, form.body.data or "", form.document.data or ""
    )
    form.document.data = ""
    contribution = operations.create_contribution(
        section_id, g.user, base, form.body.data, form.rationale.data or ""
    )
    editing_operations.discard_draft(g.user.id, section_id, Purpose.PROPOSAL)
    return back(
        url_for("contributions.show", contribution_id=contribution.id),
        f"Contribution n° {contribution.id} envoyée aux rédacteurs.",
        "success",
    )


def _posted_base(raw: str | None, current: int) -> int:
    """The base revision the form shows again: the one posted when it is a number (the
    text typed started from it), else the current one."""
    number = parse_id(raw)  # ASCII digits, at most MAX_ID (it is looked up)
    return number if number is not None else current


SIDE_BY_SIDE = "cote-a-cote"  # ?vue= showing the old and new versions in two columns


@bp.get("/contributions/<int:contribution_id>")
def show(contribution_id: int) -> ResponseReturnValue:
    contribution = g.contribution
    view = queries.view(contribution)
    return render_template(
        "contributions/contribution.html",
        convention=g.convention,
        section=g.section,
        c=contribution,
        view=view,
        base_text=join(view.base),
        side_by_side=request.args.get("vue") == SIDE_BY_SIDE,
        threads=queries.threads_of(g.section, contribution.id),
        mention_names=[user.name for user in member_users(g.convention.id)],
        STATES=STATE_LABELS,
        is_open=contribution.state is ContributionState.OUVERTE,
        phase_open=contributions_open(g.convention.state, g.convention.lifecycle),
    )


def _come_back(contribution_id: int, refused_at: str = "decider") -> str:
    """Decisions come back to the contribution's page; a refusal to the form refused
    (``refused_at``, its anchor), where the error is said beside its field."""
    url = url_for("contributions.show", contribution_id=contribution_id)
    errors.back_to(f"{url}#{refused_at}")
    return url


@bp.post("/contributions/<int:contribution_id>/accept")
def accept(contribution_id: int) -> ResponseReturnValue:
    form = submitted(AcceptForm())
    url = _come_back(contribution_id, "decision")
    everything = form.all.data == "1"
    revision = operations.accept(contribution_id, g.user, None if everything else form.hunk.data)
    return back(url, _accepted_message(revision), "success")


def _accepted_message(revision: Revision | None, change: str | None = None) -> str:
    """What accepting did: to the whole contribution, or to one ``change`` of it (then
    the contribution's state when that decision closed it)."""
    contribution = g.contribution
    db_session().refresh(contribution)
    state = STATE_LABELS[contribution.state].lower()
    message = change or f"Contribution {state}"
    if revision is None:
        message += " : le texte actuel contenait déjà ces modifications."
    else:
        message += f" : révision {revision.number} de la section créée."
        if revision.review_notice:
            message += " " + revision.review_notice
    if change and contribution.state is not ContributionState.OUVERTE:
        message += f" La contribution est désormais « {state} »."
    return message


@bp.post("/contributions/<int:contribution_id>/changes/<int:number>/accept")
def accept_change(contribution_id: int, number: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    url = _come_back(contribution_id, f"modification-{number}")
    decision = operations.decide_change(contribution_id, g.user, number, accept=True)
    return back(url, _accepted_message(decision.revision, f"Modification {number} acceptée"))


@bp.post("/contributions/<int:contribution_id>/changes/<int:number>/reject")
def reject_change(contribution_id: int, number: int) -> ResponseReturnValue:
    form = submitted(RejectForm())
    url = _come_back(contribution_id, f"modification-{number}")
    decision = operations.decide_change(
        contribution_id, g.user, number, accept=False, reason=form.reason.data or ""
    )
    message = f"Modification {number} rejetée."
    if decision.state is not ContributionState.OUVERTE:
        message += f" La contribution est désormais « {STATE_LABELS[decision.state].lower()} »."
    return back(url, message)


@bp.post("/contributions/<int:contribution_id>/reject")
def reject(contribution_id: int) -> ResponseReturnValue:
    form = submitted(RejectForm())
    url = _come_back(contribution_id)
    done = operations.reject(contribution_id, g.user, form.reason.data or "")
    what = STATE_LABELS[done.state].lower()
    return back(url, f"Contribution {what} ; son auteur en est informé avec le motif.")


@bp.post("/sections/<int:section_id>/authors/<int:user_id>/accept")
def accept_author(section_id: int, user_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    url = url_for("sections.show", section_id=section_id) + "#contributions-title"
    errors.back_to(url)
    decisions = operations.decide_author(section_id, user_id, g.user, accept=True)
    written = [d.revision.number for d in decisions if d.revision is not None]
    message = f"{_count(len(decisions))} acceptée{'s' if len(decisions) > 1 else ''}"
    if written:
        message += f" : révision{'s' if len(written) > 1 else ''} {', '.join(map(str, written))}"
    return back(url, message + ".")


@bp.post("/sections/<int:section_id>/authors/<int:user_id>/reject")
def reject_author(section_id: int, user_id: int) -> ResponseReturnValue:
    form = submitted(RejectForm())
    url = url_for("sections.show", section_id=section_id) + "#contributions-title"
    errors.back_to(url)
    decisions = operations.decide_author(
        section_id, user_id, g.user, accept=False, reason=form.reason.data or ""
    )
    return back(
        url,
        f"{_count(len(decisions))} rejetée{'s' if len(decisions) > 1 else ''} ; "
        "son auteur en est informé avec le motif.",
    )


def _count(contributions: int) -> str:
    return f"{contributions} contribution{'s' if contributions > 1 else ''}"


@bp.post("/contributions/<int:contribution_id>/treat")
def treat(contribution_id: int) -> ResponseReturnValue:
    form = submitted(TreatForm())
    url = _come_back(contribution_id)
    operations.mark_treated(contribution_id, g.user, form.note.data or "")
    return back(url, "Contribution marquée comme traitée.", "success")


@bp.post("/contributions/<int:contribution_id>/withdraw")
def withdraw(contribution_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    url = _come_back(contribution_id)
    operations.withdraw(contribution_id, g.user)
    return back(url, "Contribution retirée.", "success")


@bp.post("/sections/<int:section_id>/threads")
def thread_new(section_id: int) -> ResponseReturnValue:
    form = submitted(ThreadForm())
    contribution_id = parse_id(form.contribution_id.data or "")
    target = (
        url_for("contributions.show", contribution_id=contribution_id)
        if contribution_id
        else url_for("sections.show", section_id=section_id) + "#discussion"
    )
    errors.back_to(target)
    operations.open_thread(
        section_id,
        g.user,
        form.body.data or "",
        quote=form.quote.data or "",
        revision_number=parse_id(form.revision_number.data or ""),
        contribution_id=contribution_id,
        before=form.before.data or "",
        after=form.after.data or "",
    )
    return back(target, "Commentaire publié.", "success")


def _thread_target() -> str:
    thread = g.thread
    if thread.contribution_id:
        url = url_for("contributions.show", contribution_id=thread.contribution_id)
    else:
        url = url_for("sections.show", section_id=thread.section_id) + f"#fil-{thread.id}"
    errors.back_to(url)
    return url


@bp.post("/threads/<int:thread_id>/reply")
def thread_reply(thread_id: int) -> ResponseReturnValue:
    form = submitted(ReplyForm())
    target = _thread_target()
    operations.reply(thread_id, g.user, form.body.data or "")
    return back(target, "Réponse publiée.", "success")


@bp.post("/threads/<int:thread_id>/resolve")
def thread_resolve(thread_id: int) -> ResponseReturnValue:
    form = submitted(ResolveForm())
    target = _thread_target()
    resolved = form.resolved.data == "1"
    operations.set_resolved(thread_id, g.user, resolved)
    return back(target, "Fil résolu." if resolved else "Fil rouvert.", "success")
