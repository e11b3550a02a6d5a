"""Web pages of conventions: the dashboard, a new convention (optionally from a Word
draft), a convention's page, its reading view (the whole text on one page, searchable,
printable) and PDF, its participants.

Access was checked before any view runs (app.access); ``g.convention`` and ``g.role``
are loaded.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import access, errors
from app.conventions import operations, queries
from app.conventions.forms import ChoiceForm, ConventionForm, MemberForm
from app.forms import EmptyForm, choices, form_errors, submitted
from app.organisations import operations as ties_operations
from app.organisations import queries as ties_queries
from app.organisations.forms import PlaceForm
from app.register.queries import today
from app.webutil import back
from app.word.operations import create_from_docx
from workflows.conventions import ConventionKind
from workflows.errors import CosigneError, InvalidInput
from workflows.permissions import Role
from workflows.register import parse_date
from workflows.review import POSITION_LABELS, SECTION_STATE_LABELS
from workflows.signatory_choice import CHOICE_LABELS, CHOSEN_LABELS, read_choice
from workflows.ties import LEVEL_LABELS, TIE_LABELS

bp = Blueprint("conventions", __name__)


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    return render_template("conventions/dashboard.html", **queries.dashboard(g.user))


@bp.route("/conventions/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = ConventionForm()
    form.cadre_id.choices = choices(
        [("", "—")] + [(c.id, c.title) for c in queries.cadres_of(g.user.organisation_id)]
    )

    def page(error: CosigneError | None = None) -> ResponseReturnValue:
        # Bad input, whatever its kind, answers 400 here as it always did.
        return render_template("conventions/new.html", form=form, error=error), (
            400 if error else 200
        )

    if request.method == "GET":
        return page()
    errors.on_error(page)
    if not form.validate_on_submit():
        raise InvalidInput(form_errors(form))
    arguments = (
        ConventionKind(form.kind.data),
        form.title.data or "",
        form.start_year.data or 0,
        form.end_year.data,
        int(form.cadre_id.data) if form.cadre_id.data else None,
    )
    upload = request.files.get("document")
    if upload is not None and upload.filename:
        created = create_from_docx(g.user, upload.filename, upload.read(), *arguments)
        convention_id = created.convention_id
        message = (
            f"Convention créée depuis « {upload.filename} » : "
            f"{len(created.written.revisions)} section(s) rédigée(s)."
        )
    else:
        convention_id = operations.create_convention(g.user, *arguments).id
        message = "Convention créée avec ses sections types."
    flash(message, "success")
    return redirect(url_for("conventions.show", convention_id=convention_id))


@bp.get("/conventions/<int:convention_id>")
def show(convention_id: int) -> ResponseReturnValue:
    return render_template(
        "conventions/show.html",
        convention=g.convention,
        SECTION_STATE_LABELS=SECTION_STATE_LABELS,
        **queries.convention_page(g.convention, g.user, g.role),
    )


@bp.get("/conventions/<int:convention_id>/document")
def document(convention_id: int) -> ResponseReturnValue:
    """``?q=``: the words to find in the sections; ``&discussions=1``: in the
    discussions too."""
    return render_template(
        "conventions/document.html",
        convention=g.convention,
        SECTION_STATE_LABELS=SECTION_STATE_LABELS,
        POSITION_LABELS=POSITION_LABELS,
        **queries.document_page(
            g.convention,
            request.args.get("q"),
            request.args.get("discussions", "") in ("1", "on"),
        ),
    )


@bp.get("/conventions/<int:convention_id>/document.pdf")
def document_pdf(convention_id: int) -> ResponseReturnValue:
    found = queries.document_pdf(g.convention)
    if found.data is None:
        # Not a refusal of the request: this server lacks LibreOffice, or it failed.
        return render_template(
            "conventions/pdf_unavailable.html", convention=g.convention, problem=found.problem
        ), 503
    return Response(
        found.data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


def _members_page(
    form: MemberForm,
    error: CosigneError | None = None,
    choice_of: int | None = None,
    patrimoine_form: PlaceForm | None = None,
    patrimoine_error: CosigneError | None = None,
) -> ResponseReturnValue:
    """The participants page; ``choice_of``: the collectivité whose choice was refused,
    the refusal shown inside its form (nothing was written); ``patrimoine_error``: a
    refused place of the organisme's housing, shown in its form with what was typed.
    With it, what the parties' ties propose (app/organisations)."""
    form.organisation_id.choices = queries.organisation_choices()
    memberships = access.members(g.convention.id)
    if choice_of is not None:
        g.typed = {
            "action": request.path,
            "fields": {k: v for k, v in request.form.items() if k != "csrf_token"},
        }
    lines = queries.choice_lines(g.convention, memberships, g.user, g.role)
    if choice_of is not None and not any(
        line.may_record and line.membership.id == choice_of for line in lines
    ):
        choice_of = None  # no form of its own to show the refusal in: at the top
    return render_template(
        "conventions/members.html",
        convention=g.convention,
        members=memberships,
        choices=lines,
        CHOICE_LABELS=CHOICE_LABELS,
        today=today(),
        form=form,
        remove_form=EmptyForm(formdata=None),
        # A refusal about one of the member form's fields shows next to it.
        member_error=error if choice_of is None and _field_of(error) else None,
        error=error if choice_of is None and not _field_of(error) else None,
        choice_error=error if choice_of is not None else None,
        choice_of=choice_of,
        ties=ties_queries.convention_ties(g.convention),
        patrimoine=ties_queries.patrimoine(g.convention.organisme_id),
        patrimoine_form=patrimoine_form or PlaceForm(formdata=None),
        patrimoine_error=patrimoine_error,
        TIE_LABELS=TIE_LABELS,
        LEVEL_LABELS=LEVEL_LABELS,
    ), (shown.status if (shown := error or patrimoine_error) else 200)


