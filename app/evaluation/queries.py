"""Reading an evaluation: each indicator and scope over the evaluated years (from the
engagements' table), with what the organisme and the State wrote on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import db_session
from app.models import Convention, EvaluationFinding, iso
from app.targets.queries import table
from workflows.errors import NotFound
from workflows.evaluation import (
    ASSESSMENT_LABELS,
    Finding,
    YearCheck,
    evaluated_years,
    evaluation_years,
    imputable,
    outstanding,
    year_status,
)
from workflows.lifecycle import ConventionState

# The stage each evaluation opens with.
STAGES: dict[int, ConventionState] = {
    2: ConventionState.BILAN_2,
    4: ConventionState.BILAN_4,
    6: ConventionState.BILAN_6,
}


def opened(convention: Convention, years: int) -> bool:
    """The evaluation at ``years`` years has been opened (its stage is reached): a CUS's,
    a contract follows up every year instead (workflows/paths.py)."""
    path = convention.lifecycle
    stage = STAGES[evaluation_years(years)]
    if stage not in path.evaluation_years or convention.state not in path.states:
        return False
    return path.states.index(convention.state) >= path.states.index(stage)


def open_for_writing(convention: Convention, years: int) -> bool:
    """Explanations and assessments are written while the convention is at that stage;
    the next evaluation closes the report."""
    return convention.state is STAGES[evaluation_years(years)]


def available(convention: Convention) -> list[int]:
    return [years for years in STAGES if opened(convention, years)]


def _check_opened(convention: Convention, years: int) -> None:
    if not opened(convention, years):
        raise NotFound(
            f"L'évaluation à {years} ans n'est pas encore ouverte : elle s'ouvre avec l'étape "
            f"« Évaluation à {years} ans »."
        )


def findings(convention: Convention, years: int) -> list[Finding]:
    """Every indicator and scope with a target in the evaluated years, in the
    engagements' order, each year with its verdict, and what was written on it."""
    _check_opened(convention, years)
    period = set(evaluated_years(convention.start_year, years))
    written = {
        (row.code, row.scope): row
        for row in db_session().scalars(
            select(EvaluationFinding)
            .where(
                EvaluationFinding.convention_id == convention.id,
                EvaluationFinding.years == years,
            )
            .options(
                joinedload(EvaluationFinding.explained_by),
                joinedload(EvaluationFinding.assessed_by),
            )
        )
    }
    result = []
    for indicator_table in table(convention.id):
        indicator = indicator_table.indicator
        for scope_table in indicator_table.scopes:
            checks = tuple(
                YearCheck(
                    row.year,
                    row.target.shown if row.target else "",
                    row.achieved.shown if row.achieved else "",
                    row.gap.shown if row.gap else "",
                    year_status(
                        row.target is not None,
                        row.achieved is not None,
                        row.gap.status if row.gap else None,
                    ),
                )
                for row in scope_table.rows
                if row.year in period
            )
            row = written.get((indicator.code, scope_table.scope))
            finding = Finding(
                indicator.code,
                indicator.title,
                scope_table.scope,
                checks,
                row.explanation if row else "",
                row.explained_by.name if row and row.explained_by else "",
                row.assessment if row else "",
                row.assessment_note if row else "",
                row.assessed_by.name if row and row.assessed_by else "",
            )
            if finding.owed:
                result.append(finding)
    return result


@dataclass(frozen=True)
class Report:
    years: int
    evaluated: tuple[int, ...]
    findings: list[Finding]
    outstanding: list[str]
    imputable: list[Finding]
    writable: bool


def report(convention: Convention, years: int) -> Report:
    found = findings(convention, years)
    return Report(
        years,
        evaluated_years(convention.start_year, years),
        found,
        outstanding(found),
        imputable(found),
        open_for_writing(convention, years),
    )


def finding_row(convention_id: int, years: int, code: str, scope: str) -> EvaluationFinding | None:
    return db_session().scalar(
        select(EvaluationFinding).where(
            EvaluationFinding.convention_id == convention_id,
            EvaluationFinding.years == years,
            EvaluationFinding.code == code,
            EvaluationFinding.scope == scope,
        )
    )


def report_json(convention: Convention, years: int) -> dict[str, Any]:
    found = report(convention, years)
    rows = {
        (r.code, r.scope): r
        for r in db_session().scalars(
            select(EvaluationFinding).where(
                EvaluationFinding.convention_id == convention.id,
                EvaluationFinding.years == years,
            )
        )
    }
    return {
        "years": years,
        "evaluated_years": list(found.evaluated),
        "writable": found.writable,
        "complete": not found.outstanding,
        "outstanding": found.outstanding,
        "findings": [
            {
                "code": f.code,
                "title": f.title,
                "scope": f.scope,
                "shortfall": f.shortfall,
                "missing_years": list(f.missing),
                "years": [
                    {
                        "year": y.year,
                        "target": y.target,
                        "achieved": y.achieved,
                        "gap": y.gap,
                        "status": y.status,
                    }
                    for y in f.years
                ],
                "explanation": f.explanation,
                "explained_by": f.explained_by or None,
                "explained_at": iso(row.explained_at)
                if (row := rows.get((f.code, f.scope))) and row.explained_at
                else None,
                "assessment": f.assessment or None,
                "assessment_label": ASSESSMENT_LABELS.get(f.assessment),
                "assessment_note": f.assessment_note,
                "assessed_by": f.assessed_by or None,
            }
            for f in found.findings
        ],
    }
