"""Reading the lifecycle: the facts its guards judge, why a step would be refused, the
signatures, and the deadlines with their status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db import db_session
from app.deliberations.queries import findings as deliberation_findings
from app.deliberations.queries import required as deliberations_required
from app.models import (
    CarriedPoint,
    CommentThread,
    Contribution,
    Convention,
    Membership,
    ReviewPosition,
    Revision,
    Section,
    Signature,
    SignatureProposal,
    User,
    iso,
)
from app.organisations.queries import convention_ties
from app.register.queries import findings_by_kind as register_findings
from app.review.queries import signatories
from workflows.contributions import ContributionState
from workflows.conventions import ConventionKind
from workflows.lifecycle import (
    Blocker,
    ConventionFacts,
    ConventionState,
    Deadline,
    OpenContribution,
    OpenPoint,
    SectionFacts,
    blockers,
    carried_points,
    check_transition,
    deadline_done,
    deadline_status,
    deadlines_of_path,
    fingerprint,
    signing_open,
)
from workflows.permissions import (
    Role,
    SigningParty,
    may_record_proposal,
    parties_to_sign_for,
    why_no_signature,
)
from workflows.review import OPEN_POSITIONS, Position
from workflows.state import is_state


def local_date(moment: datetime) -> date:
    """The day ``moment`` falls on where the users are (COSIGNE_TIMEZONE)."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def transmitted_on(convention: Convention) -> date | None:
    """The day the text last went to those who sign, from which they date their
    signatures: a CUS's transmission to the préfet, a contract's entry into
    délibérations (None: not known)."""
    moment = (
        convention.transmitted_at
        if convention.lifecycle.prefect_proposal
        else convention.deliberations_at
    )
    return local_date(moment) if moment else None


def organisme_membership(session: Session, convention: Convention) -> Membership | None:
    """The organisme's own membership: the party that signs for the organisme (every
    convention has it: the organisme cannot be removed nor stop drafting)."""
    return session.scalar(
        select(Membership)
        .where(
            Membership.convention_id == convention.id,
            Membership.organisation_id == convention.organisme_id,
        )
        .options(joinedload(Membership.organisation))
    )


def signing_parties(session: Session, convention: Convention) -> list[Membership]:
    """Every party that signs: the organisme first, then the signatories."""
    organisme = organisme_membership(session, convention)
    return ([organisme] if organisme else []) + signatories(session, convention.id)


def kind_of(membership: Membership) -> str:
    """The kind of organisation a member is (or a person's organisation is)."""
    if membership.organisation is not None:
        return membership.organisation.kind
    assert membership.user is not None  # one_member: an organisation or a user
    return membership.user.organisation.kind


def proposal_applies(convention: Convention) -> bool:
    """A CUS is signed for the State by the préfet de région on the proposal of the préfet
    de département; the other kinds of convention have no such step in Cosigne."""
    return convention.lifecycle.prefect_proposal and convention.kind is ConventionKind.CUS


def state_signatories(session: Session, convention: Convention) -> list[Membership]:
    """The signatories that are services of the State (one, as the State speaks with one
    voice; the rule holds for each)."""
    return [m for m in signatories(session, convention.id) if is_state(kind_of(m))]


def current_proposal(session: Session, convention: Convention) -> SignatureProposal | None:
    """The préfet de département's proposal that counts: the latest recorded since the
    convention was last transmitted (a text sent back and transmitted again is proposed
    again); None for a convention that has none. A convention transmitted before
    Cosigne kept the moment (``transmitted_at`` unknown) counts its latest."""
    if not proposal_applies(convention):
        return None
    query = select(SignatureProposal).where(SignatureProposal.convention_id == convention.id)
    if convention.transmitted_at is not None:
        query = query.where(SignatureProposal.created_at >= convention.transmitted_at)
    return session.scalar(
        query.options(joinedload(SignatureProposal.recorded_by))
        .order_by(SignatureProposal.id.desc())
        .limit(1)
    )


def speaks_for(user: User, membership: Membership) -> bool:
    """The user signs for this party: it is them, or their organisation."""
    if membership.user_id is not None:
        return membership.user_id == user.id
    return membership.organisation_id == user.organisation_id


def parties_as_seen_by(session: Session, convention: Convention, user: User) -> list[SigningParty]:
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention.id)
        )
    )
    return [
        SigningParty(
            id=m.id,
            name=m.party_name,
            organisme=m.organisation_id == convention.organisme_id,
            own=speaks_for(user, m),
            signed=m.id in signed,
        )
        for m in signing_parties(session, convention)
    ]


@dataclass(frozen=True)
class SigningForm:
    """What the signatures block offers this user: the lines they may sign for (their
    own first), or why there are none."""

    choices: list[SigningParty]
    reason: str | None  # when ``choices`` is empty


