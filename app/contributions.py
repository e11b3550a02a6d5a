"""Contributions (tracked changes proposed by partners) and comment threads.

The rules live in workflows/: merge.py (paragraph identities, hunks, three-way merge),
contributions.py (states and decisions), lifecycle.py (when contributions are open),
anchors.py (quoted passages). This module loads rows, calls them and writes once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, joinedload

from app import audit
from app.db import db_session, within, write_transaction
from app.models import Comment, CommentThread, Contribution, Revision, Section, User, utcnow
from app.operations import (
    NotFound,
    StateRefused,
    insert_revision,
    lock_editable_section,
    paragraph_ids_of,
)
from workflows.contributions import (
    RATIONALE_MAX,
    STATE_LABELS,
    ContributionState,
    clean_text,
    may_resolve,
    may_withdraw,
    require_open,
    state_after_acceptance,
)
from workflows.conventions import parse_id
from workflows.errors import InvalidInput
from workflows.lifecycle import comments_open, contributions_closed_reason, contributions_open
from workflows.permissions import Role
from workflows.revisions import clean_body
from workflows.text.anchors import Anchor, locate, make_anchor
from workflows.text.diff import split_paragraphs
from workflows.text.merge import (
    Hunk,
    MergeConflict,
    Para,
    align_proposal,
    apply_hunks,
    compute_hunks,
    hunk_status,
    merge3,
    paragraphs_of,
)

COMMENT_MAX = 10_000


class MergeRefused(Exception):
    """Accepting would overlap changes made since the contribution's base (HTTP 409)."""

    def __init__(self, conflicts: list[MergeConflict]) -> None:
        super().__init__(
            "La section a changé depuis la révision de base de la contribution et certaines "
            "modifications se chevauchent : " + " ".join(c.message for c in conflicts)
        )
        self.conflicts = conflicts


def _paragraphs(revision: Revision | None) -> list[Para]:
    if revision is None:
        return []
    ids = paragraph_ids_of(revision)
    if ids is None:
        # A revision without usable ids (stored before they existed): deterministic ids,
        # so that every read of it agrees.
        ids = [f"r{revision.id}-{i}" for i in range(len(split_paragraphs(revision.body)))]
    return paragraphs_of(revision.body, ids)


def _revision(session: Session, section_id: int, number: int) -> Revision | None:
    return session.scalar(
        select(Revision).where(Revision.section_id == section_id, Revision.number == number)
    )


def _check_comments_open(section: Section | None) -> None:
    if section is None:
        raise NotFound("Section introuvable.")
    if not comments_open(section.convention.state):
        raise StateRefused("La convention est signée : la discussion se poursuit dans un avenant.")


def _check_open_phase(section: Section) -> None:
    if not contributions_open(section.convention.state):
        raise StateRefused(contributions_closed_reason(section.convention.state))


def create_contribution(
    section_id: int,
    author: User,
    base_number: int,
    body: str,
    rationale: str = "",
    assisted: bool = False,
    within_session: Session | None = None,
) -> Contribution:
    """Propose a new wording of a section, based on a named revision (in the caller's
    transaction when it passes ``within_session``)."""
    body = clean_body(body)
    rationale = clean_text(rationale, "La justification", required=False, limit=RATIONALE_MAX)
    with within(within_session) as session:
        section = session.get(Section, section_id)
        if section is None:
            raise NotFound("Section introuvable.")
        _check_open_phase(section)
        current = section.current_revision
        base = _revision(session, section_id, base_number) if base_number else None
        if base_number and base is None or base_number > (current.number if current else 0):
            raise InvalidInput(f"La révision de base {base_number} n'existe pas.")
        if base is not None and base.body == body or (base is None and not body.strip()):
            raise InvalidInput(
                "La proposition est identique à la révision de base : rien à proposer."
            )
        proposal = align_proposal(_paragraphs(base), body)
        author = session.get(User, author.id)  # type: ignore[assignment]
        contribution = Contribution(
            section_id=section_id,
            author_id=author.id,
            organisation_id=author.organisation_id,
            base_number=base_number,
            body=body,
            paragraph_ids=[p.id for p in proposal],
            rationale=rationale,
            assisted=assisted,
        )
        session.add(contribution)
        session.flush()
        drafters = audit.members_with_role(session, section.convention_id, Role.REDACTEUR)
        audit.notify(
            session,
            drafters - {author.id},
            f"Contribution de {author.name} ({author.organisation.name}) sur « {section.title} » : "
            "à examiner",
            f"/contributions/{contribution.id}",
            section.convention_id,
        )
        audit.record(
            session,
            "contribution",
            f"Contribution n° {contribution.id} sur « {section.title} »",
            author,
            section.convention_id,
            "contribution",
            contribution.id,
        )
    return contribution


