"""What the web views share beyond forms: the answer after a successful post."""

from __future__ import annotations

from flask import flash, redirect
from werkzeug.wrappers import Response


def back(url: str, message: str, category: str = "success") -> Response:
    """Post/redirect/get with a message; 303 so that the browser follows with a GET."""
    flash(message, category)
    return redirect(url, 303)
