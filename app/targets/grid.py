"""Many values at once: a grid's Save (per indicator or per year) and a spreadsheet's
import, both planned cell by cell by the same rules as one value (operations.py) and
written in one transaction.

``plan`` reads every cell given against what is stored and says, for each, what saving
would do: new, changed, unchanged, removed (a grid cell emptied) or refused with the
reason the one-value form would give (unknown indicator, year outside the period, phase,
the calculator's refusal). ``save_grid`` writes nothing when any cell is refused: one
Save is one decision, and a half-saved grid would leave the user to find which half. An
import writes its new and changed rows and never its refused ones, which its preview
lists (the file is fixed and imported again).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.db import db_session, write_transaction
from app.models import Convention, IndicatorValue, User
from app.targets.operations import _current_year, _lock_convention, find_indicator
from knowledge.indicators.calculator import CalculationError, compute_year, read_variables
from knowledge.indicators.display import shown_value
from workflows import targets as rules
from workflows.errors import InvalidInput, TooLarge

Status = Literal["nouveau", "modifie", "inchange", "supprime", "refuse"]
STATUS_LABELS: dict[str, str] = {
    "nouveau": "Nouvelle valeur",
    "modifie": "Valeur modifiée",
    "inchange": "Inchangée",
    "supprime": "Valeur supprimée",
    "refuse": "Refusée",
}
WRITTEN: tuple[Status, ...] = ("nouveau", "modifie", "supprime")

# A grid of one indicator is 6 years × its scopes × 2 kinds, of one year 26 indicators ×
# its scopes × 2 kinds: 2,000 cells is some 40 scopes, far above a real CUS, and each cell
# is one calculator call.
MAX_CELLS = 2_000
MAX_TYPED_CHARS = 40  # a figure, "3 600 000,25", or OUI/NON


@dataclass(frozen=True)
class CellInput:
    """One cell as typed: its variables as strings (empty: not filled in)."""

    code: str
    scope: str
    year: int | str
    kind: str
    variables: Mapping[str, object]
    ref: str = ""  # where it came from: the grid's field, the file's line

    @property
    def key(self) -> str:
        return cell_key(self.code, self.scope, self.year, self.kind)


def cell_key(code: str, scope: str, year: int | str, kind: str) -> str:
    return f"{code}|{scope}|{year}|{kind}"


@dataclass
class Planned:
    cell: CellInput
    status: Status
    code: str = ""
    scope: str = ""
    year: int = 0
    kind: str = ""
    variables: dict[str, float] = field(default_factory=dict)
    value: float | None = None
    shown: str = ""
    before: str = ""  # the stored value, shown
    error: str = ""

    def json(self) -> dict[str, object]:
        return {
            "code": self.code or self.cell.code,
            "scope": self.scope or self.cell.scope,
            "year": self.year or self.cell.year,
            "kind": self.kind or self.cell.kind,
            "status": self.status,
            "value": self.value,
            "shown": self.shown,
            "error": self.error,
        }


class GridRefused(InvalidInput):
    """Some cells were refused: nothing was written. ``planned`` holds every cell, each
    refused one with its reason, for the page to show beside it."""

    def __init__(self, planned: list[Planned]) -> None:
        refused = [p for p in planned if p.status == "refuse"]
        one = len(refused) == 1
        super().__init__(
            f"Rien n'a été enregistré : {len(refused)} "
            + ("case refusée, corrigez-la" if one else "cases refusées, corrigez-les")
            + " (le motif est indiqué à côté) puis enregistrez à nouveau."
        )
        self.planned = planned

    def details(self) -> dict[str, object]:
        return {"cells": [p.json() for p in self.planned if p.status == "refuse"]}


def check_count(count: int) -> None:
    if count > MAX_CELLS:
        raise TooLarge(f"Trop de cases à la fois ({count}) : {MAX_CELLS} au plus.")


def _given(variables: Mapping[str, object]) -> dict[str, object]:
    given: dict[str, object] = {}
    for name, value in variables.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str) and len(value) > MAX_TYPED_CHARS:
            raise InvalidInput(f"{name} : {MAX_TYPED_CHARS} caractères au plus.")
        given[str(name)] = value
    return given


def _same(stored: Mapping[str, float], new: Mapping[str, float]) -> bool:
    return stored.keys() == new.keys() and all(
        math.isclose(stored[k], new[k], rel_tol=1e-12, abs_tol=1e-12) for k in new
    )


def _plan_one(
    convention: Convention,
    cell: CellInput,
    stored: Mapping[str, IndicatorValue],
    seen: set[str],
    current_year: int,
    empty_removes: bool,
) -> Planned:
    indicator = find_indicator(cell.code) if isinstance(cell.code, str) else None
    if indicator is None:
        return Planned(cell, "refuse", error=f"Indicateur inconnu « {cell.code} ».")
    try:
        kind = rules.parse_kind(cell.kind)
        scope = rules.clean_scope(cell.scope)
        year = rules.parse_year(cell.year, convention.start_year, convention.end_year)
        given = _given(cell.variables)
    except InvalidInput as error:
        return Planned(cell, "refuse", code=indicator.code, error=error.message)
    key = cell_key(indicator.code, scope, year, kind)
    planned = Planned(cell, "refuse", code=indicator.code, scope=scope, year=year, kind=kind)
    if key in seen:
        planned.error = "Cette valeur est donnée deux fois."
        return planned
    seen.add(key)
    row = stored.get(key)
    if row is not None:
        planned.before = shown_value(indicator, row.value)
    if not given:
        if row is None or not empty_removes:
            planned.status = "inchange" if empty_removes else "refuse"
            planned.error = "" if empty_removes else "Aucune variable renseignée."
            return planned
        planned.status = "supprime"
    else:
        try:
            planned.variables = read_variables(indicator, given)
            planned.value = compute_year(indicator, given).value
        except CalculationError as error:
            planned.error = error.message
            return planned
        planned.shown = shown_value(indicator, planned.value)
        if row is not None and _same(row.variables, planned.variables):
            planned.status = "inchange"
            return planned
        planned.status = "nouveau" if row is None else "modifie"
    # Only a change meets the phase: an unchanged cell of a frozen kind is no refusal.
    refusal = rules.phase_refusal(kind, convention.state, convention.lifecycle)
    if planned.status != "supprime":
        refusal = refusal or rules.future_year_refusal(kind, year, current_year)
    if refusal:
        planned.status = "refuse"
        planned.error = refusal
    return planned


def _stored(session: Session, convention_id: int) -> dict[str, IndicatorValue]:
    rows = session.scalars(
        select(IndicatorValue).where(IndicatorValue.convention_id == convention_id)
    )
    return {cell_key(r.code, r.scope, r.year, r.kind): r for r in rows}


def plan(
    session: Session, convention: Convention, cells: Iterable[CellInput], empty_removes: bool
) -> list[Planned]:
    """What saving ``cells`` would do, cell by cell, against what is stored now."""
    cells = list(cells)
    check_count(len(cells))
    stored = _stored(session, convention.id)
    seen: set[str] = set()
    year = _current_year()
    return [_plan_one(convention, c, stored, seen, year, empty_removes) for c in cells]


def digest(planned: Iterable[Planned]) -> str:
    """A fingerprint of what a plan writes, to tell at confirmation that the preview
    still says what would be written."""
    written = [
        [p.status, p.code, p.scope, p.year, p.kind, sorted(p.variables.items()), p.before]
        for p in planned
    ]
    return hashlib.sha256(json.dumps(written, ensure_ascii=False).encode()).hexdigest()


def _write(session: Session, convention_id: int, actor: User, planned: list[Planned]) -> None:
    stored = _stored(session, convention_id)
    for p in planned:
        if p.status not in WRITTEN:
            continue
        key = cell_key(p.code, p.scope, p.year, p.kind)
        row = stored.get(key)
        label = rules.KIND_LABELS[p.kind]
        if p.status == "supprime":
            if row is not None:
                audit.record(
                    session,
                    "indicateur_supprime",
                    f"Valeur supprimée : {label.lower()} {p.code} — {p.scope}, {p.year}",
                    actor,
                    convention_id,
                    "indicator_value",
                    row.id,
                )
                session.delete(row)
            continue
        assert p.value is not None
        if row is None:
            row = IndicatorValue(
                convention_id=convention_id,
                code=p.code,
                scope=p.scope,
                year=p.year,
                kind=p.kind,
                variables=p.variables,
                value=p.value,
                entered_by_id=actor.id,
            )
            session.add(row)
        else:
            row.variables = p.variables
            row.value = p.value
            row.entered_by_id = actor.id
        session.flush()
        audit.record(
            session,
            "indicateur",
            f"{label} {p.code} — {p.scope}, {p.year} : {p.shown}",
            actor,
            convention_id,
            "indicator_value",
            row.id,
        )


def save_grid(convention_id: int, actor: User, cells: list[CellInput]) -> list[Planned]:
    """Save a grid: every changed cell in one transaction, or nothing (GridRefused) when
    any cell is refused."""
    check_count(len(cells))
    with write_transaction() as session:
        convention = _lock_convention(session, convention_id)
        planned = plan(session, convention, cells, empty_removes=True)
        if any(p.status == "refuse" for p in planned):
            raise GridRefused(planned)
        _write(session, convention_id, actor, planned)
    return planned


class PreviewStale(InvalidInput):
    pass


def confirm_import(
    convention_id: int, actor: User, cells: list[CellInput], previewed: str
) -> list[Planned]:
    """Write an import's new and changed rows, provided they are still those its preview
    showed (``previewed``, the preview's digest); otherwise nothing, and the user
    previews again."""
    check_count(len(cells))
    with write_transaction() as session:
        convention = _lock_convention(session, convention_id)
        planned = plan(session, convention, cells, empty_removes=False)
        if digest(planned) != previewed:
            raise PreviewStale(
                "Les valeurs ont changé depuis l'aperçu (une autre saisie, ou le stade de la "
                "convention) : rien n'a été importé. Déposez à nouveau le fichier pour voir "
                "l'aperçu à jour."
            )
        _write(session, convention_id, actor, planned)
    return planned


def preview_import(convention_id: int, cells: list[CellInput]) -> list[Planned]:
    session = db_session()
    convention = session.get(Convention, convention_id)
    assert convention is not None  # access checked it
    return plan(session, convention, cells, empty_removes=False)
