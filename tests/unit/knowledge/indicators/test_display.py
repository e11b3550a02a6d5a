"""Values, gaps and numbers as the French pages show them."""

from __future__ import annotations

from knowledge.indicators.codes import get
from knowledge.indicators.display import format_number, shown_gap, shown_value


def test_shown_values_and_gaps():
    assert shown_value(get("G.III"), 15) == "15,0 %"
    assert shown_value(get("A.I"), 1250) == "1 250 logements"
    assert shown_value(get("H.I"), 1) == "OUI"
    assert shown_gap(get("G.III"), -5, "defavorable") == "−5,0 pts"
    assert shown_gap(get("G.III"), 1.5, "favorable") == "+1,5 pt"
    assert shown_gap(get("A.I"), 3, "favorable") == "+3 logements"
    assert shown_gap(get("A.I"), 0, "favorable") == "±0 logements"
    assert shown_gap(get("H.I"), -1, "defavorable") == "non atteint"


def test_french_number_formatting():
    assert format_number(3_600_000) == "3 600 000"
    assert format_number(1234567.891) == "1 234 567,89"
    assert format_number(15, 1, 1) == "15,0"
    assert format_number(0.5) == "0,5"
    assert format_number(2.0) == "2"
