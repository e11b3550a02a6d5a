"""The register of the association on the web: the page (printable), and keeping it."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.forms import submitted
from app.register import operations, queries
from app.register.forms import DocumentForm, LetterForm, MeetingForm, MinutesForm
from app.webutil import back
from workflows.contributions import STATE_LABELS as CONTRIBUTION_STATES
from workflows.conventions import parse_id
from workflows.register import parse_date

bp = Blueprint("register", __name__)


def _optional_date(raw: str | None, what: str) -> date | None:
    """A date field left empty is a missing date, which the rules name."""
    return parse_date(raw, what) if (raw or "").strip() else None


@bp.get("/conventions/<int:convention_id>/association")
def page(convention_id: int) -> ResponseReturnValue:
    return render_template(
        "register/association.html",
        convention=g.convention,
        CONTRIBUTION_STATES=CONTRIBUTION_STATES,
        print_view=request.args.get("impression") == "1",
        **queries.register_page(convention_id),
    )


@bp.post("/conventions/<int:convention_id>/meetings")
def meeting_add(convention_id: int) -> ResponseReturnValue:
    form = submitted(MeetingForm())
    target = url_for("register.page", convention_id=convention_id)
    errors.back_to(target)
    operations.add_meeting(
        convention_id,
        g.user,
        form.title.data or "",
        _optional_date(form.meeting_on.data, "La date de la réunion"),
        form.place.data or "",
        [i for v in form.invited.data or [] if (i := parse_id(v))],
    )
    return back(target, "Réunion enregistrée.", "success")


@bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/documents")
def document_add(convention_id: int, meeting_id: int) -> ResponseReturnValue:
    form = submitted(DocumentForm())
    target = url_for("register.page", convention_id=convention_id) + f"#reunion-{meeting_id}"
    errors.back_to(target)
    _document, warning = operations.add_document(
        convention_id,
        meeting_id,
        g.user,
        form.title.data or "",
        _optional_date(form.sent_on.data, "La date d'envoi"),
    )
    if warning:
        return back(target, f"Document enregistré. Attention : {warning}", "warning")
    return back(target, "Document enregistré.", "success")


@bp.post("/conventions/<int:convention_id>/letters")
def letter_add(convention_id: int) -> ResponseReturnValue:
    form = submitted(LetterForm())
    target = url_for("register.page", convention_id=convention_id) + "#courriers"
    errors.back_to(target)
    operations.add_letter(
        convention_id,
        g.user,
        form.sender.data or "",
        _optional_date(form.received_on.data, "La date de réception"),
        form.subject.data or "",
        form.summary.data or "",
    )
    return back(target, "Courrier enregistré au registre.", "success")


@bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/minutes")
def minutes(convention_id: int, meeting_id: int) -> ResponseReturnValue:
    form = submitted(MinutesForm())
    target = url_for("register.page", convention_id=convention_id) + f"#reunion-{meeting_id}"
    errors.back_to(target)
    operations.set_minutes(convention_id, meeting_id, g.user, form.minutes.data or "")
    return back(target, "Compte rendu enregistré.", "success")
