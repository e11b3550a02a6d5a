"""A spreadsheet of values between its preview and its confirmation.

The rows read from the file travel in the preview's form, signed (itsdangerous, with the
application's secret key, for this user and this convention, an hour at most), with the
fingerprint of the plan the preview showed. Confirming re-plans the same rows against
the database inside the write transaction and writes only if the plan is still the one
shown: what is written is exactly what was previewed, or nothing.

Why not the PendingImport table of the Word import: its rows are one per user and
convention (a values preview would discard a Word preview waiting in another tab), and
the rows read from a spreadsheet are small (2,000 rows at most, compressed), so no
server-side state, no purge and no migration are needed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.targets.grid import CellInput
from workflows.errors import InvalidInput
from workflows.indicator_files import FileRow

PREVIEW_SECONDS = 3600
_SALT = "cosigne.indicator-import"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)


def cells_of(rows: list[FileRow]) -> list[CellInput]:
    return [
        CellInput(r.code, r.scope, r.year, r.kind, dict(r.variables), ref=str(r.line)) for r in rows
    ]


def sign(convention_id: int, user_id: int, name: str, cells: list[CellInput], digest: str) -> str:
    payload: dict[str, Any] = {
        "c": convention_id,
        "u": user_id,
        "n": name,
        "d": digest,
        "r": [[c.ref, c.code, c.scope, str(c.year), c.kind, c.variables] for c in cells],
    }
    return str(_serializer().dumps(payload))


def unsign(token: str, convention_id: int, user_id: int) -> tuple[str, list[CellInput], str]:
    """The file's name, its cells and the preview's fingerprint; InvalidInput when the
    token is not one this user's preview of this convention made within the hour."""
    try:
        payload = _serializer().loads(token, max_age=PREVIEW_SECONDS)
    except SignatureExpired:
        raise InvalidInput("L'aperçu a plus d'une heure : déposez à nouveau le fichier.") from None
    except BadSignature:
        raise InvalidInput("Aperçu d'import invalide : déposez à nouveau le fichier.") from None
    if payload.get("c") != convention_id or payload.get("u") != user_id:
        raise InvalidInput("Cet aperçu a été fait pour une autre convention ou un autre compte.")
    cells = [
        CellInput(code, scope, year, kind, variables, ref=ref)
        for ref, code, scope, year, kind, variables in payload["r"]
    ]
    return str(payload["n"]), cells, str(payload["d"])
