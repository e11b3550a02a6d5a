"""Numbers as a French user types them, and nothing else.

Python's int(), float() and Decimal() read any script's digits ("١٢٣" is 123) and
English spellings nobody types in a French form ("1e308", "inf", "nan", "1_000"): every
number read from a form or an API string goes through here instead.

Accepted: ASCII digits; a comma or a dot before the decimals ("15,5", "15.5"); spaces,
no-break spaces and narrow no-break spaces between the digits ("3 600 000", as French
typography writes them and as a copy from a spreadsheet brings them); a leading "-" or
"−" (U+2212); surrounding spaces. Refused (None): anything else; the caller says so,
naming the field, and checks the range it takes (sign, magnitude).
"""

from __future__ import annotations

import re

# Only the spaces French typography puts between groups of digits.
_GROUP_SPACES = re.compile("[ \u00a0\u202f]")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
# int() refuses more than 4300 digits (a ValueError); no whole number typed in a form
# has more than this.
MAX_INTEGER_DIGITS = 18


def _compact(text: str) -> str:
    return _GROUP_SPACES.sub("", text.strip()).replace("\u2212", "-")


def read_decimal(text: str) -> float | None:
    """The number ``text`` writes in French notation, or None when it writes none. A
    figure of hundreds of digits reads as infinity: the caller bounds the magnitude."""
    compact = _compact(text)
    if not _DECIMAL.fullmatch(compact):
        return None
    return float(compact.replace(",", "."))


def read_integer(text: str, grouped: bool = True) -> int | None:
    """The whole number ``text`` writes with ASCII digits, or None. ``grouped``: spaces
    between groups of digits are allowed ("1 200"), as they are not in a year ("20 25"
    is a slip)."""
    compact = _compact(text) if grouped else text.strip()
    if not _INTEGER.fullmatch(compact) or len(compact.lstrip("+-")) > MAX_INTEGER_DIGITS:
        return None
    return int(compact)
