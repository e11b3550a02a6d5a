"""Indicator targets (cibles) and achieved values (réalisé) of a convention.

A value is one cell: an indicator, a scope (département or segment of the stock), a year
of the convention and a kind. It is entered as the indicator's variables (V1, V2…) and
computed by the calculator (knowledge.indicators.calculator), so that a target is always the result
of its own figures. ``table`` sets targets against achieved values, year by year and
aggregated by the indicator's rule; workflows.targets says when each kind may be entered
and which way a gap is favourable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.db import write_transaction
from app.models import Convention, IndicatorValue, User
from knowledge.indicators.calculator import CalculationError, compute_year, read_variables
from knowledge.indicators.catalogue import Indicator
from knowledge.indicators.codes import get
from knowledge.indicators.display import shown_value
from workflows import targets as rules
from workflows.errors import Conflict, InvalidInput, NotFound

# --- reading the input --------------------------------------------------------------------


def find_indicator(code: str) -> Indicator | None:
    """The catalogue's indicator a code names (any usual spelling: "G.III", "g3"), or None."""
    try:
        return get(code.strip())
    except KeyError:
        return None


def indicator_of(code: object) -> Indicator:
    """The catalogue's indicator for a code; InvalidInput names the valid ones."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput("Choisissez un indicateur du catalogue (A.I à I.I).")
    try:
        return get(code.strip())
    except KeyError as error:
        raise InvalidInput(error.args[0]) from None


def _given(variables: object) -> dict[str, object]:
    """The variables actually filled in: an empty form field is a missing variable."""
    if not isinstance(variables, Mapping):
        raise InvalidInput("Les variables doivent être données sous la forme nom → valeur.")
    return {
        str(name): value
        for name, value in variables.items()
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


def _computed(
    indicator: Indicator, variables: object, scope: str, year: int
) -> tuple[dict[str, float], float]:
    """The variables as stored (canonical names, floats) and the year's value; the
    calculator's refusal becomes an InvalidInput naming the cell."""
    given = _given(variables)
    try:
        value = compute_year(indicator, given).value
        stored = read_variables(indicator, given)
    except CalculationError as error:
        raise InvalidInput(
            f"Valeur non enregistrée ({indicator.code}, {scope}, {year}) : {error}"
        ) from None
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
    refusal = rules.phase_refusal(kind, convention.state, convention.lifecycle)
    if refusal:
        raise Conflict(refusal)
    refusal = rules.future_year_refusal(kind, year, _current_year())
    if refusal:
        raise InvalidInput(refusal)


def _cell(
    session: Session, convention_id: int, code: str, scope: str, year: int, kind: str
) -> IndicatorValue | None:
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
    (Conflict), variables the calculator refuses (missing, negative, V2 = 0…)."""
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
        refusal = rules.phase_refusal(value_kind, convention.state, convention.lifecycle)
        if refusal:
            raise Conflict(refusal)
        row = _cell(session, convention_id, indicator.code, clean_scope, parsed, value_kind)
        if row is None:
            raise InvalidInput("Aucune valeur saisie pour cette case.")
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
