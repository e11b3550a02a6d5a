"""Register of the association: meetings, documents sent before them, minutes, and the
letters and opinions received outside Cosigne.

It is what the organisme shows the préfet as proof that the association took place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.db import reloaded, write_transaction
from app.models import (
    AssociationDecision,
    Convention,
    DecisionNotice,
    Deliberation,
    Meeting,
    Organisation,
    ProjectAdoption,
    ReceivedLetter,
    RegisterProof,
    SentDocument,
    TenantConcertation,
    User,
    utcnow,
)
from app.notifications.operations import everyone, notify
from app.register.queries import current_text, decision_recipients, notice_days_of, today
from workflows.concertation import clean_concertation
from workflows.contributions import clean_text
from workflows.errors import Conflict, InvalidInput, NotFound
from workflows.files import megabytes
from workflows.lifecycle import STATE_LABELS, text_editable
from workflows.notifications import Kind
from workflows.proofs import PROOF_KINDS, check_kind, check_proof_file, check_room
from workflows.register import (
    INSTANCES,
    PREFET,
    clean_adoption,
    clean_decision,
    clean_document,
    clean_letter,
    clean_meeting,
    clean_notification,
    notice_summary,
    sending_warning,
    short_sha,
)


def add_meeting(
    convention_id: int,
    actor: User,
    title: str,
    meeting_on: date | None,
    place: str,
    invited: list[int],
) -> Meeting:
    title, meeting_on, place = clean_meeting(title, meeting_on, place)
    with write_transaction() as session:
        known = set(
            session.scalars(select(Organisation.id).where(Organisation.id.in_(invited or [-1])))
        )
        if set(invited) - known:
            raise InvalidInput("Organisation invitée inconnue.")
        meeting = Meeting(
            convention_id=convention_id,
            title=title,
            meeting_on=meeting_on,
            place=place,
            invited=sorted(set(invited)),
        )
        session.add(meeting)
        session.flush()
        actor = reloaded(session, actor)
        audit.record(
            session,
            "reunion",
            f"Réunion « {title} » du {meeting_on:%d/%m/%Y}",
            actor,
            convention_id,
            "meeting",
            meeting.id,
        )
        # A meeting to come is a convocation: the invited organisations' people in the
        # convention are told (a past one is only written into the register).
        if meeting_on >= today() and meeting.invited:
            readers = session.scalars(
                select(User.id).where(
                    User.id.in_(everyone(session, convention_id) or [-1]),
                    User.organisation_id.in_(meeting.invited),
                )
            )
            notify(
                session,
                Kind.MEETING_INVITED,
                set(readers),
                f"Réunion de travail « {title} » le {meeting_on:%d/%m/%Y}"
                + (f" ({place})" if place else "")
                + " : votre organisation y est invitée",
                f"/conventions/{convention_id}/association#reunion-{meeting.id}",
                convention_id,
                actor,
            )
    return meeting


def _meeting(session: Session, convention_id: int, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.convention_id != convention_id:
        raise NotFound("Réunion introuvable.")
    return meeting


def add_document(
    convention_id: int, meeting_id: int, actor: User, title: str, sent_on: date | None
) -> tuple[SentDocument, str | None]:
    """Record a document sent for a meeting; returns the late-sending warning, if any."""
    title, sent_on = clean_document(title, sent_on)
    with write_transaction() as session:
        meeting = _meeting(session, convention_id, meeting_id)
        document = SentDocument(meeting_id=meeting.id, title=title, sent_on=sent_on)
        session.add(document)
        warning = sending_warning(
            sent_on, meeting.meeting_on, notice_days_of(session, convention_id)
        )
        actor = reloaded(session, actor)
        audit.record(
            session,
            "document_envoye",
            f"« {title} » envoyé le {sent_on:%d/%m/%Y} pour « {meeting.title} »"
            + (f" — {warning}" if warning else ""),
            actor,
            convention_id,
            "meeting",
            meeting.id,
        )
        # The invited organisations' people who take part in the convention.
        invited = set(meeting.invited or [])
        readers = session.scalars(
            select(User.id).where(
                User.id.in_(everyone(session, convention_id) or [-1]),
                User.organisation_id.in_(invited or [-1]),
            )
        )
        notify(
            session,
            Kind.MEETING_DOCUMENTS,
            set(readers),
            f"« {title} » envoyé pour la réunion « {meeting.title} » "
            f"du {meeting.meeting_on:%d/%m/%Y}",
            f"/conventions/{convention_id}/association#reunion-{meeting.id}",
            convention_id,
            actor,
        )
    return document, warning


def set_minutes(convention_id: int, meeting_id: int, actor: User, minutes: str) -> Meeting:
    minutes = clean_text(minutes, "Le compte rendu", required=True, limit=200_000)
    with write_transaction() as session:
        meeting = _meeting(session, convention_id, meeting_id)
        meeting.minutes = minutes
        actor = reloaded(session, actor)
        audit.record(
            session,
            "compte_rendu",
            f"Compte rendu de « {meeting.title} »",
            actor,
            convention_id,
            "meeting",
            meeting.id,
        )
    return meeting


def add_letter(
    convention_id: int,
    actor: User,
    sender: str,
    received_on: date | None,
    subject: str,
    summary: str = "",
) -> ReceivedLetter:
    """Record a letter or an opinion received outside Cosigne."""
    sender, received_on, subject, summary = clean_letter(
        sender, received_on, subject, summary, today()
    )
    with write_transaction() as session:
        letter = ReceivedLetter(
            convention_id=convention_id,
            sender=sender,
            received_on=received_on,
            subject=subject,
            summary=summary,
            recorded_by_id=actor.id,
            created_at=utcnow(),
        )
        session.add(letter)
        session.flush()
        audit.record(
            session,
            "courrier_recu",
            f"Courrier de {sender} reçu le {received_on:%d/%m/%Y} : « {subject} »",
            session.get(User, actor.id),
            convention_id,
            "letter",
            letter.id,
        )
    return letter


def record_decision(
    convention_id: int,
    actor: User,
    instance: str | None,
    decided_on: date | None,
    min_meetings: str | int | None,
    notice_days: str | int | None,
    notified: Mapping[str, date | None],
) -> AssociationDecision:
    """Record (or correct) the organisme's decision opening the drafting, its terms and
    the day it was sent to each recipient (``notified``: ``"prefet"`` or an organisation
    id as text -> a day, None when not sent yet). Nothing is written on bad input."""
    day = today()
    instance, decided_on, meetings, notice = clean_decision(
        instance, decided_on, min_meetings, notice_days, day
    )
    with write_transaction() as session:
        recipients = {
            key: name for key, name, _associated in decision_recipients(session, convention_id)
        }
        unknown = set(notified) - set(recipients)
        if unknown:
            raise InvalidInput(
                f"Destinataire inconnu : {', '.join(sorted(unknown))} (le préfet, un signataire "
                "ou une collectivité associée de la convention).",
                field="notified",
            )
        for key, when in notified.items():
            clean_notification(recipients[key], when, decided_on, day, f"notified_{key}")
        decision = session.scalar(
            select(AssociationDecision).where(AssociationDecision.convention_id == convention_id)
        )
        corrected = decision is not None
        if decision is None:
            decision = AssociationDecision(convention_id=convention_id, recorded_by_id=actor.id)
            session.add(decision)
        decision.instance = instance
        decision.decided_on = decided_on
        decision.min_meetings = meetings
        decision.notice_days = notice
        decision.recorded_by_id = actor.id
        decision.updated_at = utcnow()
        decision.notices.clear()
        session.flush()  # the old notices go before the new ones meet the unique key
        for key, when in notified.items():
            if when is not None:
                decision.notices.append(
                    DecisionNotice(
                        organisation_id=None if key == PREFET else int(key),
                        recipient=recipients[key],
                        notified_on=when,
                    )
                )
        session.flush()
        sent = [f"{n.recipient} le {n.notified_on:%d/%m/%Y}" for n in decision.notices]
        actor = reloaded(session, actor)
        audit.record(
            session,
            "decision_association",
            f"{'Décision corrigée' if corrected else 'Décision enregistrée'} : "
            f"{INSTANCES[instance]} du {decided_on:%d/%m/%Y} ({notice_summary(meetings, notice)})"
            + (f" ; transmise à {', '.join(sent)}" if sent else " ; transmission non enregistrée"),
            actor,
            convention_id,
            "decision",
            decision.id,
        )
        if not corrected:
            # The partners learn that the drafting is open and on what terms: what the
            # association will ask of them. Not the organisme's own people.
            partners = session.scalars(
                select(User.id).where(
                    User.id.in_(everyone(session, convention_id) or [-1]),
                    User.organisation_id != actor.organisation_id,
                )
            )
            notify(
                session,
                Kind.ASSOCIATION_OPENED,
                set(partners),
                f"{actor.organisation.name} engage l'élaboration de la convention : "
                f"{INSTANCES[instance].lower()} du {decided_on:%d/%m/%Y} ; "
                f"{notice_summary(meetings, notice)}",
                f"/conventions/{convention_id}/association#decision",
                convention_id,
                actor,
            )
    return decision


def _entry_title(session: Session, convention_id: int, entry_kind: str, entry_id: int) -> str:
    """What a proof is attached to, in the journal's words; NotFound when that entry is
    not one of this convention's register."""
    if entry_kind == "decision":
        decision = session.get(AssociationDecision, entry_id)
        if decision is not None and decision.convention_id == convention_id:
            return f"la décision du {decision.decided_on:%d/%m/%Y}"
    elif entry_kind == "meeting":
        meeting = session.get(Meeting, entry_id)
        if meeting is not None and meeting.convention_id == convention_id:
            return f"la réunion « {meeting.title} »"
    elif entry_kind == "document":
        document = session.get(SentDocument, entry_id)
        if document is not None and document.meeting.convention_id == convention_id:
            return f"le document « {document.title} »"
    elif entry_kind == "adoption":
        adoption = session.get(ProjectAdoption, entry_id)
        if adoption is not None and adoption.convention_id == convention_id:
            return f"l'adoption du projet du {adoption.adopted_on:%d/%m/%Y}"
    elif entry_kind == "deliberation":
        deliberation = session.get(Deliberation, entry_id)
        if deliberation is not None and deliberation.convention_id == convention_id:
            return f"la délibération de {deliberation.party} du {deliberation.decided_on:%d/%m/%Y}"
    else:
        raise InvalidInput(f"Entrée du registre inconnue : « {entry_kind} ».", field="entry")
    raise NotFound("Entrée du registre introuvable.")


