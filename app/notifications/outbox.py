"""The outbox: each e-mail is a row written in the transaction of what it tells of. Once
that transaction commits, the hooks (the job engine's, app/jobs) are handed the new rows'
ids to send them soon; without a hook, or when handing them over fails, the rows wait
for the worker's sweep: the database, not the queue, is what keeps a mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session, UOWTransaction

from app.models import OutboxMail

# Called after a commit with the ids of the mails it wrote (registered by app/jobs).
after_commit_hooks: list[Callable[[list[int]], None]] = []

_WRITTEN = "cosigne_outbox_written"  # rows added in this transaction, not yet flushed
_IDS = "cosigne_outbox_ids"  # their ids once flushed


@dataclass(frozen=True)
class Mail:
    recipient: str  # "Name <address>"
    subject: str
    text: str
    html: str
    purpose: str = "notification"
    user_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def write(session: Session, mail: Mail) -> OutboxMail:
    row = OutboxMail(
        user_id=mail.user_id,
        purpose=mail.purpose,
        recipient=mail.recipient,
        subject=mail.subject[:300],
        text_body=mail.text,
        html_body=mail.html,
        headers=dict(mail.headers),
    )
    session.add(row)
    session.info.setdefault(_WRITTEN, []).append(row)
    return row


def write_many(session: Session, mails: list[Mail]) -> list[int]:
    """Write several mails in one multi-row INSERT (a notification to a whole convention)."""
    if not mails:
        return []
    table = cast(Table, OutboxMail.__table__)
    ids = list(
        session.connection().scalars(
            insert(table).returning(table.c.id),
            [
                {
                    "user_id": m.user_id,
                    "purpose": m.purpose,
                    "recipient": m.recipient,
                    "subject": m.subject[:300],
                    "text_body": m.text,
                    "html_body": m.html,
                    "headers": dict(m.headers),
                }
                for m in mails
            ],
        )
    )
    session.info.setdefault(_IDS, []).extend(ids)
    return ids


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: UOWTransaction) -> None:
    rows = session.info.pop(_WRITTEN, None)
    if rows:
        session.info.setdefault(_IDS, []).extend(r.id for r in rows if r.id is not None)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    ids = session.info.pop(_IDS, None)
    if not ids:
        return
    for hook in after_commit_hooks:
        hook(list(ids))


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    session.info.pop(_IDS, None)
