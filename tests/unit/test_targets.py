"""Targets against achieved values: the pure rules (direction of a gap, phases, input
checks, aggregation labels), the display of values and the server-rendered chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from app.targets.chart import Series, _ticks, line_chart
from app.targets.operations import _computed
from knowledge.indicators.catalogue import CATALOGUE
from knowledge.indicators.codes import get
from knowledge.indicators.display import shown_gap, shown_value
from workflows.errors import InvalidInput
from workflows.lifecycle import ConventionState
from workflows.targets import (
    DIRECTIONS,
    clean_scope,
    direction,
    direction_label,
    future_year_refusal,
    gap_status,
    parse_kind,
    parse_year,
    phase_refusal,
    rule_label,
)

SVG = "{http://www.w3.org/2000/svg}"

# --- direction of a gap -------------------------------------------------------------------


def test_every_national_indicator_has_a_direction():
    assert set(DIRECTIONS) == set(CATALOGUE)
    assert all(d in ("hausse", "baisse") and reason for d, reason in DIRECTIONS.values())


@pytest.mark.parametrize("code", ["F.VI", "G.I", "H.III", "H.V", "I.I"])
def test_lower_is_better_for_vacancy_arrears_breakdowns_caretaking_and_costs(code):
    assert direction(code) == "baisse"
    assert direction_label(code) == "plus la valeur est basse, mieux c'est"


@pytest.mark.parametrize("code", ["A.I", "C.IV", "E.I", "F.II", "G.II", "G.III", "H.I", "H.VI"])
def test_higher_is_better_elsewhere(code):
    assert direction(code) == "hausse"
    assert direction_label(code) == "plus la valeur est élevée, mieux c'est"


def test_an_indicator_outside_the_catalogue_reads_higher_is_better():
    assert direction("Z.IX") == "hausse"


@pytest.mark.parametrize(
    ("code", "target", "achieved", "status"),
    [
        ("G.III", 15.0, 10.0, "defavorable"),  # fewer repayment plans than promised
        ("G.III", 15.0, 20.0, "favorable"),
        ("G.III", 15.0, 15.0, "favorable"),  # target met exactly
        ("F.VI", 5.0, 8.0, "defavorable"),  # more vacancy than the target
        ("F.VI", 5.0, 3.0, "favorable"),
        ("I.I", 1200.0, 1350.0, "defavorable"),
        ("H.I", 1.0, 0.0, "defavorable"),  # qualitative: NON where OUI was expected
        ("F.VI", 0.3, 0.1 + 0.2, "favorable"),  # float noise is not a miss
        ("A.I", 0.3, 0.1 + 0.2, "favorable"),
    ],
)
def test_gap_status(code, target, achieved, status):
    assert gap_status(code, target, achieved) == status


# --- phases and input ---------------------------------------------------------------------


@pytest.mark.parametrize("state", ["brouillon", "association", "negociation"])
def test_targets_are_set_while_the_text_may_change(state):
    assert phase_refusal("cible", state) is None
    assert "signée" in phase_refusal("realise", state)


def test_targets_freeze_at_transmission_and_signature():
    assert "renvoyée en négociation" in phase_refusal("cible", ConventionState.TRANSMISE)
    for state in ("signee", "bilan_2ans", "bilan_4ans", "bilan_6ans"):
        assert "avenant" in phase_refusal("cible", state)
    assert phase_refusal("realise", ConventionState.TRANSMISE) is not None


@pytest.mark.parametrize("state", ["signee", "bilan_2ans", "bilan_4ans", "bilan_6ans"])
def test_achieved_values_once_signed_and_during_evaluations(state):
    assert phase_refusal("realise", state) is None


def test_an_achieved_value_cannot_concern_a_year_not_begun():
    assert future_year_refusal("realise", 2027, 2026) is not None
    assert future_year_refusal("realise", 2026, 2026) is None
    assert future_year_refusal("cible", 2030, 2026) is None


def test_parse_year_within_the_period():
    assert parse_year("2027", 2025, 2030) == 2027
    assert parse_year(2025, 2025, 2030) == 2025
    with pytest.raises(InvalidInput, match="hors de la période de la convention"):
        parse_year("2031", 2025, 2030)
    for raw in ("", "deux mille", "2²", True, None, "20 25"):
        with pytest.raises(InvalidInput, match="Année invalide"):
            parse_year(raw, 2025, 2030)


def test_parse_kind_and_scope():
    assert parse_kind(" Cible ") == "cible"
    assert parse_kind("réalisé") == "realise"
    with pytest.raises(InvalidInput):
        parse_kind("prevision")
    assert clean_scope("  Segment   1  ") == "Segment 1"
    with pytest.raises(InvalidInput, match="périmètre"):
        clean_scope("   ")
    with pytest.raises(InvalidInput, match="trop long"):
        clean_scope("x" * 201)
    assert clean_scope("x" * 200) == "x" * 200


def test_rule_labels():
    assert rule_label("cumulated", "count", 6) == "cumul sur 6 ans"
    assert rule_label("at_term", "ratio_percent", 6).startswith("valeur à terme")
    assert "dernière année" in rule_label("last_year", "amount_per_unit", 6)
    assert rule_label("six_year_average", "ratio_percent", 6) == (
        "moyenne pondérée sur 6 ans = somme des numérateurs / somme des dénominateurs"
    )
    assert rule_label("six_year_average", "count", 6) == "moyenne sur 6 ans"
    assert "pas de valeur agrégée" in rule_label("per_year", "count", 6)


# --- values as entered and shown ----------------------------------------------------------


def test_variables_are_stored_under_their_names_as_numbers():
    stored, value = _computed(get("G.III"), {"v1": "30", "V2": "2 000,0", "V9": ""}, "D", 2025)
    assert stored == {"V1": 30.0, "V2": 2000.0}
    assert value == pytest.approx(1.5)
    stored, value = _computed(get("H.I"), {"V1": "oui"}, "Segment", 2025)
    assert stored == {"V1": 1.0} and value == 1.0
    stored, _ = _computed(get("H.III"), {"V1": 9, "v1.a": 4, "V1.b": "", "V2": 3}, "S", 2025)
    assert stored == {"V1": 9.0, "V1.a": 4.0, "V2": 3.0}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"V1": "30", "V2": "0"}, "division par zéro"),
        ({"V1": "-3", "V2": "200"}, "ne peut pas être négatif"),
        ({"V1": "30", "V2": ""}, "il manque V2"),
        ({"V1": "trente", "V2": "200"}, "doit être un nombre"),
        ({"V1": "30", "V2": "200", "V7": "1"}, "inconnue"),
    ],
)
def test_the_calculator_refusal_names_the_cell(variables, message):
    with pytest.raises(InvalidInput, match=message) as error:
        _computed(get("G.III"), variables, "Département Test", 2025)
    assert str(error.value).startswith("Valeur non enregistrée (G.III, Département Test, 2025)")


def test_shown_values_and_gaps():
    assert shown_value(get("G.III"), 15) == "15,0 %"
    assert shown_value(get("A.I"), 1250) == "1 250 logements"
    assert shown_value(get("H.I"), 1) == "OUI"
    assert shown_gap(get("G.III"), -5, "defavorable") == "−5,0 pts"
    assert shown_gap(get("G.III"), 1.5, "favorable") == "+1,5 pt"
    assert shown_gap(get("A.I"), 3, "favorable") == "+3 logements"
    assert shown_gap(get("A.I"), 0, "favorable") == "±0 logements"
    assert shown_gap(get("H.I"), -1, "defavorable") == "non atteint"


# --- chart --------------------------------------------------------------------------------


def _chart(**overrides):
    arguments = {
        "chart_id": "graphique-1",
        "title": "G.III — Plans d'apurement <script>alert(1)</script> & co",
        "unit": "Unité : %",
        "years": [2025, 2026, 2027, 2028, 2029, 2030],
        "series": [
            Series("Cible", {2025: 15.0, 2026: 20.0, 2027: 25.0}, "serie-cible", "#1f4fa3", True),
            Series("Réalisé", {2025: 10.0, 2027: 30.0}, "serie-realise", "#a34a00", square=True),
        ],
        "shown": lambda v: f"{v:.1f} %",
    }
    arguments.update(overrides)
    return line_chart(**arguments)


def test_chart_is_accessible_svg_marked_safe_once_built():
    svg = _chart()
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "graphique-1-titre graphique-1-desc"
    assert root.find(f"{SVG}title").text == (
        "G.III — Plans d'apurement <script>alert(1)</script> & co"
    )
    desc = root.find(f"{SVG}desc").text
    assert "Cible : 2025 : 15.0 % ; 2026 : 20.0 % ; 2027 : 25.0 %" in desc
    assert "Réalisé : 2025 : 10.0 % ; 2027 : 30.0 %" in desc
    texts = list(root.iter(f"{SVG}text"))
    years = [t.text for t in texts if t.get("class") == "annee"]
    assert years == [str(y) for y in range(2025, 2031)]
    assert [t.text for t in texts if t.get("class") == "graduation"] == ["0", "10", "20", "30"]
    assert "Unité : %" in [t.text for t in texts]


def test_chart_escapes_every_text():
    svg = str(_chart(chart_id='x" onload="alert(1)', unit="<b>%</b>"))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert 'id="x&quot; onload=&quot;alert(1)"' in svg
    assert ET.fromstring(svg).get("id") == 'x" onload="alert(1)'


def _points(root, tag):
    return [m for m in root.findall(f"{SVG}{tag}") if m.get("class", "").startswith("point ")]


def test_one_marker_per_value_and_lines_broken_at_missing_years():
    root = ET.fromstring(str(_chart()))
    assert len(_points(root, "circle")) == 3  # three targets
    assert len(_points(root, "rect")) == 2  # two achieved values
    legend = [m for m in root if m.get("class", "").startswith("legende")]
    assert [m.tag for m in legend] == [f"{SVG}circle", f"{SVG}rect"]
    paths = {p.get("class"): p.get("d") for p in root.findall(f"{SVG}path")}
    assert paths["serie-cible"].count("M") == 1 and paths["serie-cible"].count("L") == 2
    assert paths["serie-realise"].count("M") == 2 and "L" not in paths["serie-realise"]
    tips = [c.find(f"{SVG}title").text for c in _points(root, "rect")]
    assert tips == ["2025 — Réalisé : 10.0 %", "2027 — Réalisé : 30.0 %"]


def test_higher_values_are_drawn_higher_and_inside_the_plot():
    root = ET.fromstring(str(_chart()))
    ys = [float(c.get("cy")) for c in _points(root, "circle")]
    assert ys[0] > ys[1] > ys[2]  # 15 < 20 < 25: SVG's y grows downwards
    height = float(root.get("height"))
    assert all(0 < y < height for y in ys)


def test_chart_without_values_and_qualitative_ticks():
    empty = ET.fromstring(str(_chart(series=[Series("Cible", {}, "serie-cible", "#000")])))
    assert "aucune valeur" in empty.find(f"{SVG}desc").text
    assert _points(empty, "circle") == [] and empty.findall(f"{SVG}path") == []
    yes_no = ET.fromstring(
        str(
            _chart(
                series=[Series("Cible", {2025: 1.0}, "serie-cible", "#000")],
                y_ticks=[(0.0, "NON"), (1.0, "OUI")],
            )
        )
    )
    labels = [t.text for t in yes_no.iter(f"{SVG}text")]
    assert "OUI" in labels and "NON" in labels


def test_ticks_are_round_and_cover_the_highest_value():
    assert _ticks(0) == [0.0, 1.0]
    assert _ticks(25) == [0, 10, 20, 30]
    assert _ticks(100) == [0, 50, 100]
    ticks = _ticks(3_600_000)
    assert ticks[-1] >= 3_600_000 and len(ticks) <= 6
