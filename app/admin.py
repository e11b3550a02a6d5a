"""Instance administration: accounts and organisations (admin flag only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from app import queries
from app.forms import EmptyForm, UserForm, choices
from app.operations import NotFound, create_user, set_user_active
from workflows.conventions import ORGANISATION_KIND_LABELS, OrganisationKind
from workflows.errors import InvalidInput

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(formdata=None) -> UserForm:  # type: ignore[no-untyped-def]
    form = UserForm(formdata=formdata) if formdata is not None else UserForm()
    form.organisation_kind.choices = choices(ORGANISATION_KIND_LABELS.items())
    return form


def _page(form: UserForm, error: str | None = None):  # type: ignore[no-untyped-def]
    return render_template(
        "admin_users.html",
        users=queries.users(),
        organisations=queries.organisations(),
        form=form,
        toggle_form=EmptyForm(),
        error=error,
    ), (400 if error else 200)


@bp.get("/users")
def users():  # type: ignore[no-untyped-def]
    return _page(_user_form())


@bp.post("/users")
def user_create():  # type: ignore[no-untyped-def]
    form = _user_form()
    if not form.validate_on_submit():
        return _page(form, "Formulaire incomplet : adresse, nom, organisation et mot de passe.")
    try:
        user = create_user(
            form.email.data,
            form.name.data,
            form.password.data,
            form.organisation.data,
            OrganisationKind(form.organisation_kind.data),
            is_admin=form.is_admin.data,
        )
    except InvalidInput as exc:
        return _page(form, str(exc))
    flash(f"Compte créé pour {user.email}.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    if user_id == g.user.id and not active:
        return _page(_user_form(formdata={}), "Vous ne pouvez pas désactiver votre propre compte.")
    try:
        user = set_user_active(user_id, active)
    except NotFound:
        abort(404, "Utilisateur introuvable.")
    flash(f"Compte {user.email} {'réactivé' if active else 'désactivé'}.", "success")
    return redirect(url_for("admin.users"))
