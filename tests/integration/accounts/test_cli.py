"""`flask users`: accounts created and listed, API tokens issued."""

from __future__ import annotations

import json


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
