"""Revisions without a database: size limits, the base a save starts from, revision numbers."""

from __future__ import annotations

import pytest

from workflows.errors import InvalidInput, TooLarge
from workflows.revisions import (
    MAX_BODY_BYTES,
    check_base,
    clean_body,
    clean_message,
    parse_revision_number,
)


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
