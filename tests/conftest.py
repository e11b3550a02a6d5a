"""Test fixtures: a fresh database per test, on SQLite or (COSIGNE_TEST_DATABASE_URL)
PostgreSQL, CSRF on, the shared ``world`` (built with tests/factories.py), and the
helpers of a client that logs in, posts forms with their CSRF token, or calls the API."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts.operations import create_api_token
from app.contributions.operations import create_contribution, open_thread
from app.db import db_session
from app.models import Base, User
from app.register.operations import add_meeting
from tests.factories import (
    PASSWORD,
    first_section,
    make_convention,
    make_user,
    set_state,
    write,
)
from tests.integration.api_answers import conforms
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

POSTGRES_URL = os.environ.get("COSIGNE_TEST_DATABASE_URL")


def pytest_configure() -> None:
    # No embedding model in the suite, for every application it builds (and the servers
    # it starts): BM25 alone, as the tests were written for. The hybrid search has tests
    # of its own, with a small deterministic model (tests/unit/knowledge/search).
    os.environ["COSIGNE_EMBEDDINGS"] = "none"


def pytest_report_header() -> str:
    return f"cosigne database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str | None]:
    """A fresh schema for this run, dropped at the end; None on SQLite."""
    if not POSTGRES_URL:
        yield None
        return
    schema = f"cosigne_test_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database_url(tmp_path, postgres_schema_url) -> Iterator[str]:
    if postgres_schema_url is None:
        url = f"sqlite:///{tmp_path / 'cosigne.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    yield postgres_schema_url
    engine = create_engine(postgres_schema_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(tmp_path, monkeypatch, database_url) -> Iterator[Flask]:
    monkeypatch.setenv("COSIGNE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COSIGNE_ENV", raising=False)
    # A cheap hash keeps the suite fast; production hashes with scrypt (config.py).
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    assert application.config["WTF_CSRF_ENABLED"] is not False
    # Every API answer of every test is held to the OpenAPI document (status and shape).
    application.after_request(conforms)
    # No app context stays pushed: a request reuses a pushed context (and its ``g``),
    # which real requests never do. Helpers that touch the database push their own.
    yield application
    application.extensions["cosigne_engine"].dispose()


@dataclass
class World:
    """A CUS with one user per role, an outsider with a convention of their own."""

    convention_id: int
    section_id: int
    other_convention_id: int
    other_section_id: int
    users: dict[str, int]  # role -> user id (objects would outlive their session)
    contribution_id: int = 0
    thread_id: int = 0
    meeting_id: int = 0
    other_contribution_id: int = 0
    other_thread_id: int = 0
    other_meeting_id: int = 0

    def user(self, role: str) -> User:
        """The user of ``role`` ("redacteur", "signataire"...), in the current session."""
        return db_session().get(User, self.users[role])


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        return _build_world()


def _build_world() -> World:
    users = {
        "redacteur": make_user("redac@oph.test", "OPH Test", OrganisationKind.OPH),
        "signataire": make_user("sign@epci.test", "EPCI Test", OrganisationKind.EPCI),
        "associe": make_user("asso@dep.test", "Département Test", OrganisationKind.DEPARTEMENT),
        "observateur": make_user("obs@obs.test", "Observatoire Test", OrganisationKind.AUTRE),
        "outsider": make_user("autre@esh.test", "ESH Ailleurs", OrganisationKind.ESH),
    }
    cus = make_convention(
        users["redacteur"],
        title="CUS test",
        members={Role.SIGNATAIRE: [users["signataire"]], Role.ASSOCIE: [users["associe"]]},
        personal={Role.OBSERVATEUR: [users["observateur"]]},
    )
    other = make_convention(users["outsider"], title="CUS ailleurs")
    section_id = first_section(cus.id)
    write(section_id, users["redacteur"], "Premier texte de la section.", "v1")
    other_section = first_section(other.id)
    write(other_section, users["outsider"], "Texte ailleurs.", "v1")
    world = World(cus.id, section_id, other.id, other_section, {k: u.id for k, u in users.items()})
    # Both conventions stand in negotiation, with a contribution, a discussion and a
    # meeting each, so that every route has an object to point at.
    for convention_id in (cus.id, other.id):
        set_state(convention_id, ConventionState.NEGOCIATION)
    world.contribution_id, world.thread_id, world.meeting_id = _collaboration(
        cus.id, section_id, users["associe"], "Premier texte de la section, amendé.", "texte"
    )
    outsider = users["outsider"]
    (world.other_contribution_id, world.other_thread_id, world.other_meeting_id) = _collaboration(
        other.id, other_section, outsider, "Texte ailleurs, amendé.", "ailleurs"
    )
    return world


def _collaboration(
    convention_id: int, section_id: int, author: User, body: str, quote: str
) -> tuple[int, int, int]:
    contribution = create_contribution(section_id, author, 1, body, "Pour préciser.")
    thread = open_thread(section_id, author, "Une question sur ce passage.", quote=quote)
    meeting = add_meeting(
        convention_id, author, "Réunion d'association", date(2026, 3, 2), "Mairie", []
    )
    return contribution.id, thread.id, meeting.id


_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    html = client.get(page).get_data(as_text=True)
    match = _CSRF.search(html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_form(
    client: FlaskClient, url: str, data: dict | None = None, page: str = "/account/password"
):
    """POST a form with the session's CSRF token, as the browser does."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, page)
    return client.post(url, data=payload)


def edit_section(client: FlaskClient, section_id: int, base, body: str, message: str = ""):
    """Save a section from its edit page, with the session's CSRF token."""
    token = csrf_token(client, f"/sections/{section_id}/edit")
    return client.post(
        f"/sections/{section_id}/edit",
        data={"csrf_token": token, "base_revision": str(base), "body": body, "message": message},
    )


def api_headers(app: Flask, email: str) -> dict[str, str]:
    with app.app_context():
        return {"Authorization": f"Bearer {create_api_token(email)}"}


def api_client(app: Flask, email: str) -> tuple[FlaskClient, dict[str, str]]:
    """A client and the bearer headers of ``email``'s token."""
    return app.test_client(), api_headers(app, email)
