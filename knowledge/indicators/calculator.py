"""Compute CUS indicator values, year by year and over the convention (stdlib only).

compute("G.III", {2025: {"V1": 30, "V2": 200}}) gives 15.0 (a percentage, 0-100) with a
French working "V1 / V2 × 100 = 30 / 200 × 100 = 15,0 %".

Choices:
- Values keep full float precision; only the working strings are rounded (percentages to
  one decimal, other ratios to two, trailing zeros dropped), with French formatting
  ("3 600 000", "15,0").
- Inputs may be numbers or numeric strings as a French user types them ("15,5", "15.5",
  "3 600 000", read by ``workflows.numbers``: ASCII digits only); bools, empty strings,
  NaN, infinities and figures over ``MAX_INPUT`` are refused, and so is a result a float
  cannot hold (a tiny V2): every value is finite, as JSON needs. H.I (qualitative) also
  takes OUI/NON, True/False.
- Aggregates by target kind: ``per_year`` → None (the targets are read year by year);
  ``cumulated`` → sum of the values (counts) or of the V1 (other kinds); ``at_term`` and
  ``last_year`` → value of the last year given; ``six_year_average`` → sum of the V1
  over sum of the V2 (× 100 for percentages), never the mean of yearly ratios; kinds
  without a denominator fall back to the mean of the values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real

from knowledge.indicators.catalogue import Indicator
from knowledge.indicators.codes import get
from knowledge.indicators.display import format_number, shown_value
from workflows.errors import InvalidInput
from workflows.numbers import read_decimal, read_integer

CUS_YEARS = 6  # a CUS lasts six years
# No count or amount of a convention comes near a million billion; beyond it a figure
# is a slip, and six of them summed stay far from a float's limits.
MAX_INPUT = 1e15

# A year's variables as typed or stored: numbers, numeric strings in French or English
# notation, OUI/NON; the calculator reads and refuses them (CalculationError).
Variables = Mapping[str, object]
# The years given, by year as a number or as typed ("2025").
Years = Mapping[int, Variables] | Mapping[str, Variables] | Mapping[int | str, Variables]


class CalculationError(InvalidInput):
    """Input refused by the calculator; the French message is meant for the user."""


@dataclass(frozen=True)
class YearValue:
    year: int
    value: float
    working: str


@dataclass(frozen=True)
class Result:
    code: str
    unit: str
    years: tuple[YearValue, ...]
    aggregate: float | None
    aggregate_working: str
    warnings: tuple[str, ...]


def _input(value: float) -> str:
    return format_number(value, max_decimals=6)


# --- reading the inputs ------------------------------------------------------------------

_VARIABLE_RE = re.compile(r"^v\s*([0-9])\s*\.?\s*([a-z])?$", re.IGNORECASE | re.ASCII)
_YES = {"oui", "o", "yes", "true", "vrai", "1"}
_NO = {"non", "n", "no", "false", "faux", "0"}


def _where(year: int | None) -> str:
    return f"{year} : " if year else ""


def _describe(indicator: Indicator, name: str) -> str:
    variable = indicator.variable(name)
    return f"{name} ({variable.label})" if variable else name


def _variable_name(raw: object, indicator: Indicator, year: int | None) -> str:
    expected = ", ".join(v.name for v in indicator.variables)
    if isinstance(raw, str):
        match = _VARIABLE_RE.match(raw.strip())
        if match:
            name = f"V{match.group(1)}" + (f".{match.group(2).lower()}" if match.group(2) else "")
            if indicator.variable(name):
                return name
    raise CalculationError(
        f"{_where(year)}variable « {raw} » inconnue pour l'indicateur {indicator.code} "
        f"(variables attendues : {expected})."
    )


def _number(raw: object, indicator: Indicator, name: str, year: int | None) -> float:
    what = _describe(indicator, name)
    if indicator.kind == "qualitative":
        if isinstance(raw, bool):
            return 1.0 if raw else 0.0
        if isinstance(raw, str) and raw.strip().lower() in _YES | _NO:
            return 1.0 if raw.strip().lower() in _YES else 0.0
        if isinstance(raw, Real) and not isinstance(raw, bool) and float(raw) in (0.0, 1.0):
            return float(raw)
        raise CalculationError(
            f"{_where(year)}{what} doit valoir OUI ou NON (ou 1 / 0), reçu « {raw} »."
        )
    if isinstance(raw, bool):
        raise CalculationError(
            f"{_where(year)}{what} doit être un nombre, reçu une valeur vrai/faux."
        )
    if isinstance(raw, Real | Decimal):
        value = float(raw)
    elif isinstance(raw, str):
        read = read_decimal(raw)
        if read is None:
            shown = raw if raw.strip() else "(vide)"
            raise CalculationError(f"{_where(year)}{what} doit être un nombre, reçu « {shown} ».")
        value = read
    else:
        raise CalculationError(f"{_where(year)}{what} doit être un nombre, reçu « {raw} ».")
    if math.isnan(value) or (math.isinf(value) and not isinstance(raw, str)):
        raise CalculationError(f"{_where(year)}{what} doit être un nombre fini, reçu « {raw} ».")
    if abs(value) > MAX_INPUT:
        raise CalculationError(
            f"{_where(year)}{what} est trop grand : {_input(MAX_INPUT)} au plus."
        )
    if value < 0:
        raise CalculationError(
            f"{_where(year)}{what} ne peut pas être négatif (reçu {_input(value)})."
        )
    return value


def read_variables(
    indicator: Indicator, variables: object, year: int | None = None
) -> dict[str, float]:
    """The variables by their canonical names ("v 1" is V1) as the floats they stand for
    ("3 600 000", "15,5", OUI); CalculationError names what is refused or missing."""
    if not isinstance(variables, Mapping):
        raise CalculationError(
            f"{_where(year)}les variables de l'indicateur {indicator.code} doivent être "
            "données sous la forme nom → valeur (par exemple V1, V2)."
        )
    values: dict[str, float] = {}
    for raw_name, raw_value in variables.items():
        name = _variable_name(raw_name, indicator, year)
        if name in values:
            raise CalculationError(f"{_where(year)}{name} est donnée deux fois.")
        if raw_value is None:
            continue  # treated as missing below, or simply absent when optional
        values[name] = _number(raw_value, indicator, name, year)
    missing = [name for name in indicator.required_variables if name not in values]
    if missing:
        listed = ", ".join(_describe(indicator, name) for name in missing)
        raise CalculationError(
            f"{_where(year)}il manque {listed} pour calculer l'indicateur {indicator.code}."
        )
    return values


def _year(raw: object) -> int:
    if isinstance(raw, bool):
        raise CalculationError(f"Année invalide « {raw} » : indiquez une année comme 2025.")
    if isinstance(raw, int):
        year = raw
    elif isinstance(raw, str) and (read := read_integer(raw, grouped=False)) is not None:
        year = read
    else:
        raise CalculationError(f"Année invalide « {raw} » : indiquez une année comme 2025.")
    if not 1000 <= year <= 9999:
        raise CalculationError(
            f"Année invalide « {raw} » : indiquez une année sur quatre chiffres."
        )
    return year


# --- one year ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    value: YearValue
    numerator: float
    denominator: float | None
    warnings: tuple[str, ...]


def _finite(indicator: Indicator, value: float, year: int | None) -> float:
    """The value, when a float holds it; a tiny V2 makes a ratio no float holds."""
    if not math.isfinite(value):
        raise CalculationError(
            f"{_where(year)}le résultat de l'indicateur {indicator.code} ({indicator.formula}) "
            "est trop grand pour être calculé : vérifiez V2, qui paraît presque nul."
        )
    return value


def _compute(indicator: Indicator, variables: object, year: int | None) -> _Year:
    values = read_variables(indicator, variables, year)
    warnings: list[str] = []
    v1 = values["V1"]
    kind = indicator.kind

    if kind == "qualitative":
        return _Year(YearValue(year or 0, v1, f"V1 = {shown_value(indicator, v1)}"), v1, None, ())

    if kind == "count":
        if not v1.is_integer() and "équivalent" not in indicator.unit:
            warnings.append(f"{_where(year)}V1 ({_input(v1)}) n'est pas un nombre entier.")
        working = f"V1 = {shown_value(indicator, v1)}"
        return _Year(YearValue(year or 0, v1, working), v1, None, tuple(warnings))

    v2 = values["V2"]
    if v2 == 0:
        raise CalculationError(
            f"{_where(year)}{_describe(indicator, 'V2')} vaut 0 : le calcul de l'indicateur "
            f"{indicator.code} ({indicator.formula}) est impossible (division par zéro)."
        )
    if kind == "ratio_percent":
        value = _finite(indicator, v1 * 100 / v2, year)
        working = (
            f"V1 / V2 × 100 = {_input(v1)} / {_input(v2)} × 100 = {shown_value(indicator, value)}"
        )
        if v1 > v2:
            warnings.append(
                f"{_where(year)}V1 ({_input(v1)}) dépasse V2 ({_input(v2)}) pour un pourcentage."
            )
    else:  # ratio, amount_per_unit
        value = _finite(indicator, v1 / v2, year)
        working = f"V1 / V2 = {_input(v1)} / {_input(v2)} = {shown_value(indicator, value)}"

    causes = [name for name in ("V1.a", "V1.b", "V1.c") if name in values]
    if causes:
        parts = [
            f"{name} / V2 = {_input(values[name])} / {_input(v2)} = "
            f"{format_number(_finite(indicator, values[name] / v2, year), 2)}"
            for name in causes
        ]
        working += " ; par cause : " + " ; ".join(parts)
        total = math.fsum(values[name] for name in causes)
        if len(causes) == 3 and not math.isclose(total, v1):
            warnings.append(
                f"{_where(year)}V1.a + V1.b + V1.c ({_input(total)}) diffère de V1 "
                f"({_input(v1)}) : chaque arrêt doit relever d'une seule cause."
            )
        elif total > v1:
            warnings.append(
                f"{_where(year)}les arrêts par cause ({_input(total)}) dépassent V1 ({_input(v1)})."
            )
    return _Year(YearValue(year or 0, value, working), v1, v2, tuple(warnings))


def compute_year(
    indicator: Indicator | str, variables: Variables, year: int | None = None
) -> YearValue:
    """One year's value (percentages as 0-100) and its French working.

    ``year`` only labels the result and the error messages."""
    indicator = _indicator(indicator)
    return _compute(indicator, variables, year).value


def evaluate_year(
    indicator: Indicator | str, variables: Variables, year: int | None = None
) -> tuple[YearValue, tuple[str, ...]]:
    """One year's value with the calculator's warnings on it (a rate whose V1 exceeds
    its V2, a count that is not whole…)."""
    computed = _compute(_indicator(indicator), variables, year)
    return computed.value, computed.warnings


# --- over the years ----------------------------------------------------------------------


def _indicator(code: Indicator | str) -> Indicator:
    if isinstance(code, Indicator):
        return code
    try:
        return get(code)
    except KeyError as error:
        raise CalculationError(error.args[0]) from None


def _span(years: list[int]) -> str:
    count = len(years)
    plural = "s" if count > 1 else ""
    label = f"{years[0]}–{years[-1]}" if count > 1 else str(years[0])
    return f"{label}, {count} année{plural}"


def _aggregate(indicator: Indicator, computed: list[tuple[int, _Year]]) -> tuple[float | None, str]:
    years = [year for year, _ in computed]
    values = [item.value.value for _, item in computed]
    last_year, last = computed[-1]
    target = indicator.target_kind

    if target == "per_year":
        return None, (
            "Pas de valeur agrégée : la cible de cet indicateur se lit année par année "
            "(voir les valeurs annuelles)."
        )
    if target in ("at_term", "last_year"):
        shown = shown_value(indicator, last.value.value)
        if target == "at_term":
            text = f"Valeur à terme = valeur de la dernière année fournie ({last_year}) : {shown}"
        else:
            text = (
                f"Valeur de la dernière année fournie ({last_year}), calculée sur l'année "
                f"entière : {shown}"
            )
        if len(years) == 1 or years[-1] - years[0] + 1 < CUS_YEARS:
            text += " (les années fournies n'atteignent pas le terme des six ans)"
        return last.value.value, text + "."

    if target == "cumulated":
        if indicator.kind == "count":
            total = math.fsum(values)
            terms = " + ".join(_input(v) for v in values)
            return total, f"Cumul ({_span(years)}) : {terms} = {shown_value(indicator, total)}."
        numerators = [item.numerator for _, item in computed]
        total = math.fsum(numerators)
        terms = " + ".join(_input(v) for v in numerators)
        return total, f"Cumul des V1 ({_span(years)}) : {terms} = {format_number(total, 2)}."

    # six_year_average
    if indicator.kind in ("count", "qualitative"):
        mean = math.fsum(values) / len(values)
        terms = " + ".join(_input(v) for v in values)
        return mean, (
            f"Moyenne ({_span(years)}) : ({terms}) / {len(values)} = {shown_value(indicator, mean)}."
        )
    numerators = [item.numerator for _, item in computed]
    denominators = [item.denominator or 0.0 for _, item in computed]
    sum_v1, sum_v2 = math.fsum(numerators), math.fsum(denominators)
    factor = 100 if indicator.kind == "ratio_percent" else 1
    value = sum_v1 * factor / sum_v2
    times = " × 100" if factor == 100 else ""
    text = (
        f"Moyenne sur la période ({_span(years)}) = somme des V1 / somme des V2{times} = "
        f"{_input(sum_v1)} / {_input(sum_v2)}{times} = {shown_value(indicator, value)}"
    )
    mean_of_ratios = math.fsum(values) / len(values)
    if len(values) > 1 and shown_value(indicator, mean_of_ratios) != shown_value(indicator, value):
        text += (
            f" (la moyenne simple des valeurs annuelles, {shown_value(indicator, mean_of_ratios)}, "
            "n'est pas la méthode de la fiche)"
        )
    return value, text + "."


def compute(code: str | Indicator, years: Years) -> Result:
    """Values of an indicator for each year given, and its aggregate over those years."""
    indicator = _indicator(code)
    if not isinstance(years, Mapping) or not years:
        raise CalculationError(
            f"Aucune année fournie pour l'indicateur {indicator.code} : donnez au moins "
            "une année avec ses variables."
        )
    by_year: dict[int, object] = {}
    for raw_year, variables in years.items():
        year = _year(raw_year)
        if year in by_year:
            raise CalculationError(f"L'année {year} est donnée deux fois.")
        by_year[year] = variables

    computed = [(year, _compute(indicator, by_year[year], year)) for year in sorted(by_year)]
    warnings = [warning for _, item in computed for warning in item.warnings]
    ordered = sorted(by_year)
    if len(ordered) > CUS_YEARS:
        warnings.append(
            f"{len(ordered)} années fournies alors qu'une CUS dure {CUS_YEARS} ans : "
            "l'agrégat porte sur toutes les années fournies."
        )
    gaps = sorted(set(range(ordered[0], ordered[-1] + 1)) - set(ordered))
    if gaps and indicator.target_kind in ("cumulated", "six_year_average"):
        warnings.append(
            "Années manquantes dans la période : "
            + ", ".join(str(y) for y in gaps)
            + " (l'agrégat ne porte que sur les années fournies)."
        )
    aggregate, aggregate_working = _aggregate(indicator, computed)
    if aggregate is not None:
        # Finite whenever each year is (a sum of bounded figures, a weighted mean of
        # finite ratios): checked all the same, as the answer goes out as JSON.
        _finite(indicator, aggregate, None)
    return Result(
        code=indicator.code,
        unit=indicator.unit,
        years=tuple(item.value for _, item in computed),
        aggregate=aggregate,
        aggregate_working=aggregate_working,
        warnings=tuple(warnings),
    )
