"""Reading a convention's PDF/A archive: its state for the convention's page and the
API, and its bytes for the download, checked against their SHA-256 first."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.db import db_session
from app.models import Convention, ConventionArchive, iso
from workflows.archive import PDFA_CONFORMANCE, PDFA_PART, STATE_LABELS, ArchiveState
from workflows.errors import Conflict, NotFound

log = logging.getLogger(__name__)

PDFA_LABEL = f"PDF/A-{PDFA_PART}{PDFA_CONFORMANCE.lower()}"


def archive_of(convention_id: int) -> ConventionArchive | None:
    """The archive's row, without its bytes."""
    return db_session().scalar(
        select(ConventionArchive).where(ConventionArchive.convention_id == convention_id)
    )


@dataclass(frozen=True)
class Shown:
    """The archive as the convention's page tells it."""

    state: ArchiveState
    label: str
    text_sha256: str
    pdf_sha256: str
    size: int
    error: str
    retry_at: datetime | None
    finished_at: datetime | None

    @property
    def ready(self) -> bool:
        return self.state is ArchiveState.FAIT


def shown(convention: Convention) -> Shown | None:
    """None until the convention is signed (and its archive asked for)."""
    archive = archive_of(convention.id)
    if archive is None:
        return None
    state = ArchiveState(archive.state)
    return Shown(
        state=state,
        label=STATE_LABELS[state],
        text_sha256=archive.text_sha256,
        pdf_sha256=archive.pdf_sha256,
        size=archive.size,
        error=archive.error,
        retry_at=archive.retry_at,
        finished_at=archive.finished_at,
    )


def filename_of(convention: Convention) -> str:
    ascii_title = unicodedata.normalize("NFKD", convention.title).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_title).split())[:60]
    return f"{slug or 'convention'}-{convention.id}-signee-pdfa.pdf"


def pdf_bytes(convention: Convention) -> bytes:
    """The archive's PDF, once made, and only if its bytes still give its SHA-256 (a row
    damaged in the database is refused rather than handed out as the signed copy)."""
    archive = db_session().scalar(
        select(ConventionArchive)
        .where(ConventionArchive.convention_id == convention.id)
        .options(undefer(ConventionArchive.pdf))
    )
    if archive is None:
        raise NotFound("Cette convention n'est pas signée : elle n'a pas d'archive PDF/A.")
    state = ArchiveState(archive.state)
    if state is ArchiveState.ECHEC:
        raise NotFound(f"L'archive PDF/A n'a pas pu être faite : {archive.error}")
    if state is not ArchiveState.FAIT:
        raise NotFound("L'archive PDF/A est en préparation : réessayez dans quelques minutes.")
    if hashlib.sha256(archive.pdf).hexdigest() != archive.pdf_sha256:
        log.error("archive of convention %s does not match its SHA-256", convention.id)
        raise Conflict(
            "L'archive PDF/A enregistrée ne correspond plus à son empreinte SHA-256 : elle "
            "n'est pas servie. Prévenez l'administrateur."
        )
    return archive.pdf


def archive_json(convention: Convention) -> dict[str, Any]:
    """The archive's state, its fingerprints and where to download it."""
    found = shown(convention)
    if found is None:
        raise NotFound("Cette convention n'est pas signée : elle n'a pas d'archive PDF/A.")
    return {
        "convention_id": convention.id,
        "state": found.state.value,
        "label": found.label,
        "format": PDFA_LABEL,
        "text_sha256": found.text_sha256,
        "pdf_sha256": found.pdf_sha256 or None,
        "size": found.size if found.ready else None,
        "url": f"/api/conventions/{convention.id}/archive.pdf" if found.ready else None,
        "error": found.error or None,
        "retry_at": iso(found.retry_at),
        "finished_at": iso(found.finished_at),
    }
