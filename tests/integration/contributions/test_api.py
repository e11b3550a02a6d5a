"""Contributions through the API: propose and accept, conflicts that write nothing,
rejection with a reason, withdrawal by its author, the roles and phases that may not,
bad input, the mark of the assistant."""

from __future__ import annotations

from app.db import db_session
from app.models import Contribution, Notification
from app.sections import queries
from tests.conftest import api_client, api_headers, logged_in
from tests.factories import set_state, write
from tests.integration.contributions.helpers import BASE, save_base
from workflows.lifecycle import ConventionState


def test_propose_and_accept_everything(app, world):
    save_base(app, world)
    client, headers = api_client(app, "asso@dep.test")
    proposal = BASE.replace("2 %", "2,1 %").replace("1 200", "1 500")
    response = client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=headers,
        json={"base_revision": 2, "body": proposal, "rationale": "Chiffres à jour"},
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert [(h["id"], h["kind"]) for h in data["hunks"]] == [("h1", "modify"), ("h2", "modify")]
    assert ",1" in data["hunks"][0]["new_text"] and "500" in data["hunks"][1]["new_text"]
    assert all(h["status"] == "applicable" for h in data["hunks"])
    drafter_client, drafter = api_client(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{data['id']}/accept", headers=drafter, json={}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] == 3
    assert response.get_json()["contribution"]["state"] == "acceptee"
    with app.app_context():
        revision = queries.revision(world.section_id, 3)
        assert revision.body == proposal
        assert revision.author.email == "redac@oph.test"  # who accepted
        assert revision.contribution.author.email == "asso@dep.test"  # whose words
        notes = db_session().query(Notification).filter_by(user_id=world.users["associe"]).all()
        assert any("acceptée" in n.text for n in notes)
    page = (
        logged_in(app, "redac@oph.test").get(f"/sections/{world.section_id}").get_data(as_text=True)
    )
    assert "Co-auteurs" in page and "Asso" in page


def test_overlapping_change_is_a_conflict_and_nothing_is_written(app, world):
    save_base(app, world)
    client, headers = api_client(app, "sign@epci.test")
    created = client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=headers,
        json={"base_revision": 2, "body": BASE.replace("2 %", "4 %")},
    ).get_json()
    with app.app_context():
        write(world.section_id, world.users["redacteur"], BASE.replace("2 %", "5 %"))
    status = client.get(f"/api/contributions/{created['id']}", headers=headers).get_json()
    assert status["hunks"][0]["status"] == "conflict"
    drafter_client, drafter = api_client(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{created['id']}/accept", headers=drafter, json={}
    )
    assert response.status_code == 409 and response.get_json()["conflicts"]
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3
        assert queries.revision(world.section_id, 3).body == BASE.replace("2 %", "5 %")
        assert db_session().get(Contribution, created["id"]).state.value == "ouverte"


def test_reject_needs_a_reason_and_the_author_is_told(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/contributions/{world.contribution_id}/reject"
    assert client.post(url, headers=drafter, json={"reason": "  "}).status_code == 400
    response = client.post(url, headers=drafter, json={"reason": "Hors du champ de la CUS."})
    assert response.status_code == 200 and response.get_json()["state"] == "rejetee"
    assert (
        client.post(
            f"/api/contributions/{world.contribution_id}/accept", headers=drafter, json={}
        ).status_code
        == 400
    )
    author = logged_in(app, "asso@dep.test")
    inbox = author.get("/inbox").get_data(as_text=True)
    assert "rejetée" in inbox and "Hors du champ de la CUS." in inbox


def test_withdraw_by_its_author_only_then_no_decision(app, world):
    other_client, other = api_client(app, "sign@epci.test")
    url = f"/api/contributions/{world.contribution_id}/withdraw"
    # Only its author withdraws it: refused as a permission (403), like the role table.
    assert other_client.post(url, headers=other).status_code == 403
    client, author = api_client(app, "asso@dep.test")
    assert client.post(url, headers=author).get_json()["state"] == "retiree"
    drafter_client, drafter = api_client(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{world.contribution_id}/accept", headers=drafter, json={}
    )
    assert response.status_code == 400 and "Retirée" in response.get_json()["error"]


def test_roles_that_may_not_decide_or_propose(app, world):
    for email in ("asso@dep.test", "sign@epci.test", "obs@obs.test"):
        client, headers = api_client(app, email)
        response = client.post(
            f"/api/contributions/{world.contribution_id}/accept", headers=headers, json={}
        )
        assert response.status_code == 403, email
    client, observer = api_client(app, "obs@obs.test")
    response = client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=observer,
        json={"base_revision": 1, "body": "Texte de l'observateur."},
    )
    assert response.status_code == 403


def test_contributions_close_outside_association_and_negotiation(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.BROUILLON)
    client, headers = api_client(app, "asso@dep.test")
    response = client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=headers,
        json={"base_revision": 1, "body": "Nouveau texte."},
    )
    assert response.status_code == 409 and "association" in response.get_json()["error"]
    page = (
        logged_in(app, "asso@dep.test").get(f"/sections/{world.section_id}").get_data(as_text=True)
    )
    assert "Proposer une modification" not in page


def test_bad_contribution_input(app, world):
    client, headers = api_client(app, "asso@dep.test")
    url = f"/api/sections/{world.section_id}/contributions"
    assert (
        client.post(url, headers=headers, json={"base_revision": 9, "body": "x"}).status_code == 400
    )
    assert (
        client.post(
            url, headers=headers, json={"base_revision": 1, "body": "Premier texte de la section."}
        ).status_code
        == 400
    )
    assert (
        client.post(url, headers=headers, json={"base_revision": 1, "body": 3}).status_code == 400
    )
    assert (
        client.post(
            url, headers=headers, json={"base_revision": 1, "body": "x" * 1_000_001}
        ).status_code
        == 413
    )
    drafter_client, drafter = api_client(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{world.contribution_id}/accept",
        headers=drafter,
        json={"hunks": ["h99"]},
    )
    assert response.status_code == 400
    with app.app_context():
        assert len(queries.history(world.section_id)) == 1


def test_the_api_marks_contributions_drafted_with_the_assistant(app, world):
    headers = api_headers(app, "asso@dep.test")
    client = app.test_client()
    url = f"/api/sections/{world.section_id}/contributions"
    payload = {
        "base_revision": 1,
        "body": "Premier texte de la section.\n\nAjout.",
        "assisted": True,
    }
    created = client.post(url, json=payload, headers=headers)
    assert created.status_code == 201 and created.get_json()["assisted"] is True
    refused = client.post(url, json={**payload, "assisted": "oui"}, headers=headers)
    assert refused.status_code == 400
