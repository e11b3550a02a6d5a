"""The archive's one form: another try, a button with its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RetryForm(FlaskForm):
    pass
