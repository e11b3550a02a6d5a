"""Reading the State's internal opinions: only for a member whose organisation is a
State service (the others are never given them, nor told they exist)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import db_session
from app.models import Section, StateOpinion, User, iso
from workflows.state import is_state


def reads_opinions(user: User) -> bool:
    return is_state(user.organisation.kind)


def opinions(convention_id: int, section_id: int | None = None) -> list[StateOpinion]:
    """The convention's opinions (``section_id``: those on that section), oldest first."""
    query = (
        select(StateOpinion)
        .where(StateOpinion.convention_id == convention_id)
        .options(joinedload(StateOpinion.author), joinedload(StateOpinion.organisation))
        .order_by(StateOpinion.id)
    )
    if section_id is not None:
        query = query.where(StateOpinion.section_id == section_id)
    return list(db_session().scalars(query))


def for_section(section: Section, user: User) -> dict[str, Any]:
    """What the section page adds for the State's services: the opinions on it."""
    if not reads_opinions(user):
        return {"state_opinions": None}
    return {"state_opinions": opinions(section.convention_id, section.id)}


def opinion_json(opinion: StateOpinion) -> dict[str, Any]:
    return {
        "id": opinion.id,
        "section_id": opinion.section_id,
        "organisation": opinion.organisation.name,
        "author": opinion.author.name,
        "territory": opinion.territory,
        "body": opinion.body,
        "created_at": iso(opinion.created_at),
    }
