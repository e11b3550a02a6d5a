"""Contributions and discussions on the web: changes accepted one by one, a contribution
treated without changing the text, the page of tracked changes; comment threads
anchored to a passage, answered and resolved."""

from __future__ import annotations

from app.contributions.operations import create_contribution
from app.contributions.queries import view
from app.db import db_session
from app.models import CommentThread, Contribution
from app.sections import queries
from tests.conftest import edit_section, logged_in, post_form
from tests.integration.contributions.helpers import BASE, save_base


def test_accept_some_changes_and_reject_the_others(app, world):
    save_base(app, world)
    proposal = BASE.replace("2 %", "3 %").replace("1 200", "900")
    with app.app_context():
        contribution = create_contribution(world.section_id, world.user("signataire"), 2, proposal)
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


def test_comment_threads_anchor_reply_resolve(app, world):
    signer = logged_in(app, "sign@epci.test")
    response = post_form(
        signer,
        f"/sections/{world.section_id}/threads",
        {"body": "Ce chiffre est-il à jour ?", "quote": "Premier texte", "revision_number": "1"},
    )
    assert response.status_code == 303
    with app.app_context():
        thread = db_session().query(CommentThread).filter_by(quote="Premier texte").one()
        thread_id = thread.id
    author = logged_in(app, "asso@dep.test")
    post_form(author, f"/threads/{world.thread_id}/reply", {"body": "Je confirme."})
    drafter = logged_in(app, "redac@oph.test")
    post_form(drafter, f"/threads/{thread_id}/reply", {"body": "Oui, chiffres 2024."})
    assert "a répondu à votre commentaire" in signer.get("/inbox").get_data(as_text=True)
    assert post_form(drafter, f"/threads/{thread_id}/resolve", {"resolved": "1"}).status_code == 303
    with app.app_context():
        assert db_session().get(CommentThread, thread_id).resolved
    # The passage is rewritten: the anchor is shown as detached, not guessed.
    edit_section(drafter, world.section_id, 1, "Une toute autre rédaction de la section.")
    page = signer.get(f"/sections/{world.section_id}").get_data(as_text=True)
    assert "détaché" in page
    # Empty comments and quotes absent from the revision are refused.
    post_form(signer, f"/sections/{world.section_id}/threads", {"body": " "})
    post_form(
        signer, f"/sections/{world.section_id}/threads", {"body": "x", "quote": "absent du texte"}
    )
    with app.app_context():
        assert db_session().query(CommentThread).count() == 3  # two worlds' threads and ours
    # Observers read but do not comment.
    observer = logged_in(app, "obs@obs.test")
    assert post_form(observer, f"/threads/{thread_id}/reply", {"body": "x"}).status_code == 403


def test_a_proposal_posted_without_its_base_shows_the_form_again_from_the_current_text(app, world):
    client = logged_in(app, "asso@dep.test")
    url = f"/sections/{world.section_id}/contributions/new"
    response = post_form(client, url, {"base_revision": "abc"}, page=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'name="base_revision" value="1"' in html and "None" not in html
