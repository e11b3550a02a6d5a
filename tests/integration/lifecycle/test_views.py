"""The lifecycle on the web: from negotiation to signature, the frozen signed text and
its avenant; deadlines on the inbox and the dashboard."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from app.db import db_session
from app.lifecycle.queries import local_today
from app.models import Convention
from app.review.operations import ask_for_review, record_position
from app.sections import queries
from tests.conftest import edit_section, logged_in, post_form
from tests.factories import set_state, write
from tests.integration.conventions.helpers import settle_for_transmission
from workflows.lifecycle import ConventionState


def _validate_all_mandatory(app, world):
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        for section in queries.sections_with_current(world.convention_id):
            if not section.mandatory:
                continue
            if section.current_revision is None:
                write(section.id, drafter, f"Texte de « {section.title} ».")
            ask_for_review(section.id, drafter)
            record_position(section.id, signer, "accord", "")
    settle_for_transmission(app, world)


def test_from_negotiation_to_signature_and_the_frozen_text(app, world):
    _validate_all_mandatory(app, world)
    drafter = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/transition"
    assert post_form(drafter, url, {"to": "transmise"}).status_code == 303
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "transmise"
    # The text is frozen once transmitted: editing is refused with the reason.
    assert edit_section(drafter, world.section_id, 2, "Changement tardif.").status_code == 409
    # Signing needs every signatory's signature.
    assert post_form(drafter, url, {"to": "signee"}).status_code == 303
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "transmise"
    signer = logged_in(app, "sign@epci.test")
    with app.app_context():
        today = local_today().isoformat()
    assert (
        post_form(
            signer, f"/conventions/{world.convention_id}/sign", {"signed_on": today}
        ).status_code
        == 303
    )
    # The organisme is a party too: without its signature the convention is not signed.
    refused = post_form(drafter, url, {"to": "signee"})
    assert "Signature manquante : OPH Test" in drafter.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "transmise"
    sign_url = f"/conventions/{world.convention_id}/sign"
    assert post_form(drafter, sign_url, {"signed_on": today}).status_code == 303
    assert post_form(drafter, url, {"to": "signee"}).status_code == 303
    page = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    with app.app_context():
        convention = db_session().get(Convention, world.convention_id)
        assert convention.state.value == "signee"
        digest = convention.signed_sha256
        assert hashlib.sha256(convention.signed_text.encode()).hexdigest() == digest
    assert digest in page
    assert "Premier texte" in drafter.get(f"/conventions/{world.convention_id}/signed").get_data(
        as_text=True
    )
    # No editing and no contribution on a signed text; an avenant instead.
    assert edit_section(drafter, world.section_id, 2, "Après signature.").status_code == 409
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


def test_a_deadline_whose_step_is_done_says_so_whatever_its_date(app, world):
    drafter = logged_in(app, "redac@oph.test")
    later = (date.today() + timedelta(days=90)).isoformat()
    response = post_form(
        drafter, f"/conventions/{world.convention_id}/deadlines", {"association": later}
    )
    assert response.status_code == 303
    page = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    # In negotiation, the association is over: its deadline, still to come, is met.
    assert re.search(r"Fin de l&#39;association : [\d/]+ — étape accomplie", page)
    assert "franchie" not in page


def test_the_signatures_block_says_when_signing_comes_before_the_transmission(app, world):
    drafter = logged_in(app, "redac@oph.test")
    page = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    block = page[
        page.index('<h2 id="signatures">') : page.index(
            "</section>", page.index('<h2 id="signatures">')
        )
    ]
    assert "Les signatures s'enregistrent une fois la convention transmise au préfet" in block
    assert "OPH Test" in block and "EPCI Test" in block
    assert "En attente" not in block
