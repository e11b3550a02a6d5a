"""The concertation with the tenants' representatives on the classement des immeubles:
recorded in the register with its participants by kind, or the formalité impossible
with its reason; until then the register says it is missing and a CUS is not
transmitted."""

from __future__ import annotations

import html
from datetime import timedelta

from app.db import db_session
from app.lifecycle.queries import local_today
from app.models import Event, TenantConcertation
from tests.conftest import api_headers, logged_in, post_form

MISSING = "La concertation avec les représentants des locataires"


def _page(client, world) -> str:
    url = f"/conventions/{world.convention_id}/association"
    return html.unescape(client.get(url).get_data(as_text=True))


def test_the_concertation_is_recorded_and_lifts_the_finding(app, world):
    drafter = logged_in(app, "redac@oph.test")
    assert MISSING in _page(drafter, world)
    with app.app_context():
        day = (local_today() - timedelta(days=3)).isoformat()
    url = f"/conventions/{world.convention_id}/concertations"
    # Nobody named and no formalité impossible: refused inside the form, kept, nothing written.
    empty = post_form(drafter, url, {"held_on": day, "subject": "Classement"})
    assert empty.headers["Location"].endswith("#concertation")
    page = _page(drafter, world)
    assert 'id="concertation-error"' in page and "Nommez au moins un représentant" in page
    assert f'value="{day}"' in page
    # A formalité impossible that names someone, or without its reason: refused.
    post_form(drafter, url, {"held_on": day, "impossible": "y", "administrateur": "M. X"})
    post_form(drafter, url, {"held_on": day, "impossible": "y"})
    with app.app_context():
        assert db_session().query(TenantConcertation).count() == 0
    # A partner cannot write in the register.
    partner = logged_in(app, "asso@dep.test")
    assert post_form(partner, url, {"held_on": day, "administrateur": "M. X"}).status_code == 403

    done = post_form(
        drafter,
        url,
        {
            "held_on": day,
            "association_cnc": "Amicale CNL de la Source\n\nCLCV du Val",
            "administrateur": "Mme Ferreira",
        },
    )
    assert done.status_code == 303
    page = _page(drafter, world)
    assert "Amicale CNL de la Source" in page and "CLCV du Val" in page
    assert MISSING not in page
    with app.app_context():
        record = db_session().query(TenantConcertation).one()
        assert [kind for kind, _ in record.participants] == [
            "association_cnc",
            "association_cnc",
            "administrateur",
        ]
        assert db_session().query(Event).filter(Event.action == "concertation").count() == 1


def test_a_formalite_impossible_is_a_concertation_proven_and_the_api(app, world):
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    register = f"/api/conventions/{world.convention_id}/register"
    assert any(MISSING in f for f in client.get(register, headers=headers).get_json()["findings"])
    readiness = client.get(
        f"/api/conventions/{world.convention_id}/readiness", headers=headers
    ).get_json()
    assert any(MISSING in b["text"] for b in readiness["blockers"] if b["kind"] == "association")
    url = f"/api/conventions/{world.convention_id}/concertations"
    with app.app_context():
        future = (local_today() + timedelta(days=1)).isoformat()
        day = local_today().isoformat()
    assert (
        client.post(
            url, json={"held_on": future, "impossible": True, "reason": "Aucune."}, headers=headers
        ).status_code
        == 400
    )
    assert (
        client.post(
            url, json={"held_on": day, "participants": {"administrateur": "M. X"}}, headers=headers
        ).status_code
        == 400
    )
    made = client.post(
        url,
        json={
            "held_on": day,
            "impossible": True,
            "reason": "Aucune association affiliée ni administrateur élu dans ce patrimoine.",
        },
        headers=headers,
    )
    assert made.status_code == 201
    assert made.get_json()["impossible"] is True
    answer = client.get(register, headers=headers).get_json()
    assert not any(MISSING in f for f in answer["findings"])
    assert answer["concertations"][0]["reason"].startswith("Aucune association")
