"""Helpers of the mail tests: tell someone at once, read the outbox, parts of a message."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.db import db_session, write_transaction
from app.models import OutboxMail
from app.notifications.operations import notify
from workflows.notifications import Kind


def tell(
    user_ids, summary: str, convention_id: int | None, kind: Kind = Kind.MENTION, link: str = ""
) -> None:
    """Notify ``user_ids`` of ``kind`` (a mention goes at once by default), committed."""
    with write_transaction() as session:
        notify(session, kind, set(user_ids), summary, link=link, convention_id=convention_id)


def outbox() -> list[OutboxMail]:
    session = db_session()
    session.rollback()  # read what other connections committed, as it is now
    query = select(OutboxMail).order_by(OutboxMail.id).execution_options(populate_existing=True)
    return list(session.scalars(query))


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
