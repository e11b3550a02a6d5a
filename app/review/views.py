"""Review pages: asking the signatories, recording a position, the register of reserves."""

from __future__ import annotations

from flask import Blueprint, g, render_template, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.forms import EmptyForm, submitted
from app.review import operations, queries
from app.review.forms import PositionForm
from app.webutil import back
from workflows.conventions import parse_id
from workflows.review import POSITION_LABELS

bp = Blueprint("review", __name__)


@bp.post("/sections/<int:section_id>/review", endpoint="request")
def request_review(section_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    target = url_for("sections.show", section_id=section_id) + "#revue"
    errors.back_to(target)
    operations.ask_for_review(section_id, g.user)
    return back(target, "Relecture demandée aux signataires.", "success")


@bp.post("/sections/<int:section_id>/position")
def position(section_id: int) -> ResponseReturnValue:
    form = submitted(PositionForm())
    target = url_for("sections.show", section_id=section_id) + "#revue"
    errors.back_to(target)
    operations.record_position(
        section_id,
        g.user,
        form.position.data or "",
        form.text.data or "",
        parse_id(form.revision_number.data or ""),
    )
    return back(target, "Position enregistrée.", "success")


@bp.get("/conventions/<int:convention_id>/reserves")
def register(convention_id: int) -> ResponseReturnValue:
    return render_template(
        "review/reserves.html",
        convention=g.convention,
        items=queries.register(convention_id),
        POSITION_LABELS=POSITION_LABELS,
    )
