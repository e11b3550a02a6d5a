"""Cosigne: co-drafting of social-housing conventions. The application factory.

One package per feature (``app/<feature>/``: operations, queries, views, api, cli); the
core beside them: ``db`` (engine, sessions, the one way a transaction begins), ``models``,
``access`` (the permission table), ``audit`` (journal and notifications), ``errors`` (the
one answer to a refusal), ``forms`` and ``json_input`` (the one way input is read),
``markdown``, ``migrations``, ``demo``, ``cli``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Response
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from app import access, comparison, db, errors, jobs, openapi, parsing
from app.accounts import views as accounts
from app.activity import api as activity_api
from app.activity import views as activity
from app.archive import api as archive_api
from app.archive import views as archive
from app.assistant import api as assistant_api
from app.assistant import views as assistant
from app.cli import register_cli
from app.contributions import api as contributions_api
from app.contributions import views as contributions
from app.conventions import api as conventions_api
from app.conventions import views as conventions
from app.deliberations import api as deliberations_api
from app.deliberations import views as deliberations
from app.editing import views as editing
from app.enjeux import api as enjeux_api
from app.enjeux import views as enjeux
from app.evaluation import api as evaluation_api
from app.evaluation import views as evaluation
from app.jobs import views as jobs_views
from app.kb import api as kb_api
from app.kb import projection as kb_projection
from app.kb import views as kb
from app.lifecycle import api as lifecycle_api
from app.lifecycle import views as lifecycle
from app.markdown import render
from app.models import User
from app.notifications import api as notifications_api
from app.notifications import queries as notifications_queries
from app.notifications import views as notifications
from app.opinions import api as opinions_api
from app.opinions import views as opinions
from app.organisations import views as organisations
from app.register import api as register_api
from app.register import views as register
from app.review import api as review_api
from app.review import views as review
from app.sections import api as sections_api
from app.sections import views as sections
from app.targets import api as targets_api
from app.targets import views as targets
from app.word import api as word_api
from app.word import operations as word_operations
from app.word import views as word
from config import load_config
from knowledge.indicators.display import TARGET_LABELS, TARGET_WORDS
from workflows import sandbox
from workflows.conventions import KIND_LABELS, MAX_ID, ORGANISATION_KIND_LABELS
from workflows.lifecycle import (
    DEADLINE_LABELS,
    DEADLINE_STATUS_LABELS,
    POINT_LABELS,
    STATE_LABELS,
    UNWRITTEN_LABEL,
    comments_open,
)
from workflows.permissions import ROLE_LABELS, Action, can, may_take_part, represents_tenants

ROOT = Path(__file__).resolve().parent.parent

csrf = CSRFProtect()
login_manager = LoginManager()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# Routes that take files larger than MAX_CONTENT_LENGTH (each checks its own limit).
UPLOAD_ENDPOINTS = frozenset(
    {
        "kb.upload",
        "word.import_page",
        "word_api.import_docx",
        "word_api.create",
        "conventions.new",
        "register.proof_add",  # a proof file: workflows.proofs bounds it below this
        "register_api.proof_add",
        "deliberations.record",  # with its extract, bounded by workflows.proofs
        "enjeux.save",
        "enjeux_api.file_set",
    }
)


# The pages that post the rich-text editor's document beside the Markdown.
EDITOR_ENDPOINTS = frozenset(
    {
        "sections.edit",
        "contributions.new",
        "editing.revision_draft",
        "editing.proposal_draft",
        "editing.proposal_preview",
    }
)


class RowId(IntegerConverter):
    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class FiniteJSONProvider(DefaultJSONProvider):
    """JSON answers that every parser reads: a NaN or an infinity is refused (ValueError,
    a 500 in the logs) instead of going out as ``NaN``/``Infinity``, which the standard
    forbids and JavaScript's JSON.parse rejects. A clear error at the source of the bug
    rather than a null that would pass for a value, or a client that breaks far away."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "app" / "static"),
    )
    app.config.from_object(load_config())
    if test_config:
        app.config.update(test_config)
    app.json = FiniteJSONProvider(app)

    # <int:...> in a URL: a row id, at most MAX_ID. A larger number is no route (404)
    # rather than a query PostgreSQL refuses (a 500).
    app.url_map.converters["int"] = RowId
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        # Only then are X-Forwarded-For and -Proto believed (config.py).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    db.init_app(app)
    jobs.init_app(app)
    sandbox.preload(parsing.PRELOAD)

    @app.before_request
    def _upload_limit() -> None:
        # Registered before CSRFProtect, which reads the form: only the document upload
        # may send a large body.
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["UPLOAD_MAX_CONTENT_LENGTH"]
        elif request.endpoint in EDITOR_ENDPOINTS:
            request.max_content_length = app.config["EDITOR_MAX_CONTENT_LENGTH"]
            request.max_form_memory_size = app.config["EDITOR_MAX_CONTENT_LENGTH"]

    csrf.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    errors.init_app(app)
    _register_templates(app)
    app.before_request(access.enforce_access)
    app.before_request(kb_projection.catch_up_once)
    app.before_request(word_operations.purge_pending_once)
    app.before_request(parsing.warm_up_once)
    app.after_request(_security_headers)
    app.add_url_rule("/healthz", "health", lambda: {"status": "ok"})
    app.add_url_rule("/api/openapi.json", "openapi", openapi.description)
    register_cli(app)
    return app


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The session holds "id:epoch"; a bumped epoch (logout, password change)
        # makes every older session cookie worthless, on every worker.
        user_id, _, epoch = session_id.partition(":")
        if not (user_id.isascii() and user_id.isdigit() and epoch.isascii() and epoch.isdigit()):
            return None
        user = db.db_session().get(User, int(user_id))
        if user is None or not user.active or user.session_epoch != int(epoch):
            return None
        return user


