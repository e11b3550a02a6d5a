"""The command line: accounts, tokens, demo data, migrations."""

from __future__ import annotations

import json

from app.access import conventions_for
from app.accounts import queries as accounts
from app.migrations import differences, upgrade
from app.models import Base
from app.sections import queries


def test_users_create_list_and_token(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "marie@oph.test",
            "--name",
            "Marie",
            "--organisation",
            "OPH Test",
            "--password",
            "un-mot-de-passe",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "marie@oph.test",
            "--name",
            "Marie",
            "--organisation",
            "OPH Test",
            "--password",
            "un-mot-de-passe",
        ]
    )
    assert result.exit_code != 0 and "existe déjà" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "court@oph.test",
            "--name",
            "C",
            "--organisation",
            "OPH Test",
            "--password",
            "court",
        ]
    )
    assert result.exit_code != 0 and "8 caractères" in result.output
    listed = json.loads(runner.invoke(args=["users", "list", "--json"]).output)
    assert [u["email"] for u in listed] == ["marie@oph.test"]
    token = runner.invoke(args=["users", "token", "marie@oph.test"]).output.strip()
    assert token.startswith("cos_")
    response = app.test_client().get(
        "/api/conventions", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200 and response.get_json() == {"conventions": []}
    assert runner.invoke(args=["users", "token", "absent@oph.test"]).exit_code != 0


def test_demo_loads_once_and_is_usable(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "redaction@oph.demo" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "déjà présentes" in second.output
    with app.app_context():
        users = accounts.users()
        assert len(users) == 6
        assert [u.email for u in users if u.is_admin] == ["admin@cosigne.demo"]
        drafter = next(u for u in users if u.email == "redaction@oph.demo")
        conventions = conventions_for(drafter)
        assert sorted(c.kind.value for c, _ in conventions) == ["contractualisation_cadre", "cus"]
        observer = next(u for u in users if u.email == "lecture@observatoire.demo")
        assert [c.kind.value for c, _ in conventions_for(observer)] == ["cus"]
        cus = next(c for c, _ in conventions if c.kind.value == "cus")
        sections = queries.sections_with_current(cus.id)
        assert sum(1 for s in sections if s.current_revision and s.current_revision.number > 1) >= 2
    from tests.conftest import login

    client = app.test_client()
    assert login(client, "habitat@epci.demo", "demo").status_code == 302


def test_production_profile_refuses_the_demo(app):
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert accounts.users() == []


def test_migrations_build_the_schema_the_models_describe(app, tmp_path):
    """Upgrade a brand-new database with Alembic and compare it with the models."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        cleanup = None
    else:
        schema = "cosigne_migrations_check"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(
            make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        )

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    try:
        upgrade(engine)
        assert differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        upgrade(engine)  # a second upgrade is a no-op
    finally:
        engine.dispose()
        if cleanup:
            cleanup()
