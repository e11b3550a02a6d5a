"""Login, logout, password change, and the administration of accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from app import errors
from app.accounts import operations, queries
from app.accounts.forms import ActiveForm, LoginForm, PasswordForm, UserForm
from app.forms import EmptyForm, form_errors, submitted
from workflows.conventions import OrganisationKind
from workflows.errors import CosigneError, InvalidInput
from workflows.throttle import TooManyAttempts

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing aid.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("conventions.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = operations.authenticate(
            form.email.data or "", form.password.data or "", request.remote_addr or ""
        )
        if result.user is not None:
            session.clear()  # a fresh session at login: no fixation
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        error = result.error
        if result.throttled:
            page = render_template("accounts/login.html", form=form, error=error)
            return page, 429, {"Retry-After": str(result.retry_after)}
        status = 401
    elif request.method == "POST":
        error = "Saisissez votre adresse et votre mot de passe."
        status = 400
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("conventions.dashboard"))
    operations.revoke_sessions(g.user.id)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> ResponseReturnValue:
    form = PasswordForm()

    def page(error: CosigneError | None = None) -> ResponseReturnValue:
        status = error.status if error else 200
        headers = {}
        if isinstance(error, TooManyAttempts):
            headers["Retry-After"] = str(error.retry_after)
        return render_template("accounts/password.html", form=form, error=error), status, headers

    if request.method == "GET":
        return page()
    errors.on_error(page)
    if not form.validate_on_submit():
        raise InvalidInput("Remplissez les trois champs.")
    operations.change_password(
        g.user.id,
        form.current.data or "",
        form.new.data or "",
        form.confirm.data or "",
        request.remote_addr or "",
    )
    logout_user()
    session.clear()
    flash(
        "Mot de passe modifié : toutes vos sessions sont fermées et vos jetons d'accès à "
        "l'API ont été révoqués (demandez-en de nouveaux si vous en utilisez). Reconnectez-vous.",
        "info",
    )
    return redirect(url_for("accounts.login"))


# --- administration of the instance (admin flag only) --------------------------------------


def _admin_page(form: UserForm, error: CosigneError | None = None) -> ResponseReturnValue:
    return render_template(
        "accounts/admin_users.html",
        users=queries.users(),
        organisations=queries.organisations(),
        form=form,
        toggle_form=ActiveForm(formdata=None),
        error=error,
    ), (error.status if error else 200)


@bp.get("/admin/users")
def admin_users() -> ResponseReturnValue:
    return _admin_page(UserForm(formdata=None))


@bp.post("/admin/users")
def admin_user_create() -> ResponseReturnValue:
    form = UserForm()
    errors.on_error(lambda error: _admin_page(form, error))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            raise InvalidInput(form_errors(form))
        raise InvalidInput("Formulaire incomplet : adresse, nom, organisation et mot de passe.")
    user = operations.create_user(
        form.email.data or "",
        form.name.data or "",
        form.password.data or "",
        form.organisation.data or "",
        OrganisationKind(form.organisation_kind.data),
        is_admin=bool(form.is_admin.data),
    )
    flash(f"Compte créé pour {user.email}.", "success")
    return redirect(url_for("accounts.admin_users"))


@bp.post("/admin/users/<int:user_id>/active")
def admin_user_active(user_id: int) -> ResponseReturnValue:
    form = submitted(ActiveForm())
    active = form.active.data == "1"
    errors.on_error(lambda error: _admin_page(UserForm(formdata=None), error))
    if user_id == g.user.id and not active:
        raise InvalidInput("Vous ne pouvez pas désactiver votre propre compte.")
    user = operations.set_user_active(user_id, active)
    flash(f"Compte {user.email} {'réactivé' if active else 'désactivé'}.", "success")
    return redirect(url_for("accounts.admin_users"))
