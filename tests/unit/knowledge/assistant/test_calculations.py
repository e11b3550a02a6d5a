"""Numbers a question gives, read so that a calculation cannot be fooled: years beside
values, per-year series written in the usual ways, a pasted spreadsheet, a yearly
quantity over a range of years, counts written in words; every warning shown, and a
value no indicator can take never given as a plain result."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.assistant.numbers import cells_apart, words_to_digits, yearly_range
from knowledge.assistant.understanding import understand
from tests.corpus import corpus_available

needs_corpus = pytest.mark.skipif(not corpus_available(), reason="shared corpus not found")

G3 = {"V1": 40.0, "V2": 400.0}


@pytest.mark.parametrize(
    "question",
    [
        "2011 40/400 2012 50/410 : valeur de G.III sur la période ?",
        "2011 : 40/400 ; 2012 : 50/410 ; quelle valeur pour G.III ?",
        "En 2011, 40 pour 400 ; en 2012, 50 pour 410 : valeur de G.III ?",
        "2011 - 40 sur 400, 2012 - 50 sur 410 : G.III ?",
        "Année\t2011\t2012\nPlans\t40\t50\nMénages\t400\t410\nvaleur de G.III ?",
        "Année   2011   2012   Plans   40   50   Ménages   400   410 : valeur de G.III ?",
        "En 2011 et 2012, 40 et 50 plans d'apurement pour 400 et 410 ménages en impayés : G.III ?",
    ],
)
def test_per_year_series_written_in_any_common_way(question):
    reading = understand(cells_apart(question))
    assert reading.kind == "calculation"
    assert reading.variables == {2011: G3, 2012: {"V1": 50.0, "V2": 410.0}}


def test_a_year_before_a_number_is_never_a_value():
    reading = understand("2011 40/400 : valeur de G.III ?")
    assert reading.variables == {2011: G3}


@given(
    st.lists(
        st.tuples(st.integers(1990, 2100), st.integers(0, 999), st.integers(1000, 9999)),
        min_size=2,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_no_year_of_a_series_becomes_a_value(rows):
    question = " ".join(f"{y} : {a}/{b} ;" for y, a, b in rows) + " valeur de G.III ?"
    reading = understand(question)
    years = {y for y, _a, _b in rows}
    assert set(reading.variables) == years
    for year, v1, v2 in rows:
        assert reading.variables[year] == {"V1": float(v1), "V2": float(v2)}


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("douze plans pour quarante ménages", "12 plans pour 40 ménages"),
        ("quatre-vingt-dix-sept", "97"),
        ("soixante-dix", "70"),
        ("trente et un", "31"),
        ("deux cents logements", "200 logements"),
        ("deux mille cinq cents euros", "2500 euros"),
        ("un parc de vingt-cinq logements", "un parc de 25 logements"),
        ("deux trois", "deux trois"),  # two counts side by side are no number
    ],
)
def test_counts_written_in_words(text, digits):
    assert words_to_digits(text) == digits


def test_a_yearly_quantity_over_a_range_is_cumulated_for_a_cumulated_target():
    assert yearly_range("60 logements par an de 2021 à 2026") == (2021, 2026)
    assert yearly_range("en 2021 et 2026, 60 logements") is None  # no "par an"
    reading = understand("Nous financerons 60 logements par an de 2021 à 2026 : valeur de A.I ?")
    assert reading.spread == (2021, 2026)
    assert reading.variables == {year: {"V1": 60.0} for year in range(2021, 2027)}


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("30 plans d'apurement amiable pour 200 ménages en impayés : G.III ?", 15.0),
        ("12,5 plans d'apurement pour 50 ménages en impayés : G.III ?", 25.0),
        ("12.5 plans d'apurement pour 50 ménages en impayés : G.III ?", 25.0),
        ("Investissement de 3 600 000 euros sur un parc de 2 400 logements : C.I ?", 1500.0),
        ("Investissement de 3,600,000 euros sur un parc de 2 400 logements : C.I ?", 1500.0),
        # "HT" is a unit, not a name the passages must hold.
        ("3 250 000,00 euros HT de travaux pour 2 600 logements : valeur de C.I ?", 1250.0),
    ],
)
def test_french_and_english_decimals(extractive, question, value):
    answer = extractive.ask(question)
    assert answer["calculation"]["value"] == pytest.approx(value)


@needs_corpus
def test_every_warning_is_shown_and_an_impossible_rate_is_no_plain_result(extractive):
    answer = extractive.ask(
        "Nous avons 450 plans d'apurement pour 200 ménages en impayés de plus de trois mois : "
        "valeur de G.III ?"
    )
    calculation = answer["calculation"]
    assert calculation["warnings"], calculation
    for warning in calculation["warnings"]:
        assert f"Attention : {warning}" in answer["answer"]
    assert answer["answer"].startswith("Valeur de G.III hors des valeurs possibles (225,0 %)")


@needs_corpus
def test_the_cumulated_answer_says_it_cumulated(extractive):
    answer = extractive.ask("Nous financerons 60 logements par an de 2021 à 2026 : valeur de A.I ?")
    assert answer["calculation"]["value"] == pytest.approx(360.0)
    assert "chaque année de 2021 à 2026" in answer["answer"]
