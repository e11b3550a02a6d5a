"""Editing sections on the web: numbered revisions, conflicts, bad input, Markdown made
safe, history, diff and restore; sections added, renamed and moved."""

from __future__ import annotations

import re

from app.contributions import queries as contributions
from app.sections import queries
from tests.conftest import edit_section, logged_in, post_form


def _bodies(app, section_id):
    with app.app_context():
        return [r.body for r in reversed(queries.history(section_id))]


def test_saving_creates_numbered_immutable_revisions(app, world):
    client = logged_in(app, "redac@oph.test")
    response = edit_section(client, world.section_id, 1, "Deuxième texte.", "Reprise")
    assert response.status_code == 302
    response = edit_section(client, world.section_id, 2, "Troisième texte.")
    assert response.status_code == 302
    assert _bodies(app, world.section_id) == [
        "Premier texte de la section.",
        "Deuxième texte.",
        "Troisième texte.",
    ]
    with app.app_context():
        revisions = queries.history(world.section_id)
        assert [(r.number, r.parent_number) for r in revisions] == [(3, 2), (2, 1), (1, None)]
        assert revisions[1].message == "Reprise"
        assert revisions[0].author.email == "redac@oph.test"


def test_conflict_keeps_the_users_text_and_shows_the_other_version(app, world):
    alice = logged_in(app, "redac@oph.test")
    bob = logged_in(app, "redac@oph.test")
    assert edit_section(bob, world.section_id, 1, "Version de Bob.").status_code == 302
    response = edit_section(alice, world.section_id, 1, "Version d'Alice, longuement rédigée.")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Une autre version a été enregistrée" in html
    assert "Version d&#39;Alice, longuement rédigée.</textarea>" in html
    assert "Version de Bob." in html
    # The form is now based on Bob's revision: saving again is a deliberate choice.
    assert re.search(r'name="base_revision" value="2"', html)
    assert _bodies(app, world.section_id)[-1] == "Version de Bob."
    assert edit_section(alice, world.section_id, 2, "Version d'Alice.").status_code == 302
    assert _bodies(app, world.section_id)[-1] == "Version d'Alice."


def test_bad_section_input(app, world):
    client = logged_in(app, "redac@oph.test")
    response = edit_section(client, world.section_id, 1, "x" * 1_000_001)
    assert response.status_code == 413 and "1 Mo" in response.get_data(as_text=True)
    response = edit_section(client, world.section_id, "abc", "texte")
    assert response.status_code == 400
    response = edit_section(client, world.section_id, 1, "Premier texte de la section.")
    assert response.status_code == 400 and "identique" in response.get_data(as_text=True)
    # Outer limits, before the form is read: 16 MB on the editor's pages (the editor's
    # document beside the Markdown), 4 MB elsewhere.
    huge = "y" * (17 * 1024 * 1024)
    response = client.post(f"/sections/{world.section_id}/edit", data={"body": huge})
    assert response.status_code == 413
    large = "y" * (5 * 1024 * 1024)
    response = client.post(f"/sections/{world.section_id}/threads", data={"body": large})
    assert response.status_code == 413
    assert _bodies(app, world.section_id) == ["Premier texte de la section."]


