"""Reading the register of the association, as the page and the printed record show it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.access import members
from app.accounts.queries import organisations
from app.db import db_session
from app.models import (
    AssociationDecision,
    Contribution,
    Convention,
    Meeting,
    Membership,
    Organisation,
    ProjectAdoption,
    ReceivedLetter,
    RegisterProof,
    Section,
    SentDocument,
    TenantConcertation,
    iso,
)
from workflows.concertation import PARTICIPANT_KINDS, Concertation, concertation_findings
from workflows.conventions import OrganisationKind
from workflows.errors import NotFound
from workflows.lifecycle import fingerprint
from workflows.permissions import Role
from workflows.proofs import PROOF_KINDS
from workflows.register import (
    INSTANCES,
    PREFET,
    AdoptionFacts,
    DecisionFacts,
    MeetingFacts,
    PartyFacts,
    adoption_findings,
    association_findings,
    notice_summary,
    sending_warning,
    short_sha,
)

PREFET_LABEL = "Préfet"
# meeting_json's notice when the caller did not read it: read it from the decision.
_READ_NOTICE = -1


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


def warnings_of(meeting: Meeting, notice_days: int | None = None) -> dict[int, str]:
    return {
        d.id: w
        for d in meeting.documents
        if (w := sending_warning(d.sent_on, meeting.meeting_on, notice_days))
    }


# --- the opening decision, its recipients, the proofs and the findings -------------------


def decision_recipients(session: Session, convention_id: int) -> list[tuple[str, str, bool]]:
    """Whom the decision opening the drafting goes to: the préfet, then each mandatory
    signatory and each associated collectivité taking part as an organisation, as
    (key, name, associated); the key is ``"prefet"`` or the organisation's id. A tenants'
    association takes part in the concertation, not in the association: not one of them."""
    rows = session.execute(
        select(Organisation.id, Organisation.name, Membership.role)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Membership.convention_id == convention_id,
            Membership.role.in_([Role.SIGNATAIRE, Role.ASSOCIE]),
            Organisation.kind != OrganisationKind.ASSOCIATION_LOCATAIRES,
        )
        .order_by(Membership.role.desc(), Organisation.name)
    )
    return [(PREFET, PREFET_LABEL, False)] + [
        (str(oid), name, role is Role.ASSOCIE) for oid, name, role in rows
    ]


def decision(convention_id: int) -> AssociationDecision | None:
    return db_session().scalar(
        select(AssociationDecision)
        .where(AssociationDecision.convention_id == convention_id)
        .options(
            selectinload(AssociationDecision.notices), joinedload(AssociationDecision.recorded_by)
        )
    )


def notice_days_of(session: Session, convention_id: int) -> int | None:
    """The notice in days the decision set for documents (None: the legal month)."""
    return session.scalar(
        select(AssociationDecision.notice_days).where(
            AssociationDecision.convention_id == convention_id
        )
    )


def proofs(convention_id: int) -> list[RegisterProof]:
    """The proofs of the register, without their bytes, oldest first."""
    return list(
        db_session().scalars(
            select(RegisterProof)
            .where(RegisterProof.convention_id == convention_id)
            .options(joinedload(RegisterProof.uploaded_by))
            .order_by(RegisterProof.id)
        )
    )


def proofs_by_entry(found: list[RegisterProof]) -> dict[tuple[str, int], list[RegisterProof]]:
    grouped: dict[tuple[str, int], list[RegisterProof]] = {}
    for proof in found:
        grouped.setdefault((proof.entry_kind, proof.entry_id), []).append(proof)
    return grouped


def proof_file(convention_id: int, proof_id: int) -> RegisterProof:
    """A proof with its bytes, for download; NotFound outside this convention."""
    proof = db_session().get(RegisterProof, proof_id)
    if proof is None or proof.convention_id != convention_id:
        raise NotFound("Pièce justificative introuvable.")
    return proof


def decision_lines(convention_id: int) -> tuple[str, ...]:
    """The opening decision as the Word export's annex lists it."""
    opening = decision(convention_id)
    if opening is None:
        return ()
    sent = {
        (PREFET if n.organisation_id is None else str(n.organisation_id)): n.notified_on
        for n in opening.notices
    }
    lines = [
        f"{opening.decided_on:%d/%m/%Y} — {INSTANCES.get(opening.instance, opening.instance)}"
        f", décision engageant l'élaboration ; modalités : "
        f"{notice_summary(opening.min_meetings, opening.notice_days)}"
    ]
    for key, name, _associated in decision_recipients(db_session(), convention_id):
        when = sent.get(key)
        lines.append(
            f"Transmise à {name} le {when:%d/%m/%Y}"
            if when
            else f"Transmission à {name} non enregistrée"
        )
    return tuple(lines)


