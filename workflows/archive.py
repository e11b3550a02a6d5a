"""The archive of a signed convention: its Word export converted to PDF/A-2b, kept with
the SHA-256 of the PDF's bytes beside the fingerprint of the signed text.

The rules here are plain: the states an archive goes through, when a failed conversion
is tried again by itself, when a person may ask for another try, and whether the bytes
LibreOffice gave claim to be what an archive must be.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from workflows.errors import Conflict


class ArchiveState(StrEnum):
    EN_ATTENTE = "en_attente"  # asked for (at signing, or a retry), not yet taken
    EN_COURS = "en_cours"  # a worker converts it
    FAIT = "fait"  # the PDF/A is stored
    ECHEC = "echec"  # the last try failed; its error is kept


STATE_LABELS = {
    ArchiveState.EN_ATTENTE: "en préparation",
    ArchiveState.EN_COURS: "en préparation",
    ArchiveState.FAIT: "disponible",
    ArchiveState.ECHEC: "en échec",
}

# PDF/A-2b: part 2, conformance B (LibreOffice's SelectPdfVersion 2).
PDFA_PART = "2"
PDFA_CONFORMANCE = "B"

# A failed conversion is tried again by itself after these delays (a LibreOffice busy or
# overrunning once usually converts the next time); after the last one it waits for a
# person (the page's button, the API, ``flask archive make``).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
ERROR_MAX_CHARS = 1000


def next_try(failures: int, now: datetime) -> datetime | None:
    """When a conversion that has failed ``failures`` times in a row is tried again by
    itself, or None when it waits for a person."""
    if failures < 1 or failures > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[failures - 1]


def check_retry(state: ArchiveState) -> None:
    """A person may ask for another try of a failed archive only: one in preparation is
    already on its way, and a PDF/A stored is the archive (it is never made twice)."""
    if state is ArchiveState.FAIT:
        raise Conflict("L'archive PDF/A de cette convention est déjà faite.")
    if state in (ArchiveState.EN_ATTENTE, ArchiveState.EN_COURS):
        raise Conflict("L'archive PDF/A de cette convention est déjà en préparation.")


def pdfa_problem(part: str | None, conformance: str | None) -> str | None:
    """Why a PDF whose XMP metadata declare ``pdfaid:part`` and ``pdfaid:conformance``
    is not the PDF/A-2b an archive must be (None: it is)."""
    if part is None:
        return (
            "LibreOffice a produit un PDF qui ne se déclare pas PDF/A (pas de pdfaid:part "
            "dans ses métadonnées XMP)."
        )
    if part != PDFA_PART or (conformance or "").upper() != PDFA_CONFORMANCE:
        return (
            f"LibreOffice a produit un PDF/A-{part}{(conformance or '').lower()} au lieu "
            f"d'un PDF/A-{PDFA_PART}{PDFA_CONFORMANCE.lower()}."
        )
    return None
