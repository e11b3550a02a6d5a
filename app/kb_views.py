"""Knowledge base on the web and in the JSON API: search, documents, indicators."""

from __future__ import annotations

import dataclasses

import nh3
from flask import Blueprint, abort, g, jsonify, render_template, request, url_for
from markupsafe import Markup

from app import kb
from app.operations import NotFound
from app.webutil import back, require_csrf
from knowledge.indicators import catalogue, codes
from knowledge.indicators.calculator import CalculationError, compute
from knowledge.types import KIND_LABELS, STATUS_LABELS, DocumentKind, DocumentStatus
from workflows.conventions import parse_id
from workflows.errors import InvalidInput

bp = Blueprint("kb", __name__, url_prefix="/kb")
api_bp = Blueprint("kb_api", __name__, url_prefix="/api")


def excerpt_html(excerpt: str) -> Markup:
    """The index's excerpt is escaped text with <mark> around matches: keep only those."""
    return Markup(nh3.clean(excerpt, tags={"mark"}, attributes={}))


@bp.get("/")
def search():  # type: ignore[no-untyped-def]
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    if kind and kind not in {k.value for k in DocumentKind}:
        kind = None
    document_id = parse_id(request.args.get("document", ""))
    result = kb.search(q, kind=kind, document_id=document_id, limit=20) if q else None
    return render_template(
        "kb_search.html",
        q=q,
        kind=kind,
        document_id=document_id,
        result=result,
        documents=kb.documents(),
        KB_KINDS=KIND_LABELS,
        KB_STATUS=STATUS_LABELS,
        excerpt_html=excerpt_html,
    )


@bp.get("/documents")
def documents():  # type: ignore[no-untyped-def]
    from workflows.permissions import can_create_convention

    return render_template(
        "kb_documents.html",
        documents=kb.documents(),
        KB_KINDS=KIND_LABELS,
        KB_STATUS=STATUS_LABELS,
        can_upload=can_create_convention(g.user.organisation.kind, g.user.is_admin),
    )


@bp.post("/documents")
def upload():  # type: ignore[no-untyped-def]
    from workflows.files import FileRefused

    require_csrf()
    target = url_for("kb.documents")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return back(target, "Choisissez un fichier (.txt, .md, .docx ou .pdf).")
    data = upload.read(kb.MAX_UPLOAD_BYTES + 1)
    if len(data) > kb.MAX_UPLOAD_BYTES:
        return back(target, f"« {upload.filename} » dépasse 50 Mo : rien n'a été ajouté.")
    from workflows.register import parse_date

    try:
        raw_date = request.form.get("published_on", "").strip()
        published = parse_date(raw_date, "La date du document") if raw_date else None
        document, created = kb.ingest(
            upload.filename,
            data,
            request.form.get("kind", "autre"),
            title=request.form.get("title") or None,
            status=request.form.get("status", DocumentStatus.EN_VIGUEUR.value),
            published_on=published,
            user=g.user,
        )
    except (FileRefused, InvalidInput) as exc:
        return back(target, str(exc))
    if not created:
        return back(target, f"Ce fichier est déjà dans la base : « {document.title} ».", "info")
    return back(
        url_for("kb.document", document_id=document.id),
        f"« {document.title} » ajouté : {len(document.passages)} passages indexés.",
        "success",
    )


@bp.get("/documents/<int:document_id>")
def document(document_id: int):  # type: ignore[no-untyped-def]
    try:
        found = kb.document(document_id)
    except NotFound:
        abort(404, "Document introuvable.")
    return render_template(
        "kb_document.html", document=found, KB_KINDS=KIND_LABELS, KB_STATUS=STATUS_LABELS
    )


@bp.post("/documents/<int:document_id>/remove")
def remove(document_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    try:
        title = kb.remove(document_id, g.user)
    except NotFound:
        abort(404, "Document introuvable.")
    return back(url_for("kb.documents"), f"« {title} » retiré de la base.", "success")


@bp.get("/indicateurs")
def indicator_list():  # type: ignore[no-untyped-def]
    return render_template("indicators.html", catalogue=catalogue.CATALOGUE)


@bp.route("/indicateurs/<code>", methods=["GET", "POST"])
def indicator(code: str):  # type: ignore[no-untyped-def]
    try:
        item = codes.get(code)
    except KeyError:
        abort(404, "Indicateur inconnu.")
    if item.code != code:
        from flask import redirect

        return redirect(url_for("kb.indicator", code=item.code), 301)
    result = error = None
    values: dict[str, str] = {}
    if request.method == "POST":
        require_csrf()
        year = request.form.get("year", "").strip() or "2025"
        values = {v.name: request.form.get(v.name, "").strip() for v in item.variables}
        try:
            result = compute(item.code, {year: {k: v for k, v in values.items() if v != ""}})
        except CalculationError as exc:
            error = str(exc)
    passages = kb.search(f"indicateur {item.code} {item.title}", limit=3).hits
    return render_template(
        "indicator.html",
        indicator=item,
        result=result,
        error=error,
        values=values,
        passages=passages,
        excerpt_html=excerpt_html,
        example=_worked_example(item),
    ), (400 if error else 200)


def _worked_example(item):  # type: ignore[no-untyped-def]
    """A worked example with round figures, computed by the calculator itself."""
    sample = {}
    for index, variable in enumerate(item.variables):
        if variable.optional:
            continue
        sample[variable.name] = 1 if item.kind == "boolean" else (120 if index == 0 else 4000)
    try:
        return compute(item.code, {2025: sample})
    except CalculationError:
        return None


# --- JSON API ---------------------------------------------------------------------------


@api_bp.get("/search")
def api_search():  # type: ignore[no-untyped-def]
    q = request.args.get("q", "")
    raw_limit = request.args.get("limit", "10")
    limit = parse_id(raw_limit)
    if limit is None or limit > 100:
        abort(400, "limit doit être un entier entre 1 et 100.")
    kind = request.args.get("kind") or None
    if kind and kind not in {k.value for k in DocumentKind}:
        abort(400, f"kind inconnu : {kind}.")
    result = kb.search(q, kind=kind, limit=limit)
    return jsonify(
        hits=[kb.hit_json(h) for h in result.hits], total=result.total, took_ms=result.took_ms
    )


def indicator_json(item) -> dict:  # type: ignore[no-untyped-def]
    data = dataclasses.asdict(item)
    data["variables"] = [dataclasses.asdict(v) for v in item.variables]
    return data


@api_bp.get("/indicators")
def api_indicators():  # type: ignore[no-untyped-def]
    return jsonify(
        indicators=[
            {"code": i.code, "title": i.title, "unit": i.unit, "aspect": i.aspect}
            for i in catalogue.CATALOGUE.values()
        ]
    )


@api_bp.get("/indicators/<code>")
def api_indicator(code: str):  # type: ignore[no-untyped-def]
    try:
        return jsonify(indicator_json(codes.get(code)))
    except KeyError:
        abort(404, "Indicateur inconnu.")


@api_bp.post("/indicators/<code>/compute")
def api_compute(code: str):  # type: ignore[no-untyped-def]
    try:
        item = codes.get(code)
    except KeyError:
        abort(404, "Indicateur inconnu.")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("years"), dict):
        abort(400, 'Corps JSON attendu : {"years": {"2025": {"V1": 120, "V2": 4000}}}.')
    try:
        result = compute(item.code, payload["years"])
    except CalculationError as exc:
        abort(400, str(exc))
    return jsonify(dataclasses.asdict(result))
