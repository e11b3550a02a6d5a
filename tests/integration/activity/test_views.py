"""The ledger of contributions, the inbox and the journal's page."""

from __future__ import annotations

import re

import pytest

from app.activity.queries import INBOX_PAGE
from app.audit import record
from app.contributions.operations import create_contribution
from app.db import db_session, write_transaction
from app.models import User
from tests.conftest import logged_in, post_form


def test_ledger_and_inbox(app, world):
    drafter = logged_in(app, "redac@oph.test")
    ledger = drafter.get(f"/conventions/{world.convention_id}/ledger").get_data(as_text=True)
    assert "Département Test" in ledger and "Ouverte" in ledger
    inbox = drafter.get("/inbox").get_data(as_text=True)
    assert f"Contribution n° {world.contribution_id}" in inbox  # awaiting my decision
    assert post_form(drafter, "/inbox/read").status_code == 303


def _listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Contribution n° (\d+)</a>", html)]


def test_the_inbox_shows_contributions_to_decide_a_page_at_a_time(app, world):
    with app.app_context():
        partner = db_session().get(User, world.users["associe"])
        for number in range(INBOX_PAGE + 10):
            create_contribution(world.section_id, partner, 1, f"Texte {number}.", "")
    drafter = logged_in(app, "redac@oph.test")
    first = drafter.get("/inbox").get_data(as_text=True)
    total = INBOX_PAGE + 11  # with the world's own contribution
    assert f"Contributions à décider ({total})" in first
    assert len(_listed(first)) == INBOX_PAGE and "Page 1 sur 2" in first
    second = drafter.get("/inbox?page=2").get_data(as_text=True)
    assert len(_listed(second)) == 11 and "Page précédente" in second
    assert not set(_listed(first)) & set(_listed(second))  # oldest first, none twice
    assert world.contribution_id == min(_listed(first))
    # A page past the end shows the last one; the dashboard counts them all.
    assert _listed(drafter.get("/inbox?page=99").get_data(as_text=True)) == _listed(second)
    assert f"{total} contributions à décider" in drafter.get("/").get_data(as_text=True)


def test_the_journal_filter_offers_the_actions_this_convention_holds(app, world):
    page = logged_in(app, "obs@obs.test").get(f"/conventions/{world.convention_id}/events")
    offered = re.findall(r'<option value="([a-z_]+)"', page.get_data(as_text=True))
    assert {"convention_creee", "revision", "contribution", "commentaire"} <= set(offered)
    assert "signature" not in offered and offered == sorted(offered)
    with app.app_context(), write_transaction() as session:
        record(session, "signature", "Signée.", convention_id=world.convention_id)
    page = logged_in(app, "obs@obs.test").get(f"/conventions/{world.convention_id}/events")
    assert '<option value="signature"' in page.get_data(as_text=True)


def test_an_action_the_journal_does_not_know_is_a_programming_error(app):
    with (
        app.app_context(),
        pytest.raises(ValueError, match="ACTION_LABELS"),
        write_transaction() as session,
    ):
        record(session, "action_inventee", "?")
