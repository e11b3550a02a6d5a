"""Web pages of sections: reading, editing, renaming, moving, history and differences.

Access was checked before any view runs (app.access); ``g.convention``, ``g.section``
and ``g.role`` are loaded. Views read the form, call an operation, and render; a refusal
is answered by app.errors (the edit page shows its form again, the others come back).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.editing import operations as editing_operations
from app.editing import queries as editing_queries
from app.forms import form_errors, submitted
from app.models import Revision
from app.opinions import queries as opinion_queries
from app.sections import operations, queries
from app.sections.forms import ConcertationForm, EditForm, MoveForm, RestoreForm, SectionForm
from app.webutil import back
from workflows.contributions import STATE_LABELS as CONTRIBUTION_STATES
from workflows.conventions import parse_id
from workflows.editing import AUTOSAVE_SECONDS, HEARTBEAT_SECONDS, Purpose
from workflows.errors import CosigneError, InvalidInput, NotFound
from workflows.review import POSITION_LABELS, SECTION_STATE_LABELS
from workflows.revisions import parse_revision_number
from workflows.text.diff import diff_stats, summary, word_diff

bp = Blueprint("sections", __name__)

HISTORY_PAGE_SIZE = 100


@bp.post("/conventions/<int:convention_id>/sections")
def add(convention_id: int) -> ResponseReturnValue:
    form = SectionForm()
    if not form.validate_on_submit():
        abort(400, form_errors(form))
    # Refused (no title, too long), the page comes back to the form, the error beside it.
    errors.back_to(url_for("conventions.show", convention_id=convention_id) + "#ajout-section")
    section = operations.add_section(convention_id, form.title.data or "", actor=g.user)
    return redirect(url_for("sections.show", section_id=section.id))


@bp.get("/sections/<int:section_id>")
def show(section_id: int) -> ResponseReturnValue:
    return render_template(
        "sections/show.html",
        convention=g.convention,
        section=g.section,
        revision=g.section.current_revision,
        rename_form=SectionForm(formdata=None, title=g.section.title),
        POSITION_LABELS=POSITION_LABELS,
        SECTION_STATE_LABELS=SECTION_STATE_LABELS,
        CONTRIBUTION_STATES=CONTRIBUTION_STATES,
        **queries.section_page(g.section),
        **opinion_queries.for_section(g.section, g.user),
    )


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit(section_id: int) -> ResponseReturnValue:
    current = g.section.current_revision
    form = EditForm()
    # ?source=markdown: the textarea, as without JavaScript; ?brouillon=reprendre: the
    # user's draft instead of the current text.
    source_mode = request.args.get("source") == "markdown"
    draft = editing_queries.draft_of(g.user.id, section_id, Purpose.REVISION)
    resumed = (
        request.method == "GET"
        and draft is not None
        and request.args.get("brouillon") == "reprendre"
    )

    def page(error: CosigneError | None = None) -> ResponseReturnValue:
        context = {
            "convention": g.convention,
            "section": g.section,
            "form": form,
            # After a post the draft is the text being saved: nothing to offer.
            "draft": draft if request.method == "GET" else None,
            "resumed": resumed,
            "current_number": current.number if current else 0,
            "others": editing_queries.others(section_id, g.user.id),
            "source_mode": source_mode,
            "document": None
            if source_mode
            else editing_queries.editor_document_of(form.body.data or ""),
            "HEARTBEAT_SECONDS": HEARTBEAT_SECONDS,
            "AUTOSAVE_SECONDS": AUTOSAVE_SECONDS,
        }
        if isinstance(error, operations.RevisionConflict):
            # Keep what the user typed; show the other version and the difference, and
            # base the form on the current revision so that saving again is deliberate.
            form.base_revision.data = str(error.current.number)
            context.update(
                conflict=error.current,
                conflict_base=error.base_number,
                conflict_diff=word_diff(error.current.body, form.body.data or ""),
            )
        else:
            context["error"] = error
        return render_template("sections/edit.html", **context), (error.status if error else 200)

    if request.method == "GET":
        if resumed:
            assert draft is not None
            form.base_revision.data = str(draft.base_number)
            form.body.data = draft.body
            form.message.data = draft.note
        else:
            form.base_revision.data = str(current.number if current else 0)
            form.body.data = current.body if current else ""
        return page()
    errors.on_error(page)
    submitted(form)
    base = parse_revision_number(form.base_revision.data)
    # From here on the form holds the text to store (the conflict page shows it).
    form.body.data = editing_queries.submitted_text(
        section_id, base, form.body.data or "", form.document.data or ""
    )
    form.document.data = ""
    revision = operations.save_revision(
        section_id, g.user.id, base, form.body.data, form.message.data or ""
    )
    editing_operations.discard_draft(g.user.id, section_id, Purpose.REVISION)
    flash(f"Révision {revision.number} enregistrée.", "success")
    if revision.review_notice:
        flash(revision.review_notice, "warning")
    return redirect(url_for("sections.show", section_id=section_id))


@bp.post("/sections/<int:section_id>/rename")
def rename(section_id: int) -> ResponseReturnValue:
    form = SectionForm()
    if not form.validate_on_submit():
        abort(400, form_errors(form))
    errors.back_to(url_for("sections.show", section_id=section_id) + "#renommer")
    operations.rename_section(section_id, form.title.data or "", actor=g.user)
    flash("Section renommée.", "success")
    return redirect(url_for("sections.show", section_id=section_id))


@bp.post("/sections/<int:section_id>/concertation")
def concertation(section_id: int) -> ResponseReturnValue:
    """Widen or narrow the tenants' concertation: this section in it, or out of it."""
    listed = url_for("conventions.show", convention_id=g.convention.id) + f"#s{section_id}"
    errors.back_to(listed)
    form = submitted(ConcertationForm())
    if form.concertation.data not in ("0", "1"):
        raise InvalidInput("Indiquez si la section est soumise à la concertation (1) ou non (0).")
    section = operations.set_concertation(section_id, form.concertation.data == "1", g.user)
    flash(
        f"« {section.title} » "
        + (
            "est soumise à la concertation locative : les représentants des locataires y "
            "proposent et commentent."
            if section.concertation
            else "n'est plus soumise à la concertation locative."
        ),
        "success",
    )
    return redirect(listed, 303)


