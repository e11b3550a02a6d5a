"""Rules for saving a section's text: its limits (``workflows.limits``) and the lost-update
check."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.conventions import MAX_ID
from workflows.errors import InvalidInput
from workflows.limits import MAX_BODY_BYTES, check_body
from workflows.text.clean import clean_text

__all__ = [
    "MAX_BODY_BYTES",
    "MESSAGE_MAX_LENGTH",
    "Conflict",
    "check_base",
    "clean_body",
    "clean_message",
    "parse_revision_number",
]

MESSAGE_MAX_LENGTH = 500


@dataclass(frozen=True)
class Conflict:
    """Another save landed after the revision the user started from."""

    base_number: int
    current_number: int


def clean_body(raw: str | None) -> str:
    """Normalise line endings and refuse a body past the limits of ``workflows.limits``
    (1 MB counted in UTF-8 bytes, paragraphs, marks, tables, nesting)."""
    # NUL is no character of a text (PostgreSQL refuses it): dropped, not an error.
    body = (raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    check_body(body)
    return body


def clean_message(raw: str | None) -> str:
    # Cleaned before the spaces are folded: a control character between two words
    # would otherwise leave two spaces once the stored text drops it.
    message = " ".join(clean_text(raw or "").split())
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(f"Le message dépasse {MESSAGE_MAX_LENGTH} caractères.")
    return message


def check_base(base_number: int | None, current_number: int | None) -> Conflict | None:
    """Compare the revision a save started from with the section's current one.

    ``None`` for current means the section has no revision yet; a save then must start
    from nothing (base 0 or None). Returns a Conflict when someone else saved in between.
    """
    current = current_number or 0
    base = base_number or 0
    if base != current:
        return Conflict(base_number=base, current_number=current)
    return None


def parse_revision_number(raw: object) -> int:
    """Read a revision number from a form or JSON value; refuse anything else."""
    if isinstance(raw, bool):
        raise InvalidInput("Le numéro de révision de base est invalide.")
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        number = int(raw.strip())
    else:
        raise InvalidInput("Le numéro de révision de base est obligatoire (entier).")
    if not 0 <= number <= MAX_ID:
        raise InvalidInput("Le numéro de révision de base est invalide.")
    return number
