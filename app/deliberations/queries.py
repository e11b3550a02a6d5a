"""Reading the deliberations: each party that deliberates with where it stands, what the
signature still waits for, and the shapes the page and the API show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db import db_session
from app.models import Convention, Deliberation, RegisterProof, User, iso
from app.register.queries import current_text, proof_json, proofs_by_entry
from app.review.queries import signatories
from workflows.deliberations import (
    DECISION_LABELS,
    INSTANCE_LABELS,
    STATUS_LABELS,
    Decision,
    DeliberationFacts,
    Party,
    PartyStatus,
    deliberation_findings,
    instances_for,
    party_statuses,
)
from workflows.lifecycle import signed
from workflows.permissions import Role, may_record_deliberation_for
from workflows.register import short_sha

ENTRY = "deliberation"  # the proofs' entry kind (workflows.proofs.ENTRY_KINDS)


def required(convention: Convention) -> bool:
    """The signature of this convention waits for its parties' deliberations: its path
    says so (workflows.paths, an avenant following what it amends)."""
    return convention.lifecycle.deliberations_before_signature


def parties(session: Session, convention: Convention) -> list[Party]:
    """The organisme, then each signatory (a person as a person: no organisation)."""
    organisme = convention.organisme
    found = [Party(organisme.id, organisme.name, organisme.kind.value)]
    for m in signatories(session, convention.id):
        if m.organisation is not None:
            found.append(Party(m.organisation.id, m.organisation.name, m.organisation.kind.value))
        else:
            found.append(Party(None, m.party_name, ""))
    return found


def deliberations(session: Session, convention_id: int) -> list[Deliberation]:
    """Every deliberation recorded, in the order recorded."""
    return list(
        session.scalars(
            select(Deliberation)
            .where(Deliberation.convention_id == convention_id)
            .options(joinedload(Deliberation.recorded_by))
            .order_by(Deliberation.id)
        )
    )


def _facts(rows: list[Deliberation]) -> list[DeliberationFacts]:
    return [
        DeliberationFacts(d.organisation_id, d.instance, d.decided_on, d.decision, d.sha256)
        for d in rows
    ]


def findings(session: Session, convention: Convention) -> list[str]:
    """What the signature still waits for of the parties' deliberations
    (``workflows.deliberations.deliberation_findings``), whatever the kind: the
    lifecycle asks it of the kinds that require them."""
    digest, _ = current_text(session, convention.id)
    rows = deliberations(session, convention.id)
    return deliberation_findings(parties(session, convention), _facts(rows), digest)


@dataclass(frozen=True)
class PartyView:
    status: PartyStatus
    label: str
    instances: tuple[str, ...]
    recordable: bool  # this user may record a deliberation for it now


def page(convention: Convention, user: User, role: Role | None) -> dict[str, Any]:
    """Everything the page shows: each party that deliberates with its status, the
    deliberations (newest first) with their extracts, the parties this user may
    record for."""
    session = db_session()
    digest, _ = current_text(session, convention.id)
    rows = deliberations(session, convention.id)
    open_now = not signed(convention.state, convention.lifecycle)
    views = [
        PartyView(
            s,
            STATUS_LABELS[s.status],
            instances_for(s.party.kind),
            open_now
            and may_record_deliberation_for(role, s.party.organisation_id == user.organisation_id),
        )
        for s in party_statuses(parties(session, convention), _facts(rows), digest)
    ]
    return {
        "parties": views,
        "deliberations": list(reversed(rows)),
        "proofs": proofs_by_entry(_proofs(session, convention.id)),
        "current_sha256": digest,
        "required": required(convention),
        "recording_open": open_now,
        "INSTANCE_LABELS": INSTANCE_LABELS,
        "DECISION_LABELS": {d.value: label for d, label in DECISION_LABELS.items()},
        "short_sha": short_sha,
    }


def _proofs(session: Session, convention_id: int) -> list[RegisterProof]:
    return list(
        session.scalars(
            select(RegisterProof)
            .where(RegisterProof.convention_id == convention_id, RegisterProof.entry_kind == ENTRY)
            .options(joinedload(RegisterProof.uploaded_by))
            .order_by(RegisterProof.id)
        )
    )


def deliberation_json(
    d: Deliberation, current_sha256: str, proofs: list[RegisterProof]
) -> dict[str, Any]:
    return {
        "id": d.id,
        "organisation_id": d.organisation_id,
        "party": d.party,
        "instance": d.instance,
        "instance_label": INSTANCE_LABELS.get(d.instance, d.instance),
        "decided_on": d.decided_on.isoformat(),
        "decision": d.decision,
        "decision_label": DECISION_LABELS.get(Decision(d.decision), d.decision),
        "note": d.note,
        "sha256": d.sha256,
        "sha256_short": short_sha(d.sha256),
        # The text is still the one the assembly had before it.
        "current": d.sha256 == current_sha256,
        "recorded_by": d.recorded_by.name,
        "created_at": iso(d.created_at),
        "proofs": [proof_json(p) for p in proofs],
    }


def deliberations_json(convention: Convention) -> dict[str, Any]:
    """The deliberations as the API gives them: what the page shows."""
    session = db_session()
    digest, _ = current_text(session, convention.id)
    rows = deliberations(session, convention.id)
    by_entry = proofs_by_entry(_proofs(session, convention.id))
    shaped = {d.id: deliberation_json(d, digest, by_entry.get((ENTRY, d.id), [])) for d in rows}
    statuses = party_statuses(parties(session, convention), _facts(rows), digest)
    return {
        "required": required(convention),
        "recording_open": not signed(convention.state, convention.lifecycle),
        "current_sha256": digest,
        "findings": deliberation_findings(parties(session, convention), _facts(rows), digest),
        "parties": [
            {
                "organisation_id": s.party.organisation_id,
                "name": s.party.name,
                "kind": s.party.kind,
                "status": s.status.value,
                "status_label": STATUS_LABELS[s.status],
                "instances": list(instances_for(s.party.kind)),
            }
            for s in statuses
        ],
        "deliberations": list(shaped.values()),
    }


def signature_lines(convention: Convention) -> dict[int, str]:
    """Each party's deliberation that counts, as its signature block mentions it
    (organisation id -> « Vu la délibération du conseil communautaire du 12/03/2027. »)."""
    session = db_session()
    digest, _ = current_text(session, convention.id)
    rows = deliberations(session, convention.id)
    lines = {}
    for s in party_statuses(parties(session, convention), _facts(rows), digest):
        last = s.last
        if last is None or s.party.organisation_id is None:
            continue
        if last.decision not in (Decision.APPROUVE, Decision.APPROUVE_RESERVES):
            continue
        lines[s.party.organisation_id] = (
            f"Vu la délibération du {last.decided_on:%d/%m/%Y} "
            f"({INSTANCE_LABELS.get(last.instance, last.instance).lower()})."
        )
    return lines
