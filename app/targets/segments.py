"""Segments of the organisme's stock on the engagements page: added, removed, listed
with the warnings of workflows.segments. A segment is part of the convention's text
(the scale of its targets): it changes while targets do (``phase_refusal("cible")``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app import audit
from app.db import db_session, write_transaction
from app.models import PatrimonySegment, User
from app.targets.operations import _lock_convention
from workflows import segments as rules
from workflows import targets as target_rules
from workflows.errors import Conflict, InvalidInput, NotFound, TooLarge


@dataclass(frozen=True)
class Listed:
    id: int
    name: str
    departement: str
    dwellings: int
    warnings: tuple[str, ...]


def listed(convention_id: int) -> list[Listed]:
    rows = list(
        db_session().scalars(
            select(PatrimonySegment)
            .where(PatrimonySegment.convention_id == convention_id)
            .order_by(PatrimonySegment.departement, PatrimonySegment.name)
        )
    )
    found = rules.warnings(rules.Segment(r.name, r.departement, r.dwellings) for r in rows)
    return [
        Listed(r.id, r.name, r.departement, r.dwellings, tuple(found.get(r.name, ()))) for r in rows
    ]


def add(
    convention_id: int, actor: User, name: object, departement: object, dwellings: object
) -> tuple[PatrimonySegment, tuple[str, ...]]:
    """Add a segment; its warnings (with the others of its département) come back."""
    segment = rules.clean_segment(name, departement, dwellings)
    with write_transaction() as session:
        convention = _lock_convention(session, convention_id)
        refusal = target_rules.phase_refusal("cible", convention.state, convention.lifecycle)
        if refusal:
            raise Conflict(refusal.replace("Les cibles", "Les segments et les cibles", 1))
        where = PatrimonySegment.convention_id == convention_id
        count = session.scalar(select(func.count()).select_from(PatrimonySegment).where(where))
        if (count or 0) >= rules.MAX_SEGMENTS:
            raise TooLarge(f"{rules.MAX_SEGMENTS} segments au plus par convention.")
        if session.scalar(
            select(PatrimonySegment.id).where(where, PatrimonySegment.name == segment.name)
        ):
            raise InvalidInput(f"Un segment « {segment.name} » existe déjà.", field="name")
        row = PatrimonySegment(
            convention_id=convention_id,
            name=segment.name,
            departement=segment.departement,
            dwellings=segment.dwellings,
            created_by_id=actor.id,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            "segment",
            f"Segment « {segment.name} » ({segment.departement}, {segment.dwellings} logements)",
            actor,
            convention_id,
            "patrimony_segment",
            row.id,
        )
        others = session.scalars(select(PatrimonySegment).where(where))
        found = rules.warnings(rules.Segment(r.name, r.departement, r.dwellings) for r in others)
    return row, tuple(found.get(segment.name, ()))


def remove(convention_id: int, actor: User, segment_id: int) -> None:
    with write_transaction() as session:
        convention = _lock_convention(session, convention_id)
        refusal = target_rules.phase_refusal("cible", convention.state, convention.lifecycle)
        if refusal:
            raise Conflict(refusal.replace("Les cibles", "Les segments et les cibles", 1))
        row = session.get(PatrimonySegment, segment_id)
        if row is None or row.convention_id != convention_id:
            raise NotFound("Segment introuvable.")
        audit.record(
            session,
            "segment_supprime",
            f"Segment supprimé : « {row.name} » ({row.departement})",
            actor,
            convention_id,
            "patrimony_segment",
            row.id,
        )
        session.delete(row)
