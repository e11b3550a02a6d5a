"""The register of the association on the web: the page (printable), and keeping it."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.db import db_session
from app.forms import submitted
from app.register import operations, queries
from app.register.downloads import proof_response
from app.register.forms import (
    AdoptionForm,
    ConcertationForm,
    DecisionForm,
    DocumentForm,
    LetterForm,
    MeetingForm,
    MinutesForm,
    ProofForm,
)
from app.webutil import back
from workflows.concertation import PARTICIPANT_KINDS
from workflows.contributions import STATE_LABELS as CONTRIBUTION_STATES
from workflows.conventions import parse_id
from workflows.errors import CosigneError, InvalidInput
from workflows.lifecycle import text_editable
from workflows.proofs import PROOF_MAX_BYTES
from workflows.register import parse_date

bp = Blueprint("register", __name__)


def _optional_date(raw: str | None, what: str, field: str | None = None) -> date | None:
    """A date field left empty is a missing date, which the rules name."""
    if not (raw or "").strip():
        return None
    try:
        return parse_date(raw, what)
    except InvalidInput as error:
        raise InvalidInput(error.message, field=field) from None


def _render(convention_id: int, **extra: object) -> str:
    return render_template(
        "register/association.html",
        convention=g.convention,
        CONTRIBUTION_STATES=CONTRIBUTION_STATES,
        print_view=request.args.get("impression") == "1",
        PROOF_MAX_MB=PROOF_MAX_BYTES // (1024 * 1024),
        adoption_open=text_editable(g.convention.state, g.convention.lifecycle),
        **queries.register_page(convention_id),
        **extra,
    )


@bp.get("/conventions/<int:convention_id>/association")
def page(convention_id: int) -> ResponseReturnValue:
    return _render(convention_id)


def _page_with_decision_error(error: CosigneError) -> ResponseReturnValue:
    """The register again, the refusal next to the field it is about and what the user
    typed kept in the form (nothing was written)."""
    g.typed = {
        "action": request.path,
        "fields": {k: v for k, v in request.form.items() if k != "csrf_token"},
    }
    return _render(g.convention.id, decision_error=error), error.status


@bp.post("/conventions/<int:convention_id>/association/decision")
def decision(convention_id: int) -> ResponseReturnValue:
    errors.on_error(_page_with_decision_error)
    form = submitted(DecisionForm())
    recipients = queries.decision_recipients(db_session(), convention_id)
    notified = {
        key: _optional_date(
            request.form.get(f"notified_{key}"),
            f"La date de transmission à {name}",
            f"notified_{key}",
        )
        for key, name, _associated in recipients
    }
    operations.record_decision(
        convention_id,
        g.user,
        form.instance.data or "",
        _optional_date(form.decided_on.data, "La date de la décision", "decided_on"),
        form.min_meetings.data,
        form.notice_days.data,
        notified,
    )
    target = url_for("register.page", convention_id=convention_id) + "#decision"
    return back(target, "Décision d'engagement enregistrée.", "success")


def _page_with_adoption_error(error: CosigneError) -> ResponseReturnValue:
    """The register again with the adoption's refusal beside its field, what was typed
    kept (a file chosen is not: a browser never refills a file input)."""
    g.typed = {
        "action": request.path,
        "fields": {k: v for k, v in request.form.items() if k != "csrf_token"},
    }
    return _render(g.convention.id, adoption_error=error), error.status


@bp.post("/conventions/<int:convention_id>/association/adoption")
def adoption(convention_id: int) -> ResponseReturnValue:
    errors.on_error(_page_with_adoption_error)
    form = submitted(AdoptionForm())
    upload = request.files.get("file")
    deliberation = None
    if upload is not None and upload.filename:
        # One byte past the limit is enough to refuse.
        deliberation = (upload.filename, upload.read(PROOF_MAX_BYTES + 1))
    adopted = operations.record_adoption(
        convention_id,
        g.user,
        form.instance.data or "",
        _optional_date(form.adopted_on.data, "La date de l'adoption", "adopted_on"),
        deliberation,
    )
    target = url_for("register.page", convention_id=convention_id) + "#adoption"
    return back(
        target,
        f"Adoption du projet du {adopted.adopted_on:%d/%m/%Y} enregistrée : l'association "
        "a pris fin.",
        "success",
    )


_ANCHORS = {"decision": "decision", "meeting": "reunion", "document": "document"}


@bp.post(
    "/conventions/<int:convention_id>/association"
    "/<any(decision, meeting, document, adoption):entry>/<int:entry_id>/preuves"
)
def proof_add(convention_id: int, entry: str, entry_id: int) -> ResponseReturnValue:
    target = url_for("register.page", convention_id=convention_id) + (
        f"#{_ANCHORS[entry]}-{entry_id}" if entry not in ("decision", "adoption") else f"#{entry}"
    )
    errors.back_to(target)
    form = submitted(ProofForm())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("Choisissez le fichier de la pièce (PDF, image, .docx ou .odt).")
    data = upload.read(PROOF_MAX_BYTES + 1)  # one byte past the limit is enough to refuse
    proof = operations.add_proof(
        convention_id, g.user, entry, entry_id, form.kind.data, upload.filename, data
    )
    return back(target, f"Pièce « {proof.filename} » jointe au registre.", "success")


@bp.get("/conventions/<int:convention_id>/association/preuves/<int:proof_id>")
def proof_download(convention_id: int, proof_id: int) -> ResponseReturnValue:
    return proof_response(queries.proof_file(convention_id, proof_id))


@bp.post("/conventions/<int:convention_id>/meetings")
def meeting_add(convention_id: int) -> ResponseReturnValue:
    form = submitted(MeetingForm())
    target = url_for("register.page", convention_id=convention_id)
    # Refused, back to the form (open, with what was typed), its error at its top.
    errors.back_to(target + "#nouvelle-reunion")
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


@bp.post("/conventions/<int:convention_id>/concertations")
def concertation_add(convention_id: int) -> ResponseReturnValue:
    form = submitted(ConcertationForm())
    target = url_for("register.page", convention_id=convention_id) + "#concertation"
    errors.back_to(target)
    operations.add_concertation(
        convention_id,
        g.user,
        _optional_date(form.held_on.data, "La date de la concertation"),
        form.subject.data or "",
        {kind: form[kind].data for kind in PARTICIPANT_KINDS},
        bool(form.impossible.data),
        form.reason.data or "",
        form.minutes.data or "",
    )
    return back(target, "Concertation inscrite au registre.", "success")


@bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/minutes")
def minutes(convention_id: int, meeting_id: int) -> ResponseReturnValue:
    form = submitted(MinutesForm())
    target = url_for("register.page", convention_id=convention_id) + f"#reunion-{meeting_id}"
    errors.back_to(target)
    operations.set_minutes(convention_id, meeting_id, g.user, form.minutes.data or "")
    return back(target, "Compte rendu enregistré.", "success")
