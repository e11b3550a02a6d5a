"""The inbox's one write: marking the user's notifications read."""

from __future__ import annotations

from sqlalchemy import update

from app.db import write_transaction
from app.models import Notification, User, utcnow


def mark_read(user: User) -> None:
    with write_transaction() as session:
        session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
