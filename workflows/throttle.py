"""Slowing down password guessing with delays that grow, never a lock-out.

A counter (the failures of one account, or of one address) allows ``free`` failures;
after that, each new failure doubles the wait before the next attempt is heard, up to
``cap`` seconds. An attempt made during the wait is refused without being counted, so
the wait never grows past ``cap`` and the owner of an account can always try again a few
minutes later: guessing becomes slow, and no one can lock someone else out for good.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from workflows.errors import CosigneError


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before the first delay
    first_delay: float  # seconds, after the first failure past ``free``
    cap: float  # the longest delay, in seconds


def wait_seconds(
    policy: Policy, failures: int, last_failure: datetime | None, now: datetime
) -> float:
    """How long from ``now`` before an attempt is heard (0: at once), given ``failures``
    counted failures, the latest at ``last_failure``."""
    if failures < policy.free or last_failure is None:
        return 0.0
    # Past a few dozen doublings the cap is reached anyway: no float overflow.
    delay = min(math.ldexp(policy.first_delay, min(failures - policy.free, 64)), policy.cap)
    return max(0.0, (last_failure - now).total_seconds() + delay)


def retry_message(seconds: float) -> str:
    """The French refusal, saying when to try again (rounded up: never too early)."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        when = f"{whole} seconde{'s' if whole > 1 else ''}"
    else:
        minutes = math.ceil(whole / 60)
        when = f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"Trop de tentatives échouées : réessayez dans {when}."


class TooManyAttempts(CosigneError):
    """Attempts come too fast after failures (HTTP 429); ``retry_after`` in seconds."""

    status = 429

    def __init__(self, seconds: float) -> None:
        self.retry_after = max(1, math.ceil(seconds))
        super().__init__(retry_message(seconds))

    def details(self) -> dict[str, object]:
        return {"retry_after": self.retry_after}
