"""Transitions through the API: guards that say exactly why, evaluations that wait for
their year."""

from __future__ import annotations

from datetime import date

from app.db import db_session, write_transaction
from app.models import Convention
from tests.conftest import api_headers
from tests.factories import set_state
from workflows.lifecycle import ConventionState


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


def test_a_body_that_is_not_sent_as_json_moves_nothing(app, world):
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    url = f"/api/conventions/{world.convention_id}/transition"
    response = client.post(
        url, data='{"to": "association"}', content_type="text/plain", headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "Corps JSON attendu (un objet)."
    deep = '{"to": "association", "x": ' + "[" * 30 + "]" * 30 + "}"
    response = client.post(url, data=deep, content_type="application/json", headers=headers)
    assert response.status_code == 400 and "imbriqué" in response.get_json()["error"]
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "negociation"
