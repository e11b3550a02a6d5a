"""The préfet's note d'enjeux on the web: the State records it with its file and points,
amends it, the convention's page shows it, each section the points that concern it;
bad input is refused beside its fields with nothing written; who may record it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from app.db import db_session
from app.models import Event
from tests.conftest import csrf_token, logged_in
from tests.integration.enjeux.helpers import (
    PDF,
    STATE,
    docx_bytes,
    odt_bytes,
    section_ids,
    stored,
    with_state,
)

ENJEU = "Produire des PLAI dans les communes déficitaires."
OBJECTIF = "Aucun logement classé F ou G en fin de convention."


def _post(client, convention_id: int, data: dict, file=None):
    url = f"/conventions/{convention_id}/note-enjeux"
    payload = {"csrf_token": csrf_token(client, url), **data}
    if file is not None:
        payload["file"] = file
    return client.post(url, data=payload, content_type="multipart/form-data")


def _note(day: date, *points: tuple[str, str, list[int]], **extra) -> dict:
    data: dict = {"noted_on": day.isoformat(), **extra}
    for i, (kind, text, sections) in enumerate(points):
        data[f"points-{i}-kind"] = kind
        data[f"points-{i}-text"] = text
        data[f"points-{i}-sections"] = [str(s) for s in sections]
    return data


def test_the_state_records_the_note_shown_on_the_convention_and_beside_its_sections(app, world):
    with_state(app, world)
    first, second, third, *_ = section_ids(app, world.convention_id)
    client = logged_in(app, STATE)
    day = date.today() - timedelta(days=3)
    response = _post(
        client,
        world.convention_id,
        _note(day, ("enjeu", ENJEU, [first, second]), ("objectif", OBJECTIF, [second])),
        (io.BytesIO(PDF), "Note d'enjeux État.pdf"),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/conventions/{world.convention_id}#note-enjeux")
    assert stored(app, world.convention_id) == (1, 2, 1)

    # Every member reads it: the observateur too.
    reader = logged_in(app, "obs@obs.test")
    page = reader.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    block = page[page.index('id="note-enjeux"') :]
    assert day.strftime("%d/%m/%Y") in block and ENJEU in block and OBJECTIF in block
    assert "Note d&#39;enjeux État.pdf" in block
    download = reader.get(f"/conventions/{world.convention_id}/note-enjeux/fichier")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")

    # Each section shows the points that concern it, and only those; another none.
    aside = re.compile(r'<aside class="note-enjeux-aside".*?</aside>', re.S)
    on_first = aside.search(reader.get(f"/sections/{first}").get_data(as_text=True))
    assert on_first and ENJEU in on_first.group() and OBJECTIF not in on_first.group()
    on_second = aside.search(reader.get(f"/sections/{second}").get_data(as_text=True))
    assert on_second and ENJEU in on_second.group() and OBJECTIF in on_second.group()
    assert '<h2 id="note-enjeux-aside">Note d\'enjeux du préfet</h2>' in on_second.group()
    untouched = reader.get(f"/sections/{third}").get_data(as_text=True)
    assert aside.search(untouched) is None and ENJEU not in untouched
    with app.app_context():
        summary = db_session().scalar(select(Event.summary).where(Event.action == "note_enjeux"))
    assert "2 points" in summary and "d'après le document reçu" not in summary


def test_amending_the_note_is_journaled_and_an_outdated_form_is_refused(app, world):
    with_state(app, world)
    first, second, *_ = section_ids(app, world.convention_id)
    client = logged_in(app, STATE)
    day = date.today() - timedelta(days=10)
    _post(client, world.convention_id, _note(day, ("enjeu", ENJEU, [first])))
    # A second first recording, from a page read before the note existed, overwrites nothing.
    twice = _post(client, world.convention_id, _note(day, ("enjeu", "Autre", [first]), version="0"))
    assert twice.status_code == 409 and stored(app, world.convention_id) == (1, 1, 1)
    form = client.get(f"/conventions/{world.convention_id}/note-enjeux").get_data(as_text=True)
    assert ENJEU in form and 'name="version" type="hidden" value="1"' in form
    later = day + timedelta(days=2)
    response = _post(
        client,
        world.convention_id,
        _note(
            later,
            ("enjeu", ENJEU + " Et dans les QPV.", [first]),
            ("objectif", OBJECTIF, [second]),
            version="1",
        ),
        (io.BytesIO(docx_bytes()), "note.docx"),
    )
    assert response.status_code == 303
    assert stored(app, world.convention_id) == (1, 2, 2)
    with app.app_context():
        summaries = [
            e.summary
            for e in db_session().scalars(
                select(Event).where(Event.action == "note_enjeux").order_by(Event.id)
            )
        ]
    assert "1 point ajouté" in summaries[-1] and "1 point modifié" in summaries[-1]
    assert later.strftime("%d/%m/%Y") in summaries[-1] and "fichier ajouté" in summaries[-1]
    # A point removed; the form read at version 1 is refused, nothing written.
    stale = _post(
        client, world.convention_id, _note(later, ("enjeu", "Autre.", [first]), version="1")
    )
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.get_data(as_text=True)
    assert stored(app, world.convention_id) == (1, 2, 2)
    removed = _post(
        client,
        world.convention_id,
        {
            **_note(
                later,
                ("enjeu", ENJEU + " Et dans les QPV.", [first]),
                ("objectif", OBJECTIF, [second]),
                version="2",
            ),
            "points-1-remove": "y",
        },
    )
    assert removed.status_code == 303
    assert stored(app, world.convention_id) == (1, 1, 3)
    # Saving it again unchanged writes nothing.
    _post(
        client,
        world.convention_id,
        _note(later, ("enjeu", ENJEU + " Et dans les QPV.", [first]), version="3"),
    )
    assert stored(app, world.convention_id) == (1, 1, 3)


def test_bad_input_is_refused_beside_each_field_and_nothing_is_written(app, world):
    with_state(app, world)
    first, *_ = section_ids(app, world.convention_id)
    other = section_ids(app, world.other_convention_id)[0]
    client = logged_in(app, STATE)
    tomorrow = date.today() + timedelta(days=1)
    response = _post(
        client,
        world.convention_id,
        _note(
            tomorrow,
            ("enjeu", "Sans section.", []),
            ("objectif", "x" * 501, [first]),
            ("enjeu", "Section d'une autre convention.", [other]),
            ("enjeu", "", [first]),
        ),
        (io.BytesIO(docx_bytes()), "note.pdf"),  # a Word file named as a PDF
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field, words in (
        ("noted-on", "dans le futur"),
        ("note-file", "n&#39;est pas un PDF"),
        ("points-0-sections", "Point n° 1 : rattachez-le"),
        ("points-1-text", "Point n° 2 : son texte dépasse 500 caractères"),
        ("points-2-sections", "Point n° 3 : une section indiquée"),
        ("points-3-text", "Point n° 4 : son texte est obligatoire"),
    ):
        error = re.search(
            rf'<p class="flash error field-error" id="{field}-error"[^>]*>([^<]*)<', page
        )
        assert error and words in error.group(1), (field, words)
        assert f'aria-describedby="{field}-error"' in page
    # What was typed is kept in the form.
    assert "Sans section." in page and "Section d&#39;une autre convention." in page
    assert stored(app, world.convention_id) == (0, 0, 0)
    for name, data in (
        ("note.odt", odt_bytes({"Basic/Standard/Module1.xml": b"<macro/>"})),
        ("note.odt", docx_bytes()),
        ("note.docx", odt_bytes()),
        ("note.exe", PDF),
    ):
        refused = _post(
            client,
            world.convention_id,
            _note(date.today(), ("enjeu", ENJEU, [first])),
            (io.BytesIO(data), name),
        )
        assert refused.status_code == 400, name
        assert 'id="note-file-error"' in refused.get_data(as_text=True)
    assert stored(app, world.convention_id) == (0, 0, 0)
    accepted = _post(
        client,
        world.convention_id,
        _note(date.today(), ("enjeu", ENJEU, [first])),
        (io.BytesIO(odt_bytes()), "note.odt"),
    )
    assert accepted.status_code == 303
    assert stored(app, world.convention_id) == (1, 1, 1)


def test_who_records_the_note(app, world):
    with_state(app, world)
    first, *_ = section_ids(app, world.convention_id)
    data = _note(date.today(), ("enjeu", ENJEU, [first]))
    # Neither a collectivité signataire, an associée nor an observateur records it.
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        assert _post(logged_in(app, email), world.convention_id, data).status_code == 403, email
    assert stored(app, world.convention_id) == (0, 0, 0)
    signataire = logged_in(app, "sign@epci.test").get(
        f"/conventions/{world.convention_id}/note-enjeux"
    )
    assert signataire.status_code == 200 and 'name="noted_on"' not in signataire.get_data(
        as_text=True
    )
    # The organisme transcribes the paper copy; the journal says so.
    drafter = logged_in(app, "redac@oph.test")
    assert _post(drafter, world.convention_id, data).status_code == 303
    with app.app_context():
        summary = db_session().scalar(select(Event.summary).where(Event.action == "note_enjeux"))
    assert "d'après le document reçu" in summary
    # Once the State has amended it, the organisme no longer rewrites it.
    state = logged_in(app, STATE)
    assert (
        _post(
            state,
            world.convention_id,
            {**_note(date.today(), ("enjeu", ENJEU + " !", [first])), "version": "1"},
        ).status_code
        == 303
    )
    refused = _post(drafter, world.convention_id, {**data, "version": "2"})
    assert refused.status_code == 403 and "seuls eux" in refused.get_data(as_text=True)
    page = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    assert "Voir la note" in page and "Modifier la note" not in page
    assert stored(app, world.convention_id) == (1, 1, 2)
