"""Segments of the stock: one département each, and the warnings of a segment too large
or holding the organisme's whole stock in a département unless it is marginal."""

from __future__ import annotations

import pytest

from workflows.errors import InvalidInput
from workflows.segments import (
    MARGINAL_MAX_DWELLINGS,
    READABLE_MAX_DWELLINGS,
    Segment,
    clean_departement,
    clean_dwellings,
    clean_segment,
    warnings,
)


@pytest.mark.parametrize("raw", ["59, 62", "59 et 62", "59/62", "2A;2B"])
def test_a_segment_spanning_two_departements_is_refused(raw):
    with pytest.raises(InvalidInput, match="un seul département") as refused:
        clean_departement(raw)
    assert refused.value.field == "departement"


@pytest.mark.parametrize(
    ("raw", "code"), [("59", "59"), (" 2a ", "2A"), ("974", "974"), ("1", "01")]
)
def test_a_departement_is_read_by_its_code(raw, code):
    assert clean_departement(raw) == code


@pytest.mark.parametrize("raw", ["", "Nord", "96", "00", "977"])
def test_what_is_no_departement_is_refused(raw):
    with pytest.raises(InvalidInput):
        clean_departement(raw)


@pytest.mark.parametrize("raw", ["", "0", "-5", "douze", "12,5", "9999999999"])
def test_dwellings_are_a_positive_whole_number(raw):
    with pytest.raises(InvalidInput):
        clean_dwellings(raw)
    assert clean_dwellings("1 200") == 1200


def test_a_segment_over_the_readable_size_is_warned():
    big = Segment("Centre", "59", READABLE_MAX_DWELLINGS + 1)
    fine = Segment("Sud", "59", READABLE_MAX_DWELLINGS)
    found = warnings([big, fine])
    assert list(found) == ["Centre"]
    assert "lisibles" in found["Centre"][0]


def test_a_segment_holding_a_whole_departement_is_warned_unless_marginal():
    alone = Segment("Tout le 62", "62", 1500)
    marginal = Segment("Quelques logements", "80", MARGINAL_MAX_DWELLINGS)
    just_over = Segment("Un peu plus", "02", MARGINAL_MAX_DWELLINGS + 1)
    shared = [Segment("Nord", "59", 1500), Segment("Sud", "59", 1500)]
    found = warnings([alone, marginal, just_over, *shared])
    assert set(found) == {"Tout le 62", "Un peu plus"}
    assert "tout le patrimoine" in found["Tout le 62"][0]


def test_clean_segment_names_what_is_wrong():
    with pytest.raises(InvalidInput) as refused:
        clean_segment("", "59", "100")
    assert refused.value.field == "name"
    assert clean_segment("  Lille   centre ", "59", 100) == Segment("Lille centre", "59", 100)
