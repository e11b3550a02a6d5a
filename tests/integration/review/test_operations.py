"""Signatories joining or leaving re-check the reviews of validated sections, while the
convention is still open to review."""

from __future__ import annotations

from app.activity.queries import events
from app.conventions.operations import remove_membership, set_membership
from tests.conftest import logged_in
from tests.factories import make_user, set_state
from tests.integration.review.helpers import give_position, request_review, section_state
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role


def test_a_new_signatory_reopens_validated_sections_and_a_departure_may_close_them(app, world):
    request_review(app, world)
    give_position(app, "sign@epci.test", world.section_id, "accord")
    assert section_state(app, world.section_id) == "validee"
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=ddt.organisation_id)
    # The State's agreement is missing now: back under review, and the DDT is told.
    assert section_state(app, world.section_id) == "en_revue"
    inbox = logged_in(app, "ddt@etat.test").get("/inbox").get_data(as_text=True)
    assert "Votre position est attendue" in inbox
    give_position(app, "ddt@etat.test", world.section_id, "accord")
    assert section_state(app, world.section_id) == "validee"
    # Another signatory joins, then leaves before giving a position: validated again.
    with app.app_context():
        other = make_user("commune@ville.test", "Commune Test", OrganisationKind.COMMUNE)
        membership = set_membership(
            world.convention_id, Role.SIGNATAIRE, organisation_id=other.organisation_id
        )
    assert section_state(app, world.section_id) == "en_revue"
    with app.app_context():
        remove_membership(world.convention_id, membership.id)
        assert any("validée" in e.summary for e in events(world.convention_id, "revue_signataires"))
    assert section_state(app, world.section_id) == "validee"
    # Once the convention is transmitted, reviews are over: a late signatory changes no
    # section (nobody could give the position it would wait for).
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
        late = make_user("prefet@region.test", "Commune tardive", OrganisationKind.COMMUNE)
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=late.organisation_id)
    assert section_state(app, world.section_id) == "validee"
    inbox = logged_in(app, "prefet@region.test").get("/inbox").get_data(as_text=True)
    assert "Votre position est attendue" not in inbox
