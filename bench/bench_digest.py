"""Benchmark of the daily digest of 1,000 readers (app/notifications/digests.py).

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_digest.py
    .venv/bin/python bench/bench_digest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Same conventions as bench/bench_revisions.py (fresh database, median and p95 of
wall-clock milliseconds). 1,000 readers of two conventions, each with 4 notifications
waiting for the daily digest (two per convention, one of them awaiting them): one run of
``digests.run`` takes every reader's notifications, renders 1,000 mails (text and HTML)
and writes them to the outbox, in batches of ``digests.BATCH`` readers. Between runs the
notifications are put back to waiting and the mails deleted; each run has a period key
of its own. Also measured: the run that finds its period already done (every 5 minutes,
in each worker with a scheduler), which must cost nothing.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_revisions import record, run_bench, timed
from sqlalchemy import delete, insert, update

from app.db import write_transaction
from app.models import Convention, Notification, Organisation, OutboxMail, User, utcnow
from app.notifications import digests
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.notifications import Delivery, Kind

READERS = 1000
RUNS = 7


def build() -> None:
    now = utcnow() - timedelta(hours=1)
    with write_transaction() as session:
        organisation = Organisation(name="EPCI du banc", kind=OrganisationKind.EPCI)
        session.add(organisation)
        session.flush()
        conventions = [
            Convention(
                kind=ConventionKind.CUS,
                title=f"CUS du banc {n}",
                organisme_id=organisation.id,
                start_year=2026,
                end_year=2031,
            )
            for n in (1, 2)
        ]
        session.add_all(conventions)
        session.flush()
        session.execute(
            insert(User),
            [
                {
                    "email": f"lecteur{n}@banc.test",
                    "name": f"Lecteur {n}",
                    "password_hash": "x",
                    "organisation_id": organisation.id,
                }
                for n in range(READERS)
            ],
        )
        user_ids = [u.id for u in session.query(User.id).order_by(User.id)]
        rows = []
        for user_id in user_ids:
            for convention in conventions:
                for kind, text in (
                    (Kind.REVIEW_REQUESTED, "Relecture demandée sur la section Loyers"),
                    (Kind.POSITION, "Position de l'État : réserves sur la section Loyers"),
                ):
                    rows.append(
                        {
                            "user_id": user_id,
                            "convention_id": convention.id,
                            "kind": kind.value,
                            "text": text,
                            "link": f"/conventions/{convention.id}",
                            "delivery": Delivery.DAILY.value,
                            "created_at": now,
                        }
                    )
        session.execute(insert(Notification), rows)


def reset() -> None:
    with write_transaction() as session:
        session.execute(delete(OutboxMail))
        session.execute(update(Notification).values(mailed_at=None))


def run(app, _rng) -> None:
    with app.app_context():
        build()
        print(f"  built: {READERS} readers, {READERS * 4} notifications", flush=True)
        samples, idle = [], []
        for index in range(RUNS):
            reset()
            now = utcnow()
            written: list[int] = []
            samples.append(
                timed(
                    lambda i=index, n=now, w=written: w.append(
                        digests.run(Delivery.DAILY, f"banc-{i}", n)
                    )
                )
            )
            assert written == [READERS], written
            idle.append(timed(digests.run, Delivery.DAILY, f"banc-{index}", now))
        record(f"daily digest of {READERS} readers (4 items each)", samples)
        record("digest run whose period is already done", idle)


if __name__ == "__main__":
    run_bench(run, __doc__.splitlines()[0])
