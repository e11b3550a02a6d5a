"""Managing sections through the API as the convention and section pages do: add,
rename, move, restore an old revision; the roles and phases that may not, and bad
input, change nothing. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

from app.sections import queries
from tests.conftest import api_client, api_headers
from tests.factories import set_state, write
from tests.integration.api_answers import call
from workflows.lifecycle import ConventionState


def _titles(app, world) -> list[str]:
    with app.app_context():
        return [s.title for s in queries.sections_with_current(world.convention_id)]


def test_add_rename_and_move_a_section(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/conventions/{world.convention_id}/sections"
    before = _titles(app, world)
    added = call(client, "POST", url, drafter, 201, json={"title": "Annexe financière"})
    assert added["title"] == "Annexe financière" and added["current_revision"] is None
    assert _titles(app, world) == [*before, "Annexe financière"]
    renamed = call(
        client,
        "POST",
        f"/api/sections/{added['id']}/rename",
        drafter,
        200,
        json={"title": "Annexe budgétaire"},
    )
    assert renamed["title"] == "Annexe budgétaire"
    moved = call(
        client, "POST", f"/api/sections/{added['id']}/move", drafter, 200, json={"direction": "up"}
    )
    titles = [s["title"] for s in moved["sections"]]
    assert titles == [*before[:-1], "Annexe budgétaire", before[-1]]
    assert _titles(app, world) == titles
    listed = call(client, "GET", url, drafter, 200)
    assert [s["title"] for s in listed["sections"]] == titles


def test_restore_an_old_revision(app, world):
    with app.app_context():
        write(world.section_id, world.users["redacteur"], "Deuxième texte.")
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/sections/{world.section_id}/revisions/1/restore"
    stale = call(client, "POST", url, drafter, 409, json={"base_revision": 1})
    assert stale["current"]["number"] == 2
    restored = call(client, "POST", url, drafter, 201, json={"base_revision": 2})
    assert restored["number"] == 3
    with app.app_context():
        revision = queries.revision(world.section_id, 3)
        assert revision.body == "Premier texte de la section." and revision.restored_from == 1
    call(
        client,
        "POST",
        f"/api/sections/{world.section_id}/revisions/9/restore",
        drafter,
        404,
        json={"base_revision": 3},
    )
    call(client, "POST", url, api_headers(app, "sign@epci.test"), 403, json={"base_revision": 3})
    with app.app_context():
        assert queries.revision_count(world.section_id) == 3


def test_partners_and_bad_input_change_no_section(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/conventions/{world.convention_id}/sections"
    before = _titles(app, world)
    section = f"/api/sections/{world.section_id}"
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        headers = api_headers(app, email)
        call(client, "POST", url, headers, 403, json={"title": "Pirate"})
        call(client, "POST", f"{section}/rename", headers, 403, json={"title": "Pirate"})
        call(client, "POST", f"{section}/move", headers, 403, json={"direction": "down"})
    call(client, "POST", url, drafter, 400, json={"title": "  "})
    call(client, "POST", url, drafter, 400, json={"title": 12})
    call(client, "POST", f"{section}/rename", drafter, 400, json={"title": "x" * 1000})
    call(client, "POST", f"{section}/move", drafter, 400, json={"direction": "left"})
    assert _titles(app, world) == before
    # Once transmitted, the text (and its sections) no longer change.
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    call(client, "POST", url, drafter, 409, json={"title": "Trop tard"})
    call(client, "POST", f"{section}/rename", drafter, 409, json={"title": "Trop tard"})
    assert _titles(app, world) == before