@bp.post("/sections/<int:section_id>/move")
def move(section_id: int) -> ResponseReturnValue:
    form = submitted(MoveForm())
    operations.move_section(section_id, form.direction.data or "", actor=g.user)
    return redirect(url_for("conventions.show", convention_id=g.convention.id) + f"#s{section_id}")


@bp.get("/sections/<int:section_id>/history")
def history(section_id: int) -> ResponseReturnValue:
    page_number = parse_id(request.args.get("page", "1")) or 1
    total = queries.revision_count(section_id)
    revisions = queries.history(
        section_id, limit=HISTORY_PAGE_SIZE, offset=(page_number - 1) * HISTORY_PAGE_SIZE
    )
    return render_template(
        "sections/history.html",
        convention=g.convention,
        section=g.section,
        revisions=revisions,
        total=total,
        page=page_number,
        pages=max(1, -(-total // HISTORY_PAGE_SIZE)),
    )


@bp.get("/sections/<int:section_id>/revisions/<int:number>")
def revision(section_id: int, number: int) -> ResponseReturnValue:
    found = queries.revision(section_id, number)
    if found is None:
        raise NotFound("Révision introuvable.")
    current = g.section.current_revision
    parent = queries.revision(section_id, found.parent_number) if found.parent_number else None
    return render_template(
        "sections/revision.html",
        convention=g.convention,
        section=g.section,
        revision=found,
        parent=parent,
        marked=request.args.get("vue") != "texte",
        is_current=current is not None and current.id == found.id,
        restore_form=RestoreForm(
            formdata=None, base_revision=str(current.number if current else 0)
        ),
    )


@bp.get("/sections/<int:section_id>/diff")
def diff(section_id: int) -> ResponseReturnValue:
    old, new = _diff_pair(section_id)
    stats = diff_stats(word_diff(old.body if old else "", new.body))
    return render_template(
        "sections/diff.html",
        convention=g.convention,
        section=g.section,
        old=old,
        new=new,
        stats=stats,
        changes=summary(stats),
        side_by_side=request.args.get("vue") == "cote-a-cote",
        latest=g.section.current_revision.number,
    )


def _diff_pair(section_id: int) -> tuple[Revision | None, Revision]:
    """Read ?from=a&to=b (defaults: the previous revision and the current one)."""
    current = g.section.current_revision
    if current is None:
        raise NotFound("Cette section n'a encore aucune révision.")
    to_number = parse_revision_number(request.args.get("to", str(current.number)))
    from_number = parse_revision_number(request.args.get("from", str(to_number - 1)))
    new = queries.revision(section_id, to_number)
    if new is None:
        raise NotFound(f"Révision {to_number} introuvable.")
    old = queries.revision(section_id, from_number) if from_number > 0 else None
    if from_number > 0 and old is None:
        raise NotFound(f"Révision {from_number} introuvable.")
    return old, new


@bp.post("/sections/<int:section_id>/revisions/<int:number>/restore")
def restore(section_id: int, number: int) -> ResponseReturnValue:
    form = submitted(RestoreForm())
    base = parse_revision_number(form.base_revision.data)
    errors.on_error(lambda error: _restore_refused(section_id, number, error))
    revision = operations.restore_revision(section_id, g.user.id, number, base)
    flash(f"Révision {number} restaurée comme révision {revision.number}.", "success")
    return redirect(url_for("sections.show", section_id=section_id))


def _restore_refused(section_id: int, number: int, error: CosigneError) -> ResponseReturnValue:
    """A restore refused by the phase or a newer save comes back to the revision's page;
    bad input is the error page, as before."""
    if isinstance(error, operations.RevisionConflict):
        message = f"{error} Relisez la version actuelle avant de restaurer."
    elif isinstance(error, InvalidInput):
        return errors.error_page(error.status, error.message)
    else:
        message = error.message
    return back(
        url_for("sections.revision", section_id=section_id, number=number), message, "error"
    )
