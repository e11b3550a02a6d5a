"""The préfet's note d'enjeux et d'objectifs: what the State expects of a convention.

Sending it is optional; when the préfet does, the State's stakes and objectives it names
are the key points of the negotiation (circulaire CUS, IV). One note per convention,
gathering every préfet's expectations in one document. Cosigne keeps its date, its file
if one is given, and its points, each a short text tied to the sections of the
convention it concerns, so that each section shows the points its drafters must answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from workflows.errors import InvalidInput
from workflows.limits import MAX_NOTE_POINTS, NOTE_POINT_MAX_CHARS
from workflows.text.clean import clean_text

EARLIEST_YEAR = 2000  # the CUS date from 2009: an older date is a slip of the keyboard


class PointKind(StrEnum):
    ENJEU = "enjeu"
    OBJECTIF = "objectif"


POINT_KIND_LABELS = {PointKind.ENJEU: "Enjeu", PointKind.OBJECTIF: "Objectif"}


@dataclass(frozen=True)
class PointInput:
    """A point as typed: its kind, its text, the sections ticked. ``index`` is its place
    in the form or the list sent (from 0), to name the field a refusal is about."""

    index: int
    kind: str
    text: str
    section_ids: tuple[int, ...]


@dataclass(frozen=True)
class Point:
    kind: PointKind
    text: str
    section_ids: tuple[int, ...]


class NoteRefused(InvalidInput):
    """The note as typed is refused, with every fault found at once: ``fields`` gives
    each field's message, for the page to show it beside that field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()), field=next(iter(fields), None))
        self.fields = fields


def _fr(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def point_field(index: int, name: str) -> str:
    """The name of a point's field in the form (WTForms' FieldList names it so)."""
    return f"points-{index}-{name}"


def clean_note(
    noted_on: date | None,
    points: Sequence[PointInput],
    sections: Iterable[int],
    today: date,
    date_error: str | None = None,
) -> tuple[date, list[Point]]:
    """Check a note before it is recorded: its date (required, not in the future), and
    each point (a kind, a text of at most NOTE_POINT_MAX_CHARS, at least one section of
    this convention); at most MAX_NOTE_POINTS. A point left wholly empty is no point.
    ``date_error``: the date as typed could not be read (the door says why).

    Every fault is reported at once (``NoteRefused``), each beside its field."""
    faults: dict[str, str] = {}
    if date_error is not None:
        faults["noted_on"] = date_error
    elif noted_on is None:
        faults["noted_on"] = "La date de la note est obligatoire."
    elif noted_on > today:
        faults["noted_on"] = f"La date de la note ({_fr(noted_on)}) est dans le futur."
    elif noted_on.year < EARLIEST_YEAR:
        faults["noted_on"] = f"La date de la note ({_fr(noted_on)}) est trop ancienne."
    known = set(sections)
    kept: list[Point] = []
    for point in points:
        text = " ".join(clean_text(point.text or "").split())
        if not text and not point.section_ids:
            continue  # a blank row of the form
        number = f"Point n° {point.index + 1}"
        try:
            kind = PointKind(point.kind)
        except ValueError:
            faults[point_field(point.index, "kind")] = (
                f"{number} : choisissez « enjeu » ou « objectif »."
            )
            continue
        if not text:
            faults[point_field(point.index, "text")] = f"{number} : son texte est obligatoire."
        elif len(text) > NOTE_POINT_MAX_CHARS:
            faults[point_field(point.index, "text")] = (
                f"{number} : son texte dépasse {NOTE_POINT_MAX_CHARS} caractères "
                f"({len(text)}) ; un point de la note se dit en une ou deux phrases."
            )
        chosen = tuple(dict.fromkeys(point.section_ids))
        if not chosen:
            faults[point_field(point.index, "sections")] = (
                f"{number} : rattachez-le à au moins une section de la convention."
            )
        elif set(chosen) - known:
            faults[point_field(point.index, "sections")] = (
                f"{number} : une section indiquée n'est pas une section de cette convention."
            )
        kept.append(Point(kind, text, chosen))
    if len(kept) > MAX_NOTE_POINTS:
        faults["points"] = (
            f"La note compte {len(kept)} points : {MAX_NOTE_POINTS} au plus. Regroupez ceux "
            "qui portent sur le même sujet."
        )
    if faults:
        raise NoteRefused(faults)
    assert noted_on is not None  # else a fault above
    return noted_on, kept


@dataclass(frozen=True)
class NoteChanges:
    """What an amendment changes, for the journal to say it."""

    date: bool = False
    added: int = 0
    removed: int = 0
    changed: int = 0
    file: str = ""  # "ajouté", "remplacé", "retiré" or ""
    details: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.date or self.added or self.removed or self.changed or self.file)


def changes(
    before_date: date | None,
    after_date: date,
    before: Sequence[Point],
    after: Sequence[Point],
    file: str = "",
) -> NoteChanges:
    """How the note changes, point by point in order (the n-th point before against the
    n-th after), in French for the journal."""
    changed = sum(1 for old, new in zip(before, after, strict=False) if old != new)
    added = max(len(after) - len(before), 0)
    removed = max(len(before) - len(after), 0)
    moved = before_date is not None and before_date != after_date
    details = []
    if moved and before_date is not None:
        details.append(f"date {_fr(before_date)} → {_fr(after_date)}")
    for count, word in ((added, "ajouté"), (changed, "modifié"), (removed, "retiré")):
        if count:
            details.append(
                f"{count} point{'s' if count > 1 else ''} {word}{'s' if count > 1 else ''}"
            )
    if file:
        details.append(f"fichier {file}")
    return NoteChanges(moved, added, removed, changed, file, details)
