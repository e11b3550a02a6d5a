"""Targets against achieved values, through the web with CSRF on: entering them in the
right phase, refusing bad input without writing anything, and the page that sets them
side by side (aggregates, gaps, charts)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from app.db import db_session
from app.models import Event, IndicatorValue
from tests.conftest import logged_in, post_form
from tests.factories import make_convention, set_state
from workflows.lifecycle import ConventionState

DRAFTER = "redac@oph.test"
SCOPE = "Département Test"


def _page_url(convention_id: int) -> str:
    return f"/conventions/{convention_id}/indicateurs"


def _save(client, convention_id, code="G.III", year=2025, kind="cible", scope=SCOPE, **variables):
    data = {"code": code, "scope": scope, "year": str(year), "kind": kind}
    data.update({f"var_{name}": str(value) for name, value in variables.items()})
    return post_form(client, f"{_page_url(convention_id)}/valeurs", data)


def _saved(client, convention_id, **kwargs) -> None:
    response = _save(client, convention_id, **kwargs)
    assert response.status_code == 303, response.get_data(as_text=True)
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Valeur enregistrée :" in page, page


def _page(client, convention_id) -> str:
    response = client.get(_page_url(convention_id))
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _count(app, model=IndicatorValue, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db_session().scalar(query)


def _state(app, convention_id, state) -> None:
    with app.app_context():
        set_state(convention_id, state)


def _row(page: str, year: int) -> str:
    match = re.search(rf'<th scope="row">{year}</th>(.*?)</tr>', page, re.S)
    assert match, f"no row for {year}"
    return match.group(1)


def test_targets_then_achieved_values_with_gaps_aggregate_and_chart(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    # In negotiation, the drafter sets the targets: 15 %, 20 %, 25 % of repayment plans.
    _saved(drafter, cid, year=2025, V1=30, V2=200)
    _saved(drafter, cid, year=2026, V1=40, V2=200)
    _saved(drafter, cid, year=2027, V1="49,5", V2=200)
    _saved(drafter, cid, year=2027, V1=50, V2=200)  # corrected: the same cell, updated
    assert _count(app, kind="cible") == 3
    with app.app_context():
        row = db_session().scalar(select(IndicatorValue).where(IndicatorValue.year == 2027))
        assert row.variables == {"V1": 50.0, "V2": 200.0} and row.value == 25.0
        assert row.scope == SCOPE and row.entered_by_id == world.users["redacteur"]

    # Signed, then evaluated at two years: the achieved values come in.
    _state(app, cid, ConventionState.BILAN_2)
    _saved(drafter, cid, year=2025, kind="realise", V1=20, V2=200)  # 10 % < 15 %
    _saved(drafter, cid, year=2026, kind="realise", V1=50, V2=200)  # 25 % > 20 %
    assert _count(app, kind="realise") == 2
    assert _count(app, Event, action="indicateur") == 6
    with app.app_context():
        summaries = db_session().scalars(select(Event.summary).where(Event.action == "indicateur"))
        assert "Cible G.III — Département Test, 2025 : 15,0 %" in list(summaries)

    page = _page(drafter, cid)
    assert "G.III — Plans d'apurement amiables" in page
    assert "valeur à terme" in page and "plus la valeur est élevée, mieux c'est" in page
    row_2025 = _row(page, 2025)
    assert "15,0 %" in row_2025 and "10,0 %" in row_2025
    assert 'class="ecart ecart-defavorable">−5,0 pts' in row_2025
    row_2026 = _row(page, 2026)
    assert 'class="ecart ecart-favorable">+5,0 pts' in row_2026
    assert "25,0 %" in _row(page, 2027) and "ecart" not in _row(page, 2027)
    # The aggregate: the target at term (2027, the last given) and the achieved value of
    # the last year given; the gap compares the years that have both.
    foot = page[page.index('<tr class="agregat">') : page.index("</tfoot>")]
    assert "valeur à terme" in foot and foot.count("25,0 %") == 2
    assert 'class="ecart ecart-favorable">+5,0 pts' in foot
    assert "Écart à date (2025–2026, 2 années) : réalisé 25,0 % contre une cible de 20,0 %" in page
    assert "V1 / V2 × 100 = 30 / 200 × 100 = 15,0 %" in page  # the working, on hover
    # One chart, server-rendered and accessible.
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert '<title id="graphique-1-1-titre">G.III — Plans d\'apurement amiables' in svg
    assert "Cible : 2025 : 15,0 % ; 2026 : 20,0 % ; 2027 : 25,0 %" in svg
    assert "Réalisé : 2025 : 10,0 % ; 2026 : 25,0 %" in svg
    assert svg.count('<circle class="point') == 3 and svg.count('<rect class="point') == 2
    assert "<script" not in page.split("</head>")[1]


def test_the_calculators_warnings_are_shown_after_saving(app, world):
    drafter = logged_in(app, DRAFTER)
    response = _save(drafter, world.convention_id, V1=300, V2=200)
    page = unescape(drafter.get(response.headers["Location"]).get_data(as_text=True))
    assert "Valeur enregistrée : cible 2025 de G.III pour « Département Test », 150,0 %." in page
    assert "Attention : 2025 : V1 (300) dépasse V2 (200) pour un pourcentage." in page


def test_the_page_is_read_by_every_member_and_written_by_the_drafters(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, code="A.I", year=2025, V1=10)
    page = _page(drafter, cid)
    assert 'name="var_V1"' in page and "V1 — Plans d'apurement amiables" not in page
    assert f'value="{SCOPE}"' in page  # the département taking part, suggested
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test"):
        other = _page(logged_in(app, email), cid)
        assert "A.I — Logements financés" in other and "10 logements" in other
        assert 'name="var_V1"' not in other and "Supprimer" not in other
    assert logged_in(app, "autre@esh.test").get(_page_url(cid)).status_code == 403
    anonymous = app.test_client().get(_page_url(cid))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_form_shows_the_chosen_indicators_variables(app, world):
    drafter = logged_in(app, DRAFTER)
    page = unescape(drafter.get(f"{_page_url(world.convention_id)}?code=g3").get_data(as_text=True))
    assert '<input type="hidden" name="code" value="G.III">' in page
    assert "V1 — Plans d'apurement amiables" in page
    assert "V2 — Ménages en impayé de plus de 3 mois" in page
    for year in range(2025, 2031):
        assert f'<option value="{year}"' in page
    page = unescape(
        drafter.get(f"{_page_url(world.convention_id)}?code=H.III").get_data(as_text=True)
    )
    assert 'name="var_V1.a"' in page and "(facultatif)" in page


def test_cumulated_and_weighted_average_aggregates(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, code="A.I", year=2025, V1=10)
    _saved(drafter, cid, code="A.I", year=2026, V1=20)
    _saved(drafter, cid, code="E.I", year=2025, V1=10, V2=100)
    _saved(drafter, cid, code="E.I", year=2026, V1=30, V2=100)
    _saved(drafter, cid, code="E.I", year=2027, V1=10, V2=300)
    page = _page(drafter, cid)
    assert "cumul sur 6 ans" in page and "= 30 logements." in page
    assert "moyenne pondérée sur 6 ans = somme des numérateurs / somme des dénominateurs" in page
    assert "= 50 / 500 × 100 = 10,0 %" in page  # never the mean of the yearly ratios
    # A.I first, E.I next: catalogue order.
    assert page.index("A.I — Logements financés") < page.index("E.I — Mutations internes")


def test_lower_is_better_for_vacancy(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, code="F.VI", scope="Segment 1", year=2025, V1=5, V2=100)
    _saved(drafter, cid, code="F.VI", scope="Segment 1", year=2026, V1=5, V2=100)
    _state(app, cid, ConventionState.SIGNEE)
    _saved(drafter, cid, code="F.VI", scope="Segment 1", year=2025, kind="realise", V1=8, V2=100)
    _saved(drafter, cid, code="F.VI", scope="Segment 1", year=2026, kind="realise", V1=3, V2=100)
    page = _page(drafter, cid)
    assert "plus la valeur est basse, mieux c'est" in page
    assert 'class="ecart ecart-defavorable">+3,0 pts' in _row(page, 2025)
    assert 'class="ecart ecart-favorable">−2,0 pts' in _row(page, 2026)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "Z.IX", "V1": 30, "V2": 200}, "Indicateur inconnu : « Z.IX »"),
        ({"code": "", "V1": 30, "V2": 200}, "Choisissez un indicateur"),
        ({"year": 2031, "V1": 30, "V2": 200}, "L'année 2031 est hors de la période"),
        ({"year": 2024, "V1": 30, "V2": 200}, "hors de la période de la convention (2025–2030)"),
        ({"year": "vingt", "V1": 30, "V2": 200}, "Année invalide"),
        ({"V1": 30, "V2": 0}, "vaut 0 : le calcul de l'indicateur G.III"),
        ({"V1": -3, "V2": 200}, "ne peut pas être négatif"),
        ({"V1": 30}, "il manque V2 (Ménages en impayé de plus de 3 mois)"),
        ({"V1": 30, "V2": ""}, "il manque V2"),
        ({"V1": "trente", "V2": 200}, "doit être un nombre"),
        # int() and float() read other scripts' digits: "١٢٣" was stored as 123.
        ({"V1": "١٢٣", "V2": 200}, "V1 (Plans d'apurement amiables) doit être un nombre"),
        ({"V1": 30, "V2": "２００"}, "doit être un nombre"),
        ({"year": "٢٠٢٥", "V1": 30, "V2": 200}, "Année invalide"),
        ({"V1": "1" + "0" * 400, "V2": 200}, "est trop grand"),
        ({"V1": 30, "V2": "0," + "0" * 320 + "1"}, "est trop grand pour être calculé"),
        ({"scope": "  ", "V1": 30, "V2": 200}, "Indiquez le périmètre"),
        ({"scope": "x" * 201, "V1": 30, "V2": 200}, "Le périmètre est trop long"),
        ({"kind": "prevision", "V1": 30, "V2": 200}, "cible ou d'une valeur réalisée"),
        ({"kind": "realise", "V1": 30, "V2": 200}, "une fois la convention signée"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_written(app, world, fields, message):
    drafter = logged_in(app, DRAFTER)
    response = _save(drafter, world.convention_id, **fields)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#saisie")
    page = unescape(drafter.get(response.headers["Location"]).get_data(as_text=True))
    assert message in page
    assert 'class="flash error"' in page
    assert _count(app) == 0
    assert _count(app, Event, action="indicateur") == 0


def test_a_refused_form_comes_back_filled_in(app, world):
    drafter = logged_in(app, DRAFTER)
    response = _save(drafter, world.convention_id, year=2026, V1=30, V2=0)
    location = response.headers["Location"]
    assert "var_V1=30" in location and "var_V2=0" in location
    page = drafter.get(location).get_data(as_text=True)
    assert 'name="var_V1" inputmode="decimal" class="num" value="30"' in page
    assert '<option value="2026" selected>' in page


def test_targets_freeze_once_signed(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, year=2025, V1=30, V2=200)
    for state in (ConventionState.TRANSMISE, ConventionState.SIGNEE, ConventionState.BILAN_4):
        _state(app, cid, state)
        response = _save(drafter, cid, year=2025, V1=40, V2=200)
        page = unescape(drafter.get(response.headers["Location"]).get_data(as_text=True))
        assert "Les cibles" in page and ("avenant" in page or "renvoyée en négociation" in page), (
            state
        )
    with app.app_context():
        assert db_session().scalar(select(IndicatorValue.value)) == 15.0
    assert _count(app, Event, action="indicateur") == 1


def test_an_achieved_value_cannot_concern_a_year_not_begun(app, world):
    this_year = date.today().year
    with app.app_context():
        cid = make_convention(
            world.user("redacteur"),
            title="CUS récente",
            start_year=this_year,
            state=ConventionState.BILAN_2,
        ).id
    drafter = logged_in(app, DRAFTER)
    response = _save(drafter, cid, year=this_year + 1, kind="realise", V1=1, V2=2)
    page = unescape(drafter.get(response.headers["Location"]).get_data(as_text=True))
    assert f"L'année {this_year + 1} n'a pas commencé" in page
    _saved(drafter, cid, year=this_year, kind="realise", V1=1, V2=2)
    assert _count(app) == 1


def test_only_the_drafters_enter_values(app, world):
    cid = world.convention_id
    for email in ("sign@epci.test", "asso@dep.test", "obs@obs.test", "autre@esh.test"):
        response = _save(logged_in(app, email), cid, V1=30, V2=200)
        assert response.status_code == 403, email
    assert _count(app) == 0


def test_a_post_without_csrf_token_is_refused(app, world):
    drafter = logged_in(app, DRAFTER)
    response = drafter.post(
        f"{_page_url(world.convention_id)}/valeurs",
        data={
            "code": "G.III",
            "scope": SCOPE,
            "year": "2025",
            "kind": "cible",
            "var_V1": "30",
            "var_V2": "200",
        },
    )
    assert response.status_code == 400
    assert _count(app) == 0


def test_delete_a_value_within_its_phase(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, year=2025, V1=30, V2=200)
    _saved(drafter, cid, year=2026, V1=30, V2=200)
    delete = f"{_page_url(cid)}/valeurs/supprimer"
    cell = {"code": "G.III", "scope": SCOPE, "year": "2025", "kind": "cible"}
    assert post_form(logged_in(app, "sign@epci.test"), delete, cell).status_code == 403
    response = post_form(drafter, delete, cell)
    assert response.status_code == 303
    assert "Valeur supprimée." in drafter.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(app) == 1 and _count(app, Event, action="indicateur_supprime") == 1
    again = post_form(drafter, delete, cell)
    assert "Aucune valeur saisie pour cette case." in unescape(
        drafter.get(again.headers["Location"]).get_data(as_text=True)
    )
    _state(app, cid, ConventionState.SIGNEE)
    post_form(drafter, delete, {**cell, "year": "2026"})
    assert _count(app) == 1


def test_scopes_and_labels_are_escaped(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, scope="<b>Segment</b> & co", year=2025, V1=30, V2=200)
    html = drafter.get(_page_url(cid)).get_data(as_text=True)
    assert "<b>Segment</b>" not in html
    assert "&lt;b&gt;Segment&lt;/b&gt; &amp; co" in html


def test_values_and_their_gap_are_rounded_alike(app, world):
    cid = world.convention_id
    drafter = logged_in(app, DRAFTER)
    _saved(drafter, cid, year=2025, V1=214, V2=10000)  # target 2,14 %
    _saved(drafter, cid, year=2026, V1=21, V2=1000)  # 2,1 %
    _state(app, cid, ConventionState.BILAN_2)
    _saved(drafter, cid, year=2025, kind="realise", V1=206, V2=10000)  # 2,06 %
    _saved(drafter, cid, year=2026, kind="realise", V1=17, V2=1000)  # 1,7 %
    page = _page(drafter, cid)
    # Both would read 2,1 %, beside a gap of −0,1 pt: they are shown to two decimals.
    row = _row(page, 2025)
    assert "2,14 %" in row and "2,06 %" in row and "−0,08 pt" in row
    assert ">2,1 %<" not in row
    # Values that read apart keep one decimal, and the gap is their shown difference.
    row = _row(page, 2026)
    assert ">2,1 %<" in row and ">1,7 %<" in row and "−0,4 pt" in row
