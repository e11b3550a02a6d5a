"""The login throttle slows guessing with delays that grow, and never locks the owner of
an account out: attempts refused during a delay are not counted, a success resets the
account's counter, a colleague behind the same address gets in, the current password
of the password page is throttled like a login. Unknown and inactive accounts cost a
hash check like the others. X-Forwarded-For is believed only when configured."""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug import security

from app import create_app
from app.accounts import operations
from app.accounts.operations import set_user_active
from app.db import db_session
from app.models import ApiToken, LoginAttempt, utcnow
from config import load_config
from tests.conftest import api_headers, csrf_token, logged_in, login, post_form
from tests.factories import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now: datetime = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(app, monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(operations, "utcnow", clock)
    app.config.update(
        LOGIN_FREE_FAILURES_PER_ACCOUNT=5,
        LOGIN_FREE_FAILURES_PER_ADDRESS=50,
        LOGIN_FIRST_DELAY_SECONDS=2,
        LOGIN_MAX_DELAY_SECONDS=300,
    )
    return clock


def _attempts(app) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count(LoginAttempt.id))) or 0


def test_failures_slow_the_account_down_and_the_owner_gets_in_after_the_delay(app, world, clock):
    client = app.test_client()
    for _ in range(5):
        assert login(client, "redac@oph.test", "mauvais").status_code == 401
    # The sixth attempt comes within the first delay: refused, and not counted.
    response = login(client, "redac@oph.test", PASSWORD)
    assert response.status_code == 429
    assert "réessayez dans 2 secondes" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "2"
    assert _attempts(app) == 5
    clock.advance(2)
    assert login(client, "redac@oph.test", "mauvais").status_code == 401
    clock.advance(3)  # the delay doubled: 4 s
    assert login(client, "redac@oph.test", PASSWORD).status_code == 429
    clock.advance(1)
    assert login(client, "redac@oph.test", PASSWORD).status_code == 302
    # The success reset the account's counter: a typo is a plain failure again.
    assert login(app.test_client(), "redac@oph.test", "mauvais").status_code == 401
    assert login(app.test_client(), "redac@oph.test", PASSWORD).status_code == 302


def test_a_slow_trickle_of_failures_never_locks_the_owner_out(app, world, clock):
    client = app.test_client()
    for _ in range(40):
        login(client, "redac@oph.test", "mauvais")  # most of them refused, uncounted
        clock.advance(20)
    clock.advance(300)  # the delay never grows past its cap
    assert login(client, "redac@oph.test", PASSWORD).status_code == 302


def test_one_account_s_failures_do_not_slow_another_account(app, world, clock):
    client = app.test_client()
    for _ in range(8):
        login(client, "redac@oph.test", "mauvais")
    assert login(client, "redac@oph.test", PASSWORD).status_code == 429
    assert login(client, "sign@epci.test").status_code == 302


def test_spraying_from_one_address_is_slowed_but_a_colleague_there_gets_in(app, world, clock):
    app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] = 3
    # A colleague who has logged in from the office's address before.
    assert login(app.test_client(), "sign@epci.test").status_code == 302
    attacker = app.test_client()
    for i in range(3):
        assert login(attacker, f"inconnu{i}@nulle.part", "x").status_code == 401
    assert login(attacker, "autre@esh.test", "x").status_code == 429
    assert login(attacker, "asso@dep.test", "123456").status_code == 429
    assert _attempts(app) == 4  # the refused ones were not counted
    # Behind the same NAT, the colleague's right password is heard at once...
    assert login(app.test_client(), "sign@epci.test").status_code == 302
    # ...but a right password for an account never seen from there waits its turn.
    assert login(app.test_client(), "redac@oph.test").status_code == 429
    clock.advance(2)
    assert login(app.test_client(), "redac@oph.test").status_code == 302


def test_an_unknown_or_inactive_account_costs_one_hash_check(app, world, monkeypatch):
    checks: list[str] = []

    def counting(pwhash: str, password: str) -> bool:
        checks.append(pwhash)
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    assert login(app.test_client(), "personne@nulle.part", "x").status_code == 401
    assert len(checks) == 1
    assert login(app.test_client(), "redac@oph.test", "mauvais").status_code == 401
    assert len(checks) == 2
    # The dummy hash is made with the configured method, as a real one is.
    assert checks[0].split("$")[0] == checks[1].split("$")[0]
    with app.app_context():
        set_user_active(world.users["associe"], False)
    assert login(app.test_client(), "asso@dep.test").status_code == 401
    assert len(checks) == 3


