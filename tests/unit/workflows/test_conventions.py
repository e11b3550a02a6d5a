"""Conventions without a database: periods, standard sections, titles."""

from __future__ import annotations

import pytest

from workflows.conventions import STANDARD_SECTIONS, ConventionKind, check_period, clean_title
from workflows.errors import InvalidInput


def test_cus_lasts_six_years():
    assert check_period(ConventionKind.CUS, 2025, None) == 2030
    assert check_period(ConventionKind.CUS, 2025, 2030) == 2030
    with pytest.raises(InvalidInput, match="six ans"):
        check_period(ConventionKind.CUS, 2025, 2027)


def test_contract_periods():
    assert check_period(ConventionKind.APPLICATION, 2026, None) == 2026
    assert check_period(ConventionKind.CADRE, 2025, 2028) == 2028
    with pytest.raises(InvalidInput):
        check_period(ConventionKind.CADRE, 2025, 2024)
    with pytest.raises(InvalidInput):
        check_period(ConventionKind.CADRE, 1850, None)


def test_standard_sections_of_a_cus():
    titles = [s.title for s in STANDARD_SECTIONS[ConventionKind.CUS]]
    assert len(titles) == 8
    assert titles[0] == "État des lieux"
    assert "Cahier des charges de gestion sociale" in titles
    assert any("plan de mise en vente" in t for t in titles)
    optional = [s.title for s in STANDARD_SECTIONS[ConventionKind.CUS] if not s.mandatory]
    assert optional == ["Objectifs facultatifs"]


def test_titles_are_trimmed_and_bounded():
    assert clean_title("  Qualité   de service ") == "Qualité de service"
    with pytest.raises(InvalidInput, match="obligatoire"):
        clean_title("   ")
    with pytest.raises(InvalidInput, match="200"):
        clean_title("x" * 201)
