"""The grids of the engagements page as the template shows them, and their posted form
read back into cells.

A grid per indicator has the convention's years as rows, a grid per year the catalogue's
indicators; both have the scopes as columns (those already used in the convention and
the départements taking part, then an empty column whose scope the user names). Each
cell holds a target and an achieved value, each entered as its indicator's variables.

Field names: ``v|<code>|<year>|<column>|<kind>|<variable>`` for a variable, and
``perimetre-<column>`` for a column's scope, so that a scope of any spelling travels as
a field's value, never inside a field's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from app.db import db_session
from app.models import Convention, IndicatorValue
from app.targets import queries
from app.targets.grid import MAX_CELLS, MAX_TYPED_CHARS, CellInput, Planned, cell_key
from knowledge.indicators.catalogue import CATALOGUE, CODES, Indicator
from knowledge.indicators.display import format_number, shown_value
from workflows import targets as rules
from workflows.errors import InvalidInput, TooLarge

FIELD_PREFIX = "v|"
# Beside each input, the value the page showed (``o|`` + the same key): a cell the user
# left as it was is not saved, so that a Save does not put back, in a cell nobody
# touched here, the old value over what someone else entered in the meantime.
ORIGINAL_PREFIX = "o|"
SCOPE_PREFIX = "perimetre-"
# Columns of a grid: the used scopes and the new one; past this the page is no grid.
MAX_SCOPES = 40
KINDS = ("cible", "realise")


@dataclass
class Input:
    name: str
    label: str
    value: str
    original: str  # as the page first showed it: what the user did not touch is no change


@dataclass
class KindCell:
    kind: str
    label: str
    refusal: str | None  # why this kind takes no value now (inputs not shown)
    shown: str  # the stored value, shown as everywhere on the page
    inputs: list[Input]
    error: str = ""
    qualitative: bool = False


@dataclass
class GridCell:
    column: int
    scope: str
    kinds: list[KindCell]


@dataclass
class GridRow:
    label: str
    title: str
    cells: list[GridCell]


@dataclass
class Grid:
    title: str
    columns: list[str]  # the scopes; the last one is "" (a new scope to name)
    rows: list[GridRow] = field(default_factory=list)
    error: str = ""


def scopes_of(convention_id: int, typed: Mapping[str, str] | None = None) -> list[str]:
    """The grid's columns: the scopes posted (a refused form keeps its own, the new one
    included), else those in use and the départements, then one to name."""
    if typed is not None:
        posted = [
            typed.get(f"{SCOPE_PREFIX}{n}", "")[: rules.SCOPE_MAX_LENGTH]
            for n in range(MAX_SCOPES + 1)
            if f"{SCOPE_PREFIX}{n}" in typed
        ]
        if posted:
            return posted
    return [*queries.scope_suggestions(convention_id)[: MAX_SCOPES - 1], ""]


def _typed_value(number: float) -> str:
    # As typed again: every decimal kept, so that an untouched cell reads as unchanged.
    return format_number(number, max_decimals=6)


def _field(code: str, year: int, column: int, kind: str, variable: str) -> str:
    return f"{FIELD_PREFIX}{code}|{year}|{column}|{kind}|{variable}"


def _kind_cell(
    convention: Convention,
    indicator: Indicator,
    year: int,
    column: int,
    kind: str,
    row: IndicatorValue | None,
    typed: Mapping[str, str] | None,
    errors: Mapping[str, str],
) -> KindCell:
    refusal = rules.phase_refusal(rules.parse_kind(kind), convention.state, convention.lifecycle)
    inputs = []
    for variable in indicator.variables:
        name = _field(indicator.code, year, column, kind, variable.name)
        if row is not None and variable.name in row.variables:
            number = row.variables[variable.name]
            stored = (
                ("OUI" if number else "NON")
                if indicator.kind == "qualitative"
                else _typed_value(number)
            )
        else:
            stored = ""
        if typed is not None:  # a refused Save: what was typed, and what it started from
            value = typed.get(name, "")[:MAX_TYPED_CHARS]
            original = typed.get(ORIGINAL_PREFIX + name[len(FIELD_PREFIX) :], stored)
        else:
            value = original = stored
        label = f"{variable.name} — {variable.label}"
        inputs.append(Input(name, label, value, original[:MAX_TYPED_CHARS]))
    return KindCell(
        kind=kind,
        label=rules.KIND_LABELS[kind],
        refusal=refusal,
        shown=shown_value(indicator, row.value) if row is not None else "",
        inputs=inputs,
        error=errors.get(f"{indicator.code}|{year}|{column}|{kind}", ""),
        qualitative=indicator.kind == "qualitative",
    )


def _stored(convention_id: int) -> dict[str, IndicatorValue]:
    rows = db_session().scalars(
        select(IndicatorValue).where(IndicatorValue.convention_id == convention_id)
    )
    return {cell_key(r.code, r.scope, r.year, r.kind): r for r in rows}


def build(
    convention: Convention,
    title: str,
    lines: list[tuple[Indicator, int, str, str]],  # (indicator, year, row label, row title)
    scopes: list[str],
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Grid:
    stored = _stored(convention.id)
    grid = Grid(title=title, columns=scopes)
    for indicator, year, label, row_title in lines:
        cells = []
        for column, scope in enumerate(scopes):
            kinds = [
                _kind_cell(
                    convention,
                    indicator,
                    year,
                    column,
                    kind,
                    stored.get(cell_key(indicator.code, scope, year, kind)) if scope else None,
                    typed,
                    errors or {},
                )
                for kind in KINDS
            ]
            cells.append(GridCell(column, scope, kinds))
        grid.rows.append(GridRow(label, row_title, cells))
    return grid


def indicator_lines(
    convention: Convention, indicator: Indicator
) -> list[tuple[Indicator, int, str, str]]:
    return [(indicator, year, str(year), "") for year in queries.years_of(convention)]


def year_lines(year: int) -> list[tuple[Indicator, int, str, str]]:
    return [(CATALOGUE[code], year, code, CATALOGUE[code].title) for code in CODES]


def cells_from_form(form: Mapping[str, str]) -> list[CellInput]:
    """The posted grid as cells: every (indicator, year, column, kind) the user changed
    from what the page showed, with its variables (an emptied cell removes its value).
    Bounded: a form of more cells than any grid has is refused before any is read."""
    fields = [(name, value) for name, value in form.items() if name.startswith(FIELD_PREFIX)]
    if len(fields) > MAX_CELLS * 3 or len(form) > MAX_CELLS * 7:
        raise TooLarge(f"Trop de cases à la fois : {MAX_CELLS} au plus.")
    scopes = {
        n: form.get(f"{SCOPE_PREFIX}{n}", "")
        for n in range(MAX_SCOPES + 1)
        if f"{SCOPE_PREFIX}{n}" in form
    }
    grouped: dict[tuple[str, str, int, str], dict[str, str]] = {}
    for name, value in fields:
        parts = name[len(FIELD_PREFIX) :].split("|")
        if len(parts) != 5 or not parts[2].isdigit() or int(parts[2]) not in scopes:
            raise InvalidInput("Formulaire de grille invalide : rechargez la page.")
        code, year, index, kind, variable = parts
        grouped.setdefault((code, year, int(index), kind), {})[variable] = value
    cells = []
    for (code, year, column, kind), variables in grouped.items():
        if not scopes[column].strip() and not any(v.strip() for v in variables.values()):
            continue  # the new column, left empty
        prefix = f"{ORIGINAL_PREFIX}{code}|{year}|{column}|{kind}|"
        if all(
            prefix + name in form and form[prefix + name].strip() == value.strip()
            for name, value in variables.items()
        ):
            continue  # untouched
        cells.append(
            CellInput(
                code=code,
                scope=scopes[column],
                year=year,
                kind=kind,
                variables=variables,
                ref=f"{code}|{year}|{column}|{kind}",
            )
        )
    return cells


def errors_of(planned: list[Planned]) -> dict[str, str]:
    return {p.cell.ref: p.error for p in planned if p.status == "refuse"}