def _register_blueprints(app: Flask) -> None:
    # Each feature's pages and API; the API takes bearer tokens only (app.access), so
    # its blueprints need no CSRF token.
    pages = (
        accounts,
        conventions,
        sections,
        contributions,
        review,
        lifecycle,
        register,
        deliberations,
        targets,
        evaluation,
        opinions,
        activity,
        word,
        kb,
        assistant,
        editing,
        notifications,
        jobs_views,
        archive,
        enjeux,
        organisations,
    )
    apis = (
        conventions_api,
        sections_api,
        contributions_api,
        lifecycle_api,
        review_api,
        register_api,
        deliberations_api,
        targets_api,
        evaluation_api,
        opinions_api,
        activity_api,
        word_api,
        kb_api,
        assistant_api,
        notifications_api,
        archive_api,
        enjeux_api,
    )
    for module in pages:
        app.register_blueprint(module.bp)
    for module in apis:
        app.register_blueprint(module.bp)
        csrf.exempt(module.bp)
    # A mail client's one-click unsubscribe (RFC 8058) posts no CSRF token; the signed
    # link is the credential (app/notifications/views.py).
    csrf.exempt(notifications.unsubscribe)


def _register_templates(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render
    app.jinja_env.filters["datetime"] = local_datetime
    comparison.register(app)

    @app.context_processor
    def labels() -> dict[str, Any]:
        role = g.get("role")
        return {
            "KIND_LABELS": KIND_LABELS,
            "STATE_LABELS": STATE_LABELS,
            "ROLE_LABELS": ROLE_LABELS,
            "ORGANISATION_KIND_LABELS": ORGANISATION_KIND_LABELS,
            "DEADLINE_STATUS_LABELS": DEADLINE_STATUS_LABELS,
            "DEADLINE_LABELS": DEADLINE_LABELS,
            "UNWRITTEN_LABEL": UNWRITTEN_LABEL,
            "POINT_LABELS": POINT_LABELS,
            "TARGET_LABELS": TARGET_LABELS,
            "TARGET_WORDS": TARGET_WORDS,
            "Action": Action,
            "allowed": lambda action: can(role, action),
            # Whether the user may propose and comment on this section as far as its
            # subject goes: tenants' representatives on those under concertation only.
            "takes_part": lambda section: (
                g.get("user") is not None
                and may_take_part(g.user.organisation.kind, section.concertation)
            ),
            "for_tenants": lambda: (
                g.get("user") is not None and represents_tenants(g.user.organisation.kind)
            ),
            "comments_open": comments_open,
            # The navigation's unread counter, on every page of a logged-in user.
            "unread_count": (
                (lambda: notifications_queries.unread_count(g.user.id))
                if g.get("user")
                else (lambda: 0)
            ),
        }


# Stored in UTC, shown in the users' time: all of Cosigne's users work in France
# métropolitaine (an overseas deployment sets COSIGNE_TIMEZONE).
def local_datetime(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return value.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
