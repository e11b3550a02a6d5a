"""The conventions API, read from the list of conventions down to one revision of a section."""

from __future__ import annotations

from tests.conftest import api_headers


def test_reads(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    conventions = client.get("/api/conventions", headers=headers).get_json()["conventions"]
    assert [(c["title"], c["role"], c["end_year"]) for c in conventions] == [
        ("CUS test", "redacteur", 2030)
    ]
    detail = client.get(f"/api/conventions/{world.convention_id}", headers=headers).get_json()
    assert {m["role"] for m in detail["members"]} == {
        "redacteur",
        "signataire",
        "associe",
        "observateur",
    }
    sections = client.get(
        f"/api/conventions/{world.convention_id}/sections", headers=headers
    ).get_json()["sections"]
    assert len(sections) == 8 and sections[0]["current_revision"]["number"] == 1
    assert "body" not in sections[0]["current_revision"]
    section = client.get(f"/api/sections/{world.section_id}", headers=headers).get_json()
    assert section["current_revision"]["body"] == "Premier texte de la section."
    revisions = client.get(
        f"/api/sections/{world.section_id}/revisions", headers=headers
    ).get_json()
    assert [r["number"] for r in revisions["revisions"]] == [1]
    one = client.get(f"/api/sections/{world.section_id}/revisions/1", headers=headers).get_json()
    assert one["body"] == "Premier texte de la section." and one["author"]["name"]
