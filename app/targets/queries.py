"""Reading targets and achieved values: the table of each indicator with a value, per
scope and year, their gaps and six-year aggregates (by the indicator's rule), and the
scopes to suggest."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.access import members
from app.db import db_session
from app.models import Convention, IndicatorValue, PatrimonySegment, User, iso
from knowledge.indicators.calculator import CalculationError, compute, compute_year
from knowledge.indicators.catalogue import CATALOGUE, CODES, Indicator
from knowledge.indicators.display import (
    decimals_for,
    shown_difference,
    shown_gap,
    shown_value,
)
from workflows import targets as rules
from workflows.conventions import OrganisationKind
from workflows.errors import NotFound


def warnings_of(row: IndicatorValue) -> tuple[str, ...]:
    """What the calculator noted on a saved value (V1 above V2 for a percentage…)."""
    try:
        return compute(row.code, {row.year: row.variables}).warnings
    except CalculationError as error:  # pragma: no cover - stored values were computed
        return (str(error),)


@dataclass(frozen=True)
class Cell:
    value: float
    shown: str
    working: str  # the calculator's working, "V1 / V2 × 100 = 30 / 200 × 100 = 15,0 %"
    variables: dict[str, float]
    entered_by: str
    updated_at: datetime


@dataclass(frozen=True)
class Gap:
    value: float  # achieved − target
    shown: str
    status: rules.GapStatus  # "favorable" | "defavorable"


@dataclass(frozen=True)
class YearRow:
    year: int
    target: Cell | None
    achieved: Cell | None
    gap: Gap | None


@dataclass(frozen=True)
class Aggregate:
    """Both series aggregated by the indicator's rule, and the gap "à date": computed on
    the years that have both a target and an achieved value, so that two years of
    achievements are not set against a six-year cumulated target."""

    target: float | None
    target_shown: str
    target_working: str
    achieved: float | None
    achieved_shown: str
    achieved_working: str
    compared_years: tuple[int, ...]
    gap: Gap | None
    gap_working: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ScopeTable:
    scope: str
    rows: tuple[YearRow, ...]
    aggregate: Aggregate


@dataclass(frozen=True)
class IndicatorTable:
    indicator: Indicator
    rule: str  # "cumul sur 6 ans", "valeur à terme…", "moyenne pondérée…"
    direction: str  # "plus la valeur est élevée, mieux c'est"
    lower_is_better: bool
    scopes: tuple[ScopeTable, ...]


def _gap(indicator: Indicator, target: float, achieved: float, decimals: int = 1) -> Gap:
    # The status from the values themselves; the gap shown is the difference of the
    # values as shown, so that "2,1 % | 2,1 %" never reads "−0,1 pt" beside them.
    status = rules.gap_status(indicator.code, target, achieved)
    gap = achieved - target
    shown = shown_gap(indicator, shown_difference(achieved, target, decimals), status, decimals)
    return Gap(gap, shown, status)


def _span(years: tuple[int, ...]) -> str:
    if len(years) == 1:
        return str(years[0])
    return f"{years[0]}–{years[-1]}, {len(years)} années"


def _series_aggregate(
    indicator: Indicator, by_year: dict[int, dict[str, float]]
) -> tuple[float | None, str, tuple[str, ...]]:
    if not by_year:
        return None, "", ()
    try:
        result = compute(indicator, by_year)
    except CalculationError as error:  # pragma: no cover - stored values were computed
        return None, "", (str(error),)
    return result.aggregate, result.aggregate_working, result.warnings


def _aggregate(
    indicator: Indicator,
    targets: dict[int, dict[str, float]],
    achieved: dict[int, dict[str, float]],
) -> Aggregate:
    target, target_working, target_warnings = _series_aggregate(indicator, targets)
    done, done_working, done_warnings = _series_aggregate(indicator, achieved)
    common = tuple(sorted(set(targets) & set(achieved)))
    gap = None
    gap_working = ""
    if common and indicator.target_kind != "per_year":
        target_then, _, _ = _series_aggregate(indicator, {y: targets[y] for y in common})
        done_then, _, _ = _series_aggregate(indicator, {y: achieved[y] for y in common})
        if target_then is not None and done_then is not None:
            places = decimals_for(indicator, target_then, done_then)
            gap = _gap(indicator, target_then, done_then, places)
            gap_working = (
                f"Écart à date ({_span(common)}) : réalisé "
                f"{shown_value(indicator, done_then, places)} contre une cible de "
                f"{shown_value(indicator, target_then, places)}, soit {gap.shown}."
            )
    warnings = tuple(dict.fromkeys((*target_warnings, *done_warnings)))
    places = decimals_for(indicator, *(v for v in (target, done) if v is not None))
    return Aggregate(
        target=target,
        target_shown=shown_value(indicator, target, places) if target is not None else "",
        target_working=target_working,
        achieved=done,
        achieved_shown=shown_value(indicator, done, places) if done is not None else "",
        achieved_working=done_working,
        compared_years=common,
        gap=gap,
        gap_working=gap_working,
        warnings=warnings,
    )


def _make_cell(indicator: Indicator, row: IndicatorValue, names: dict[int, str]) -> Cell:
    try:
        working = compute_year(indicator, row.variables).working
    except CalculationError:  # pragma: no cover - stored values were computed
        working = ""
    return Cell(
        value=row.value,
        shown=shown_value(indicator, row.value),
        working=working,
        variables=dict(row.variables),
        entered_by=names.get(row.entered_by_id, ""),
        updated_at=row.updated_at,
    )


def years_of(convention: Convention) -> tuple[int, ...]:
    """The years N..N+5 of a CUS (the period of any other convention)."""
    return tuple(range(convention.start_year, convention.end_year + 1))


def table(convention_id: int) -> list[IndicatorTable]:
    """Every indicator with a value, in catalogue order; per scope, each year of the
    convention with its target, its achieved value and their gap, and the aggregates."""
    session = db_session()
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    rows = list(
        session.scalars(select(IndicatorValue).where(IndicatorValue.convention_id == convention_id))
    )
    author_ids = {row.entered_by_id for row in rows}
    names = {
        user_id: name
        for user_id, name in session.execute(
            select(User.id, User.name).where(User.id.in_(author_ids))
        )
    }
    period = years_of(convention)
    grouped: dict[str, dict[str, dict[str, dict[int, IndicatorValue]]]] = {}
    for row in rows:
        by_kind = grouped.setdefault(row.code, {}).setdefault(row.scope, {})
        by_kind.setdefault(row.kind, {})[row.year] = row

    tables = []
    for code in sorted(grouped, key=lambda c: (CODES.index(c) if c in CODES else len(CODES), c)):
        indicator = CATALOGUE.get(code)
        if indicator is None:  # pragma: no cover - codes are checked on entry
            continue
        scopes = []
        for scope in sorted(grouped[code], key=str.casefold):
            cells = grouped[code][scope]
            targets = cells.get("cible", {})
            achieved = cells.get("realise", {})
            years = sorted(set(period) | set(targets) | set(achieved))
            year_rows = []
            for year in years:
                target = _make_cell(indicator, targets[year], names) if year in targets else None
                done = _make_cell(indicator, achieved[year], names) if year in achieved else None
                gap = None
                if target and done:
                    places = decimals_for(indicator, target.value, done.value)
                    if places != 1:  # two values that would look alike: both more precise
                        target = replace(target, shown=shown_value(indicator, target.value, places))
                        done = replace(done, shown=shown_value(indicator, done.value, places))
                    gap = _gap(indicator, target.value, done.value, places)
                year_rows.append(YearRow(year, target, done, gap))
            aggregate = _aggregate(
                indicator,
                {y: dict(r.variables) for y, r in targets.items()},
                {y: dict(r.variables) for y, r in achieved.items()},
            )
            scopes.append(ScopeTable(scope, tuple(year_rows), aggregate))
        tables.append(
            IndicatorTable(
                indicator=indicator,
                rule=rules.rule_label(indicator.target_kind, indicator.kind, len(period)),
                direction=rules.direction_label(code),
                lower_is_better=rules.direction(code) == "baisse",
                scopes=tuple(scopes),
            )
        )
    return tables


def scope_suggestions(convention_id: int) -> list[str]:
    """Scopes already used in the convention, then the départements taking part in it,
    then the segments of its stock described on the page."""
    session = db_session()
    used = session.scalars(
        select(IndicatorValue.scope)
        .where(IndicatorValue.convention_id == convention_id)
        .distinct()
        .order_by(IndicatorValue.scope)
    )
    departements = [
        m.organisation.name
        for m in members(convention_id)
        if m.organisation is not None and m.organisation.kind is OrganisationKind.DEPARTEMENT
    ]
    described = session.scalars(
        select(PatrimonySegment.name)
        .where(PatrimonySegment.convention_id == convention_id)
        .order_by(PatrimonySegment.departement, PatrimonySegment.name)
    )
    return list(dict.fromkeys([*used, *departements, *described]))


def default_scope(convention_id: int, code: str) -> str:
    """The scope to suggest for an indicator: the one it already uses, else the
    département taking part in the convention, else nothing."""
    session = db_session()
    used = session.scalar(
        select(IndicatorValue.scope)
        .where(IndicatorValue.convention_id == convention_id, IndicatorValue.code == code)
        .order_by(IndicatorValue.id)
        .limit(1)
    )
    if used:
        return used
    for member in members(convention_id):
        org = member.organisation
        if org is not None and org.kind is OrganisationKind.DEPARTEMENT:
            return org.name
    return ""


# --- the shapes the API gives -------------------------------------------------------------


def _cell_json(cell: Cell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {
        "value": cell.value,
        "shown": cell.shown,
        "working": cell.working,
        "variables": cell.variables,
        "entered_by": cell.entered_by,
        "updated_at": iso(cell.updated_at),
    }


def _gap_json(gap: Gap | None) -> dict[str, Any] | None:
    return None if gap is None else {"value": gap.value, "shown": gap.shown, "status": gap.status}


def table_json(tables: list[IndicatorTable]) -> list[dict[str, Any]]:
    """The page's table: per indicator and scope, each year's target, achieved value and
    gap, and both series aggregated by the indicator's rule."""
    return [
        {
            "code": t.indicator.code,
            "title": t.indicator.title,
            "rule": t.rule,
            "direction": t.direction,
            "lower_is_better": t.lower_is_better,
            "scopes": [
                {
                    "scope": s.scope,
                    "years": [
                        {
                            "year": r.year,
                            "target": _cell_json(r.target),
                            "achieved": _cell_json(r.achieved),
                            "gap": _gap_json(r.gap),
                        }
                        for r in s.rows
                    ],
                    "aggregate": {
                        "target": s.aggregate.target,
                        "target_shown": s.aggregate.target_shown,
                        "target_working": s.aggregate.target_working,
                        "achieved": s.aggregate.achieved,
                        "achieved_shown": s.aggregate.achieved_shown,
                        "achieved_working": s.aggregate.achieved_working,
                        "compared_years": list(s.aggregate.compared_years),
                        "gap": _gap_json(s.aggregate.gap),
                        "gap_working": s.aggregate.gap_working,
                        "warnings": list(s.aggregate.warnings),
                    },
                }
                for s in t.scopes
            ],
        }
        for t in tables
    ]


def value_json(row: IndicatorValue) -> dict[str, Any]:
    """One saved cell, with what the calculator noted on it."""
    indicator = CATALOGUE[row.code]
    return {
        "id": row.id,
        "code": row.code,
        "scope": row.scope,
        "year": row.year,
        "kind": row.kind,
        "variables": dict(row.variables),
        "value": row.value,
        "shown": shown_value(indicator, row.value),
        "warnings": list(warnings_of(row)),
        "updated_at": iso(row.updated_at),
    }
