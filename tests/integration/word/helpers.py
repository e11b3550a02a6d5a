"""Counting what an import wrote, sending documents back as partners do, Word drafts."""

from __future__ import annotations

import io
from datetime import datetime

import docx
from sqlalchemy import func, select

from app.db import db_session
from app.models import CommentThread, Contribution, Revision, Section
from app.sections import queries
from workflows.word.export import ConventionDoc, Proposal, SectionDoc, export_docx


def count(app, model) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def counts(app) -> tuple[int, int, int]:
    return count(app, Contribution), count(app, CommentThread), count(app, Revision)


def section_title(app, section_id: int) -> str:
    with app.app_context():
        return db_session().get(Section, section_id).title


def import_docx(client, headers, convention_id, data, name="retour.docx", **form):
    fields = {"file": (io.BytesIO(data), name), **form}
    return client.post(
        f"/api/conventions/{convention_id}/import.docx",
        data=fields,
        headers=headers,
        content_type="multipart/form-data",
    )


def partner_document(app, world, author: str, proposal: str, base: str) -> bytes:
    """A document as a partner sends it back: the section with its revision marks."""
    title = section_title(app, world.section_id)
    return export_docx(
        ConventionDoc(
            id=world.convention_id,
            kind="Convention d'utilité sociale",
            title="CUS test",
            organisme="OPH Test",
            period="2025-2030",
            state="Négociation",
            exported_at=datetime(2026, 11, 1),
            sections=(
                SectionDoc(
                    world.section_id,
                    title,
                    base,
                    1,
                    proposals=(Proposal(0, author, datetime(2026, 11, 2, 14, 0), proposal),),
                ),
            ),
        ),
        tracked=True,
    )


def draft() -> bytes:
    document = docx.Document()
    document.add_paragraph("Projet de CUS", style="Title")
    document.add_paragraph("1. État des lieux", style="Heading 1")
    document.add_paragraph("Le parc compte 8 400 logements.")
    document.add_paragraph("Qualité du service rendu aux locataires", style="Heading 1")
    document.add_paragraph("Enquête tous les deux ans ;", style="List Bullet")
    document.add_paragraph("astreinte le week-end.", style="List Bullet")
    document.add_paragraph("Annexe locale", style="Heading 1")
    document.add_paragraph("Un engagement propre au territoire.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def sections_of(app, convention_id: int) -> dict[str, str]:
    with app.app_context():
        return {
            s.title: (s.current_revision.body if s.current_revision else "")
            for s in queries.sections_with_current(convention_id)
        }
