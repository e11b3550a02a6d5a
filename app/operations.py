"""Operations that change data: load rows, ask workflows/ for the rules, write once.

Each function is one use case and one transaction (``write_transaction``). Routes, the
API and the CLI call these; none of them writes to the database by itself.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.db import db_session, within, write_transaction
from app.models import (
    ApiToken,
    Convention,
    LoginAttempt,
    Membership,
    Organisation,
    Revision,
    Section,
    User,
    utcnow,
)
from workflows.conventions import (
    STANDARD_SECTIONS,
    ConventionKind,
    OrganisationKind,
    check_period,
    clean_title,
)
from workflows.errors import InvalidInput
from workflows.lifecycle import text_editable, text_frozen_reason
from workflows.permissions import Role
from workflows.revisions import check_base, clean_body, clean_message
from workflows.text.paragraphs import assign_paragraph_ids

PASSWORD_MIN_LENGTH = 8


class NotFound(LookupError):
    pass


class StateRefused(Exception):
    """The convention's phase (or the object's state) does not allow this: HTTP 409,
    with the reason as the message."""


class RevisionConflict(Exception):
    """Someone saved the section after the revision this save was based on."""

    def __init__(self, base_number: int, current: Revision) -> None:
        super().__init__(
            f"La section a été modifiée entre-temps : votre texte partait de la révision "
            f"{base_number}, la révision actuelle est la {current.number}."
        )
        self.base_number = base_number
        self.current = current


# --- accounts -------------------------------------------------------------------------


def normalise_email(raw: str | None) -> str:
    email = (raw or "").strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise InvalidInput("Adresse électronique invalide.")
    return email


def check_new_password(password: str | None) -> str:
    if not password or len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(f"Le mot de passe doit faire au moins {PASSWORD_MIN_LENGTH} caractères.")
    if len(password) > 200:
        raise InvalidInput("Le mot de passe est trop long.")
    return password


def get_or_create_organisation(session: Session, name: str, kind: OrganisationKind) -> Organisation:
    name = clean_title(name, "Le nom de l'organisation")
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind)
        session.add(org)
        session.flush()
    return org


def create_user(
    email: str,
    name: str,
    password: str,
    organisation: str,
    organisation_kind: OrganisationKind,
    is_admin: bool = False,
    check_password: bool = True,
) -> User:
    email = normalise_email(email)
    name = clean_title(name, "Le nom")
    if check_password:
        check_new_password(password)
    with write_transaction() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise InvalidInput(f"Un compte existe déjà pour {email}.")
        org = get_or_create_organisation(session, organisation, organisation_kind)
        user = User(
            email=email,
            name=name,
            password_hash=_hash_password(password),
            organisation=org,
            is_admin=is_admin,
        )
        session.add(user)
    return user


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None
    throttled: bool = False


def _recent_failures(session: Session, column, value: str, since: datetime) -> int:  # type: ignore[no-untyped-def]
    return (
        session.scalar(
            select(func.count(LoginAttempt.id)).where(
                column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
            )
        )
        or 0
    )


def authenticate(email: str, password: str, address: str) -> LoginResult:
    """Check a login, refusing it while the account or the address has too many recent
    failures. Every attempt is recorded, so the limit holds across workers."""
    config = current_app.config
    email = (email or "").strip().lower()[:254]
    address = (address or "inconnue")[:64]
    since = utcnow() - timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    with write_transaction() as session:
        if (
            _recent_failures(session, LoginAttempt.email, email, since)
            >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
            or _recent_failures(session, LoginAttempt.address, address, since)
            >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
        ):
            session.add(LoginAttempt(email=email, address=address, succeeded=False))
            minutes = config["LOGIN_FAILURE_WINDOW_SECONDS"] // 60
            return LoginResult(
                None, f"Trop de tentatives échouées : réessayez dans {minutes} minutes.", True
            )
        user = session.scalar(select(User).where(User.email == email))
        ok = (
            user is not None
            and user.active
            and check_password_hash(user.password_hash, password or "")
        )
        session.add(LoginAttempt(email=email, address=address, succeeded=ok))
        if not ok:
            return LoginResult(None, "Adresse ou mot de passe incorrect.")
        audit.record(session, "connexion", f"Connexion de {user.email}", user)
        return LoginResult(user, None)


def revoke_sessions(user_id: int) -> None:
    """Invalidate every session of a user (logout everywhere)."""
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Utilisateur introuvable.")
        user.session_epoch += 1


def change_password(user_id: int, current: str, new: str, confirm: str) -> User:
    check_new_password(new)
    if new != confirm:
        raise InvalidInput("Les deux nouveaux mots de passe ne correspondent pas.")
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None or not check_password_hash(user.password_hash, current or ""):
            raise InvalidInput("Le mot de passe actuel est incorrect.")
        user.password_hash = _hash_password(new)
        user.session_epoch += 1
    return user


def set_user_active(user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; deactivation also ends its sessions."""
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Utilisateur introuvable.")
        user.active = active
        if not active:
            user.session_epoch += 1
    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(email: str, label: str = "") -> str:
    """Create a bearer token for a user; only its hash is stored, the token is returned once."""
    email = normalise_email(email)
    token = "cos_" + secrets.token_urlsafe(32)
    with write_transaction() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise NotFound(f"Aucun compte pour {email}.")
        session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label[:100]))
    return token


