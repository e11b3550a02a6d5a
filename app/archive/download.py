"""The archive's PDF as an attachment: the page and the API answer it alike."""

from __future__ import annotations

from flask import Response

from app.archive import queries
from app.models import Convention


def pdf_response(convention: Convention) -> Response:
    data = queries.pdf_bytes(convention)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{queries.filename_of(convention)}"'
        },
    )
