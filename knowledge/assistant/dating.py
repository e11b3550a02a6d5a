"""Dated statements: wording that was true when a text was written ("avant le 31 décembre
2010", "la période 2011 – 2016", "pour la première C.U.S."), and must not be offered as
what applies to a convention drafted now.

One reading of a text's years serves both uses:

- an answer quotes a statement dated far enough back as what a text said then
  (``dated_year``: a year a statement is dated by, six or more years ago);
- a draft for a convention starting in a given year leaves out, as dated, every statement
  of an earlier year (``dated_years``).

A text cited by its date ("décret n° 2009-1486 du 3 décembre 2009", "la loi du 13
décembre 2000") is a reference, not a dated statement, in both.
"""

from __future__ import annotations

import re
from datetime import date

DATED_AFTER_YEARS = 6  # an answer's statement older than this is quoted as dated

_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre"
    "|novembre|décembre|decembre"
)
# A text's reference and its date: "n° 2009-1486 du 3 décembre 2009", "loi du 13 décembre
# 2000", "décret n° 2009-1486 du 3 décembre 2009".
_REFERENCE = re.compile(
    rf"(?:\b(?:loi|décret|decret|arrêté|arrete|ordonnance|circulaire|directive)s?\b"
    rf"(?:\s+(?:n°|no)\s*[\d\-]+)?|n°\s*[\d-]+)\s+du\s+\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+\d{{4}}",
    re.IGNORECASE,
)
# Any year written as such (not a part of "2009-1486", "15/2010" or "2010,5").
_YEAR = re.compile(r"(?<![\d\-/.,])(19[5-9]\d|20\d\d)(?![\d\-/]|,\d)")
# A year a statement is dated by: after a cue of time ("avant", "en", "d'ici", "à compter
# du", a month), not a year that only names something ("l'enquête EPLS 2010").
_CUED = re.compile(
    rf"(?<!n° )(?<!n°)(?:\b(?:avant|après|apres|depuis|dès|des|jusqu'au|jusqu’au|au plus tard|"
    rf"d'ici|d’ici|à compter|a compter|à partir|a partir|en|fin|début|debut|au)\s+"
    rf"(?:(?:le|du|de|l'|l’)\s*)?(?:\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+)?|\b(?:{_MONTHS})\s+)"
    rf"((?:19|20)\d{{2}})\b(?!-\d)",
    re.IGNORECASE,
)
# The first conventions: a statement about them is dated without a year.
_GENERATION = re.compile(
    r"premi[eè]re\s+(?:C\.?\s?U\.?\s?S\b|g[ée]n[ée]ration)|seconde\s+g[ée]n[ée]ration"
    r"|deuxi[eè]me\s+g[ée]n[ée]ration",
    re.IGNORECASE,
)


def _unreferenced(text: str) -> str:
    return _REFERENCE.sub(" ", text)


def dated_year(text: str, today: date | None = None) -> int | None:
    """The year a statement is dated by, when it lies far enough in the past that its
    wording is history rather than what applies to a convention drafted now."""
    this_year = (today or date.today()).year
    years = [int(m.group(1)) for m in _CUED.finditer(_unreferenced(text))]
    past = [y for y in years if y <= this_year - DATED_AFTER_YEARS]
    return max(past) if past else None


def dated_years(text: str, reference_year: int) -> list[int]:
    """Years before ``reference_year`` that a text states (deadlines, periods, "en
    2010"), references to texts by their date excepted; ``[0]`` for a statement of the
    first generation of CUS ("pour la première C.U.S.")."""
    bare = _unreferenced(text)
    years = sorted({int(y) for y in _YEAR.findall(bare) if int(y) < reference_year})
    if not years and _GENERATION.search(bare):
        return [0]
    return years