def _field_of(error: CosigneError | None) -> str | None:
    field = getattr(error, "field", None)
    return field if field in ("role", "organisation_id", "user_email") else None


@bp.get("/conventions/<int:convention_id>/members")
def members(convention_id: int) -> ResponseReturnValue:
    return _members_page(MemberForm(formdata=None))


@bp.post("/conventions/<int:convention_id>/members/add")
def member_set(convention_id: int) -> ResponseReturnValue:
    form = MemberForm()
    errors.on_error(lambda error: _members_page(form, error))
    form.organisation_id.choices = queries.organisation_choices()
    submitted(form)
    operations.set_membership(
        convention_id,
        Role(form.role.data),
        organisation_id=int(form.organisation_id.data) if form.organisation_id.data else None,
        user_email=(form.user_email.data or "").strip() or None,
        actor=g.user,
    )
    flash("Participant enregistré.", "success")
    return redirect(url_for("conventions.members", convention_id=convention_id))


@bp.post("/conventions/<int:convention_id>/members/<int:membership_id>/remove")
def member_remove(convention_id: int, membership_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    errors.on_error(lambda error: _members_page(MemberForm(formdata=None), error))
    operations.remove_membership(convention_id, membership_id, actor=g.user)
    flash("Participant retiré.", "success")
    return redirect(url_for("conventions.members", convention_id=convention_id))


@bp.post("/conventions/<int:convention_id>/patrimoine")
def patrimoine_add(convention_id: int) -> ResponseReturnValue:
    """A place where the organisme owns housing: its drafters record it, for all of its
    conventions (the ties propose the collectivités to associate from it)."""
    form = PlaceForm()
    errors.on_error(
        lambda error: _members_page(
            MemberForm(formdata=None), patrimoine_form=form, patrimoine_error=error
        )
    )
    submitted(form)
    ties_operations.add_patrimoine(
        convention_id, form.level.data, form.code.data, form.name.data, form.logements.data, g.user
    )
    flash("Lieu ajouté au patrimoine de l'organisme.", "success")
    return redirect(
        url_for("conventions.members", convention_id=convention_id, _anchor="patrimoine")
    )


@bp.post("/conventions/<int:convention_id>/patrimoine/<int:place_id>/remove")
def patrimoine_remove(convention_id: int, place_id: int) -> ResponseReturnValue:
    errors.on_error(lambda error: _members_page(MemberForm(formdata=None), patrimoine_error=error))
    submitted(EmptyForm())
    ties_operations.remove_patrimoine(convention_id, place_id, g.user)
    flash("Lieu retiré du patrimoine de l'organisme.", "success")
    return redirect(
        url_for("conventions.members", convention_id=convention_id, _anchor="patrimoine")
    )


@bp.post("/conventions/<int:convention_id>/members/<int:membership_id>/choice")
def choice(convention_id: int, membership_id: int) -> ResponseReturnValue:
    """An associated collectivité's choice: to become signataire, or to stay associated
    (recorded by its own people, or by the organisme's drafter from its letter)."""
    errors.on_error(
        lambda error: _members_page(MemberForm(formdata=None), error, choice_of=membership_id)
    )
    operations.ensure_may_choose(convention_id, membership_id, g.user)
    form = submitted(ChoiceForm())
    raw_letter = (form.letter_on.data or "").strip()
    try:
        letter_on = parse_date(raw_letter, "La date du courrier") if raw_letter else None
    except InvalidInput as refusal:
        raise InvalidInput(refusal.message, field="letter_on") from None
    found = operations.record_choice(
        convention_id, membership_id, g.user, read_choice(form.choice.data), letter_on
    )
    target = url_for("conventions.members", convention_id=convention_id) + f"#choix-{membership_id}"
    return back(target, f"Choix enregistré : {CHOSEN_LABELS[found.choice]}.", "success")
