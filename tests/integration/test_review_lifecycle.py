"""Section review, each party's position, the register of reserves; the convention's
lifecycle with its guards, signatures, the frozen signed text and avenants."""

from __future__ import annotations

from datetime import date, timedelta

from app.db import db_session, write_transaction
from app.models import Convention, Section
from app.sections import queries
from tests.conftest import api_headers, logged_in, post_form, set_state
from workflows.lifecycle import ConventionState


def _review(app, world, section_id=None):
    client = logged_in(app, "redac@oph.test")
    response = post_form(client, f"/sections/{section_id or world.section_id}/review")
    assert response.status_code == 303
    return client


def _position(app, email, section_id, position, text=""):
    return post_form(
        logged_in(app, email),
        f"/sections/{section_id}/position",
        {"position": position, "text": text},
    )


def _state(app, section_id):
    with app.app_context():
        return db_session().get(Section, section_id).state.value


def test_review_validation_and_lost_agreement(app, world):
    _review(app, world)
    assert _state(app, world.section_id) == "en_revue"
    signer = logged_in(app, "sign@epci.test")
    assert "Relecture demandée" in signer.get("/inbox").get_data(as_text=True)
    # Reserves and disagreement need their text.
    _position(app, "sign@epci.test", world.section_id, "desaccord", "")
    assert _state(app, world.section_id) == "en_revue"
    page = signer.get(f"/sections/{world.section_id}").get_data(as_text=True)
    assert "en attente" in page
    _position(
        app, "sign@epci.test", world.section_id, "accord_avec_reserves", "Préciser le calendrier."
    )
    assert _state(app, world.section_id) == "validee"  # the only signatory agreed
    register = signer.get(f"/conventions/{world.convention_id}/reserves").get_data(as_text=True)
    assert "Préciser le calendrier." in register and "EPCI Test" in register
    # The associé is not a signatory: no position.
    assert _position(app, "asso@dep.test", world.section_id, "accord").status_code == 403
    # A new revision sends it back to draft and names whose agreement was lost.
    drafter = logged_in(app, "redac@oph.test")
    from tests.integration.test_sections_web import _edit

    response = _edit(drafter, world.section_id, 1, "Texte revu après accord.")
    assert response.status_code == 302
    assert _state(app, world.section_id) == "brouillon"
    with app.app_context():
        from app.activity.queries import events

        assert any(
            "EPCI Test" in e.summary and "brouillon" in e.summary
            for e in events(world.convention_id, "revue_annulee")
        )
    assert "repasse en brouillon" in signer.get("/inbox").get_data(as_text=True)


def test_review_is_refused_on_an_outdated_revision(app, world):
    _review(app, world)
    response = post_form(
        logged_in(app, "sign@epci.test"),
        f"/sections/{world.section_id}/position",
        {"position": "accord", "revision_number": "2"},
    )
    assert response.status_code == 303
    assert _state(app, world.section_id) == "en_revue"


def _validate_all_mandatory(app, world):
    from app.models import User
    from app.review.operations import ask_for_review, record_position
    from app.sections.operations import save_revision

    with app.app_context():
        drafter = db_session().get(User, world.users["redacteur"])
        signer = db_session().get(User, world.users["signataire"])
        for section in queries.sections_with_current(world.convention_id):
            if not section.mandatory:
                continue
            if section.current_revision is None:
                save_revision(section.id, drafter.id, 0, f"Texte de « {section.title} ».")
            ask_for_review(section.id, drafter)
            record_position(section.id, signer, "accord", "")


def test_transition_guards_say_exactly_why(app, world):
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    url = f"/api/conventions/{world.convention_id}/transition"
    response = client.post(url, json={"to": "signee"}, headers=headers)
    assert response.status_code == 409
    reasons = response.get_json()["reasons"]
    assert any("Transmise" in r or "transmise" in r.lower() for r in reasons)
    response = client.post(url, json={"to": "transmise"}, headers=headers)
    assert response.status_code == 409
    assert any("État des lieux" in r for r in response.get_json()["reasons"])
    assert client.post(url, json={"to": "nimporte"}, headers=headers).status_code == 400
    assert client.post(url, json={}, headers=headers).status_code == 400
    signer = api_headers(app, "sign@epci.test")
    assert client.post(url, json={"to": "association"}, headers=signer).status_code == 403
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "negociation"


def test_from_negotiation_to_signature_and_the_frozen_text(app, world):
    _validate_all_mandatory(app, world)
    drafter = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/transition"
    assert post_form(drafter, url, {"to": "transmise"}).status_code == 303
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "transmise"
    # The text is frozen once transmitted: editing is refused with the reason.
    from tests.integration.test_sections_web import _edit

    assert _edit(drafter, world.section_id, 2, "Changement tardif.").status_code == 409
    # Signing needs every signatory's signature.
    assert post_form(drafter, url, {"to": "signee"}).status_code == 303
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "transmise"
    signer = logged_in(app, "sign@epci.test")
    today = date.today().isoformat()
    assert (
        post_form(
            signer, f"/conventions/{world.convention_id}/sign", {"signed_on": today}
        ).status_code
        == 303
    )
    assert post_form(drafter, url, {"to": "signee"}).status_code == 303
    page = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    with app.app_context():
        convention = db_session().get(Convention, world.convention_id)
        assert convention.state.value == "signee"
        digest = convention.signed_sha256
        import hashlib

        assert hashlib.sha256(convention.signed_text.encode()).hexdigest() == digest
    assert digest in page
    assert "Premier texte" in drafter.get(f"/conventions/{world.convention_id}/signed").get_data(
        as_text=True
    )
    # No editing and no contribution on a signed text; an avenant instead.
    assert _edit(drafter, world.section_id, 2, "Après signature.").status_code == 409
    response = post_form(
        drafter, f"/conventions/{world.convention_id}/avenant", {"title": "Avenant n° 1"}
    )
    assert response.status_code == 303
    avenant_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        avenant = db_session().get(Convention, avenant_id)
        assert avenant.kind.value == "avenant" and avenant.amends_id == world.convention_id
        sections = queries.sections_with_current(avenant_id)
        signed_sections = queries.sections_with_current(world.convention_id)
        assert [s.current_revision.body if s.current_revision else None for s in sections] == [
            s.current_revision.body if s.current_revision else None for s in signed_sections
        ]
        assert db_session().get(Convention, world.convention_id).signed_sha256 == digest


