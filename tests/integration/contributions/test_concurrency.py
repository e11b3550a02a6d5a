"""Two drafters deciding changes of the same contribution at once, with real connections
(one application context, so one session and one connection, per thread; a barrier
releases them together). A decision locks the section, then the contribution: the second
waits for the first and works on what it wrote. Runs on SQLite (BEGIN IMMEDIATE) and, in
the PostgreSQL series, on PostgreSQL (SELECT ... FOR UPDATE)."""

from __future__ import annotations

import threading

import pytest

from app.contributions.operations import create_contribution, decide_change
from app.db import db_session
from app.models import Contribution, User
from app.sections import queries
from tests.factories import make_user
from tests.integration.contributions.helpers import BASE, save_base
from workflows.conventions import OrganisationKind
from workflows.errors import CosigneError

PROPOSAL = BASE.replace("8 400", "8 500").replace("2 %", "3 %").replace("1 200", "1 300")


def _race(app, contribution_id: int, drafters: list[int], numbers: list[int]) -> list[str]:
    barrier = threading.Barrier(len(numbers))
    outcome = [""] * len(numbers)

    def decide(index: int) -> None:
        with app.app_context():
            drafter = db_session().get(User, drafters[index])
            barrier.wait()
            try:
                decide_change(contribution_id, drafter, numbers[index], accept=True)
                outcome[index] = "accepted"
            except CosigneError as refused:
                outcome[index] = f"{type(refused).__name__}: {refused}"
            except Exception as exc:  # reported as the test's failure
                outcome[index] = f"error: {exc!r}"

    threads = [threading.Thread(target=decide, args=(k,)) for k in range(len(numbers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcome


def _setup(app, world) -> tuple[int, list[int]]:
    save_base(app, world)
    with app.app_context():
        # A second drafter of the same office (its organisation is the convention's drafter).
        second = make_user("redac2@oph.test", "OPH Test", OrganisationKind.OPH)
        contribution = create_contribution(world.section_id, world.user("associe"), 2, PROPOSAL)
        return contribution.id, [world.users["redacteur"], second.id]


@pytest.mark.parametrize("round_", range(2))
def test_two_drafters_accepting_different_changes_at_once_both_apply(app, world, round_):
    contribution_id, drafters = _setup(app, world)
    assert _race(app, contribution_id, drafters, [1, 3]) == ["accepted", "accepted"]
    with app.app_context():
        contribution = db_session().get(Contribution, contribution_id)
        assert contribution.accepted_hunks == ["h1", "h3"] and contribution.state.value == "ouverte"
        final = queries.revision(world.section_id, queries.revision_count(world.section_id)).body
        assert queries.revision_count(world.section_id) == 4  # one revision each
    assert "8 500" in final and "1 300" in final and "2 %" in final


def test_two_drafters_accepting_the_same_change_at_once_apply_it_once(app, world):
    contribution_id, drafters = _setup(app, world)
    outcome = _race(app, contribution_id, drafters, [2, 2])
    assert sorted(outcome)[0] == "Conflict: La modification 2 a déjà été acceptée " + (
        "(la page montre à présent où en est chaque modification)."
    ), outcome
    assert sorted(outcome)[1] == "accepted", outcome
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3
        assert db_session().get(Contribution, contribution_id).accepted_hunks == ["h2"]
