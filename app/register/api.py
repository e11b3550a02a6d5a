"""JSON API of the register of the association: reading it, and keeping it as its page
does (a meeting, a document sent for it, its minutes, a letter received), through the
same operations (app/register/operations.py)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.models import Meeting, ReceivedLetter
from app.register import operations
from app.register.queries import letter_json, meeting_json, register_json

bp = Blueprint("register_api", __name__, url_prefix="/api")


def _meeting(meeting_id: int) -> Meeting:
    session = db_session()
    session.expire_all()  # read what the write left, documents included
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None  # written just now; meetings are never deleted
    return meeting


@bp.get("/conventions/<int:convention_id>/register", endpoint="page")
def register(convention_id: int) -> ResponseReturnValue:
    return jsonify(register_json(convention_id))


@bp.post("/conventions/<int:convention_id>/meetings")
def meeting_add(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload('{"title": "...", "meeting_on": "AAAA-MM-JJ", "place": "..."}')
    meeting = operations.add_meeting(
        convention_id,
        g.user,
        json_input.string(data, "title"),
        json_input.day(data, "meeting_on", "La date de la réunion"),
        json_input.string(data, "place"),
        json_input.id_list(data, "invited"),
    )
    return jsonify(meeting_json(_meeting(meeting.id))), 201


@bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/documents")
def document_add(convention_id: int, meeting_id: int) -> ResponseReturnValue:
    data = json_input.payload('{"title": "...", "sent_on": "AAAA-MM-JJ"}')
    document, warning = operations.add_document(
        convention_id,
        meeting_id,
        g.user,
        json_input.string(data, "title"),
        json_input.day(data, "sent_on", "La date d'envoi"),
    )
    # The meeting with the document among the others, and what the page would warn of.
    return jsonify(meeting=meeting_json(_meeting(meeting_id)), warning=warning), 201


@bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/minutes")
def minutes(convention_id: int, meeting_id: int) -> ResponseReturnValue:
    text = json_input.string(json_input.payload('{"minutes": "..."}'), "minutes")
    operations.set_minutes(convention_id, meeting_id, g.user, text)
    return jsonify(meeting_json(_meeting(meeting_id)))


@bp.post("/conventions/<int:convention_id>/letters")
def letter_add(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload(
        '{"sender": "...", "received_on": "AAAA-MM-JJ", "subject": "...", "summary": "..."}'
    )
    letter = operations.add_letter(
        convention_id,
        g.user,
        json_input.string(data, "sender"),
        json_input.day(data, "received_on", "La date de réception"),
        json_input.string(data, "subject"),
        json_input.string(data, "summary"),
    )
    found = db_session().get(ReceivedLetter, letter.id)
    assert found is not None  # written just now
    return jsonify(letter_json(found)), 201
