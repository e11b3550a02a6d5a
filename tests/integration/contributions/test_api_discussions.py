"""Discussions through the API, as the section and contribution pages hold them: open
one on a quoted passage, reply, resolve and reopen; who may, and bad input that writes
nothing. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import Comment, CommentThread
from tests.conftest import api_client, api_headers
from tests.integration.api_answers import call


def _count(app, model) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def test_open_a_discussion_on_a_passage_reply_and_read_it(app, world):
    client, partner = api_client(app, "asso@dep.test")
    url = f"/api/sections/{world.section_id}/threads"
    opened = call(
        client, "POST", url, partner, 201, json={"body": "Pourquoi ce mot ?", "quote": "texte"}
    )
    assert opened["quote"] == "texte" and opened["revision_number"] == 1
    assert [c["body"] for c in opened["comments"]] == ["Pourquoi ce mot ?"]
    assert not opened["resolved"] and opened["author"]["id"] == world.users["associe"]

    signer = api_headers(app, "sign@epci.test")
    thread_url = f"/api/threads/{opened['id']}"
    replied = call(
        client, "POST", f"{thread_url}/replies", signer, 201, json={"body": "Pour préciser. @Asso"}
    )
    assert [c["body"] for c in replied["comments"]] == ["Pourquoi ce mot ?", "Pour préciser. @Asso"]
    assert replied["comments"][1]["mentions"] == [world.users["associe"]]

    # Read back as the pages do: one discussion, and the section's list.
    shown = call(client, "GET", thread_url, signer, 200)
    assert len(shown["comments"]) == 2
    listed = call(client, "GET", url, signer, 200)["threads"]
    assert {t["id"] for t in listed} == {world.thread_id, opened["id"]}
    assert all(t["detached"] is False for t in listed)
    with app.app_context():
        assert db_session().get(CommentThread, opened["id"]).quote == "texte"
    # The mentioned author is told, with the link to the discussion (GET /api/notifications).
    told = call(client, "GET", "/api/notifications", partner, 200)["notifications"]
    assert any(
        n["kind"] in ("mention", "reponse") and n["url"].endswith(f"#fil-{opened['id']}")
        for n in told
    ), told


def test_a_discussion_on_a_contribution_is_listed_with_it(app, world):
    client, drafter = api_client(app, "redac@oph.test")
    url = f"/api/sections/{world.section_id}/threads"
    opened = call(
        client,
        "POST",
        url,
        drafter,
        201,
        json={"body": "Sur cette proposition.", "contribution_id": world.contribution_id},
    )
    assert opened["contribution_id"] == world.contribution_id
    on_it = call(client, "GET", f"{url}?contribution={world.contribution_id}", drafter, 200)
    assert [t["id"] for t in on_it["threads"]] == [opened["id"]]
    on_section = call(client, "GET", url, drafter, 200)
    assert opened["id"] not in {t["id"] for t in on_section["threads"]}
    assert client.get(f"{url}?contribution=abc", headers=drafter).status_code == 400


def test_resolve_and_reopen_by_the_author_or_a_drafter_only(app, world):
    client = app.test_client()
    thread = f"/api/threads/{world.thread_id}"  # opened by the associé
    signer = api_headers(app, "sign@epci.test")
    refused = call(client, "POST", f"{thread}/resolve", signer, 403)
    assert "auteur" in refused["error"]
    observer = api_headers(app, "obs@obs.test")
    call(client, "POST", f"{thread}/resolve", observer, 403)
    with app.app_context():
        assert db_session().get(CommentThread, world.thread_id).resolved is False

    author = api_headers(app, "asso@dep.test")
    resolved = call(client, "POST", f"{thread}/resolve", author, 200)
    assert resolved["resolved"] and resolved["resolved_by"] == "Asso"
    again = call(client, "POST", f"{thread}/resolve", author, 400)
    assert "déjà résolu" in again["error"]
    drafter = api_headers(app, "redac@oph.test")
    reopened = call(client, "POST", f"{thread}/reopen", drafter, 200)
    assert reopened["resolved"] is False and reopened["resolved_at"] is None
    with app.app_context():
        assert db_session().get(CommentThread, world.thread_id).resolved is False


def test_bad_input_and_roles_that_may_not_comment_write_nothing(app, world):
    client, partner = api_client(app, "asso@dep.test")
    url = f"/api/sections/{world.section_id}/threads"
    threads, comments = _count(app, CommentThread), _count(app, Comment)
    assert "obligatoire" in call(client, "POST", url, partner, 400, json={"body": "  "})["error"]
    call(client, "POST", url, partner, 400, json={"body": 3})
    call(client, "POST", url, partner, 400, data="body=x", content_type="text/plain")
    # A contribution of another section is not found from this one.
    call(
        client,
        "POST",
        url,
        partner,
        404,
        json={"body": "x", "contribution_id": world.other_contribution_id},
    )
    call(client, "POST", url, partner, 400, json={"body": "x", "quote": "t", "revision_number": 9})
    call(client, "POST", url, api_headers(app, "obs@obs.test"), 403, json={"body": "Lu."})
    call(client, "POST", url, api_headers(app, "autre@esh.test"), 403, json={"body": "Lu."})
    reply = f"/api/threads/{world.thread_id}/replies"
    call(client, "POST", reply, partner, 400, json={})
    call(client, "POST", reply, api_headers(app, "obs@obs.test"), 403, json={"body": "Moi aussi."})
    call(client, "POST", "/api/threads/987654/replies", partner, 404, json={"body": "x"})
    assert (_count(app, CommentThread), _count(app, Comment)) == (threads, comments)
