"""Writing an evaluation: the organisme explains a shortfall, then the State assesses
whether it is the organisme's doing; each write journaled, in one transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.db import reloaded, write_transaction
from app.evaluation.queries import findings, open_for_writing
from app.models import Convention, EvaluationFinding, User, utcnow
from workflows.errors import Forbidden, InvalidInput, NotFound, Refused
from workflows.evaluation import (
    ASSESSMENT_LABELS,
    Finding,
    clean_assessment,
    clean_explanation,
    evaluation_years,
    may_assess,
)


def _writable(session: Session, convention_id: int, years: int) -> Convention:
    convention = session.scalar(
        select(Convention).where(Convention.id == convention_id).with_for_update()
    )
    if convention is None:
        raise NotFound("Convention introuvable.")
    evaluation_years(years)
    if not open_for_writing(convention, years):
        raise Refused(
            [
                f"L'évaluation à {years} ans se rédige pendant l'étape « Évaluation à {years} "
                "ans » : elle n'est pas ouverte, ou une évaluation suivante l'a close."
            ]
        )
    return convention


def _shortfall(convention: Convention, years: int, code: str, scope: str) -> Finding:
    found = next(
        (f for f in findings(convention, years) if f.code == code and f.scope == scope), None
    )
    if found is None:
        raise InvalidInput(f"Aucune valeur cible de {code} pour « {scope} » dans cette évaluation.")
    if not found.shortfall:
        raise InvalidInput(
            f"{code} ({scope}) n'est en écart sur aucune des années évaluées : rien à expliquer."
        )
    return found


def _row(
    session: Session, convention_id: int, years: int, code: str, scope: str
) -> EvaluationFinding:
    row = session.scalar(
        select(EvaluationFinding).where(
            EvaluationFinding.convention_id == convention_id,
            EvaluationFinding.years == years,
            EvaluationFinding.code == code,
            EvaluationFinding.scope == scope,
        )
    )
    if row is None:
        row = EvaluationFinding(convention_id=convention_id, years=years, code=code, scope=scope)
        session.add(row)
    return row


def explain(
    convention_id: int, actor: User, years: int, code: str, scope: str, explanation: str
) -> EvaluationFinding:
    """The organisme's explanation of a shortfall (written again: replaced, journaled)."""
    text = clean_explanation(explanation)
    with write_transaction() as session:
        convention = _writable(session, convention_id, years)
        _shortfall(convention, years, code, scope)
        actor = reloaded(session, actor)
        row = _row(session, convention_id, years, code, scope)
        # The State assessed the explanation it read: a new one is heard anew.
        reassess = bool(row.assessment) and row.explanation != text
        row.explanation = text
        row.explained_by_id = actor.id
        row.explained_at = utcnow()
        if reassess:
            row.assessment, row.assessment_note = "", ""
            row.assessed_by_id, row.assessed_at = None, None
        audit.record(
            session,
            "evaluation",
            f"Évaluation à {years} ans, {code} ({scope}) : explication de l'organisme"
            + (" (nouvelle : l'appréciation de l'État est à refaire)" if reassess else ""),
            actor,
            convention_id,
            "convention",
            convention_id,
        )
    return row


def require_assessor(actor: User) -> None:
    """Who may, before what they typed is read (the doors call it first)."""
    if not may_assess(actor.organisation.kind):
        raise Forbidden("Seuls les services de l'État apprécient l'imputabilité d'un écart.")


def assess(
    convention_id: int, actor: User, years: int, code: str, scope: str, assessment: str, note: str
) -> EvaluationFinding:
    """The State's assessment of an explained shortfall: the organisme's doing or not."""
    require_assessor(actor)
    chosen, text = clean_assessment(assessment, note)
    with write_transaction() as session:
        actor = reloaded(session, actor)
        convention = _writable(session, convention_id, years)
        found = _shortfall(convention, years, code, scope)
        if not found.explanation:
            # The contradictory procedure: the organisme is heard first.
            raise InvalidInput(
                "L'organisme n'a pas encore expliqué cet écart : il s'explique d'abord.",
                field="assessment",
            )
        row = _row(session, convention_id, years, code, scope)
        row.assessment = chosen.value
        row.assessment_note = text
        row.assessed_by_id = actor.id
        row.assessed_at = utcnow()
        audit.record(
            session,
            "evaluation",
            f"Évaluation à {years} ans, {code} ({scope}) : {ASSESSMENT_LABELS[chosen]}",
            actor,
            convention_id,
            "convention",
            convention_id,
        )
    return row