def proof_lines(convention_id: int) -> tuple[str, ...]:
    """Each proof as the Word export's annex lists it, with what it is attached to."""
    session = db_session()
    titles: dict[tuple[str, int], str] = {}
    for m in meetings(convention_id):
        titles[("meeting", m.id)] = f"réunion « {m.title} » du {m.meeting_on:%d/%m/%Y}"
        for d in m.documents:
            titles[("document", d.id)] = f"envoi de « {d.title} » le {d.sent_on:%d/%m/%Y}"
    opening = session.scalar(
        select(AssociationDecision).where(AssociationDecision.convention_id == convention_id)
    )
    if opening is not None:
        titles[("decision", opening.id)] = f"décision du {opening.decided_on:%d/%m/%Y}"
    for adopted in adoptions(convention_id):
        titles[("adoption", adopted.id)] = f"adoption du projet le {adopted.adopted_on:%d/%m/%Y}"
    return tuple(
        f"{PROOF_KINDS.get(p.kind, p.kind)} — {p.filename} "
        f"({titles.get((p.entry_kind, p.entry_id), p.entry_kind)}, SHA-256 {p.sha256[:12]}…)"
        for p in proofs(convention_id)
    )


# --- the adoption of the projet ------------------------------------------------------------


def adoptions(convention_id: int) -> list[ProjectAdoption]:
    """Every adoption of the projet recorded, the latest (the one that counts) last."""
    return list(
        db_session().scalars(
            select(ProjectAdoption)
            .where(ProjectAdoption.convention_id == convention_id)
            .options(joinedload(ProjectAdoption.recorded_by))
            .order_by(ProjectAdoption.adopted_on, ProjectAdoption.id)
        )
    )


def current_text(session: Session, convention_id: int) -> tuple[str, dict[str, int | None]]:
    """The fingerprint of the convention's text as it stands (its title and sections in
    order, as signing fingerprints them), and each section's current revision number
    (section id as text -> number; None: no text yet)."""
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    sections = list(
        session.scalars(
            select(Section)
            .where(Section.convention_id == convention_id)
            .options(joinedload(Section.current_revision))
            .order_by(Section.position, Section.id)
        )
    )
    _, digest = fingerprint(
        convention.title,
        [(s.title, s.current_revision.body if s.current_revision else "") for s in sections],
    )
    numbers = {
        str(s.id): (s.current_revision.number if s.current_revision else None) for s in sections
    }
    return digest, numbers


def changed_since(
    session: Session, convention_id: int, adopted: ProjectAdoption, now: dict[str, int | None]
) -> list[str]:
    """The titles of the sections whose text is not the one adopted (new ones included)."""
    titles = dict(
        session.execute(
            select(Section.id, Section.title)
            .where(Section.convention_id == convention_id)
            .order_by(Section.position, Section.id)
        ).all()
    )
    then = adopted.revisions or {}
    return [
        title
        for section_id, title in titles.items()
        if str(section_id) not in then or then[str(section_id)] != now.get(str(section_id))
    ]


def adoption_lines(convention_id: int) -> tuple[str, ...]:
    """The adoptions of the projet as the Word export's annex lists them, the one that
    counts last, with when the association ended."""
    found = adoptions(convention_id)
    lines = [
        f"{a.adopted_on:%d/%m/%Y} — {INSTANCES.get(a.instance, a.instance)}, adoption du "
        f"projet ; empreinte SHA-256 du texte adopté : {a.sha256}"
        for a in found
    ]
    if found:
        lines.append(f"L'association a pris fin le {found[-1].adopted_on:%d/%m/%Y}.")
    return tuple(lines)


