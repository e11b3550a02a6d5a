"""The ledger of contributions and the inbox."""

from __future__ import annotations

from tests.conftest import logged_in, post_form


def test_ledger_and_inbox(app, world):
    drafter = logged_in(app, "redac@oph.test")
    ledger = drafter.get(f"/conventions/{world.convention_id}/ledger").get_data(as_text=True)
    assert "Département Test" in ledger and "Ouverte" in ledger
    inbox = drafter.get("/inbox").get_data(as_text=True)
    assert f"Contribution n° {world.contribution_id}" in inbox  # awaiting my decision
    assert post_form(drafter, "/inbox/read").status_code == 303
