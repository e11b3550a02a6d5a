"""The knowledge base on the web: search, documents, the indicators and their calculator."""

from __future__ import annotations

import nh3
from flask import Blueprint, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from app import errors
from app.forms import EmptyForm, submitted
from app.jobs import tasks
from app.kb import background, operations, queries
from app.kb.forms import ComputeForm, UploadForm
from app.webutil import back
from knowledge.indicators.calculator import CalculationError, Result, compute
from knowledge.indicators.catalogue import CATALOGUE, Indicator
from knowledge.types import KIND_LABELS, STATUS_LABELS, DocumentKind
from workflows.conventions import parse_id
from workflows.errors import CosigneError, InvalidInput, TooLarge
from workflows.permissions import can_create_convention
from workflows.register import parse_date

bp = Blueprint("kb", __name__, url_prefix="/kb")


def excerpt_html(excerpt: str) -> Markup:
    """The index's excerpt is escaped text with <mark> around matches: keep only those."""
    return Markup(nh3.clean(excerpt, tags={"mark"}, attributes={}))  # noqa: S704 - nh3 cleans


@bp.get("/")
def search() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    if kind and kind not in {k.value for k in DocumentKind}:
        kind = None
    document_id = parse_id(request.args.get("document", ""))
    result = queries.search(q, kind=kind, document_id=document_id, limit=20) if q else None
    return render_template(
        "kb/search.html",
        q=q,
        kind=kind,
        document_id=document_id,
        result=result,
        documents=queries.documents(),
        KB_KINDS=KIND_LABELS,
        KB_STATUS=STATUS_LABELS,
        excerpt_html=excerpt_html,
    )


@bp.get("/documents")
def documents() -> ResponseReturnValue:
    return render_template(
        "kb/documents.html",
        documents=queries.documents(),
        uploads=background.uploads_shown(),
        last_reindex=background.last_reindex() if g.user.is_admin else None,
        JOB_STATES=background.STATE_LABELS,
        KB_KINDS=KIND_LABELS,
        KB_STATUS=STATUS_LABELS,
        can_upload=can_create_convention(g.user.organisation.kind, g.user.is_admin),
    )


@bp.post("/documents")
def upload() -> ResponseReturnValue:
    form = submitted(UploadForm())
    errors.back_to(url_for("kb.documents"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("Choisissez un fichier (.txt, .md, .docx ou .pdf).")
    data = upload.read(queries.MAX_UPLOAD_BYTES + 1)
    if len(data) > queries.MAX_UPLOAD_BYTES:
        raise TooLarge(f"« {upload.filename} » dépasse 50 Mo : rien n'a été ajouté.")
    raw_date = (form.published_on.data or "").strip()
    queued = background.queue_upload(
        upload.filename,
        data,
        form.kind.data or "autre",
        title=form.title.data or None,
        status=form.status.data or "en_vigueur",
        published_on=parse_date(raw_date, "La date du document") if raw_date else None,
        user=g.user,
    )
    if queued.existing:
        message = (
            f"Ce fichier est déjà dans la base : « {queued.title} »."
            if queued.job_id is None
            else f"Ce fichier est déjà en cours d'ajout : « {queued.title} »."
        )
        return back(url_for("kb.documents"), message, "info")
    assert queued.job_id is not None
    # After the commit: the worker must find the row the message names.
    tasks.hand_over_kb_job(queued.job_id)
    return back(
        url_for("kb.documents"),
        f"Le document « {queued.title} » est en cours d'ajout… Il sera cherchable dès "
        "qu'il aura été lu ; son état s'affiche ci-dessous.",
        "success",
    )


@bp.post("/reindex")
def reindex() -> ResponseReturnValue:
    submitted(EmptyForm())
    errors.back_to(url_for("kb.documents"))
    job_id = background.queue_reindex(g.user)
    tasks.hand_over_kb_job(job_id)
    return back(
        url_for("kb.documents"),
        "La reconstruction de l'index est demandée : elle se fait en arrière-plan.",
        "success",
    )


@bp.get("/documents/<int:document_id>")
def document(document_id: int) -> ResponseReturnValue:
    return render_template(
        "kb/document.html",
        document=queries.document(document_id),
        KB_KINDS=KIND_LABELS,
        KB_STATUS=STATUS_LABELS,
    )


@bp.post("/documents/<int:document_id>/remove")
def remove(document_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    title = operations.remove(document_id, g.user)
    return back(url_for("kb.documents"), f"« {title} » retiré de la base.", "success")


@bp.get("/indicateurs")
def indicator_list() -> ResponseReturnValue:
    return render_template("kb/indicators.html", catalogue=CATALOGUE)


@bp.route("/indicateurs/<code>", methods=["GET", "POST"])
def indicator(code: str) -> ResponseReturnValue:
    item = queries.indicator_of(code)
    if item.code != code:
        return redirect(url_for("kb.indicator", code=item.code), 301)
    form = ComputeForm()
    values: dict[str, str] = {}

    def page(
        result: Result | None = None, error: CosigneError | None = None
    ) -> ResponseReturnValue:
        passages = queries.search(f"indicateur {item.code} {item.title}", limit=3).hits
        return render_template(
            "kb/indicator.html",
            indicator=item,
            result=result,
            error=error,
            values=values,
            passages=passages,
            excerpt_html=excerpt_html,
            example=_worked_example(item),
        ), (error.status if error else 200)

    if request.method == "GET":
        return page()
    errors.on_error(lambda error: page(error=error))
    submitted(form)
    year = (form.year.data or "").strip() or "2025"
    values = form.values(item)
    return page(compute(item.code, {year: {k: v for k, v in values.items() if v != ""}}))


def _worked_example(item: Indicator) -> Result | None:
    """A worked example with round figures, computed by the calculator itself."""
    sample: dict[str, float] = {}
    for index, variable in enumerate(item.variables):
        if variable.optional:
            continue
        sample[variable.name] = 1 if item.kind == "qualitative" else (120 if index == 0 else 4000)
    try:
        return compute(item.code, {2025: sample})
    except CalculationError:  # an indicator whose variables round figures cannot satisfy
        return None
