"""Recognising indicator codes in French text: any usual spelling of a code ("F.VI",
"f6", "l'indicateur G 3"), lists after "indicateurs", and the catalogue's keywords.
Stdlib only."""

from __future__ import annotations

import re
import unicodedata

from knowledge.indicators.catalogue import CATALOGUE, CODES, Indicator

# --- code spellings ------------------------------------------------------------------------

_ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
_ROMAN_OF = {value: roman for roman, value in _ROMAN_VALUES.items()}
_NUMERAL = r"(?:III|II|IV|VI|V|I|[1-6])"
_END = r"(?![\w])(?!-\w)(?![.,]\d)"  # not followed by a letter, a word joined by "-", a decimal
_START = r"(?<![\w.\-/'’])"  # not inside a word, a reference such as R.331-12, or d'…

_CUE = r"(?:indicateurs?|indic\.?|fiches?(?:\s+indicateurs?)?)(?:\s+(?:n°|no|numéro))?\s*:?\s*"
_FULL_RE = re.compile(
    rf"^\s*(?:(?:l['’]\s*|les?\s+)?{_CUE})?([A-I])\s*[.\-_]?\s*({_NUMERAL})\s*[.?!]?\s*$",
    re.IGNORECASE,
)
# "F.VI", "f.vi", "F.6", "F. 6": a dot makes any case safe.
_DOTTED_RE = re.compile(rf"{_START}([A-Ia-i])\.\s?({_NUMERAL}){_END}", re.IGNORECASE)
# "FVI", "F VI", "F-VI": capitals only, so that "ci", "ai" or "di" never match.
_ROMAN_RE = re.compile(rf"{_START}([A-I])([\s\-_]?)(III|II|IV|VI|V|I){_END}")
# "G3", "g3", "G-3", "G 3" (capital only when spaced): digits after a letter.
_DIGIT_RE = re.compile(rf"{_START}([A-Ia-i])([\-_]?|\s)([1-6]){_END}")
# After "indicateur(s)" / "fiche": any spelling, and lists ("indicateurs f1, f2 et f3").
_CUE_RE = re.compile(rf"\b{_CUE}", re.IGNORECASE)
_LENIENT_RE = re.compile(rf"\s*([A-Ia-i])\s*[.\-_]?\s*({_NUMERAL}){_END}", re.IGNORECASE)
_LIST_SEP_RE = re.compile(r"\s*(?:,|/|&|\bet\b|\bou\b)\s*", re.IGNORECASE)
_ZONE_RE = re.compile(r"\bzones?\b[^.;:!?]*$", re.IGNORECASE)


def _canonical(letter: str, numeral: str) -> str | None:
    numeral = numeral.upper()
    value = int(numeral) if numeral.isdigit() else _ROMAN_VALUES.get(numeral)
    if value is None:
        return None
    code = f"{letter.upper()}.{_ROMAN_OF[value]}"
    return code if code in CATALOGUE else None


def _digit_form_is_plausible(text: str, match: re.Match[str]) -> bool:
    letter, separator = match.group(1), match.group(2)
    if separator.isspace() and not letter.isupper():
        return False  # "a 2 ans", "il y a 3 logements"
    if separator.isspace() and letter == "A":
        return False  # "A 2 ans de la fin" (missing accent on "À")
    if letter.upper() == "F":
        return False  # "un F3": a three-room flat, not F.III
    before = text[max(0, match.start() - 40) : match.start()]
    return not _ZONE_RE.search(before)  # "zones A, B1 et B2": rent zones, not B.I / B.II


def find_in_text(text: str) -> list[str]:
    """Indicator codes named in a free French text, in order of first mention.

    Recognised: "F.VI", "f.vi", "F.6" (dotted, any case); "FVI", "F VI", "F-VI" (capitals);
    "G3", "g3", "G 3" (letter and digit, except F-digit, which names a flat type, and
    B1/B2 after "zone"); anything after "indicateur(s)" or "fiche", lists included
    ("l'indicateur C 1", "indicateurs f1, f2 et f3"). Ordinary words ("a", "de", "ci",
    "ai", "II" as a roman numeral) are not codes. Ranges ("A.I à I.I") are not expanded.
    """
    if not text:
        return []
    found: list[tuple[int, str]] = []

    for match in _DOTTED_RE.finditer(text):
        code = _canonical(match.group(1), match.group(2))
        if code:
            found.append((match.start(), code))
    for match in _ROMAN_RE.finditer(text):
        letter, separator, numeral = match.groups()
        if letter == "I" and not separator:
            continue  # "II" is a roman numeral (titre II), not I.I
        code = _canonical(letter, numeral)
        if code:
            found.append((match.start(), code))
    for match in _DIGIT_RE.finditer(text):
        if not _digit_form_is_plausible(text, match):
            continue
        code = _canonical(match.group(1), match.group(3))
        if code:
            found.append((match.start(), code))
    for cue in _CUE_RE.finditer(text):
        position = cue.end()
        while True:
            listed = _LENIENT_RE.match(text, position)
            if not listed:
                break
            code = _canonical(listed.group(1), listed.group(2))
            if code:
                found.append((listed.start(1), code))
            separator = _LIST_SEP_RE.match(text, listed.end())
            if not separator:
                break
            position = separator.end()

    ordered: dict[str, None] = {}
    for _, code in sorted(found, key=lambda item: item[0]):
        ordered.setdefault(code, None)
    return list(ordered)


def normalise_code(text: str) -> str | None:
    """The canonical code ("F.VI") a text stands for or mentions first, else None.

    A text that is nothing but a code is read leniently ("f6", "F 6", "fvi",
    "indicateur F.6"); a longer text goes through find_in_text.
    """
    if not isinstance(text, str):
        return None
    full = _FULL_RE.match(text)
    if full:
        code = _canonical(full.group(1), full.group(2))
        if code:
            return code
    codes = find_in_text(text)
    return codes[0] if codes else None


def get(code: str) -> Indicator:
    """The indicator for any spelling of its code; KeyError (French message) otherwise."""
    canonical = None
    if isinstance(code, str):
        full = _FULL_RE.match(code)
        if full:
            canonical = _canonical(full.group(1), full.group(2))
    if canonical is None:
        raise KeyError(
            f"Indicateur inconnu : « {code} ». Les codes valides vont de A.I à I.I "
            f"({', '.join(CODES)})."
        )
    return CATALOGUE[canonical]


# --- keywords ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w%']+", " ", text).split())


_FOLDED_KEYWORDS: tuple[tuple[str, str], ...] = tuple(
    (indicator.code, _fold(keyword))
    for indicator in CATALOGUE.values()
    for keyword in indicator.keywords
)


def find_by_keywords(text: str) -> list[str]:
    """Codes whose keywords occur in a French text (case and accents ignored), the best
    first: the longest matched keyword wins, ties keep catalogue order."""
    folded = f" {_fold(text or '')} "
    best: dict[str, int] = {}
    for code, keyword in _FOLDED_KEYWORDS:
        if keyword and f" {keyword} " in folded:
            best[code] = max(best.get(code, 0), len(keyword))
    return sorted(best, key=lambda code: (-best[code], CODES.index(code)))
