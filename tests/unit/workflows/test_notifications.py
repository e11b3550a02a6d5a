"""The rules of who is told and when (workflows/notifications.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from workflows.notifications import (
    MAX_ATTEMPTS,
    Delivery,
    DigestItem,
    Kind,
    default_delivery,
    delivery_for,
    digest_groups,
    digest_period,
    next_attempt,
    recipients,
    reminder_stage,
    reminder_text,
)


def test_the_actor_is_never_told_and_an_observer_only_of_what_they_chose():
    assert recipients({1, 2, 3}, actor_id=1) == {2, 3}
    assert recipients({1, 2, 3}, actor_id=None, observers={3}) == {1, 2}
    assert recipients({1, 2, 3}, actor_id=2, observers={3}, opted_in={3}) == {1, 3}


def test_what_awaits_the_reader_goes_at_once_by_default_and_a_choice_wins():
    assert default_delivery(Kind.REVIEW_REQUESTED) is Delivery.IMMEDIATE
    assert default_delivery(Kind.TRANSITION) is Delivery.DAILY
    assert delivery_for(Kind.REVIEW_REQUESTED, {Kind.REVIEW_REQUESTED: Delivery.OFF}) is (
        Delivery.OFF
    )


def test_each_deadline_reminder_stage_is_the_nearest_reached():
    due = date(2027, 3, 31)
    assert reminder_stage(due, due - timedelta(days=31)) is None
    assert reminder_stage(due, due - timedelta(days=30)) == 30
    assert reminder_stage(due, due - timedelta(days=8)) == 30
    assert reminder_stage(due, due - timedelta(days=7)) == 7
    assert reminder_stage(due, due - timedelta(days=1)) == 7
    assert reminder_stage(due, due) == 0
    assert reminder_stage(due, due + timedelta(days=10)) == 0
    assert "dépassée" in reminder_text("Signature", due, 0, due + timedelta(days=1))
    assert "aujourd'hui" in reminder_text("Signature", due, 0, due)
    assert "dans 7 jours" in reminder_text("Signature", due, 7, due - timedelta(days=7))


def test_retries_wait_longer_each_time_then_stop():
    now = datetime(2026, 12, 3, tzinfo=UTC)
    delays = [next_attempt(n, now) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays[-1] is None
    waits = [d - now for d in delays[:-1] if d is not None]
    assert waits == sorted(waits) and waits[0] == timedelta(minutes=1)
    assert sum(waits, timedelta()) < timedelta(days=1, hours=1)


def test_digest_periods_are_due_from_their_hour_and_named_once():
    monday_6h = datetime(2026, 11, 30, 6, 0)
    monday_7h = datetime(2026, 11, 30, 7, 0)
    assert digest_period(Delivery.DAILY, monday_6h) == "2026-11-29"
    assert digest_period(Delivery.DAILY, monday_7h) == "2026-11-30"
    assert digest_period(Delivery.WEEKLY, monday_6h) == "2026-W48"
    assert digest_period(Delivery.WEEKLY, monday_7h) == "2026-W49"
    # Every moment of the week after Monday 7:00 names the same week, and the next
    # Monday names the next one: a weekly digest goes every week, not once.
    week = {digest_period(Delivery.WEEKLY, monday_7h + timedelta(hours=h)) for h in range(168)}
    assert week == {"2026-W49"}
    assert digest_period(Delivery.WEEKLY, monday_7h + timedelta(days=7)) == "2026-W50"
    assert digest_period(Delivery.IMMEDIATE, monday_7h) is None


def test_a_digest_puts_first_the_conventions_where_something_awaits():
    at = datetime(2026, 12, 1, tzinfo=UTC)
    items = [
        DigestItem("CUS Alpha", Kind.TRANSITION, "Étape", "/c/1", at),
        DigestItem("CUS Beta", Kind.SIGNATURE, "Signé", "/c/2", at),
        DigestItem("CUS Beta", Kind.REVIEW_REQUESTED, "Relire", "/s/3", at + timedelta(hours=1)),
    ]
    groups = digest_groups(items)
    assert [g.convention for g in groups] == ["CUS Beta", "CUS Alpha"]
    assert [i.summary for i in groups[0].awaiting] == ["Relire"]
    assert [i.summary for i in groups[0].other] == ["Signé"]
