"""Editing sections on the web: revisions, conflicts, history, diff, restore, bad input."""

from __future__ import annotations

import re

from app.access import conventions_for
from app.accounts import queries as accounts
from app.sections import queries
from tests.conftest import csrf_token, logged_in, post_form


def _edit(client, section_id, base, body, message=""):
    token = csrf_token(client, f"/sections/{section_id}/edit")
    return client.post(
        f"/sections/{section_id}/edit",
        data={"csrf_token": token, "base_revision": str(base), "body": body, "message": message},
    )


def _bodies(app, section_id):
    with app.app_context():
        return [r.body for r in reversed(queries.history(section_id))]


def test_a_cus_is_created_with_its_standard_sections(app, world):
    client = logged_in(app, "redac@oph.test")
    response = post_form(
        client,
        "/conventions/new",
        {"kind": "cus", "title": "CUS 2026-2031", "start_year": "2026", "cadre_id": ""},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026–2031" in page
    for title in (
        "État des lieux",
        "Cahier des charges de gestion sociale",
        "Association des collectivités et concertation",
    ):
        assert title in page.replace("&#39;", "'")


def test_a_contractualisation_and_its_annual_convention(app, world):
    client = logged_in(app, "redac@oph.test")
    response = post_form(
        client,
        "/conventions/new",
        {
            "kind": "contractualisation_cadre",
            "title": "Contrat cadre",
            "start_year": "2025",
            "end_year": "2027",
            "cadre_id": "",
        },
    )
    cadre_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Contreparties de la collectivité" in client.get(f"/conventions/{cadre_id}").get_data(
        as_text=True
    )
    # An annual convention must name its cadre.
    response = post_form(
        client,
        "/conventions/new",
        {
            "kind": "convention_application",
            "title": "Application 2025",
            "start_year": "2025",
            "cadre_id": "",
        },
    )
    assert response.status_code == 400 and "document cadre" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/conventions/new",
        {
            "kind": "convention_application",
            "title": "Application 2025",
            "start_year": "2025",
            "cadre_id": str(cadre_id),
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contrat cadre" in page


def test_invalid_convention_input_is_refused_and_nothing_is_created(app, world):
    client = logged_in(app, "redac@oph.test")
    for data in (
        {"kind": "cus", "title": "", "start_year": "2025"},
        {"kind": "cus", "title": "x" * 201, "start_year": "2025"},
        {"kind": "cus", "title": "CUS", "start_year": "2025", "end_year": "2027"},
        {"kind": "inconnu", "title": "CUS", "start_year": "2025"},
    ):
        response = post_form(client, "/conventions/new", {**data, "cadre_id": ""})
        assert response.status_code == 400, data
    with app.app_context():
        user = accounts.users()[0]
        titles = [c.title for c, _ in conventions_for(user)]
    assert titles == ["CUS test"]


def test_a_collectivite_cannot_create_a_convention(app, world):
    client = logged_in(app, "sign@epci.test")
    assert client.get("/conventions/new").status_code == 403
    assert "Nouvelle convention" not in client.get("/").get_data(as_text=True)


def test_saving_creates_numbered_immutable_revisions(app, world):
    client = logged_in(app, "redac@oph.test")
    response = _edit(client, world.section_id, 1, "Deuxième texte.", "Reprise")
    assert response.status_code == 302
    response = _edit(client, world.section_id, 2, "Troisième texte.")
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
    assert _edit(bob, world.section_id, 1, "Version de Bob.").status_code == 302
    response = _edit(alice, world.section_id, 1, "Version d'Alice, longuement rédigée.")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Une autre version a été enregistrée" in html
    assert "Version d&#39;Alice, longuement rédigée.</textarea>" in html
    assert "Version de Bob." in html
    # The form is now based on Bob's revision: saving again is a deliberate choice.
    assert re.search(r'name="base_revision" value="2"', html)
    assert _bodies(app, world.section_id)[-1] == "Version de Bob."
    assert _edit(alice, world.section_id, 2, "Version d'Alice.").status_code == 302
    assert _bodies(app, world.section_id)[-1] == "Version d'Alice."


def test_bad_section_input(app, world):
    client = logged_in(app, "redac@oph.test")
    response = _edit(client, world.section_id, 1, "x" * 1_000_001)
    assert response.status_code == 413 and "1 Mo" in response.get_data(as_text=True)
    response = _edit(client, world.section_id, "abc", "texte")
    assert response.status_code == 400
    response = _edit(client, world.section_id, 1, "Premier texte de la section.")
    assert response.status_code == 400 and "identique" in response.get_data(as_text=True)
    huge = "y" * (5 * 1024 * 1024)
    response = client.post(f"/sections/{world.section_id}/edit", data={"body": huge})
    assert response.status_code == 413
    assert _bodies(app, world.section_id) == ["Premier texte de la section."]


def test_markdown_is_rendered_and_html_is_inert(app, world):
    client = logged_in(app, "redac@oph.test")
    body = (
        "## Objectifs\n\n**Gras** et [lien](https://exemple.fr) et [piège](javascript:alert(1))\n\n"
        "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert _edit(client, world.section_id, 1, body).status_code == 302
    html = client.get(f"/sections/{world.section_id}").get_data(as_text=True)
    article = html.split('<article class="prose">', 1)[1].split("</article>", 1)[0]
    assert "<h2>Objectifs</h2>" in article and "<strong>Gras</strong>" in article
    assert '<a href="https://exemple.fr" rel="noopener noreferrer nofollow">lien</a>' in article
    assert "<table>" in article
    assert "<script" not in article and "<img" not in article
    assert 'href="javascript' not in article  # the unsafe link stays plain text
    assert "&lt;script&gt;" in article  # shown as text, not run


def test_history_diff_and_restore(app, world):
    client = logged_in(app, "redac@oph.test")
    _edit(client, world.section_id, 1, "Premier texte de la section, complété.\n\nUn ajout.")
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


def test_members_are_managed_by_the_redacteur_only(app, world):
    client = logged_in(app, "redac@oph.test")
    with app.app_context():
        org_id = next(o.id for o in accounts.organisations() if o.name == "ESH Ailleurs")
    url = f"/conventions/{world.convention_id}/members/add"
    response = post_form(
        client, url, {"organisation_id": str(org_id), "role": "associe", "user_email": ""}
    )
    assert response.status_code == 302
    outsider = logged_in(app, "autre@esh.test")
    assert outsider.get(f"/conventions/{world.convention_id}").status_code == 200
    response = post_form(
        client, url, {"organisation_id": "", "role": "associe", "user_email": "personne@nulle.part"}
    )
    assert response.status_code == 400 and "Aucun compte" in response.get_data(as_text=True)
    signataire = logged_in(app, "sign@epci.test")
    response = post_form(
        signataire, url, {"organisation_id": str(org_id), "role": "redacteur", "user_email": ""}
    )
    assert response.status_code == 403