def signing_form(convention: Convention, user: User, role: Role | None) -> SigningForm:
    parties = parties_as_seen_by(db_session(), convention, user)
    choices = parties_to_sign_for(role, parties)
    return SigningForm(choices, None if choices else why_no_signature(role, parties))


@dataclass(frozen=True)
class ProposalBlock:
    """The préfet de département's proposal as the signatures block shows it."""

    shown: bool  # a CUS transmitted (or signed since)
    proposal: SignatureProposal | None
    state_parties: list[str]  # the State signatories that sign on it
    form: bool  # this user may record it (or correct it) now


def proposal_block(convention: Convention, user: User, role: Role | None) -> ProposalBlock:
    session = db_session()
    if not proposal_applies(convention):
        return ProposalBlock(False, None, [], False)
    proposal = current_proposal(session, convention)
    state = state_signatories(session, convention)
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention.id)
        )
    )
    open_now = signing_open(convention.state, convention.lifecycle)
    form = (
        open_now
        and not any(m.id in signed for m in state)
        and may_record_proposal(
            role, user.organisation.kind, proposal is not None and proposal.by_state
        )
    )
    return ProposalBlock(
        open_now or proposal is not None, proposal, [m.party_name for m in state], form
    )


# The first words of a discussion, as a readiness item quotes them.
POINT_EXCERPT_CHARS = 200


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= POINT_EXCERPT_CHARS else flat[: POINT_EXCERPT_CHARS - 1] + "…"


def open_contributions(session: Session, convention: Convention) -> list[OpenContribution]:
    rows = session.execute(
        select(Contribution, Section.title, Section.id)
        .join(Section, Section.id == Contribution.section_id)
        .where(
            Section.convention_id == convention.id,
            Contribution.state == ContributionState.OUVERTE,
        )
        .options(joinedload(Contribution.organisation))
        .order_by(Section.position, Contribution.id)
    )
    return [
        OpenContribution(c.id, title, c.organisation.name, section_id)
        for c, title, section_id in rows
    ]


def open_points(session: Session, convention: Convention) -> list[OpenPoint]:
    """The reserves and disagreements of the signatories on each section's current text,
    and the section's discussions not marked resolved, in the order of the sections, with
    the note of those carried into the transmitted file."""
    sections = list(
        session.scalars(
            select(Section)
            .where(Section.convention_id == convention.id)
            .order_by(Section.position, Section.id)
        )
    )
    carried_positions = dict(
        session.execute(
            select(CarriedPoint.position_id, CarriedPoint.note).where(
                CarriedPoint.convention_id == convention.id,
                CarriedPoint.position_id.is_not(None),
            )
        ).all()
    )
    carried_threads = dict(
        session.execute(
            select(CarriedPoint.thread_id, CarriedPoint.note).where(
                CarriedPoint.convention_id == convention.id,
                CarriedPoint.thread_id.is_not(None),
            )
        ).all()
    )
    signing = {m.id for m in signatories(session, convention.id)}
    threads: dict[int, list[CommentThread]] = {}
    for thread in session.scalars(
        select(CommentThread)
        .join(Section, Section.id == CommentThread.section_id)
        .where(
            Section.convention_id == convention.id,
            CommentThread.contribution_id.is_(None),
            CommentThread.resolved.is_(False),
        )
        .options(
            joinedload(CommentThread.author).joinedload(User.organisation),
            joinedload(CommentThread.comments),
        )
        .order_by(CommentThread.id)
    ).unique():
        threads.setdefault(thread.section_id, []).append(thread)
    # Every position on the sections' current revisions in one query (a query per
    # section would make the export and the page cost more as sections are added); the
    # last of each party counts.
    latest: dict[tuple[int, int], ReviewPosition] = {}
    for position in session.scalars(
        select(ReviewPosition)
        .join(Section, Section.id == ReviewPosition.section_id)
        .join(Revision, Revision.id == Section.current_revision_id)
        .where(
            Section.convention_id == convention.id,
            ReviewPosition.revision_number == Revision.number,
        )
        .options(
            joinedload(ReviewPosition.membership).joinedload(Membership.organisation),
            joinedload(ReviewPosition.membership).joinedload(Membership.user),
        )
        .order_by(ReviewPosition.id)
    ):
        latest[(position.section_id, position.membership_id)] = position
    by_section: dict[int, list[ReviewPosition]] = {}
    for (section_id, _), position in latest.items():
        by_section.setdefault(section_id, []).append(position)
    points: list[OpenPoint] = []
    for section in sections:
        for position in by_section.get(section.id, []):
            if position.membership_id not in signing or position.position not in OPEN_POSITIONS:
                continue
            points.append(
                OpenPoint(
                    "desaccord" if position.position is Position.DESACCORD else "reserve",
                    position.id,
                    section.title,
                    section.id,
                    position.membership.party_name,
                    position.text,
                    carried_positions.get(position.id),
                )
            )
        for thread in threads.get(section.id, []):
            first = thread.comments[0].body if thread.comments else thread.quote
            points.append(
                OpenPoint(
                    "discussion",
                    thread.id,
                    section.title,
                    section.id,
                    # The organisation speaks through its agent, as for contributions.
                    thread.author.organisation.name,
                    _excerpt(first),
                    carried_threads.get(thread.id),
                )
            )
    return points


