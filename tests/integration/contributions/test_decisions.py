"""Deciding a contribution change by change, as in Word: one change accepted into the text
while the others wait, the final state once every change is decided, the reason a whole
rejection needs, a change that overlaps a later edit, every change of one author at once;
on the web (the decision table's controls say what they do) and through the API."""

from __future__ import annotations

from app.db import db_session
from app.models import Contribution, Event, Notification
from app.sections import queries
from app.word.queries import convention_doc
from tests.conftest import api_client, logged_in, post_form
from tests.factories import write
from tests.integration.contributions.helpers import RICH, RICH_PROPOSAL, propose, save_base


def _contribution(app, world, body: str = RICH_PROPOSAL) -> int:
    save_base(app, world, RICH)
    return propose(app, world, "associe", body)


def _stored(app, contribution_id: int) -> Contribution:
    with app.app_context():
        contribution = db_session().get(Contribution, contribution_id)
        db_session().expunge(contribution)
        return contribution


def _notes(app, world, role: str = "associe") -> list[str]:
    with app.app_context():
        return [
            n.text for n in db_session().query(Notification).filter_by(user_id=world.users[role])
        ]


def _events(app, action: str) -> list[str]:
    with app.app_context():
        return [e.summary for e in db_session().query(Event).filter_by(action=action)]


def test_the_decision_table_describes_each_change_in_its_context(app, world):
    contribution_id = _contribution(app, world)
    html = (
        logged_in(app, "redac@oph.test")
        .get(f"/contributions/{contribution_id}")
        .get_data(as_text=True)
    )
    for number, what in [
        (1, "ajoute « bâti » dans le titre"),
        (2, "remplace « 46 » par « 47 »"),
        (3, "ajoute l&#39;élément de liste « délai de 15 jours ; »"),
        (4, "remplace « 120 » par « 125 » (tableau, ligne « 2025 », colonne « Logements »)"),
    ]:
        assert f'aria-label="Accepter la modification {number} : {what}"' in html
        assert f'aria-label="Rejeter la modification {number} : {what}"' in html
    # The change is shown in its sentence, not as the paragraph's Markdown.
    assert "L&#39;office gère 8 400 logements sur <del" in html
    assert "Il en rénove" not in html.split('id="modification-2"')[1].split("</tr>")[0]
    assert "Accepter h1" not in html and ">h1<" not in html
    assert "## Patrimoine" not in html and "| 2025 |" not in html


def test_one_change_at_a_time_then_the_final_state(app, world):
    contribution_id = _contribution(app, world)
    drafter = logged_in(app, "redac@oph.test")
    response = post_form(drafter, f"/contributions/{contribution_id}/changes/2/accept", {})
    assert response.status_code == 303
    with app.app_context():
        body = queries.revision(world.section_id, 3).body
    assert "47 communes" in body and "Patrimoine bâti" not in body and "| 120 |" in body
    stored = _stored(app, contribution_id)
    assert stored.state.value == "ouverte" and stored.accepted_hunks == ["h2"]
    assert stored.result_number == 3
    assert any(
        "modification 2 (remplace « 46 » par « 47 ») acceptée" in n for n in _notes(app, world)
    )
    assert _events(app, "modification_acceptee")
    # The table says what was decided; the other changes keep their controls.
    page = drafter.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    row = page.split('id="modification-2"')[1].split("</tr>")[0]
    assert "Acceptée" in row and "<button" not in row
    assert 'aria-label="Accepter la modification 1 : ' in page
    assert "Accepter toutes les modifications restantes" in page
    # The author is listed as co-author as soon as one change is in the text.
    assert "Co-auteurs" in drafter.get(f"/sections/{world.section_id}").get_data(as_text=True)

    assert (
        post_form(drafter, f"/contributions/{contribution_id}/changes/1/reject", {}).status_code
        == 303
    )
    post_form(drafter, f"/contributions/{contribution_id}/changes/3/accept", {})
    assert _stored(app, contribution_id).state.value == "ouverte"
    post_form(drafter, f"/contributions/{contribution_id}/changes/4/reject", {})
    stored = _stored(app, contribution_id)
    assert stored.state.value == "partiellement_acceptee"
    assert (stored.accepted_hunks, stored.rejected_hunks) == (["h2", "h3"], ["h1", "h4"])
    with app.app_context():
        body = queries.revision(world.section_id, queries.revision_count(world.section_id)).body
    assert "- délai de 15 jours ;" in body and "| 120 |" in body and "## Patrimoine\n" in body
    assert any("partiellement acceptée" in n for n in _notes(app, world))
    # Deciding again is refused: the contribution is closed.
    again = post_form(drafter, f"/contributions/{contribution_id}/changes/4/accept", {})
    assert again.status_code == 303 and _stored(app, contribution_id).accepted_hunks == ["h2", "h3"]


