"""Characters that break things later (issue 13): what a user types is stored clean of
the characters XML 1.0 forbids (the Word export writes every stored text), and a NUL
byte anywhere (PostgreSQL refuses it in a text) is never a 500."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Enum, String, select

from app.db import db_session
from app.models import (
    Base,
    CleanString,
    Comment,
    IndicatorValue,
    KbDocument,
    LoginAttempt,
    Meeting,
    Membership,
    Organisation,
    Revision,
    User,
)
from tests.conftest import World, api_client, logged_in, login, post_form
from tests.factories import make_user
from tests.integration.kb.helpers import upload_and_run
from workflows.conventions import OrganisationKind

# Every character XML 1.0 refuses that a browser or an API client can send, and those
# it allows around them (tab, newline, carriage return, the rest of Unicode).
FORBIDDEN = "\x00\x01\x08\x0b\x0c\x1b\ufffe\uffff\ud800"


def test_every_text_column_is_stored_through_the_cleaning_type():
    # One boundary for every stored text: a new column declared with a plain String or
    # Text would store (and bind in its filters) whatever it is given.
    plain = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        # Enums are a closed list of values, each validated on write.
        if isinstance(column.type, String) and not isinstance(column.type, Enum)
    ]
    assert plain == []
    cleaned = [
        column
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, CleanString)
    ]
    assert len(cleaned) > 40
    assert all(isinstance(column.type.impl, String) for column in cleaned)


def _export(client: FlaskClient, headers: dict[str, str], convention_id: int, query: str = ""):
    return client.get(f"/api/conventions/{convention_id}/export.docx{query}", headers=headers)


def test_a_body_with_forbidden_characters_is_stored_clean_and_the_export_works(app, world):
    client, headers = api_client(app, "redac@oph.test")
    body = f"Premier{FORBIDDEN} texte,\ttabulé.\r\n\r\nSecond paragraphe é ☃ 𝄞."
    response = client.post(
        f"/api/sections/{world.section_id}/revisions",
        json={"base_revision": 1, "body": body, "message": f"Avec{FORBIDDEN} contrôles"},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        stored = (
            db_session()
            .scalars(
                select(Revision).where(
                    Revision.section_id == world.section_id, Revision.number == 2
                )
            )
            .one()
        )
        assert stored.body == "Premier texte,\ttabulé.\n\nSecond paragraphe é ☃ 𝄞."
        assert stored.message == "Avec contrôles"
    response = _export(client, headers, world.convention_id)
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


def test_a_partners_comment_with_a_control_character_leaves_the_export_working(app, world):
    partner = logged_in(app, "asso@dep.test")
    response = post_form(
        partner,
        f"/threads/{world.thread_id}/reply",
        {"body": "Voir\x01 l'article\x0b 3\x1b."},
        page=f"/sections/{world.section_id}",
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        bodies = db_session().scalars(select(Comment.body)).all()
        assert "Voir l'article 3." in bodies
        assert not any(set(FORBIDDEN) & set(body) for body in bodies)
    client, headers = api_client(app, "redac@oph.test")
    response = _export(client, headers, world.convention_id, "?comments=1")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


def test_an_organisation_name_with_a_control_character_is_stored_clean(app, world):
    with app.app_context():
        make_user("root@cosigne.test", "Cosigne admin", OrganisationKind.AUTRE, is_admin=True)
    admin = logged_in(app, "root@cosigne.test")
    response = post_form(
        admin,
        "/admin/users",
        {
            "email": "neuve@epci.test",
            "name": "Neuve\x0c",
            "organisation": "EPCI\x08 Nouvelle\uffff",
            "organisation_kind": "epci",
            "password": "bienvenue-2026",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        names = db_session().scalars(select(Organisation.name)).all()
        assert "EPCI Nouvelle" in names
        user = db_session().scalars(select(User).where(User.email == "neuve@epci.test")).one()
        assert user.name == "Neuve"


def test_a_filter_binds_the_cleaned_value_too(app, world):
    # The same cleaning on a value compared in a query: looking up what was stored
    # with what was typed finds it.
    with app.app_context():
        found = db_session().scalars(
            select(Organisation).where(Organisation.name == "EPCI\x01 Test")
        )
        assert found.one().name == "EPCI Test"


# --- a NUL byte, in every place it was once a 500 on PostgreSQL --------------------------


@dataclass(frozen=True)
class Case:
    name: str
    send: Callable[[Flask, World], object]
    status: int
    # The column that stores what was sent, and the value it holds once cleaned.
    stored: tuple[object, str] | None = None


def _login(app: Flask, world: World):
    return login(app.test_client(), "redac\x00@oph.test", "mauvais")


def _journal_web(app: Flask, world: World):
    client = logged_in(app, "obs@obs.test")
    return client.get(f"/conventions/{world.convention_id}/events?action=%00")


def _journal_api(app: Flask, world: World):
    client, headers = api_client(app, "obs@obs.test")
    return client.get(f"/api/conventions/{world.convention_id}/events?action=%00", headers=headers)


def _revision_message(app: Flask, world: World):
    client, headers = api_client(app, "redac@oph.test")
    return client.post(
        f"/api/sections/{world.section_id}/revisions",
        json={"base_revision": 1, "body": "Texte revu.", "message": "re\x00vu"},
        headers=headers,
    )


def _meeting_place(app: Flask, world: World):
    client = logged_in(app, "redac@oph.test")
    return post_form(
        client,
        f"/conventions/{world.convention_id}/meetings",
        {"title": "Réunion NUL", "meeting_on": "2026-04-02", "place": "Sal\x00le"},
    )


def _indicator_scope(app: Flask, world: World):
    client = logged_in(app, "redac@oph.test")
    return post_form(
        client,
        f"/conventions/{world.convention_id}/indicateurs/valeurs",
        {
            "code": "G.III",
            "scope": "Ensemble\x00 du patrimoine",
            "year": "2025",
            "kind": "cible",
            "var_V1": "30",
            "var_V2": "200",
        },
    )


def _member_email(app: Flask, world: World):
    client = logged_in(app, "redac@oph.test")
    response = post_form(
        client,
        f"/conventions/{world.convention_id}/members/add",
        {"organisation_id": "", "role": "associe", "user_email": "autre\x00@esh.test"},
    )
    with app.app_context():
        outsider = db_session().scalars(select(User).where(User.email == "autre@esh.test")).one()
        assert (
            db_session()
            .scalars(
                select(Membership).where(
                    Membership.convention_id == world.convention_id,
                    Membership.user_id == outsider.id,
                )
            )
            .one()
        )
    return response


def _upload_name(app: Flask, world: World):
    client = logged_in(app, "redac@oph.test")
    return upload_and_run(
        app, client, "guide\x00nul.md", b"# Guide\n\nUn guide de concertation locative."
    )


def _admin_user_email(app: Flask, world: World):
    with app.app_context():
        make_user("root@cosigne.test", "Cosigne admin", OrganisationKind.AUTRE, is_admin=True)
    admin = logged_in(app, "root@cosigne.test")
    return post_form(
        admin,
        "/admin/users",
        {
            "email": "nul\x00@epci.test",
            "name": "Nul",
            "organisation": "EPCI Test",
            "organisation_kind": "epci",
            "password": "bienvenue-2026",
        },
    )


CASES = [
    # A failed login is recorded (throttling) under the address as cleaned.
    Case("login e-mail", _login, 401, (LoginAttempt.email, "redac@oph.test")),
    Case("journal filter (web)", _journal_web, 200),
    Case("journal filter (API)", _journal_api, 200),
    Case("revision message", _revision_message, 201, (Revision.message, "revu")),
    Case("meeting place", _meeting_place, 303, (Meeting.place, "Salle")),
    Case(
        "indicator scope", _indicator_scope, 303, (IndicatorValue.scope, "Ensemble du patrimoine")
    ),
    # The address as cleaned is a known account's: it becomes a member.
    Case("member e-mail", _member_email, 302),
    Case("upload file name", _upload_name, 303, (KbDocument.filename, "guidenul.md")),
    Case("admin's user e-mail", _admin_user_email, 302, (User.email, "nul@epci.test")),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_nul_byte_is_cleaned_never_a_500(app, world, case):
    response = case.send(app, world)
    assert response.status_code == case.status, response.get_data(as_text=True)[:2000]
    if case.stored is None:
        return
    column, value = case.stored
    with app.app_context():
        values = db_session().scalars(select(column)).all()
        assert value in values
        assert not [v for v in values if "\x00" in v]
