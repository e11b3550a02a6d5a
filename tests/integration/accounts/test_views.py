"""Accounts on the web: login (its throttle: test_throttle.py), no open redirect, sessions revoked at
logout and at a password change, the administration of accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.queries import users
from app.db import db_session
from app.models import LoginAttempt
from tests.conftest import csrf_token, logged_in, login, post_form
from tests.factories import PASSWORD, make_user
from workflows.conventions import OrganisationKind


def test_login_renews_the_session_and_logs_in(app, world):
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("cosigne_session").value
    response = login(client, "redac@oph.test")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get_cookie("cosigne_session").value != before
    assert "CUS test" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_and_recorded(app, world):
    client = app.test_client()
    response = login(client, "redac@oph.test", "mauvais")
    assert response.status_code == 401
    assert "incorrect" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db_session().scalar(select(func.count(LoginAttempt.id))) == 1


def test_open_redirect_after_login_is_refused(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/phish",
        data={"email": "redac@oph.test", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_logout_revokes_the_session_server_side(app, world):
    client = logged_in(app, "redac@oph.test")
    stolen = client.get_cookie("cosigne_session").value
    assert post_form(client, "/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("cosigne_session", stolen)
    assert thief.get("/").status_code == 302  # back to the login page


def test_password_change_revokes_other_sessions(app, world):
    phone = logged_in(app, "redac@oph.test")
    laptop = logged_in(app, "redac@oph.test")
    response = post_form(
        laptop,
        "/account/password",
        {"current": PASSWORD, "new": "nouveau-secret-1", "confirm": "nouveau-secret-1"},
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert login(app.test_client(), "redac@oph.test", PASSWORD).status_code == 401
    assert login(app.test_client(), "redac@oph.test", "nouveau-secret-1").status_code == 302


def test_password_change_refuses_a_short_or_mismatched_password(app, world):
    client = logged_in(app, "redac@oph.test")
    response = post_form(
        client, "/account/password", {"current": PASSWORD, "new": "court", "confirm": "court"}
    )
    assert response.status_code == 400 and "8 caractères" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "new": "assez-long-1", "confirm": "assez-long-2"},
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still logged in, nothing changed


def test_login_without_csrf_token_is_refused(app, world):
    response = app.test_client().post(
        "/login", data={"email": "redac@oph.test", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_admin_creates_and_deactivates_accounts(app, world):
    with app.app_context():
        make_user("root@cosigne.test", "Cosigne admin", OrganisationKind.AUTRE, is_admin=True)
    admin = logged_in(app, "root@cosigne.test")
    assert "redac@oph.test" in admin.get("/admin/users").get_data(as_text=True)
    response = post_form(
        admin,
        "/admin/users",
        {
            "email": "Nouvelle@EPCI.test",
            "name": "Nouvelle",
            "organisation": "EPCI Test",
            "organisation_kind": "epci",
            "password": "bienvenue-2026",
        },
    )
    assert response.status_code == 302
    newcomer = app.test_client()
    assert login(newcomer, "nouvelle@epci.test", "bienvenue-2026").status_code == 302
    assert newcomer.get("/").status_code == 200
    response = post_form(
        admin,
        "/admin/users",
        {
            "email": "bis@epci.test",
            "name": "Bis",
            "organisation": "EPCI Test",
            "organisation_kind": "epci",
            "password": "court",
        },
    )
    assert response.status_code == 400
    with app.app_context():
        target = next(u for u in users() if u.email == "nouvelle@epci.test")
        assert target.organisation.name == "EPCI Test"  # joined the existing organisation
    assert post_form(admin, f"/admin/users/{target.id}/active", {"active": "0"}).status_code == 302
    assert newcomer.get("/").status_code == 302  # its session ended
    assert login(app.test_client(), "nouvelle@epci.test", "bienvenue-2026").status_code == 401
    # Drafters are not administrators.
    assert logged_in(app, "redac@oph.test").get("/admin/users").status_code == 403
