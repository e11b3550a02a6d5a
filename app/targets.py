"""Indicator targets (cibles) and achieved values (réalisé) of a convention.

A value is one cell: an indicator, a scope (département or segment of the stock), a year
of the convention and a kind. It is entered as the indicator's variables (V1, V2…) and
computed by the calculator (knowledge.indicators.calculator), so that a target is always the result
of its own figures. ``table`` sets targets against achieved values, year by year and
aggregated by the indicator's rule; workflows.targets says when each kind may be entered
and which way a gap is favourable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from numbers import Real
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit, queries
from app.db import db_session, write_transaction
from app.models import Convention, IndicatorValue, User
from app.operations import NotFound, StateRefused
from knowledge.indicators.calculator import CalculationError, compute, compute_year
from knowledge.indicators.catalogue import CATALOGUE, CODES, Indicator
from knowledge.indicators.codes import get
from knowledge.indicators.display import format_number
from workflows import targets as rules
from workflows.conventions import OrganisationKind
from workflows.errors import InvalidInput

# --- reading the input --------------------------------------------------------------------


def indicator_of(code: object) -> Indicator:
    """The catalogue's indicator for a code (any usual spelling: "G.III", "g3")."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput("Choisissez un indicateur du catalogue (A.I à I.I).")
    try:
        return get(code.strip())
    except KeyError as error:
        raise InvalidInput(error.args[0]) from None


_SPACES = re.compile(r"[\s\u00a0\u202f]")
_YES = {"oui", "o", "yes", "true", "vrai", "1"}
_NO = {"non", "n", "no", "false", "faux", "0"}


def _given(variables: object) -> dict[str, object]:
    """The variables actually filled in: an empty form field is a missing variable."""
    if not isinstance(variables, Mapping):
        raise InvalidInput("Les variables doivent être données sous la forme nom → valeur.")
    return {
        str(name): value
        for name, value in variables.items()
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


def _canonical_name(indicator: Indicator, raw: str) -> str:
    key = re.sub(r"[\s.]", "", raw).lower()
    for variable in indicator.variables:
        if variable.name.replace(".", "").lower() == key:
            return variable.name
    raise InvalidInput(f"Variable « {raw} » inconnue pour l'indicateur {indicator.code}.")


def _as_float(raw: object) -> float:
    """A value the calculator has already accepted, as the float it stands for."""
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, Real | Decimal):
        return float(raw)
    text = _SPACES.sub("", str(raw)).lower()
    if text in _YES:
        return 1.0
    if text in _NO:
        return 0.0
    return float(text.replace(",", "."))


def _computed(
    indicator: Indicator, variables: object, scope: str, year: int
) -> tuple[dict[str, float], float]:
    """The variables as stored (canonical names, floats) and the year's value; the
    calculator's refusal becomes an InvalidInput naming the cell."""
    given = _given(variables)
    try:
        value = compute_year(indicator, given).value
    except CalculationError as error:
        raise InvalidInput(
            f"Valeur non enregistrée ({indicator.code}, {scope}, {year}) : {error}"
        ) from None
    stored = {_canonical_name(indicator, name): _as_float(raw) for name, raw in given.items()}
    return stored, value


# --- writing ------------------------------------------------------------------------------


def _lock_convention(session: Session, convention_id: int) -> Convention:
    # FOR UPDATE on PostgreSQL (a transition waits for the save); SQLite's write
    # transaction already began IMMEDIATE.
    convention = session.scalar(
        select(Convention).where(Convention.id == convention_id).with_for_update()
    )
    if convention is None:
        raise NotFound("Convention introuvable.")
    return convention


def _current_year() -> int:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).year


def _check_phase(convention: Convention, kind: rules.ValueKind, year: int) -> None:
    refusal = rules.phase_refusal(kind, convention.state)
    if refusal:
        raise StateRefused(refusal)
    refusal = rules.future_year_refusal(kind, year, _current_year())
    if refusal:
        raise InvalidInput(refusal)


def _cell(session: Session, convention_id: int, code: str, scope: str, year: int, kind: str):  # type: ignore[no-untyped-def]
    return session.scalar(
        select(IndicatorValue)
        .where(
            IndicatorValue.convention_id == convention_id,
            IndicatorValue.code == code,
            IndicatorValue.scope == scope,
            IndicatorValue.year == year,
            IndicatorValue.kind == kind,
        )
        .with_for_update()
    )


def save_value(
    convention_id: int,
    actor: User,
    code: str,
    scope: str,
    year: int | str,
    kind: str,
    variables: Mapping[str, str | float],
) -> IndicatorValue:
    """Enter (or correct) one target or achieved value from its variables.

    Refused, with nothing written: an unknown indicator, a year outside the convention's
    period, an empty or too long scope, a phase that does not take this kind of value
    (StateRefused), variables the calculator refuses (missing, negative, V2 = 0…)."""
    indicator = indicator_of(code)
    value_kind = rules.parse_kind(kind)
    clean_scope = rules.clean_scope(scope)
    try:
        return _save(convention_id, actor, indicator, clean_scope, year, value_kind, variables)
    except IntegrityError:
        # Two first entries of the same cell at once (PostgreSQL): the other one won,
        # this one now updates it.
        return _save(convention_id, actor, indicator, clean_scope, year, value_kind, variables)


