from datetime import date

import pytest

from workflows.errors import InvalidInput
from workflows.register import (
    NOTICE_MONTHS,
    clean_document,
    clean_meeting,
    minimum_sending_date,
    parse_date,
    sending_warning,
)


def test_one_month_of_notice():
    assert NOTICE_MONTHS == 1


@pytest.mark.parametrize(
    ("meeting", "latest"),
    [
        (date(2026, 4, 2), date(2026, 3, 2)),
        (date(2026, 3, 1), date(2026, 2, 1)),
        (date(2026, 3, 31), date(2026, 2, 28)),  # clamped to the end of February
        (date(2024, 3, 31), date(2024, 2, 29)),  # leap year
        (date(2026, 3, 29), date(2026, 2, 28)),
        (date(2026, 5, 31), date(2026, 4, 30)),
        (date(2026, 1, 15), date(2025, 12, 15)),  # previous year
        (date(2026, 1, 31), date(2025, 12, 31)),
        (date(2026, 12, 31), date(2026, 11, 30)),
    ],
)
def test_minimum_sending_date(meeting, latest):
    assert minimum_sending_date(meeting) == latest


def test_sent_less_than_a_month_before():
    assert sending_warning(date(2026, 3, 20), date(2026, 4, 2)) == (
        "Envoyé le 20/03/2026, moins d'un mois avant la réunion du 02/04/2026 "
        "(au plus tard le 02/03/2026)."
    )


def test_sent_on_time():
    assert sending_warning(date(2026, 3, 2), date(2026, 4, 2)) is None  # exactly one month
    assert sending_warning(date(2026, 1, 10), date(2026, 4, 2)) is None
    assert sending_warning(date(2026, 3, 3), date(2026, 4, 2)) is not None  # one day short


def test_sending_warning_uses_the_clamped_date():
    assert sending_warning(date(2026, 2, 28), date(2026, 3, 31)) is None
    assert sending_warning(date(2026, 3, 1), date(2026, 3, 31)) == (
        "Envoyé le 01/03/2026, moins d'un mois avant la réunion du 31/03/2026 "
        "(au plus tard le 28/02/2026)."
    )


def test_sent_on_the_day_of_the_meeting_is_too_late():
    assert "moins d'un mois" in sending_warning(date(2026, 4, 2), date(2026, 4, 2))


def test_sent_after_the_meeting():
    assert sending_warning(date(2026, 4, 5), date(2026, 4, 2)) == (
        "Envoyé le 05/04/2026, après la réunion du 02/04/2026."
    )


def test_clean_meeting():
    assert clean_meeting("  Réunion   d'association ", date(2026, 4, 2), "  Mairie ") == (
        "Réunion d'association",
        date(2026, 4, 2),
        "Mairie",
    )
    assert clean_meeting("Réunion", date(2026, 4, 2), None) == ("Réunion", date(2026, 4, 2), "")
    assert clean_meeting("R", date(2026, 4, 2), "p" * 200)[2] == "p" * 200


def test_clean_meeting_refusals():
    with pytest.raises(InvalidInput, match="réunion est obligatoire"):
        clean_meeting("   ", date(2026, 4, 2), "")
    with pytest.raises(InvalidInput, match="200"):
        clean_meeting("x" * 201, date(2026, 4, 2), "")
    with pytest.raises(InvalidInput, match="La date de la réunion est obligatoire"):
        clean_meeting("Réunion", None, "")
    with pytest.raises(InvalidInput, match="lieu"):
        clean_meeting("Réunion", date(2026, 4, 2), "p" * 201)


def test_clean_document():
    assert clean_document(" Diagnostic  patrimonial ", date(2026, 3, 1)) == (
        "Diagnostic patrimonial",
        date(2026, 3, 1),
    )
    assert clean_document("d" * 200, date(2026, 3, 1))[0] == "d" * 200
    with pytest.raises(InvalidInput, match="document est obligatoire"):
        clean_document(None, date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="200"):
        clean_document("d" * 201, date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="date d'envoi"):
        clean_document("Diagnostic", None)


@pytest.mark.parametrize(
    "raw", ["2026-03-20", "20/03/2026", " 20/03/2026 ", "20/3/2026", "2026-03-20\n"]
)
def test_parse_date_accepts_iso_and_french(raw):
    assert parse_date(raw, "La date d'envoi") == date(2026, 3, 20)


def test_parse_date_reads_day_before_month():
    assert parse_date("03/04/2026", "La date") == date(2026, 4, 3)


@pytest.mark.parametrize(
    "raw",
    [
        "20-03-2026",
        "2026/03/20",
        "20/03/26",
        "20260320",
        "2026-W12-5",
        "demain",
        "٢٠/٠٣/٢٠٢٦",
        "٢٠٢٦-٠٣-٢٠",
    ],
)
def test_parse_date_refuses_other_forms(raw):
    with pytest.raises(InvalidInput, match="La date de la réunion n'est pas une date valide"):
        parse_date(raw, "La date de la réunion")


@pytest.mark.parametrize("raw", ["31/02/2026", "2026-13-01", "00/01/2026"])
def test_parse_date_refuses_impossible_dates(raw):
    with pytest.raises(InvalidInput, match="La date d'envoi n'existe pas"):
        parse_date(raw, "La date d'envoi")


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_parse_date_requires_a_value(raw):
    with pytest.raises(InvalidInput, match="La date d'envoi est obligatoire"):
        parse_date(raw, "La date d'envoi")
