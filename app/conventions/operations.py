"""Conventions and their members: creating one with its standard sections, adding,
changing and removing participants (a change of signatories re-checks the reviews)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.access import drafters_of, keeping_a_drafter, role_of
from app.accounts.operations import normalise_email
from app.db import db_session, reloaded, within, write_transaction
from app.models import (
    Convention,
    Membership,
    Organisation,
    ReviewPosition,
    Section,
    SignatoryChoice,
    Signature,
    User,
    utcnow,
)
from app.notifications.operations import notify
from app.register.queries import today
from app.review.operations import recheck_reviews
from workflows.conventions import STANDARD_SECTIONS, ConventionKind, check_period, clean_title
from workflows.errors import Forbidden, InvalidInput, NotFound
from workflows.notifications import Kind
from workflows.permissions import ROLE_LABELS, Role, check_tenant_role, may_choose_for
from workflows.review import SectionState
from workflows.signatory_choice import (
    CHOSEN_LABELS,
    ROLE_OF_CHOICE,
    Choice,
    check_choice,
    is_associated_collectivite,
)
from workflows.state import is_state, one_voice_refusal


def create_convention(
    creator: User,
    kind: ConventionKind,
    title: str,
    start_year: int,
    end_year: int | None = None,
    cadre_id: int | None = None,
    within_session: Session | None = None,
) -> Convention:
    """Create a convention for the creator's organisme, with its standard sections, and
    make that organisme its redacteur (in the caller's transaction when it passes
    ``within_session``)."""
    title = clean_title(title)
    if kind is ConventionKind.AVENANT:
        raise InvalidInput("Un avenant s'ouvre depuis la convention signée qu'il modifie.")
    end = check_period(kind, start_year, end_year)
    with within(within_session) as session:
        creator = reloaded(session, creator)
        cadre = None
        if kind is ConventionKind.APPLICATION:
            if cadre_id is None:
                raise InvalidInput(
                    "Une convention d'application doit être rattachée à son document cadre."
                )
            cadre = session.get(Convention, cadre_id)
            if cadre is None or cadre.kind is not ConventionKind.CADRE:
                raise InvalidInput("Le document cadre indiqué n'existe pas.")
            if cadre.organisme_id != creator.organisation_id:
                raise InvalidInput("Le document cadre appartient à un autre organisme.")
        elif cadre_id is not None:
            raise InvalidInput(
                "Seule une convention d'application se rattache à un document cadre."
            )
        convention = Convention(
            kind=kind,
            title=title,
            organisme_id=creator.organisation_id,
            start_year=start_year,
            end_year=end,
            cadre=cadre,
            created_by_id=creator.id,
        )
        session.add(convention)
        session.add(
            Membership(
                convention=convention, organisation_id=creator.organisation_id, role=Role.REDACTEUR
            )
        )
        for position, standard in enumerate(STANDARD_SECTIONS[kind], start=1):
            session.add(
                Section(
                    convention=convention,
                    position=position,
                    title=standard.title,
                    mandatory=standard.mandatory,
                    concertation=standard.concertation,
                )
            )
        session.flush()
        audit.record(
            session,
            "convention_creee",
            f"Création de « {title} »",
            creator,
            convention.id,
            "convention",
            convention.id,
        )
    return convention


def set_membership(
    convention_id: int,
    role: Role,
    organisation_id: int | None = None,
    user_email: str | None = None,
    actor: User | None = None,
) -> Membership:
    """Add an organisation or a user to a convention, or change its role."""
    if (organisation_id is None) == (not user_email):
        raise InvalidInput("Choisissez une organisation ou un utilisateur.")
    with write_transaction() as session, keeping_a_drafter(session, [convention_id]):
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        if user_email:
            user = session.scalar(select(User).where(User.email == normalise_email(user_email)))
            if user is None:
                raise InvalidInput(f"Aucun compte pour {user_email}.")
            where = Membership.user_id == user.id
            fields = {"user_id": user.id}
            who = user_email
            party: User | Organisation = user
        else:
            org = session.get(Organisation, organisation_id)
            if org is None:
                raise InvalidInput("Organisation introuvable.")
            if org.id == convention.organisme_id and role is not Role.REDACTEUR:
                raise InvalidInput("L'organisme reste rédacteur de sa propre convention.")
            where = Membership.organisation_id == org.id
            fields = {"organisation_id": org.id}
            who = org.name
            party = org
        # A tenants' association takes part in the concertation: never drafter nor signatory.
        check_tenant_role(party.organisation.kind if isinstance(party, User) else party.kind, role)
        membership = session.scalar(
            select(Membership).where(Membership.convention_id == convention_id, where)
        )
        if role is Role.SIGNATAIRE:
            _one_state_voice(session, convention_id, party, membership)
        before = membership.role if membership is not None else None
        if membership is None:
            membership = Membership(convention_id=convention_id, role=role, **fields)
            session.add(membership)
        else:
            membership.role = role
            if before is not role:
                # A role set by hand stands for itself: the collectivité's recorded choice
                # (which set the former one) no longer says what its role is.
                stale = session.scalar(
                    select(SignatoryChoice).where(SignatoryChoice.membership_id == membership.id)
                )
                if stale is not None:
                    session.delete(stale)
        audit.record(
            session,
            "participant",
            f"{who} : rôle {role.value}",
            actor,
            convention_id,
            "membership",
            None,
        )
        session.flush()
        if before is not role:
            whom = "Vous participez" if user_email else f"Votre organisation ({who}) participe"
            notify(
                session,
                Kind.MEMBERSHIP,
                audit.users_of_membership(session, membership),
                f"{whom} à « {convention.title} » en tant que {ROLE_LABELS[role].lower()}",
                f"/conventions/{convention_id}",
                convention_id,
                actor,
            )
        _signatories_changed(session, convention_id, membership, actor)
    return membership


def _kind_of(membership: Membership) -> str:
    if membership.organisation is not None:
        return membership.organisation.kind
    assert membership.user is not None  # one_member: an organisation or a user
    return membership.user.organisation.kind


def _one_state_voice(
    session: Session,
    convention_id: int,
    party: User | Organisation,
    membership: Membership | None,
) -> None:
    """A State service becomes a signatory only when no other negotiates for the State."""
    kind = party.organisation.kind if isinstance(party, User) else party.kind
    if not is_state(kind):
        return
    negotiators = [
        m.party_name
        for m in session.scalars(
            select(Membership).where(
                Membership.convention_id == convention_id, Membership.role == Role.SIGNATAIRE
            )
        )
        if (membership is None or m.id != membership.id) and is_state(_kind_of(m))
    ]
    name = party.name if isinstance(party, Organisation) else party.email
    problem = one_voice_refusal(negotiators, name)
    if problem:
        raise InvalidInput(problem, field="role")


def _signatories_changed(
    session: Session, convention_id: int, membership: Membership | None, actor: User | None
) -> None:
    """Sections whose review the new set of signatories reopens or closes; a new
    signatory is told which sections await their position."""
    reopened = [
        s
        for s in recheck_reviews(session, convention_id, actor)
        if s.state is SectionState.EN_REVUE
    ]
    if reopened and membership is not None and membership.role is Role.SIGNATAIRE:
        titles = ", ".join(f"« {s.title} »" for s in reopened)
        notify(
            session,
            Kind.REVIEW_REQUESTED,
            audit.users_of_membership(session, membership),
            f"Votre position est attendue sur {titles}",
            f"/sections/{reopened[0].id}#revue"
            if len(reopened) == 1
            else f"/conventions/{convention_id}",
            convention_id,
            actor,
        )


def remove_membership(convention_id: int, membership_id: int, actor: User | None = None) -> None:
    with write_transaction() as session, keeping_a_drafter(session, [convention_id]):
        membership = session.get(Membership, membership_id)
        if membership is None or membership.convention_id != convention_id:
            raise NotFound("Participant introuvable.")
        convention = session.get(Convention, convention_id)
        assert convention is not None
        if membership.organisation_id == convention.organisme_id:
            raise InvalidInput("L'organisme ne peut pas être retiré de sa propre convention.")
        if session.scalar(
            select(ReviewPosition.id).where(ReviewPosition.membership_id == membership.id).limit(1)
        ) or session.scalar(
            select(Signature.id).where(Signature.membership_id == membership.id).limit(1)
        ):
            raise InvalidInput(
                "Ce participant a déjà donné une position ou signé : il ne peut plus être retiré "
                "(changez plutôt son rôle)."
            )
        who = membership.party_label
        audit.record(
            session,
            "participant_retire",
            f"{who} retiré",
            actor,
            convention_id,
            "membership",
            membership.id,
        )
        session.delete(membership)
        session.flush()
        _signatories_changed(session, convention_id, None, actor)


def ensure_may_choose(convention_id: int, membership_id: int, actor: User) -> None:
    """Refuse (403) a user who may not record this membership's choice, before their input
    is read: the rule ``record_choice`` applies in its transaction."""
    membership = db_session().get(Membership, membership_id)
    if membership is None or membership.convention_id != convention_id:
        raise NotFound("Participant introuvable.")
    if not may_choose_for(role_of(actor, convention_id), _speaks_for(actor, membership)):
        raise Forbidden(NOT_YOURS)


NOT_YOURS = (
    "Seule la collectivité elle-même, ou l'organisme d'après son courrier, enregistre son choix."
)


def _speaks_for(actor: User, membership: Membership) -> bool:
    return membership.organisation_id is not None and (
        membership.organisation_id == actor.organisation_id
    )


def record_choice(
    convention_id: int,
    membership_id: int,
    actor: User,
    choice: Choice,
    letter_on: date | None = None,
) -> SignatoryChoice:
    """Record an associated collectivité's choice (workflows.signatory_choice): to become
    signataire (its membership takes that role, the reviews re-checked as for any new
    signatory) or to stay associated. By one of its own people, or by the organisme's
    drafter from its letter, whose date is then required. Journaled; the collectivité's
    people and the drafters are told."""
    with write_transaction() as session:
        actor = reloaded(session, actor)
        membership = session.scalar(
            select(Membership)
            .where(Membership.id == membership_id, Membership.convention_id == convention_id)
            .options(joinedload(Membership.organisation))
            # The membership's row only: PostgreSQL locks no outer-joined row.
            .with_for_update(of=Membership)
        )
        if membership is None:
            raise NotFound("Participant introuvable.")
        convention = session.get(Convention, convention_id)
        assert convention is not None  # the membership belongs to it
        own = _speaks_for(actor, membership)
        if not may_choose_for(role_of(actor, convention_id), own):
            raise Forbidden(NOT_YOURS)
        found = session.scalar(
            select(SignatoryChoice).where(SignatoryChoice.membership_id == membership.id)
        )
        chose_to_sign = found is not None and found.choice is Choice.SIGNATAIRE
        kind = membership.organisation.kind if membership.organisation is not None else None
        from_letter = not own
        check_choice(
            convention.state,
            membership.party_name,
            is_associated_collectivite(kind, membership.role, chose_to_sign),
            from_letter,
            letter_on,
            today(),
        )
        if found is None:
            found = SignatoryChoice(membership_id=membership.id, choice=choice)
            session.add(found)
        before = membership.role
        found.choice = choice
        found.letter_on = letter_on if from_letter else None
        found.recorded_by_id = actor.id
        found.created_at = utcnow()
        membership.role = ROLE_OF_CHOICE[choice]
        letter = (
            f" (d'après son courrier du {letter_on:%d/%m/%Y})" if from_letter and letter_on else ""
        )
        summary = f"{membership.party_name} : {CHOSEN_LABELS[choice]}{letter}"
        audit.record(
            session,
            "choix_signataire",
            summary,
            actor,
            convention_id,
            "membership",
            membership.id,
        )
        session.flush()
        notify(
            session,
            Kind.MEMBERSHIP,
            audit.users_of_membership(session, membership) | drafters_of(session, convention_id),
            f"« {convention.title} » : {summary}",
            f"/conventions/{convention_id}/members#choix-{membership.id}",
            convention_id,
            actor,
        )
        if before is not membership.role:
            _signatories_changed(session, convention_id, membership, actor)
    return found
