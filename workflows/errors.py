"""Every refusal Cosigne gives, by kind, and the HTTP status each kind answers with.

Domain rules and operations raise these; nobody maps them by hand. One handler
(``app/errors.py``) turns them into a flash message on the web and into
``{"error": message, ...details}`` with ``status`` in the API; the command line prints
the message. The message is French and meant for the user as it is.

    CosigneError
    ├── InvalidInput (400)  bad input: a field missing, out of range, malformed
    │   └── TooLarge (413)  a body or a file over its limit
    ├── NotFound (404)
    ├── Forbidden (403)     the role, or the rule on this very object, does not allow it
    └── Conflict (409)      the state of things refuses it (phase, stale base, overlap)
        └── Refused (409)   a guard refused, with every reason (``reasons``)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar


class CosigneError(Exception):
    """A refusal meant for the user; ``status`` is the HTTP status of its kind."""

    status: ClassVar[int] = 400

    @property
    def message(self) -> str:
        return str(self)

    def details(self) -> dict[str, object]:
        """What the API adds to ``{"error": message}`` (none by default)."""
        return {}


class InvalidInput(CosigneError, ValueError):
    """Bad input (HTTP 400). Also a ValueError, as a value the rules refuse.

    ``field``: the form field the refusal is about, when one is, for a page to show the
    message next to it."""

    status = 400

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class TooLarge(InvalidInput):
    """A body or a file over its limit (HTTP 413)."""

    status = 413


class NotFound(CosigneError, LookupError):
    """The object asked for does not exist (HTTP 404)."""

    status = 404


class Forbidden(CosigneError):
    """The user may not do this (HTTP 403): refused by the role table or by a rule on
    the object itself (``workflows.permissions``: only its author withdraws a
    contribution, a signatory signs for its own party...)."""

    status = 403


class Conflict(CosigneError):
    """The state of things refuses it (HTTP 409): the convention's phase, a save based
    on an outdated revision, changes that overlap."""

    status = 409


class Refused(Conflict):
    """A guard refused, with every reason it found (HTTP 409, ``reasons`` in the API)."""

    def __init__(self, reasons: Iterable[str], lead: str = "") -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join([lead, *self.reasons] if lead else self.reasons))

    def details(self) -> dict[str, object]:
        return {"reasons": self.reasons}
