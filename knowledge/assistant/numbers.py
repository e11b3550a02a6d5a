"""Numbers a question writes in words ("douze plans pour quarante ménages"), turned into
digits before the numbers are read; and a yearly quantity over a range of years
("60 logements par an de 2021 à 2026"), spread over each year of the range.

"un" and "une" stay words: "un parc de 2 400 logements" gives no value of 1.
"""

from __future__ import annotations

import re

_UNITS = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_TENS = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
_WORDS = {**_UNITS, **_TENS, "un": 1, "une": 1, "et": 0, "cent": 100, "cents": 100}
_WORDS.update({"mille": 1000, "vingts": 20, "zéro": 0, "zero": 0})
_PIECE = "|".join(sorted(_WORDS, key=len, reverse=True))
# A run of number words joined by spaces or hyphens, that does not begin with "un",
# "une" or "et" (those alone are not counts).
_RUN = re.compile(
    rf"(?<![\w-])(?!(?:un|une|et)\b)(?:{_PIECE})(?:[\s-]+(?:{_PIECE}))*(?![\w-])",
    re.IGNORECASE,
)


def _value(words: list[str]) -> int | None:
    """The number a run of French number words writes ("quatre-vingt-dix-sept" is 97,
    "deux mille cinq cents" 2,500), or None when the run is no number ("deux trois")."""
    total, current = 0, 0
    previous: str | None = None
    for word in words:
        if word == "et":
            previous = word
            continue
        if word in ("cent", "cents"):
            current = (current or 1) * 100
        elif word == "mille":
            total += (current or 1) * 1000
            current = 0
        elif word in ("vingt", "vingts"):
            current += 76 if current % 100 == 4 else 20  # quatre-vingts is 4 × 20
        else:
            if previous in _UNITS and word in _UNITS and previous != "dix":
                return None  # two counts side by side, not one number
            current += _WORDS[word]
        previous = word
    return total + current


def words_to_digits(text: str) -> str:
    """``text`` with its counts written in words as digits ("douze" → "12",
    "quatre-vingt-dix" → "90", "deux cents" → "200"); the rest as it was."""

    def replace(match: re.Match[str]) -> str:
        words = [w.lower() for w in re.split(r"[\s-]+", match.group(0)) if w]
        if words[-1] == "et":
            return match.group(0)  # "trois et …": left as written
        value = _value(words)
        return str(value) if value is not None and value > 1 else match.group(0)

    return _RUN.sub(replace, text)


_RANGE = re.compile(
    r"(?:\bde\s+|\bentre\s+)?((?:19|20)\d{2})\s*(?:à|a|au|et|-|–)\s*((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_YEARLY = re.compile(
    r"\b(?:par\s+an|par\s+année|chaque\s+année|tous\s+les\s+ans|annuellement|/\s*an)\b",
    re.IGNORECASE,
)


def yearly_range(text: str) -> tuple[int, int] | None:
    """The range of years a yearly quantity runs over ("60 par an de 2021 à 2026"), when
    the question says both; a range of at most twelve years."""
    if not _YEARLY.search(text):
        return None
    match = _RANGE.search(text)
    if not match:
        return None
    first, last = int(match.group(1)), int(match.group(2))
    if not 0 < last - first < 12:
        return None
    return first, last


def cells_apart(text: str) -> str:
    """A table pasted from a spreadsheet (tabs, line breaks, runs of spaces between cells)
    with its cells kept apart by " ; ", so that "400<tab>410" is never read as 400 410."""
    return re.sub(r"[ \u00a0]*(?:[\t\r\n]|[ \u00a0]{2,})\s*", " ; ", text)
