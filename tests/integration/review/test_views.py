"""Section review on the web: the request, each signatory's position, the register of
reserves, the agreements a new revision loses (also as the sections API reports them),
namesakes counted apart."""

from __future__ import annotations

from app.activity.queries import events
from tests.conftest import api_headers, edit_section, logged_in, post_form
from tests.factories import add_member, make_user
from tests.integration.review.helpers import give_position, request_review, section_state
from workflows.conventions import OrganisationKind
from workflows.permissions import Role


def test_review_validation_and_lost_agreement(app, world):
    request_review(app, world)
    assert section_state(app, world.section_id) == "en_revue"
    signer = logged_in(app, "sign@epci.test")
    assert "Relecture demandée" in signer.get("/inbox").get_data(as_text=True)
    # Reserves and disagreement need their text.
    give_position(app, "sign@epci.test", world.section_id, "desaccord", "")
    assert section_state(app, world.section_id) == "en_revue"
    page = signer.get(f"/sections/{world.section_id}").get_data(as_text=True)
    assert "en attente" in page
    give_position(
        app, "sign@epci.test", world.section_id, "accord_avec_reserves", "Préciser le calendrier."
    )
    assert section_state(app, world.section_id) == "validee"  # the only signatory agreed
    register = signer.get(f"/conventions/{world.convention_id}/reserves").get_data(as_text=True)
    assert "Préciser le calendrier." in register and "EPCI Test" in register
    # The associé is not a signatory: no position.
    assert give_position(app, "asso@dep.test", world.section_id, "accord").status_code == 403
    # A new revision sends it back to draft and names whose agreement was lost.
    drafter = logged_in(app, "redac@oph.test")
    response = edit_section(drafter, world.section_id, 1, "Texte revu après accord.")
    assert response.status_code == 302
    assert section_state(app, world.section_id) == "brouillon"
    with app.app_context():
        assert any(
            "EPCI Test" in e.summary and "brouillon" in e.summary
            for e in events(world.convention_id, "revue_annulee")
        )
    assert "repasse en brouillon" in signer.get("/inbox").get_data(as_text=True)


def test_review_is_refused_on_an_outdated_revision(app, world):
    request_review(app, world)
    response = post_form(
        logged_in(app, "sign@epci.test"),
        f"/sections/{world.section_id}/position",
        {"position": "accord", "revision_number": "2"},
    )
    assert response.status_code == 303
    assert section_state(app, world.section_id) == "en_revue"


def test_saving_over_an_agreement_says_whose_agreement_was_lost(app, world):
    request_review(app, world)
    give_position(app, "sign@epci.test", world.section_id, "accord")
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    response = client.post(
        f"/api/sections/{world.section_id}/revisions",
        headers=headers,
        json={"base_revision": 1, "body": "Nouveau texte."},
    )
    assert response.status_code == 201
    assert "EPCI Test" in response.get_json()["review_notice"]


def test_two_signatories_of_the_same_name_are_two_parties(app, world):
    """Positions are counted per membership: a namesake's agreement is not another's."""
    with app.app_context():
        first = make_user("jean.martin@prefecture-a.test", "Préfecture A", OrganisationKind.AUTRE)
        second = make_user("jean.martin@prefecture-b.test", "Préfecture B", OrganisationKind.AUTRE)
        assert first.name == second.name
        add_member(world.convention_id, Role.SIGNATAIRE, first, personal=True)
        add_member(world.convention_id, Role.SIGNATAIRE, second, personal=True)
    request_review(app, world)
    give_position(app, "sign@epci.test", world.section_id, "accord")
    give_position(app, "jean.martin@prefecture-a.test", world.section_id, "accord")
    assert section_state(app, world.section_id) == "en_revue"  # the other Jean Martin has not
    give_position(app, "jean.martin@prefecture-b.test", world.section_id, "accord")
    assert section_state(app, world.section_id) == "validee"


def test_a_refused_position_shows_its_error_in_the_form_with_the_choice_kept(app, world):
    request_review(app, world)
    signer = logged_in(app, "sign@epci.test")
    url = f"/sections/{world.section_id}/position"
    response = post_form(signer, url, {"position": "desaccord", "text": "", "revision_number": "1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#revue")
    page = signer.get(response.headers["Location"]).get_data(as_text=True)
    form = page[
        page.index(f'action="{url}"') : page.index("</form>", page.index(f'action="{url}"'))
    ]
    # The error sits in the form the page scrolls to, focused, and the choice is kept.
    assert 'id="position-error" role="alert" tabindex="-1" autofocus' in form
    assert 'value="desaccord" required checked' in form
    # Only once: the next visit shows the form fresh.
    again = signer.get(f"/sections/{world.section_id}").get_data(as_text=True)
    assert 'id="position-error"' not in again and "checked" not in again


def test_a_refused_comment_keeps_its_text_and_says_why_beside_it(app, world):
    signer = logged_in(app, "sign@epci.test")
    url = f"/sections/{world.section_id}/threads"
    body = "Ce passage mérite d'être revu."
    data = {"quote": "un passage absent du texte", "body": body, "revision_number": "1"}
    response = post_form(signer, url, data)
    assert response.status_code == 303
    page = signer.get(response.headers["Location"]).get_data(as_text=True)
    form = page[
        page.index('id="nouveau-fil"') : page.index("</form>", page.index('id="nouveau-fil"'))
    ]
    assert 'id="thread-error" role="alert"' in form
    assert "Ce passage mérite d&#39;être revu.</textarea>" in form
