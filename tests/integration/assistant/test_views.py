"""The assistant's chat page: answers linked to their sources, the conversation kept (on
every server), CSRF and the section checked; from a section, a suggested wording
becomes a contribution."""

from __future__ import annotations

import re
from html import unescape as html_unescape

from sqlalchemy import select

from app import create_app
from app.db import db_session
from app.models import Contribution, Section
from tests.conftest import csrf_token, logged_in
from tests.factories import set_state
from tests.integration.assistant.helpers import post_question
from workflows.lifecycle import ConventionState


def test_chat_page_answers_links_sources_and_keeps_the_conversation(app, world, guide):
    client = logged_in(app, "redac@oph.test")
    page = client.get("/assistant")
    assert page.status_code == 200 and "Assistant de rédaction" in page.get_data(as_text=True)
    response = post_question(client, "Qu'est-ce que la vacance technique ?")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "réhabilitation en cours" in html
    assert f'href="/kb/documents/{guide}#passage-' in html
    again = client.get("/assistant").get_data(as_text=True)
    assert "Qu&#39;est-ce que la vacance technique ?" in again
    assert f'href="/kb/documents/{guide}#passage-' in again
    # Another user does not see it.
    other = logged_in(app, "sign@epci.test").get("/assistant").get_data(as_text=True)
    assert "vacance technique ?" not in other
    # Cleared on request.
    token = csrf_token(client, "/assistant")
    assert client.post("/assistant/effacer", data={"csrf_token": token}).status_code == 303
    assert "vacance technique ?" not in client.get("/assistant").get_data(as_text=True)


def test_out_of_scope_on_the_page(app, world, guide):
    client = logged_in(app, "redac@oph.test")
    html = post_question(client, "Quelle est la recette de la tarte tatin ?").get_data(as_text=True)
    assert "Je n&#39;ai pas trouvé de réponse dans la base documentaire" in html


def test_every_application_server_shows_the_same_conversation(
    app, world, guide, tmp_path, monkeypatch
):
    """Two servers on one database, each with its own data directory: the conversation
    is in the database, not in a file of one machine."""
    client = logged_in(app, "redac@oph.test")
    answered = post_question(client, "Qu'est-ce que la vacance technique ?")
    assert "réhabilitation en cours" in answered.get_data(as_text=True)  # streamed, kept
    monkeypatch.setenv("COSIGNE_DATA_DIR", str(tmp_path / "second-server"))
    second = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        }
    )
    try:
        assert second.config["DATA_DIR"] != app.config["DATA_DIR"]
        html = logged_in(second, "redac@oph.test").get("/assistant").get_data(as_text=True)
        assert "Qu&#39;est-ce que la vacance technique ?" in html
    finally:
        second.extensions["cosigne_engine"].dispose()


def test_page_checks_csrf_and_the_section(app, world, guide):
    client = logged_in(app, "redac@oph.test")
    refused = client.post("/assistant", data={"question": "Une question ?"})
    assert refused.status_code == 400
    assert client.get(f"/assistant?section_id={world.other_section_id}").status_code == 403
    own = client.get(f"/assistant?section_id={world.section_id}")
    assert own.status_code == 200 and 'name="section_id"' in own.get_data(as_text=True)
    empty = post_question(client, "  ")
    assert empty.status_code == 303


# --- from a section: a suggested wording becomes a contribution ---------------------------

_SUGGESTION = re.compile(
    r'<form method="post" action="(/sections/\d+/assistant/proposition)".*?'
    r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>',
    re.S,
)


def _contributions(app, section_id: int):
    with app.app_context():
        rows = (
            db_session()
            .scalars(select(Contribution).where(Contribution.section_id == section_id))
            .all()
        )
        return [(c.id, c.author_id, c.assisted, c.body, c.rationale) for c in rows]


def _current_number(app, section_id: int) -> int:
    with app.app_context():
        return db_session().get(Section, section_id).current_revision.number


