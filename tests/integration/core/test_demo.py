"""`flask demo`: the demonstration data, loaded once and usable, refused in production."""

from __future__ import annotations

from app.access import conventions_for
from app.accounts import queries as accounts
from app.sections import queries
from tests.conftest import login


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
    client = app.test_client()
    assert login(client, "habitat@epci.demo", "demo").status_code == 302


def test_production_profile_refuses_the_demo(app):
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert accounts.users() == []
