"""The daily and weekly digests: one mail per reader, what awaits them first, sent once
per period however many runs race for it, and again every period (a weekly digest that
went only once was Decidim's bug)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from app.db import db_session, write_transaction
from app.models import Notification, OutboxMail, ScheduledRun, utcnow
from app.notifications import delivery, digests
from app.notifications.operations import set_preference
from tests.integration.notifications.mails import tell, text_part
from workflows.notifications import Delivery, Kind

PARIS = ZoneInfo("Europe/Paris")


def _paris(day: datetime, hour: int = 7, minute: int = 5) -> datetime:
    """``day`` at ``hour:minute`` Paris time (aware): after the digests' sending hour."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _tomorrow_morning() -> datetime:
    return _paris(utcnow().astimezone(PARIS) + timedelta(days=1))


def _next_monday_morning() -> datetime:
    today = utcnow().astimezone(PARIS)
    return _paris(today + timedelta(days=7 - today.weekday()))


def _digests() -> list[OutboxMail]:
    session = db_session()
    session.rollback()
    return list(
        session.scalars(
            select(OutboxMail)
            .where(OutboxMail.purpose == "digest")
            .order_by(OutboxMail.id)
            .execution_options(populate_existing=True)
        )
    )


def _runs(job: str) -> list[str]:
    db_session().rollback()
    return list(db_session().scalars(select(ScheduledRun.period).where(ScheduledRun.job == job)))


def test_a_daily_digest_groups_by_convention_what_awaits_first_and_goes_once(mail_app, smtp, world):
    reader = world.users["signataire"]
    with mail_app.app_context():
        with write_transaction() as session:
            set_preference(session, reader, Kind.MENTION, Delivery.DAILY)
        tell([reader], "Position de l'État sur la section 2", world.convention_id, Kind.POSITION)
        tell([reader], "Passage à l'étape négociation", world.other_convention_id, Kind.TRANSITION)
        tell(
            [reader],
            "Redac vous mentionne",
            world.convention_id,
            Kind.MENTION,
            link=f"/threads/{world.thread_id}",
        )
        # Nothing of these went at once: they wait for the digest.
        assert _digests() == [] and delivery.send_due().sent == 0
        now = _tomorrow_morning()
        assert digests.run_due(now) == {Delivery.DAILY: 1, Delivery.WEEKLY: 0}
        assert _runs("digest-quotidien") == [now.date().isoformat()]
        # The same day again, or an hour later: nothing more.
        assert digests.run_due(now + timedelta(hours=1))[Delivery.DAILY] == 0
        db_session().rollback()
        assert (
            db_session().scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == reader, Notification.mailed_at.is_(None))
            )
            == 0
        )
        assert delivery.send_due(now).sent == 1

    [received] = smtp.received
    assert received.rcpt_tos == ["sign@epci.test"]
    message = received.message
    assert message["Subject"] == "[Cosigne] Résumé du jour : 1 à traiter, 3 au total"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/notifications/")
    text = text_part(message)
    # The convention where something awaits the reader comes first, and in it what awaits.
    assert text.index("== CUS test ==") < text.index("== CUS ailleurs ==")
    assert text.index("Redac vous mentionne") < text.index("Position de l'État")
    assert f"http://127.0.0.1:5000/threads/{world.thread_id}" in text


