"""Writes of the organisations' ties: an organisation's nature, rattachement and PLH, its
territory (the administrator's), where an organisme owns housing (its drafters').

Each reads its values through ``workflows.ties``, which refuses beside the field."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.access import role_of
from app.db import write_transaction
from app.models import Convention, Organisation, OrganisationTerritory, OrganismePatrimoine, User
from workflows.conventions import (
    COLLECTIVITES,
    ORGANISATION_KIND_LABELS,
    OrganisationKind,
    parse_id,
)
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.permissions import may_record_patrimoine
from workflows.ties import (
    LEVEL_LABELS,
    Party,
    Place,
    check_rattachement,
    plh_of,
    read_level,
    read_logements,
    read_name,
    read_place,
)


def _kind(raw: str | None) -> OrganisationKind:
    try:
        return OrganisationKind((raw or "").strip())
    except ValueError:
        raise InvalidInput("Choisissez la nature de l'organisation.", field="kind") from None


def _organisation(session: Session, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound("Organisation introuvable.")
    return found


def save_organisation(
    organisation_id: int,
    kind_raw: str | None,
    rattachement_raw: str | None,
    plh_raw: str | None,
    actor: User,
) -> Organisation:
    """Set an organisation's nature, its collectivité de rattachement (an office's only)
    and its PLH's status (an EPCI's or an EPT's only)."""
    kind = _kind(kind_raw)
    with write_transaction() as session:
        organisation = _organisation(session, organisation_id)
        rattachement = None
        if (rattachement_raw or "").strip():
            wanted = parse_id((rattachement_raw or "").strip())
            rattachement = session.get(Organisation, wanted) if wanted else None
            if rattachement is None:
                raise InvalidInput("Collectivité introuvable.", field="rattachement_id")
        check_rattachement(
            kind,
            Party(rattachement.id, rattachement.name, OrganisationKind(rattachement.kind))
            if rattachement is not None
            else None,
            organisation.id,
        )
        plh = plh_of(kind, plh_raw)
        if kind not in COLLECTIVITES:
            attached = session.scalar(
                select(Organisation.name).where(Organisation.rattachement_id == organisation.id)
            )
            if attached is not None:
                raise InvalidInput(
                    f"{attached} est rattaché à {organisation.name}, qui reste donc une "
                    "collectivité (EPCI, EPT, département ou commune).",
                    field="kind",
                )
        organisation.kind = kind
        organisation.rattachement_id = rattachement.id if rattachement is not None else None
        organisation.plh_executoire = plh
        audit.record(
            session,
            "organisation",
            f"{organisation.name} : {ORGANISATION_KIND_LABELS[kind]}"
            + (f", rattaché à {rattachement.name}" if rattachement is not None else "")
            + ("" if plh is None else f", PLH exécutoire : {'oui' if plh else 'non'}"),
            actor,
            None,
            "organisation",
            organisation.id,
        )
        return organisation


def _place(level_raw: str | None, code_raw: str | None) -> Place:
    return read_place(read_level(level_raw), code_raw)


def add_territory(
    organisation_id: int,
    level_raw: str | None,
    code_raw: str | None,
    name_raw: str | None,
    actor: User,
) -> OrganisationTerritory:
    """Add a place to an organisation's territory (a département it covers or lies in,
    an EPCI, a commune)."""
    place = _place(level_raw, code_raw)
    name = read_name(name_raw)
    with write_transaction() as session:
        organisation = _organisation(session, organisation_id)
        if session.scalar(
            select(OrganisationTerritory.id).where(
                OrganisationTerritory.organisation_id == organisation.id,
                OrganisationTerritory.level == place.level,
                OrganisationTerritory.code == place.code,
            )
        ):
            raise InvalidInput(
                f"{LEVEL_LABELS[place.level]} {place.code} est déjà dans le territoire.",
                field="code",
            )
        row = OrganisationTerritory(
            organisation_id=organisation.id, level=place.level, code=place.code, name=name
        )
        session.add(row)
        audit.record(
            session,
            "organisation",
            f"{organisation.name} : territoire + {LEVEL_LABELS[place.level]} {place.code} {name}",
            actor,
            None,
            "organisation",
            organisation.id,
        )
        return row


def remove_territory(organisation_id: int, place_id: int, actor: User) -> None:
    with write_transaction() as session:
        row = session.get(OrganisationTerritory, place_id)
        if row is None or row.organisation_id != organisation_id:
            raise NotFound("Ce lieu n'est pas dans le territoire de l'organisation.")
        organisation = _organisation(session, organisation_id)
        session.delete(row)
        audit.record(
            session,
            "organisation",
            f"{organisation.name} : territoire − {LEVEL_LABELS[row.level]} {row.code} {row.name}",
            actor,
            None,
            "organisation",
            organisation.id,
        )


def _ensure_of_the_organisme(session: Session, convention: Convention, actor: User) -> None:
    role = role_of(actor, convention.id)
    if not may_record_patrimoine(role, actor.organisation_id == convention.organisme_id):
        raise Forbidden(
            "Seuls les rédacteurs de l'organisme disent où il possède des logements : "
            "ce patrimoine vaut pour toutes ses conventions."
        )


def add_patrimoine(
    convention_id: int,
    level_raw: str | None,
    code_raw: str | None,
    name_raw: str | None,
    logements_raw: str | None,
    actor: User,
) -> OrganismePatrimoine:
    """Record a place where the convention's organisme owns housing (for all of its
    conventions: the housing is the organisme's)."""
    place = _place(level_raw, code_raw)
    name = read_name(name_raw)
    logements = read_logements(logements_raw)
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        _ensure_of_the_organisme(session, convention, actor)
        if session.scalar(
            select(OrganismePatrimoine.id).where(
                OrganismePatrimoine.organisme_id == convention.organisme_id,
                OrganismePatrimoine.level == place.level,
                OrganismePatrimoine.code == place.code,
            )
        ):
            raise InvalidInput(
                f"{LEVEL_LABELS[place.level]} {place.code} figure déjà au patrimoine : "
                "retirez la ligne pour la corriger.",
                field="code",
            )
        row = OrganismePatrimoine(
            organisme_id=convention.organisme_id,
            level=place.level,
            code=place.code,
            name=name,
            logements=logements,
        )
        session.add(row)
        audit.record(
            session,
            "patrimoine",
            f"Patrimoine + {LEVEL_LABELS[place.level]} {place.code} {name}"
            + (f" ({logements} logements)" if logements is not None else ""),
            actor,
            convention_id,
            "organisme_patrimoine",
            None,
        )
        return row


def remove_patrimoine(convention_id: int, place_id: int, actor: User) -> None:
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        row = session.get(OrganismePatrimoine, place_id)
        if convention is None or row is None or row.organisme_id != convention.organisme_id:
            raise NotFound("Cette ligne n'est pas au patrimoine de l'organisme.")
        _ensure_of_the_organisme(session, convention, actor)
        session.delete(row)
        audit.record(
            session,
            "patrimoine",
            f"Patrimoine − {LEVEL_LABELS[row.level]} {row.code} {row.name}",
            actor,
            convention_id,
            "organisme_patrimoine",
            place_id,
        )