def add_proof(
    convention_id: int,
    actor: User,
    entry_kind: str,
    entry_id: int | None,
    kind: str | None,
    filename: str,
    data: bytes,
) -> RegisterProof:
    """Attach a proof file to an entry of the register (the decision, a meeting, a
    document sent). The file's type is read from its content (workflows.proofs); a file
    refused, or past the room the entry or the register has, writes nothing."""
    kind = check_kind(kind)
    name, content_type = check_proof_file(filename, data)
    if entry_id is None:
        raise InvalidInput("Entrée du registre manquante.", field="entry")
    with write_transaction() as session:
        return attach_proof(
            session, convention_id, actor, entry_kind, entry_id, kind, name, content_type, data
        )


def attach_proof(
    session: Session,
    convention_id: int,
    actor: User,
    entry_kind: str,
    entry_id: int,
    kind: str,
    name: str,
    content_type: str,
    data: bytes,
) -> RegisterProof:
    """Attach a proof already checked (kind, file) within the caller's transaction."""
    what = _entry_title(session, convention_id, entry_kind, entry_id)
    on_entry = session.scalar(
        select(func.count(RegisterProof.id)).where(
            RegisterProof.convention_id == convention_id,
            RegisterProof.entry_kind == entry_kind,
            RegisterProof.entry_id == entry_id,
        )
    )
    stored = session.scalar(
        select(func.coalesce(func.sum(RegisterProof.size), 0)).where(
            RegisterProof.convention_id == convention_id
        )
    )
    check_room(int(on_entry or 0), int(stored or 0), len(data))
    proof = RegisterProof(
        convention_id=convention_id,
        entry_kind=entry_kind,
        entry_id=entry_id,
        kind=kind,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=actor.id,
    )
    session.add(proof)
    session.flush()
    audit.record(
        session,
        "piece_justificative",
        f"{PROOF_KINDS[kind]} « {name} » ({megabytes(len(data))}, SHA-256 "
        f"{proof.sha256[:12]}…) joint à {what}",
        reloaded(session, actor),
        convention_id,
        "proof",
        proof.id,
    )
    return proof


