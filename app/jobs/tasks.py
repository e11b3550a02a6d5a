"""The background jobs: sending the mails a commit hands over, the sweep of the outbox,
the digests and the deadline reminders, the knowledge base's uploads and rebuilds, the
signed conventions' PDF/A archives (app/archive/operations.py, claimed row by row). Each runs in an application context of the
worker's one application (created once per process, see ``application``).

The periodic tasks are enqueued by every consumer started with its scheduler, and the
same job may run twice at once: each is safe so. The sweep claims mail by mail (a
conditional UPDATE, app/notifications/delivery.py); a digest period and a reminder stage
are keyed once in ``scheduled_run`` (app/notifications/digests.py, reminders.py); the
knowledge base's jobs are claimed row by row too (app/kb/background.py).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask
from huey import crontab
from redis.exceptions import RedisError

from app.archive import operations as archive
from app.jobs.engine import huey
from app.kb import background
from app.notifications import delivery, digests, reminders
from app.word.operations import purge_expired_pending

log = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_bound: dict[str, Any] = {}  # "app" and the "pid" it belongs to


def bind(app: Flask) -> None:
    """The application this process's tasks run in (the worker command's own)."""
    with _lock:
        _bound.update(app=app, pid=os.getpid())


def application() -> Flask:
    """The process's application: the one bound, else one created on first use (a
    consumer started by other means). After a fork (process workers), the inherited
    pool's connections belong to the parent: the child forgets them, without closing
    them under the parent's feet."""
    with _lock:
        app: Flask | None = _bound.get("app")
        if app is None:
            from app import create_app  # noqa: PLC0415 (the factory imports this module)

            app = create_app()
            _bound.update(app=app, pid=os.getpid())
        elif _bound.get("pid") != os.getpid():
            app.extensions["cosigne_engine"].dispose(close=False)
            _bound["pid"] = os.getpid()
        return app


@contextmanager
def _context() -> Iterator[None]:
    with application().app_context():
        yield


def _in_app(work: Callable[[], T]) -> T:
    with _context():
        return work()


@dataclass(frozen=True)
class Due:
    mails: delivery.Report
    digests: dict[str, int]
    reminders: int


def run_due(now: datetime | None = None) -> Due:
    """One sweep, the due digests and the due reminders, in that order of urgency, in
    the current application context (the ``run-due`` command, the tests). Digests and
    reminders write to the outbox; a last sweep sends what they wrote."""
    first = delivery.send_due(now)
    written = {d.value: n for d, n in digests.run_due(now).items()}
    reminded = reminders.run_due(now)
    if any(written.values()) or reminded:
        last = delivery.send_due(now)
        first.sent += last.sent
        first.retried += last.retried
        first.failed += last.failed
        first.kept = last.kept
        first.errors.extend(last.errors)
    return Due(first, written, reminded)


@huey.task()
def send_mails(ids: list[int]) -> None:
    """Send the mails a commit wrote, soon after it (a failure is recorded on the mail;
    one the task never reached is still pending for the sweep)."""
    _in_app(lambda: delivery.send(ids))


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    _in_app(delivery.send_due)


@huey.periodic_task(crontab(minute="*/5"))
def send_digests() -> None:
    _in_app(digests.run_due)
    _in_app(delivery.send_due)


@huey.periodic_task(crontab(minute="*/15"))
def deadline_reminders() -> None:
    _in_app(reminders.run_due)


@huey.periodic_task(crontab(minute="17"))
def purge_import_previews() -> None:
    """Word import previews older than an hour (each process also purges at its first
    request, and each new preview does: this is for an instance nobody uses for a while)."""
    purged = _in_app(purge_expired_pending)
    if purged:
        log.info("purged %d expired Word import preview(s)", purged)


def hand_over(ids: list[int]) -> None:
    """The outbox's after-commit hook: queue the new mails for sending. The mails are
    already stored: if the queue is unreachable (Redis down), the error is logged and
    the minute's sweep sends them; the user's request never fails for it."""
    try:
        send_mails(ids)
    except (RedisError, sqlite3.Error, OSError):  # the queue's store, unreachable or busy
        log.exception(
            "File des tâches injoignable : les mails %s attendent le balayage de la boîte "
            "d'envoi (toutes les minutes).",
            ids,
        )


@huey.task()
def run_kb_job(job_id: int) -> None:
    """Ingest an upload, or rebuild the index, soon after the request that asked for it
    (one the task never reached is still waiting for the sweep)."""
    _in_app(lambda: background.run(job_id))


@huey.periodic_task(crontab(minute="*"))
def sweep_kb_jobs() -> None:
    _in_app(background.run_due)


def hand_over_kb_job(job_id: int) -> None:
    """After the commit that stored the job: queue it. If the queue is unreachable, the
    error is logged and the minute's sweep does the job; the request never fails for it."""
    try:
        run_kb_job(job_id)
    except (RedisError, sqlite3.Error, OSError):  # the queue's store, unreachable or busy
        log.exception(
            "File des tâches injoignable : la tâche %s de la base documentaire attend le "
            "balayage (toutes les minutes).",
            job_id,
        )


@huey.task()
def make_archive(archive_id: int) -> None:
    """Convert a signed convention to its PDF/A archive, soon after the signing (one the
    task never reached is still waiting for the sweep; a failure is kept on its row)."""
    _in_app(lambda: archive.run(archive_id))


@huey.periodic_task(crontab(minute="*"))
def sweep_archives() -> None:
    """The archives waiting (message lost), due for another try, or whose worker died."""
    _in_app(archive.run_due)


def hand_over_archives(ids: list[int]) -> None:
    """After the commit that asked for the archives: queue them. If the queue is
    unreachable, the error is logged and the minute's sweep makes them; the signing
    never fails for it."""
    for archive_id in ids:
        try:
            make_archive(archive_id)
        except (RedisError, sqlite3.Error, OSError):  # the queue's store, unreachable or busy
            log.exception(
                "File des tâches injoignable : l'archive PDF/A %s attend le balayage "
                "(toutes les minutes).",
                archive_id,
            )
