"""The evaluation report as a Word document: for each indicator and scope, the achieved
values against the targets year by year, the organisme's explanation of a shortfall and
the State's assessment; then what the report still lacks and the shortfalls held to be
the organisme's doing, on which alone sanctions may be proposed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import docx

from workflows.evaluation import ASSESSMENT_LABELS, YEAR_STATUS_LABELS, Finding


@dataclass(frozen=True)
class ReportDoc:
    title: str  # the convention's
    organisme: str
    years: int
    evaluated: tuple[int, ...]
    findings: Sequence[Finding]
    outstanding: Sequence[str]
    imputable: Sequence[Finding]
    exported_on: str  # "04/12/2026", where the readers are


def export_report(report: ReportDoc) -> bytes:
    document = docx.Document()
    document.core_properties.title = f"Évaluation à {report.years} ans — {report.title}"
    document.core_properties.author = "Cosigne"
    document.add_paragraph(f"Évaluation à {report.years} ans", style="Title")
    first, last = report.evaluated[0], report.evaluated[-1]
    document.add_paragraph(
        f"{report.title} — {report.organisme}. Années évaluées : {first} à {last}. "
        f"Rapport établi le {report.exported_on}."
    )
    document.add_paragraph(
        "Le non-respect d'une valeur n'entraîne pas de sanction par lui-même : seuls les "
        "écarts appréciés comme imputables à l'organisme peuvent conduire le préfet de "
        "région à proposer des sanctions, après la procédure contradictoire."
    )
    document.add_paragraph("Indicateurs", style="Heading 1")
    if not report.findings:
        document.add_paragraph("Aucune valeur cible pour les années évaluées.")
    for finding in report.findings:
        document.add_paragraph(
            f"{finding.code} — {finding.title} ({finding.scope})", style="Heading 2"
        )
        grid = document.add_table(rows=1, cols=5)
        grid.style = "Table Grid"
        for cell, label in zip(
            grid.rows[0].cells, ("Année", "Cible", "Réalisé", "Écart", "Constat"), strict=True
        ):
            cell.text = label
        for year in finding.years:
            cells = grid.add_row().cells
            for cell, value in zip(
                cells,
                (
                    str(year.year),
                    year.target,
                    year.achieved,
                    year.gap,
                    YEAR_STATUS_LABELS[year.status],
                ),
                strict=True,
            ):
                cell.text = value or "—"
        if finding.shortfall:
            document.add_paragraph(
                "Explication de l'organisme : "
                + (finding.explanation or "à écrire.")
                + (f" ({finding.explained_by})" if finding.explained_by else "")
            )
            label = ASSESSMENT_LABELS.get(finding.assessment, "à apprécier")
            note = f" — {finding.assessment_note}" if finding.assessment_note else ""
            by = f" ({finding.assessed_by})" if finding.assessed_by else ""
            document.add_paragraph(f"Appréciation de l'État : {label}{note}{by}")
    document.add_paragraph("Écarts imputables à l'organisme", style="Heading 1")
    if report.imputable:
        for finding in report.imputable:
            document.add_paragraph(
                f"{finding.code} ({finding.scope}) : {finding.assessment_note}",
                style="List Bullet",
            )
    else:
        document.add_paragraph("Aucun.")
    document.add_paragraph("Reste à compléter", style="Heading 1")
    for line in report.outstanding or ["Rien : le rapport est complet."]:
        document.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
