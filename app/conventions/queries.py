"""Reading conventions: their members, the dashboard, a convention's page (which gathers
what the other features hold of it), and the shape the API gives a convention."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.access import conventions_for, members
from app.accounts.queries import organisations
from app.activity.queries import inbox
from app.contributions.queries import open_counts
from app.db import db_session
from app.forms import choices
from app.lifecycle.queries import deadlines_of, refusals, signatures
from app.models import Convention, User, iso
from app.review.queries import signatories
from app.sections.queries import sections_with_current
from workflows.conventions import ConventionKind
from workflows.lifecycle import ORDER, TRANSITIONS, ConventionState, signing_open
from workflows.permissions import can_create_convention


def organisation_choices() -> list[SelectChoice]:
    """The organisations one may add as participants, as a select's options."""
    return choices([("", "—")] + [(o.id, o.name) for o in organisations()])


def cadres_of(organisation_id: int) -> list[Convention]:
    return list(
        db_session().scalars(
            select(Convention).where(
                Convention.organisme_id == organisation_id,
                Convention.kind == ConventionKind.CADRE,
            )
        )
    )


def dashboard(user: User) -> dict[str, Any]:
    """The user's conventions with their role, and what awaits them."""
    return {
        "conventions": conventions_for(user),
        "can_create": can_create_convention(user.organisation.kind, user.is_admin),
        "inbox": inbox(user),
    }


def convention_page(convention: Convention) -> dict[str, Any]:
    """A convention's page: its sections with their open contributions, its members, the
    steps it may take next with why each would be refused, its deadlines and signatures."""
    state = convention.state
    found = signatures(convention.id)
    signed_ids = {s.membership_id for s in found}
    return {
        "sections": sections_with_current(convention.id),
        "members": members(convention.id),
        "steps": [(to, refusals(convention, to)) for to in TRANSITIONS[state]],
        "deadlines": deadlines_of(convention),
        "signatures": found,
        "unsigned": [
            (m.id, m.party_name)
            for m in signatories(db_session(), convention.id)
            if m.id not in signed_ids
        ],
        "signing_open": signing_open(state),
        "open_counts": open_counts(convention.id),
        "backwards": lambda to: _before(to, state),
    }


def _before(to: ConventionState, state: ConventionState) -> bool:
    return ORDER.index(to) < ORDER.index(state)


def convention_json(convention: Convention, role: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": convention.id,
        "kind": convention.kind.value,
        "title": convention.title,
        "organisme": {"id": convention.organisme.id, "name": convention.organisme.name},
        "start_year": convention.start_year,
        "end_year": convention.end_year,
        "state": convention.state.value,
        "cadre_id": convention.cadre_id,
        "created_at": iso(convention.created_at),
    }
    if role is not None:
        data["role"] = role
    return data
