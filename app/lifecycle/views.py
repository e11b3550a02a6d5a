"""Lifecycle pages: moving the convention, its deadlines, signatures, avenants, the signed
text. Each action comes back to the convention's page with what became of it."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.conventions.queries import convention_page
from app.forms import submitted
from app.lifecycle import operations, queries
from app.lifecycle.forms import (
    AvenantForm,
    CarryForm,
    DeadlinesForm,
    ProposalForm,
    SignForm,
    TransitionForm,
    UncarryForm,
)
from app.webutil import back
from workflows.conventions import parse_id
from workflows.errors import CosigneError, InvalidInput, NotFound
from workflows.lifecycle import STATE_LABELS, deadlines_of_path
from workflows.register import parse_date
from workflows.review import SECTION_STATE_LABELS

bp = Blueprint("lifecycle", __name__)


def _come_back(convention_id: int, anchor: str = "") -> str:
    url = url_for("conventions.show", convention_id=convention_id) + anchor
    errors.back_to(url)
    return url


@bp.post("/conventions/<int:convention_id>/transition")
def transition(convention_id: int) -> ResponseReturnValue:
    form = submitted(TransitionForm())
    # Refused, the page comes back to its preparation block: the refusal is said there,
    # above the list of what blocks, each item linking to where it is resolved.
    target = _come_back(convention_id, "#preparation")
    convention = operations.transition(convention_id, g.user, form.to.data or "")
    return back(
        target,
        f"La convention est désormais au stade « {STATE_LABELS[convention.state]} ».",
        "success",
    )


@bp.post("/conventions/<int:convention_id>/points/<kind>/<int:ref>/carry")
def carry(convention_id: int, kind: str, ref: int) -> ResponseReturnValue:
    """Carry a reserve, a disagreement or an open discussion into the transmitted file."""
    form = submitted(CarryForm())
    if kind not in ("position", "discussion"):
        raise NotFound("Type de point inconnu.")
    _come_back(convention_id, f"#point-{kind}-{ref}")
    operations.carry_point(convention_id, g.user, kind, ref, form.note.data or "")
    return back(
        url_for("conventions.show", convention_id=convention_id) + "#preparation",
        "Point reporté : il figurera, avec votre note, dans le dossier transmis au préfet.",
        "success",
    )


@bp.post("/conventions/<int:convention_id>/points/<kind>/<int:ref>/uncarry")
def uncarry(convention_id: int, kind: str, ref: int) -> ResponseReturnValue:
    """Take a carried point back: it stops the transmission again."""
    submitted(UncarryForm())
    if kind not in ("position", "discussion"):
        raise NotFound("Type de point inconnu.")
    _come_back(convention_id, "#reportes")
    operations.uncarry_point(convention_id, g.user, kind, ref)
    return back(
        url_for("conventions.show", convention_id=convention_id) + "#preparation",
        "Point retiré du dossier transmis : il est de nouveau à lever ou à reporter.",
        "success",
    )


@bp.post("/conventions/<int:convention_id>/deadlines")
def deadlines(convention_id: int) -> ResponseReturnValue:
    form = submitted(DeadlinesForm())
    target = _come_back(convention_id, "#echeances")
    values = {}
    for key, label in deadlines_of_path(g.convention.lifecycle).items():
        raw = (form[key].data or "").strip()
        values[key] = parse_date(raw, label) if raw else None
    operations.set_deadlines(convention_id, g.user, values)
    return back(target, "Échéances enregistrées.", "success")


def _page_with_error(error: CosigneError, name: str) -> ResponseReturnValue:
    """The convention's page again, the refusal next to the field it is about and what
    the user typed in the form (nothing was written); ``name``: the template's variable
    for the form refused (sign_error, proposal_error)."""
    g.typed = {
        "action": request.path,
        "fields": {k: v for k, v in request.form.items() if k != "csrf_token"},
    }
    return render_template(
        "conventions/show.html",
        convention=g.convention,
        SECTION_STATE_LABELS=SECTION_STATE_LABELS,
        **{name: error},
        **convention_page(g.convention, g.user, g.role),
    ), error.status


def _page_with_sign_error(error: CosigneError) -> ResponseReturnValue:
    return _page_with_error(error, "sign_error")


@bp.post("/conventions/<int:convention_id>/signature-proposal")
def proposal(convention_id: int) -> ResponseReturnValue:
    """The préfet de département's proposal to the préfet de région to sign the CUS."""
    errors.on_error(lambda error: _page_with_error(error, "proposal_error"))
    form = submitted(ProposalForm())
    operations.ensure_may_record_proposal(convention_id, g.user)
    date_error = None
    proposed_on = None
    raw = (form.proposed_on.data or "").strip()
    if raw:
        try:
            proposed_on = parse_date(raw, "La date de la proposition")
        except InvalidInput as refusal:
            date_error = refusal.message
    operations.record_proposal(
        convention_id,
        g.user,
        proposed_on,
        form.proposer.data or "",
        form.note.data or "",
        date_error=date_error,
    )
    return back(
        url_for("conventions.show", convention_id=convention_id) + "#proposition",
        "Proposition du préfet de département enregistrée : l'État peut signer.",
        "success",
    )


@bp.post("/conventions/<int:convention_id>/sign")
def sign(convention_id: int) -> ResponseReturnValue:
    errors.on_error(_page_with_sign_error)
    form = submitted(SignForm())
    target = url_for("conventions.show", convention_id=convention_id) + "#signatures"
    try:
        signed_on = parse_date(form.signed_on.data, "La date de signature")
    except InvalidInput as error:
        raise InvalidInput(error.message, field="signed_on") from None
    operations.sign(
        convention_id,
        g.user,
        parse_id(form.membership_id.data or ""),
        signed_on,
        form.signer.data or "",
    )
    return back(target, "Signature enregistrée.", "success")


@bp.post("/conventions/<int:convention_id>/avenant")
def avenant(convention_id: int) -> ResponseReturnValue:
    form = submitted(AvenantForm())
    _come_back(convention_id)
    created = operations.create_avenant(convention_id, g.user, form.title.data or "")
    return back(
        url_for("conventions.show", convention_id=created.id),
        "Avenant ouvert : ses sections reprennent le texte signé.",
        "success",
    )


@bp.get("/conventions/<int:convention_id>/signed")
def signed(convention_id: int) -> ResponseReturnValue:
    if not g.convention.signed_sha256:
        raise NotFound("Cette convention n'est pas signée.")
    return render_template(
        "lifecycle/signed.html",
        convention=g.convention,
        sections=queries.signed_sections(g.convention),
        signatures=queries.signatures(convention_id),
    )


@bp.get("/conventions/<int:convention_id>/signed.txt")
def signed_text(convention_id: int) -> ResponseReturnValue:
    """The signed text itself, byte for byte what the fingerprint is computed on (so that
    anyone can check it: ``sha256sum`` gives the fingerprint shown on the page)."""
    if not g.convention.signed_sha256:
        raise NotFound("Cette convention n'est pas signée.")
    response = Response(g.convention.signed_text, mimetype="text/plain")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="texte-signe-convention-{convention_id}.txt"'
    )
    return response
