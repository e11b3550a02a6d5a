"""The journal: every action recorded, filtered in the API and on its page, never rewritten."""

from __future__ import annotations

import pytest

from app.db import write_transaction
from app.models import Event, ImmutableRevisionError
from tests.conftest import api_headers, logged_in


def test_every_action_is_in_the_journal_and_cannot_be_rewritten(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    events = client.get(
        f"/api/conventions/{world.convention_id}/events", headers=headers
    ).get_json()["events"]
    actions = {e["action"] for e in events}
    assert {"convention_creee", "revision", "contribution", "commentaire", "reunion"} <= actions
    contribution = next(e for e in events if e["action"] == "contribution")
    assert contribution["organisation"] == "Département Test" and contribution["actor"]
    filtered = client.get(
        f"/api/conventions/{world.convention_id}/events?action=revision", headers=headers
    ).get_json()["events"]
    assert filtered and {e["action"] for e in filtered} == {"revision"}
    page = logged_in(app, "obs@obs.test").get(
        f"/conventions/{world.convention_id}/events?action=contribution"
    )
    assert page.status_code == 200 and "Contribution n°" in page.get_data(as_text=True)
    with app.app_context():
        with pytest.raises(ImmutableRevisionError), write_transaction() as session:
            session.query(Event).first().summary = "effacé"
        with pytest.raises(ImmutableRevisionError), write_transaction() as session:
            session.delete(session.query(Event).first())
