"""Segments of the organisme's stock (segments de patrimoine), the scale at which some
indicators are entered: what a segment may be, and when its size calls for a warning.
Pure rules, no database.

Facts from the circulaire on the CUS (its part on segmentation), in our words:

- Segments are a partition of the stock the CUS covers: every building belongs to one
  segment, so the organisme's dwellings in a département are the sum of that
  département's segments.
- A segment lies inside one département (the département is the largest scale any
  indicator is entered at): a segment spanning two is refused, to be split into one
  segment per département.
- There is no quantitative norm, but past 4,000 to 5,000 dwellings a segment is no
  longer readable: warned from ``READABLE_MAX_DWELLINGS``.
- No segment should hold all of the organisme's stock in a département, unless that
  stock is marginal (for the organisme and for the département: the circulaire's
  example is up to 100 or 200 dwellings): warned, unless ``MARGINAL_MAX_DWELLINGS``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from workflows.errors import InvalidInput
from workflows.numbers import read_integer

# The lower end of the circulaire's "4,000 to 5,000": a warning is meant to come before
# the segment is certainly too large, not after; the organisme may keep it, saying why.
READABLE_MAX_DWELLINGS = 4_000
# The upper end of the circulaire's "100 or 200 dwellings": a stock this small in a
# département is no stake for the organisme nor for the département, and one segment
# for it is fine. (A share of the organisme's stock, 5 % say, would call 2,000 dwellings
# of a 40,000-dwelling organisme marginal, which the circulaire does not.)
MARGINAL_MAX_DWELLINGS = 200
# More dwellings than any organisme holds (the largest hold some hundreds of thousands).
MAX_DWELLINGS = 2_000_000
NAME_MAX_LENGTH = 200
MAX_SEGMENTS = 500

# A département's code: 01–95 (with 2A, 2B), 971–976 overseas.
_DEPARTEMENT = re.compile(r"(?:0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-6])")
_SEPARATORS = re.compile(r"[\s,;/+&]+|\bet\b", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    name: str
    departement: str
    dwellings: int


def clean_name(raw: object) -> str:
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not name:
        raise InvalidInput("Nommez le segment de patrimoine.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            f"Le nom du segment est trop long ({len(name)} caractères, {NAME_MAX_LENGTH} au plus).",
            field="name",
        )
    return name


def clean_departement(raw: object) -> str:
    """The one département of a segment, by its code ("59", "2A", "974"); two or more
    are refused, saying to split the segment."""
    text = raw.strip().upper() if isinstance(raw, str) else ""
    codes = [part for part in _SEPARATORS.split(text) if part]
    if not codes:
        raise InvalidInput(
            "Indiquez le département du segment (son numéro : 59, 2A, 974…).",
            field="departement",
        )
    if len(set(codes)) > 1:
        raise InvalidInput(
            f"Un segment se situe dans un seul département, celui-ci en couvre "
            f"{len(set(codes))} ({', '.join(dict.fromkeys(codes))}) : créez un segment "
            "par département.",
            field="departement",
        )
    code = codes[0].zfill(2) if codes[0].isdigit() and len(codes[0]) == 1 else codes[0]
    if not _DEPARTEMENT.fullmatch(code):
        raise InvalidInput(
            f"« {code[:10]} » n'est pas un numéro de département (01 à 95, 2A, 2B, 971 à 976).",
            field="departement",
        )
    return code


def clean_dwellings(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        count: int | None = raw
    elif isinstance(raw, str):
        count = read_integer(raw)
    else:
        count = None
    if count is None or count < 1:
        raise InvalidInput(
            "Indiquez le nombre de logements du segment (un nombre entier, au moins 1).",
            field="dwellings",
        )
    if count > MAX_DWELLINGS:
        raise InvalidInput(
            f"Nombre de logements trop grand : {MAX_DWELLINGS:,} au plus.".replace(",", " "),
            field="dwellings",
        )
    return count


def clean_segment(name: object, departement: object, dwellings: object) -> Segment:
    return Segment(clean_name(name), clean_departement(departement), clean_dwellings(dwellings))


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def warnings(segments: Iterable[Segment]) -> dict[str, list[str]]:
    """The warnings of each segment, by its name (none: absent). The organisme's stock
    in a département is the sum of its segments there (segments partition the stock)."""
    segments = list(segments)
    by_departement: dict[str, list[Segment]] = defaultdict(list)
    for segment in segments:
        by_departement[segment.departement].append(segment)
    found: dict[str, list[str]] = {}
    for segment in segments:
        notes = []
        if segment.dwellings > READABLE_MAX_DWELLINGS:
            notes.append(
                f"{_count(segment.dwellings)} logements : au-delà de 4 000 à 5 000 logements, "
                "les indicateurs d'un segment ne sont plus lisibles ; envisagez de le diviser."
            )
        alone = by_departement[segment.departement] == [segment]
        if alone and segment.dwellings > MARGINAL_MAX_DWELLINGS:
            notes.append(
                f"Ce segment réunit tout le patrimoine de l'organisme dans le département "
                f"{segment.departement} ({_count(segment.dwellings)} logements) : un segment ne "
                "devrait pas couvrir tout le patrimoine d'un département, sauf s'il est "
                f"marginal ({MARGINAL_MAX_DWELLINGS} logements au plus)."
            )
        if notes:
            found[segment.name] = notes
    return found
