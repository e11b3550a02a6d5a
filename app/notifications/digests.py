"""The daily and weekly digests: one mail per reader gathering what waited for it.

Once per period, however many workers and schedulers ask: a run first inserts its
``ScheduledRun(job, period)`` row, alone in a short transaction; a second run at the
same moment hits the unique constraint, rolls back and does nothing. The period is
``workflows.notifications.digest_period`` in the configured time zone, so a weekly
digest is due again each Monday (a new key each week, never "already sent").

Then the readers, in batches of ``BATCH`` (1,000 readers in one transaction would hold
SQLite's write lock for seconds while the mails are rendered): each batch takes its
readers' waiting notifications with one ``UPDATE ... SET mailed_at ... WHERE mailed_at
IS NULL ... RETURNING``, composes a mail per reader from exactly the rows it took, and
writes them to the outbox in the same transaction. A notification can be taken once
only (the UPDATE's condition, rechecked under the row lock on PostgreSQL); a batch that
fails rolls back whole, its mails and its marks together. A run that died half-way
(no ``…:fini`` row after ``RESUME_AFTER``) is resumed by a later tick with the same
cutoff: nothing waits a whole week for the next period.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.db import db_session, write_transaction
from app.models import Convention, Notification, ScheduledRun, User, utcnow
from app.notifications import mail, outbox
from workflows.notifications import (
    DIGESTS,
    Delivery,
    DigestItem,
    Kind,
    digest_groups,
    digest_period,
)

log = logging.getLogger(__name__)

JOBS: dict[Delivery, str] = {
    Delivery.DAILY: "digest-quotidien",
    Delivery.WEEKLY: "digest-hebdomadaire",
}
FINISHED = ":fini"
BATCH = 200
RESUME_AFTER = timedelta(minutes=30)


def local(now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def run_due(now: datetime | None = None) -> dict[Delivery, int]:
    """Each digest whose period is due at ``now`` and not yet run: mails written."""
    now = now or utcnow()
    written = {}
    for delivery in DIGESTS:
        period = digest_period(delivery, local(now))
        written[delivery] = run(delivery, period, now) if period else 0
    return written


def _has_run(job: str, period: str) -> ScheduledRun | None:
    return db_session().scalar(
        select(ScheduledRun).where(ScheduledRun.job == job, ScheduledRun.period == period)
    )


def _start(job: str, period: str, now: datetime) -> datetime | None:
    """The cutoff of this run of ``job`` for ``period``, None when it is not ours."""
    started = _has_run(job, period)
    if started is not None:
        if _has_run(job + FINISHED, period) is not None:
            return None
        if started.created_at + RESUME_AFTER > now:
            return None  # under way in another worker
        log.warning("Résumé %s %s interrompu : reprise.", job, period)
        return started.created_at
    try:
        with write_transaction() as session:
            session.add(ScheduledRun(job=job, period=period, created_at=now))
    except IntegrityError:
        return None  # another run inserted it first: it sends this period
    return now


def run(delivery: Delivery, period: str, now: datetime | None = None) -> int:
    """The digest of ``delivery`` for ``period``, once: the number of mails written."""
    now = now or utcnow()
    job = JOBS[delivery]
    cutoff = _start(job, period, now)
    if cutoff is None:
        return 0
    readers = list(
        db_session().scalars(
            select(Notification.user_id)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.delivery == delivery.value,
                Notification.mailed_at.is_(None),
                Notification.created_at <= cutoff,
                User.active,
            )
            .distinct()
            .order_by(Notification.user_id)
        )
    )
    db_session().rollback()  # no read transaction held across the batches
    written = 0
    for start in range(0, len(readers), BATCH):
        written += _batch(delivery, readers[start : start + BATCH], cutoff, now)
    try:
        with write_transaction() as session:
            session.add(ScheduledRun(job=job + FINISHED, period=period, created_at=utcnow()))
    except IntegrityError:
        pass  # a resumed run finished it as well: the mark is there, which is all it says
    log.info("Résumé %s %s : %s message(s) dans la boîte d'envoi.", job, period, written)
    return written


def _batch(delivery: Delivery, user_ids: Sequence[int], cutoff: datetime, now: datetime) -> int:
    with write_transaction() as session:
        taken = session.execute(
            update(Notification)
            .where(
                Notification.user_id.in_(user_ids),
                Notification.delivery == delivery.value,
                Notification.mailed_at.is_(None),
                Notification.created_at <= cutoff,
            )
            .values(mailed_at=now)
            .returning(
                Notification.user_id,
                Notification.convention_id,
                Notification.kind,
                Notification.text,
                Notification.link,
                Notification.created_at,
            )
            .execution_options(synchronize_session=False)
        ).all()
        if not taken:
            return 0
        titles = dict(
            session.execute(
                select(Convention.id, Convention.title).where(
                    Convention.id.in_({r.convention_id for r in taken if r.convention_id})
                )
            ).all()
        )
        items: dict[int, list[DigestItem]] = {}
        for row in taken:
            try:
                kind = Kind(row.kind)
            except ValueError:
                log.warning("Notification d'un type inconnu %r laissée hors du résumé", row.kind)
                continue
            items.setdefault(row.user_id, []).append(
                DigestItem(
                    titles.get(row.convention_id, "") if row.convention_id else "",
                    kind,
                    row.text,
                    row.link,
                    row.created_at,
                )
            )
        readers = session.scalars(select(User).where(User.id.in_(items))).all()
        for reader in readers:
            outbox.write(
                session, mail.for_digest(reader, delivery, digest_groups(items[reader.id]))
            )
        return len(readers)
