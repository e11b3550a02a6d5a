"""The « Engagements, objectifs et indicateurs » page of a convention: targets set
against achieved values, per indicator, scope and year, with a server-rendered chart.

Access was checked before any view runs (app.access): everyone who may view the
convention reads the page; its drafters (the organisme) enter values.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from flask import Blueprint, Response, flash, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.forms import EmptyForm, submitted
from app.models import Convention
from app.targets import grid, grid_page, imports, operations, queries, segments
from app.targets.chart import chart_for
from app.targets.forms import DeleteForm, ValueForm
from app.webutil import back
from knowledge.indicators.catalogue import CATALOGUE, CODES, Indicator
from knowledge.indicators.display import shown_value
from workflows import indicator_files
from workflows import targets as rules
from workflows.errors import CosigneError, InvalidInput, NotFound
from workflows.files import megabytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
    target_refusal = rules.phase_refusal("cible", convention.state, convention.lifecycle)
    achieved_refusal = rules.phase_refusal("realise", convention.state, convention.lifecycle)
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
        segments=segments.listed(convention_id),
        segment_error=errors.refusal(url_for("targets.segment_add", convention_id=convention_id)),
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


# --- grids: many cells, one Save ---------------------------------------------------------


def _grid_counts(planned: list[grid.Planned]) -> str:
    counts = {status: sum(1 for p in planned if p.status == status) for status in grid.WRITTEN}
    if not any(counts.values()):
        return "Aucune valeur modifiée : rien à enregistrer."
    return (
        f"Grille enregistrée : {counts['nouveau']} valeur(s) nouvelle(s), "
        f"{counts['modifie']} modifiée(s), {counts['supprime']} supprimée(s)."
    )


def _indicator_or_404(code: str) -> Indicator:
    indicator = operations.find_indicator(code)
    if indicator is None:
        raise NotFound(f"Indicateur inconnu « {code[:20]} ».")
    return indicator


def _year_or_404(convention: Convention, year: int) -> int:
    if not convention.start_year <= year <= convention.end_year:
        raise NotFound(f"L'année {year} est hors de la période de la convention.")
    return year


def _render_grid(
    convention: Convention,
    heading: str,
    lines: list[tuple[Indicator, int, str, str]],
    action: str,
    typed: Mapping[str, str] | None = None,
    cell_errors: Mapping[str, str] | None = None,
    message: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    scopes = grid_page.scopes_of(convention.id, typed)
    built = grid_page.build(convention, heading, lines, scopes, typed, cell_errors)
    built.error = message
    return (
        render_template(
            "targets/grid.html",
            convention=convention,
            grid=built,
            action=action,
            years=queries.years_of(convention),
            catalogue=[CATALOGUE[code] for code in CODES],
            SCOPE_PREFIX=grid_page.SCOPE_PREFIX,
        ),
        status,
    )


def _save_grid(
    convention: Convention, heading: str, lines: list[tuple[Indicator, int, str, str]]
) -> ResponseReturnValue:
    action = request.path

    # A refused Save comes back as the grid with every typed value and, beside each
    # refused cell, its reason; nothing was written.
    def refused(error: CosigneError) -> ResponseReturnValue:
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        planned = error.planned if isinstance(error, grid.GridRefused) else []
        return _render_grid(
            convention,
            heading,
            lines,
            action,
            form,
            grid_page.errors_of(planned),
            error.message,
            error.status,
        )

    errors.on_error(refused)
    submitted(EmptyForm())
    cells = grid_page.cells_from_form(request.form)
    planned = grid.save_grid(convention.id, g.user, cells)
    return back(action, _grid_counts(planned), "success")


@bp.get("/conventions/<int:convention_id>/indicateurs/grille/<code>")
def grid_indicator(convention_id: int, code: str) -> ResponseReturnValue:
    convention = g.convention
    indicator = _indicator_or_404(code)
    return _render_grid(
        convention,
        f"{indicator.code} — {indicator.title}",
        grid_page.indicator_lines(convention, indicator),
        request.path,
    )


@bp.post("/conventions/<int:convention_id>/indicateurs/grille/<code>")
def grid_indicator_save(convention_id: int, code: str) -> ResponseReturnValue:
    convention = g.convention
    indicator = _indicator_or_404(code)
    return _save_grid(
        convention,
        f"{indicator.code} — {indicator.title}",
        grid_page.indicator_lines(convention, indicator),
    )


@bp.get("/conventions/<int:convention_id>/indicateurs/annee/<int:year>")
def grid_year(convention_id: int, year: int) -> ResponseReturnValue:
    convention = g.convention
    _year_or_404(convention, year)
    return _render_grid(convention, f"Année {year}", grid_page.year_lines(year), request.path)


@bp.post("/conventions/<int:convention_id>/indicateurs/annee/<int:year>")
def grid_year_save(convention_id: int, year: int) -> ResponseReturnValue:
    convention = g.convention
    _year_or_404(convention, year)
    return _save_grid(convention, f"Année {year}", grid_page.year_lines(year))


# --- import from a spreadsheet ------------------------------------------------------------


def _import_url(convention_id: int) -> str:
    return url_for("targets.import_page", convention_id=convention_id)


@bp.get("/conventions/<int:convention_id>/indicateurs/import")
def import_page(convention_id: int) -> ResponseReturnValue:
    return render_template(
        "targets/import.html",
        convention=g.convention,
        preview=None,
        HEADER=indicator_files.HEADER,
        MAX_ROWS=indicator_files.MAX_ROWS,
        max_size=megabytes(indicator_files.MAX_FILE_BYTES),
    )


@bp.post("/conventions/<int:convention_id>/indicateurs/import")
def import_preview(convention_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    errors.back_to(_import_url(convention_id))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("Choisissez un fichier .csv ou .xlsx.")
    # Read one byte past the limit: enough to refuse a larger file without reading it all.
    data = upload.stream.read(indicator_files.MAX_FILE_BYTES + 1)
    name, rows = indicator_files.read_file(upload.filename, data)
    cells = imports.cells_of(rows)
    planned = grid.preview_import(convention_id, cells)
    token = imports.sign(convention_id, g.user.id, name, cells, grid.digest(planned))
    return render_template(
        "targets/import.html",
        convention=g.convention,
        preview=planned,
        name=name,
        token=token,
        counts={s: sum(1 for p in planned if p.status == s) for s in grid.STATUS_LABELS},
        STATUS_LABELS=grid.STATUS_LABELS,
        KIND_LABELS=rules.KIND_LABELS,
        HEADER=indicator_files.HEADER,
        MAX_ROWS=indicator_files.MAX_ROWS,
        max_size=megabytes(indicator_files.MAX_FILE_BYTES),
    )


@bp.post("/conventions/<int:convention_id>/indicateurs/import/confirmer")
def import_confirm(convention_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    errors.back_to(_import_url(convention_id))
    name, cells, previewed = imports.unsign(request.form.get("token", ""), convention_id, g.user.id)
    planned = grid.confirm_import(convention_id, g.user, cells, previewed)
    new = sum(1 for p in planned if p.status == "nouveau")
    changed = sum(1 for p in planned if p.status == "modifie")
    refused = sum(1 for p in planned if p.status == "refuse")
    return back(
        _page_url(convention_id),
        f"Import de « {name} » : {new} valeur(s) nouvelle(s), {changed} modifiée(s)"
        + (f", {refused} ligne(s) refusée(s) non importée(s)." if refused else "."),
        "success",
    )


@bp.get("/conventions/<int:convention_id>/indicateurs/modele.<fmt>")
def import_template(convention_id: int, fmt: str) -> ResponseReturnValue:
    convention = g.convention
    scope = queries.default_scope(convention_id, "G.III") or "Département"
    if fmt == "csv":
        data = indicator_files.template_csv(convention.start_year, scope)
        mimetype = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data = indicator_files.template_xlsx(convention.start_year, scope)
        mimetype = XLSX_MIME
    else:
        raise NotFound("Modèle disponible en .csv ou .xlsx.")
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="modele-indicateurs.{fmt}"'},
    )


# --- segments of the stock ----------------------------------------------------------------


@bp.post("/conventions/<int:convention_id>/indicateurs/segments")
def segment_add(convention_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    errors.back_to(_page_url(convention_id, "segments"))
    form = request.form
    row, warnings = segments.add(
        convention_id,
        g.user,
        form.get("name", "")[:1000],
        form.get("departement", "")[:100],
        form.get("dwellings", "")[:40],
    )
    for warning in warnings:
        flash(f"Attention : {warning}", "warning")
    return back(
        _page_url(convention_id, "segments"),
        f"Segment « {row.name} » ajouté ({row.departement}, {row.dwellings} logements).",
        "success",
    )


@bp.post("/conventions/<int:convention_id>/indicateurs/segments/<int:segment_id>/supprimer")
def segment_remove(convention_id: int, segment_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    errors.back_to(_page_url(convention_id, "segments"))
    segments.remove(convention_id, g.user, segment_id)
    return back(_page_url(convention_id, "segments"), "Segment supprimé.", "success")
