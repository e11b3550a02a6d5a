"""Writing a State service's internal opinion, journaled without its content (the
journal is read by every member; the opinion by the State alone)."""

from __future__ import annotations

from app import audit
from app.db import reloaded, write_transaction
from app.models import Convention, Section, StateOpinion, User
from app.notifications.operations import notify, state_members
from workflows.errors import Forbidden, InvalidInput, NotFound, Refused
from workflows.lifecycle import STATE_LABELS, comments_open
from workflows.notifications import Kind
from workflows.state import clean_opinion, is_state


def require_state(actor: User) -> None:
    """Who may, before what they typed is read: anyone but a State service is refused as
    such (the doors call it first; the operation checks again)."""
    if not is_state(actor.organisation.kind):
        raise Forbidden("Les avis internes sont ceux des services de l'État.")


def add_opinion(
    convention_id: int, actor: User, section_id: int | None, territory: str, body: str
) -> StateOpinion:
    require_state(actor)
    text, place = clean_opinion(body, territory)
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        actor = reloaded(session, actor)
        if not comments_open(convention.state, convention.lifecycle):
            raise Refused(
                [
                    "Les avis internes se donnent jusqu'à la signature (étape actuelle : "
                    f"« {STATE_LABELS[convention.state]} »)."
                ]
            )
        section = None
        if section_id is not None:
            section = session.get(Section, section_id)
            if section is None or section.convention_id != convention_id:
                raise InvalidInput("Section introuvable dans cette convention.", field="section")
        opinion = StateOpinion(
            convention_id=convention_id,
            section_id=section_id,
            organisation_id=actor.organisation_id,
            author_id=actor.id,
            territory=place,
            body=text,
        )
        session.add(opinion)
        session.flush()
        audit.record(
            session,
            "avis_etat",
            # Every member reads the journal: it says an opinion was given, not whose,
            # where, nor what it says.
            "Avis interne de l'État",
            actor,
            convention_id,
            "section" if section_id else "convention",
            section_id or convention_id,
        )
        # The convention's other State members are told; nobody else ever is (the
        # notification names the service and the section, read by the State alone).
        where = f"sur « {section.title} »" if section is not None else "sur la convention"
        notify(
            session,
            Kind.STATE_OPINION,
            state_members(session, convention_id),
            f"« {convention.title} » : avis interne de {actor.organisation.name}"
            f"{f' ({place})' if place else ''} {where}",
            f"/sections/{section_id}#avis-etat"
            if section_id
            else f"/conventions/{convention_id}/avis-etat",
            convention_id,
            actor,
        )
    return opinion
