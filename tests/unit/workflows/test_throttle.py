"""The delays of the login throttle: free failures, then a wait that doubles up to a cap,
counted from the latest failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workflows.throttle import Policy, TooManyAttempts, retry_message, wait_seconds

NOW = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
POLICY = Policy(free=5, first_delay=2, cap=300)


def test_free_failures_wait_nothing():
    assert wait_seconds(POLICY, 4, NOW, NOW) == 0
    assert wait_seconds(POLICY, 0, None, NOW) == 0


def test_the_delay_doubles_from_the_latest_failure_up_to_the_cap():
    assert wait_seconds(POLICY, 5, NOW, NOW) == 2
    assert wait_seconds(POLICY, 6, NOW, NOW) == 4
    assert wait_seconds(POLICY, 9, NOW, NOW) == 32
    assert wait_seconds(POLICY, 50, NOW, NOW) == 300
    assert wait_seconds(POLICY, 10**6, NOW, NOW) == 300  # no overflow
    assert wait_seconds(POLICY, 6, NOW - timedelta(seconds=3), NOW) == 1
    assert wait_seconds(POLICY, 6, NOW - timedelta(seconds=5), NOW) == 0


def test_the_message_says_when_to_retry_in_french():
    assert retry_message(0.2) == "Trop de tentatives échouées : réessayez dans 1 seconde."
    assert retry_message(31.5) == "Trop de tentatives échouées : réessayez dans 32 secondes."
    assert retry_message(61) == "Trop de tentatives échouées : réessayez dans 2 minutes."
    refused = TooManyAttempts(12.1)
    assert refused.status == 429 and refused.retry_after == 13
    assert refused.details() == {"retry_after": 13}
