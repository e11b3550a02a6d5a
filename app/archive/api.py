"""JSON API of the archive: its state, the SHA-256 of the PDF and of the signed text,
its size and where to download it; the PDF itself; another try of a failed one
(drafters). Through the same queries and operation as the convention's page."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.archive import operations, queries
from app.archive.download import pdf_response
from app.db import db_session

bp = Blueprint("archive_api", __name__, url_prefix="/api")


@bp.get("/conventions/<int:convention_id>/archive")
def show(convention_id: int) -> ResponseReturnValue:
    return jsonify(queries.archive_json(g.convention))


@bp.get("/conventions/<int:convention_id>/archive.pdf")
def download(convention_id: int) -> ResponseReturnValue:
    return pdf_response(g.convention)


@bp.post("/conventions/<int:convention_id>/archive/retry")
def retry(convention_id: int) -> ResponseReturnValue:
    json_input.payload(optional=True)  # no field, but a body sent is read as any other
    operations.retry(convention_id, g.user)
    db_session().expire_all()
    return jsonify(queries.archive_json(g.convention)), 202
