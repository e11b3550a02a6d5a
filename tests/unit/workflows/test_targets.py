"""Targets against achieved values, the pure rules: direction of a gap, phases, input
checks, aggregation labels."""

from __future__ import annotations

import pytest

from knowledge.indicators.catalogue import CATALOGUE
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
