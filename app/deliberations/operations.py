"""Recording a party's deliberation on the convention, with its extract as a proof."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import audit
from app.db import reloaded, write_transaction
from app.deliberations.queries import ENTRY, parties
from app.models import Convention, Deliberation, User
from app.register.operations import attach_proof
from app.register.queries import current_text, today
from workflows.deliberations import DECISION_LABELS, INSTANCE_LABELS, clean_deliberation
from workflows.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflows.lifecycle import STATE_LABELS, signed
from workflows.permissions import Role, may_record_deliberation_for
from workflows.proofs import check_proof_file
from workflows.register import short_sha


def record_deliberation(
    convention_id: int,
    actor: User,
    role: Role | None,
    organisation_id: int | None,
    instance: str | None,
    decided_on: date | None,
    decision: str | None,
    note: str | None = "",
    extract: tuple[str, bytes] | None = None,
) -> Deliberation:
    """Record a party's deliberation: its instance, day and decision, with the
    fingerprint of the text as it stands now (the text deliberated on). ``extract``:
    optionally the extract of the registre des délibérations (name, bytes), attached in
    the same transaction. A party's members record their own party's, the organisme's
    drafters any party's (``may_record_deliberation_for``); until the signature.
    Nothing is written on bad input or a file refused."""
    file = None
    if extract is not None:
        try:
            file = check_proof_file(*extract)
        except InvalidInput as error:
            error.field = "file"  # shown beside the file input
            raise
    with write_transaction() as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        if signed(convention.state, convention.lifecycle):
            raise Conflict(
                "La convention est signée (étape actuelle : "
                f"« {STATE_LABELS[convention.state]} ») : une délibération sur son texte "
                "s'enregistre avant la signature ; une modification passe par un avenant."
            )
        if organisation_id is None:
            raise InvalidInput("Choisissez la partie qui a délibéré.", field="party")
        party = next(
            (p for p in parties(session, convention) if p.organisation_id == organisation_id), None
        )
        if party is None:
            raise InvalidInput(
                "Cette organisation n'est pas partie à la convention : seuls l'organisme et "
                "les signataires délibèrent sur elle.",
                field="party",
            )
        if not may_record_deliberation_for(role, actor.organisation_id == organisation_id):
            raise Forbidden(
                f"Vous ne pouvez pas enregistrer la délibération de {party.name} : chaque "
                "partie enregistre celle de son assemblée, les rédacteurs de l'organisme "
                "celle de toute partie, d'après l'extrait du registre des délibérations."
            )
        instance, decided_on, chosen, text = clean_deliberation(
            party.kind, party.name, instance, decided_on, decision, note, today()
        )
        digest, _ = current_text(session, convention_id)
        deliberation = Deliberation(
            convention_id=convention_id,
            organisation_id=organisation_id,
            party=party.name,
            instance=instance,
            decided_on=decided_on,
            decision=chosen.value,
            note=text,
            sha256=digest,
            recorded_by_id=actor.id,
        )
        session.add(deliberation)
        session.flush()
        audit.record(
            session,
            "deliberation",
            f"{party.name} : {INSTANCE_LABELS[instance].lower()} du {decided_on:%d/%m/%Y}, "
            f"{DECISION_LABELS[chosen].lower()} (empreinte SHA-256 du texte {short_sha(digest)})",
            reloaded(session, actor),
            convention_id,
            "deliberation",
            deliberation.id,
        )
        if file is not None:
            assert extract is not None
            name, content_type = file
            try:
                attach_proof(
                    session,
                    convention_id,
                    actor,
                    ENTRY,
                    deliberation.id,
                    "deliberation",
                    name,
                    content_type,
                    extract[1],
                )
            except InvalidInput as error:  # past the register's room: nothing written
                error.field = "file"
                raise
    return deliberation
