"""The note d'enjeux through the API, as its page does it: recorded (201) and amended
(200) in JSON, its file added by multipart, downloaded and removed; bad input and other
roles refused with nothing written. Every answer is checked against the OpenAPI
document."""

from __future__ import annotations

import io
from datetime import date, timedelta

from tests.conftest import api_client, api_headers
from tests.integration.api_answers import call
from tests.integration.enjeux.helpers import PDF, STATE, docx_bytes, section_ids, stored, with_state


def test_record_amend_and_file_through_the_api(app, world):
    with_state(app, world)
    first, second, *_ = section_ids(app, world.convention_id)
    client, state = api_client(app, STATE)
    url = f"/api/conventions/{world.convention_id}/note-enjeux"
    reader = api_headers(app, "obs@obs.test")
    assert call(client, "GET", url, reader, 200) == {"note": None}
    day = (date.today() - timedelta(days=5)).isoformat()
    created = call(
        client,
        "POST",
        url,
        state,
        201,
        json={
            "noted_on": day,
            "points": [
                {"kind": "enjeu", "text": "Produire des PLAI.", "sections": [first, second]},
                {"kind": "objectif", "text": "Zéro passoire.", "sections": [second]},
            ],
        },
    )
    assert created["noted_on"] == day and created["version"] == 1 and created["file"] is None
    assert [(p["kind"], p["sections"]) for p in created["points"]] == [
        ("enjeu", [first, second]),
        ("objectif", [second]),
    ]
    assert created["recorded_by_state"] is True
    # The date alone amended: the points stay.
    later = (date.today() - timedelta(days=4)).isoformat()
    amended = call(client, "POST", url, state, 200, json={"noted_on": later, "version": 1})
    assert amended["version"] == 2 and len(amended["points"]) == 2
    stale = call(client, "POST", url, state, 409, json={"noted_on": day, "version": 1})
    assert "entre-temps" in stale["error"]
    with_file = call(
        client,
        "POST",
        f"{url}/file",
        state,
        200,
        data={"file": (io.BytesIO(PDF), "note.pdf")},
        content_type="multipart/form-data",
    )
    assert with_file["file"] == {"name": "note.pdf", "type": "application/pdf", "size": len(PDF)}
    download = client.get(f"{url}/file", headers=reader)
    assert download.status_code == 200 and download.data == PDF
    refused = call(
        client,
        "POST",
        f"{url}/file",
        state,
        400,
        data={"file": (io.BytesIO(docx_bytes()), "note.pdf")},
        content_type="multipart/form-data",
    )
    assert "n'est pas un PDF" in refused["error"]
    assert client.delete(f"{url}/file", headers=state).status_code == 204
    assert call(client, "GET", url, reader, 200)["note"]["file"] is None
    assert client.get(f"{url}/file", headers=reader).status_code == 404
    assert stored(app, world.convention_id) == (1, 2, 4)


def test_bad_input_and_other_roles_are_refused_through_the_api(app, world):
    with_state(app, world)
    first, *_ = section_ids(app, world.convention_id)
    client, state = api_client(app, STATE)
    url = f"/api/conventions/{world.convention_id}/note-enjeux"
    good = {
        "noted_on": date.today().isoformat(),
        "points": [{"kind": "enjeu", "text": "Un enjeu.", "sections": [first]}],
    }
    for body, words in (
        ({**good, "noted_on": "demain"}, "n'est pas une date valide"),
        ({**good, "noted_on": ""}, "La date de la note est obligatoire"),
        ({**good, "points": "tout"}, "doit être une liste"),
        ({**good, "points": [{"kind": "vœu", "text": "x", "sections": [first]}]}, "enjeu"),
        ({**good, "points": [{"kind": "enjeu", "text": "x", "sections": []}]}, "rattachez"),
        ({**good, "points": [{"kind": "enjeu", "text": "x", "sections": ["1"]}]}, "sections"),
        ({**good, "points": [good["points"][0]] * 41}, "40 au plus"),
    ):
        answer = call(client, "POST", url, state, 400, json=body)
        assert words in answer["error"], (body, answer)
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test"):
        call(client, "POST", url, api_headers(app, email), 403, json=good)
    assert stored(app, world.convention_id) == (0, 0, 0)
    call(client, "POST", url, api_headers(app, "redac@oph.test"), 201, json=good)
    assert stored(app, world.convention_id) == (1, 1, 1)