def add_concertation(
    convention_id: int,
    actor: User,
    held_on: date | None,
    subject: str,
    names: Mapping[str, str | None],
    impossible: bool,
    reason: str,
    minutes: str = "",
) -> TenantConcertation:
    """Record the concertation with the tenants' representatives (or the formalité
    impossible, with its reason)."""
    found = clean_concertation(held_on, subject, names, impossible, reason, today())
    notes = clean_text(minutes, "Le compte rendu", required=False)
    with write_transaction() as session:
        record = TenantConcertation(
            convention_id=convention_id,
            held_on=found.held_on,
            subject=found.subject,
            participants=[[kind, name] for kind, name in found.participants],
            impossible=found.impossible,
            reason=found.reason,
            minutes=notes,
            recorded_by_id=actor.id,
        )
        session.add(record)
        session.flush()
        what = (
            "formalité impossible constatée"
            if found.impossible
            else f"{len(found.participants)} représentant(s) des locataires"
        )
        audit.record(
            session,
            "concertation",
            f"Concertation du {found.held_on:%d/%m/%Y} ({found.subject}) : {what}",
            session.get(User, actor.id),
            convention_id,
            "convention",
            convention_id,
        )
    return record


def record_adoption(
    convention_id: int,
    actor: User,
    instance: str | None,
    adopted_on: date | None,
    deliberation: tuple[str, bytes] | None = None,
) -> ProjectAdoption:
    """Record the organisme's adoption of the projet, which ends the association: the
    body that adopted it, the day, and the fingerprint of the text as it stands now (the
    text adopted). ``deliberation``: optionally its minutes as a proof file (name,
    bytes), attached to the adoption in the same transaction. A new adoption (after the
    text changed) adds a row: the latest counts. Before the transmission only; nothing
    is written on bad input or a file refused."""
    file = None
    if deliberation is not None:
        try:
            file = check_proof_file(*deliberation)
        except InvalidInput as error:
            error.field = "file"  # shown beside the file input
            raise
    with write_transaction() as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        if not text_editable(convention.state, convention.lifecycle):
            raise Conflict(
                "Le projet s'adopte avant sa transmission au préfet (étape actuelle : "
                f"« {STATE_LABELS[convention.state]} »)."
            )
        decided_on = session.scalar(
            select(AssociationDecision.decided_on).where(
                AssociationDecision.convention_id == convention_id
            )
        )
        previous_on = session.scalar(
            select(func.max(ProjectAdoption.adopted_on)).where(
                ProjectAdoption.convention_id == convention_id
            )
        )
        instance, adopted_on = clean_adoption(
            instance, adopted_on, decided_on, previous_on, today()
        )
        digest, revisions = current_text(session, convention_id)
        adoption = ProjectAdoption(
            convention_id=convention_id,
            instance=instance,
            adopted_on=adopted_on,
            sha256=digest,
            revisions=revisions,
            recorded_by_id=actor.id,
        )
        session.add(adoption)
        session.flush()
        audit.record(
            session,
            "adoption_projet",
            f"Projet adopté par le {INSTANCES[instance].lower()} le {adopted_on:%d/%m/%Y} "
            f"(empreinte SHA-256 {short_sha(digest)}) : fin de l'association"
            + (" ; nouvelle adoption" if previous_on is not None else ""),
            reloaded(session, actor),
            convention_id,
            "adoption",
            adoption.id,
        )
        if file is not None:
            name, content_type = file
            assert deliberation is not None
            try:
                attach_proof(
                    session,
                    convention_id,
                    actor,
                    "adoption",
                    adoption.id,
                    "deliberation",
                    name,
                    content_type,
                    deliberation[1],
                )
            except InvalidInput as error:  # past the register's room: nothing written
                error.field = "file"
                raise
    return adoption