def test_rejecting_every_change_needs_a_reason_at_the_last_one(app, world):
    body = RICH.replace("46 communes", "47 communes").replace("| 120 |", "| 125 |")
    contribution_id = _contribution(app, world, body)
    drafter = logged_in(app, "redac@oph.test")
    post_form(drafter, f"/contributions/{contribution_id}/changes/1/reject", {})
    page = drafter.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    assert 'id="reason-2"' in page  # the last change asks for the reason
    refused = post_form(drafter, f"/contributions/{contribution_id}/changes/2/reject", {})
    assert refused.status_code == 303
    assert "motif du rejet est obligatoire" in drafter.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    assert _stored(app, contribution_id).state.value == "ouverte"
    post_form(
        drafter,
        f"/contributions/{contribution_id}/changes/2/reject",
        {"reason": "Chiffres non sourcés."},
    )
    stored = _stored(app, contribution_id)
    assert stored.state.value == "rejetee" and stored.decision_note == "Chiffres non sourcés."
    assert any("rejetée — Chiffres non sourcés." in n for n in _notes(app, world))
    with app.app_context():
        assert queries.revision_count(world.section_id) == 2  # nothing written


def test_rejecting_the_rest_after_accepting_some_is_a_partial_acceptance(app, world):
    contribution_id = _contribution(app, world)
    drafter = logged_in(app, "redac@oph.test")
    post_form(drafter, f"/contributions/{contribution_id}/changes/3/accept", {})
    page = drafter.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    assert "Rejeter les modifications restantes" in page
    post_form(drafter, f"/contributions/{contribution_id}/reject", {"reason": "Le reste attendra."})
    stored = _stored(app, contribution_id)
    assert stored.state.value == "partiellement_acceptee"
    assert stored.rejected_hunks == ["h1", "h2", "h4"]
    assert stored.decision_note == "Le reste attendra."


def test_a_change_overlapping_a_later_edit_is_refused_and_nothing_is_written(app, world):
    contribution_id = _contribution(app, world)
    with app.app_context():
        write(
            world.section_id, world.users["redacteur"], RICH.replace("46 communes", "48 communes")
        )
    client, headers = api_client(app, "redac@oph.test")
    status = client.get(f"/api/contributions/{contribution_id}", headers=headers).get_json()
    assert [h["status"] for h in status["hunks"]] == [
        "applicable",
        "conflict",
        "applicable",
        "applicable",
    ]
    response = client.post(
        f"/api/contributions/{contribution_id}/changes/2/accept", headers=headers
    )
    assert response.status_code == 409 and response.get_json()["conflicts"]
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3
    assert _stored(app, contribution_id).accepted_hunks == []
    # The others still apply, one by one, onto the edited text.
    response = client.post(
        f"/api/contributions/{contribution_id}/changes/4/accept", headers=headers
    )
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        body = queries.revision(world.section_id, 4).body
    assert "48 communes" in body and "| 125 |" in body