def test_evaluations_wait_for_their_year(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.SIGNEE)
        with write_transaction() as session:
            session.get(Convention, world.convention_id).start_year = date.today().year
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    response = client.post(
        f"/api/conventions/{world.convention_id}/transition",
        json={"to": "bilan_2ans"},
        headers=headers,
    )
    assert response.status_code == 409 and "1er janvier" in response.get_json()["error"]


def test_deadlines_show_on_the_dashboard_inbox(app, world):
    drafter = logged_in(app, "redac@oph.test")
    soon = (date.today() + timedelta(days=10)).isoformat()
    late = (date.today() - timedelta(days=3)).isoformat()
    response = post_form(
        drafter,
        f"/conventions/{world.convention_id}/deadlines",
        {"association": "", "transmission": soon, "signature": late},
    )
    assert response.status_code == 303
    inbox = drafter.get("/inbox").get_data(as_text=True)
    assert "Transmission au préfet" in inbox and "en retard" in inbox
    response = post_form(
        drafter, f"/conventions/{world.convention_id}/deadlines", {"transmission": "32/13/2026"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert (
            db_session().get(Convention, world.convention_id).transmission_deadline.isoformat()
            == soon
        )


def test_dashboard_shows_what_is_late_or_due(app, world):
    drafter = logged_in(app, "redac@oph.test")
    late = (date.today() - timedelta(days=2)).isoformat()
    post_form(
        drafter,
        f"/conventions/{world.convention_id}/deadlines",
        {"association": late, "transmission": late},
    )
    page = drafter.get("/").get_data(as_text=True)
    assert "À traiter" in page and "Transmission au préfet" in page and "en retard" in page
    assert "contribution à décider" in page
    # The association is over (the convention is in negotiation): that deadline is met.
    assert "Fin de l&#39;association" not in page
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    assert "Transmission au préfet" not in drafter.get("/").get_data(as_text=True)


def test_saving_over_an_agreement_says_whose_agreement_was_lost(app, world):
    _review(app, world)
    _position(app, "sign@epci.test", world.section_id, "accord")
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
    from tests.conftest import add_member, make_user
    from workflows.conventions import OrganisationKind
    from workflows.permissions import Role

    with app.app_context():
        first = make_user("jean.martin@prefecture-a.test", "Préfecture A", OrganisationKind.AUTRE)
        second = make_user("jean.martin@prefecture-b.test", "Préfecture B", OrganisationKind.AUTRE)
        assert first.name == second.name
        add_member(world.convention_id, Role.SIGNATAIRE, first, personal=True)
        add_member(world.convention_id, Role.SIGNATAIRE, second, personal=True)
    _review(app, world)
    _position(app, "sign@epci.test", world.section_id, "accord")
    _position(app, "jean.martin@prefecture-a.test", world.section_id, "accord")
    assert _state(app, world.section_id) == "en_revue"  # the other Jean Martin has not
    _position(app, "jean.martin@prefecture-b.test", world.section_id, "accord")
    assert _state(app, world.section_id) == "validee"


def test_a_new_signatory_reopens_validated_sections_and_a_departure_may_close_them(app, world):
    from app.conventions.operations import remove_membership, set_membership
    from tests.conftest import make_user
    from workflows.conventions import OrganisationKind
    from workflows.permissions import Role

    _review(app, world)
    _position(app, "sign@epci.test", world.section_id, "accord")
    assert _state(app, world.section_id) == "validee"
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=ddt.organisation_id)
    # The State's agreement is missing now: back under review, and the DDT is told.
    assert _state(app, world.section_id) == "en_revue"
    inbox = logged_in(app, "ddt@etat.test").get("/inbox").get_data(as_text=True)
    assert "Votre position est attendue" in inbox
    _position(app, "ddt@etat.test", world.section_id, "accord")
    assert _state(app, world.section_id) == "validee"
    # Another signatory joins, then leaves before giving a position: validated again.
    with app.app_context():
        other = make_user("commune@ville.test", "Commune Test", OrganisationKind.COMMUNE)
        membership = set_membership(
            world.convention_id, Role.SIGNATAIRE, organisation_id=other.organisation_id
        )
    assert _state(app, world.section_id) == "en_revue"
    with app.app_context():
        remove_membership(world.convention_id, membership.id)
        from app.activity.queries import events

        assert any("validée" in e.summary for e in events(world.convention_id, "revue_signataires"))
    assert _state(app, world.section_id) == "validee"
    # Once the convention is transmitted, reviews are over: a late signatory changes no
    # section (nobody could give the position it would wait for).
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
        late = make_user("prefet@region.test", "Préfecture de région", OrganisationKind.DDT)
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=late.organisation_id)
    assert _state(app, world.section_id) == "validee"
    inbox = logged_in(app, "prefet@region.test").get("/inbox").get_data(as_text=True)
    assert "Votre position est attendue" not in inbox
