"""The access matrix: every endpoint of the application names what it requires.

One ``before_request`` hook applies it to every request, web and API alike: load the
convention the URL points to (404 when it does not exist), find the user's role in it,
and ask ``workflows.permissions.can``. An endpoint missing from ACCESS is refused
(deny by default), and a test walks ``app.url_map`` to keep the table complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app import queries
from app.db import db_session
from app.models import CommentThread, Contribution, Convention, Section, User
from app.operations import user_for_token
from workflows.permissions import Action, can, can_create_convention


@dataclass(frozen=True)
class Rule:
    kind: Literal["public", "login", "admin", "organisme", "member"]
    action: Action | None = None


PUBLIC = Rule("public")
LOGIN = Rule("login")
ADMIN = Rule("admin")
ORGANISME = Rule("organisme")  # a user of an organisme HLM (creates conventions)


def member(action: Action) -> Rule:
    return Rule("member", action)


ACCESS: dict[str, Rule] = {
    "static": PUBLIC,
    "health": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": LOGIN,
    "auth.password": LOGIN,
    "web.dashboard": LOGIN,
    "web.convention_new": ORGANISME,
    "web.convention": member(Action.VIEW),
    "web.members": member(Action.VIEW),
    "web.member_set": member(Action.MANAGE_MEMBERS),
    "web.member_remove": member(Action.MANAGE_MEMBERS),
    "web.section_add": member(Action.MANAGE_SECTIONS),
    "web.section": member(Action.VIEW),
    "web.section_edit": member(Action.EDIT_SECTION),
    "web.section_rename": member(Action.MANAGE_SECTIONS),
    "web.section_move": member(Action.MANAGE_SECTIONS),
    "web.history": member(Action.VIEW),
    "web.revision": member(Action.VIEW),
    "web.diff": member(Action.VIEW),
    "web.restore": member(Action.EDIT_SECTION),
    "admin.users": ADMIN,
    "admin.user_create": ADMIN,
    "admin.user_active": ADMIN,
    "contributions.new": member(Action.PROPOSE),
    "contributions.show": member(Action.VIEW),
    "contributions.accept": member(Action.DECIDE),
    "contributions.reject": member(Action.DECIDE),
    "contributions.treat": member(Action.DECIDE),
    "contributions.withdraw": member(Action.PROPOSE),
    "contributions.thread_new": member(Action.COMMENT),
    "contributions.thread_reply": member(Action.COMMENT),
    "contributions.thread_resolve": member(Action.COMMENT),
    "review.request": member(Action.REQUEST_REVIEW),
    "review.position": member(Action.REVIEW),
    "review.register": member(Action.VIEW),
    "lifecycle.transition": member(Action.TRANSITION),
    "lifecycle.deadlines": member(Action.TRANSITION),
    "lifecycle.sign": member(Action.SIGN),
    "lifecycle.avenant": member(Action.TRANSITION),
    "lifecycle.signed": member(Action.VIEW),
    "association.register": member(Action.VIEW),
    "association.meeting_add": member(Action.MANAGE_REGISTER),
    "association.document_add": member(Action.MANAGE_REGISTER),
    "association.minutes": member(Action.MANAGE_REGISTER),
    "association.letter_add": member(Action.MANAGE_REGISTER),
    "targets.page": member(Action.VIEW),
    "targets.save": member(Action.EDIT_SECTION),
    "targets.delete": member(Action.EDIT_SECTION),
    "activity.events": member(Action.VIEW),
    "activity.ledger": member(Action.VIEW),
    "activity.inbox": LOGIN,
    "activity.inbox_read": LOGIN,
    "assistant.page": LOGIN,
    "assistant.clear": LOGIN,
    "assistant.propose": member(Action.PROPOSE),
    "word.export": member(Action.VIEW),
    "word.import_page": member(Action.PROPOSE),
    "word_api.api_export": member(Action.VIEW),
    "word_api.api_import": member(Action.PROPOSE),
    "word_api.api_create": ORGANISME,
    "assistant.api_ask": LOGIN,
    "kb.search": LOGIN,
    "kb.documents": LOGIN,
    "kb.upload": ORGANISME,
    "kb.document": LOGIN,
    "kb.remove": ADMIN,
    "kb.indicator_list": LOGIN,
    "kb.indicator": LOGIN,
    "kb_api.api_search": LOGIN,
    "kb_api.api_indicators": LOGIN,
    "kb_api.api_indicator": LOGIN,
    "kb_api.api_compute": LOGIN,
    "api.conventions": LOGIN,
    "api.convention": member(Action.VIEW),
    "api.convention_sections": member(Action.VIEW),
    "api.section": member(Action.VIEW),
    "api.revisions": member(Action.VIEW),
    "api.revision": member(Action.VIEW),
    "api.revision_create": member(Action.EDIT_SECTION),
    "api.diff": member(Action.VIEW),
    "api.contribution_create": member(Action.PROPOSE),
    "api.contribution": member(Action.VIEW),
    "api.contribution_accept": member(Action.DECIDE),
    "api.contribution_reject": member(Action.DECIDE),
    "api.contribution_withdraw": member(Action.PROPOSE),
    "api.events": member(Action.VIEW),
    "api.transition": member(Action.TRANSITION),
}


def is_api_request() -> bool:
    return request.blueprint in ("api", "kb_api") or request.path.startswith("/api/")


def _authenticated_user() -> User | None:
    if is_api_request():
        # The API takes bearer tokens only, never the session cookie: a browser cannot
        # be tricked into sending a token, so the API needs no CSRF token.
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return user_for_token(token.strip())
    if current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[attr-defined]
    return None


# URL argument -> (model, name in ``g``, message when missing, how to reach the parent).
# Walking up from the most specific object finds the convention a URL is about.
_OBJECTS = (
    ("contribution_id", Contribution, "contribution", "Contribution introuvable.", "section_id"),
    ("thread_id", CommentThread, "thread", "Fil de discussion introuvable.", "section_id"),
    ("section_id", Section, "section", "Section introuvable.", "convention_id"),
    ("convention_id", Convention, "convention", "Convention introuvable.", None),
)


def _load_convention(view_args: dict) -> Convention:
    """The convention a URL is about, directly or through a section, contribution or
    thread; each object found is kept in ``g`` (404 when one does not exist)."""
    session = db_session()
    wanted = dict(view_args)
    for argument, model, name, missing, parent in _OBJECTS:
        if argument not in wanted:
            continue
        found = session.get(model, wanted[argument])
        if found is None:
            abort(404, missing)
        setattr(g, name, found)
        if parent is None:
            return found
        wanted[parent] = getattr(found, parent)
    # A member rule on a URL without an object is a coding error, caught by the tests.
    raise LookupError(f"{request.endpoint} has a member rule but no object in its URL")


def enforce_access():  # type: ignore[no-untyped-def]
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: Flask answers 404 (or 405) itself
    rule = ACCESS.get(endpoint)
    if rule is None:
        abort(403, "Accès refusé.")
    g.user = _authenticated_user()
    g.role = None
    if rule.kind == "public":
        return None
    if g.user is None:
        if is_api_request():
            abort(401, "Authentification requise : en-tête Authorization: Bearer <jeton>.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if rule.kind == "admin" and not g.user.is_admin:
        abort(403, "Réservé aux administrateurs.")
    if rule.kind == "organisme" and not can_create_convention(
        g.user.organisation.kind, g.user.is_admin
    ):
        abort(403, "Seul un organisme HLM peut créer une convention.")
    if rule.kind == "member":
        assert rule.action is not None
        convention = _load_convention(request.view_args or {})
        g.role = queries.role_of(g.user, convention.id)
        if not can(g.role, rule.action):
            abort(403, "Votre rôle dans cette convention ne permet pas cette action.")
    return None