def facts(session: Session, convention: Convention, today: date) -> ConventionFacts:
    sections = session.scalars(
        select(Section).where(Section.convention_id == convention.id).order_by(Section.position)
    )
    parties = signatories(session, convention.id)
    organisme = organisme_membership(session, convention)
    signed = set(
        session.scalars(
            select(Signature.membership_id).where(Signature.convention_id == convention.id)
        )
    )
    everyone = [*parties, organisme] if organisme else parties
    association, adoption = (
        register_findings(convention.id, on=today, documents=False)
        if convention.kind is ConventionKind.CUS
        else ([], [])
    )
    return ConventionFacts(
        lifecycle=convention.lifecycle,
        followup_year=convention.followup_year,
        state=convention.state,
        sections=tuple(
            SectionFacts(
                s.title, s.mandatory, s.state.value, s.current_revision_id is not None, s.id
            )
            for s in sections
        ),
        signatories=tuple(m.party_name for m in parties),
        signed_by=frozenset(m.party_name for m in everyone if m.id in signed),
        start_year=convention.start_year,
        today=today,
        organisme=organisme.party_name if organisme else None,
        open_contributions=tuple(open_contributions(session, convention)),
        open_points=tuple(open_points(session, convention)),
        association_findings=tuple(association),
        adoption_findings=tuple(adoption),
        awaiting_proposal=tuple(m.party_name for m in state_signatories(session, convention))
        if proposal_applies(convention) and current_proposal(session, convention) is None
        else (),
        # A contract's signature waits for its parties' deliberations on the text.
        deliberation_findings=tuple(deliberation_findings(session, convention))
        if deliberations_required(convention)
        else (),
    )


def refusals(convention: Convention, to: str, today: date | None = None) -> list[str]:
    """Why each transition would be refused, for the page to explain before any click."""
    return check_transition(facts(db_session(), convention, today or date.today()), to)


@dataclass(frozen=True)
class Readiness:
    """What still stops the convention's next step forward (the text's going to those
    who sign while it is drafted and negotiated: the préfet, the assemblies; the
    signature once there), item by item, with the points carried into the file."""

    target: ConventionState
    blockers: list[Blocker]
    carried: list[OpenPoint]
    by_party: list[tuple[str, int]]  # how many items wait on each party
    # The items grouped as the page shows them: the convention's own first (section
    # None), then section by section in the document's order.
    groups: list[tuple[str | None, int | None, list[Blocker]]]


def readiness(convention: Convention, facts_now: ConventionFacts) -> Readiness | None:
    state, path = ConventionState(convention.state), convention.lifecycle
    if state in path.editable:
        target = path.submission
    elif state is path.signing:
        target = ConventionState.SIGNEE
    else:
        return None
    items = [b for b in blockers(facts_now, target) if b.kind != "step"]
    waiting: dict[str, int] = {}
    for item in items:
        if item.party:
            waiting[item.party] = waiting.get(item.party, 0) + 1
    groups: dict[int | None, tuple[str | None, int | None, list[Blocker]]] = {
        None: (None, None, [])
    }
    for section in facts_now.sections:  # in the document's order
        groups[section.ref] = (section.title, section.ref, [])
    for item in items:
        groups.setdefault(item.section_ref, (item.section, item.section_ref, []))[2].append(item)
    return Readiness(
        target,
        items,
        carried_points(facts_now.open_points),
        list(waiting.items()),
        [group for group in groups.values() if group[2]],
    )


def readiness_warnings(convention: Convention, view: Readiness | None) -> tuple[str, ...]:
    """What to warn of before the transmission without stopping it: the signatory of
    right and the collectivités associated as of right that the ties say are missing
    (workflows.ties). Empty once the convention has gone to the préfet."""
    if view is None or view.target is not ConventionState.TRANSMISE:
        return ()
    found = convention_ties(convention)
    return found.warnings if found is not None else ()


def signatures(convention_id: int) -> list[Signature]:
    return list(
        db_session().scalars(
            select(Signature)
            .where(Signature.convention_id == convention_id)
            .options(joinedload(Signature.membership), joinedload(Signature.recorded_by))
            .order_by(Signature.signed_on)
        )
    )


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    status: str  # done | late | soon | later


