"""The archive on the web: its download for every member, and another try of a failed
one for the drafters; both come from the convention's page (its signatures)."""

from __future__ import annotations

from flask import Blueprint, g, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.archive import operations
from app.archive.download import pdf_response
from app.archive.forms import RetryForm
from app.forms import submitted
from app.webutil import back

bp = Blueprint("archive", __name__)


@bp.get("/conventions/<int:convention_id>/archive.pdf")
def download(convention_id: int) -> ResponseReturnValue:
    return pdf_response(g.convention)


@bp.post("/conventions/<int:convention_id>/archive/retry")
def retry(convention_id: int) -> ResponseReturnValue:
    target = url_for("conventions.show", convention_id=convention_id) + "#archive"
    errors.back_to(target)
    submitted(RetryForm())
    operations.retry(convention_id, g.user)
    return back(target, "L'archive PDF/A est demandée à nouveau : elle est en préparation.")