@dataclass(frozen=True)
class HunkView:
    hunk: Hunk
    status: str  # applicable | applied | conflict | paragraph_gone
    decision: str | None  # accepted | rejected | None (still open)


@dataclass(frozen=True)
class ContributionView:
    contribution: Contribution
    base: list[Para]
    proposal: list[Para]
    current: list[Para]
    current_number: int
    hunks: list[HunkView]
    rebased: bool  # the section moved on since the contribution's base

    @property
    def open_hunks(self) -> list[HunkView]:
        return [h for h in self.hunks if h.decision is None]


def view(contribution: Contribution) -> ContributionView:
    """The contribution's changes against its base, and how each fares on the current text."""
    session = db_session()
    section = contribution.section
    base = _paragraphs(_revision(session, section.id, contribution.base_number))
    proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
    current_revision = section.current_revision
    current = _paragraphs(current_revision)
    hunks = compute_hunks(base, proposal)
    accepted, rejected = set(contribution.accepted_hunks), set(contribution.rejected_hunks)
    views = []
    for hunk in hunks:
        decision = (
            "accepted" if hunk.id in accepted else "rejected" if hunk.id in rejected else None
        )
        if decision is not None:
            status = "decided"
        elif contribution.state is not ContributionState.OUVERTE:
            status = "closed"  # nothing left to act on: not worked out against today's text
        else:
            status = hunk_status(base, current, proposal, hunk)
        views.append(HunkView(hunk, status, decision))
    number = current_revision.number if current_revision else 0
    return ContributionView(
        contribution,
        base,
        proposal,
        current,
        number,
        views,
        rebased=number != contribution.base_number,
    )


def _load_open(session: Session, contribution_id: int) -> Contribution:
    """The contribution, locked against a concurrent decision, if still open and if the
    convention's phase still takes decisions."""
    contribution = session.scalar(
        select(Contribution).where(Contribution.id == contribution_id).with_for_update()
    )
    if contribution is None:
        raise NotFound("Contribution introuvable.")
    require_open(contribution.state)
    _check_open_phase(contribution.section)
    return contribution


def _decided(
    session: Session,
    contribution: Contribution,
    actor: User,
    state: ContributionState,
    note: str,
    summary: str,
) -> None:
    contribution.state = state
    contribution.decided_by_id = actor.id
    contribution.decided_at = utcnow()
    contribution.decision_note = note
    section = contribution.section
    text = f"Votre contribution n° {contribution.id} sur « {section.title} » : {STATE_LABELS[state].lower()}"
    if note:
        text += f" — {note}"
    audit.notify(
        session,
        {contribution.author_id} - {actor.id},
        text,
        f"/contributions/{contribution.id}",
        section.convention_id,
    )
    audit.record(
        session,
        f"contribution_{state.value}",
        summary,
        actor,
        section.convention_id,
        "contribution",
        contribution.id,
    )


def accept(contribution_id: int, actor: User, hunk_ids: list[str] | None = None) -> Revision | None:
    """Accept all the contribution's changes, or only ``hunk_ids`` (the others are
    rejected), merged three ways into the current text. Returns the new revision (None
    when the current text already held every accepted change)."""
    with write_transaction() as session:
        contribution = session.get(Contribution, contribution_id)
        if contribution is None:
            raise NotFound("Contribution introuvable.")
        section = lock_editable_section(session, contribution.section_id)
        session.refresh(contribution, with_for_update=True)
        require_open(contribution.state)
        _check_open_phase(section)
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        base = _paragraphs(_revision(session, section.id, contribution.base_number))
        proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
        hunks = compute_hunks(base, proposal)
        all_ids = {h.id for h in hunks}
        selected = set(hunk_ids) if hunk_ids is not None else all_ids
        state = state_after_acceptance(selected, all_ids)
        current_revision = section.current_revision
        current = _paragraphs(current_revision)
        merged = merge3(base, current, apply_hunks(base, proposal, hunks, selected))
        if not merged.clean:
            raise MergeRefused(merged.conflicts)
        contribution.accepted_hunks = sorted(selected, key=_hunk_order)
        contribution.rejected_hunks = sorted(all_ids - selected, key=_hunk_order)
        revision = None
        if current_revision is None or merged.text() != current_revision.body:
            author = contribution.author
            partial = " (en partie)" if state is ContributionState.PARTIELLEMENT_ACCEPTEE else ""
            revision = insert_revision(
                session,
                section,
                current_revision,
                actor,
                merged.text(),
                f"Contribution n° {contribution.id} de {author.name} ({contribution.organisation.name}) "
                f"acceptée{partial}",
                [p.id for p in merged.paragraphs],
                contribution_id=contribution.id,
            )
            contribution.result_number = revision.number
        else:
            contribution.result_number = current_revision.number
        _decided(
            session,
            contribution,
            actor,
            state,
            "",
            f"Contribution n° {contribution.id} {STATE_LABELS[state].lower()} "
            f"({len(selected)}/{len(all_ids)} modifications)",
        )
    return revision


