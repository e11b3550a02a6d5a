"""Reads of the organisations' ties, and the proposal they make for one convention."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import members
from app.db import db_session
from app.models import Convention, Organisation, OrganisationTerritory, OrganismePatrimoine
from workflows.conventions import COLLECTIVITES, ConventionKind, OrganisationKind
from workflows.permissions import Role
from workflows.ties import Party, Place, Ties, ties


def organisations() -> list[Organisation]:
    return list(
        db_session().scalars(
            select(Organisation)
            .options(selectinload(Organisation.territory), selectinload(Organisation.rattachement))
            .order_by(Organisation.name)
        )
    )


def collectivites(but: int | None = None) -> list[Organisation]:
    """The organisations an office may be attached to, by name."""
    return [o for o in organisations() if o.kind in COLLECTIVITES and o.id != but]


def party_of(organisation: Organisation) -> Party:
    return Party(
        organisation.id,
        organisation.name,
        OrganisationKind(organisation.kind),
        frozenset(Place(t.level, t.code) for t in organisation.territory),
        organisation.plh_executoire,
    )


def patrimoine(organisme_id: int) -> list[OrganismePatrimoine]:
    return list(
        db_session().scalars(
            select(OrganismePatrimoine)
            .where(OrganismePatrimoine.organisme_id == organisme_id)
            .order_by(OrganismePatrimoine.level, OrganismePatrimoine.code)
        )
    )


def territory_row(organisation_id: int, place_id: int) -> OrganisationTerritory | None:
    row = db_session().get(OrganisationTerritory, place_id)
    return row if row is not None and row.organisation_id == organisation_id else None


def convention_ties(convention: Convention) -> Ties | None:
    """Who the ties say must take part in a CUS, and what to warn of before its
    transmission; None for the other kinds (the law ties the CUS alone)."""
    if convention.kind is not ConventionKind.CUS:
        return None
    known = {o.id: o for o in organisations()}
    organisme = known[convention.organisme_id]
    rattachement = known.get(organisme.rattachement_id) if organisme.rattachement_id else None
    roles: dict[int, Role] = {
        m.organisation_id: Role(m.role)
        for m in members(convention.id)
        if m.organisation_id is not None
    }
    return ties(
        party_of(organisme),
        party_of(rattachement) if rattachement is not None else None,
        [party_of(o) for o in known.values() if o.kind in COLLECTIVITES],
        [Place(p.level, p.code) for p in patrimoine(organisme.id)],
        roles,
    )
