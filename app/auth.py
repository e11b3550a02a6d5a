"""Login, logout and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from app.forms import EmptyForm, LoginForm, PasswordForm
from app.operations import authenticate, change_password, revoke_sessions
from workflows.errors import InvalidInput

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing aid.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data, request.remote_addr or "")
        if result.user is not None:
            session.clear()  # a fresh session at login: no fixation
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        error = result.error
        status = 429 if result.throttled else 401
    elif request.method == "POST":
        error = "Saisissez votre adresse et votre mot de passe."
        status = 400
    return render_template("login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("web.dashboard"))
    revoke_sessions(g.user.id)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():  # type: ignore[no-untyped-def]
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            change_password(g.user.id, form.current.data, form.new.data, form.confirm.data)
        except InvalidInput as exc:
            error = str(exc)
        else:
            logout_user()
            session.clear()
            flash("Mot de passe modifié : reconnectez-vous.", "info")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        error = "Remplissez les trois champs."
    return render_template("password.html", form=form, error=error), 400 if error else 200