def _hunk_order(hunk_id: str) -> int:
    return parse_id(hunk_id[1:]) or 0


def reject(contribution_id: int, actor: User, reason: str) -> Contribution:
    """Reject with a reason, which the author receives."""
    reason = clean_text(reason, "Le motif du rejet", required=True)
    return _close(contribution_id, actor, ContributionState.REJETEE, reason)


def mark_treated(contribution_id: int, actor: User, note: str) -> Contribution:
    """Taken into account without changing the text (negotiation often ends there)."""
    note = clean_text(note, "La note", required=True)
    return _close(contribution_id, actor, ContributionState.TRAITEE, note)


def _close(contribution_id: int, actor: User, state: ContributionState, note: str) -> Contribution:
    with write_transaction() as session:
        contribution = _load_open(session, contribution_id)
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        summary = f"Contribution n° {contribution.id} {STATE_LABELS[state].lower()} : {note}"
        _decided(session, contribution, actor, state, note, summary)
    return contribution


def withdraw(contribution_id: int, actor: User) -> Contribution:
    with write_transaction() as session:
        contribution = _load_open(session, contribution_id)
        if not may_withdraw(actor.id, contribution.author_id):
            raise InvalidInput("Seul l'auteur d'une contribution peut la retirer.")
        contribution.state = ContributionState.RETIREE
        contribution.decided_at = utcnow()
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        audit.record(
            session,
            "contribution_retiree",
            f"Contribution n° {contribution.id} retirée",
            actor,
            contribution.section.convention_id,
            "contribution",
            contribution.id,
        )
    return contribution


def of_section(section_id: int, only_open: bool = False) -> list[Contribution]:
    query = (
        select(Contribution)
        .where(Contribution.section_id == section_id)
        .options(
            joinedload(Contribution.author),
            joinedload(Contribution.organisation),
            defer(Contribution.body),
            defer(Contribution.paragraph_ids),
        )
        .order_by(Contribution.id.desc())
    )
    if only_open:
        query = query.where(Contribution.state == ContributionState.OUVERTE)
    return list(db_session().scalars(query))


def open_counts(convention_id: int) -> dict[int, int]:
    """Open contributions per section of a convention, in one query."""
    rows = db_session().execute(
        select(Contribution.section_id, func.count(Contribution.id))
        .join(Section, Section.id == Contribution.section_id)
        .where(
            Section.convention_id == convention_id, Contribution.state == ContributionState.OUVERTE
        )
        .group_by(Contribution.section_id)
    )
    return dict(rows.all())


def coauthors(section_id: int) -> list[tuple[str, str]]:
    """Authors of contributions accepted (wholly or partly) into the section: its co-authors."""
    rows = db_session().execute(
        select(User.name, Contribution.organisation_id)
        .join(Contribution, Contribution.author_id == User.id)
        .where(
            Contribution.section_id == section_id,
            Contribution.state.in_(
                [ContributionState.ACCEPTEE, ContributionState.PARTIELLEMENT_ACCEPTEE]
            ),
        )
        .distinct()
    )
    from app.models import Organisation

    names = []
    for name, organisation_id in rows:
        organisation = db_session().get(Organisation, organisation_id)
        names.append((name, organisation.name if organisation else ""))
    return sorted(set(names))


# --- comments -------------------------------------------------------------------------