def deadlines_of(convention: Convention, today: date | None = None) -> list[DeadlineView]:
    today = today or date.today()
    views = []
    path = convention.lifecycle
    for key, label in deadlines_of_path(path).items():
        due = getattr(convention, f"{key}_deadline")
        if due is None:
            continue
        deadline = Deadline(key, label, due, deadline_done(key, convention.state, path))
        views.append(DeadlineView(deadline, deadline_status(deadline, today)))
    return views


def signed_sections(convention: Convention) -> list[tuple[str, str]] | None:
    """The title and text of each section as signed, to show them formatted: the
    convention's sections, when they still give the signed text exactly (signing
    freezes them, so they do; None otherwise, and the page shows the signed text)."""
    sections = [
        (s.title, s.current_revision.body if s.current_revision else "")
        for s in db_session().scalars(
            select(Section)
            .where(Section.convention_id == convention.id)
            .options(joinedload(Section.current_revision))
            .order_by(Section.position, Section.id)
        )
    ]
    text, _ = fingerprint(convention.title, sections)
    return sections if text == convention.signed_text else None


# --- the shapes the API gives -------------------------------------------------------------


def proposal_json(proposal: SignatureProposal | None) -> dict[str, Any] | None:
    if proposal is None:
        return None
    return {
        "id": proposal.id,
        "proposed_on": proposal.proposed_on.isoformat(),
        "proposer": proposal.proposer,
        "note": proposal.note,
        "recorded_by": proposal.recorded_by.name,
        "by_state": proposal.by_state,
        "created_at": iso(proposal.created_at),
    }


def signatures_json(convention: Convention) -> dict[str, Any]:
    """The signatures recorded, and every signatory with whether it has signed (the
    ``membership_id`` to sign for), as the convention's page shows them; for a CUS, the
    préfet de département's proposal the State signs on (null until recorded)."""
    found = signatures(convention.id)
    signed = {s.membership_id for s in found}
    session = db_session()
    state_ids = {m.id for m in state_signatories(session, convention)}
    return {
        "signing_open": signing_open(convention.state, convention.lifecycle),
        "transmitted_on": day.isoformat() if (day := transmitted_on(convention)) else None,
        "proposal_required": proposal_applies(convention),
        "proposal": proposal_json(current_proposal(session, convention)),
        "signatures": [
            {
                "id": s.id,
                "membership_id": s.membership_id,
                "party": s.membership.party_name,
                "signed_on": s.signed_on.isoformat(),
                "signer": s.signer,
                "recorded_by": s.recorded_by.name,
                "created_at": iso(s.created_at),
            }
            for s in found
        ],
        "signatories": [
            {
                "membership_id": m.id,
                "party": m.party_name,
                "organisme": m.organisation_id == convention.organisme_id,
                "state": m.id in state_ids,
                "signed": m.id in signed,
            }
            for m in signing_parties(db_session(), convention)
        ],
    }


def deadlines_json(convention: Convention, today: date | None = None) -> list[dict[str, Any]]:
    """Each deadline the convention may have on its path, set or not (``due`` null), with
    its status (done, late, soon: within 30 days, later)."""
    shown = {v.deadline.key: v for v in deadlines_of(convention, today)}
    result = []
    path = convention.lifecycle
    for key, label in deadlines_of_path(path).items():
        view = shown.get(key)
        result.append(
            {
                "key": key,
                "label": label,
                "due": view.deadline.due.isoformat() if view else None,
                "done": view.deadline.done if view else deadline_done(key, convention.state, path),
                "status": view.status if view else None,
            }
        )
    return result


def _point_json(point: OpenPoint) -> dict[str, Any]:
    return {
        "kind": point.kind,
        "id": point.ref,
        "section_id": point.section_ref,
        "section": point.section,
        "party": point.party,
        "text": point.text,
        "carried_note": point.carried,
    }


def readiness_json(convention: Convention, today: date | None = None) -> dict[str, Any]:
    """What blocks the next step forward (``target``: "transmise" or, for a contract,
    "deliberations" while drafted; "signee" once there; null once signed), item by item
    with the id of where it is resolved, and the open points with whether each is carried
    into the transmitted file (``carried_note``); the warnings that do not stop the
    transmission (``readiness_warnings``)."""
    now = facts(db_session(), convention, today or local_today())
    view = readiness(convention, now)
    return {
        "state": convention.state.value,
        "target": view.target.value if view else None,
        "ready": not view.blockers if view else None,
        "blockers": [
            {
                "kind": b.kind,
                "text": b.text,
                "id": b.ref,
                "section_id": b.section_ref,
                "section": b.section,
                "party": b.party,
                "point": b.point,
            }
            for b in (view.blockers if view else [])
        ],
        "open_points": [_point_json(p) for p in now.open_points],
        "warnings": list(readiness_warnings(convention, view)),
    }
