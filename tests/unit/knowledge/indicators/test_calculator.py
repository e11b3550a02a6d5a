"""knowledge.indicators.calculator: each year's value with its working, the aggregates, the warnings."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal

import pytest

from knowledge.indicators.calculator import CalculationError, YearValue, compute, compute_year
from knowledge.indicators.catalogue import CATALOGUE
from knowledge.indicators.codes import get

# --- the reference cases -----------------------------------------------------------------


def test_g_iii_percentage():
    result = compute("G.III", {2025: {"V1": 30, "V2": 200}})
    year = result.years[0]
    assert year == YearValue(2025, 15.0, "V1 / V2 × 100 = 30 / 200 × 100 = 15,0 %")
    assert year.value == 15.0  # percentages are 0-100, exactly
    assert result.unit == "%"
    assert result.warnings == ()


def test_c_i_amount_per_dwelling():
    result = compute("C.I", {2025: {"V1": 3_600_000, "V2": 2_400}})
    year = result.years[0]
    assert year.value == 1500.0
    assert "3 600 000" in year.working and "2 400" in year.working
    assert year.working == "V1 / V2 = 3 600 000 / 2 400 = 1 500 € HT par logement"
    assert result.unit == "€ HT par logement"


def test_compute_year_directly():
    value = compute_year(get("G.III"), {"V1": 30, "V2": 200})
    assert value.value == 15.0 and value.year == 0
    assert compute_year("c1", {"V1": 3_600_000, "V2": 2_400}, year=2026).year == 2026


def test_values_are_not_rounded_but_the_working_is():
    year = compute("E.I", {2025: {"V1": 1, "V2": 3}}).years[0]
    assert year.value == pytest.approx(100 / 3, rel=1e-15)
    assert year.working.endswith("= 33,3 %")
    amount = compute("I.I", {2025: {"V1": 1_000_000, "V2": 3}}).years[0]
    assert amount.value == pytest.approx(1_000_000 / 3, rel=1e-15)
    assert "333 333,33 € par logement géré" in amount.working


# --- inputs ---------------------------------------------------------------------------------


def test_numeric_strings_and_variable_spellings_are_accepted():
    result = compute("C.I", {"2025": {"v1": "3 600 000", " V2 ": "2400"}})
    assert result.years[0].value == 1500.0
    assert compute("F.VI", {2025: {"V1": "15,5", "V2": Decimal("310")}}).years[0].value == 5.0
    assert compute("H.III", {2025: {"V1": 6, "v1a": 6, "V2": 3}}).years[0].value == 2.0


def test_zero_denominator():
    with pytest.raises(CalculationError, match=r"^2025 : V2 \(Attributions\) vaut 0") as error:
        compute("E.I", {2025: {"V1": 3, "V2": 0}})
    assert "division par zéro" in str(error.value)


def test_negative_value():
    with pytest.raises(CalculationError, match=r"2026 : V1 .* ne peut pas être négatif"):
        compute("E.I", {2025: {"V1": 3, "V2": 10}, 2026: {"V1": -1, "V2": 10}})


def test_missing_variable():
    with pytest.raises(CalculationError, match=r"2025 : il manque V2 \(Attributions\)"):
        compute("E.I", {2025: {"V1": 3}})
    with pytest.raises(CalculationError, match="il manque V1"):
        compute("A.I", {2025: {}})
    with pytest.raises(CalculationError, match="il manque V2"):
        compute("E.I", {2025: {"V1": 3, "V2": None}})


@pytest.mark.parametrize("bad", ["abc", "", "1.2.3", "12 %", True, [3], float("nan"), math.inf])
def test_non_number(bad):
    with pytest.raises(
        CalculationError, match=r"^2025 : V1 \(Plans d'apurement amiables\) doit être un nombre"
    ):
        compute("G.III", {2025: {"V1": bad, "V2": 10}})


def test_unknown_variable():
    with pytest.raises(CalculationError, match=r"2025 : variable « V3 » inconnue .*V1, V2"):
        compute("G.III", {2025: {"V1": 1, "V2": 10, "V3": 2}})
    with pytest.raises(CalculationError, match="« V1.a » inconnue"):
        compute("G.III", {2025: {"V1": 1, "V2": 10, "V1.a": 2}})
    with pytest.raises(CalculationError, match="V1 est donnée deux fois"):
        compute("G.III", {2025: {"V1": 1, "v1": 1, "V2": 10}})


def test_bad_years_and_codes():
    with pytest.raises(CalculationError, match="Aucune année"):
        compute("G.III", {})
    with pytest.raises(CalculationError, match="Année invalide"):
        compute("G.III", {"deux mille": {"V1": 1, "V2": 2}})
    with pytest.raises(CalculationError, match="Année invalide"):
        compute("G.III", {25: {"V1": 1, "V2": 2}})
    with pytest.raises(CalculationError, match="2025 est donnée deux fois"):
        compute("G.III", {2025: {"V1": 1, "V2": 2}, "2025": {"V1": 1, "V2": 2}})
    with pytest.raises(CalculationError, match="Indicateur inconnu"):
        compute("Z.IX", {2025: {"V1": 1}})
    with pytest.raises(CalculationError, match="nom → valeur"):
        compute("G.III", {2025: [30, 200]})


def test_calculation_error_is_a_value_error():
    assert issubclass(CalculationError, ValueError)


# --- warnings -------------------------------------------------------------------------------


def test_numerator_above_denominator_warns_for_a_percentage():
    result = compute("E.I", {2025: {"V1": 45, "V2": 30}})
    assert result.years[0].value == 150.0
    assert result.warnings == ("2025 : V1 (45) dépasse V2 (30) pour un pourcentage.",)


def test_no_such_warning_for_other_ratios():
    assert compute("C.I", {2025: {"V1": 3_600_000, "V2": 2_400}}).warnings == ()
    assert compute("H.V", {2025: {"V1": 250, "V2": 2}}).warnings == ()


def test_lift_causes_must_add_up():
    result = compute("H.III", {2025: {"V1": 12, "V1.a": 8, "V1.b": 2, "V1.c": 1, "V2": 4}})
    assert result.years[0].value == 3.0
    assert "V1.a / V2 = 8 / 4 = 2" in result.years[0].working
    assert result.warnings == (
        "2025 : V1.a + V1.b + V1.c (11) diffère de V1 (12) : chaque arrêt doit relever "
        "d'une seule cause.",
    )
    fine = compute("H.III", {2025: {"V1": 11, "V1.a": 8, "V1.b": 2, "V1.c": 1, "V2": 4}})
    assert fine.warnings == ()


def test_counts_should_be_whole():
    result = compute("A.I", {2025: {"V1": 10.5}})
    assert result.warnings == ("2025 : V1 (10,5) n'est pas un nombre entier.",)
    assert compute("B.I", {2025: {"V1": 10.5}}).warnings == ()  # logements équivalents


def test_period_warnings():
    seven = {year: {"V1": 1} for year in range(2025, 2032)}
    assert any("7 années fournies" in w for w in compute("A.I", seven).warnings)
    gap = compute("A.I", {2025: {"V1": 1}, 2027: {"V1": 2}})
    assert any("Années manquantes" in w and "2026" in w for w in gap.warnings)


# --- aggregates -----------------------------------------------------------------------------


def test_cumulated_sums_the_yearly_counts():
    years = {2025 + i: {"V1": n} for i, n in enumerate([10, 12, 9, 15, 11, 13])}
    result = compute("A.I", years)
    assert result.aggregate == 70
    assert [y.value for y in result.years] == [10, 12, 9, 15, 11, 13]
    assert result.aggregate_working == (
        "Cumul (2025–2030, 6 années) : 10 + 12 + 9 + 15 + 11 + 13 = 70 logements."
    )


def test_six_year_average_is_sum_of_numerators_over_sum_of_denominators():
    years = {
        2025: {"V1": 10, "V2": 100},
        2026: {"V1": 30, "V2": 100},
        2027: {"V1": 5, "V2": 10},
        2028: {"V1": 20, "V2": 200},
        2029: {"V1": 10, "V2": 50},
        2030: {"V1": 25, "V2": 40},
    }
    result = compute("E.I", years)
    pooled = (10 + 30 + 5 + 20 + 10 + 25) * 100 / (100 + 100 + 10 + 200 + 50 + 40)
    mean_of_ratios = sum(y.value for y in result.years) / 6
    assert result.aggregate == pytest.approx(pooled)
    assert result.aggregate == pytest.approx(20.0)
    assert not math.isclose(result.aggregate, mean_of_ratios)  # 30.4 %, not the method
    assert "somme des V1 / somme des V2 × 100 = 100 / 500 × 100 = 20,0 %" in (
        result.aggregate_working
    )
    assert "30,4 %" in result.aggregate_working  # the mean is shown as not the method


def test_six_year_average_equals_mean_when_denominators_are_equal():
    years = {2025: {"V1": 10, "V2": 100}, 2026: {"V1": 30, "V2": 100}}
    result = compute("F.II", years)
    assert result.aggregate == pytest.approx(20.0)
    assert "moyenne simple" not in result.aggregate_working


def test_at_term_takes_the_last_year():
    years = {"2030": {"V1": 30, "V2": 1000}, 2025: {"V1": 50, "V2": 1000}}
    result = compute("F.VI", years)
    assert [y.year for y in result.years] == [2025, 2030]  # sorted
    assert result.aggregate == 3.0
    assert result.aggregate_working == (
        "Valeur à terme = valeur de la dernière année fournie (2030) : 3,0 %."
    )


def test_last_year_takes_the_last_year():
    years = {2025 + i: {"V1": 80 + i, "V2": 100} for i in range(6)}
    result = compute("H.II", years)
    assert result.aggregate == 85.0
    assert "dernière année fournie (2030)" in result.aggregate_working
    assert "85,0 %" in result.aggregate_working


def test_at_term_with_a_short_period_says_so():
    result = compute("G.III", {2025: {"V1": 30, "V2": 200}})
    assert result.aggregate == 15.0
    assert "n'atteignent pas le terme" in result.aggregate_working


def test_per_year_has_no_aggregate():
    local = dataclasses.replace(get("G.III"), target_kind="per_year")
    result = compute(local, {2025: {"V1": 30, "V2": 200}, 2026: {"V1": 20, "V2": 200}})
    assert result.aggregate is None
    assert result.aggregate_working.startswith("Pas de valeur agrégée")
    assert [y.value for y in result.years] == [15.0, 10.0]


def test_cumulated_on_a_ratio_sums_the_numerators():
    local = dataclasses.replace(get("C.I"), target_kind="cumulated")
    result = compute(local, {2025: {"V1": 100, "V2": 10}, 2026: {"V1": 50, "V2": 10}})
    assert result.aggregate == 150
    assert "Cumul des V1" in result.aggregate_working


def test_six_year_average_of_a_count_is_the_mean():
    local = dataclasses.replace(get("A.I"), target_kind="six_year_average")
    result = compute(local, {2025: {"V1": 10}, 2026: {"V1": 20}})
    assert result.aggregate == 15.0


def test_qualitative_indicator():
    result = compute("H.I", {2025: {"V1": "non"}, 2027: {"V1": 0}, 2029: {"V1": "OUI"}})
    assert [y.value for y in result.years] == [0.0, 0.0, 1.0]
    assert result.years[2].working == "V1 = OUI"
    assert result.aggregate == 1.0 and "OUI" in result.aggregate_working
    assert compute("H.I", {2025: {"V1": True}}).years[0].value == 1.0
    with pytest.raises(CalculationError, match="OUI ou NON"):
        compute("H.I", {2025: {"V1": 2}})


def test_every_catalogue_indicator_computes():
    for code, indicator in CATALOGUE.items():
        variables = dict.fromkeys(indicator.required_variables, 1)
        result = compute(code, {2025 + i: variables for i in range(6)})
        assert len(result.years) == 6, code
        assert (result.aggregate is None) == (indicator.target_kind == "per_year"), code


# --- numbers as a French user types them, and finite results (issue 13) --------------------


@pytest.mark.parametrize("bad", ["١٢٣", "۱۲۳", "１２３", "1e3", "Infinity"])
def test_other_scripts_digits_and_english_spellings_are_refused(bad):
    # float() reads "١٢٣" as 123: the calculator reads the digits a French user types.
    with pytest.raises(
        CalculationError, match=r"V1 \(Plans d'apurement amiables\) doit être un nombre"
    ):
        compute("G.III", {2025: {"V1": bad, "V2": 10}})


@pytest.mark.parametrize("year", ["٢٠٢٥", "２０２５", "2025.0"])
def test_a_year_in_other_digits_is_refused(year):
    with pytest.raises(CalculationError, match="Année invalide"):
        compute("G.III", {year: {"V1": 1, "V2": 10}})


@pytest.mark.parametrize("huge", [1e308, "1" + "0" * 400, 1e16, Decimal("1e20")])
def test_a_figure_beyond_any_real_one_is_refused(huge):
    with pytest.raises(CalculationError, match=r"^2025 : V1 \(.*\) est trop grand"):
        compute("G.III", {2025: {"V1": huge, "V2": 10}})


def test_a_result_beyond_the_floats_is_refused_not_infinite():
    # 1e15 / 1e-308 is infinite as a float: "Infinity" in a JSON answer no parser reads.
    with pytest.raises(
        CalculationError, match=r"^2025 : le résultat de l'indicateur F.VI .* trop grand"
    ):
        compute("F.VI", {2025: {"V1": 1e15, "V2": 1e-308}})
    with pytest.raises(CalculationError, match="trop grand"):
        compute("G.III", {2025: {"V1": 1e15, "V2": "0," + "0" * 320 + "1"}})


def test_every_value_and_aggregate_of_a_large_but_real_convention_is_finite():
    years = {year: {"V1": 9e14, "V2": 1e-3} for year in range(2025, 2031)}
    for code in ("F.VI", "G.III", "A.I"):
        variables = {"V1": 9e14} if CATALOGUE[code].kind == "count" else None
        result = compute(code, {y: variables or v for y, v in years.items()})
        assert all(math.isfinite(y.value) for y in result.years)
        assert result.aggregate is None or math.isfinite(result.aggregate)


def test_a_cause_beyond_the_floats_is_refused_too():
    code = next(c for c, i in CATALOGUE.items() if i.variable("V1.a"))
    with pytest.raises(CalculationError, match="trop grand"):
        compute(code, {2025: {"V1": 0, "V1.a": 1e15, "V2": 1e-308}})
