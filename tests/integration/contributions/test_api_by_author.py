"""Deciding through the API as the section page offers it beyond one contribution:
every open contribution of one author accepted or rejected at once (nothing written when
one conflicts), and a contribution marked as taken into account with a note. Every
answer is checked against the OpenAPI document."""

from __future__ import annotations

from app.db import db_session
from app.models import Contribution
from app.sections import queries
from tests.conftest import api_client, api_headers
from tests.factories import write
from tests.integration.api_answers import call
from tests.integration.contributions.helpers import RICH, propose, save_base


def _states(app, *ids: int) -> list[str]:
    with app.app_context():
        return [db_session().get(Contribution, i).state.value for i in ids]


def test_every_contribution_of_one_author_accepted_then_rejected(app, world):
    save_base(app, world, RICH)
    first = propose(app, world, "signataire", RICH.replace("46", "47"))
    second = propose(app, world, "signataire", RICH.replace("| 120 |", "| 125 |"))
    other = propose(app, world, "associe", RICH.replace("1 200", "1 300"))
    client, drafter = api_client(app, "redac@oph.test")
    base = f"/api/sections/{world.section_id}/authors"
    accepted = call(client, "POST", f"{base}/{world.users['signataire']}/accept", drafter, 200)
    assert [c["id"] for c in accepted["contributions"]] == [first, second]
    assert accepted["revisions"] == [3, 4]
    assert _states(app, first, second, other) == ["acceptee", "acceptee", "ouverte"]
    with app.app_context():
        body = queries.revision(world.section_id, 4).body
    assert "47 communes" in body and "| 125 |" in body

    url = f"{base}/{world.users['associe']}/reject"
    call(client, "POST", url, drafter, 400, json={"reason": " "})
    call(client, "POST", url, api_headers(app, "sign@epci.test"), 403, json={"reason": "Non."})
    assert _states(app, world.contribution_id, other) == ["ouverte", "ouverte"]
    rejected = call(client, "POST", url, drafter, 200, json={"reason": "Le chiffre du PLH."})
    assert {c["state"] for c in rejected["contributions"]} == {"rejetee"}
    assert rejected["revisions"] == []
    assert _states(app, world.contribution_id, other) == ["rejetee", "rejetee"]
    # Nobody's left open: a clear refusal, nothing else.
    call(client, "POST", url, drafter, 400, json={"reason": "Encore."})


def test_accepting_an_author_writes_nothing_when_one_conflicts(app, world):
    save_base(app, world, RICH)
    fine = propose(app, world, "signataire", RICH.replace("46", "47"))
    clash = propose(app, world, "signataire", RICH.replace("| 120 |", "| 125 |"))
    with app.app_context():
        write(world.section_id, world.users["redacteur"], RICH.replace("| 120 |", "| 130 |"))
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/sections/{world.section_id}/authors/{world.users['signataire']}/accept"
    refused = call(client, "POST", url, drafter, 409)
    assert f"Contribution n° {clash}" in refused["error"]
    assert _states(app, fine, clash) == ["ouverte", "ouverte"]
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3


def test_a_contribution_taken_into_account_with_a_note(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/contributions/{world.contribution_id}/treat"
    call(client, "POST", url, drafter, 400, json={"note": ""})
    call(client, "POST", url, api_headers(app, "asso@dep.test"), 403, json={"note": "Moi."})
    assert _states(app, world.contribution_id) == ["ouverte"]
    treated = call(client, "POST", url, drafter, 200, json={"note": "Repris dans l'annexe."})
    assert treated["state"] == "traitee" and treated["decision_note"] == "Repris dans l'annexe."
    assert _states(app, world.contribution_id) == ["traitee"]
    again = call(client, "POST", url, drafter, 400, json={"note": "Deux fois."})
    assert "déjà « Traitée »" in again["error"]
