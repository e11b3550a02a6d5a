"""The note's file as it is downloaded, by its page and by the API."""

from __future__ import annotations

import io

from flask import Response, send_file

from app.enjeux.queries import NoteFile


def download(found: NoteFile) -> Response:
    """The file as it was given, as an attachment (never shown in the browser), its type
    the one its first bytes were checked for; Flask's send_file writes the name as
    RFC 6266 says (accents kept)."""
    return send_file(
        io.BytesIO(found.data),
        mimetype=found.mimetype,
        as_attachment=True,
        download_name=found.name,
    )
