"""The archive's rules: its automatic retries, who may ask again, what counts as a PDF/A-2b."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.archive import RETRY_DELAYS, ArchiveState, check_retry, next_try, pdfa_problem
from workflows.errors import Conflict

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_failure_is_tried_again_after_each_delay_then_waits_for_a_person():
    assert [next_try(n, NOW) for n in range(1, len(RETRY_DELAYS) + 1)] == [
        NOW + delay for delay in RETRY_DELAYS
    ]
    assert next_try(len(RETRY_DELAYS) + 1, NOW) is None
    assert next_try(0, NOW) is None


def test_only_a_failed_archive_is_asked_for_again():
    check_retry(ArchiveState.ECHEC)
    for state, words in (
        (ArchiveState.FAIT, "déjà faite"),
        (ArchiveState.EN_ATTENTE, "déjà en préparation"),
        (ArchiveState.EN_COURS, "déjà en préparation"),
    ):
        with pytest.raises(Conflict, match=words):
            check_retry(state)


def test_only_a_pdf_a_2b_is_an_archive():
    assert pdfa_problem("2", "B") is None
    assert pdfa_problem("2", "b") is None
    assert "ne se déclare pas PDF/A" in (pdfa_problem(None, None) or "")
    assert "PDF/A-1b au lieu d'un PDF/A-2b" in (pdfa_problem("1", "B") or "")
    assert "PDF/A-2u" in (pdfa_problem("2", "U") or "")