def test_the_current_password_of_the_password_page_is_throttled(app, world, clock):
    client = logged_in(app, "redac@oph.test")
    form = {"current": "mauvais", "new": "nouveau-secret-1", "confirm": "nouveau-secret-1"}
    for _ in range(5):
        assert post_form(client, "/account/password", form).status_code == 400
    right = dict(form, current=PASSWORD)
    response = post_form(client, "/account/password", right)
    assert response.status_code == 429
    assert "réessayez dans 2 secondes" in response.get_data(as_text=True)
    clock.advance(2)
    assert post_form(client, "/account/password", right).status_code == 302
    assert login(app.test_client(), "redac@oph.test", "nouveau-secret-1").status_code == 302


def test_a_password_change_revokes_the_api_tokens(app, world):
    headers = api_headers(app, "redac@oph.test")
    client = app.test_client()
    assert client.get("/api/conventions", headers=headers).status_code == 200
    browser = logged_in(app, "redac@oph.test")
    response = post_form(
        browser,
        "/account/password",
        {"current": PASSWORD, "new": "nouveau-secret-1", "confirm": "nouveau-secret-1"},
    )
    assert response.status_code == 302
    response = browser.get(response.headers["Location"])
    assert "API ont été révoqués" in response.get_data(as_text=True)
    assert client.get("/api/conventions", headers=headers).status_code == 401
    with app.app_context():
        assert (
            db_session().scalar(select(func.count(ApiToken.id)).where(ApiToken.revoked.is_(False)))
            == 0
        )


def _proxied_app(database_url: str, proxies: int):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "TRUSTED_PROXIES": proxies,
        }
    )


@pytest.mark.parametrize(("proxies", "recorded"), [(0, "10.0.0.1"), (1, "203.0.113.7")])
def test_x_forwarded_for_is_believed_only_behind_a_configured_proxy(
    world, database_url, proxies, recorded
):
    application = _proxied_app(database_url, proxies)
    client = application.test_client()
    environ = {"REMOTE_ADDR": "10.0.0.1"}
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"email": "redac@oph.test", "password": "mauvais", "csrf_token": token},
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base=environ,
    )
    assert response.status_code == 401
    with application.app_context():
        assert db_session().scalars(select(LoginAttempt.address)).all() == [recorded]
    application.extensions["cosigne_engine"].dispose()


def test_the_trusted_proxy_count_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COSIGNE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COSIGNE_TRUSTED_PROXIES", raising=False)
    assert load_config().TRUSTED_PROXIES == 0
    monkeypatch.setenv("COSIGNE_TRUSTED_PROXIES", "2")
    assert load_config().TRUSTED_PROXIES == 2


def test_guesses_sent_at_once_are_heard_one_after_the_other(app, world, clock, monkeypatch):
    """Two wrong passwords at once when one failure is left before the delay: with real
    connections, the second waits for the first (SQLite writes one at a time; on
    PostgreSQL a lock per account) and finds the delay started. Each attempt, once it has
    counted the failures, waits a second at most for the other: without the lock both
    would have counted four failures and both would be heard."""
    client = app.test_client()
    for _ in range(4):
        assert login(client, "redac@oph.test", "mauvais").status_code == 401
    counted = threading.Barrier(2, timeout=1)
    check = operations._checks

    def checks(user, password):
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait()  # broken when the other waits for the lock, as it should
        return check(user, password)

    monkeypatch.setattr(operations, "_checks", checks)
    start = threading.Barrier(2)
    outcome: list[object] = [None, None]

    def guess(index: int) -> None:
        with app.app_context():
            start.wait()
            try:
                outcome[index] = operations.authenticate("redac@oph.test", "mauvais", "10.0.0.9")
            except Exception as exc:  # reported as the test's failure
                outcome[index] = exc

    threads = [threading.Thread(target=guess, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.throttled for r in outcome) == [False, True], outcome  # type: ignore[union-attr]
    assert _attempts(app) == 5


def test_a_trusted_proxy_count_that_is_not_a_number_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("COSIGNE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COSIGNE_TRUSTED_PROXIES", "deux")
    with pytest.raises(RuntimeError, match="COSIGNE_TRUSTED_PROXIES must be a number"):
        load_config()
