"""Many values at once through the web with CSRF on: a grid's Save writes every changed
cell in one transaction or, when one cell is refused, nothing, and the grid comes back
with every typed value and the reason beside the refused cell; a spreadsheet's import
shows a preview that is exactly what its confirmation writes."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from openpyxl import Workbook
from sqlalchemy import select

from app.db import db_session
from app.models import IndicatorValue, PatrimonySegment
from knowledge.indicators.catalogue import CATALOGUE
from knowledge.indicators.display import shown_value
from tests.conftest import api_client, csrf_token, logged_in, post_form
from tests.integration.api_answers import call

DRAFTER = "redac@oph.test"
SCOPE = "Département Test"  # the département taking part: the grid's first column
NEW_SCOPE = "Segment Nord"

_INPUT = re.compile(r"<input ([^>]*)>")
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _form_fields(html: str, action_part: str) -> dict[str, str]:
    """The named inputs of the form posting to ``action_part``, as a browser sends them."""
    start = html.index(f'action="{action_part}')
    form = html[start : html.index("</form>", start)]
    fields = {}
    for match in _INPUT.finditer(form):
        attrs = dict(_ATTR.findall(match.group(1)))
        if "name" in attrs:
            fields[unescape(attrs["name"])] = unescape(attrs.get("value", ""))
    return fields


def _values(app) -> dict[tuple[str, str, int, str], tuple[float, dict]]:
    with app.app_context():
        rows = db_session().scalars(select(IndicatorValue))
        return {(r.code, r.scope, r.year, r.kind): (r.value, dict(r.variables)) for r in rows}


def _grid_url(convention_id: int, code: str = "G.III") -> str:
    return f"/conventions/{convention_id}/indicateurs/grille/{code}"


def _open_grid(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return _form_fields(response.get_data(as_text=True), url)


def _field(code: str, year: int, column: int, kind: str, variable: str) -> str:
    return f"v|{code}|{year}|{column}|{kind}|{variable}"


def test_the_engagements_page_leads_to_the_grids_and_the_import(app, world):
    client = logged_in(app, DRAFTER)
    page = client.get(f"/conventions/{world.convention_id}/indicateurs").get_data(as_text=True)
    assert f'href="{_grid_url(world.convention_id)}"' in page
    assert f'href="/conventions/{world.convention_id}/indicateurs/annee/2027"' in page
    assert f'href="/conventions/{world.convention_id}/indicateurs/import"' in page


def test_one_save_writes_every_changed_cell_of_an_indicator_grid(app, world):
    client = logged_in(app, DRAFTER)
    url = _grid_url(world.convention_id)
    fields = _open_grid(client, url)
    # Years as rows, the scopes as columns (the département, then one to name), a
    # target only: in negotiation an achieved value takes no input.
    assert fields["perimetre-0"] == SCOPE and fields["perimetre-1"] == ""
    assert _field("G.III", 2030, 1, "cible", "V2") in fields
    assert not any("|realise|" in name for name in fields)
    fields.update(
        {
            _field("G.III", 2025, 0, "cible", "V1"): "30",
            _field("G.III", 2025, 0, "cible", "V2"): "200",
            _field("G.III", 2026, 0, "cible", "V1"): "45,5",
            _field("G.III", 2026, 0, "cible", "V2"): "1 000",
            "perimetre-1": NEW_SCOPE,
            _field("G.III", 2027, 1, "cible", "V1"): "10",
            _field("G.III", 2027, 1, "cible", "V2"): "40",
        }
    )
    response = client.post(url, data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _values(app) == {
        ("G.III", SCOPE, 2025, "cible"): (15.0, {"V1": 30.0, "V2": 200.0}),
        ("G.III", SCOPE, 2026, "cible"): (4.55, {"V1": 45.5, "V2": 1000.0}),
        ("G.III", NEW_SCOPE, 2027, "cible"): (25.0, {"V1": 10.0, "V2": 40.0}),
    }
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "3 valeur(s) nouvelle(s), 0 modifiée(s), 0 supprimée(s)" in page

    # The grid now shows the stored figures; saved again untouched it changes nothing,
    # and an emptied cell removes its value.
    fields = _open_grid(client, url)
    assert fields[_field("G.III", 2026, 0, "cible", "V1")] == "45,5"
    assert fields["perimetre-1"] == NEW_SCOPE  # now a scope in use
    fields[_field("G.III", 2025, 0, "cible", "V1")] = ""
    fields[_field("G.III", 2025, 0, "cible", "V2")] = ""
    fields[_field("G.III", 2026, 0, "cible", "V1")] = "50"
    assert client.post(url, data=fields).status_code == 303
    values = _values(app)
    assert ("G.III", SCOPE, 2025, "cible") not in values
    assert values[("G.III", SCOPE, 2026, "cible")] == (5.0, {"V1": 50.0, "V2": 1000.0})
    assert values[("G.III", NEW_SCOPE, 2027, "cible")][0] == 25.0


def test_a_refused_cell_writes_nothing_and_keeps_every_typed_value(app, world):
    client = logged_in(app, DRAFTER)
    url = _grid_url(world.convention_id)
    fields = _open_grid(client, url)
    fields.update(
        {
            _field("G.III", 2025, 0, "cible", "V1"): "30",
            _field("G.III", 2025, 0, "cible", "V2"): "200",
        }
    )
    assert client.post(url, data=fields).status_code == 303
    before = _values(app)

    fields = _open_grid(client, url)
    fields.update(
        {
            _field("G.III", 2025, 0, "cible", "V1"): "60",  # a valid change
            _field("G.III", 2026, 0, "cible", "V1"): "12",
            _field("G.III", 2026, 0, "cible", "V2"): "0",  # refused by the calculator
            _field("G.III", 2028, 0, "cible", "V1"): "douze",  # refused: no number
            _field("G.III", 2028, 0, "cible", "V2"): "100",
        }
    )
    response = client.post(url, data=fields)
    assert response.status_code == 400
    assert _values(app) == before  # the valid change was not written either
    html = response.get_data(as_text=True)
    assert "Rien n'a été enregistré : 2 cases refusées" in unescape(html)
    kept = _form_fields(html, url)
    for name in (
        _field("G.III", 2025, 0, "cible", "V1"),
        _field("G.III", 2026, 0, "cible", "V2"),
        _field("G.III", 2028, 0, "cible", "V1"),
    ):
        assert kept[name] == fields[name]
    # Each reason sits in its own cell, next to its inputs.
    cells = unescape(html).split('<fieldset class="case')
    refused = [c for c in cells if " refusee" in c[:20]]
    assert len(refused) == 2
    assert 'name="v|G.III|2026|0|cible|V2"' in refused[0] and "V2" in refused[0]
    assert 'name="v|G.III|2028|0|cible|V1"' in refused[1] and "douze" in refused[1]


def test_a_year_grid_saves_several_indicators(app, world):
    client = logged_in(app, DRAFTER)
    url = f"/conventions/{world.convention_id}/indicateurs/annee/2026"
    fields = _open_grid(client, url)
    assert _field("A.I", 2026, 0, "cible", "V1") in fields
    assert _field("I.I", 2026, 0, "cible", "V2") in fields
    fields.update(
        {
            _field("A.I", 2026, 0, "cible", "V1"): "120",
            _field("F.VI", 2026, 0, "cible", "V1"): "3",
            _field("F.VI", 2026, 0, "cible", "V2"): "400",
        }
    )
    assert client.post(url, data=fields).status_code == 303
    assert set(_values(app)) == {("A.I", SCOPE, 2026, "cible"), ("F.VI", SCOPE, 2026, "cible")}
    assert (
        client.get(f"/conventions/{world.convention_id}/indicateurs/annee/2040").status_code == 404
    )


def test_grid_without_csrf_or_by_a_reader_writes_nothing(app, world):
    url = _grid_url(world.convention_id)
    client = logged_in(app, DRAFTER)
    fields = _open_grid(client, url)
    fields[_field("G.III", 2025, 0, "cible", "V1")] = "1"
    fields[_field("G.III", 2025, 0, "cible", "V2")] = "2"
    without_token = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post(url, data=without_token).status_code == 400
    reader = logged_in(app, "obs@obs.test")
    fields["csrf_token"] = csrf_token(reader, f"/conventions/{world.convention_id}/indicateurs")
    assert reader.post(url, data=fields).status_code == 403
    assert _values(app) == {}


# --- import -------------------------------------------------------------------------------

_ROW = re.compile(r'<tr class="statut-(\w+)">(.*?)</tr>', re.S)
_TD = re.compile(r"<td>(.*?)</td>", re.S)


def _preview_rows(html: str) -> list[tuple[str, list[str]]]:
    return [
        (status, [unescape(cell).strip() for cell in _TD.findall(body)])
        for status, body in _ROW.findall(html)
    ]


def _upload(client, convention_id: int, name: str, data: bytes):
    url = f"/conventions/{convention_id}/indicateurs/import"
    token = csrf_token(client, url)
    return client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _existing_target(app, world) -> None:
    client, headers = api_client(app, DRAFTER)
    for year, v1 in ((2025, 30), (2026, 40)):
        call(
            client,
            "POST",
            f"/api/conventions/{world.convention_id}/indicator-values",
            headers,
            200,
            json={
                "code": "G.III",
                "scope": SCOPE,
                "year": year,
                "kind": "cible",
                "variables": {"V1": v1, "V2": 200},
            },
        )


_LINES = [
    ["indicateur", "annee", "perimetre", "nature", "V1", "V2", "V1.a", "V1.b", "V1.c"],
    ["G.III", "2025", SCOPE, "cible", "30", "200"],  # unchanged
    ["g3", "2026", SCOPE, "cible", "50,5", "200"],  # changed, decimal comma
    ["A.I", "2027", NEW_SCOPE, "cible", "120"],  # new
    ["F.VI", "2027", SCOPE, "cible", "3", "0"],  # refused: V2 = 0
    ["Z.IX", "2027", SCOPE, "cible", "1"],  # refused: unknown indicator
    ["A.I", "2028", SCOPE, "réalisé", "10"],  # refused: no achieved value in negotiation
]


def _csv(delimiter: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(_LINES)
    return out.getvalue().encode("utf-8-sig")


def _xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for line in _LINES:
        sheet.append(
            [
                float(c.replace(",", ".")) if re.fullmatch(r"[0-9]+(,[0-9]+)?", c) else c
                for c in line
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _preview_then_confirm(app, world, name: str, data: bytes) -> None:
    _existing_target(app, world)
    before = _values(app)
    client = logged_in(app, DRAFTER)
    response = _upload(client, world.convention_id, name, data)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    rows = _preview_rows(html)
    assert [status for status, _ in rows] == [
        "inchange",
        "modifie",
        "nouveau",
        "refuse",
        "refuse",
        "refuse",
    ]
    assert _values(app) == before  # a preview writes nothing
    refused = [cells[-1] for status, cells in rows if status == "refuse"]
    assert "V2" in refused[0] and "Z.IX" in refused[1] and "réalisées" in refused[2]

    confirm = f"/conventions/{world.convention_id}/indicateurs/import/confirmer"
    token = _form_fields(html, confirm)["token"]
    response = post_form(
        client,
        confirm,
        {"token": token},
        page=f"/conventions/{world.convention_id}/indicateurs/import",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    after = _values(app)

    # What is written is what the preview listed, row by row: each new or changed row
    # holds the value shown under « Après », the unchanged ones and the refused ones
    # are as they were.
    expected = dict(before)
    for status, (_line, code, year, scope, kind, _before, shown, _effect) in rows:
        key = (code, scope, int(year), "cible" if kind == "Cible" else "realise")
        if status in ("nouveau", "modifie"):
            value, _variables = after[key]
            assert shown_value(CATALOGUE[code], value) == shown
            expected[key] = after[key]
    assert after == expected
    assert after[("G.III", SCOPE, 2026, "cible")] == (25.25, {"V1": 50.5, "V2": 200.0})
    assert after[("A.I", NEW_SCOPE, 2027, "cible")] == (120.0, {"V1": 120.0})

    # The same token again: the rows are now unchanged, not the plan previewed.
    response = post_form(
        client,
        confirm,
        {"token": token},
        page=f"/conventions/{world.convention_id}/indicateurs/import",
    )
    assert response.status_code == 303
    assert "changé depuis l'aperçu" in unescape(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )
    assert _values(app) == after


def test_csv_with_semicolons_preview_is_what_confirm_writes(app, world):
    _preview_then_confirm(app, world, "valeurs.csv", _csv(";"))


def test_csv_with_commas_preview_is_what_confirm_writes(app, world):
    _preview_then_confirm(app, world, "valeurs.csv", _csv(","))


def test_xlsx_preview_is_what_confirm_writes(app, world):
    _preview_then_confirm(app, world, "valeurs.xlsx", _xlsx())


def test_a_value_changed_after_the_preview_stops_the_import(app, world):
    client = logged_in(app, DRAFTER)
    html = _upload(client, world.convention_id, "valeurs.csv", _csv(";")).get_data(as_text=True)
    confirm = f"/conventions/{world.convention_id}/indicateurs/import/confirmer"
    token = _form_fields(html, confirm)["token"]
    _existing_target(app, world)  # someone enters values meanwhile
    before = _values(app)
    response = post_form(
        client,
        confirm,
        {"token": token},
        page=f"/conventions/{world.convention_id}/indicateurs/import",
    )
    assert response.status_code == 303
    assert _values(app) == before
    # A token altered by hand is refused too.
    response = post_form(
        client,
        confirm,
        {"token": token[:-3] + "abc"},
        page=f"/conventions/{world.convention_id}/indicateurs/import",
    )
    assert response.status_code == 303 and _values(app) == before


def test_bad_files_are_refused_and_nothing_is_written(app, world):
    client = logged_in(app, DRAFTER)
    cases = [
        ("notes.docx", b"PK\x03\x04 whatever", "n'est pas pris en charge"),
        ("valeurs.xlsx", b"ceci n'est pas un classeur", "n'est pas un classeur Excel"),
        ("valeurs.csv", b"", "est vide"),
        ("valeurs.csv", b"code;annee;perimetre;nature;V9\n", "colonne inconnue"),
        ("valeurs.csv", b"x" * (1024 * 1024 + 10), "trop volumineux"),
        ("valeurs.csv", b"\x00\x01\x02binary", "n'est pas un fichier texte"),
    ]
    for name, data, message in cases:
        response = _upload(client, world.convention_id, name, data)
        assert response.status_code == 303, name
        page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
        assert message in page, (name, page)
    assert _values(app) == {}


def test_templates_download_and_read_back(app, world):
    client = logged_in(app, DRAFTER)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/conventions/{world.convention_id}/indicateurs/modele.{fmt}")
        assert response.status_code == 200
        # The template itself imports: its example rows preview as new values.
        preview = _upload(client, world.convention_id, f"modele.{fmt}", response.data)
        assert [s for s, _ in _preview_rows(preview.get_data(as_text=True))] == ["nouveau"] * 2


# --- API ----------------------------------------------------------------------------------


def test_api_grid_writes_all_cells_or_none(app, world):
    client, headers = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/indicator-values/grid"

    def cell(year, v1, v2):
        return {
            "code": "G.III",
            "scope": SCOPE,
            "year": year,
            "kind": "cible",
            "variables": {"V1": v1, "V2": v2},
        }

    refused = call(
        client, "POST", url, headers, 400, json={"cells": [cell(2025, 30, 200), cell(2026, 1, 0)]}
    )
    assert [c["year"] for c in refused["cells"]] == [2026]
    assert _values(app) == {}
    saved = call(
        client,
        "POST",
        url,
        headers,
        200,
        json={"cells": [cell(2025, 30, 200), cell(2026, "1,5", 10)]},
    )
    assert [c["status"] for c in saved["cells"]] == ["nouveau", "nouveau"]
    assert {k: v[0] for k, v in _values(app).items()} == {
        ("G.III", SCOPE, 2025, "cible"): 15.0,
        ("G.III", SCOPE, 2026, "cible"): 15.0,
    }
    again = call(client, "POST", url, headers, 200, json={"cells": [cell(2025, 30, 200)]})
    assert again["cells"][0]["status"] == "inchange"
    call(client, "POST", url, headers, 413, json={"cells": [cell(2025, 1, 1)] * 2001})


# --- segments -----------------------------------------------------------------------------


def test_segments_are_added_with_their_warnings_and_a_two_departement_one_is_refused(app, world):
    client = logged_in(app, DRAFTER)
    page = f"/conventions/{world.convention_id}/indicateurs"
    url = f"{page}/segments"
    response = post_form(
        client, url, {"name": "Métropole", "departement": "59", "dwellings": "5 200"}, page=page
    )
    assert response.status_code == 303
    html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Segment « Métropole » ajouté" in html
    assert "ne sont plus lisibles" in html and "réunit tout le patrimoine" in html

    refused = post_form(
        client, url, {"name": "Littoral", "departement": "59, 62", "dwellings": "300"}, page=page
    )
    assert refused.status_code == 303
    html = unescape(client.get(refused.headers["Location"]).get_data(as_text=True))
    assert "un seul département" in html
    assert 'value="Littoral"' in html  # typed values kept
    with app.app_context():
        names = db_session().scalars(select(PatrimonySegment.name)).all()
    assert names == ["Métropole"]

    # A second segment of the département: neither holds it whole any more; the segment
    # is a scope of the grids.
    post_form(
        client, url, {"name": "Lille sud", "departement": "59", "dwellings": "800"}, page=page
    )
    html = unescape(client.get(page).get_data(as_text=True))
    assert "réunit tout le patrimoine" not in html and "ne sont plus lisibles" in html
    assert "Lille sud" in _open_grid(client, _grid_url(world.convention_id)).values()


def test_a_save_leaves_untouched_cells_to_whoever_changed_them_meanwhile(app, world):
    client = logged_in(app, DRAFTER)
    url = _grid_url(world.convention_id)
    fields = _open_grid(client, url)
    fields.update(
        {
            _field("G.III", 2025, 0, "cible", "V1"): "30",
            _field("G.III", 2025, 0, "cible", "V2"): "200",
        }
    )
    assert client.post(url, data=fields).status_code == 303
    fields = _open_grid(client, url)  # the page as the drafter reads it
    api, headers = api_client(app, DRAFTER)  # someone else corrects 2025 meanwhile
    call(
        api,
        "POST",
        f"/api/conventions/{world.convention_id}/indicator-values",
        headers,
        200,
        json={
            "code": "G.III",
            "scope": SCOPE,
            "year": 2025,
            "kind": "cible",
            "variables": {"V1": 50, "V2": 200},
        },
    )
    fields[_field("G.III", 2026, 0, "cible", "V1")] = "1"
    fields[_field("G.III", 2026, 0, "cible", "V2")] = "4"
    assert client.post(url, data=fields).status_code == 303
    values = _values(app)
    assert values[("G.III", SCOPE, 2025, "cible")][0] == 25.0  # not put back to 15 %
    assert values[("G.III", SCOPE, 2026, "cible")][0] == 25.0


def test_a_file_of_too_many_rows_is_refused_whole(app, world):
    client = logged_in(app, DRAFTER)
    lines = ["indicateur;annee;perimetre;nature;V1"] + [
        f"A.I;2025;S{n};cible;1" for n in range(2001)
    ]
    response = _upload(client, world.convention_id, "long.csv", "\n".join(lines).encode())
    assert response.status_code == 303
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "plus de 2000 lignes" in page
    assert _values(app) == {}
