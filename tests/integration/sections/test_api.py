"""The sections API: who writes, saving with conflicts, the diff, bad input answered in
JSON, pages of revisions."""

from __future__ import annotations

from tests.conftest import api_headers


def test_observer_reads_but_cannot_write(app, world):
    client = app.test_client()
    headers = api_headers(app, "obs@obs.test")
    assert client.get(f"/api/sections/{world.section_id}", headers=headers).status_code == 200
    response = client.post(
        f"/api/sections/{world.section_id}/revisions",
        json={"base_revision": 1, "body": "x"},
        headers=headers,
    )
    assert response.status_code == 403 and "error" in response.get_json()


def test_save_conflict_and_diff(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    url = f"/api/sections/{world.section_id}/revisions"
    response = client.post(
        url,
        json={"base_revision": 1, "body": "Premier texte revu de la section.", "message": "API"},
        headers=headers,
    )
    assert response.status_code == 201 and response.get_json() == {
        "number": 2,
        "review_notice": None,
    }
    assert response.headers["Location"].endswith(f"/api/sections/{world.section_id}/revisions/2")
    response = client.post(url, json={"base_revision": 1, "body": "Autre texte."}, headers=headers)
    assert response.status_code == 409
    data = response.get_json()
    assert (
        data["current"]["number"] == 2
        and data["current"]["body"] == "Premier texte revu de la section."
    )
    diff = client.get(
        f"/api/sections/{world.section_id}/diff?from=1&to=2", headers=headers
    ).get_json()
    assert diff["stats"]["inserted_words"] > 0 and diff["paragraphs"][0]["op"] == "change"
    spans = [(s["op"], s["text"].strip()) for s in diff["paragraphs"][0]["spans"]]
    assert ("insert", "revu") in spans and ("equal", "Premier texte") in spans


def test_bad_input_is_json_and_changes_nothing(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    url = f"/api/sections/{world.section_id}/revisions"
    cases = [
        (dict(data="pas du json", content_type="application/json"), 400),
        (dict(json=[1, 2]), 400),
        (dict(json={"body": "x"}), 400),
        (dict(json={"base_revision": "un", "body": "x"}), 400),
        (dict(json={"base_revision": 1, "body": 42}), 400),
        (dict(json={"base_revision": 1, "body": "x" * 1_000_001}), 413),
        (dict(data="x" * (5 * 1024 * 1024), content_type="application/json"), 413),
    ]
    for kwargs, status in cases:
        response = client.post(url, headers=headers, **kwargs)
        assert response.status_code == status, (kwargs.keys(), response.status_code)
        assert response.is_json and response.get_json()["error"]
    revisions = client.get(
        f"/api/sections/{world.section_id}/revisions", headers=headers
    ).get_json()
    assert len(revisions["revisions"]) == 1
    assert (
        client.get(f"/api/sections/{world.section_id}/diff?from=1", headers=headers).status_code
        == 400
    )
    assert (
        client.get(
            f"/api/sections/{world.section_id}/diff?from=1&to=7", headers=headers
        ).status_code
        == 404
    )


def test_revisions_are_paginated(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    url = f"/api/sections/{world.section_id}/revisions"
    for base in range(1, 5):
        body = f"Texte numéro {base + 1}."
        assert (
            client.post(
                url, json={"base_revision": base, "body": body}, headers=headers
            ).status_code
            == 201
        )
    page = client.get(f"{url}?limit=2&offset=1", headers=headers).get_json()
    assert page["total"] == 5 and [r["number"] for r in page["revisions"]] == [4, 3]
    assert client.get(f"{url}?limit=0", headers=headers).status_code == 400
    assert client.get(f"{url}?offset=-1", headers=headers).status_code == 400