def user_for_token(token: str) -> User | None:
    session = db_session()
    return session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked.is_(False), User.active)
    )


def prune_login_attempts(older_than_days: int = 30) -> int:
    with write_transaction() as session:
        result = session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=older_than_days))
        )
        return result.rowcount or 0


# --- conventions and members ----------------------------------------------------------


def create_convention(
    creator: User,
    kind: ConventionKind,
    title: str,
    start_year: int,
    end_year: int | None = None,
    cadre_id: int | None = None,
    within_session: Session | None = None,
) -> Convention:
    """Create a convention for the creator's organisme, with its standard sections, and
    make that organisme its redacteur (in the caller's transaction when it passes
    ``within_session``)."""
    title = clean_title(title)
    if kind is ConventionKind.AVENANT:
        raise InvalidInput("Un avenant s'ouvre depuis la convention signée qu'il modifie.")
    end = check_period(kind, start_year, end_year)
    with within(within_session) as session:
        creator = session.get(User, creator.id)  # type: ignore[assignment]
        cadre = None
        if kind is ConventionKind.APPLICATION:
            if cadre_id is None:
                raise InvalidInput(
                    "Une convention d'application doit être rattachée à son document cadre."
                )
            cadre = session.get(Convention, cadre_id)
            if cadre is None or cadre.kind is not ConventionKind.CADRE:
                raise InvalidInput("Le document cadre indiqué n'existe pas.")
            if cadre.organisme_id != creator.organisation_id:
                raise InvalidInput("Le document cadre appartient à un autre organisme.")
        elif cadre_id is not None:
            raise InvalidInput(
                "Seule une convention d'application se rattache à un document cadre."
            )
        convention = Convention(
            kind=kind,
            title=title,
            organisme_id=creator.organisation_id,
            start_year=start_year,
            end_year=end,
            cadre=cadre,
            created_by_id=creator.id,
        )
        session.add(convention)
        session.add(
            Membership(
                convention=convention, organisation_id=creator.organisation_id, role=Role.REDACTEUR
            )
        )
        for position, standard in enumerate(STANDARD_SECTIONS[kind], start=1):
            session.add(
                Section(
                    convention=convention,
                    position=position,
                    title=standard.title,
                    mandatory=standard.mandatory,
                )
            )
        session.flush()
        audit.record(
            session,
            "convention_creee",
            f"Création de « {title} »",
            creator,
            convention.id,
            "convention",
            convention.id,
        )
    return convention


def set_membership(
    convention_id: int,
    role: Role,
    organisation_id: int | None = None,
    user_email: str | None = None,
    actor: User | None = None,
) -> Membership:
    """Add an organisation or a user to a convention, or change its role."""
    if (organisation_id is None) == (not user_email):
        raise InvalidInput("Choisissez une organisation ou un utilisateur.")
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        if user_email:
            user = session.scalar(select(User).where(User.email == normalise_email(user_email)))
            if user is None:
                raise InvalidInput(f"Aucun compte pour {user_email}.")
            where = Membership.user_id == user.id
            fields = {"user_id": user.id}
        else:
            org = session.get(Organisation, organisation_id)
            if org is None:
                raise InvalidInput("Organisation introuvable.")
            if org.id == convention.organisme_id and role is not Role.REDACTEUR:
                raise InvalidInput("L'organisme reste rédacteur de sa propre convention.")
            where = Membership.organisation_id == org.id
            fields = {"organisation_id": org.id}
        membership = session.scalar(
            select(Membership).where(Membership.convention_id == convention_id, where)
        )
        if membership is None:
            membership = Membership(convention_id=convention_id, role=role, **fields)
            session.add(membership)
        else:
            membership.role = role
        who = user_email or org.name  # type: ignore[possibly-undefined]
        audit.record(
            session,
            "participant",
            f"{who} : rôle {role.value}",
            actor,
            convention_id,
            "membership",
            None,
        )
        session.flush()
        _signatories_changed(session, convention_id, membership, actor)
    return membership


