"""Small helpers shared by the web views: refusing a posted form the same way everywhere."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_wtf import FlaskForm


def require_csrf() -> None:
    """Validate the CSRF token of a button-only form (CSRFProtect already did for POSTs;
    this also covers forms posted without any other field)."""
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400, "Jeton CSRF manquant ou invalide : rechargez la page.")


def back(url: str, message: str, category: str = "error"):  # type: ignore[no-untyped-def]
    """Post/redirect/get with a message; 303 so that the browser follows with a GET."""
    flash(message, category)
    return redirect(url, 303)