def test_markdown_is_rendered_and_html_is_inert(app, world):
    client = logged_in(app, "redac@oph.test")
    body = (
        "## Objectifs\n\n**Gras** et [lien](https://exemple.fr) et [piège](javascript:alert(1))\n\n"
        "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert edit_section(client, world.section_id, 1, body).status_code == 302
    html = client.get(f"/sections/{world.section_id}").get_data(as_text=True)
    article = re.split(r'<article class="prose"[^>]*>', html, maxsplit=1)[1].split("</article>", 1)[
        0
    ]
    assert "<h2>Objectifs</h2>" in article and "<strong>Gras</strong>" in article
    assert '<a href="https://exemple.fr" rel="noopener noreferrer nofollow">lien</a>' in article
    assert "<table>" in article
    assert "<script" not in article and "<img" not in article
    assert 'href="javascript' not in article  # the unsafe link stays plain text
    assert "&lt;script&gt;" in article  # shown as text, not run


def test_history_diff_and_restore(app, world):
    client = logged_in(app, "redac@oph.test")
    edit_section(client, world.section_id, 1, "Premier texte de la section, complété.\n\nUn ajout.")
    history = client.get(f"/sections/{world.section_id}/history").get_data(as_text=True)
    assert "2 révisions" in history and "Comparer" in history
    diff = client.get(f"/sections/{world.section_id}/diff?from=1&to=2").get_data(as_text=True)
    assert "<ins" in diff and "complété" in diff and "Un ajout." in diff
    assert client.get(f"/sections/{world.section_id}/diff?from=x").status_code == 400
    assert client.get(f"/sections/{world.section_id}/diff?from=1&to=9").status_code == 404
    revision = client.get(f"/sections/{world.section_id}/revisions/1").get_data(as_text=True)
    assert "Restaurer cette révision" in revision
    response = post_form(
        client, f"/sections/{world.section_id}/revisions/1/restore", {"base_revision": "2"}
    )
    assert response.status_code == 302
    assert _bodies(app, world.section_id)[-1] == "Premier texte de la section."
    with app.app_context():
        assert queries.history(world.section_id)[0].restored_from == 1
    # A restore based on an outdated revision is refused, not applied blindly.
    response = post_form(
        client, f"/sections/{world.section_id}/revisions/2/restore", {"base_revision": "2"}
    )
    assert response.status_code == 303
    assert len(_bodies(app, world.section_id)) == 3


def test_sections_are_added_renamed_and_reordered(app, world):
    client = logged_in(app, "redac@oph.test")
    page = f"/conventions/{world.convention_id}"
    response = post_form(
        client,
        f"/conventions/{world.convention_id}/sections",
        {"title": "Annexe : plan de concertation"},
    )
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert post_form(client, f"/sections/{new_id}/rename", {"title": "Annexe"}).status_code == 302
    assert post_form(client, f"/sections/{new_id}/rename", {"title": "  "}).status_code == 303
    assert post_form(client, f"/sections/{new_id}/move", {"direction": "up"}).status_code == 302
    assert (
        post_form(client, f"/sections/{new_id}/move", {"direction": "sideways"}).status_code == 400
    )
    with app.app_context():
        titles = [s.title for s in queries.sections_with_current(world.convention_id)]
    assert titles[-2:] == ["Annexe", "Association des collectivités et concertation"]
    assert "Annexe" in client.get(page).get_data(as_text=True)


def test_a_refused_title_is_said_beside_its_field_with_what_was_typed(app, world):
    """An empty or overlong title came back to the top of the page: the error in a flash
    far above the form, the title typed lost."""
    client = logged_in(app, "redac@oph.test")
    add = f"/conventions/{world.convention_id}/sections"
    long_title = "Annexe " + "x" * 300
    refused = post_form(client, add, {"title": long_title})
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith(f"/conventions/{world.convention_id}#ajout-section")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    form = page[page.index('id="ajout-section"') :]
    form = form[: form.index("</form>")]
    assert 'aria-invalid="true"' in form and 'id="new-section-error"' in form
    assert f'value="{long_title}"' in form
    with app.app_context():
        assert len(queries.sections_with_current(world.convention_id)) == 8

    rename = f"/sections/{world.section_id}/rename"
    refused = post_form(client, rename, {"title": "   "})
    assert refused.headers["Location"].endswith(f"/sections/{world.section_id}#renommer")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    details = page[page.index('id="renommer"') :]
    assert details.startswith('id="renommer" open')
    assert 'id="rename-error"' in details[: details.index("</details>")]


def _empty_section(app, world) -> int:
    with app.app_context():
        sections = queries.sections_with_current(world.convention_id)
        return next(s.id for s in sections if s.current_revision is None)


def test_a_partner_can_propose_the_first_text_of_an_empty_section(app, world):
    section_id = _empty_section(app, world)
    partner = logged_in(app, "asso@dep.test")
    html = partner.get(f"/sections/{section_id}").get_data(as_text=True)
    assert "Proposer un premier texte" in html
    # Said as the convention's table says it: "À rédiger", not "Brouillon".
    assert '<span class="state empty">À rédiger</span></h1>' in html
    assert f'href="/sections/{section_id}/contributions/new"' in html
    url = f"/sections/{section_id}/contributions/new"
    data = {"base_revision": "0", "body": "Un premier texte proposé.", "rationale": "Pour lancer"}
    response = post_form(partner, url, data, page=url)
    assert response.status_code == 303
    with app.app_context():
        proposals = contributions.of_section(section_id)
        assert [c.body for c in proposals] == ["Un premier texte proposé."]


def test_someone_outside_a_convention_is_told_they_do_not_take_part(app, world):
    outsider = logged_in(app, "autre@esh.test")
    response = outsider.get(f"/conventions/{world.convention_id}")
    assert response.status_code == 403
    assert "Vous ne participez pas à cette convention" in response.get_data(as_text=True)
    # A member whose role does not allow an action is told that, not the above.
    observer = logged_in(app, "obs@obs.test")
    response = observer.get(f"/sections/{world.section_id}/edit")
    assert response.status_code == 403
    assert "ne permet pas cette action" in response.get_data(as_text=True)
