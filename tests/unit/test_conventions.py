import pytest

from workflows.conventions import STANDARD_SECTIONS, ConventionKind, check_period, clean_title
from workflows.errors import InvalidInput, TooLarge
from workflows.revisions import (
    MAX_BODY_BYTES,
    check_base,
    clean_body,
    clean_message,
    parse_revision_number,
)


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


def test_body_limit_counts_utf8_bytes():
    assert clean_body("a\r\nb\rc") == "a\nb\nc"
    clean_body("a" * MAX_BODY_BYTES)
    with pytest.raises(TooLarge, match="1 Mo"):
        clean_body("é" * (MAX_BODY_BYTES // 2 + 1))


def test_message_limit():
    with pytest.raises(InvalidInput):
        clean_message("m" * 501)


def test_check_base_detects_intervening_save():
    assert check_base(3, 3) is None
    assert check_base(0, None) is None
    conflict = check_base(2, 3)
    assert conflict is not None and (conflict.base_number, conflict.current_number) == (2, 3)
    assert check_base(0, 1) is not None


@pytest.mark.parametrize("raw", [None, "", "abc", "-1", -1, True, 1.5, [1]])
def test_revision_numbers_must_be_non_negative_integers(raw):
    with pytest.raises(InvalidInput):
        parse_revision_number(raw)


def test_revision_numbers_parse():
    assert parse_revision_number("7") == 7
    assert parse_revision_number(0) == 0
