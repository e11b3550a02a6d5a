"""Accounts: creating them, logging in (throttled), passwords, sessions and API tokens.

Each function is one use case and one transaction (``write_transaction``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.access import hash_token
from app.db import write_transaction
from app.models import ApiToken, LoginAttempt, Organisation, User, utcnow
from workflows.conventions import OrganisationKind, clean_title
from workflows.errors import InvalidInput, NotFound

PASSWORD_MIN_LENGTH = 8


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


def _recent_failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> int:
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
        if not ok or user is None:
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


def prune_login_attempts(older_than_days: int = 30) -> int:
    with write_transaction() as session:
        # On the connection, whose result counts the rows (the session's does not say so).
        result = session.connection().execute(
            delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=older_than_days))
        )
        return result.rowcount or 0
