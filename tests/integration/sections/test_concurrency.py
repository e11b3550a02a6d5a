"""Simultaneous saves with real connections: exactly one wins, the others get a conflict.

Each thread has its own application context, so its own session and its own database
connection; a barrier releases them together. Runs on SQLite (BEGIN IMMEDIATE) and, in
the PostgreSQL series, on PostgreSQL (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import threading

import pytest

from app.sections import queries
from app.sections.operations import RevisionConflict, save_revision

WRITERS = 6


def _race(app, section_id: int, author_id: int, base: int) -> list[object]:
    barrier = threading.Barrier(WRITERS)
    results: list[object] = [None] * WRITERS

    def writer(index: int) -> None:
        with app.app_context():
            barrier.wait()
            # Plain values out of the thread: its session closes with its context.
            try:
                revision = save_revision(section_id, author_id, base, f"Version {index}.")
                results[index] = ("saved", revision.number, revision.body)
            except RevisionConflict as conflict:
                results[index] = ("conflict", conflict.current.number, conflict.current.body)
            except Exception as exc:
                results[index] = ("error", repr(exc), None)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_saves_give_one_revision_and_conflicts(app, world, round_):
    author = world.users["redacteur"]
    results = _race(app, world.section_id, author, base=1)
    winners = [r for r in results if r[0] == "saved"]
    conflicts = [r for r in results if r[0] == "conflict"]
    assert len(winners) == 1, results
    assert len(conflicts) == WRITERS - 1, results
    with app.app_context():
        assert [r.number for r in queries.history(world.section_id)] == [2, 1]
        assert queries.revision(world.section_id, 2).body == winners[0][2]
    # Every loser is told which revision won, with its text.
    assert {(number, body) for _, number, body in conflicts} == {(2, winners[0][2])}


def test_saves_on_different_sections_do_not_conflict(app, world):
    author = world.users["redacteur"]
    with app.app_context():
        sections = [s.id for s in queries.sections_with_current(world.convention_id)][1:4]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(sections))

    def writer(section_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                save_revision(section_id, author, 0, "Texte initial.")
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in sections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    with app.app_context():
        assert all(queries.revision_count(s) == 1 for s in sections)