def test_a_suggested_wording_becomes_an_assisted_contribution(app, world, guide):
    client = logged_in(app, "asso@dep.test")  # a partner: may propose, not edit
    question = "Qu'est-ce que la vacance technique ?"
    html = post_question(client, question, section_id=world.section_id).get_data(as_text=True)
    match = _SUGGESTION.search(html)
    assert match, "the answer asked from a section offers its wording as a contribution"
    action, suggestion = match.group(1), html_unescape(match.group(2))
    assert action == f"/sections/{world.section_id}/assistant/proposition"
    assert "réhabilitation en cours" in suggestion and "[1]" not in suggestion
    before = _contributions(app, world.section_id)
    revision = _current_number(app, world.section_id)

    edited = suggestion + "\n\nL'organisme en rend compte chaque année."
    token = csrf_token(client, f"/assistant?section_id={world.section_id}")
    response = client.post(action, data={"text": edited, "question": question, "csrf_token": token})
    assert response.status_code == 303
    created = [c for c in _contributions(app, world.section_id) if c not in before]
    assert len(created) == 1
    contribution_id, author_id, assisted, body, rationale = created[0]
    assert response.headers["Location"].endswith(f"/contributions/{contribution_id}")
    assert author_id == world.users["associe"] and assisted
    assert body.startswith("Premier texte de la section.")
    assert body.endswith("L'organisme en rend compte chaque année.")
    assert question in rationale
    # The section itself is untouched until a drafter decides.
    assert _current_number(app, world.section_id) == revision
    page = client.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    assert "rédigée avec l&#39;assistant" in page or "rédigée avec l'assistant" in page
    # The conversation keeps the suggestion: the form is there again on the next visit.
    again = client.get(f"/assistant?section_id={world.section_id}").get_data(as_text=True)
    assert _SUGGESTION.search(again)


def test_the_section_editor_opens_the_assistant_on_its_section(app, world):
    client = logged_in(app, "redac@oph.test")
    editor = client.get(f"/sections/{world.section_id}/edit").get_data(as_text=True)
    assert f'href="/assistant?section_id={world.section_id}"' in editor
    page = client.get(f"/assistant?section_id={world.section_id}").get_data(as_text=True)
    assert f'name="section_id" value="{world.section_id}"' in page


def test_proposals_from_the_assistant_are_checked(app, world, guide):
    url = f"/sections/{world.section_id}/assistant/proposition"
    page = f"/assistant?section_id={world.section_id}"
    before = _contributions(app, world.section_id)
    observer = logged_in(app, "obs@obs.test")
    html = post_question(
        observer, "Qu'est-ce que la vacance technique ?", section_id=world.section_id
    ).get_data(as_text=True)
    assert "réhabilitation en cours" in html and not _SUGGESTION.search(html)
    token = csrf_token(observer, page)
    assert observer.post(url, data={"text": "Un texte.", "csrf_token": token}).status_code == 403
    outsider = logged_in(app, "autre@esh.test")
    token = csrf_token(outsider, "/assistant")
    assert outsider.post(url, data={"text": "Un texte.", "csrf_token": token}).status_code == 403
    partner = logged_in(app, "asso@dep.test")
    assert partner.post(url, data={"text": "Sans jeton."}).status_code == 400
    token = csrf_token(partner, page)
    empty = partner.post(url, data={"text": "   ", "csrf_token": token})
    assert empty.status_code == 303 and empty.headers["Location"].endswith(page)
    assert "Le texte à proposer est vide." in partner.get(page).get_data(as_text=True)
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    closed = partner.post(url, data={"text": "Un texte.", "csrf_token": token})
    assert closed.status_code == 303
    assert _contributions(app, world.section_id) == before
    html = post_question(
        partner, "Qu'est-ce que la vacance technique ?", section_id=world.section_id
    ).get_data(as_text=True)
    assert not _SUGGESTION.search(html)  # contributions are closed at this stage
