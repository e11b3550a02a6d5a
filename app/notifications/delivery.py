"""Sending the outbox: claim a due mail, send it through SMTP, mark it sent or try again.

A worker claims a mail with one conditional UPDATE (pending and due, or ``sending``
with its lease passed: the worker that held it died mid-send), which writes a claim
token and a lease; of two workers that race for one mail, the database lets exactly one
UPDATE match. The mail goes out outside any transaction (no lock held while a server
answers), and is marked sent only if the claim token is still the worker's. A refusal
or an unreachable server counts an attempt and sets the next one further
(``workflows.notifications.next_attempt``); after the last, the mail is ``failed``,
logged, and shown to administrators (/admin/outbox).

The one duplicate left possible: a worker that dies (or loses the database) after the
server accepted a mail and before its commit; once the lease has passed another worker
sends it again. Both copies carry the same Message-ID, derived from the outbox row, so
that mail clients and most servers show it once.

Without ``SMTP_HOST`` (the embedded default), nothing is claimed: mails stay pending,
no attempt is consumed, and the administrators' page says why.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app import leases
from app.db import db_session, write_transaction
from app.models import OutboxMail, utcnow
from workflows.errors import Conflict, NotFound
from workflows.notifications import MAX_ATTEMPTS, next_attempt

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
SWEEP_LIMIT = 200  # mails per sweep: the next minute's sweep takes the rest

# The server is gone or will refuse every mail alike: the rest of the batch waits for
# the next sweep instead of each spending a timeout and an attempt on it.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # refused, unreachable, timed out, TLS (ssl.SSLError is an OSError)
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
)


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("OUTBOX_LEASE_SECONDS", 300)))


@dataclass(frozen=True)
class Claimed:
    """What a worker holds of a mail while it sends it (no ORM object across commits)."""

    id: int
    token: str
    attempts: int
    recipient: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    message_id: str


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # sent, claimed by another worker, or not due
    kept: int = 0  # no SMTP server configured: left pending
    errors: list[str] = field(default_factory=list)


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMail.status == PENDING, OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.status == SENDING, OutboxMail.claimed_until < now),
    )


def message_id(mail_id: int, created_at: datetime) -> str:
    """The same for every try of one row: a copy sent twice reads as one mail."""
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    domain = address.rpartition("@")[2] or "cosigne.localhost"
    return f"<cosigne.outbox.{mail_id}.{created_at:%Y%m%d%H%M%S}@{domain}>"


def due_ids(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    now = now or utcnow()
    return list(
        db_session().scalars(
            select(OutboxMail.id)
            .where(_claimable(now))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(limit)
        )
    )


def claim(mail_id: int, now: datetime | None = None) -> Claimed | None:
    """Take ``mail_id`` for sending, or None when it is not ours to send (sent, failed,
    not due, or held by another worker whose lease runs)."""
    now = now or utcnow()
    with write_transaction() as session:
        token = leases.take(
            session,
            OutboxMail,
            mail_id,
            _claimable(now),
            status=SENDING,
            claimed_until=now + lease(),
        )
        if token is None:
            return None
        row = session.get(OutboxMail, mail_id, populate_existing=True)
        assert row is not None  # the UPDATE just matched it
        if not row.message_id:
            row.message_id = message_id(row.id, row.created_at)
        return Claimed(
            row.id,
            token,
            row.attempts,
            row.recipient,
            row.subject,
            row.text_body,
            row.html_body,
            dict(row.headers or {}),
            row.message_id,
        )


def build_message(mail: Claimed) -> EmailMessage:
    """Text and HTML alternatives, in French, with the outbox row's headers."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers.items():
        if name.lower() not in {"from", "to", "subject", "date", "message-id"}:
            message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into them.
    message["Content-Language"] = "fr"
    return message


