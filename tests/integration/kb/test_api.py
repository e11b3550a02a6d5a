"""The knowledge base's API: search and odd queries, the indicators and their calculator
(and their pages)."""

from __future__ import annotations

from tests.conftest import api_headers, csrf_token, logged_in
from tests.integration.kb.helpers import upload_and_run


def test_search_api_and_odd_queries(app, world):
    client = logged_in(app, "redac@oph.test")
    upload_and_run(app, client, "guide.md", b"# Vacance\n\nLa vacance technique tient aux travaux.")
    api = app.test_client()
    headers = api_headers(app, "obs@obs.test")
    data = api.get("/api/search?q=vacance%20technique&limit=5", headers=headers).get_json()
    assert data["total"] >= 1 and data["hits"][0]["status"] == "en_vigueur" and "took_ms" in data
    for q in ("les de la", '"*:(?', "x" * 10_000, ""):
        response = api.get("/api/search", query_string={"q": q}, headers=headers)
        assert response.status_code == 200, q
    assert api.get("/api/search?q=x&limit=0", headers=headers).status_code == 400
    assert api.get("/api/search?q=x&kind=roman", headers=headers).status_code == 400
    assert api.get("/api/search?q=x").status_code == 401


def test_indicator_pages_and_calculator_api(app, world):
    client = app.test_client()
    headers = api_headers(app, "asso@dep.test")
    listing = client.get("/api/indicators", headers=headers).get_json()["indicators"]
    assert len(listing) == 26 and listing[0]["code"] == "A.I"
    detail = client.get("/api/indicators/g3", headers=headers).get_json()
    assert detail["code"] == "G.III" and detail["variables"]
    response = client.post(
        "/api/indicators/G.III/compute",
        headers=headers,
        json={"years": {"2025": {"V1": 30, "V2": 200}}},
    )
    assert response.status_code == 200 and response.get_json()["years"][0]["value"] == 15.0
    response = client.post(
        "/api/indicators/G.III/compute",
        headers=headers,
        json={"years": {"2025": {"V1": 30, "V2": 0}}},
    )
    assert response.status_code == 400 and "V2" in response.get_json()["error"]
    assert client.get("/api/indicators/Z.IX", headers=headers).status_code == 404
    web = logged_in(app, "asso@dep.test")
    page = web.get("/kb/indicateurs/G.III").get_data(as_text=True)
    assert "G.III" in page and "Formule" in page
    assert web.get("/kb/indicateurs/g3").status_code == 301
    token = csrf_token(web, "/kb/indicateurs/G.III")
    result = web.post(
        "/kb/indicateurs/G.III", data={"csrf_token": token, "year": "2025", "V1": "30", "V2": "200"}
    )
    assert result.status_code == 200 and "15" in result.get_data(as_text=True)


def test_the_calculator_answers_finite_values_or_refuses(app, world):
    # 1e308 / 1e-308 once answered 200 with "aggregate": Infinity, which JSON parsers reject.
    client, headers = app.test_client(), api_headers(app, "asso@dep.test")
    for variables in ({"V1": 1e308, "V2": 1e-308}, {"V1": 1e15, "V2": 1e-308}):
        response = client.post(
            "/api/indicators/F.VI/compute", headers=headers, json={"years": {"2025": variables}}
        )
        assert response.status_code == 400, response.get_data(as_text=True)
        assert "trop grand" in response.get_json()["error"]
        assert "Infinity" not in response.get_data(as_text=True)


def test_nan_infinity_and_overflowing_figures_are_no_json_input(app, world):
    # Python's parser reads NaN, Infinity and 1e400 (as inf); JSON has none of them.
    client, headers = app.test_client(), api_headers(app, "asso@dep.test")
    for figure in ("NaN", "Infinity", "-Infinity", "1e400"):
        response = client.post(
            "/api/indicators/F.VI/compute",
            headers=headers,
            data='{"years": {"2025": {"V1": ' + figure + ', "V2": 10}}}',
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "nombres doivent être finis" in response.get_json()["error"], figure
