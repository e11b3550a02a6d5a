"""Making the archive of a signed convention: its Word export (signature blocks filled)
converted by LibreOffice to PDF/A-2b in a background job, the bytes stored in
``convention_archive`` with their SHA-256.

Signing asks for it (``request``, in the signing transaction: the row commits with the
signature or not at all); once that transaction commits, the hooks (the job engine's,
app/jobs) are handed the row's id. As for the outbox and the knowledge base's jobs, the
row is the truth and the queue a hint: the minute's sweep (``run_due``) converts what
no message brought, and takes over a conversion whose worker died (its lease passed).

A worker claims the row with one conditional UPDATE, converts outside any transaction,
and records the end only while its claim stands. A failure is kept on the row (state
``echec`` and the error, in the journal and the logs too), tried again by itself after
the delays of ``workflows.archive.RETRY_DELAYS``, then when a drafter asks
(``retry``: the page's button, the API) or from the command line (``make``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import and_, or_, select
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app import audit, leases
from app.archive.queries import archive_of
from app.conventions import pdf
from app.db import db_session, reloaded, write_transaction
from app.models import Convention, ConventionArchive, User, utcnow
from app.word.queries import convention_doc
from workflows.archive import (
    ERROR_MAX_CHARS,
    RETRY_DELAYS,
    ArchiveState,
    check_retry,
    next_try,
    pdfa_problem,
)
from workflows.errors import Conflict, NotFound
from workflows.lifecycle import STATE_LABELS, ConventionState, fingerprint
from workflows.word.export import export_docx

log = logging.getLogger(__name__)

# Called after a commit with the ids of the archives it asked for (registered by app/jobs).
after_commit_hooks: list[Callable[[list[int]], None]] = []
_ASKED = "cosigne_archive_asked"

# Claims that never came to an end (a worker killed each time) before the archive fails.
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
SWEEP_LIMIT = 20  # archives per sweep: the next minute's sweep takes the rest
LEASE_MARGIN_SECONDS = 60


def request(session: Session, convention: Convention) -> ConventionArchive:
    """Ask, in the caller's transaction, for the archive of ``convention``, just signed:
    a waiting row (the one of an earlier signing starts over), handed to the queue once
    the transaction commits."""
    assert convention.signed_sha256, "the text is frozen before its archive is asked for"
    archive = session.scalar(
        select(ConventionArchive).where(ConventionArchive.convention_id == convention.id)
    )
    if archive is None:
        archive = ConventionArchive(
            convention_id=convention.id, text_sha256=convention.signed_sha256
        )
        session.add(archive)
    else:
        _start_over(archive, convention.signed_sha256)
    session.flush()
    session.info.setdefault(_ASKED, []).append(archive.id)
    return archive


def _start_over(archive: ConventionArchive, text_sha256: str) -> None:
    archive.state = ArchiveState.EN_ATTENTE.value
    archive.text_sha256 = text_sha256
    archive.pdf, archive.pdf_sha256, archive.size = b"", "", 0
    archive.error, archive.attempts, archive.retry_at = "", 0, None
    archive.claim_token, archive.claimed_until, archive.finished_at = "", None, None
    archive.requested_at = utcnow()


@orm_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    ids = session.info.pop(_ASKED, None)
    if ids:
        for hook in after_commit_hooks:
            hook(list(ids))


@orm_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_ASKED, None)


def retry(convention_id: int, actor: User | None) -> ConventionArchive:
    """Another try of a failed archive, asked for by a person: it starts over (its tries
    counted from zero) and goes to the queue. One in preparation or done is refused."""
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        if not convention.signed_sha256:
            raise NotFound("Cette convention n'est pas signée : elle n'a pas d'archive PDF/A.")
        archive = session.scalar(
            select(ConventionArchive)
            .where(ConventionArchive.convention_id == convention_id)
            .with_for_update()
        )
        if archive is not None:
            check_retry(ArchiveState(archive.state))
            error = archive.error
        else:  # signed before archives existed and not yet swept: asked for now
            error = ""
        archive = request(session, convention)
        actor = reloaded(session, actor) if actor is not None else None
        audit.record(
            session,
            "archive_relancee",
            "Archive PDF/A demandée à nouveau" + (f" après l'échec : {error}" if error else ""),
            actor,
            convention_id,
            "convention",
            convention_id,
        )
        return archive


def make(convention_id: int) -> ConventionArchive:
    """The command line's door: the archive made now, in this process (not a request:
    the conversion may take its time). A failed or waiting archive starts over; one done
    or being made by a worker is refused. Returns the row as it ended."""
    archive = archive_of(convention_id)
    state = ArchiveState(archive.state) if archive is not None else None
    if state is None or state is ArchiveState.ECHEC:
        archive = retry(convention_id, None)
    elif state is ArchiveState.FAIT:
        check_retry(state)
    assert archive is not None
    if not run(archive.id):
        raise Conflict("L'archive PDF/A est déjà en préparation par un worker.")
    found = archive_of(convention_id)
    assert found is not None
    return found


# --- the worker's side -------------------------------------------------------------------


def _lease() -> timedelta:
    """Longer than a conversion may take: past it, the worker is taken for dead."""
    return timedelta(seconds=_timeout() + LEASE_MARGIN_SECONDS)


def _timeout() -> float:
    return float(current_app.config["ARCHIVE_TIMEOUT_SECONDS"])


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        ConventionArchive.state == ArchiveState.EN_ATTENTE.value,
        and_(
            ConventionArchive.state == ArchiveState.EN_COURS.value,
            ConventionArchive.claimed_until < now,
        ),
        and_(
            ConventionArchive.state == ArchiveState.ECHEC.value,
            ConventionArchive.retry_at.is_not(None),
            ConventionArchive.retry_at <= now,
        ),
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    token: str
    attempt: int


def claim(archive_id: int, now: datetime | None = None) -> Claimed | None:
    """Take the archive, or None when it is not ours (done, failed for good, waiting for
    its next try, or held by a worker whose lease runs)."""
    now = now or utcnow()
    with write_transaction() as session:
        token = leases.take(
            session,
            ConventionArchive,
            archive_id,
            _claimable(now),
            state=ArchiveState.EN_COURS.value,
            claimed_until=now + _lease(),
            retry_at=None,
            attempts=ConventionArchive.attempts + 1,
        )
        if token is None:
            return None
        archive = session.get(ConventionArchive, archive_id, populate_existing=True)
        assert archive is not None  # the UPDATE just matched it
        if archive.attempts > MAX_ATTEMPTS:
            archive.state, archive.claim_token, archive.claimed_until = "echec", "", None
            archive.error = (
                f"Abandonnée après {MAX_ATTEMPTS} essais interrompus (la conversion s'est "
                "arrêtée sans finir). Relancez-la depuis la page de la convention."
            )
            archive.finished_at = now
            _journal(session, archive, "archive_echec", archive.error)
            log.error("archive %s abandoned: %s", archive_id, archive.error)
            return None
        return Claimed(archive.id, token, archive.attempts)


def _finish(claimed: Claimed, **values: object) -> bool:
    """Record the end, if the claim is still ours (a worker past its lease may have been
    relieved meanwhile: then the other one's record stands)."""
    with write_transaction() as session:
        if not leases.release(
            session, ConventionArchive, claimed.id, claimed.token, finished_at=utcnow(), **values
        ):
            return False
        archive = session.get(ConventionArchive, claimed.id, populate_existing=True)
        assert archive is not None
        if values["state"] == ArchiveState.FAIT.value:
            summary = (
                f"Archive PDF/A-2b faite ({archive.size} octets) ; empreinte SHA-256 du PDF "
                f"{archive.pdf_sha256}, du texte signé {archive.text_sha256}"
            )
            _journal(session, archive, "archive_faite", summary)
        else:
            _journal(session, archive, "archive_echec", f"Archive PDF/A en échec : {archive.error}")
        return True


def _journal(session: Session, archive: ConventionArchive, action: str, summary: str) -> None:
    cid = archive.convention_id
    audit.record(session, action, summary[:500], None, cid, "convention", cid)


class ArchiveFailed(Exception):
    """Why this try gave no archive, in French, as the page shows it."""


def run(archive_id: int, now: datetime | None = None) -> bool:
    """Claim the archive and make it; False when it was not ours to make. Any failure,
    expected (LibreOffice missing, overrunning, a PDF that is not a PDF/A) or not, is
    recorded on the row with its next try; none is left unsaid."""
    claimed = claim(archive_id, now)
    if claimed is None:
        return False
    try:
        data = _convert(claimed.id)
    except Exception as error:  # recorded, logged and tried again: never swallowed
        if isinstance(error, ArchiveFailed | pdf.ConversionFailed):
            message = str(error)
            log.warning("archive %s failed: %s", archive_id, message)
        else:
            message = f"Erreur inattendue pendant l'archivage ({type(error).__name__} : {error})."
            log.exception("archive %s failed unexpectedly", archive_id)
        retry_at = next_try(claimed.attempt, now or utcnow())
        _finish(
            claimed,
            state=ArchiveState.ECHEC.value,
            error=message[:ERROR_MAX_CHARS],
            retry_at=retry_at,
        )
        return True
    digest = hashlib.sha256(data).hexdigest()
    _finish(
        claimed,
        state=ArchiveState.FAIT.value,
        pdf=data,
        pdf_sha256=digest,
        size=len(data),
        error="",
        retry_at=None,
    )
    log.info("archive %s made: %d bytes, sha256 %s", archive_id, len(data), digest)
    return True


def _convert(archive_id: int) -> bytes:
    """The PDF/A-2b of the signed convention: its Word export, checked to hold exactly
    the signed text, converted, and checked to declare PDF/A-2b in its XMP metadata."""
    session = db_session()
    archive = session.get(ConventionArchive, archive_id, populate_existing=True)
    assert archive is not None
    convention = session.get(Convention, archive.convention_id, populate_existing=True)
    assert convention is not None
    if convention.signed_sha256 != archive.text_sha256:
        raise ArchiveFailed(
            "Le texte signé a changé depuis la demande d'archive : elle sera refaite."
        )
    # The export as of the signature: its stage is « Signée » even once evaluations began.
    doc = dataclasses.replace(
        convention_doc(convention.id), state=STATE_LABELS[ConventionState.SIGNEE]
    )
    _, digest = fingerprint(doc.title, [(s.title, s.body) for s in doc.sections])
    if digest != archive.text_sha256:
        raise ArchiveFailed(
            "Les sections ne redonnent plus exactement le texte signé (empreinte "
            f"{digest} au lieu de {archive.text_sha256}) : l'archive n'a pas été faite."
        )
    docx = export_docx(doc)
    session.rollback()  # no transaction stays open during the conversion
    executable = pdf.command()
    if executable is None:
        configured = current_app.config.get("SOFFICE_COMMAND") or pdf.DEFAULT_COMMAND
        raise ArchiveFailed(
            f"LibreOffice (« {configured} ») est introuvable sur le serveur qui fait les "
            "archives : installez-le (make office) ou corrigez COSIGNE_SOFFICE, puis relancez."
        )
    data = pdf.convert(
        executable,
        docx,
        archival=True,
        timeout=_timeout(),
        max_bytes=int(current_app.config["ARCHIVE_MAX_BYTES"]),
    )
    problem = pdfa_problem(*_pdfa_identification(data))
    if problem:
        raise ArchiveFailed(problem)
    return data


def _pdfa_identification(data: bytes) -> tuple[str | None, str | None]:
    """The PDF/A part and conformance the PDF's XMP metadata declare (pypdf reads them)."""
    try:
        xmp = PdfReader(io.BytesIO(data)).xmp_metadata
    except PyPdfError as error:
        raise ArchiveFailed(f"LibreOffice a produit un PDF illisible ({error}).") from None
    if xmp is None:
        return None, None
    return xmp.pdfaid_part, xmp.pdfaid_conformance


def due_ids(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    now = now or utcnow()
    return list(
        db_session().scalars(
            select(ConventionArchive.id)
            .where(_claimable(now))
            .order_by(ConventionArchive.requested_at, ConventionArchive.id)
            .limit(limit)
        )
    )


def run_due(now: datetime | None = None) -> int:
    """The sweep: every archive waiting (its message lost, or the queue down at the
    signing), due for its next try, or whose worker died. Returns how many it made or
    failed."""
    done = 0
    for archive_id in due_ids(now):
        db_session().rollback()  # each on a fresh snapshot
        if run(archive_id, now):
            done += 1
    return done
