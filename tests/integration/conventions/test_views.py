"""Conventions on the web: a CUS with its standard sections, a contractualisation and
its annual convention, refused input, who may create one, who manages its members."""

from __future__ import annotations

from app.access import conventions_for
from app.accounts import queries as accounts
from tests.conftest import logged_in, post_form


def test_a_cus_is_created_with_its_standard_sections(app, world):
    client = logged_in(app, "redac@oph.test")
    response = post_form(
        client,
        "/conventions/new",
        {"kind": "cus", "title": "CUS 2026-2031", "start_year": "2026", "cadre_id": ""},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026–2031" in page
    for title in (
        "État des lieux",
        "Cahier des charges de gestion sociale",
        "Association des collectivités et concertation",
    ):
        assert title in page.replace("&#39;", "'")


def test_a_contractualisation_and_its_annual_convention(app, world):
    client = logged_in(app, "redac@oph.test")
    response = post_form(
        client,
        "/conventions/new",
        {
            "kind": "contractualisation_cadre",
            "title": "Contrat cadre",
            "start_year": "2025",
            "end_year": "2027",
            "cadre_id": "",
        },
    )
    cadre_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Contreparties de la collectivité" in client.get(f"/conventions/{cadre_id}").get_data(
        as_text=True
    )
    # An annual convention must name its cadre.
    response = post_form(
        client,
        "/conventions/new",
        {
            "kind": "convention_application",
            "title": "Application 2025",
            "start_year": "2025",
            "cadre_id": "",
        },
    )
    assert response.status_code == 400 and "document cadre" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/conventions/new",
        {
            "kind": "convention_application",
            "title": "Application 2025",
            "start_year": "2025",
            "cadre_id": str(cadre_id),
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contrat cadre" in page


def test_invalid_convention_input_is_refused_and_nothing_is_created(app, world):
    client = logged_in(app, "redac@oph.test")
    for data in (
        {"kind": "cus", "title": "", "start_year": "2025"},
        {"kind": "cus", "title": "x" * 201, "start_year": "2025"},
        {"kind": "cus", "title": "CUS", "start_year": "2025", "end_year": "2027"},
        {"kind": "inconnu", "title": "CUS", "start_year": "2025"},
    ):
        response = post_form(client, "/conventions/new", {**data, "cadre_id": ""})
        assert response.status_code == 400, data
    with app.app_context():
        user = accounts.users()[0]
        titles = [c.title for c, _ in conventions_for(user)]
    assert titles == ["CUS test"]


def test_a_collectivite_cannot_create_a_convention(app, world):
    client = logged_in(app, "sign@epci.test")
    assert client.get("/conventions/new").status_code == 403
    assert "Nouvelle convention" not in client.get("/").get_data(as_text=True)


def test_members_are_managed_by_the_redacteur_only(app, world):
    client = logged_in(app, "redac@oph.test")
    with app.app_context():
        org_id = next(o.id for o in accounts.organisations() if o.name == "ESH Ailleurs")
    url = f"/conventions/{world.convention_id}/members/add"
    response = post_form(
        client, url, {"organisation_id": str(org_id), "role": "associe", "user_email": ""}
    )
    assert response.status_code == 302
    outsider = logged_in(app, "autre@esh.test")
    assert outsider.get(f"/conventions/{world.convention_id}").status_code == 200
    response = post_form(
        client, url, {"organisation_id": "", "role": "associe", "user_email": "personne@nulle.part"}
    )
    assert response.status_code == 400 and "Aucun compte" in response.get_data(as_text=True)
    signataire = logged_in(app, "sign@epci.test")
    response = post_form(
        signataire, url, {"organisation_id": str(org_id), "role": "redacteur", "user_email": ""}
    )
    assert response.status_code == 403


def test_a_year_in_other_digits_is_refused_naming_the_field(app, world):
    # WTForms' IntegerField reads with int(), which takes "٢٠٢٦" for 2026.
    client = logged_in(app, "redac@oph.test")
    for field, value in (
        ("start_year", "٢٠٢٦"),
        ("end_year", "２０３１"),
        ("start_year", "2026.0"),
    ):
        data = {"kind": "contractualisation_cadre", "title": "Contrat", "start_year": "2026"}
        response = post_form(client, "/conventions/new", {**data, "cadre_id": "", field: value})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        label = "Année de début" if field == "start_year" else "Année de fin"
        assert label in page and "chiffres" in page, page[page.find("<main") :][:1500]
    response = post_form(
        client,
        "/conventions/new",
        {"kind": "cus", "title": "CUS", "start_year": " 2026 ", "cadre_id": ""},
    )
    assert response.status_code == 302
