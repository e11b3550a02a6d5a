"""Targets (cibles) and achieved values (réalisé) of the CUS indicators: which may be
entered when, and how the gap between them reads. Pure rules, no database.

When each kind of value is entered
----------------------------------
- A **cible** is part of the convention's text (section « Engagements, objectifs et
  indicateurs »): it is set while the text may change (brouillon, association,
  négociation) and is frozen from the transmission to the préfet on; after signature
  only an avenant changes it.
- A **réalisé** is measured once the convention runs: from its signature, and above all
  for the evaluations at 2, 4 and 6 years. It cannot concern a year not yet begun.

Which way is favourable
-----------------------
For most indicators a higher value is better (more dwellings financed, more priority
households housed, more repayment plans). For a few, lower is better. ``DIRECTIONS``
classifies every national indicator, with the reason; an indicator absent from the
table (a local one) reads "higher is better".

========  ======  ==============================================================
Code      Sens    Raison
========  ======  ==============================================================
A.I–B.II  hausse  production et livraison de logements et de places
C.I–C.II  hausse  effort d'investissement et de maintenance par logement
C.III     hausse  part des bâtiments dotés d'un DPE
C.IV      hausse  part des logements rénovés (Grenelle)
D.I       hausse  logements réellement mis en vente
E.I       hausse  mutations internes (parcours résidentiels)
F.I–F.V   hausse  accueil des ménages modestes, prioritaires, DALO, sortants
F.VI      baisse  vacance de plus de trois mois
G.I       baisse  part des impayés de plus de trois mois (fiche : « plus faible, mieux »)
G.II      hausse  ménages en impayé accompagnés
G.III     hausse  plans d'apurement amiables
H.I       hausse  processus de traitement des réclamations en place (OUI)
H.II      hausse  réclamations traitées en moins de 30 jours
H.III     baisse  arrêts des ascenseurs et chaudières par appareil
H.IV      hausse  contrats limitant les pannes
H.V       baisse  logements par gardien (fiche : plus bas = présence plus forte)
H.VI      hausse  locataires satisfaits de la propreté
I.I       baisse  coût de fonctionnement par logement géré (efficience)
========  ======  ==============================================================
"""

from __future__ import annotations

import math
from typing import Literal

from workflows.errors import InvalidInput
from workflows.lifecycle import (
    CUS_LIFECYCLE,
    STATE_LABELS,
    ConventionState,
    Lifecycle,
    signed,
    text_editable,
)
from workflows.numbers import read_integer

ValueKind = Literal["cible", "realise"]
Direction = Literal["hausse", "baisse"]
GapStatus = Literal["favorable", "defavorable"]

KIND_LABELS: dict[str, str] = {"cible": "Cible", "realise": "Réalisé"}
SCOPE_MAX_LENGTH = 200

_HIGHER: Direction = "hausse"
_LOWER: Direction = "baisse"

DIRECTIONS: dict[str, tuple[Direction, str]] = {
    "A.I": (_HIGHER, "logements financés"),
    "A.II": (_HIGHER, "logements mis en service"),
    "B.I": (_HIGHER, "places d'hébergement financées"),
    "B.II": (_HIGHER, "places d'hébergement livrées"),
    "C.I": (_HIGHER, "investissement par logement dans le parc existant"),
    "C.II": (_HIGHER, "maintenance par logement"),
    "C.III": (_HIGHER, "bâtiments dotés d'un diagnostic de performance énergétique"),
    "C.IV": (_HIGHER, "logements rénovés au sens du Grenelle"),
    "D.I": (_HIGHER, "logements mis en vente"),
    "E.I": (_HIGHER, "mutations internes"),
    "F.I": (_HIGHER, "logements occupés par des ménages très modestes"),
    "F.II": (_HIGHER, "attributions aux ménages prioritaires"),
    "F.III": (_HIGHER, "attributions aux ménages DALO"),
    "F.IV": (_HIGHER, "attributions aux sortants d'hébergement"),
    "F.V": (_HIGHER, "attributions sur le contingent préfectoral"),
    "F.VI": (_LOWER, "vacance de plus de trois mois"),
    "G.I": (_LOWER, "impayés de plus de trois mois"),
    "G.II": (_HIGHER, "ménages en impayé accompagnés"),
    "G.III": (_HIGHER, "plans d'apurement amiables"),
    "H.I": (_HIGHER, "processus de traitement des réclamations en place"),
    "H.II": (_HIGHER, "réclamations traitées en moins de 30 jours"),
    "H.III": (_LOWER, "arrêts des ascenseurs et chaudières par appareil"),
    "H.IV": (_HIGHER, "contrats limitant les pannes"),
    "H.V": (_LOWER, "logements par gardien"),
    "H.VI": (_HIGHER, "locataires satisfaits de la propreté"),
    "I.I": (_LOWER, "coût de fonctionnement par logement"),
}