def adoption_json(adopted: ProjectAdoption, current_sha256: str) -> dict[str, Any]:
    return {
        "id": adopted.id,
        "instance": adopted.instance,
        "instance_label": INSTANCES.get(adopted.instance, adopted.instance),
        "adopted_on": adopted.adopted_on.isoformat(),
        "sha256": adopted.sha256,
        "sha256_short": short_sha(adopted.sha256),
        # The text is still the one adopted.
        "current": adopted.sha256 == current_sha256,
        "recorded_by": adopted.recorded_by.name,
        "created_at": iso(adopted.created_at),
    }


def adoption_state(convention_id: int) -> dict[str, Any]:
    """The adoptions as the register shows them: all of them, the latest, when the
    association ended, the current text's fingerprint."""
    found = adoptions(convention_id)
    digest, _ = current_text(db_session(), convention_id)
    latest = found[-1] if found else None
    return {
        "adoptions": found,
        "adoption": latest,
        "ended_on": latest.adopted_on if latest else None,
        "current_sha256": digest,
    }


def findings_by_kind(
    convention_id: int,
    found_meetings: list[Meeting] | None = None,
    found_decision: AssociationDecision | None = None,
    on: date | None = None,
    documents: bool = True,
) -> tuple[list[str], list[str]]:
    """What the register does not yet prove, as (the association and the concertation,
    the adoption of the projet that ends the association); see ``findings``."""
    session = db_session()
    if found_meetings is None:
        found_meetings = meetings(convention_id)
    if found_decision is None:
        found_decision = decision(convention_id)
    facts = None
    if found_decision is not None:
        notified: dict[int | str, date] = {
            (PREFET if n.organisation_id is None else n.organisation_id): n.notified_on
            for n in found_decision.notices
        }
        facts = DecisionFacts(
            found_decision.instance,
            found_decision.decided_on,
            found_decision.min_meetings,
            found_decision.notice_days,
            notified,
        )
    parties = [
        PartyFacts(int(key), name, associated)
        for key, name, associated in decision_recipients(session, convention_id)
        if key != PREFET
    ]
    held = [
        MeetingFacts(
            m.title,
            m.meeting_on,
            frozenset(m.invited or []),
            tuple((d.title, d.sent_on) for d in m.documents) if documents else (),
        )
        for m in found_meetings
    ]
    day = on or today()
    found_adoptions = adoptions(convention_id)
    latest = found_adoptions[-1] if found_adoptions else None
    digest, numbers = current_text(session, convention_id)
    ended_on = latest.adopted_on if latest else None
    association = association_findings(facts, parties, held, day, ended_on)
    adoption = adoption_findings(
        AdoptionFacts(latest.instance, latest.adopted_on, latest.sha256) if latest else None,
        held,
        digest,
        changed_since(session, convention_id, latest, numbers) if latest else (),
    )
    concertation = concertation_findings(
        [
            Concertation(c.held_on, c.subject, (), c.impossible, c.reason)
            for c in concertations(convention_id)
        ],
        day,
    )
    return association + concertation, adoption


def findings(
    convention_id: int,
    found_meetings: list[Meeting] | None = None,
    found_decision: AssociationDecision | None = None,
    on: date | None = None,
    documents: bool = True,
) -> list[str]:
    """What the register does not yet prove of the association
    (``workflows.register.association_findings`` on this convention's rows, then the
    concertation's, then the adoption's: ``adoption_findings``); ``documents=False``:
    without the documents sent late, which the register flags but nothing can now mend
    (the transmission's guard asks the rest)."""
    association, adoption = findings_by_kind(
        convention_id, found_meetings, found_decision, on, documents
    )
    return association + adoption


def concertations(convention_id: int) -> list[TenantConcertation]:
    return list(
        db_session().scalars(
            select(TenantConcertation)
            .where(TenantConcertation.convention_id == convention_id)
            .options(joinedload(TenantConcertation.recorded_by))
            .order_by(TenantConcertation.held_on, TenantConcertation.id)
        )
    )