def _signatories_changed(
    session: Session, convention_id: int, membership: Membership | None, actor: User | None
) -> None:
    """Sections whose review the new set of signatories reopens or closes; a new
    signatory is told which sections await their position."""
    from app.review import recheck_reviews

    reopened = [
        s for s in recheck_reviews(session, convention_id, actor) if s.state.value == "en_revue"
    ]
    if reopened and membership is not None and membership.role is Role.SIGNATAIRE:
        titles = ", ".join(f"« {s.title} »" for s in reopened)
        audit.notify(
            session,
            audit.users_of_membership(session, membership),
            f"Votre position est attendue sur {titles}",
            f"/conventions/{convention_id}",
            convention_id,
        )


def remove_membership(convention_id: int, membership_id: int, actor: User | None = None) -> None:
    with write_transaction() as session:
        membership = session.get(Membership, membership_id)
        if membership is None or membership.convention_id != convention_id:
            raise NotFound("Participant introuvable.")
        convention = session.get(Convention, convention_id)
        assert convention is not None
        if membership.organisation_id == convention.organisme_id:
            raise InvalidInput("L'organisme ne peut pas être retiré de sa propre convention.")
        from app.models import ReviewPosition, Signature

        if session.scalar(
            select(ReviewPosition.id).where(ReviewPosition.membership_id == membership.id).limit(1)
        ) or session.scalar(
            select(Signature.id).where(Signature.membership_id == membership.id).limit(1)
        ):
            raise InvalidInput(
                "Ce participant a déjà donné une position ou signé : il ne peut plus être retiré "
                "(changez plutôt son rôle)."
            )
        who = membership.organisation.name if membership.organisation else membership.user.email
        audit.record(
            session,
            "participant_retire",
            f"{who} retiré",
            actor,
            convention_id,
            "membership",
            membership.id,
        )
        session.delete(membership)
        session.flush()
        _signatories_changed(session, convention_id, None, actor)


# --- sections -------------------------------------------------------------------------


def add_section(
    convention_id: int,
    title: str,
    actor: User | None = None,
    within_session: Session | None = None,
) -> Section:
    title = clean_title(title, "Le titre de la section")
    with within(within_session) as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        if not text_editable(convention.state):
            raise StateRefused(text_frozen_reason(convention.state))
        last = session.scalar(
            select(func.max(Section.position)).where(Section.convention_id == convention_id)
        )
        section = Section(
            convention_id=convention_id, title=title, position=(last or 0) + 1, mandatory=False
        )
        session.add(section)
        session.flush()
        audit.record(
            session,
            "section_ajoutee",
            f"Section « {title} » ajoutée",
            actor,
            convention_id,
            "section",
            section.id,
        )
    return section


