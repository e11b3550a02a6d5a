"""Register of the association: meetings, documents sent before them, minutes, and the
letters and opinions received outside Cosigne.

It is what the organisme shows the préfet as proof that the association took place.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.db import reloaded, write_transaction
from app.models import Meeting, Organisation, ReceivedLetter, SentDocument, User, utcnow
from app.notifications.operations import everyone, notify
from app.register.queries import today
from workflows.contributions import clean_text
from workflows.errors import InvalidInput, NotFound
from workflows.notifications import Kind
from workflows.register import clean_document, clean_letter, clean_meeting, sending_warning


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
        warning = sending_warning(sent_on, meeting.meeting_on)
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