def concertation_json(record: TenantConcertation) -> dict[str, Any]:
    return {
        "id": record.id,
        "held_on": record.held_on.isoformat(),
        "subject": record.subject,
        "participants": [{"kind": kind, "name": name} for kind, name in record.participants],
        "impossible": record.impossible,
        "reason": record.reason,
        "minutes": record.minutes,
        "recorded_by": record.recorded_by.name,
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
    opening = decision(convention_id)
    notice = opening.notice_days if opening else None
    return {
        **adoption_state(convention_id),
        "meetings": found,
        "warnings": {m.id: warnings_of(m, notice) for m in found},
        "decision": opening,
        "recipients": decision_recipients(db_session(), convention_id),
        "notified": {
            (PREFET if n.organisation_id is None else str(n.organisation_id)): n.notified_on
            for n in (opening.notices if opening else [])
        },
        "proofs": proofs_by_entry(proofs(convention_id)),
        "findings": findings(convention_id, found, opening),
        "concertations": concertations(convention_id),
        "PARTICIPANT_KINDS": PARTICIPANT_KINDS,
        "INSTANCES": INSTANCES,
        "PROOF_KINDS": PROOF_KINDS,
        "notice_summary": notice_summary,
        "short_sha": short_sha,
        "organisations": {o.id: o for o in organisations()},
        "members": members(convention_id),
        "contributions": written_contributions(convention_id),
        "letters": letters(convention_id),
        "printed_on": today(),
    }


def document_json(
    document: SentDocument, meeting: Meeting, notice_days: int | None = None
) -> dict[str, Any]:
    return {
        "id": document.id,
        "title": document.title,
        "sent_on": document.sent_on.isoformat(),
        # Sent too late before the meeting (workflows.register.sending_warning), or null.
        "warning": sending_warning(document.sent_on, meeting.meeting_on, notice_days),
    }


def meeting_json(meeting: Meeting, notice_days: int | None = _READ_NOTICE) -> dict[str, Any]:
    if notice_days == _READ_NOTICE:
        notice_days = notice_days_of(db_session(), meeting.convention_id)
    return {
        "id": meeting.id,
        "title": meeting.title,
        "meeting_on": meeting.meeting_on.isoformat(),
        "place": meeting.place,
        "invited": list(meeting.invited),
        "minutes": meeting.minutes,
        "documents": [document_json(d, meeting, notice_days) for d in meeting.documents],
    }


def proof_json(proof: RegisterProof) -> dict[str, Any]:
    return {
        "id": proof.id,
        "entry": proof.entry_kind,
        "entry_id": proof.entry_id,
        "kind": proof.kind,
        "kind_label": PROOF_KINDS.get(proof.kind, proof.kind),
        "filename": proof.filename,
        "content_type": proof.content_type,
        "size": proof.size,
        "sha256": proof.sha256,
        "uploaded_by": proof.uploaded_by.name,
        "created_at": iso(proof.created_at),
        "download_url": url_for(
            "register_api.proof", convention_id=proof.convention_id, proof_id=proof.id
        ),
    }


def decision_json(opening: AssociationDecision | None, convention_id: int) -> dict[str, Any] | None:
    if opening is None:
        return None
    names = {key: name for key, name, _a in decision_recipients(db_session(), convention_id)}
    return {
        "id": opening.id,
        "instance": opening.instance,
        "instance_label": INSTANCES.get(opening.instance, opening.instance),
        "decided_on": opening.decided_on.isoformat(),
        "min_meetings": opening.min_meetings,
        "notice_days": opening.notice_days,
        "terms": notice_summary(opening.min_meetings, opening.notice_days),
        "notified": [
            {
                "recipient": PREFET if n.organisation_id is None else str(n.organisation_id),
                "name": names.get(
                    PREFET if n.organisation_id is None else str(n.organisation_id), n.recipient
                ),
                "notified_on": n.notified_on.isoformat(),
            }
            for n in opening.notices
        ],
        "recorded_by": opening.recorded_by.name,
        "updated_at": iso(opening.updated_at),
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
    found = meetings(convention_id)
    opening = decision(convention_id)
    notice = opening.notice_days if opening else None
    state = adoption_state(convention_id)
    return {
        "decision": decision_json(opening, convention_id),
        # Every adoption of the projet, the one that counts (the latest) last.
        "adoptions": [adoption_json(a, state["current_sha256"]) for a in state["adoptions"]],
        "association_ended_on": state["ended_on"].isoformat() if state["ended_on"] else None,
        "current_sha256": state["current_sha256"],
        "findings": findings(convention_id, found, opening),
        "concertations": [concertation_json(c) for c in concertations(convention_id)],
        "proofs": [proof_json(p) for p in proofs(convention_id)],
        "meetings": [meeting_json(m, notice) for m in found],
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