class Transport:
    """One SMTP connection, opened at the first mail and reused for a batch."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        host, port = self.config["SMTP_HOST"], int(self.config["SMTP_PORT"])
        timeout = float(self.config["SMTP_TIMEOUT_SECONDS"])
        security = self.config["SMTP_SECURITY"]
        connection: smtplib.SMTP
        if security == "ssl":
            connection = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        try:
            connection.ehlo()
            if security == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.config.get("SMTP_USER"):
                connection.login(self.config["SMTP_USER"], self.config.get("SMTP_PASSWORD", ""))
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._open()
        sender = parseaddr(self.config["MAIL_FROM"])[1]
        recipient = parseaddr(str(message["To"]))[1]
        try:
            self.connection.send_message(message, from_addr=sender, to_addrs=[recipient])
        except CONNECTION_ERRORS:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()  # the server went first: nothing left to say to it


@contextmanager
def transport() -> Iterator[Transport]:
    opened = Transport(dict(current_app.config))
    try:
        yield opened
    finally:
        opened.close()


def _mark_sent(mail: Claimed) -> bool:
    with write_transaction() as session:
        ours = leases.release(
            session,
            OutboxMail,
            mail.id,
            mail.token,
            status=SENT,
            sent_at=utcnow(),
            attempts=mail.attempts + 1,
            last_error="",
        )
    if not ours:
        # Our lease ran out mid-send and another worker took the mail over: it may go
        # twice, with one Message-ID. A lease longer than any send keeps this away.
        log.warning(
            "Mail %s envoyé après l'expiration de son bail : un autre worker a pu "
            "l'envoyer aussi (même Message-ID %s).",
            mail.id,
            mail.message_id,
        )
        return False
    return True


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        return f"{type(error).__name__} {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace')}"
            for address, (code, reply) in error.recipients.items()
        )
        return f"SMTPRecipientsRefused {refused}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _record_failure(mail: Claimed, error: BaseException, now: datetime) -> str:
    """Count the attempt; the next one later, or ``failed`` after the last."""
    attempts = mail.attempts + 1
    retry_at = next_attempt(attempts, now)
    described = _describe(error)[:1000]
    with write_transaction() as session:
        ours = leases.release(
            session,
            OutboxMail,
            mail.id,
            mail.token,
            status=FAILED if retry_at is None else PENDING,
            attempts=attempts,
            next_attempt_at=retry_at or now,
            last_error=described,
        )
    if not ours:
        log.warning("Échec du mail %s non enregistré : un autre worker l'a repris.", mail.id)
    if retry_at is None:
        log.error(
            "Mail %s à %s en échec définitif après %s essais : %s",
            mail.id,
            mail.recipient,
            attempts,
            described,
        )
        return FAILED
    log.warning(
        "Mail %s à %s non envoyé (essai %s sur %s, prochain à %s) : %s",
        mail.id,
        mail.recipient,
        attempts,
        MAX_ATTEMPTS,
        retry_at.isoformat(),
        described,
    )
    return PENDING


def send(ids: Iterable[int], now: datetime | None = None) -> Report:
    """Send those of ``ids`` that are due and not held by another worker."""
    report = Report()
    wanted = list(ids)
    if not smtp_configured():
        report.kept = len(wanted)
        return report
    with transport() as smtp:
        for mail_id in wanted:
            moment = now or utcnow()
            claimed = claim(mail_id, moment)
            if claimed is None:
                report.skipped += 1
                continue
            try:
                smtp.send(build_message(claimed))
            except Exception as error:  # every failure is counted, logged and kept
                if not isinstance(error, smtplib.SMTPException | OSError):
                    log.exception("Mail %s : erreur inattendue à l'envoi", claimed.id)
                outcome = _record_failure(claimed, error, now or utcnow())
                report.errors.append(_describe(error))
                if outcome == FAILED:
                    report.failed += 1
                else:
                    report.retried += 1
                if isinstance(error, CONNECTION_ERRORS):
                    break  # the server is away: the others wait for the next sweep
                continue
            if _mark_sent(claimed):
                report.sent += 1
    return report


def send_due(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> Report:
    """The sweep: every mail due at ``now`` (after a refusal, a worker's death, a
    handing over that failed, or a commit no hook saw)."""
    if not smtp_configured():
        return Report(kept=pending_count())
    report = send(due_ids(now, limit), now)
    if report.sent or report.retried or report.failed:
        log.info(
            "Boîte d'envoi : %s envoyé(s), %s à réessayer, %s en échec.",
            report.sent,
            report.retried,
            report.failed,
        )
    return report


def pending_count() -> int:
    return (
        db_session().scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.status == PENDING)
        )
        or 0
    )


def retry_failed(mail_id: int) -> OutboxMail:
    """An administrator's new chance for a failed mail: a full series of tries again,
    from now (the last error stays shown until a try replaces it)."""
    with write_transaction() as session:
        row = session.get(OutboxMail, mail_id)
        if row is None:
            raise NotFound("Ce message n'existe pas.")
        if row.status != FAILED:
            raise Conflict("Seul un message en échec peut être renvoyé.")
        row.status = PENDING
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.claim_token = ""
        row.claimed_until = None
    return row
