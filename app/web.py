"""Web pages: conventions, members, sections, editing, history and differences.

Access was checked before any view runs (app.access); ``g.convention``, ``g.section``
and ``g.role`` are loaded. Views parse the form, call an operation, and render.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from app import queries
from app.forms import (
    ConventionForm,
    EditForm,
    EmptyForm,
    MemberForm,
    MoveForm,
    RestoreForm,
    SectionForm,
    choices,
)
from app.operations import (
    NotFound,
    RevisionConflict,
    StateRefused,
    add_section,
    create_convention,
    move_section,
    remove_membership,
    rename_section,
    restore_revision,
    save_revision,
    set_membership,
)
from workflows.conventions import ConventionKind, parse_id
from workflows.errors import InvalidInput, TooLarge
from workflows.permissions import Role, can_create_convention
from workflows.revisions import parse_revision_number
from workflows.text.diff import diff_stats, word_diff

bp = Blueprint("web", __name__)


@bp.route("/")
def dashboard():  # type: ignore[no-untyped-def]
    from app.activity import inbox

    return render_template(
        "dashboard.html",
        conventions=queries.conventions_for(g.user),
        can_create=can_create_convention(g.user.organisation.kind, g.user.is_admin),
        inbox=inbox(g.user),
    )


@bp.route("/conventions/new", methods=["GET", "POST"])
def convention_new():  # type: ignore[no-untyped-def]
    form = ConventionForm()
    form.cadre_id.choices = choices(
        [("", "—")] + [(c.id, c.title) for c in queries.cadres_of(g.user.organisation_id)]
    )
    error = None
    if form.validate_on_submit():
        upload = request.files.get("document")
        arguments = (
            ConventionKind(form.kind.data),
            form.title.data,
            form.start_year.data,
            form.end_year.data,
            int(form.cadre_id.data) if form.cadre_id.data else None,
        )
        try:
            if upload is not None and upload.filename:
                from app.word import create_from_docx

                created = create_from_docx(g.user, upload.filename, upload.read(), *arguments)
                convention_id = created.convention_id
                message = (
                    f"Convention créée depuis « {upload.filename} » : "
                    f"{len(created.written.revisions)} section(s) rédigée(s)."
                )
            else:
                convention_id = create_convention(g.user, *arguments).id
                message = "Convention créée avec ses sections types."
        except InvalidInput as exc:
            error = str(exc)
        else:
            flash(message, "success")
            return redirect(url_for("web.convention", convention_id=convention_id))
    elif request.method == "POST":
        error = _form_errors(form)
    return render_template("convention_new.html", form=form, error=error), 400 if error else 200


@bp.route("/conventions/<int:convention_id>")
def convention(convention_id: int):  # type: ignore[no-untyped-def]
    from app import lifecycle
    from app.contributions import open_counts
    from app.db import db_session
    from app.review import party_name, signatories
    from workflows.lifecycle import ORDER, TRANSITIONS, signing_open
    from workflows.review import SECTION_STATE_LABELS

    convention = g.convention
    steps = [
        (state, lifecycle.refusals(convention, state)) for state in TRANSITIONS[convention.state]
    ]
    parties = signatories(db_session(), convention_id)
    signatures = lifecycle.signatures(convention_id)
    signed_ids = {s.membership_id for s in signatures}
    return render_template(
        "convention.html",
        convention=convention,
        sections=queries.sections_with_current(convention_id),
        members=queries.members(convention_id),
        section_form=SectionForm(),
        move_form=MoveForm(),
        steps=steps,
        deadlines=lifecycle.deadlines_of(convention),
        signatures=signatures,
        unsigned=[(m.id, party_name(m)) for m in parties if m.id not in signed_ids],
        signing_open=signing_open(convention.state),
        party_name=party_name,
        open_counts=open_counts(convention_id),
        backwards=lambda state: ORDER.index(state) < ORDER.index(convention.state),
        SECTION_STATE_LABELS=SECTION_STATE_LABELS,
    )


@bp.route("/conventions/<int:convention_id>/members")
def members(convention_id: int):  # type: ignore[no-untyped-def]
    return _members_page(convention_id, MemberForm())


def organisation_choices():  # type: ignore[no-untyped-def]
    return choices([("", "—")] + [(o.id, o.name) for o in queries.organisations()])


def _members_page(convention_id: int, form: MemberForm, error: str | None = None):  # type: ignore[no-untyped-def]
    form.organisation_id.choices = organisation_choices()
    return render_template(
        "members.html",
        convention=g.convention,
        members=queries.members(convention_id),
        form=form,
        remove_form=EmptyForm(),
        error=error,
    ), (400 if error else 200)


@bp.route("/conventions/<int:convention_id>/members/add", methods=["POST"])
def member_set(convention_id: int):  # type: ignore[no-untyped-def]
    form = MemberForm()
    form.organisation_id.choices = organisation_choices()
    if not form.validate_on_submit():
        return _members_page(convention_id, form, _form_errors(form))
    try:
        set_membership(
            convention_id,
            Role(form.role.data),
            organisation_id=int(form.organisation_id.data) if form.organisation_id.data else None,
            user_email=(form.user_email.data or "").strip() or None,
            actor=g.user,
        )
    except InvalidInput as exc:
        return _members_page(convention_id, form, str(exc))
    flash("Participant enregistré.", "success")
    return redirect(url_for("web.members", convention_id=convention_id))


@bp.route("/conventions/<int:convention_id>/members/<int:membership_id>/remove", methods=["POST"])
def member_remove(convention_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        remove_membership(convention_id, membership_id, actor=g.user)
    except NotFound:
        abort(404, "Participant introuvable.")
    except InvalidInput as exc:
        return _members_page(convention_id, MemberForm(formdata=None), str(exc))
    flash("Participant retiré.", "success")
    return redirect(url_for("web.members", convention_id=convention_id))


@bp.route("/conventions/<int:convention_id>/sections", methods=["POST"])
def section_add(convention_id: int):  # type: ignore[no-untyped-def]
    form = SectionForm()
    if not form.validate_on_submit():
        abort(400, _form_errors(form))
    try:
        section = add_section(convention_id, form.title.data, actor=g.user)
    except (InvalidInput, StateRefused) as exc:
        flash(str(exc), "error")
        return redirect(url_for("web.convention", convention_id=convention_id)), 303
    return redirect(url_for("web.section", section_id=section.id))


@bp.route("/sections/<int:section_id>")
def section(section_id: int):  # type: ignore[no-untyped-def]
    from app.contribution_views import section_context
    from app.review import review_of
    from workflows.lifecycle import review_open, text_editable
    from workflows.review import POSITION_LABELS, SECTION_STATE_LABELS

    return render_template(
        "section.html",
        convention=g.convention,
        section=g.section,
        revision=g.section.current_revision,
        revision_count=queries.revision_count(section_id),
        rename_form=SectionForm(formdata=None, title=g.section.title),
        review=review_of(g.section),
        review_open=review_open(g.convention.state),
        editable=text_editable(g.convention.state),
        POSITION_LABELS=POSITION_LABELS,
        SECTION_STATE_LABELS=SECTION_STATE_LABELS,
        **section_context(g.section),
    )


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
def section_edit(section_id: int):  # type: ignore[no-untyped-def]
    current = g.section.current_revision
    form = EditForm()
    if request.method == "GET":
        form.base_revision.data = str(current.number if current else 0)
        form.body.data = current.body if current else ""
        return render_template("section_edit.html", **_edit_context(form))
    if not form.validate_on_submit():
        return render_template("section_edit.html", **_edit_context(form, _form_errors(form))), 400
    try:
        base = parse_revision_number(form.base_revision.data)
        revision = save_revision(section_id, g.user.id, base, form.body.data, form.message.data)
    except RevisionConflict as conflict:
        # Keep what the user typed; show the other version and the difference, and base
        # the form on the current revision so that saving again is a deliberate choice.
        form.base_revision.data = str(conflict.current.number)
        context = _edit_context(form)
        context.update(
            conflict=conflict.current,
            conflict_base=conflict.base_number,
            conflict_diff=word_diff(conflict.current.body, form.body.data or ""),
        )
        return render_template("section_edit.html", **context), 409
    except TooLarge as exc:
        return render_template("section_edit.html", **_edit_context(form, str(exc))), 413
    except StateRefused as exc:
        return render_template("section_edit.html", **_edit_context(form, str(exc))), 409
    except InvalidInput as exc:
        return render_template("section_edit.html", **_edit_context(form, str(exc))), 400
    flash(f"Révision {revision.number} enregistrée.", "success")
    if revision.review_notice:
        flash(revision.review_notice, "warning")
    return redirect(url_for("web.section", section_id=section_id))


def _edit_context(form: EditForm, error: str | None = None) -> dict:
    return {"convention": g.convention, "section": g.section, "form": form, "error": error}


@bp.route("/sections/<int:section_id>/rename", methods=["POST"])
def section_rename(section_id: int):  # type: ignore[no-untyped-def]
    form = SectionForm()
    if not form.validate_on_submit():
        abort(400, _form_errors(form))
    try:
        rename_section(section_id, form.title.data, actor=g.user)
    except (InvalidInput, StateRefused) as exc:
        flash(str(exc), "error")
        return redirect(url_for("web.section", section_id=section_id)), 303
    flash("Section renommée.", "success")
    return redirect(url_for("web.section", section_id=section_id))


@bp.route("/sections/<int:section_id>/move", methods=["POST"])
def section_move(section_id: int):  # type: ignore[no-untyped-def]
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400, _form_errors(form))
    try:
        move_section(section_id, form.direction.data, actor=g.user)
    except InvalidInput as exc:
        abort(400, str(exc))
    except StateRefused as exc:
        abort(409, str(exc))
    return redirect(url_for("web.convention", convention_id=g.convention.id) + f"#s{section_id}")


HISTORY_PAGE_SIZE = 100


@bp.route("/sections/<int:section_id>/history")
def history(section_id: int):  # type: ignore[no-untyped-def]
    page = request.args.get("page", "1")
    page_number = parse_id(page) or 1
    total = queries.revision_count(section_id)
    revisions = queries.history(
        section_id, limit=HISTORY_PAGE_SIZE, offset=(page_number - 1) * HISTORY_PAGE_SIZE
    )
    return render_template(
        "history.html",
        convention=g.convention,
        section=g.section,
        revisions=revisions,
        total=total,
        page=page_number,
        pages=max(1, -(-total // HISTORY_PAGE_SIZE)),
    )


@bp.route("/sections/<int:section_id>/revisions/<int:number>")
def revision(section_id: int, number: int):  # type: ignore[no-untyped-def]
    rev = queries.revision(section_id, number)
    if rev is None:
        abort(404, "Révision introuvable.")
    current = g.section.current_revision
    return render_template(
        "revision.html",
        convention=g.convention,
        section=g.section,
        revision=rev,
        is_current=current is not None and current.id == rev.id,
        restore_form=RestoreForm(
            formdata=None, base_revision=str(current.number if current else 0)
        ),
    )


@bp.route("/sections/<int:section_id>/diff")
def diff(section_id: int):  # type: ignore[no-untyped-def]
    old, new = _diff_pair(section_id)
    diffs = word_diff(old.body if old else "", new.body)
    return render_template(
        "diff.html",
        convention=g.convention,
        section=g.section,
        old=old,
        new=new,
        diffs=diffs,
        stats=diff_stats(diffs),
        latest=g.section.current_revision.number,
    )


def _diff_pair(section_id: int):  # type: ignore[no-untyped-def]
    """Read ?from=a&to=b (defaults: the previous revision and the current one)."""
    current = g.section.current_revision
    if current is None:
        abort(404, "Cette section n'a encore aucune révision.")
    try:
        to_number = parse_revision_number(request.args.get("to", str(current.number)))
        from_number = parse_revision_number(request.args.get("from", str(to_number - 1)))
    except InvalidInput as exc:
        abort(400, str(exc))
    new = queries.revision(section_id, to_number)
    if new is None:
        abort(404, f"Révision {to_number} introuvable.")
    old = queries.revision(section_id, from_number) if from_number > 0 else None
    if from_number > 0 and old is None:
        abort(404, f"Révision {from_number} introuvable.")
    return old, new


@bp.route("/sections/<int:section_id>/revisions/<int:number>/restore", methods=["POST"])
def restore(section_id: int, number: int):  # type: ignore[no-untyped-def]
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400, _form_errors(form))
    try:
        base = parse_revision_number(form.base_revision.data)
        revision = restore_revision(section_id, g.user.id, number, base)
    except NotFound:
        abort(404, "Révision introuvable.")
    except InvalidInput as exc:
        abort(400, str(exc))
    except StateRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("web.revision", section_id=section_id, number=number)), 303
    except RevisionConflict as conflict:
        flash(f"{conflict} Relisez la version actuelle avant de restaurer.", "error")
        return redirect(url_for("web.revision", section_id=section_id, number=number)), 303
    flash(f"Révision {number} restaurée comme révision {revision.number}.", "success")
    return redirect(url_for("web.section", section_id=section_id))


def _form_errors(form) -> str:  # type: ignore[no-untyped-def]
    messages = []
    for name, errors in form.errors.items():
        if name == "csrf_token":
            abort(400, "Jeton CSRF manquant ou invalide : rechargez la page.")
        label = getattr(getattr(form, name, None), "label", None)
        messages.append(f"{label.text if label else name} : {' '.join(errors)}")
    return " ".join(messages) or "Formulaire invalide."
