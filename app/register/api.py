"""JSON API of the register of the association: reading it (the opening decision, the
proofs, what is still to prove), and keeping it as its page does (the decision, a
meeting, a document sent for it, its minutes, a letter received, a proof file), through
the same operations (app/register/operations.py)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from app import json_input
from app.db import db_session
from app.models import Meeting, ProjectAdoption, ReceivedLetter, TenantConcertation
from app.register import operations, queries
from app.register.downloads import proof_response
from app.register.queries import (
    adoption_json,
    concertation_json,
    current_text,
    decision_json,
    letter_json,
    meeting_json,
    proof_json,
    register_json,
)
from workflows.concertation import PARTICIPANT_KINDS
from workflows.conventions import parse_id
from workflows.errors import InvalidInput
from workflows.proofs import PROOF_MAX_BYTES

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


@bp.post("/conventions/<int:convention_id>/concertations")
def concertation_add(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload(
        '{"held_on": "AAAA-MM-JJ", "subject": "...", "participants": {"association_cnc": '
        '["..."], "association_10": [], "administrateur": []}, "impossible": false, '
        '"reason": "", "minutes": ""}'
    )
    given = data.get("participants") or {}
    if not isinstance(given, dict):
        raise InvalidInput("participants : un objet, une liste de noms par catégorie.")
    names = {}
    for kind in PARTICIPANT_KINDS:
        listed = given.get(kind) or []
        if not isinstance(listed, list) or not all(
            isinstance(n, str) and "\n" not in n and "\r" not in n for n in listed
        ):
            raise InvalidInput(f"participants.{kind} : une liste de noms, un nom par ligne.")
        names[kind] = "\n".join(listed)
    impossible = data.get("impossible", False)
    if not isinstance(impossible, bool):
        raise InvalidInput("impossible : vrai ou faux.")
    record = operations.add_concertation(
        convention_id,
        g.user,
        json_input.day(data, "held_on", "La date de la concertation"),
        json_input.string(data, "subject"),
        names,
        impossible,
        json_input.string(data, "reason"),
        json_input.string(data, "minutes"),
    )
    found = db_session().get(TenantConcertation, record.id)
    assert found is not None  # written just now
    return jsonify(concertation_json(found)), 201


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


@bp.post("/conventions/<int:convention_id>/association-decision")
def decision(convention_id: int) -> ResponseReturnValue:
    data = json_input.payload(
        '{"instance": "conseil_administration", "decided_on": "AAAA-MM-JJ", '
        '"min_meetings": 1, "notice_days": null, "notified": {"prefet": "AAAA-MM-JJ"}}'
    )
    raw_notified = data.get("notified") or {}
    if not isinstance(raw_notified, dict):
        raise InvalidInput(
            "« notified » doit être un objet : destinataire (« prefet » ou l'identifiant "
            "de l'organisation) → date de transmission."
        )
    notified = {
        str(key): json_input.day(raw_notified, key, f"La date de transmission à {key}")
        for key in raw_notified
    }
    existed = queries.decision(convention_id) is not None
    operations.record_decision(
        convention_id,
        g.user,
        json_input.string(data, "instance"),
        json_input.day(data, "decided_on", "La date de la décision"),
        _number(data, "min_meetings"),
        _number(data, "notice_days"),
        notified,
    )
    db_session().expire_all()
    return jsonify(decision_json(queries.decision(convention_id), convention_id)), (
        200 if existed else 201
    )


@bp.post("/conventions/<int:convention_id>/adoptions")
def adoption(convention_id: int) -> ResponseReturnValue:
    """Record the organisme's adoption of the projet (the text as it stands); its
    deliberation is then attached through ``/proofs`` with ``entry`` "adoption"."""
    data = json_input.payload('{"instance": "conseil_administration", "adopted_on": "AAAA-MM-JJ"}')
    adopted = operations.record_adoption(
        convention_id,
        g.user,
        json_input.string(data, "instance"),
        json_input.day(data, "adopted_on", "La date de l'adoption"),
    )
    session = db_session()
    found = session.get(ProjectAdoption, adopted.id)
    assert found is not None  # written just now
    digest, _ = current_text(session, convention_id)
    return jsonify(adoption_json(found, digest)), 201


def _number(data: json_input.Payload, key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"« {key} » doit être un nombre entier.", field=key)
    return value


@bp.post("/conventions/<int:convention_id>/proofs")
def proof_add(convention_id: int) -> ResponseReturnValue:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Joignez la pièce dans le champ « file » (multipart/form-data).")
    entry = (request.form.get("entry") or "").strip()
    raw_id = (request.form.get("entry_id") or "").strip()
    entry_id = parse_id(raw_id)
    data = upload.read(PROOF_MAX_BYTES + 1)
    proof = operations.add_proof(
        convention_id,
        g.user,
        entry,
        entry_id,
        request.form.get("kind"),
        upload.filename or "",
        data,
    )
    return jsonify(proof_json(queries.proof_file(convention_id, proof.id))), 201


@bp.get("/conventions/<int:convention_id>/proofs/<int:proof_id>")
def proof(convention_id: int, proof_id: int) -> ResponseReturnValue:
    return proof_response(queries.proof_file(convention_id, proof_id))
