"""Accounts: creating them, logging in (slowed down after failures), passwords, sessions
and API tokens.

Each function is one use case and one transaction (``write_transaction``).
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.access import hash_token, keeping_a_drafter
from app.db import is_sqlite, write_transaction
from app.models import ApiToken, LoginAttempt, Membership, Organisation, User, utcnow
from workflows.conventions import OrganisationKind, clean_title
from workflows.errors import InvalidInput, NotFound
from workflows.text.clean import clean_text
from workflows.throttle import Policy, TooManyAttempts, wait_seconds

PASSWORD_MIN_LENGTH = 8


def normalise_email(raw: str | None) -> str:
    # Cleaned as the column will store it: the name is also used outside the columns
    # (the login lock's key), where a NUL would reach PostgreSQL as it is.
    email = clean_text(raw or "").strip().lower()
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


def _hash_method() -> str:
    return str(current_app.config["PASSWORD_HASH_METHOD"])


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None
    retry_after: int = 0  # seconds; above 0 when the attempt came during a delay

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of nothing anyone knows, made once per method: checking a password against
    it costs what checking a real one costs, so the time of an answer does not tell
    whether an account exists (or is active)."""
    return generate_password_hash(secrets.token_urlsafe(32), method=method)


def _failures(
    session: Session, since: datetime, *where: ColumnElement[bool]
) -> tuple[int, datetime | None]:
    count, last = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since, *where
        )
    ).one()
    return count or 0, last


def _policy(kind: str) -> Policy:
    config = current_app.config
    return Policy(
        free=config[f"LOGIN_FREE_FAILURES_PER_{kind}"],
        first_delay=config["LOGIN_FIRST_DELAY_SECONDS"],
        cap=config["LOGIN_MAX_DELAY_SECONDS"],
    )


def _wait(session: Session, email: str, address: str, now: datetime) -> float:
    """Seconds before an attempt on ``email`` from ``address`` is heard (0: at once).

    Two counters, each with delays that double up to a cap (workflows.throttle): the
    account's failures since its last success, and the address's failures. An address
    the account has logged in from before is its owner's (an office behind one NAT, a
    reverse proxy without ``COSIGNE_TRUSTED_PROXIES``): there, the address counter does
    not apply, and the account counts only the failures made from that address, so
    that neither someone spraying passwords from the same address nor someone guessing
    from elsewhere keeps the owner out. Elsewhere, a correct password for an account
    waits like any other attempt: a sprayer does not learn which guesses were right
    faster than the delays allow.
    """
    config = current_app.config
    since = now - timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    success = LoginAttempt.succeeded.is_(True)
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, success)
    )
    known = (
        session.scalar(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                success,
                LoginAttempt.at >= now - timedelta(days=config["LOGIN_KNOWN_ADDRESS_DAYS"]),
            )
            .limit(1)
        )
        is not None
    )
    account = [LoginAttempt.email == email]
    if known:
        account.append(LoginAttempt.address == address)
    wait = wait_seconds(
        _policy("ACCOUNT"),
        *_failures(session, max(since, last_success) if last_success else since, *account),
        now,
    )
    if not known:
        by_address = _failures(session, since, LoginAttempt.address == address)
        wait = max(wait, wait_seconds(_policy("ADDRESS"), *by_address, now))
    return wait


def _one_attempt_at_a_time(session: Session, email: str) -> None:
    """Attempts on one account are heard one after the other, each seeing the failures
    of those before it: otherwise guesses sent at once would all be counted against the
    same delay. SQLite writes one transaction at a time already (BEGIN IMMEDIATE); on
    PostgreSQL, a lock on the account's name until the transaction ends (an account
    that does not exist has no row to lock)."""
    if not is_sqlite():
        key = func.hashtextextended("cosigne-login:" + email, 0)
        session.execute(select(func.pg_advisory_xact_lock(key)))


def _checks(user: User | None, password: str) -> bool:
    """The password check, one hash verification whether or not the account exists."""
    usable = user is not None and user.active
    stored = user.password_hash if usable and user else _dummy_hash(_hash_method())
    return check_password_hash(stored, password or "") and usable


def authenticate(email: str, password: str, address: str) -> LoginResult:
    """Check a login, slowing down the attempts that follow failures (``_wait``).

    Failures are recorded in the database, so the delays hold across workers; an
    attempt refused during a delay is not recorded, so a slow trickle of them cannot
    stretch the delay. Unlocking by e-mail is left for when Cosigne sends e-mail: until
    then, the delay's cap (a few minutes) is the longest anyone waits."""
    email = clean_text(email or "").strip().lower()[:254]
    address = (address or "inconnue")[:64]
    with write_transaction() as session:
        _one_attempt_at_a_time(session, email)
        now = utcnow()
        wait = _wait(session, email, address, now)
        if wait > 0:
            refused = TooManyAttempts(wait)
            return LoginResult(None, refused.message, refused.retry_after)
        user = session.scalar(select(User).where(User.email == email))
        ok = _checks(user, password)
        session.add(LoginAttempt(email=email, address=address, succeeded=ok, at=now))
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


def change_password(user_id: int, current: str, new: str, confirm: str, address: str) -> User:
    """Change a password, given the current one (throttled like a login: it is the same
    secret to guess). Every session ends, and every API token is revoked: a token made
    by whoever knew the old password must not outlive it; the user makes new ones."""
    check_new_password(new)
    if new != confirm:
        raise InvalidInput("Les deux nouveaux mots de passe ne correspondent pas.")
    address = (address or "inconnue")[:64]
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Utilisateur introuvable.")
        _one_attempt_at_a_time(session, user.email)
        now = utcnow()
        wait = _wait(session, user.email, address, now)
        ok = wait <= 0 and _checks(user, current)
        if wait <= 0:
            session.add(LoginAttempt(email=user.email, address=address, succeeded=ok, at=now))
        if ok:
            user.password_hash = _hash_password(new)
            user.session_epoch += 1
            session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                .values(revoked=True)
            )
    # Refused after the commit: the failure stays recorded.
    if wait > 0:
        raise TooManyAttempts(wait)
    if not ok:
        raise InvalidInput("Le mot de passe actuel est incorrect.")
    return user


def set_user_active(user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; deactivation also ends its sessions, and is
    refused while the account is the last active drafter of a convention."""
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Utilisateur introuvable.")
        taking_part = session.scalars(
            select(Membership.convention_id)
            .where(
                or_(
                    Membership.user_id == user.id,
                    Membership.organisation_id == user.organisation_id,
                )
            )
            .distinct()
        )
        with keeping_a_drafter(session, [] if active else list(taking_part)):
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
