"""Contributions through the web and the API: propose, decide change by change, rebase,
merge three ways, refuse what must be refused, tell the author."""

from __future__ import annotations

import threading

from app.contributions.operations import accept, create_contribution
from app.contributions.queries import view
from app.db import db_session
from app.models import Contribution, Notification
from app.sections import queries
from tests.conftest import api_headers, logged_in, post_form, set_state
from workflows.lifecycle import ConventionState

BASE = (
    "Le parc compte 8 400 logements.\n\n"
    "La vacance atteint 2 % fin 2024.\n\n"
    "L'office réhabilite 1 200 logements sur la période."
)


def _setup(app, world, body=BASE):
    """A section whose current revision (2) is BASE."""
    from app.sections.operations import save_revision

    with app.app_context():
        save_revision(world.section_id, world.users["redacteur"], 1, body, "base")


def _api(app, email):
    return app.test_client(), api_headers(app, email)


def test_propose_and_accept_everything(app, world):
    _setup(app, world)
    client, headers = _api(app, "asso@dep.test")
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
    drafter_client, drafter = _api(app, "redac@oph.test")
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


def test_accept_some_changes_and_reject_the_others(app, world):
    _setup(app, world)
    proposal = BASE.replace("2 %", "3 %").replace("1 200", "900")
    with app.app_context():
        contribution = create_contribution(
            world.section_id, _user(world, "signataire"), 2, proposal
        )
        hunks = [h.hunk.id for h in view(contribution).hunks]
    assert hunks == ["h1", "h2"]
    client = logged_in(app, "redac@oph.test")
    response = post_form(client, f"/contributions/{contribution.id}/accept", {"hunk": "h2"})
    assert response.status_code == 303
    with app.app_context():
        body = queries.revision(world.section_id, 3).body
        stored = db_session().get(Contribution, contribution.id)
        assert "900" in body and "2 %" in body and "3 %" not in body
        assert stored.state.value == "partiellement_acceptee"
        assert stored.accepted_hunks == ["h2"] and stored.rejected_hunks == ["h1"]


def test_open_contributions_are_rebased_onto_new_revisions(app, world):
    """The drafter edits one paragraph; a contribution on another still applies, by
    paragraph identity, and accepting it keeps both edits."""
    _setup(app, world)
    with app.app_context():
        contribution = create_contribution(
            world.section_id, _user(world, "associe"), 2, BASE.replace("1 200", "1 500")
        )
        from app.sections.operations import save_revision

        drafter_text = "Préambule ajouté par l'office.\n\n" + BASE.replace("8 400", "8 412")
        save_revision(world.section_id, world.users["redacteur"], 2, drafter_text, "mise à jour")
        current = view(db_session().get(Contribution, contribution.id))
        assert current.rebased and [h.status for h in current.hunks] == ["applicable"]
        revision = accept(contribution.id, _user(world, "redacteur"))
        assert revision.body == drafter_text.replace("1 200", "1 500")


def test_overlapping_change_is_a_conflict_and_nothing_is_written(app, world):
    _setup(app, world)
    client, headers = _api(app, "sign@epci.test")
    created = client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=headers,
        json={"base_revision": 2, "body": BASE.replace("2 %", "4 %")},
    ).get_json()
    with app.app_context():
        from app.sections.operations import save_revision

        save_revision(world.section_id, world.users["redacteur"], 2, BASE.replace("2 %", "5 %"))
    status = client.get(f"/api/contributions/{created['id']}", headers=headers).get_json()
    assert status["hunks"][0]["status"] == "conflict"
    drafter_client, drafter = _api(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{created['id']}/accept", headers=drafter, json={}
    )
    assert response.status_code == 409 and response.get_json()["conflicts"]
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3
        assert queries.revision(world.section_id, 3).body == BASE.replace("2 %", "5 %")
        assert db_session().get(Contribution, created["id"]).state.value == "ouverte"