def rename_section(section_id: int, title: str, actor: User | None = None) -> Section:
    title = clean_title(title, "Le titre de la section")
    with write_transaction() as session:
        section = lock_editable_section(session, section_id)
        old = section.title
        section.title = title
        audit.record(
            session,
            "section_renommee",
            f"« {old} » renommée « {title} »",
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return section


def move_section(section_id: int, direction: str, actor: User | None = None) -> None:
    """Swap a section with its neighbour ("up" or "down")."""
    if direction not in ("up", "down"):
        raise InvalidInput("Direction inconnue.")
    with write_transaction() as session:
        section = lock_editable_section(session, section_id)
        siblings = list(
            session.scalars(
                select(Section)
                .where(Section.convention_id == section.convention_id)
                .order_by(Section.position, Section.id)
                .with_for_update()
            )
        )
        index = siblings.index(section)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, item in enumerate(siblings, start=1):
            item.position = position
        audit.record(
            session,
            "section_deplacee",
            f"« {section.title} » déplacée",
            actor,
            section.convention_id,
            "section",
            section.id,
        )


def lock_editable_section(session: Session, section_id: int) -> Section:
    """Lock a section whose convention still allows its text to change.

    The convention row is held FOR SHARE: a transition (which takes it FOR UPDATE) waits
    for the save to commit, and a save waits for a transition, so a text is never frozen
    or fingerprinted while a change to it is half-way."""
    section = _lock_section(session, section_id)
    convention = session.scalar(
        select(Convention)
        .where(Convention.id == section.convention_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    assert convention is not None
    state = convention.state
    if not text_editable(state):
        raise StateRefused(text_frozen_reason(state))
    return section


def paragraph_ids_of(revision: Revision | None) -> list[str] | None:
    """The revision's paragraph ids, or None when there is no usable previous identity."""
    if revision is None:
        return None
    from workflows.text.diff import split_paragraphs

    ids = list(revision.paragraph_ids or [])
    return ids if len(ids) == len(split_paragraphs(revision.body)) else None


def insert_revision(
    session: Session,
    section: Section,
    current: Revision | None,
    author: User,
    body: str,
    message: str,
    paragraph_ids: list[str],
    restored_from: int | None = None,
    contribution_id: int | None = None,
) -> Revision:
    """Insert the next revision of a locked section and move its pointer; a new text
    sends a reviewed section back to draft (app.review.on_new_revision)."""
    from app.review import on_new_revision

    revision = Revision(
        section_id=section.id,
        number=(current.number if current else 0) + 1,
        parent_number=current.number if current else None,
        body=body,
        message=message,
        author_id=author.id,
        restored_from=restored_from,
        paragraph_ids=paragraph_ids,
        contribution_id=contribution_id,
    )
    session.add(revision)
    session.flush()
    section.current_revision = revision
    revision.review_notice = on_new_revision(session, section, current, author)
    audit.record(
        session,
        "revision",
        f"Révision {revision.number} de « {section.title} »" + (f" : {message}" if message else ""),
        author,
        section.convention_id,
        "section",
        section.id,
    )
    return revision


def _lock_section(session: Session, section_id: int) -> Section:
    # FOR UPDATE on PostgreSQL; on SQLite the write transaction already began IMMEDIATE.
    section = session.scalar(select(Section).where(Section.id == section_id).with_for_update())
    if section is None:
        raise NotFound("Section introuvable.")
    return section


def save_revision(
    section_id: int,
    author_id: int,
    base_number: int | None,
    body: str,
    message: str = "",
    restored_from: int | None = None,
) -> Revision:
    """Save a new revision of a section unless someone else saved since ``base_number``.

    The section's row lock serialises concurrent saves; the comparison with the current
    revision refuses a save based on an outdated one (RevisionConflict), and
    UNIQUE(section_id, number) is the backstop should the lock ever be missing.
    """
    body = clean_body(body)
    message = clean_message(message)
    try:
        with write_transaction() as session:
            section = lock_editable_section(session, section_id)
            current = section.current_revision
            conflict = check_base(base_number, current.number if current else None)
            if conflict is not None:
                assert current is not None or conflict.current_number == 0
                raise RevisionConflict(conflict.base_number, current)  # type: ignore[arg-type]
            if current is not None and current.body == body and restored_from is None:
                raise InvalidInput("Aucune modification à enregistrer : le texte est identique.")
            ids = assign_paragraph_ids(
                current.body if current else "", paragraph_ids_of(current), body
            )
            author = session.get(User, author_id)
            assert author is not None
            revision = insert_revision(
                session, section, current, author, body, message, ids, restored_from=restored_from
            )
    except IntegrityError:
        # Only reachable if two writers got past the lock: report it as the conflict it is.
        session = db_session()
        session.rollback()
        section = session.get(Section, section_id)
        assert section is not None and section.current_revision is not None
        raise RevisionConflict(base_number or 0, section.current_revision) from None
    return revision


def restore_revision(section_id: int, author_id: int, number: int, base_number: int) -> Revision:
    """Make an old revision current again by saving its text as a new revision."""
    session = db_session()
    old = session.scalar(
        select(Revision).where(Revision.section_id == section_id, Revision.number == number)
    )
    if old is None:
        raise NotFound("Révision introuvable.")
    return save_revision(
        section_id,
        author_id,
        base_number,
        old.body,
        message=f"Restauration de la révision {number}",
        restored_from=number,
    )