def direction(code: str) -> Direction:
    """Which way the indicator should move: "hausse" (higher is better) or "baisse"."""
    return DIRECTIONS.get(code, (_HIGHER, ""))[0]


def direction_label(code: str) -> str:
    if direction(code) == _LOWER:
        return "plus la valeur est basse, mieux c'est"
    return "plus la valeur est élevée, mieux c'est"


def gap_status(code: str, target: float, achieved: float) -> GapStatus:
    """Whether the achieved value meets its target in the indicator's good direction.

    Reaching the target exactly is favourable (the commitment is kept); the comparison
    tolerates float noise (a target of 0.3 met by 0.1 + 0.2)."""
    if math.isclose(achieved, target, rel_tol=1e-9, abs_tol=1e-9):
        return "favorable"
    better = achieved > target if direction(code) == _HIGHER else achieved < target
    return "favorable" if better else "defavorable"


# --- what is entered, and when ----------------------------------------------------------


def parse_kind(raw: object) -> ValueKind:
    value = raw.strip().lower() if isinstance(raw, str) else raw
    if value == "cible":
        return "cible"
    if value in ("realise", "réalisé"):
        return "realise"
    raise InvalidInput("Indiquez s'il s'agit d'une cible ou d'une valeur réalisée.")


def parse_year(raw: object, start_year: int, end_year: int) -> int:
    """A year of the convention's period, from a form value or an int."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        year = raw
    elif isinstance(raw, str) and (read := read_integer(raw, grouped=False)) is not None:
        year = read
    else:
        shown = raw if isinstance(raw, str) and raw.strip() else "(vide)"
        raise InvalidInput(f"Année invalide « {shown} » : choisissez une année de la convention.")
    if not start_year <= year <= end_year:
        raise InvalidInput(
            f"L'année {year} est hors de la période de la convention ({start_year}–{end_year})."
        )
    return year


def clean_scope(raw: object) -> str:
    """The département or segment of stock a value concerns: required, 200 characters."""
    scope = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not scope:
        raise InvalidInput(
            "Indiquez le périmètre de la valeur : un département ou un segment de patrimoine."
        )
    if len(scope) > SCOPE_MAX_LENGTH:
        raise InvalidInput(
            f"Le périmètre est trop long ({len(scope)} caractères, {SCOPE_MAX_LENGTH} au plus)."
        )
    return scope


def phase_refusal(kind: ValueKind, state: str, path: Lifecycle = CUS_LIFECYCLE) -> str | None:
    """Why a value of this kind cannot be entered (or removed) at this stage of ``path``,
    in French; None when it can."""
    current = ConventionState(state)
    stage = f"« {STATE_LABELS[current]} »"
    if kind == "cible":
        if text_editable(current, path):  # a target is part of the text
            return None
        if current is path.submission:
            what = "transmis au préfet" if path.prefect_proposal else "soumis aux délibérations"
            return (
                f"Les cibles font partie du texte {what} : elles ne peuvent changer "
                "que si la convention est renvoyée en négociation."
            )
        return (
            f"Les cibles sont fixées par la convention signée (stade {stage}) : "
            "les modifier demande un avenant."
        )
    if signed(current, path):  # an achieved value measures a convention that runs
        return None
    when = "les évaluations à 2, 4 et 6 ans" if path.evaluation_years else "le suivi annuel"
    return (
        f"Les valeurs réalisées se saisissent une fois la convention signée, pour {when} ; "
        f"la convention est au stade {stage}."
    )


def future_year_refusal(kind: ValueKind, year: int, current_year: int) -> str | None:
    """An achieved value cannot concern a year that has not begun."""
    if kind == "realise" and year > current_year:
        return (
            f"L'année {year} n'a pas commencé : une valeur réalisée porte sur une année "
            "écoulée ou en cours."
        )
    return None


# --- how the aggregate reads --------------------------------------------------------------


def rule_label(target_kind: str, value_kind: str, years: int) -> str:
    """The aggregation rule of an indicator, said in French for the page.

    ``target_kind`` and ``value_kind`` are the catalogue's ``Indicator.target_kind`` and
    ``Indicator.kind``; ``years`` is the length of the convention's period."""
    span = f"sur {years} ans" if years > 1 else "sur la période"
    if target_kind == "cumulated":
        return f"cumul {span}"
    if target_kind == "at_term":
        return "valeur à terme (dernière année renseignée)"
    if target_kind == "last_year":
        return "valeur de la dernière année renseignée, sur l'année entière"
    if target_kind == "six_year_average":
        if value_kind in ("count", "qualitative"):
            return f"moyenne {span}"
        return f"moyenne pondérée {span} = somme des numérateurs / somme des dénominateurs"
    return "lecture année par année (pas de valeur agrégée)"