def open_thread(
    section_id: int,
    actor: User,
    body: str,
    quote: str = "",
    revision_number: int | None = None,
    contribution_id: int | None = None,
    within_session: Session | None = None,
) -> CommentThread:
    """Start a conversation on a section (optionally on a quoted passage of a revision) or
    on a contribution."""
    body = clean_text(body, "Le commentaire", required=True, limit=COMMENT_MAX)
    with within(within_session) as session:
        section = session.get(Section, section_id)
        if section is None:
            raise NotFound("Section introuvable.")
        _check_comments_open(section)
        thread = CommentThread(section_id=section_id, author_id=actor.id)
        if contribution_id is not None:
            contribution = session.get(Contribution, contribution_id)
            if contribution is None or contribution.section_id != section_id:
                raise NotFound("Contribution introuvable.")
            thread.contribution_id = contribution_id
        if quote.strip():
            number = revision_number or (
                section.current_revision.number if section.current_revision else 0
            )
            revision = _revision(session, section_id, number)
            if revision is None:
                raise InvalidInput("La révision citée n'existe pas.")
            anchor = make_anchor(revision.body, quote)
            thread.revision_number = number
            thread.quote, thread.prefix, thread.suffix = anchor.quote, anchor.prefix, anchor.suffix
        session.add(thread)
        session.flush()
        session.add(Comment(thread_id=thread.id, author_id=actor.id, body=body))
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        if contribution_id is not None:
            contribution = session.get(Contribution, contribution_id)
            assert contribution is not None
            audit.notify(
                session,
                {contribution.author_id} - {actor.id},
                f"{actor.name} a commenté votre contribution n° {contribution_id}",
                f"/contributions/{contribution_id}",
                section.convention_id,
            )
        audit.record(
            session,
            "commentaire",
            f"Commentaire sur « {section.title} »"
            + (f" (passage : « {quote.strip()[:60]} »)" if quote.strip() else ""),
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return thread


def reply(thread_id: int, actor: User, body: str, within_session: Session | None = None) -> Comment:
    body = clean_text(body, "La réponse", required=True, limit=COMMENT_MAX)
    with within(within_session) as session:
        thread = session.get(CommentThread, thread_id)
        if thread is None:
            raise NotFound("Fil de discussion introuvable.")
        _check_comments_open(session.get(Section, thread.section_id))
        comment = Comment(thread_id=thread_id, author_id=actor.id, body=body)
        session.add(comment)
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        earlier = {c.author_id for c in thread.comments}
        section = session.get(Section, thread.section_id)
        assert section is not None
        link = (
            f"/contributions/{thread.contribution_id}"
            if thread.contribution_id
            else f"/sections/{section.id}#fil-{thread.id}"
        )
        audit.notify(
            session,
            earlier - {actor.id},
            f"{actor.name} a répondu à votre commentaire sur « {section.title} »",
            link,
            section.convention_id,
        )
        audit.record(
            session,
            "reponse",
            f"Réponse sur « {section.title} »",
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return comment


def set_resolved(thread_id: int, actor: User, resolved: bool) -> CommentThread:
    with write_transaction() as session:
        thread = session.get(CommentThread, thread_id)
        if thread is None:
            raise NotFound("Fil de discussion introuvable.")
        section = session.get(Section, thread.section_id)
        _check_comments_open(section)
        from app.queries import role_of

        drafter = role_of(actor, section.convention_id) is Role.REDACTEUR  # type: ignore[union-attr]
        if not may_resolve(actor.id, thread.author_id, drafter):
            raise InvalidInput(
                "Seuls l'auteur du fil et les rédacteurs peuvent le résoudre ou le rouvrir."
            )
        if thread.resolved == resolved:
            raise InvalidInput("Ce fil est déjà résolu." if resolved else "Ce fil est déjà ouvert.")
        thread.resolved = resolved
        thread.resolved_by_id = actor.id if resolved else None
        thread.resolved_at = utcnow() if resolved else None
        actor = session.get(User, actor.id)  # type: ignore[assignment]
        section = session.get(Section, thread.section_id)
        assert section is not None
        audit.record(
            session,
            "fil_resolu" if resolved else "fil_rouvert",
            f"Fil sur « {section.title} » {'résolu' if resolved else 'rouvert'}",
            actor,
            section.convention_id,
            "section",
            section.id,
        )
    return thread


@dataclass(frozen=True)
class ThreadView:
    thread: CommentThread
    detached: bool  # the quoted passage is no longer in the current text


def threads_of(section: Section, contribution_id: int | None = None) -> list[ThreadView]:
    query = (
        select(CommentThread)
        .where(CommentThread.section_id == section.id)
        .options(
            joinedload(CommentThread.comments).joinedload(Comment.author),
            joinedload(CommentThread.author),
        )
        .order_by(CommentThread.resolved, CommentThread.id.desc())
    )
    if contribution_id is None:
        query = query.where(CommentThread.contribution_id.is_(None))
    else:
        query = query.where(CommentThread.contribution_id == contribution_id)
    current = section.current_revision.body if section.current_revision else ""
    views = []
    for thread in db_session().scalars(query).unique():
        detached = (
            bool(thread.quote)
            and locate(current, Anchor(thread.quote, thread.prefix, thread.suffix)) is None
        )
        views.append(ThreadView(thread, detached))
    return views
