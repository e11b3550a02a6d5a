"""Bearer tokens are the API's only credentials: no token, a wrong one or a session
cookie are refused."""

from __future__ import annotations

from tests.conftest import logged_in


def test_token_is_required(app, world):
    client = app.test_client()
    response = client.get("/api/conventions")
    assert response.status_code == 401 and "Bearer" in response.get_json()["error"]
    response = client.get("/api/conventions", headers={"Authorization": "Bearer faux"})
    assert response.status_code == 401


def test_session_cookie_does_not_authenticate_the_api(app, world):
    client = logged_in(app, "redac@oph.test")
    assert client.get("/api/conventions").status_code == 401
