"""One way out of a refused request: every ``CosigneError`` answers here.

Operations raise the kinds of ``workflows.errors``; views catch nothing to map them.

- API (``/api/...``): ``{"error": message, ...details}`` with the kind's status
  (400, 403, 404, 409, 413).
- Web: a view that shows a form again on a refusal says how with ``on_error`` (the page
  with the error, the user's text in its form, and the kind's status); a view that acts
  and comes back says where with ``back_to``: the message is flashed and the browser is
  sent there (303), the fields the user typed kept for that one form (``typed`` in the
  templates). Otherwise, and always for "not found" and "forbidden", the error page.

Werkzeug's HTTP errors (``abort``) and a missing CSRF token get the same two faces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, flash, g, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workflows.errors import CosigneError, Forbidden, NotFound

OnError = Callable[[CosigneError], ResponseReturnValue]

# What the user typed travels in the session cookie to the page the refusal redirects
# to: bounded, so that the cookie stays well under the 4 KB browsers keep.
TYPED_MAX_CHARS = 1500

MESSAGES = {
    400: "Requête invalide.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Page introuvable.",
    405: "Méthode non autorisée.",
    409: "Conflit.",
    413: "Contenu trop volumineux : 1 Mo au plus par section, 50 Mo par document.",
}
CSRF_MESSAGE = "Jeton CSRF manquant ou invalide : rechargez la page."


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def back_to(url: str) -> None:
    """On a refusal, send the user back to ``url`` with its message, keeping what they
    typed in the form they posted."""
    g.back_to = url


def on_error(render: OnError) -> None:
    """On a refusal, answer with ``render(error)``: the page that shows the form again."""
    g.on_error = render


def error_page(status: int, message: str) -> ResponseReturnValue:
    if is_api_request():
        return jsonify(error=message), status
    return render_template("error.html", code=status, message=message), status


def refused(error: CosigneError) -> ResponseReturnValue:
    """The answer to a refusal, API or web (see the module's docstring)."""
    if is_api_request():
        return jsonify(error=error.message, **error.details()), error.status
    if isinstance(error, NotFound | Forbidden):
        return error_page(error.status, error.message)
    render: OnError | None = g.get("on_error")
    if render is not None:
        return render(error)
    target: str | None = g.get("back_to")
    if target is not None:
        flash(error.message, "error")
        _keep_typed(error.message)
        return redirect(target, 303)
    return error_page(error.status, error.message)


def _keep_typed(message: str) -> None:
    # The refusal's message travels too: the page shows it beside the form that was
    # refused, where the user looks (a flash at the top sits out of sight above an
    # anchor such as #revue).
    # A field sent several times (checkboxes of one name) keeps all its values.
    fields: dict[str, str | list[str]] = {
        k: values[0] if len(values) == 1 else values
        for k, values in request.form.lists()
        if k != "csrf_token"
    }
    size = sum(len(k) + sum(map(len, [v] if isinstance(v, str) else v)) for k, v in fields.items())
    if size > TYPED_MAX_CHARS:
        fields = {}
    session["typed"] = {"action": request.path, "fields": fields, "error": message[:500]}


def typed(name: str, action: str, default: str = "") -> str:
    """What the user had typed in field ``name`` of the form posting to ``action``, when
    that form was just refused; ``default`` otherwise."""
    kept = g.get("typed") or {}
    if kept.get("action") != action:
        return default
    value = kept.get("fields", {}).get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else default


def typed_all(name: str, action: str, default: Iterable[str] = ()) -> list[str]:
    """Every value the user had sent in field ``name`` (checkboxes of one name) of the
    form posting to ``action``, when that form was just refused (none ticked: []);
    ``default`` otherwise."""
    kept = g.get("typed") or {}
    if kept.get("action") != action:
        return list(default)
    value = kept.get("fields", {}).get(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def refusal(action: str) -> str:
    """The message of the refusal of the form posting to ``action``, when that form was
    just refused; "" otherwise."""
    kept = g.get("typed") or {}
    message = kept.get("error") if kept.get("action") == action else None
    return message if isinstance(message, str) else ""


def _restore_typed() -> None:
    # Read once, by the page the refusal redirected to.
    if request.method == "GET" and request.endpoint != "static" and "typed" in session:
        g.typed = session.pop("typed")


def init_app(app: Flask) -> None:
    app.before_request(_restore_typed)
    app.register_error_handler(CosigneError, refused)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> ResponseReturnValue:
        return error_page(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if error.response is not None:  # abort(response): the response stands
            return error.response
        description = error.description
        # werkzeug's own English descriptions are replaced by ours; ours are French.
        default = type(error).description
        message = description if description and description != default else None
        return error_page(code, message or MESSAGES.get(code, error.name))

    # A global, not a context variable: the shared macros use it too.
    app.jinja_env.globals["typed"] = typed
    app.jinja_env.globals["typed_all"] = typed_all
    app.jinja_env.globals["refusal"] = refusal
