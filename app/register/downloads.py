"""A proof of the register as a download, for the page and the API alike."""

from __future__ import annotations

import io

from flask import send_file
from flask.typing import ResponseReturnValue

from app.models import RegisterProof


def proof_response(proof: RegisterProof) -> ResponseReturnValue:
    """The file as stored, always as an attachment with the type its content showed at
    upload: a browser never renders it in Cosigne's origin."""
    response = send_file(
        io.BytesIO(proof.data),
        mimetype=proof.content_type,
        as_attachment=True,
        download_name=proof.filename,
        etag=proof.sha256,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
