"""The knowledge base's long work, done out of the web request: a document uploaded on
the web is stored with its bytes in ``kb_job`` in the request's transaction and ingested
later by a worker (``app.jobs.tasks``) through the same ``operations.ingest``, its file
still read in the child process; a rebuild of the index likewise.

As for the outbox, the row is the truth and the queue only a hint: the request hands
the job's id to the queue after its commit, and if the queue is unreachable the
minute's sweep (``run_due``) finds the job still ``en_attente``. A worker claims a job
with one conditional UPDATE (waiting, or ``en_cours`` with its lease passed: the worker
that held it died), so that of two workers racing for one upload exactly one ingests
it; the result is recorded only if the claim is still the worker's. After
``MAX_ATTEMPTS`` claims that never finished (a worker killed by each try), the job is
``echec``. A refused file (unreadable, past a limit) is ``echec`` at once with the
refusal's message, and nothing of it is written: ``operations.ingest`` writes the
document and its passages in one transaction, after the reading.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from app import leases
from app.db import db_session, write_transaction
from app.kb import operations, vectors
from app.kb.queries import MAX_UPLOAD_BYTES
from app.models import KbDocument, KbJob, User, utcnow
from knowledge.ingest.extract import SUPPORTED_EXTENSIONS, checksum
from knowledge.types import DocumentKind, DocumentStatus
from workflows.conventions import clean_title
from workflows.errors import Conflict, CosigneError, InvalidInput
from workflows.files import check_upload

log = logging.getLogger(__name__)

EN_ATTENTE, EN_COURS, FAIT, ECHEC = "en_attente", "en_cours", "fait", "echec"
INGEST, REINDEX = "ajout", "reindexation"
STATE_LABELS = {
    EN_ATTENTE: "En attente",
    EN_COURS: "En cours",
    FAIT: "Fait",
    ECHEC: "En échec",
}
MAX_ATTEMPTS = 3
SWEEP_LIMIT = 50  # jobs per sweep: the next minute's sweep takes the rest
SHOWN = 50
FAILED_SHOWN = timedelta(days=30)


def lease() -> timedelta:
    """How long a claim holds: past it, the worker is taken for dead. Longer than a
    reading may take (``PARSE_TIMEOUT_SECONDS``) and than a rebuild of the index."""
    return timedelta(seconds=float(current_app.config["KB_JOB_LEASE_SECONDS"]))


@dataclass(frozen=True)
class Queued:
    """What the upload page tells: the job waiting, or the document already there."""

    job_id: int | None
    title: str
    existing: bool = False


def queue_upload(
    filename: str,
    data: bytes,
    kind: str,
    title: str | None = None,
    status: str = DocumentStatus.EN_VIGUEUR.value,
    published_on: date | None = None,
    user: User | None = None,
) -> Queued:
    """Check at the door what needs no parsing (empty, size, extension, type, status,
    title), then store the upload as a waiting job in one transaction. The same file as
    a stored document, or as an upload still waiting, is recognised and queued no more."""
    try:
        DocumentKind(kind)
        DocumentStatus(status)
    except ValueError:
        raise InvalidInput(f"Type « {kind} » ou statut « {status} » inconnu.") from None
    name = check_upload(filename, data, SUPPORTED_EXTENSIONS, MAX_UPLOAD_BYTES)
    title = clean_title(
        title or Path(name).stem.replace("-", " ").replace("_", " "), "Le titre du document"
    )[:300]
    digest = checksum(data)
    with write_transaction() as session:
        stored = session.scalar(select(KbDocument).where(KbDocument.checksum == digest))
        if stored is not None:
            return Queued(None, stored.title, existing=True)
        waiting = session.scalar(
            select(KbJob).where(
                KbJob.action == INGEST,
                KbJob.checksum == digest,
                KbJob.state.in_((EN_ATTENTE, EN_COURS)),
            )
        )
        if waiting is not None:
            return Queued(waiting.id, waiting.title, existing=True)
        job = KbJob(
            action=INGEST,
            filename=Path(filename).name[:300],
            title=title,
            kind=kind,
            doc_status=status,
            published_on=published_on,
            data=data,
            size=len(data),
            checksum=digest,
            user_id=user.id if user else None,
        )
        session.add(job)
        session.flush()
        return Queued(job.id, title)


def queue_reindex(user: User | None = None) -> int:
    """A rebuild of the index, once at a time: refused while one waits or runs (the
    partial unique index settles two administrators who click at once)."""
    message = "Une reconstruction de l'index est déjà demandée ou en cours."
    try:
        with write_transaction() as session:
            running = session.scalar(
                select(KbJob.id).where(
                    KbJob.action == REINDEX, KbJob.state.in_((EN_ATTENTE, EN_COURS))
                )
            )
            if running is not None:
                raise Conflict(message)
            job = KbJob(action=REINDEX, user_id=user.id if user else None)
            session.add(job)
            session.flush()
            return job.id
    except IntegrityError:
        raise Conflict(message) from None


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        KbJob.state == EN_ATTENTE,
        and_(KbJob.state == EN_COURS, KbJob.claimed_until < now),
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    token: str
    action: str


def claim(job_id: int, now: datetime | None = None) -> Claimed | None:
    """Take the job, or None when it is not ours (done, failed, or held by a worker
    whose lease runs). A job claimed ``MAX_ATTEMPTS`` times without an end fails."""
    now = now or utcnow()
    with write_transaction() as session:
        token = leases.take(
            session,
            KbJob,
            job_id,
            _claimable(now),
            state=EN_COURS,
            claimed_until=now + lease(),
            attempts=KbJob.attempts + 1,
        )
        if token is None:
            return None
        job = session.get(KbJob, job_id, populate_existing=True)
        assert job is not None  # the UPDATE just matched it
        if job.attempts > MAX_ATTEMPTS:
            job.state, job.claim_token, job.data = ECHEC, "", b""
            job.error = (
                f"Abandonné après {MAX_ATTEMPTS} essais interrompus "
                "(le traitement s'est arrêté sans finir)."
            )
            job.finished_at = now
            log.error("Tâche de la base documentaire %s abandonnée : %s", job_id, job.error)
            return None
        return Claimed(job.id, token, job.action)


def _finish(claimed: Claimed, **values: object) -> bool:
    """Record the end, if the claim is still ours (a worker past its lease may have
    been relieved meanwhile: then the other one's record stands)."""
    with write_transaction() as session:
        return leases.release(
            session, KbJob, claimed.id, claimed.token, finished_at=utcnow(), **values
        )


def run(job_id: int) -> bool:
    """Claim the job and do it; False when it was not ours to do. A refusal (a file
    that cannot be read, a limit) is recorded as ``echec``; any other error is raised
    and the job stays claimed until its lease passes, then is tried again."""
    claimed = claim(job_id)
    if claimed is None:
        return False
    if claimed.action == REINDEX:
        count = operations.reindex()
        _finish(claimed, state=FAIT, result=f"{count} passages indexés")
        return True
    job = db_session().get(KbJob, claimed.id, populate_existing=True)
    assert job is not None
    user = db_session().get(User, job.user_id) if job.user_id else None
    try:
        document, created = operations.ingest(
            job.filename,
            job.data,
            job.kind,
            title=job.title,
            status=job.doc_status,
            published_on=job.published_on,
            user=user,
        )
    except CosigneError as refusal:
        _finish(claimed, state=ECHEC, error=str(refusal)[:1000], data=b"")
        return True
    result = (
        f"{len(document.passages)} passages indexés"
        if created
        else f"déjà dans la base : « {document.title} »"
    )
    _finish(claimed, state=FAIT, result=result[:300], document_id=document.id, data=b"")
    return True


def due_ids(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    now = now or utcnow()
    return list(
        db_session().scalars(
            select(KbJob.id)
            .where(_claimable(now))
            .order_by(KbJob.created_at, KbJob.id)
            .limit(limit)
        )
    )


def run_due(now: datetime | None = None) -> int:
    """The sweep: every job still waiting (its message lost, or the queue down at the
        upload) or whose worker died, then the passages still without a vector of the
    configured model (app/kb/vectors.py). Returns how many jobs this call did."""
    done = 0
    for job_id in due_ids(now):
        db_session().rollback()  # each job on a fresh snapshot
        if run(job_id):
            done += 1
    # The passages' vectors catch up here, in the worker (app/kb/projection.py).
    db_session().rollback()
    vectors.compute_missing()
    return done


def uploads_shown(now: datetime | None = None) -> list[KbJob]:
    """The uploads that wait or run, and those that failed in the last ``FAILED_SHOWN``
    (after which a refusal is old news), most recent first."""
    now = now or utcnow()
    return list(
        db_session().scalars(
            select(KbJob)
            .where(
                KbJob.action == INGEST,
                or_(
                    KbJob.state.in_((EN_ATTENTE, EN_COURS)),
                    and_(KbJob.state == ECHEC, KbJob.created_at >= now - FAILED_SHOWN),
                ),
            )
            .order_by(KbJob.created_at.desc(), KbJob.id.desc())
            .limit(SHOWN)
        )
    )


def last_reindex() -> KbJob | None:
    return db_session().scalar(
        select(KbJob).where(KbJob.action == REINDEX).order_by(KbJob.id.desc()).limit(1)
    )
