"""Targets and achieved values through the API: a value entered from its variables and
computed as the page computes it, corrected, read back in the table with its gap, and
removed; the phases, the roles and the bad input that change nothing. Every answer is
checked against the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import Convention, IndicatorValue
from tests.conftest import api_client, api_headers
from tests.factories import set_state
from tests.integration.api_answers import call
from workflows.lifecycle import ConventionState

DRAFTER = "redac@oph.test"
SCOPE = "Département Test"


def _cell(**changes):
    cell = {
        "code": "G.III",
        "scope": SCOPE,
        "year": 2025,
        "kind": "cible",
        "variables": {"V1": 30, "V2": 200},
    }
    cell.update(changes)
    return cell


def _values(app) -> list[tuple[str, int, str, float]]:
    with app.app_context():
        return list(
            db_session().execute(
                select(
                    IndicatorValue.code,
                    IndicatorValue.year,
                    IndicatorValue.kind,
                    IndicatorValue.value,
                ).order_by(IndicatorValue.id)
            )
        )


def test_enter_correct_read_and_remove_a_target(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/indicator-values"
    saved = call(client, "POST", url, drafter, 200, json=_cell())
    assert (saved["code"], saved["value"], saved["shown"]) == ("G.III", 15.0, "15,0 %")
    # Any spelling of the code, figures as text: the same cell, corrected.
    corrected = call(
        client, "POST", url, drafter, 200, json=_cell(code="g3", variables={"V1": "40", "V2": 200})
    )
    assert corrected["id"] == saved["id"] and corrected["value"] == 20.0
    assert _values(app) == [("G.III", 2025, "cible", 20.0)]

    table = call(client, "GET", url, api_headers(app, "obs@obs.test"), 200)
    assert table["years"] == [2025, 2026, 2027, 2028, 2029, 2030]
    assert table["refusals"]["cible"] is None and table["refusals"]["realise"]
    (indicator,) = table["indicators"]
    assert indicator["code"] == "G.III"
    (scope,) = indicator["scopes"]
    first = scope["years"][0]
    assert scope["scope"] == SCOPE and first["year"] == 2025
    assert first["target"]["value"] == 20.0 and first["achieved"] is None
    assert first["target"]["variables"] == {"V1": 40.0, "V2": 200.0}

    call(
        client,
        "DELETE",
        f"{url}?code=G.III&scope={SCOPE}&year=2025&kind=cible",
        drafter,
        204,
    )
    assert _values(app) == []
    assert call(client, "GET", url, drafter, 200)["indicators"] == []


def test_achieved_values_wait_for_the_signature_and_show_their_gap(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/indicator-values"
    call(client, "POST", url, drafter, 200, json=_cell())
    refused = call(client, "POST", url, drafter, 409, json=_cell(kind="realise"))
    assert "signée" in refused["error"]
    with app.app_context():
        set_state(world.convention_id, ConventionState.SIGNEE)
    call(
        client,
        "POST",
        url,
        drafter,
        200,
        json=_cell(kind="realise", variables={"V1": 20, "V2": 200}),
    )
    # Targets are now fixed by the signed convention.
    call(client, "POST", url, drafter, 409, json=_cell(variables={"V1": 1, "V2": 200}))
    call(client, "DELETE", f"{url}?code=G.III&scope={SCOPE}&year=2025&kind=cible", drafter, 409)
    row = call(client, "GET", url, drafter, 200)["indicators"][0]["scopes"][0]["years"][0]
    assert row["target"]["value"] == 15.0 and row["achieved"]["value"] == 10.0
    assert row["gap"]["value"] == -5.0 and row["gap"]["status"] in ("favorable", "defavorable")
    assert _values(app) == [("G.III", 2025, "cible", 15.0), ("G.III", 2025, "realise", 10.0)]


def test_only_drafters_enter_values(app, world):
    client = app.test_client()
    url = f"/api/conventions/{world.convention_id}/indicator-values"
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        headers = api_headers(app, email)
        call(client, "POST", url, headers, 403, json=_cell())
        call(client, "DELETE", f"{url}?code=G.III&scope=X&year=2025&kind=cible", headers, 403)
    assert _values(app) == []


def test_bad_values_are_refused_and_nothing_is_written(app, world):
    client, drafter = api_client(app, DRAFTER)
    url = f"/api/conventions/{world.convention_id}/indicator-values"
    zero = call(client, "POST", url, drafter, 400, json=_cell(variables={"V1": 3, "V2": 0}))
    assert "G.III" in zero["error"]
    call(client, "POST", url, drafter, 400, json=_cell(variables={"V1": -3, "V2": 10}))
    call(client, "POST", url, drafter, 400, json=_cell(variables={"V1": 3}))
    call(client, "POST", url, drafter, 400, json=_cell(variables=[30, 200]))
    call(client, "POST", url, drafter, 400, json=_cell(variables={"V1": True, "V2": 200}))
    outside = call(client, "POST", url, drafter, 400, json=_cell(year=2040))
    assert "hors de la période" in outside["error"]
    call(client, "POST", url, drafter, 400, json=_cell(year=[2025]))
    call(client, "POST", url, drafter, 400, json=_cell(code="ZZ-9"))
    call(client, "POST", url, drafter, 400, json=_cell(kind="prevu"))
    call(client, "POST", url, drafter, 400, json=_cell(scope="  "))
    none = call(
        client, "DELETE", f"{url}?code=G.III&scope={SCOPE}&year=2025&kind=cible", drafter, 400
    )
    assert "Aucune valeur" in none["error"]
    call(client, "DELETE", url, drafter, 400)
    assert _values(app) == []
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "negociation"
        assert db_session().scalar(select(func.count()).select_from(IndicatorValue)) == 0
