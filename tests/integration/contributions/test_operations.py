"""Contribution operations: open contributions rebased onto new revisions by paragraph
identity, a deleted paragraph reported, two drafters accepting at once."""

from __future__ import annotations

import threading

from app.contributions.operations import accept, create_contribution
from app.contributions.queries import view
from app.db import db_session
from app.models import Contribution
from app.sections import queries
from tests.factories import write
from tests.integration.contributions.helpers import BASE, save_base


def test_open_contributions_are_rebased_onto_new_revisions(app, world):
    """The drafter edits one paragraph; a contribution on another still applies, by
    paragraph identity, and accepting it keeps both edits."""
    save_base(app, world)
    with app.app_context():
        contribution = create_contribution(
            world.section_id, world.user("associe"), 2, BASE.replace("1 200", "1 500")
        )
        drafter_text = "Préambule ajouté par l'office.\n\n" + BASE.replace("8 400", "8 412")
        write(world.section_id, world.users["redacteur"], drafter_text, "mise à jour")
        current = view(db_session().get(Contribution, contribution.id))
        assert current.rebased and [h.status for h in current.hunks] == ["applicable"]
        revision = accept(contribution.id, world.user("redacteur"))
        assert revision.body == drafter_text.replace("1 200", "1 500")


def test_a_deleted_paragraph_is_reported_not_guessed(app, world):
    save_base(app, world)
    with app.app_context():
        contribution = create_contribution(
            world.section_id, world.user("associe"), 2, BASE.replace("1 200", "1 500")
        )
        paragraphs = BASE.split("\n\n")
        write(world.section_id, world.users["redacteur"], "\n\n".join(paragraphs[:2]))
        assert [h.status for h in view(db_session().get(Contribution, contribution.id)).hunks] == [
            "paragraph_gone"
        ]


def test_two_drafters_accepting_at_once_lose_nothing(app, world):
    """Two contributions on different paragraphs accepted simultaneously: both end up in
    the history (the second merges onto the first), or one is refused with a conflict."""
    save_base(app, world)
    with app.app_context():
        first = create_contribution(
            world.section_id, world.user("associe"), 2, BASE.replace("8 400", "8 500")
        ).id
        second = create_contribution(
            world.section_id, world.user("signataire"), 2, BASE.replace("1 200", "1 300")
        ).id
    drafter_id = world.users["redacteur"]
    barrier = threading.Barrier(2)
    outcome: dict[int, str] = {}

    def decide(contribution_id: int) -> None:
        with app.app_context():
            drafter = world.user("redacteur")
            assert drafter.id == drafter_id
            barrier.wait()
            try:
                accept(contribution_id, drafter)
                outcome[contribution_id] = "accepted"
            except Exception as exc:
                outcome[contribution_id] = repr(exc)

    threads = [threading.Thread(target=decide, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        final = queries.revision(world.section_id, queries.revision_count(world.section_id)).body
    assert outcome == {first: "accepted", second: "accepted"}, outcome
    assert "8 500" in final and "1 300" in final
