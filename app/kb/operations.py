"""Knowledge base operations: ingest, remove, reindex.

The text work is in knowledge/ (ingest: extract, clean, cut into passages); this module
stores documents and passages in the database (the source of truth) and keeps the
search index, a projection of them, in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app import audit
from app.db import db_session, write_transaction
from app.kb import vectors
from app.kb.projection import search_documents
from app.kb.queries import index
from app.models import KbDocument, KbPassage, User
from app.parsing import content_limits, isolated
from knowledge.ingest.extract import checksum
from knowledge.ingest.reading import read_upload
from knowledge.types import DocumentKind, DocumentStatus
from workflows.conventions import clean_title
from workflows.errors import InvalidInput, NotFound
from workflows.files import FileRefused

INDEX_BATCH = 500


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} ajouté(s) ({self.passages} passages)",
            f"{len(self.unchanged)} inchangé(s)",
            f"{len(self.refused)} refusé(s)",
        ]
        return ", ".join(parts)


def ingest(
    filename: str,
    data: bytes,
    kind: str,
    title: str | None = None,
    status: str = DocumentStatus.EN_VIGUEUR.value,
    published_on: date | None = None,
    user: User | None = None,
    in_child: bool = True,
) -> tuple[KbDocument, bool]:
    """Store one document and its passages in one transaction, then index them.

    Returns (document, created); the same file twice is recognised by its checksum and
    changes nothing. A file that cannot be read, or holds more than the content caps,
    raises FileRefused before anything is written or indexed. The file is read in a
    child process within the configured time and memory (``app.parsing``); the command
    line, which serves no one else, may read in its own process (``in_child=False``),
    with the same content caps.
    """
    try:
        kind_value = DocumentKind(kind)
        status_value = DocumentStatus(status)
    except ValueError:
        raise InvalidInput(f"Type « {kind} » ou statut « {status} » inconnu.") from None
    title = clean_title(
        title or Path(filename).stem.replace("-", " ").replace("_", " "), "Le titre du document"
    )[:300]
    digest = checksum(data)
    session = db_session()
    existing = session.scalar(select(KbDocument).where(KbDocument.checksum == digest))
    if existing is not None:
        return existing, False
    limits = content_limits()
    reading = (
        isolated(read_upload, filename, data, limits, filename=filename)
        if in_child
        else read_upload(filename, data, limits)
    )
    blocks, passages = reading.blocks, reading.passages
    if not passages:
        raise FileRefused(f"{filename} : aucun texte exploitable.")
    with write_transaction() as session:
        # Checked again under the write lock: another worker may have stored it meanwhile.
        stored = session.scalar(select(KbDocument).where(KbDocument.checksum == digest))
        if stored is not None:
            return stored, False
        document = KbDocument(
            title=title,
            kind=kind_value,
            status=status_value,
            published_on=published_on,
            filename=Path(filename).name[:300],
            checksum=digest,
            size=len(data),
            text="\n\n".join(b.text for b in blocks),
            uploaded_by_id=user.id if user else None,
        )
        session.add(document)
        session.flush()
        rows = [
            KbPassage(
                document_id=document.id,
                ordinal=p.ordinal,
                heading=" › ".join(p.heading_path)[:1000],
                locator=p.locator[:200],
                indicator=p.indicator,
                text=p.text,
            )
            for p in passages
        ]
        session.add_all(rows)
        session.flush()
        if user is not None:
            audit.record(
                session, "kb_ajout", f"Document « {title} » ajouté à la base documentaire", user
            )
    index().add(search_documents(document, rows))
    # Out of the web request: this runs in the job worker (uploads) or the command line.
    vectors.compute_missing()
    return document, True


def remove(document_id: int, user: User | None = None) -> str:
    with write_transaction() as session:
        document = session.get(KbDocument, document_id)
        if document is None:
            raise NotFound(f"Document {document_id} introuvable.")
        title = document.title
        session.delete(document)
        if user is not None:
            audit.record(
                session, "kb_retrait", f"Document « {title} » retiré de la base documentaire", user
            )
    index().delete_document(document_id)
    return title


def reindex(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database, then the passages' vectors (when a model is
    configured); ``progress`` is told of each batch."""
    target = index()
    target.clear()
    vectors.clear()
    session = db_session()
    total = 0
    for document in session.scalars(select(KbDocument).order_by(KbDocument.id)):
        passages = session.scalars(
            select(KbPassage)
            .where(KbPassage.document_id == document.id)
            .order_by(KbPassage.ordinal)
        ).all()
        for start in range(0, len(passages), INDEX_BATCH):
            batch = passages[start : start + INDEX_BATCH]
            total += target.add(search_documents(document, batch))
            if progress:
                progress(len(batch))
    target.optimize()
    vectors.compute_missing()
    return total
