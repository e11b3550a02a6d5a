"""Register of the association: meetings, documents sent before them, minutes, and the
letters and opinions received outside Cosigne.

It is what the organisme shows the préfet as proof that the association took place.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import audit
from app.db import db_session, write_transaction
from app.models import (
    Contribution,
    Meeting,
    Organisation,
    ReceivedLetter,
    Section,
    SentDocument,
    User,
    utcnow,
)
from app.operations import NotFound
from workflows.contributions import clean_text
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
            from workflows.errors import InvalidInput

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
        actor = session.get(User, actor.id)  # type: ignore[assignment]
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


def _meeting(session, convention_id: int, meeting_id: int) -> Meeting:  # type: ignore[no-untyped-def]
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
        actor = session.get(User, actor.id)  # type: ignore[assignment]
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
    return document, warning


def set_minutes(convention_id: int, meeting_id: int, actor: User, minutes: str) -> Meeting:
    minutes = clean_text(minutes, "Le compte rendu", required=True, limit=200_000)
    with write_transaction() as session:
        meeting = _meeting(session, convention_id, meeting_id)
        meeting.minutes = minutes
        actor = session.get(User, actor.id)  # type: ignore[assignment]
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


def today() -> date:
    """Today where the users are (COSIGNE_TIMEZONE), not where the server is."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from flask import current_app

    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


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


def letters(convention_id: int) -> list[ReceivedLetter]:
    return list(
        db_session().scalars(
            select(ReceivedLetter)
            .where(ReceivedLetter.convention_id == convention_id)
            .options(joinedload(ReceivedLetter.recorded_by))
            .order_by(ReceivedLetter.received_on, ReceivedLetter.id)
        )
    )


def meetings(convention_id: int) -> list[Meeting]:
    return list(
        db_session()
        .scalars(
            select(Meeting)
            .where(Meeting.convention_id == convention_id)
            .options(joinedload(Meeting.documents))
            .order_by(Meeting.meeting_on)
        )
        .unique()
    )


def warnings_of(meeting: Meeting) -> dict[int, str]:
    return {
        d.id: w for d in meeting.documents if (w := sending_warning(d.sent_on, meeting.meeting_on))
    }


def written_contributions(convention_id: int) -> list[Contribution]:
    """Contributions received through Cosigne, whatever became of them."""
    return list(
        db_session().scalars(
            select(Contribution)
            .join(Section, Section.id == Contribution.section_id)
            .where(Section.convention_id == convention_id)
            .options(
                joinedload(Contribution.author),
                joinedload(Contribution.organisation),
                joinedload(Contribution.section),
            )
            .order_by(Contribution.created_at)
        )
    )