def _save(
    convention_id: int,
    actor: User,
    indicator: Indicator,
    scope: str,
    raw_year: int | str,
    kind: rules.ValueKind,
    variables: Mapping[str, str | float],
) -> IndicatorValue:
    with write_transaction() as session:
        convention = _lock_convention(session, convention_id)
        year = rules.parse_year(raw_year, convention.start_year, convention.end_year)
        _check_phase(convention, kind, year)
        stored, value = _computed(indicator, variables, scope, year)
        row = _cell(session, convention_id, indicator.code, scope, year, kind)
        if row is None:
            row = IndicatorValue(
                convention_id=convention_id,
                code=indicator.code,
                scope=scope,
                year=year,
                kind=kind,
                variables=stored,
                value=value,
                entered_by_id=actor.id,
            )
            session.add(row)
        else:
            row.variables = stored
            row.value = value
            row.entered_by_id = actor.id
        session.flush()
        audit.record(
            session,
            "indicateur",
            f"{rules.KIND_LABELS[kind]} {indicator.code} — {scope}, {year} : "
            f"{shown_value(indicator, value)}",
            actor,
            convention_id,
            "indicator_value",
            row.id,
        )
    return row


def delete_value(
    convention_id: int, actor: User, code: str, scope: str, year: int | str, kind: str
) -> None:
    """Remove one cell, under the same phase rules as entering it."""
    indicator = indicator_of(code)
    value_kind = rules.parse_kind(kind)
    clean_scope = rules.clean_scope(scope)
    with write_transaction() as session:
        convention = _lock_convention(session, convention_id)
        parsed = rules.parse_year(year, convention.start_year, convention.end_year)
        refusal = rules.phase_refusal(value_kind, convention.state)
        if refusal:
            raise StateRefused(refusal)
        row = _cell(session, convention_id, indicator.code, clean_scope, parsed, value_kind)
        if row is None:
            raise NotFound("Aucune valeur saisie pour cette case.")
        audit.record(
            session,
            "indicateur_supprime",
            f"Valeur supprimée : {rules.KIND_LABELS[value_kind].lower()} {indicator.code} — "
            f"{clean_scope}, {parsed}",
            actor,
            convention_id,
            "indicator_value",
            row.id,
        )
        session.delete(row)


def warnings_of(row: IndicatorValue) -> tuple[str, ...]:
    """What the calculator noted on a saved value (V1 above V2 for a percentage…)."""
    try:
        return compute(row.code, {row.year: row.variables}).warnings
    except CalculationError as error:  # pragma: no cover - stored values were computed
        return (str(error),)


# --- display ------------------------------------------------------------------------------


def _unit_words(unit: str) -> str:
    for prefix in ("nombre de ", "nombre d'"):
        if unit.startswith(prefix):
            return unit[len(prefix) :]
    return unit


def shown_value(indicator: Indicator, value: float) -> str:
    """French display of a value: "15,0 %", "OUI", "1 250 € HT par logement"."""
    if indicator.kind == "ratio_percent":
        return f"{format_number(value, 1, 1)} %"
    if indicator.kind == "qualitative":
        return "OUI" if value else "NON"
    return f"{format_number(value, 2)} {_unit_words(indicator.unit)}"


def shown_gap(indicator: Indicator, gap: float, status: rules.GapStatus) -> str:
    """French display of achieved − target: "+2,5 pts", "−3 logements", "non atteint"."""
    if indicator.kind == "qualitative":
        return "atteint" if status == "favorable" else "non atteint"
    sign = "+" if gap > 0 else "−" if gap < 0 else "±"
    if indicator.kind == "ratio_percent":
        return f"{sign}{format_number(abs(gap), 1, 1)} pt{'s' if abs(gap) >= 2 else ''}"
    return f"{sign}{format_number(abs(gap), 2)} {_unit_words(indicator.unit)}"


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


def _gap(indicator: Indicator, target: float, achieved: float) -> Gap:
    status = rules.gap_status(indicator.code, target, achieved)
    gap = achieved - target
    return Gap(gap, shown_gap(indicator, gap, status), status)


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
            gap = _gap(indicator, target_then, done_then)
            gap_working = (
                f"Écart à date ({_span(common)}) : réalisé "
                f"{shown_value(indicator, done_then)} contre une cible de "
                f"{shown_value(indicator, target_then)}, soit {gap.shown}."
            )
    warnings = tuple(dict.fromkeys((*target_warnings, *done_warnings)))
    return Aggregate(
        target=target,
        target_shown=shown_value(indicator, target) if target is not None else "",
        target_working=target_working,
        achieved=done,
        achieved_shown=shown_value(indicator, done) if done is not None else "",
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
                gap = _gap(indicator, target.value, done.value) if target and done else None
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
    """Scopes already used in the convention, then the départements taking part in it."""
    session = db_session()
    used = session.scalars(
        select(IndicatorValue.scope)
        .where(IndicatorValue.convention_id == convention_id)
        .distinct()
        .order_by(IndicatorValue.scope)
    )
    departements = [
        m.organisation.name
        for m in queries.members(convention_id)
        if m.organisation is not None and m.organisation.kind is OrganisationKind.DEPARTEMENT
    ]
    return list(dict.fromkeys([*used, *departements]))


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
    for member in queries.members(convention_id):
        org = member.organisation
        if org is not None and org.kind is OrganisationKind.DEPARTEMENT:
            return org.name
    return ""
