"""Read-side helpers: what a page or an API answer needs, in as few queries as possible."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import defer, joinedload

from app.db import db_session
from app.models import Convention, Membership, Organisation, Revision, Section, User
from workflows.conventions import ConventionKind
from workflows.permissions import Role, effective_role


def role_of(user: User, convention_id: int) -> Role | None:
    """The role ``user`` acts with in a convention (None when not a member)."""
    rows = db_session().execute(
        select(Membership.user_id, Membership.role).where(
            Membership.convention_id == convention_id,
            or_(Membership.user_id == user.id, Membership.organisation_id == user.organisation_id),
        )
    )
    personal = organisational = None
    for user_id, role in rows:
        if user_id is not None:
            personal = role
        else:
            organisational = role
    return effective_role(personal, organisational)


def conventions_for(user: User) -> list[tuple[Convention, Role]]:
    """Conventions the user takes part in, personally or through their organisation."""
    session = db_session()
    rows = session.execute(
        select(Convention, Membership.user_id, Membership.role)
        .join(Membership, Membership.convention_id == Convention.id)
        .where(
            or_(Membership.user_id == user.id, Membership.organisation_id == user.organisation_id)
        )
        .options(joinedload(Convention.organisme))
        .order_by(Convention.created_at.desc(), Convention.id.desc())
    )
    personal: dict[int, Role] = {}
    organisational: dict[int, Role] = {}
    conventions: dict[int, Convention] = {}
    for convention, user_id, role in rows:
        conventions[convention.id] = convention
        (personal if user_id is not None else organisational)[convention.id] = role
    result = []
    for cid, convention in conventions.items():
        role = effective_role(personal.get(cid), organisational.get(cid))
        assert role is not None
        result.append((convention, role))
    return result


def sections_with_current(convention_id: int) -> list[Section]:
    return list(
        db_session().scalars(
            select(Section)
            .where(Section.convention_id == convention_id)
            .options(joinedload(Section.current_revision).joinedload(Revision.author))
            .order_by(Section.position, Section.id)
        )
    )


def members(convention_id: int) -> list[Membership]:
    return list(
        db_session().scalars(
            select(Membership)
            .where(Membership.convention_id == convention_id)
            .options(joinedload(Membership.organisation), joinedload(Membership.user))
            .order_by(Membership.role, Membership.id)
        )
    )


def history(section_id: int, limit: int | None = None, offset: int = 0) -> list[Revision]:
    """Revisions newest first, for listing: the bodies are left in the database (a
    thousand two-page revisions weigh 10 MB) and load only if one is read."""
    query = (
        select(Revision)
        .where(Revision.section_id == section_id)
        .options(defer(Revision.body), joinedload(Revision.author).joinedload(User.organisation))
        .order_by(Revision.number.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db_session().scalars(query))


def revision_count(section_id: int) -> int:
    return (
        db_session().scalar(
            select(func.count(Revision.id)).where(Revision.section_id == section_id)
        )
        or 0
    )


def revision(section_id: int, number: int) -> Revision | None:
    return db_session().scalar(
        select(Revision)
        .where(and_(Revision.section_id == section_id, Revision.number == number))
        .options(joinedload(Revision.author))
    )


def organisations() -> list[Organisation]:
    return list(db_session().scalars(select(Organisation).order_by(Organisation.name)))


def users() -> list[User]:
    return list(
        db_session().scalars(
            select(User).options(joinedload(User.organisation)).order_by(User.email)
        )
    )


def cadres_of(organisation_id: int) -> list[Convention]:
    return list(
        db_session().scalars(
            select(Convention).where(
                Convention.organisme_id == organisation_id,
                Convention.kind == ConventionKind.CADRE,
            )
        )
    )
