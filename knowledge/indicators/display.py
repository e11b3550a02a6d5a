"""How indicator values and entries are shown in French: numbers, units, gaps, and the
indicator as the API and the assistant give it."""

from __future__ import annotations

import dataclasses

from knowledge.indicators.catalogue import Indicator
from workflows.targets import GapStatus

KIND_FORMULA = {
    "ratio_percent": "un pourcentage",
    "ratio": "un rapport",
    "amount_per_unit": "un montant par unité",
    "count": "un nombre",
    "qualitative": "OUI ou NON",
}
# How a target is read, in a word (tables, the indicator's page).
TARGET_LABELS = {
    "per_year": "Chaque année",
    "cumulated": "Cumul sur six ans",
    "at_term": "Valeur à terme",
    "last_year": "Dernière année",
    "six_year_average": "Moyenne sur six ans",
}
TARGET_WORDS = {
    "per_year": "une cible pour chaque année, lue année par année",
    "cumulated": "cumul des valeurs annuelles sur les six ans",
    "at_term": "valeur à terme, mesurée au 31 décembre de la dernière année",
    "last_year": "valeur de la dernière année, calculée sur l'année entière",
    "six_year_average": (
        "moyenne sur la période : somme des V1 divisée par la somme des V2, "
        "jamais la moyenne des taux annuels"
    ),
}


def format_number(value: float, max_decimals: int = 2, min_decimals: int = 0) -> str:
    """French display: "3 600 000", "15,0", "1 234,57"; rounding is for display only."""
    text = f"{value:,.{max_decimals}f}"
    if max_decimals > min_decimals and "." in text:
        whole, decimals = text.split(".")
        decimals = decimals.rstrip("0")
        if len(decimals) < min_decimals:
            decimals = decimals.ljust(min_decimals, "0")
        text = f"{whole}.{decimals}" if decimals else whole
    return text.replace(",", " ").replace(".", ",")


def unit_words(unit: str) -> str:
    """ "nombre de logements" -> "logements"; "€ HT par logement" stays as it is."""
    for prefix in ("nombre de ", "nombre d'"):
        if unit.startswith(prefix):
            return unit[len(prefix) :]
    return unit


def decimals_for(indicator: Indicator, *values: float) -> int:
    """Decimals a rate is shown with beside others: one, or two when values that differ
    would look the same at one ("2,10 %" and "2,05 %", not "2,1 %" twice)."""
    if indicator.kind != "ratio_percent":
        return 2
    return 1 if len({f"{v:.1f}" for v in values}) == len(set(values)) else 2


def shown_difference(achieved: float, target: float, decimals: int) -> float:
    """achieved − target as the reader computes it from the values shown."""
    return float(f"{achieved:.{decimals}f}") - float(f"{target:.{decimals}f}")


def shown_value(indicator: Indicator, value: float, decimals: int = 1) -> str:
    """French display of a value: "15,0 %", "OUI", "1 250 € HT par logement"."""
    if indicator.kind == "ratio_percent":
        return f"{format_number(value, decimals, decimals)} %"
    if indicator.kind == "qualitative":
        return "OUI" if value else "NON"
    return f"{format_number(value, 2)} {unit_words(indicator.unit)}"


def shown_gap(indicator: Indicator, gap: float, status: GapStatus, decimals: int = 1) -> str:
    """French display of achieved − target: "+2,5 pts", "−3 logements", "non atteint"."""
    if indicator.kind == "qualitative":
        return "atteint" if status == "favorable" else "non atteint"
    percent = indicator.kind == "ratio_percent"
    shown = format_number(abs(gap), decimals, decimals) if percent else format_number(abs(gap), 2)
    sign = "±" if shown.strip("0,") == "" else "+" if gap > 0 else "−"
    if percent:
        return f"{sign}{shown} pt{'s' if abs(gap) >= 2 else ''}"
    return f"{sign}{shown} {unit_words(indicator.unit)}"


def indicator_json(indicator: Indicator) -> dict[str, object]:
    """The whole catalogue entry, as the API and the assistant's answers give it, with
    the six-year target rule in words."""
    data = {name: _listed(value) for name, value in dataclasses.asdict(indicator).items()}
    data["target"] = TARGET_WORDS[indicator.target_kind]
    return data


def _listed(value: object) -> object:
    """Tuples as lists, as JSON has them, so that an answer compares equal once read back."""
    if isinstance(value, list | tuple):
        return [_listed(item) for item in value]
    if isinstance(value, dict):
        return {key: _listed(item) for key, item in value.items()}
    return value
