"""The evaluation of a CUS every two years: each indicator's achieved values set against
its yearly targets, and for each shortfall whether it is the organisme's doing.

The circulaire (V) is explicit that a missed value does not trigger a sanction by itself:
the evaluation asks whether the commitments were missed because of the organisme, and
only then may the préfet de région propose sanctions to the minister, after the
contradictory procedure of art. L. 445-1 CCH. So a shortfall carries two writings, in
this order: the organisme's explanation, then the State's assessment (attributable to
the organisme or not). The report is complete when every shortfall has both.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from workflows.errors import InvalidInput
from workflows.state import is_state

# The evaluations and the number of years each covers from the convention's start.
EVALUATIONS: tuple[int, ...] = (2, 4, 6)

EXPLANATION_MAX = 5000

YearStatus = Literal["atteint", "ecart", "manquant", "sans_cible"]

YEAR_STATUS_LABELS: dict[str, str] = {
    "atteint": "atteint",
    "ecart": "non atteint",
    "manquant": "valeur réalisée manquante",
    "sans_cible": "sans valeur cible",
}


class Assessment(StrEnum):
    IMPUTABLE = "imputable"
    NON_IMPUTABLE = "non_imputable"


ASSESSMENT_LABELS: dict[str, str] = {
    Assessment.IMPUTABLE: "Imputable à l'organisme",
    Assessment.NON_IMPUTABLE: "Non imputable à l'organisme",
}


def evaluation_years(years: int) -> int:
    """``years`` checked as one of the evaluations (2, 4 or 6)."""
    if years not in EVALUATIONS:
        raise InvalidInput("Les évaluations ont lieu à 2, 4 et 6 ans.")
    return years


def evaluated_years(start_year: int, years: int) -> tuple[int, ...]:
    """The years an evaluation at ``years`` years looks at: the first ``years`` years."""
    return tuple(range(start_year, start_year + evaluation_years(years)))


@dataclass(frozen=True)
class YearCheck:
    year: int
    target: str  # as shown, "" when none
    achieved: str
    gap: str
    status: YearStatus


def year_status(has_target: bool, has_achieved: bool, gap_status: str | None) -> YearStatus:
    """A year's verdict: without a target nothing is owed; a target without its achieved
    value is missing; otherwise the gap's direction says whether it was met."""
    if not has_target:
        return "sans_cible"
    if not has_achieved:
        return "manquant"
    return "ecart" if gap_status == "defavorable" else "atteint"


@dataclass(frozen=True)
class Finding:
    """One indicator on one scope over the evaluated years, with what was written."""

    code: str
    title: str
    scope: str
    years: tuple[YearCheck, ...]
    explanation: str = ""
    explained_by: str = ""
    assessment: str = ""  # an Assessment value, "" while not assessed
    assessment_note: str = ""
    assessed_by: str = ""

    @property
    def shortfall(self) -> bool:
        return any(y.status == "ecart" for y in self.years)

    @property
    def anchor(self) -> str:
        return finding_anchor(self.code, self.scope)

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(y.year for y in self.years if y.status == "manquant")

    @property
    def owed(self) -> bool:
        """Something was owed in the evaluated years (a target was set)."""
        return any(y.status != "sans_cible" for y in self.years)


def finding_anchor(code: str, scope: str) -> str:
    """The page anchor of one indicator on one scope: readable (the code, the scope's
    letters) and unique among the scopes of one code (a short hash of the scope, since
    two scope names can read alike once their accents and signs are dropped)."""
    letters = unicodedata.normalize("NFKD", scope).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^0-9a-z]+", "-", letters.lower()).strip("-")[:40]
    digest = hashlib.sha256(scope.encode()).hexdigest()[:6]
    return f"ind-{code}-{slug}-{digest}" if slug else f"ind-{code}-{digest}"


def lacks(finding: Finding) -> list[str]:
    """What one indicator on one scope still lacks, in French: achieved values not
    entered, a shortfall the organisme has not explained, an explained one the State has
    not assessed."""
    where = f"{finding.code} ({finding.scope})"
    found = []
    if finding.missing:
        years = ", ".join(str(y) for y in finding.missing)
        found.append(f"{where} : valeur réalisée à saisir pour {years}.")
    if finding.shortfall and not finding.explanation:
        found.append(f"{where} : écart à expliquer par l'organisme.")
    elif finding.shortfall and not finding.assessment:
        found.append(f"{where} : écart à apprécier par l'État (imputable ou non).")
    return found


def outstanding(findings: Iterable[Finding]) -> list[str]:
    """What the report still lacks, every finding's lacks in order."""
    return [line for f in findings for line in lacks(f)]


def imputable(findings: Sequence[Finding]) -> list[Finding]:
    """The shortfalls the State holds to be the organisme's doing: the only ones on which
    sanctions may be proposed, after the contradictory procedure."""
    return [f for f in findings if f.shortfall and f.assessment == Assessment.IMPUTABLE]


def clean_explanation(raw: str | None) -> str:
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        raise InvalidInput(
            "Expliquez l'écart : ce qui l'explique, et ce qui relève ou non de l'organisme.",
            field="explanation",
        )
    if len(text) > EXPLANATION_MAX:
        raise InvalidInput(
            f"L'explication tient en {EXPLANATION_MAX} caractères ({len(text)} saisis).",
            field="explanation",
        )
    return text


def clean_assessment(raw: str | None, note: str | None) -> tuple[Assessment, str]:
    try:
        chosen = Assessment((raw or "").strip())
    except ValueError:
        raise InvalidInput(
            "Choisissez si l'écart est imputable à l'organisme ou non.", field="assessment"
        ) from None
    text = (note or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > EXPLANATION_MAX:
        raise InvalidInput(
            f"L'appréciation tient en {EXPLANATION_MAX} caractères ({len(text)} saisis).",
            field="note",
        )
    if chosen is Assessment.IMPUTABLE and not text:
        # A finding that may lead to sanctions must say why.
        raise InvalidInput(
            "Motivez l'imputation à l'organisme : elle ouvre la procédure contradictoire.",
            field="note",
        )
    return chosen, text


def may_assess(organisation_kind: str) -> bool:
    """Only the State's services (the préfet de région evaluates) assess whether a
    shortfall is the organisme's doing."""
    return is_state(organisation_kind)
