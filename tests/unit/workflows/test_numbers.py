"""Numbers read as a French user types them; other scripts' digits and English
spellings refused."""

from __future__ import annotations

import pytest

from workflows.numbers import read_decimal, read_integer


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("15", 15.0),
        ("15,5", 15.5),
        ("15.5", 15.5),
        (" 3 600 000 ", 3_600_000.0),
        ("3\u00a0600\u00a0000,25", 3_600_000.25),
        ("3\u202f600", 3600.0),
        ("-2,5", -2.5),
        ("\u22122,5", -2.5),
        ("+7", 7.0),
        ("0", 0.0),
    ],
)
def test_what_a_french_user_types_is_read(typed, value):
    assert read_decimal(typed) == value


@pytest.mark.parametrize(
    "typed",
    [
        "١٢٣",  # Arabic-Indic digits: int() and float() read them as 123
        "۱۲۳",  # extended Arabic-Indic
        "１２３",  # fullwidth
        "١٢,٥",
        "1e308",
        "inf",
        "nan",
        "Infinity",
        "1_000",
        "0x10",
        "1.234,5",
        "12 %",
        "1\t000",
        "",
        " ",
        "-",
        ",5",
        "5,",
        "²",
    ],
)
def test_anything_else_is_refused(typed):
    assert read_decimal(typed) is None
    assert read_integer(typed) is None


def test_integers():
    assert read_integer("2025") == 2025
    assert read_integer(" 2 025 ") == 2025
    assert read_integer("-3") == -3
    assert read_integer("12,5") is None
    assert read_integer("9" * 18) == int("9" * 18)
    assert read_integer("9" * 5000) is None  # int() would raise past 4300 digits


def test_a_figure_of_hundreds_of_digits_is_infinite_for_the_caller_to_bound():
    assert read_decimal("1" + "0" * 400) == float("inf")


def test_a_year_takes_no_spaces_between_its_digits():
    assert read_integer(" 2025 ", grouped=False) == 2025
    assert read_integer("20 25", grouped=False) is None
    assert read_integer("٢٠٢٥", grouped=False) is None
