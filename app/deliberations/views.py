"""The deliberations of a convention's parties on the web: the page, and recording one."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.deliberations import operations, queries
from app.deliberations.forms import DeliberationForm
from app.forms import submitted
from app.webutil import back
from workflows.conventions import parse_id
from workflows.deliberations import DECISION_LABELS, Decision
from workflows.errors import CosigneError, InvalidInput
from workflows.proofs import PROOF_MAX_BYTES
from workflows.register import parse_date

bp = Blueprint("deliberations", __name__)


def _day(raw: str | None) -> date | None:
    """The day typed, None when left empty (the rules then say it is missing)."""
    if not (raw or "").strip():
        return None
    try:
        return parse_date(raw, "La date de la délibération")
    except InvalidInput as error:
        raise InvalidInput(error.message, field="decided_on") from None


def _render(**extra: object) -> str:
    return render_template(
        "deliberations/page.html",
        convention=g.convention,
        PROOF_MAX_MB=PROOF_MAX_BYTES // (1024 * 1024),
        **queries.page(g.convention, g.user, g.role),
        **extra,
    )


@bp.get("/conventions/<int:convention_id>/deliberations")
def page(convention_id: int) -> ResponseReturnValue:
    return _render()


def _page_with_error(error: CosigneError) -> ResponseReturnValue:
    """The page again, the refusal beside the field it is about in the party's form,
    what was typed kept (a file chosen is not: a browser never refills a file input)."""
    g.typed = {
        "action": request.path,
        "fields": {k: v for k, v in request.form.items() if k != "csrf_token"},
    }
    return _render(deliberation_error=error), error.status


@bp.post("/conventions/<int:convention_id>/deliberations")
def record(convention_id: int) -> ResponseReturnValue:
    errors.on_error(_page_with_error)
    form = submitted(DeliberationForm())
    upload = request.files.get("file")
    extract = None
    if upload is not None and upload.filename:
        # One byte past the limit is enough to refuse.
        extract = (upload.filename, upload.read(PROOF_MAX_BYTES + 1))
    recorded = operations.record_deliberation(
        convention_id,
        g.user,
        g.role,
        parse_id(form.party.data),
        form.instance.data or "",
        _day(form.decided_on.data),
        form.decision.data or "",
        form.note.data or "",
        extract,
    )
    target = url_for("deliberations.page", convention_id=convention_id)
    return back(
        target + f"#deliberation-{recorded.id}",
        f"Délibération de {recorded.party} du {recorded.decided_on:%d/%m/%Y} enregistrée "
        f"({DECISION_LABELS[Decision(recorded.decision)].lower()}).",
        "success",
    )