def test_a_weekly_digest_goes_every_week(mail_app, smtp, world):
    reader = world.users["associe"]
    monday = _next_monday_morning()
    with mail_app.app_context():
        with write_transaction() as session:
            set_preference(session, reader, Kind.POSITION, Delivery.WEEKLY)
        tell([reader], "Première semaine", world.convention_id, Kind.POSITION)
        # Sent on the Monday at 7:05, once in the week.
        first = digests.run_due(monday)
        assert first[Delivery.WEEKLY] == 1
        for later in (timedelta(hours=2), timedelta(days=2), timedelta(days=6, hours=23)):
            assert digests.run_due(monday + later)[Delivery.WEEKLY] == 0
        # A notification of the second week, then the next Monday: a new digest.
        tell([reader], "Deuxième semaine", world.convention_id, Kind.POSITION)
        with write_transaction() as session:
            session.execute(
                update(Notification)
                .where(Notification.text == "Deuxième semaine")
                .values(created_at=monday + timedelta(days=3))
            )
        assert digests.run_due(monday + timedelta(days=7))[Delivery.WEEKLY] == 1
        # And the one after, with nothing new: no empty digest.
        assert digests.run_due(monday + timedelta(days=14))[Delivery.WEEKLY] == 0
        weeks = sorted(_runs("digest-hebdomadaire"))
        assert len(weeks) == 3 and len(set(weeks)) == 3
        assert delivery.send_due(monday + timedelta(days=7)).sent == 2
    first_mail, second_mail = smtp.received
    assert "Résumé de la semaine" in first_mail.message["Subject"]
    assert "Première semaine" in text_part(first_mail.message)
    assert "Deuxième semaine" not in text_part(first_mail.message)
    assert "Deuxième semaine" in text_part(second_mail.message)
    assert "Première semaine" not in text_part(second_mail.message)


def test_before_the_sending_hour_the_previous_period_is_the_one_due(mail_app, world):
    reader = world.users["associe"]
    tomorrow = _tomorrow_morning()
    with mail_app.app_context():
        tell([reader], "Une position", world.convention_id, Kind.POSITION)
        at_six = tomorrow.replace(hour=6)
        assert digests.run_due(at_six)[Delivery.DAILY] == 1
        assert _runs("digest-quotidien") == [(tomorrow - timedelta(days=1)).date().isoformat()]


def test_two_runs_racing_send_one_digest_per_reader(mail_app, world):
    readers = [world.users[r] for r in ("redacteur", "signataire", "associe")]
    now = _tomorrow_morning()
    with mail_app.app_context():
        for index in range(3):
            tell(readers, f"Position {index}", world.convention_id, Kind.POSITION)
    runners = 4
    barrier = threading.Barrier(runners)
    results: list[object] = [None] * runners

    def run(index: int) -> None:
        with mail_app.app_context():
            barrier.wait()
            try:
                results[index] = digests.run_due(now)[Delivery.DAILY]
            except Exception as error:
                results[index] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results, key=str) == [0, 0, 0, 3], results
    with mail_app.app_context():
        mails = _digests()
        assert sorted(m.user_id for m in mails) == sorted(readers)
        assert _runs("digest-quotidien") == [now.date().isoformat()]
        assert _runs("digest-quotidien:fini") == [now.date().isoformat()]


def test_a_run_that_died_half_way_is_resumed(mail_app, world):
    reader = world.users["signataire"]
    now = _tomorrow_morning()
    period = now.date().isoformat()
    with mail_app.app_context():
        tell([reader], "Une position", world.convention_id, Kind.POSITION)
        # A run started an hour ago and never finished (its worker died).
        with write_transaction() as session:
            session.add(
                ScheduledRun(
                    job="digest-quotidien", period=period, created_at=now - timedelta(hours=1)
                )
            )
        # Within its first half hour, another run leaves it to the one under way...
        with write_transaction() as session:
            session.execute(
                update(ScheduledRun)
                .where(ScheduledRun.period == period)
                .values(created_at=now - timedelta(minutes=10))
            )
        assert digests.run_due(now)[Delivery.DAILY] == 0
        # ... past it, the run is resumed with its cutoff, and finished.
        with write_transaction() as session:
            session.execute(
                update(ScheduledRun)
                .where(ScheduledRun.period == period)
                .values(created_at=now - timedelta(hours=1))
            )
        assert digests.run_due(now)[Delivery.DAILY] == 1
        assert digests.run_due(now + timedelta(hours=2))[Delivery.DAILY] == 0
        assert [m.user_id for m in _digests()] == [reader]


def test_a_kind_turned_off_leaves_the_digest(mail_app, world):
    reader = world.users["signataire"]
    with mail_app.app_context():
        tell([reader], "Une position", world.convention_id, Kind.POSITION)
        with write_transaction() as session:
            set_preference(session, reader, Kind.POSITION, Delivery.OFF)
        assert digests.run_due(_tomorrow_morning())[Delivery.DAILY] == 0
        assert _digests() == []
