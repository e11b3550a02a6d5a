"""Reading the register of the association, as the page and the printed record show it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import members
from app.accounts.queries import organisations
from app.db import db_session
from app.models import Contribution, Meeting, ReceivedLetter, Section, SentDocument, iso
from workflows.register import sending_warning


def today() -> date:
    """Today where the users are (COSIGNE_TIMEZONE), not where the server is."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


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


def register_page(convention_id: int) -> dict[str, Any]:
    """Everything the register shows: meetings and what was sent for them (late ones
    flagged), the members invited, the contributions and letters received."""
    found = meetings(convention_id)
    return {
        "meetings": found,
        "warnings": {m.id: warnings_of(m) for m in found},
        "organisations": {o.id: o for o in organisations()},
        "members": members(convention_id),
        "contributions": written_contributions(convention_id),
        "letters": letters(convention_id),
        "printed_on": today(),
    }


def document_json(document: SentDocument, meeting: Meeting) -> dict[str, Any]:
    return {
        "id": document.id,
        "title": document.title,
        "sent_on": document.sent_on.isoformat(),
        # Sent too late before the meeting (workflows.register.sending_warning), or null.
        "warning": sending_warning(document.sent_on, meeting.meeting_on),
    }


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "title": meeting.title,
        "meeting_on": meeting.meeting_on.isoformat(),
        "place": meeting.place,
        "invited": list(meeting.invited),
        "minutes": meeting.minutes,
        "documents": [document_json(d, meeting) for d in meeting.documents],
    }


def letter_json(letter: ReceivedLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "sender": letter.sender,
        "received_on": letter.received_on.isoformat(),
        "subject": letter.subject,
        "summary": letter.summary,
        "recorded_by": letter.recorded_by.name,
        "created_at": iso(letter.created_at),
    }


def register_json(convention_id: int) -> dict[str, Any]:
    """The register as the API gives it: what the page shows."""
    return {
        "meetings": [meeting_json(m) for m in meetings(convention_id)],
        "letters": [letter_json(letter) for letter in letters(convention_id)],
        "contributions": [
            {
                "id": c.id,
                "section_id": c.section_id,
                "section": c.section.title,
                "author": c.author.name,
                "organisation": c.organisation.name,
                "state": c.state.value,
                "created_at": iso(c.created_at),
            }
            for c in written_contributions(convention_id)
        ],
    }
