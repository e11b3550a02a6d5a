"""Convention lifecycle, signatures, the signed fingerprint, avenants and deadlines.

The rules (allowed steps, guards, fingerprint, deadline status) are workflows/lifecycle.py;
this module gathers the facts from the database, asks, and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app import audit, queries
from app.db import db_session, write_transaction
from app.models import Convention, Membership, Section, Signature, User, utcnow
from app.operations import NotFound, insert_revision
from app.review import party_name, signatories
from workflows.conventions import ConventionKind, clean_title
from workflows.errors import InvalidInput
from workflows.lifecycle import (
    DEADLINE_LABELS,
    STATE_LABELS,
    ConventionFacts,
    ConventionState,
    Deadline,
    SectionFacts,
    check_transition,
    deadline_done,
    deadline_status,
    fingerprint,
    signing_open,
)
from workflows.permissions import Role


class TransitionRefused(Exception):
    """A guard refused the transition (HTTP 409); ``reasons`` says exactly why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def facts(session: Session, convention: Convention, today: date) -> ConventionFacts:
    sections = session.scalars(
        select(Section).where(Section.convention_id == convention.id).order_by(Section.position)
    )
    parties = signatories(session, convention.id)
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention.id)
        )
    )
    return ConventionFacts(
        state=convention.state,
        sections=tuple(SectionFacts(s.title, s.mandatory, s.state.value) for s in sections),
        signatories=tuple(party_name(m) for m in parties),
        signed_by=frozenset(party_name(m) for m in parties if m.id in signed),
        start_year=convention.start_year,
        today=today,
    )


def refusals(convention: Convention, to: str, today: date | None = None) -> list[str]:
    """Why each transition would be refused, for the page to explain before any click."""
    return check_transition(facts(db_session(), convention, today or date.today()), to)


def transition(convention_id: int, actor: User, to: str, today: date | None = None) -> Convention:
    """Move the convention to ``to`` when every guard agrees; signing freezes the text."""
    with write_transaction() as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        reasons = check_transition(facts(session, convention, today or date.today()), to)
        if reasons:
            raise TransitionRefused(reasons)
        previous = convention.state
        convention.state = ConventionState(to)
        if convention.state is ConventionState.SIGNEE:
            _freeze(session, convention)
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        summary = f"« {STATE_LABELS[previous]} » → « {STATE_LABELS[convention.state]} »"
        if convention.signed_sha256 and convention.state is ConventionState.SIGNEE:
            summary += f" ; empreinte SHA-256 {convention.signed_sha256}"
        audit.record(
            session, "transition", summary, actor, convention.id, "convention", convention.id
        )
        members = set()
        for membership in session.scalars(
            select(Membership).where(Membership.convention_id == convention.id)
        ):
            members |= audit.users_of_membership(session, membership)
        audit.notify(
            session,
            members - {actor.id},
            f"« {convention.title} » : {summary}",
            f"/conventions/{convention.id}",
            convention.id,
        )
    return convention


def _freeze(session: Session, convention: Convention) -> None:
    sections = session.scalars(
        select(Section)
        .where(Section.convention_id == convention.id)
        .options(joinedload(Section.current_revision))
        .order_by(Section.position, Section.id)
    )
    text, digest = fingerprint(
        convention.title,
        [(s.title, s.current_revision.body if s.current_revision else "") for s in sections],
    )
    convention.signed_text = text
    convention.signed_sha256 = digest
    convention.signed_at = utcnow()


def sign(convention_id: int, actor: User, membership_id: int | None, signed_on: date) -> Signature:
    """Record a signature: a signatory signs for its own party; the organisme records any
    signatory's signature from the signed paper copy."""
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        if not signing_open(convention.state):
            raise TransitionRefused(
                [
                    f"Les signatures se recueillent une fois la convention transmise au préfet "
                    f"(étape actuelle : « {STATE_LABELS[convention.state]} »)."
                ]
            )
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        parties = {m.id: m for m in signatories(session, convention_id)}
        own = [m for m in parties.values() if _speaks_for(actor, m)]
        if membership_id is None:
            if len(own) != 1:
                raise InvalidInput("Indiquez pour quel signataire la signature est enregistrée.")
            membership = own[0]
        else:
            membership = parties.get(membership_id)  # type: ignore[assignment]
            if membership is None:
                raise InvalidInput("Ce participant n'est pas signataire de la convention.")
            is_drafter = queries.role_of(actor, convention_id) is Role.REDACTEUR
            if membership not in own and not is_drafter:
                raise InvalidInput("Vous ne pouvez signer que pour votre propre organisation.")
        if session.scalar(
            select(Signature.id).where(
                Signature.convention_id == convention_id, Signature.membership_id == membership.id
            )
        ):
            raise InvalidInput(f"La signature de {party_name(membership)} est déjà enregistrée.")
        if signed_on > date.today():
            raise InvalidInput("La date de signature ne peut être dans le futur.")
        signature = Signature(
            convention_id=convention_id,
            membership_id=membership.id,
            recorded_by_id=actor.id,
            signed_on=signed_on,
        )
        session.add(signature)
        try:
            session.flush()
        except IntegrityError:
            # Two people recorded the same signature at once: the first one stands.
            raise InvalidInput(
                f"La signature de {party_name(membership)} est déjà enregistrée."
            ) from None
        audit.record(
            session,
            "signature",
            f"Signature de {party_name(membership)} le {signed_on:%d/%m/%Y}",
            actor,
            convention_id,
            "convention",
            convention_id,
        )
    return signature


