"""Reading the outbox for its administrators: what waits and what failed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.db import db_session
from app.models import OutboxMail

SHOWN = 200  # of each list, the most recent first


@dataclass(frozen=True)
class OutboxView:
    failed: list[OutboxMail]
    waiting: list[OutboxMail]  # pending, or being sent
    counts: dict[str, int]  # status -> number of mails


def outbox() -> OutboxView:
    session = db_session()

    def of(*statuses: str) -> list[OutboxMail]:
        return list(
            session.scalars(
                select(OutboxMail)
                .where(OutboxMail.status.in_(statuses))
                .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
                .limit(SHOWN)
            )
        )

    counts = dict(
        session.execute(select(OutboxMail.status, func.count()).group_by(OutboxMail.status)).all()
    )
    return OutboxView(of("failed"), of("pending", "sending"), counts)
