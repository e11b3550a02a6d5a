"""Who takes part in a convention, person by person, with the role each acts with: the
candidates of a notification are chosen among them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Membership, Organisation, User
from workflows.permissions import Role, effective_role
from workflows.state import is_state


def roles_of_members(session: Session, convention_id: int) -> dict[int, Role]:
    """Every active user of a convention and the role they act with (a personal
    membership overrides their organisation's), in two queries."""
    memberships = list(
        session.execute(
            select(Membership.user_id, Membership.organisation_id, Membership.role).where(
                Membership.convention_id == convention_id
            )
        )
    )
    personal = {uid: role for uid, _org, role in memberships if uid is not None}
    by_org = {org: role for uid, org, role in memberships if uid is None and org is not None}
    rows = session.execute(
        select(User.id, User.organisation_id).where(
            User.active,
            or_(User.id.in_(personal or [-1]), User.organisation_id.in_(by_org or [-1])),
        )
    )
    result = {}
    for uid, org in rows:
        role = effective_role(personal.get(uid), by_org.get(org))
        if role is not None:
            result[uid] = role
    return result


def having(roles: dict[int, Role], *wanted: Role) -> set[int]:
    return {uid for uid, role in roles.items() if role in wanted}


def of_state(session: Session, roles: dict[int, Role]) -> set[int]:
    """Those of ``roles``' users whose organisation is a State service."""
    rows = session.execute(
        select(User.id, Organisation.kind)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(list(roles) or [-1]))
    )
    return {uid for uid, kind in rows if is_state(kind)}
