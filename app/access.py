"""The access matrix: every endpoint of the application names what it requires.

One ``before_request`` hook applies it to every request, web and API alike: load the
convention the URL points to (404 when it does not exist), find the user's role in it,
and ask ``workflows.permissions.can``. An endpoint missing from ACCESS is refused
(deny by default), and a test walks ``app.url_map`` to keep the table complete.

Rules on one object rather than on a role (only its author withdraws a contribution, a
signatory signs for its own party...) are the named predicates of
``workflows.permissions``; the operations apply them and refuse with ``Forbidden``
(403), like this table. A ``taking_part`` rule adds the one rule on a section that the
hook applies itself, before any input is read: a tenants' representative proposes and
comments only on the sections under the concertation (``ensure_takes_part``, which the
operations apply too, for the doors without a section in their URL: a Word import).
Who takes part with which role (``role_of``, ``conventions_for``, ``members``) and who
a bearer token is (``user_for_token``) are here too: deciding access needs them first,
and every feature reads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from flask import abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from app.db import db_session
from app.errors import is_api_request
from app.models import ApiToken, CommentThread, Contribution, Convention, Membership, Section, User
from workflows.errors import Forbidden
from workflows.permissions import (
    Action,
    Member,
    Person,
    Role,
    active_drafters,
    can,
    can_create_convention,
    check_drafters_remain,
    effective_role,
    may_take_part,
    outside_concertation,
)


@dataclass(frozen=True)
class Rule:
    kind: Literal["public", "login", "admin", "organisme", "member"]
    action: Action | None = None
    # Proposing or commenting on the section the URL points to: a tenants'
    # representative only on a section under the concertation (ensure_takes_part).
    scoped: bool = False


PUBLIC = Rule("public")
LOGIN = Rule("login")
ADMIN = Rule("admin")
ORGANISME = Rule("organisme")  # a user of an organisme HLM (creates conventions)


def member(action: Action) -> Rule:
    return Rule("member", action)


def taking_part(action: Action) -> Rule:
    """A member rule on a section's proposal or discussion: the role allows ``action``,
    and the section is one the user takes part in (``may_take_part``)."""
    return Rule("member", action, scoped=True)


ACCESS: dict[str, Rule] = {
    "static": PUBLIC,
    "health": PUBLIC,
    "openapi": PUBLIC,  # the API's description (app/openapi.py): no data in it
    # accounts
    "accounts.login": PUBLIC,
    "accounts.logout": LOGIN,
    "accounts.password": LOGIN,
    "accounts.admin_users": ADMIN,
    "accounts.admin_user_create": ADMIN,
    "accounts.admin_user_active": ADMIN,
    # organisations: nature, rattachement, PLH, territory (app/organisations)
    "organisations.admin_list": ADMIN,
    "organisations.admin_sheet": ADMIN,
    "organisations.admin_save": ADMIN,
    "organisations.territory_add": ADMIN,
    "organisations.territory_remove": ADMIN,
    # the outbox of e-mails and its failures (app/jobs/views.py)
    "jobs.outbox": ADMIN,
    "jobs.outbox_retry": ADMIN,
    # conventions and their members
    "conventions.dashboard": LOGIN,
    "conventions.new": ORGANISME,
    "conventions.show": member(Action.VIEW),
    "conventions.members": member(Action.VIEW),
    "conventions.document": member(Action.VIEW),
    "conventions.document_pdf": member(Action.VIEW),
    "conventions.member_set": member(Action.MANAGE_MEMBERS),
    "conventions.member_remove": member(Action.MANAGE_MEMBERS),
    # where the organisme owns housing: its drafters, from one of its conventions
    "conventions.patrimoine_add": member(Action.MANAGE_MEMBERS),
    "conventions.patrimoine_remove": member(Action.MANAGE_MEMBERS),
    "conventions_api.list": LOGIN,
    "conventions_api.create": ORGANISME,
    "conventions_api.show": member(Action.VIEW),
    "conventions_api.members": member(Action.VIEW),
    "conventions_api.member_set": member(Action.MANAGE_MEMBERS),
    "conventions_api.member_remove": member(Action.MANAGE_MEMBERS),
    # an associated collectivité's choice to sign or stay associated
    "conventions.choice": member(Action.CHOOSE_SIGNATORY),  # and may_choose_for
    "conventions_api.choice": member(Action.CHOOSE_SIGNATORY),  # and may_choose_for
    "conventions_api.choices": member(Action.VIEW),
    # the préfet's note d'enjeux et d'objectifs
    "enjeux.page": member(Action.VIEW),
    "enjeux.file": member(Action.VIEW),
    "enjeux.save": member(Action.RECORD_NOTE),  # and may_record_note
    "enjeux_api.show": member(Action.VIEW),
    "enjeux_api.file": member(Action.VIEW),
    "enjeux_api.save": member(Action.RECORD_NOTE),  # and may_record_note
    "enjeux_api.file_set": member(Action.RECORD_NOTE),  # and may_record_note
    "enjeux_api.file_remove": member(Action.RECORD_NOTE),  # and may_record_note
    # sections, revisions, differences
    "sections.add": member(Action.MANAGE_SECTIONS),
    "sections.show": member(Action.VIEW),
    "sections.edit": member(Action.EDIT_SECTION),
    "sections.rename": member(Action.MANAGE_SECTIONS),
    "sections.move": member(Action.MANAGE_SECTIONS),
    "sections.concertation": member(Action.MANAGE_SECTIONS),
    "sections.history": member(Action.VIEW),
    "sections.revision": member(Action.VIEW),
    "sections.diff": member(Action.VIEW),
    "sections.restore": member(Action.EDIT_SECTION),
    "sections_api.of_convention": member(Action.VIEW),
    "sections_api.show": member(Action.VIEW),
    "sections_api.revisions": member(Action.VIEW),
    "sections_api.revision": member(Action.VIEW),
    "sections_api.revision_create": member(Action.EDIT_SECTION),
    "sections_api.diff": member(Action.VIEW),
    "sections_api.add": member(Action.MANAGE_SECTIONS),
    "sections_api.rename": member(Action.MANAGE_SECTIONS),
    "sections_api.move": member(Action.MANAGE_SECTIONS),
    "sections_api.concertation": member(Action.MANAGE_SECTIONS),
    "sections_api.restore": member(Action.EDIT_SECTION),
    # contributions and discussions
    "contributions.new": taking_part(Action.PROPOSE),
    "contributions.show": member(Action.VIEW),
    "contributions.accept": member(Action.DECIDE),
    "contributions.reject": member(Action.DECIDE),
    "contributions.treat": member(Action.DECIDE),
    "contributions.accept_change": member(Action.DECIDE),
    "contributions.reject_change": member(Action.DECIDE),
    "contributions.accept_author": member(Action.DECIDE),
    "contributions.reject_author": member(Action.DECIDE),
    "contributions.withdraw": member(Action.PROPOSE),  # and may_withdraw: its author
    "contributions.thread_new": taking_part(Action.COMMENT),
    "contributions.thread_reply": taking_part(Action.COMMENT),
    "contributions.thread_resolve": member(Action.COMMENT),  # and may_resolve
    "contributions_api.create": taking_part(Action.PROPOSE),
    "contributions_api.show": member(Action.VIEW),
    "contributions_api.accept": member(Action.DECIDE),
    "contributions_api.reject": member(Action.DECIDE),
    "contributions_api.accept_change": member(Action.DECIDE),
    "contributions_api.reject_change": member(Action.DECIDE),
    "contributions_api.withdraw": member(Action.PROPOSE),  # and may_withdraw
    "contributions_api.treat": member(Action.DECIDE),
    "contributions_api.accept_author": member(Action.DECIDE),
    "contributions_api.reject_author": member(Action.DECIDE),
    "contributions_api.threads": member(Action.VIEW),
    "contributions_api.thread": member(Action.VIEW),
    "contributions_api.thread_create": taking_part(Action.COMMENT),
    "contributions_api.thread_reply": taking_part(Action.COMMENT),
    "contributions_api.thread_resolve": member(Action.COMMENT),  # and may_resolve
    "contributions_api.thread_reopen": member(Action.COMMENT),  # and may_resolve
    # review of sections
    "review.request": member(Action.REQUEST_REVIEW),
    "review.position": member(Action.REVIEW),
    "review.register": member(Action.VIEW),
    "review_api.show": member(Action.VIEW),
    "review_api.request": member(Action.REQUEST_REVIEW),
    "review_api.position": member(Action.REVIEW),
    "review_api.register": member(Action.VIEW),
    # lifecycle, signatures, avenants, deadlines
    "lifecycle.transition": member(Action.TRANSITION),
    "lifecycle.deadlines": member(Action.TRANSITION),
    "lifecycle.sign": member(Action.SIGN),  # and may_sign_for: its own party
    "lifecycle.avenant": member(Action.TRANSITION),
    "lifecycle.carry": member(Action.TRANSITION),
    "lifecycle.uncarry": member(Action.TRANSITION),
    "lifecycle.proposal": member(Action.RECORD_PROPOSAL),  # and may_record_proposal
    "lifecycle.signed": member(Action.VIEW),
    "lifecycle.signed_text": member(Action.VIEW),
    "lifecycle_api.transition": member(Action.TRANSITION),
    "lifecycle_api.signatures": member(Action.VIEW),
    "lifecycle_api.sign": member(Action.SIGN),  # and may_sign_for
    "lifecycle_api.proposal": member(Action.RECORD_PROPOSAL),  # and may_record_proposal
    "lifecycle_api.deadlines": member(Action.VIEW),
    "lifecycle_api.deadlines_set": member(Action.TRANSITION),
    "lifecycle_api.avenant": member(Action.TRANSITION),
    "lifecycle_api.readiness": member(Action.VIEW),
    "lifecycle_api.carry": member(Action.TRANSITION),
    "lifecycle_api.uncarry": member(Action.TRANSITION),
    # the State's internal opinions: any member, the rule then asks for a State service
    "opinions.add": member(Action.VIEW),  # and is_state: the State's services alone
    "opinions.page": member(Action.VIEW),  # and reads_opinions
    "opinions_api.index": member(Action.VIEW),  # and reads_opinions
    "opinions_api.add": member(Action.VIEW),  # and is_state
    # evaluations at 2, 4 and 6 years: the organisme explains, the State assesses
    "evaluation.page": member(Action.VIEW),
    "evaluation.export": member(Action.VIEW),
    "evaluation.explain": member(Action.EDIT_SECTION),
    "evaluation.assess": member(Action.REVIEW),  # and may_assess: the State's services
    "evaluation_api.show": member(Action.VIEW),
    "evaluation_api.explain": member(Action.EDIT_SECTION),
    "evaluation_api.assess": member(Action.REVIEW),  # and may_assess
    # the signed convention's PDF/A archive (app/archive): every member keeps the signed
    # copy; another try of a failed one is the drafters', as the lifecycle is
    "archive.download": member(Action.DOWNLOAD_ARCHIVE),
    "archive.retry": member(Action.TRANSITION),
    "archive_api.show": member(Action.DOWNLOAD_ARCHIVE),
    "archive_api.download": member(Action.DOWNLOAD_ARCHIVE),
    "archive_api.retry": member(Action.TRANSITION),
    # register of the association
    "register.page": member(Action.VIEW),
    "register.meeting_add": member(Action.MANAGE_REGISTER),
    "register.document_add": member(Action.MANAGE_REGISTER),
    "register.minutes": member(Action.MANAGE_REGISTER),
    "register.letter_add": member(Action.MANAGE_REGISTER),
    "register.concertation_add": member(Action.MANAGE_REGISTER),
    "register.decision": member(Action.MANAGE_REGISTER),  # the organisme's drafters
    "register.proof_add": member(Action.MANAGE_REGISTER),
    "register.adoption": member(Action.MANAGE_REGISTER),  # the organisme's drafters
    "register.proof_download": member(Action.VIEW),
    "register_api.page": member(Action.VIEW),
    "register_api.meeting_add": member(Action.MANAGE_REGISTER),
    "register_api.document_add": member(Action.MANAGE_REGISTER),
    "register_api.minutes": member(Action.MANAGE_REGISTER),
    "register_api.letter_add": member(Action.MANAGE_REGISTER),
    "register_api.concertation_add": member(Action.MANAGE_REGISTER),
    "register_api.decision": member(Action.MANAGE_REGISTER),
    "register_api.proof_add": member(Action.MANAGE_REGISTER),
    "register_api.adoption": member(Action.MANAGE_REGISTER),
    "register_api.proof": member(Action.VIEW),
    # the parties' deliberations on the convention
    "deliberations.page": member(Action.VIEW),
    "deliberations.record": member(Action.RECORD_DELIBERATION),  # and may_record_deliberation_for
    "deliberations_api.index": member(Action.VIEW),
    "deliberations_api.record": member(Action.RECORD_DELIBERATION),  # likewise
    # indicator targets and achieved values
    "targets.page": member(Action.VIEW),
    "targets.save": member(Action.EDIT_SECTION),
    "targets.delete": member(Action.EDIT_SECTION),
    # many values at once: the grids and the spreadsheet import are entry forms
    "targets.grid_indicator": member(Action.EDIT_SECTION),
    "targets.grid_indicator_save": member(Action.EDIT_SECTION),
    "targets.grid_year": member(Action.EDIT_SECTION),
    "targets.grid_year_save": member(Action.EDIT_SECTION),
    "targets.import_page": member(Action.EDIT_SECTION),
    "targets.import_preview": member(Action.EDIT_SECTION),
    "targets.import_confirm": member(Action.EDIT_SECTION),
    "targets.import_template": member(Action.EDIT_SECTION),
    "targets.segment_add": member(Action.EDIT_SECTION),
    "targets.segment_remove": member(Action.EDIT_SECTION),
    "targets_api.table": member(Action.VIEW),
    "targets_api.save": member(Action.EDIT_SECTION),
    "targets_api.delete": member(Action.EDIT_SECTION),
    "targets_api.grid": member(Action.EDIT_SECTION),
    # journal, ledger, inbox
    "activity.events": member(Action.VIEW),
    "activity.ledger": member(Action.VIEW),
    "activity.inbox": LOGIN,
    "activity.inbox_read": LOGIN,
    "activity_api.events": member(Action.VIEW),
    # notifications: each user's own (the operations read only the user's rows)
    "notifications.open_one": LOGIN,
    "notifications.read_one": LOGIN,
    "notifications.preferences": LOGIN,
    "notifications.unsubscribe": PUBLIC,  # the signed link of a mail is the credential
    "notifications_api.index": LOGIN,
    "notifications_api.read": LOGIN,
    "notifications_api.preferences": LOGIN,
    "notifications_api.preferences_set": LOGIN,
    # Word round trip
    "word.export": member(Action.VIEW),
    "word.import_page": member(Action.PROPOSE),  # and may_attribute_to_others
    "word_api.export": member(Action.VIEW),
    "word_api.import_docx": member(Action.PROPOSE),  # and may_attribute_to_others
    "word_api.create": ORGANISME,
    # knowledge base and indicators
    "kb.search": LOGIN,
    "kb.documents": LOGIN,
    "kb.upload": ORGANISME,
    "kb.document": LOGIN,
    "kb.remove": ADMIN,
    "kb.reindex": ADMIN,
    "kb.indicator_list": LOGIN,
    "kb.indicator": LOGIN,
    "kb_api.search": LOGIN,
    "kb_api.indicators": LOGIN,
    "kb_api.indicator": LOGIN,
    "kb_api.compute": LOGIN,
    # assistant
    "assistant.page": LOGIN,  # a section asked from: VIEW on its convention (context_of)
    "assistant.clear": LOGIN,
    "assistant.propose": taking_part(Action.PROPOSE),
    "assistant_api.ask": LOGIN,  # likewise
    # the section editor: drafts kept on the server, presence, a proposal's preview
    "editing.revision_draft": member(Action.EDIT_SECTION),
    "editing.revision_draft_discard": member(Action.EDIT_SECTION),
    "editing.revision_presence": member(Action.EDIT_SECTION),
    "editing.proposal_draft": taking_part(Action.PROPOSE),
    "editing.proposal_draft_discard": member(Action.PROPOSE),
    "editing.proposal_presence": taking_part(Action.PROPOSE),
    "editing.proposal_preview": taking_part(Action.PROPOSE),
}


# --- who the user is, and which role they hold --------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    return db_session().scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked.is_(False), User.active)
    )


def role_of(user: User, convention_id: int) -> Role | None:
    """The role ``user`` acts with in a convention (None when not a member)."""
    rows = db_session().execute(
        select(Membership.user_id, Membership.role).where(
            Membership.convention_id == convention_id,
            or_(Membership.user_id == user.id, Membership.organisation_id == user.organisation_id),
        )
    )
    personal = organisational = None
    for user_id, role in rows:
        if user_id is not None:
            personal = role
        else:
            organisational = role
    return effective_role(personal, organisational)


def conventions_for(user: User) -> list[tuple[Convention, Role]]:
    """Conventions the user takes part in, personally or through their organisation."""
    rows = db_session().execute(
        select(Convention, Membership.user_id, Membership.role)
        .join(Membership, Membership.convention_id == Convention.id)
        .where(
            or_(Membership.user_id == user.id, Membership.organisation_id == user.organisation_id)
        )
        .options(joinedload(Convention.organisme))
        .order_by(Convention.created_at.desc(), Convention.id.desc())
    )
    personal: dict[int, Role] = {}
    organisational: dict[int, Role] = {}
    conventions: dict[int, Convention] = {}
    for convention, user_id, role in rows:
        conventions[convention.id] = convention
        (personal if user_id is not None else organisational)[convention.id] = role
    result = []
    for cid, convention in conventions.items():
        held = effective_role(personal.get(cid), organisational.get(cid))
        assert held is not None  # a convention listed here has a membership of the user
        result.append((convention, held))
    return result


def drafters_of(session: Session, convention_id: int) -> frozenset[int]:
    """The ids of the active users acting as redacteur in a convention."""
    members = [
        Member(role, user_id, organisation_id)
        for user_id, organisation_id, role in session.execute(
            select(Membership.user_id, Membership.organisation_id, Membership.role).where(
                Membership.convention_id == convention_id
            )
        )
    ]
    people = {m.user_id for m in members if m.user_id is not None}
    organisations = {m.organisation_id for m in members if m.organisation_id is not None}
    rows = session.execute(
        select(User.id, User.organisation_id, User.active).where(
            or_(User.id.in_(people), User.organisation_id.in_(organisations))
        )
    )
    return active_drafters(members, [Person(*row) for row in rows])


@contextmanager
def keeping_a_drafter(session: Session, convention_ids: Iterable[int]) -> Iterator[None]:
    """Around a change of members or accounts, in its transaction: refuse it (Conflict,
    and the transaction rolls back) if it leaves one of these conventions without an
    active drafter (``workflows.permissions.check_drafters_remain``).

    The conventions' rows are locked first (in id order: no deadlock between two such
    changes), so two drafters stepping back at once are taken one after the other and
    the second sees that the first has gone (PostgreSQL; SQLite writes one at a time)."""
    ids = sorted(set(convention_ids))
    conventions = list(
        session.scalars(
            select(Convention)
            .where(Convention.id.in_(ids))
            .order_by(Convention.id)
            .with_for_update()
        )
    )
    before = {c.id: drafters_of(session, c.id) for c in conventions}
    yield
    session.flush()
    for convention in conventions:
        check_drafters_remain(
            convention.title, before[convention.id], drafters_of(session, convention.id)
        )


def members(convention_id: int) -> list[Membership]:
    """Who takes part in a convention: organisations and persons, by role."""
    return list(
        db_session().scalars(
            select(Membership)
            .where(Membership.convention_id == convention_id)
            .options(joinedload(Membership.organisation), joinedload(Membership.user))
            .order_by(Membership.role, Membership.id)
        )
    )


def member_users(convention_id: int) -> list[User]:
    """The active people who take part in a convention, personally or through their
    organisation (whatever their role), by name."""
    memberships = members(convention_id)
    people = {m.user_id for m in memberships if m.user_id is not None}
    organisations = {m.organisation_id for m in memberships if m.organisation_id is not None}
    return list(
        db_session().scalars(
            select(User)
            .where(
                User.active,
                or_(User.id.in_(people or [-1]), User.organisation_id.in_(organisations or [-1])),
            )
            .options(joinedload(User.organisation))
            .order_by(User.name, User.id)
        )
    )


def concertation_titles(session: Session, convention_id: int) -> list[str]:
    """The titles of a convention's sections under the tenants' concertation, in order."""
    return list(
        session.scalars(
            select(Section.title)
            .where(Section.convention_id == convention_id, Section.concertation)
            .order_by(Section.position, Section.id)
        )
    )


def ensure_takes_part(session: Session, user: User, section: Section) -> None:
    """Refuse (Forbidden) a proposal or a comment of a tenants' representative on a
    section outside the concertation (``workflows.permissions.may_take_part``), naming
    the sections they may take part in. The access hook applies it to the URLs of a
    section (``taking_part`` rules), the operations to every write; the pages hide what
    it would refuse."""
    if not may_take_part(user.organisation.kind, section.concertation):
        raise Forbidden(outside_concertation(concertation_titles(session, section.convention_id)))


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
        user: User = current_user._get_current_object()
        return user
    return None


# --- the hook -----------------------------------------------------------------------------

# URL argument -> (model, name in ``g``, message when missing, how to reach the parent).
# Walking up from the most specific object finds the convention a URL is about.
_OBJECTS: tuple[tuple[str, type[Any], str, str, str | None], ...] = (
    ("contribution_id", Contribution, "contribution", "Contribution introuvable.", "section_id"),
    ("thread_id", CommentThread, "thread", "Fil de discussion introuvable.", "section_id"),
    ("section_id", Section, "section", "Section introuvable.", "convention_id"),
    ("convention_id", Convention, "convention", "Convention introuvable.", None),
)


def _load_convention(view_args: dict[str, Any]) -> Convention:
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
            convention: Convention = found
            return convention
        wanted[parent] = getattr(found, parent)
    # A member rule on a URL without an object is a coding error, caught by the tests.
    raise LookupError(f"{request.endpoint} has a member rule but no object in its URL")


def enforce_access() -> ResponseReturnValue | None:
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
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if rule.kind == "admin" and not g.user.is_admin:
        abort(403, "Réservé aux administrateurs.")
    if rule.kind == "organisme" and not can_create_convention(
        g.user.organisation.kind, g.user.is_admin
    ):
        abort(403, "Seul un organisme HLM peut créer une convention.")
    if rule.kind == "member":
        assert rule.action is not None
        convention = _load_convention(request.view_args or {})
        g.role = role_of(g.user, convention.id)
        if g.role is None:
            # Not a participant at all: say so, and who can change it.
            abort(
                403,
                "Vous ne participez pas à cette convention. Pour y accéder, demandez à "
                "l'organisme qui la rédige de vous y ajouter.",
            )
        if not can(g.role, rule.action):
            abort(403, "Votre rôle dans cette convention ne permet pas cette action.")
        if rule.scoped and g.get("section") is not None:
            ensure_takes_part(db_session(), g.user, g.section)  # before any input is read
    return None
