"""Reading the State's internal opinions: only for a member whose organisation is a
State service (the others are never given them, nor told they exist)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class OpinionGroup:
    """The opinions on one section (``section`` None: on the convention as a whole)."""

    section: Section | None
    number: int | None  # the section's place in the document, from 1
    opinions: list[StateOpinion]


def gathered(convention_id: int) -> list[OpinionGroup]:
    """Every internal opinion on the convention, for the negotiator to gather them: those
    on the convention as a whole first, then section by section in the document's order
    (oldest first in each); the sections without an opinion are left out."""
    found = opinions(convention_id)
    sections = db_session().scalars(
        select(Section)
        .where(Section.convention_id == convention_id)
        .order_by(Section.position, Section.id)
    )
    by_section: dict[int | None, list[StateOpinion]] = {}
    for opinion in found:
        by_section.setdefault(opinion.section_id, []).append(opinion)
    groups = []
    if None in by_section:
        groups.append(OpinionGroup(None, None, by_section[None]))
    for number, section in enumerate(sections, start=1):
        if section.id in by_section:
            groups.append(OpinionGroup(section, number, by_section[section.id]))
    return groups


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
