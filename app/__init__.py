"""Cosigne: co-drafting of social-housing conventions. Application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from config import load_config

ROOT = Path(__file__).resolve().parent.parent

csrf = CSRFProtect()
login_manager = LoginManager()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "app" / "static"),
    )
    app.config.from_object(load_config())
    if test_config:
        app.config.update(test_config)

    from app import db

    db.init_app(app)

    @app.before_request
    def _upload_limit() -> None:
        # Registered before CSRFProtect, which reads the form: only the document upload
        # may send a large body.
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["UPLOAD_MAX_CONTENT_LENGTH"]

    csrf.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_templates(app)

    from app.access import enforce_access

    app.before_request(enforce_access)
    app.after_request(_security_headers)
    app.add_url_rule("/healthz", "health", lambda: {"status": "ok"})

    from app.cli import register_cli

    register_cli(app)
    return app


def _init_login(app: Flask) -> None:
    from app.db import db_session
    from app.models import User

    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The session holds "id:epoch"; a bumped epoch (logout, password change)
        # makes every older session cookie worthless, on every worker.
        user_id, _, epoch = session_id.partition(":")
        if not (user_id.isascii() and user_id.isdigit() and epoch.isascii() and epoch.isdigit()):
            return None
        user = db_session().get(User, int(user_id))
        if user is None or not user.active or user.session_epoch != int(epoch):
            return None
        return user


# Routes that take files larger than MAX_CONTENT_LENGTH (each checks its own limit).
UPLOAD_ENDPOINTS = frozenset(
    {
        "kb.upload",
        "word.import_page",
        "word_api.api_import",
        "word_api.api_create",
        "web.convention_new",
    }
)


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.contribution_views import bp as contributions_bp
    from app.convention_views import activity_bp, association_bp, lifecycle_bp, review_bp
    from app.kb_views import api_bp as kb_api_bp
    from app.kb_views import bp as kb_bp
    from app.target_views import bp as targets_bp
    from app.web import bp as web_bp
    from app.word_views import api_bp as word_api_bp
    from app.word_views import bp as word_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(contributions_bp)
    app.register_blueprint(kb_bp)
    app.register_blueprint(kb_api_bp)
    from app.assistant import bp as assistant_bp

    app.register_blueprint(assistant_bp)
    csrf.exempt(kb_api_bp)  # bearer-token only, like the rest of the API
    for blueprint in (review_bp, lifecycle_bp, association_bp, activity_bp, targets_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(word_bp)
    app.register_blueprint(word_api_bp, url_prefix="/api")
    csrf.exempt(word_api_bp)  # bearer-token only, like the rest of the API
    app.register_blueprint(api_bp, url_prefix="/api")
    csrf.exempt(api_bp)  # bearer-token only, see app.access._authenticated_user


def _register_errors(app: Flask) -> None:
    from app.access import is_api_request

    messages = {
        400: "Requête invalide.",
        401: "Authentification requise.",
        403: "Accès refusé.",
        404: "Page introuvable.",
        405: "Méthode non autorisée.",
        409: "Conflit.",
        413: "Contenu trop volumineux : 1 Mo au plus par section, 50 Mo par document.",
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        return _error_response(400, "Jeton CSRF manquant ou invalide : rechargez la page.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        description = error.description
        # werkzeug's own English descriptions are replaced by ours; ours are French.
        default = type(error).description
        message = description if description and description != default else None
        return _error_response(code, message or messages.get(code, error.name))

    def _error_response(code: int, message: str):  # type: ignore[no-untyped-def]
        if is_api_request():
            return jsonify(error=message), code
        return render_template("error.html", code=code, message=message), code


def _register_templates(app: Flask) -> None:
    from app.markdown import render
    from workflows.conventions import KIND_LABELS, ORGANISATION_KIND_LABELS
    from workflows.lifecycle import STATE_LABELS, comments_open
    from workflows.permissions import ROLE_LABELS, Action, can

    app.jinja_env.filters["markdown"] = render
    app.jinja_env.filters["datetime"] = local_datetime

    @app.context_processor
    def labels() -> dict[str, Any]:
        role = g.get("role")
        return {
            "KIND_LABELS": KIND_LABELS,
            "STATE_LABELS": STATE_LABELS,
            "ROLE_LABELS": ROLE_LABELS,
            "ORGANISATION_KIND_LABELS": ORGANISATION_KIND_LABELS,
            "Action": Action,
            "allowed": lambda action: can(role, action),
            "comments_open": comments_open,
        }


# Stored in UTC, shown in the users' time: all of Cosigne's users work in France
# métropolitaine (an overseas deployment sets COSIGNE_TIMEZONE).
def local_datetime(value, seconds: bool = False) -> str:  # type: ignore[no-untyped-def]
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return value.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def _security_headers(response):  # type: ignore[no-untyped-def]
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