def test_the_api_decides_one_change_and_keeps_its_calls(app, world):
    contribution_id = _contribution(app, world)
    client, headers = api_client(app, "redac@oph.test")
    url = f"/api/contributions/{contribution_id}"
    data = client.post(f"{url}/changes/1/accept", headers=headers).get_json()
    assert data["revision"] == 3 and data["contribution"]["state"] == "ouverte"
    decisions = {h["id"]: h["decision"] for h in data["contribution"]["hunks"]}
    assert decisions == {"h1": "accepted", "h2": None, "h3": None, "h4": None}
    data = client.post(
        f"{url}/changes/2/reject", headers=headers, json={"reason": "Non."}
    ).get_json()
    assert data["contribution"]["state"] == "ouverte"
    # Deciding a change already decided is a conflict; a change that does not exist, 404.
    assert client.post(f"{url}/changes/2/accept", headers=headers).status_code == 409
    assert client.post(f"{url}/changes/9/accept", headers=headers).status_code == 404
    # The documented call still accepts the listed changes and rejects the others.
    response = client.post(f"{url}/accept", headers=headers, json={"hunks": ["h3"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["contribution"]["state"] == "partiellement_acceptee"
    stored = _stored(app, contribution_id)
    assert (stored.accepted_hunks, stored.rejected_hunks) == (["h1", "h3"], ["h2", "h4"])
    # Only drafters decide.
    other, other_headers = api_client(app, "sign@epci.test")
    assert other.post(f"{url}/changes/1/reject", headers=other_headers).status_code == 403


def test_its_author_cannot_withdraw_a_contribution_partly_in_the_text(app, world):
    contribution_id = _contribution(app, world)
    post_form(
        logged_in(app, "redac@oph.test"), f"/contributions/{contribution_id}/changes/1/accept", {}
    )
    author = logged_in(app, "asso@dep.test")
    assert "Retirer ma contribution" not in author.get(
        f"/contributions/{contribution_id}"
    ).get_data(as_text=True)
    client, headers = api_client(app, "asso@dep.test")
    response = client.post(f"/api/contributions/{contribution_id}/withdraw", headers=headers)
    assert response.status_code == 409
    assert _stored(app, contribution_id).state.value == "ouverte"


def test_every_change_of_one_author_at_once(app, world):
    # The signatory proposes twice; the associé has the world's contribution and another.
    save_base(app, world, RICH)
    first = propose(app, world, "signataire", RICH.replace("46", "47"))
    second = propose(app, world, "signataire", RICH.replace("| 120 |", "| 125 |"))
    other = propose(app, world, "associe", RICH.replace("1 200", "1 300"))
    drafter = logged_in(app, "redac@oph.test")
    page = drafter.get(f"/sections/{world.section_id}").get_data(as_text=True)
    associe, signataire = world.users["associe"], world.users["signataire"]
    assert f'action="/sections/{world.section_id}/authors/{signataire}/accept"' in page
    assert 'aria-label="Accepter toutes les modifications de Sign sur cette section"' in page
    assert f'action="/sections/{world.section_id}/authors/{associe}/reject"' in page
    # Partners do not see these controls.
    assert "/authors/" not in logged_in(app, "sign@epci.test").get(
        f"/sections/{world.section_id}"
    ).get_data(as_text=True)

    response = post_form(drafter, f"/sections/{world.section_id}/authors/{signataire}/accept", {})
    assert response.status_code == 303
    assert [_stored(app, c).state.value for c in (first, second, other)] == [
        "acceptee",
        "acceptee",
        "ouverte",
    ]
    with app.app_context():
        body = queries.revision(world.section_id, 4).body
    assert "47 communes" in body and "| 125 |" in body and "1 200" in body
    assert sum("acceptée" in n for n in _notes(app, world, "signataire")) == 2
    # Rejecting all of someone's changes needs the reason they will read.
    url = f"/sections/{world.section_id}/authors/{associe}/reject"
    post_form(drafter, url, {"reason": ""})
    assert _stored(app, other).state.value == "ouverte"
    post_form(drafter, url, {"reason": "Le chiffre est celui du PLH."})
    for contribution_id in (world.contribution_id, other):
        stored = _stored(app, contribution_id)
        assert stored.state.value == "rejetee"
        assert stored.decision_note == "Le chiffre est celui du PLH."
    assert sum("Le chiffre est celui du PLH." in n for n in _notes(app, world)) == 2
    # Nobody's contribution is open any more: the controls are gone.
    assert "/authors/" not in drafter.get(f"/sections/{world.section_id}").get_data(as_text=True)


def test_accepting_all_of_an_author_writes_nothing_when_one_conflicts(app, world):
    save_base(app, world, RICH)
    fine = propose(app, world, "signataire", RICH.replace("46", "47"))
    clash = propose(app, world, "signataire", RICH.replace("| 120 |", "| 125 |"))
    with app.app_context():
        write(world.section_id, world.users["redacteur"], RICH.replace("| 120 |", "| 130 |"))
    client = logged_in(app, "redac@oph.test")
    url = f"/sections/{world.section_id}/authors/{world.users['signataire']}/accept"
    response = post_form(client, url, {})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Contribution n° {clash} : La section a changé" in page
    assert [_stored(app, c).state.value for c in (fine, clash)] == ["ouverte", "ouverte"]
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3


def test_a_word_export_shows_what_a_contribution_still_proposes(app, world):
    contribution_id = _contribution(app, world)
    drafter = logged_in(app, "redac@oph.test")
    post_form(drafter, f"/contributions/{contribution_id}/changes/1/accept", {})
    post_form(drafter, f"/contributions/{contribution_id}/changes/2/reject", {})
    with app.app_context():
        (section,) = [
            s
            for s in convention_doc(world.convention_id, tracked=True).sections
            if s.id == world.section_id
        ]
    (proposal,) = [p for p in section.proposals if p.contribution_id == contribution_id]
    # Accepted: in the text already; rejected: no longer proposed; undecided: proposed.
    assert "Patrimoine bâti" in section.body and "Patrimoine bâti" in proposal.text
    assert "46 communes" in proposal.text and "47 communes" not in proposal.text
    assert "délai de 15 jours" in proposal.text and "| 125 |" in proposal.text


def test_a_refused_decision_says_why_beside_its_field_where_the_page_lands(app, world):
    """A rejection or a treatment without its reason came back to the top of the page,
    the error in a flash far above the form (below the whole diff)."""
    contribution_id = _contribution(app, world)
    drafter = logged_in(app, "redac@oph.test")
    url = f"/contributions/{contribution_id}"

    for action, field, anchor in (("reject", "reason", "decider"), ("treat", "note", "decider")):
        refused = post_form(drafter, f"{url}/{action}", {field: "   "})
        assert refused.status_code == 303
        assert refused.headers["Location"].endswith(f"{url}#{anchor}")
        page = drafter.get(refused.headers["Location"]).get_data(as_text=True)
        form = page[page.index(f'action="{url}/{action}"') :]
        form = form[: form.index("</form>")]
        assert f'id="{field}"' in form and 'aria-invalid="true"' in form and "autofocus" in form
        assert f'id="{field}-error"' in form
    assert _stored(app, contribution_id).state.value == "ouverte"

    # The last change rejected without its reason (rejecting it rejects the whole
    # contribution, which needs one): beside that change's field.
    for number in (1, 2, 3):
        assert post_form(drafter, f"{url}/changes/{number}/reject", {}).status_code == 303
    refused = post_form(drafter, f"{url}/changes/4/reject", {"reason": ""})
    assert refused.headers["Location"].endswith(f"{url}#modification-4")
    page = drafter.get(refused.headers["Location"]).get_data(as_text=True)
    # The last row, up to the form accepting every change after the table.
    row = page[page.index('id="modification-4"') : page.index(f'action="{url}/accept"')]
    assert 'id="reason-4-error"' in row and 'aria-invalid="true"' in row
    assert len(_stored(app, contribution_id).rejected_hunks) == 3