def test_a_deleted_paragraph_is_reported_not_guessed(app, world):
    _setup(app, world)
    with app.app_context():
        contribution = create_contribution(
            world.section_id, _user(world, "associe"), 2, BASE.replace("1 200", "1 500")
        )
        from app.sections.operations import save_revision

        paragraphs = BASE.split("\n\n")
        save_revision(world.section_id, world.users["redacteur"], 2, "\n\n".join(paragraphs[:2]))
        assert [h.status for h in view(db_session().get(Contribution, contribution.id)).hunks] == [
            "paragraph_gone"
        ]


def test_reject_needs_a_reason_and_the_author_is_told(app, world):
    client, drafter = _api(app, "redac@oph.test")
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
    other_client, other = _api(app, "sign@epci.test")
    url = f"/api/contributions/{world.contribution_id}/withdraw"
    # Only its author withdraws it: refused as a permission (403), like the role table.
    assert other_client.post(url, headers=other).status_code == 403
    client, author = _api(app, "asso@dep.test")
    assert client.post(url, headers=author).get_json()["state"] == "retiree"
    drafter_client, drafter = _api(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{world.contribution_id}/accept", headers=drafter, json={}
    )
    assert response.status_code == 400 and "Retirée" in response.get_json()["error"]


def test_treated_without_changing_the_text(app, world):
    client = logged_in(app, "redac@oph.test")
    assert (
        post_form(client, f"/contributions/{world.contribution_id}/treat", {"note": ""}).status_code
        == 303
    )
    response = post_form(
        client,
        f"/contributions/{world.contribution_id}/treat",
        {"note": "Repris dans l'annexe financière."},
    )
    assert response.status_code == 303
    with app.app_context():
        stored = db_session().get(Contribution, world.contribution_id)
        assert stored.state.value == "traitee" and stored.decision_note.startswith("Repris")
        assert queries.revision_count(world.section_id) == 1


def test_roles_that_may_not_decide_or_propose(app, world):
    for email in ("asso@dep.test", "sign@epci.test", "obs@obs.test"):
        client, headers = _api(app, email)
        response = client.post(
            f"/api/contributions/{world.contribution_id}/accept", headers=headers, json={}
        )
        assert response.status_code == 403, email
    client, observer = _api(app, "obs@obs.test")
    response = client.post(
        f"/api/sections/{world.section_id}/contributions",
        headers=observer,
        json={"base_revision": 1, "body": "Texte de l'observateur."},
    )
    assert response.status_code == 403


def test_contributions_close_outside_association_and_negotiation(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.BROUILLON)
    client, headers = _api(app, "asso@dep.test")
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
    client, headers = _api(app, "asso@dep.test")
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
    drafter_client, drafter = _api(app, "redac@oph.test")
    response = drafter_client.post(
        f"/api/contributions/{world.contribution_id}/accept",
        headers=drafter,
        json={"hunks": ["h99"]},
    )
    assert response.status_code == 400
    with app.app_context():
        assert len(queries.history(world.section_id)) == 1


def test_two_drafters_accepting_at_once_lose_nothing(app, world):
    """Two contributions on different paragraphs accepted simultaneously: both end up in
    the history (the second merges onto the first), or one is refused with a conflict."""
    _setup(app, world)
    with app.app_context():
        first = create_contribution(
            world.section_id, _user(world, "associe"), 2, BASE.replace("8 400", "8 500")
        ).id
        second = create_contribution(
            world.section_id, _user(world, "signataire"), 2, BASE.replace("1 200", "1 300")
        ).id
    drafter_id = world.users["redacteur"]
    barrier = threading.Barrier(2)
    outcome: dict[int, str] = {}

    def decide(contribution_id: int) -> None:
        with app.app_context():
            drafter = _user(world, "redacteur")
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


def test_contribution_page_shows_tracked_changes_and_hunk_choices(app, world):
    client = logged_in(app, "redac@oph.test")
    html = client.get(f"/contributions/{world.contribution_id}").get_data(as_text=True)
    assert "<ins" in html and "amendé" in html
    assert 'name="hunk" value="h1"' in html
    assert "Rejeter la contribution" in html
    observer = logged_in(app, "obs@obs.test").get(f"/contributions/{world.contribution_id}")
    assert observer.status_code == 200 and "Rejeter la contribution" not in observer.get_data(
        as_text=True
    )


def _user(world, role):
    from app.models import User

    return db_session().get(User, world.users[role])