def _speaks_for(user: User, membership: Membership) -> bool:
    if membership.user_id is not None:
        return membership.user_id == user.id
    return membership.organisation_id == user.organisation_id


def signatures(convention_id: int) -> list[Signature]:
    return list(
        db_session().scalars(
            select(Signature)
            .where(Signature.convention_id == convention_id)
            .options(joinedload(Signature.membership), joinedload(Signature.recorded_by))
            .order_by(Signature.signed_on)
        )
    )


def create_avenant(convention_id: int, actor: User, title: str) -> Convention:
    """An amendment to a signed convention: a new convention whose sections start from the
    signed text, with the same parties; the signed convention itself never changes."""
    from workflows.text.paragraphs import assign_paragraph_ids

    title = clean_title(title)
    with write_transaction() as session:
        signed = session.get(Convention, convention_id)
        if signed is None:
            raise NotFound("Convention introuvable.")
        if signed.signed_sha256 is None:
            raise TransitionRefused(["Un avenant ne se rattache qu'à une convention signée."])
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        avenant = Convention(
            kind=ConventionKind.AVENANT,
            title=title,
            organisme_id=signed.organisme_id,
            start_year=signed.start_year,
            end_year=signed.end_year,
            amends_id=signed.id,
            created_by_id=actor.id,
        )
        session.add(avenant)
        for membership in session.scalars(
            select(Membership).where(Membership.convention_id == signed.id)
        ):
            session.add(
                Membership(
                    convention=avenant,
                    organisation_id=membership.organisation_id,
                    user_id=membership.user_id,
                    role=membership.role,
                )
            )
        session.flush()
        for section in session.scalars(
            select(Section).where(Section.convention_id == signed.id).order_by(Section.position)
        ):
            copy = Section(
                convention_id=avenant.id,
                position=section.position,
                title=section.title,
                mandatory=section.mandatory,
            )
            session.add(copy)
            session.flush()
            if section.current_revision is not None:
                body = section.current_revision.body
                insert_revision(
                    session,
                    copy,
                    None,
                    actor,
                    body,
                    f"Texte signé de « {signed.title} »",
                    assign_paragraph_ids("", None, body),
                )
        audit.record(
            session,
            "avenant",
            f"Avenant « {title} » ouvert",
            actor,
            signed.id,
            "convention",
            avenant.id,
        )
        audit.record(
            session,
            "convention_creee",
            f"Avenant à « {signed.title} »",
            actor,
            avenant.id,
            "convention",
            avenant.id,
        )
    return avenant


def set_deadlines(convention_id: int, actor: User, deadlines: dict[str, date | None]) -> Convention:
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        changed = []
        for key, value in deadlines.items():
            if key not in DEADLINE_LABELS:
                raise InvalidInput(f"Échéance inconnue : {key}.")
            if getattr(convention, f"{key}_deadline") != value:
                setattr(convention, f"{key}_deadline", value)
                changed.append(
                    f"{DEADLINE_LABELS[key]} : {value:%d/%m/%Y}"
                    if value
                    else f"{DEADLINE_LABELS[key]} : aucune"
                )
        if changed:
            actor = session.get(User, actor.id)  # type: ignore[assignment]
            audit.record(
                session,
                "echeances",
                "Échéances : " + " ; ".join(changed),
                actor,
                convention_id,
                "convention",
                convention_id,
            )
    return convention


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    status: str  # done | late | soon | later


def deadlines_of(convention: Convention, today: date | None = None) -> list[DeadlineView]:
    today = today or date.today()
    views = []
    for key, label in DEADLINE_LABELS.items():
        due = getattr(convention, f"{key}_deadline")
        if due is None:
            continue
        deadline = Deadline(key, label, due, deadline_done(key, convention.state))
        views.append(DeadlineView(deadline, deadline_status(deadline, today)))
    return views
