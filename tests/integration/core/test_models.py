"""Storage guarantees that the rules rely on."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.db import write_transaction
from app.models import ImmutableRevisionError, Revision
from app.sections.queries import revision


def test_revisions_cannot_be_updated_or_deleted(app, world):
    with app.app_context():
        with pytest.raises(ImmutableRevisionError), write_transaction():
            revision(world.section_id, 1).body = "réécrit en douce"
        with pytest.raises(ImmutableRevisionError), write_transaction() as session:
            session.delete(revision(world.section_id, 1))
        assert revision(world.section_id, 1).body == "Premier texte de la section."


def test_revision_numbers_are_unique_per_section(app, world):
    with app.app_context():
        with pytest.raises(IntegrityError), write_transaction() as session:
            session.add(
                Revision(
                    section_id=world.section_id,
                    number=1,
                    body="doublon",
                    author_id=world.users["redacteur"],
                )
            )
        assert revision(world.section_id, 1).body == "Premier texte de la section."
