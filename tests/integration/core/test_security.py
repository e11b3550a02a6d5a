"""What the application guarantees on every page: CSRF checked, security headers and
cookie flags, secure cookies in the production profile."""

from __future__ import annotations

import re

import pytest
from flask import jsonify

from config import load_config
from tests.conftest import logged_in, login


def test_missing_csrf_token_is_400_and_changes_nothing(app, world):
    client = logged_in(app, "redac@oph.test")
    response = client.post(
        f"/sections/{world.section_id}/edit",
        data={"base_revision": "1", "body": "sans jeton"},
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    page = client.get(f"/sections/{world.section_id}").get_data(as_text=True)
    assert "sans jeton" not in page


def test_security_headers_and_cookie_flags(app, world):
    client = app.test_client()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = login(client, "redac@oph.test")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/' in tag for tag in scripts)  # no inline script
    assert "http://" not in html and "https://" not in html  # no CDN asset


def test_production_profile_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("COSIGNE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COSIGNE_ENV", "production")
    config = load_config()
    assert config.SESSION_COOKIE_SECURE is True
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and len(key_file.read_text()) == 64
    assert load_config().SECRET_KEY == config.SECRET_KEY  # stored once, read after


def test_every_error_page_the_application_serves_carries_the_security_headers(app, world):
    # Issue 13: a 500 page came without CSP. The app's own error answers (not gunicorn's
    # page on a worker timeout, which bounded work makes unreachable) all go through the
    # same after-request hook.
    def boom():  # an unexpected error in a page the user may see: the 500 page
        raise RuntimeError("boom")

    app.view_functions["activity.inbox"] = boom
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = logged_in(app, "redac@oph.test")
    answers = {
        404: client.get("/no-such-page"),
        405: client.put("/login"),
        400: client.post(f"/sections/{world.section_id}/edit", data={"body": "x"}),  # CSRF
        413: client.post("/login", data="x" * (app.config["MAX_CONTENT_LENGTH"] + 1)),
        500: client.get("/inbox"),
    }
    answers[403] = logged_in(app, "autre@esh.test").get(f"/conventions/{world.convention_id}")
    answers[401] = app.test_client().get(f"/api/conventions/{world.convention_id}")
    for status, response in answers.items():
        assert response.status_code == status, (status, response.status_code)
        csp = response.headers.get("Content-Security-Policy", "")
        assert "object-src 'none'" in csp and "script-src 'self'" in csp, status
        assert response.headers["X-Content-Type-Options"] == "nosniff", status
        assert response.headers["X-Frame-Options"] == "DENY", status
    assert "Traceback" not in answers[500].get_data(as_text=True)


def test_a_json_answer_never_holds_nan_or_infinity(app):
    # Invalid JSON for every parser: a bug that makes one is an error, not a broken client.
    with app.app_context():
        for value in (float("nan"), float("inf"), -float("inf")):
            with pytest.raises(ValueError):
                jsonify(value=value)
        assert jsonify(value=1e308).get_json() == {"value": 1e308}
