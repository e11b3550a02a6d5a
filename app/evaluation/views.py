"""The evaluation's pages: the report of an evaluation at 2, 4 or 6 years, the forms
explaining and assessing a shortfall, the Word report."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from app import errors
from app.evaluation import operations
from app.evaluation.queries import report
from app.forms import submitted
from app.lifecycle.queries import local_today
from app.webutil import back
from workflows.evaluation import (
    ASSESSMENT_LABELS,
    YEAR_STATUS_LABELS,
    finding_anchor,
    lacks,
    may_assess,
)
from workflows.word.evaluation import ReportDoc, export_report

bp = Blueprint("evaluation", __name__)


class ExplainForm(FlaskForm):
    code = HiddenField()
    scope = HiddenField()
    explanation = TextAreaField("Explication de l'organisme")


class AssessForm(FlaskForm):
    code = HiddenField()
    scope = HiddenField()
    assessment = StringField("Appréciation")
    note = TextAreaField("Motivation")


def _page_url(convention_id: int, years: int, code: str, scope: str) -> str:
    # The code and scope come from the form: url_for quotes the anchor. One anchor per
    # indicator and scope, so that a refusal on a segment lands on that segment's form.
    return url_for(
        "evaluation.page",
        convention_id=convention_id,
        years=years,
        _anchor=finding_anchor(code, scope),
    )


@bp.get("/conventions/<int:convention_id>/evaluations/<int:years>")
def page(convention_id: int, years: int) -> ResponseReturnValue:
    return render_template(
        "evaluation/page.html",
        convention=g.convention,
        report=report(g.convention, years),
        may_assess=may_assess(g.user.organisation.kind),
        ASSESSMENT_LABELS=ASSESSMENT_LABELS,
        YEAR_STATUS_LABELS=YEAR_STATUS_LABELS,
        lacks=lacks,
    )


@bp.post("/conventions/<int:convention_id>/evaluations/<int:years>/explain")
def explain(convention_id: int, years: int) -> ResponseReturnValue:
    form = submitted(ExplainForm())
    code, scope = form.code.data or "", form.scope.data or ""
    target = _page_url(convention_id, years, code, scope)
    errors.back_to(target)
    operations.explain(convention_id, g.user, years, code, scope, form.explanation.data or "")
    return back(target, "Explication enregistrée.", "success")


@bp.post("/conventions/<int:convention_id>/evaluations/<int:years>/assess")
def assess(convention_id: int, years: int) -> ResponseReturnValue:
    form = submitted(AssessForm())
    operations.require_assessor(g.user)
    code, scope = form.code.data or "", form.scope.data or ""
    target = _page_url(convention_id, years, code, scope)
    errors.back_to(target)
    operations.assess(
        convention_id, g.user, years, code, scope, form.assessment.data or "", form.note.data or ""
    )
    return back(target, "Appréciation enregistrée.", "success")


@bp.get("/conventions/<int:convention_id>/evaluations/<int:years>.docx")
def export(convention_id: int, years: int) -> ResponseReturnValue:
    found = report(g.convention, years)
    data = export_report(
        ReportDoc(
            g.convention.title,
            g.convention.organisme.name,
            years,
            found.evaluated,
            found.findings,
            found.outstanding,
            found.imputable,
            local_today().strftime("%d/%m/%Y"),
        )
    )
    response = Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="evaluation-{years}-ans-convention-{convention_id}.docx"'
    )
    return response
