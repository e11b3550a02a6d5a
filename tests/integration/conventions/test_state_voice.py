"""The State speaks with one voice: one State service negotiates and signs for it; the
others are consulted, and their opinions stay inside the State, read by its services
alone, for the negotiator to gather."""

from __future__ import annotations

import html

from app.conventions.operations import set_membership
from app.db import db_session
from app.models import Event, Membership, StateOpinion
from app.word.queries import export_bytes
from tests.conftest import api_headers, logged_in, post_form
from tests.factories import make_user
from workflows.conventions import OrganisationKind
from workflows.errors import InvalidInput
from workflows.permissions import Role

OPINION = "Pour le Loir-et-Cher, la cible de vente paraît haute au regard de la demande."


def _state(app, world) -> None:
    """The DDT negotiates for the State; the DREAL is consulted (observateur)."""
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        dreal = make_user("dreal@etat.test", "DREAL Test", OrganisationKind.DREAL)
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=ddt.organisation_id)
        set_membership(world.convention_id, Role.OBSERVATEUR, organisation_id=dreal.organisation_id)


def test_a_second_state_signatory_is_refused(app, world):
    _state(app, world)
    with app.app_context():
        dreal = db_session().query(Membership).filter(Membership.role == Role.OBSERVATEUR).all()
        dreal_org = next(m.organisation_id for m in dreal if m.organisation_id)
        try:
            set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=dreal_org)
        except InvalidInput as refused:
            assert "L'État parle d'une seule voix : DDT Test négocie déjà" in refused.message
        else:  # pragma: no cover - the rule is what is tested
            raise AssertionError("a second State signatory was accepted")
        roles = {
            m.organisation.name: m.role
            for m in db_session()
            .query(Membership)
            .filter(
                Membership.convention_id == world.convention_id,
                Membership.organisation_id != None,  # noqa: E711
            )
        }
        assert roles["DREAL Test"] is Role.OBSERVATEUR
        # A collectivité may still sign beside the State.
        commune = make_user("maire@ville.test", "Commune Test", OrganisationKind.COMMUNE)
        set_membership(
            world.convention_id, Role.SIGNATAIRE, organisation_id=commune.organisation_id
        )
    # Through the API too, with the reason.
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    answer = client.post(
        f"/api/conventions/{world.convention_id}/members",
        json={"organisation_id": dreal_org, "role": "signataire"},
        headers=headers,
    )
    assert answer.status_code == 400
    assert "une seule voix" in answer.get_json()["error"]


def test_opinions_are_read_by_the_state_alone(app, world):
    _state(app, world)
    dreal = logged_in(app, "dreal@etat.test")
    url = f"/sections/{world.section_id}"
    page = html.unescape(dreal.get(url).get_data(as_text=True))
    assert "Avis internes de l'État" in page
    add = f"/sections/{world.section_id}/state-opinions"
    empty = post_form(dreal, add, {"territory": "Loir-et-Cher", "body": "  "})
    assert empty.headers["Location"].endswith("#avis-etat")
    again = dreal.get(empty.headers["Location"]).get_data(as_text=True)
    assert 'id="opinion-error"' in again and 'value="Loir-et-Cher"' in again
    assert post_form(dreal, add, {"territory": "Loir-et-Cher", "body": OPINION}).status_code == 303

    # The negotiator reads it; nobody outside the State does, nor is told it exists.
    ddt = html.unescape(logged_in(app, "ddt@etat.test").get(url).get_data(as_text=True))
    assert OPINION in ddt and "DREAL Test" in ddt
    for email in ("redac@oph.test", "sign@epci.test", "asso@dep.test", "obs@obs.test"):
        other = html.unescape(logged_in(app, email).get(url).get_data(as_text=True))
        assert OPINION not in other
        assert "Avis internes de l'État" not in other
    # A partner cannot write one.
    partner = logged_in(app, "asso@dep.test")
    assert post_form(partner, add, {"body": "Avis."}).status_code == 403
    with app.app_context():
        assert db_session().query(StateOpinion).count() == 1
        # The journal, read by every member, says an opinion was given, not what it says.
        summaries = [
            e.summary for e in db_session().query(Event).filter(Event.action == "avis_etat")
        ]
        assert summaries == ["Avis interne de l'État"]
        # Nor does the Word export carry it.
        assert OPINION.encode() not in export_bytes(world.convention_id, True, True)

    client = app.test_client()
    api = f"/api/conventions/{world.convention_id}/state-opinions"
    items = client.get(api, headers=api_headers(app, "ddt@etat.test")).get_json()["items"]
    assert [(i["organisation"], i["territory"], i["body"]) for i in items] == [
        ("DREAL Test", "Loir-et-Cher", OPINION)
    ]
    assert client.get(api, headers=api_headers(app, "redac@oph.test")).status_code == 403
    assert (
        client.post(
            api, json={"body": "Avis."}, headers=api_headers(app, "sign@epci.test")
        ).status_code
        == 403
    )
    created = client.post(
        api, json={"body": "Sur l'ensemble : d'accord."}, headers=api_headers(app, "ddt@etat.test")
    )
    assert created.status_code == 201 and created.get_json()["section_id"] is None
