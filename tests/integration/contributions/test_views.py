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
from tests.integration.contributions.helpers import BASE, RICH, RICH_PROPOSAL, propose, save_base


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
    assert f'action="/contributions/{world.contribution_id}/changes/1/accept"' in html
    assert 'aria-label="Accepter la modification 1 : ' in html
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
    assert "a répondu dans la discussion" in signer.get("/inbox").get_data(as_text=True)
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


def test_proposed_changes_read_as_formatted_text_inline_and_side_by_side(app, world):
    save_base(app, world, RICH)
    contribution_id = propose(app, world, "associe", RICH_PROPOSAL)
    client = logged_in(app, "redac@oph.test")
    html = client.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    proposed = html.split("Modifications proposées")[1].split('id="decision"')[0]
    assert '<h3 class="cmp-block cmp-change">Patrimoine <ins' in proposed
    assert 'bâti<span class="sr"> [fin d&#39;insertion]</span></ins></h3>' in proposed
    assert '<li class="cmp-insert"><span class="sr">Élément de liste ajouté : </span>' in proposed
    assert "<td><del" in proposed and "120" in proposed and "125" in proposed
    assert "## " not in proposed and "| 2025" not in proposed and "- délai" not in proposed
    assert "Voir l'ancienne et la nouvelle version côte à côte" in proposed
    side = client.get(f"/contributions/{contribution_id}?vue=cote-a-cote").get_data(as_text=True)
    assert 'class="comparison side-by-side"' in side
    assert '<th scope="col">Révision 2</th><th scope="col">Proposition de Asso</th>' in side
    assert "Voir les modifications dans le texte" in side


def test_a_proposal_carrying_markup_is_shown_as_text(app, world):
    save_base(app, world)
    hostile = (
        BASE + "\n\n<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        '[voir](javascript:alert(3)) [ici](https://example.org/"onmouseover="alert(4))'
    )
    with app.app_context():
        contribution = create_contribution(world.section_id, world.user("associe"), 2, hostile)
    html = (
        logged_in(app, "redac@oph.test")
        .get(f"/contributions/{contribution.id}")
        .get_data(as_text=True)
    )
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html and 'onmouseover="alert' not in html
