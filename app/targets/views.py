"""The « Engagements, objectifs et indicateurs » page of a convention: targets set
against achieved values, per indicator, scope and year, with a server-rendered chart.

Access was checked before any view runs (app.access): everyone who may view the
convention reads the page; its drafters (the organisme) enter values.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, flash, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.forms import submitted
from app.targets import operations, queries
from app.targets.chart import chart_for
from app.targets.forms import DeleteForm, ValueForm
from app.webutil import back
from knowledge.indicators.catalogue import CATALOGUE, CODES
from knowledge.indicators.display import shown_value
from workflows import targets as rules

bp = Blueprint("targets", __name__)

VARIABLE_PREFIX = ValueForm.VARIABLE_PREFIX


# --- page ---------------------------------------------------------------------------------


def _page_url(convention_id: int, anchor: str = "", **args: str) -> str:
    url = url_for("targets.page", convention_id=convention_id)
    query = urlencode({k: v for k, v in args.items() if v})
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _anchor(code: str) -> str:
    return "indicateur-" + code.replace(".", "-")


@bp.get("/conventions/<int:convention_id>/indicateurs")
def page(convention_id: int) -> ResponseReturnValue:
    convention = g.convention
    tables = queries.table(convention_id)
    fallback = tables[0].indicator if tables else CATALOGUE[CODES[0]]
    selected = operations.find_indicator(request.args.get("code", "")) or fallback
    target_refusal = rules.phase_refusal("cible", convention.state)
    achieved_refusal = rules.phase_refusal("realise", convention.state)
    default_kind = "realise" if target_refusal and not achieved_refusal else "cible"
    charts = {
        (table.indicator.code, scope.scope): chart_for(table, scope, f"graphique-{n}-{m}")
        for n, table in enumerate(tables, start=1)
        for m, scope in enumerate(table.scopes, start=1)
    }
    args = request.args
    return render_template(
        "targets/targets.html",
        convention=convention,
        tables=tables,
        charts=charts,
        catalogue=[CATALOGUE[code] for code in CODES],
        selected=selected,
        years=queries.years_of(convention),
        scope=args.get("scope") or queries.default_scope(convention_id, selected.code),
        suggestions=queries.scope_suggestions(convention_id),
        year=args.get("year", ""),
        kind=args.get("kind") or default_kind,
        values={v.name: args.get(VARIABLE_PREFIX + v.name, "") for v in selected.variables},
        target_refusal=target_refusal,
        achieved_refusal=achieved_refusal,
        KIND_LABELS=rules.KIND_LABELS,
        VARIABLE_PREFIX=VARIABLE_PREFIX,
        anchor=_anchor,
    )


@bp.post("/conventions/<int:convention_id>/indicateurs/valeurs")
def save(convention_id: int) -> ResponseReturnValue:
    form = submitted(ValueForm())
    variables = form.variables()
    code = form.code.data or ""

    # Refused: back to the form with what was typed (within reason: it travels in the
    # URL), so that nothing needs typing again.
    def kept(value: str | None) -> str:
        return (value or "")[: rules.SCOPE_MAX_LENGTH]

    refill = {VARIABLE_PREFIX + kept(k): kept(v) for k, v in list(variables.items())[:10]}
    errors.back_to(
        _page_url(
            convention_id,
            "saisie",
            code=kept(code),
            scope=kept(form.scope.data),
            year=kept(form.year.data),
            kind=kept(form.kind.data),
            **refill,
        )
    )
    row = operations.save_value(
        convention_id,
        g.user,
        code,
        form.scope.data or "",
        form.year.data or "",
        form.kind.data or "",
        variables,
    )
    indicator = CATALOGUE[row.code]
    for warning in queries.warnings_of(row):
        flash(f"Attention : {warning}", "warning")
    return back(
        _page_url(convention_id, _anchor(row.code), code=row.code),
        f"Valeur enregistrée : {rules.KIND_LABELS[row.kind].lower()} {row.year} de {row.code} "
        f"pour « {row.scope} », {shown_value(indicator, row.value)}.",
        "success",
    )


@bp.post("/conventions/<int:convention_id>/indicateurs/valeurs/supprimer")
def delete(convention_id: int) -> ResponseReturnValue:
    form = submitted(DeleteForm())
    code = form.code.data or ""
    target = _page_url(convention_id, _anchor(code) if code in CATALOGUE else "", code=code)
    errors.back_to(target)
    operations.delete_value(
        convention_id,
        g.user,
        code,
        form.scope.data or "",
        form.year.data or "",
        form.kind.data or "",
    )
    return back(target, "Valeur supprimée.", "success")
