"""Contributions (tracked changes proposed by partners) and their discussions: filing,
deciding (accept all or some changes, reject with a reason, mark as treated), withdrawing;
opening, answering and resolving a discussion.

The rules live in workflows/: text/merge.py (paragraph identities, hunks, three-way
merge), contributions.py (states and decisions), lifecycle.py (when contributions are
open), text/anchors.py (quoted passages), permissions.py (who may withdraw or resolve).
Each function loads rows, calls them and writes once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.access import member_users, role_of
from app.contributions.queries import paragraphs, revision_of
from app.db import reloaded, within, write_transaction
from app.models import (
    Comment,
    CommentThread,
    Contribution,
    Mention,
    Revision,
    Section,
    User,
    utcnow,
)
from app.sections.operations import insert_revision, lock_editable_section
from workflows.contributions import (
    RATIONALE_MAX,
    STATE_LABELS,
    ContributionState,
    clean_text,
    require_open,
    state_after_acceptance,
)
from workflows.conventions import parse_id
from workflows.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflows.lifecycle import comments_open, contributions_closed_reason, contributions_open
from workflows.mentions import find_mentions
from workflows.permissions import Role, may_resolve, may_withdraw
from workflows.revisions import clean_body
from workflows.text.anchors import make_anchor
from workflows.text.merge import (
    MergeConflict,
    align_proposal,
    apply_hunks,
    compute_hunks,
    merge3,
    paragraphs_of,
)

COMMENT_MAX = 10_000


class MergeRefused(Conflict):
    """Accepting would overlap changes made since the contribution's base (HTTP 409,
    with each conflict in the API)."""

    def __init__(self, conflicts: list[MergeConflict]) -> None:
        super().__init__(
            "La section a changé depuis la révision de base de la contribution et certaines "
            "modifications se chevauchent : " + " ".join(c.message for c in conflicts)
        )
        self.conflicts = conflicts

    def details(self) -> dict[str, object]:
        return {
            "conflicts": [
                {"paragraph_id": c.paragraph_id, "kind": c.kind, "message": c.message}
                for c in self.conflicts
            ]
        }


def _check_comments_open(section: Section | None) -> Section:
    if section is None:
        raise NotFound("Section introuvable.")
    if not comments_open(section.convention.state):
        raise Conflict("La convention est signée : la discussion se poursuit dans un avenant.")
    return section


def _check_open_phase(section: Section) -> None:
    if not contributions_open(section.convention.state):
        raise Conflict(contributions_closed_reason(section.convention.state))


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
        base = revision_of(session, section_id, base_number) if base_number else None
        if base_number and base is None or base_number > (current.number if current else 0):
            raise InvalidInput(f"La révision de base {base_number} n'existe pas.")
        if base is not None and base.body == body or (base is None and not body.strip()):
            raise InvalidInput(
                "La proposition est identique à la révision de base : rien à proposer."
            )
        proposal = align_proposal(paragraphs(base), body)
        author = reloaded(session, author)
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
        actor = reloaded(session, actor)
        base = paragraphs(revision_of(session, section.id, contribution.base_number))
        proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
        hunks = compute_hunks(base, proposal)
        all_ids = {h.id for h in hunks}
        selected = set(hunk_ids) if hunk_ids is not None else all_ids
        state = state_after_acceptance(selected, all_ids)
        current_revision = section.current_revision
        current = paragraphs(current_revision)
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
        actor = reloaded(session, actor)
        summary = f"Contribution n° {contribution.id} {STATE_LABELS[state].lower()} : {note}"
        _decided(session, contribution, actor, state, note, summary)
    return contribution


def withdraw(contribution_id: int, actor: User) -> Contribution:
    """By its author only (whoever may act comes before whether the state allows it)."""
    with write_transaction() as session:
        found = session.get(Contribution, contribution_id)
        if found is not None and not may_withdraw(actor.id, found.author_id):
            raise Forbidden("Seul l'auteur d'une contribution peut la retirer.")
        contribution = _load_open(session, contribution_id)
        contribution.state = ContributionState.RETIREE
        contribution.decided_at = utcnow()
        actor = reloaded(session, actor)
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


# --- discussions ----------------------------------------------------------------------


def open_thread(
    section_id: int,
    actor: User,
    body: str,
    quote: str = "",
    revision_number: int | None = None,
    contribution_id: int | None = None,
    within_session: Session | None = None,
    before: str = "",
    after: str = "",
) -> CommentThread:
    """Start a conversation on a section (optionally on a quoted passage of a revision) or
    on a contribution. A passage selected on the page comes with the words around it
    (``before``, ``after``), which tell a repeated passage apart."""
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
            revision = revision_of(session, section_id, number)
            if revision is None:
                raise InvalidInput("La révision citée n'existe pas.")
            anchor = make_anchor(revision.body, quote, before=before[:200], after=after[:200])
            thread.revision_number = number
            thread.quote, thread.prefix, thread.suffix = anchor.quote, anchor.prefix, anchor.suffix
        session.add(thread)
        session.flush()
        comment = Comment(thread_id=thread.id, author_id=actor.id, body=body)
        session.add(comment)
        _record_mentions(session, comment, section.convention_id)
        actor = reloaded(session, actor)
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
        section = _check_comments_open(session.get(Section, thread.section_id))
        comment = Comment(thread_id=thread_id, author_id=actor.id, body=body)
        session.add(comment)
        _record_mentions(session, comment, section.convention_id)
        actor = reloaded(session, actor)
        earlier = {c.author_id for c in thread.comments}
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


def _record_mentions(session: Session, comment: Comment, convention_id: int) -> None:
    """The members the comment names with "@" (the notifications deliver them)."""
    if "@" not in comment.body:
        return
    people = member_users(convention_id)
    for user_id in find_mentions(comment.body, [(u.id, u.name) for u in people]):
        comment.mentions.append(Mention(user_id=user_id))


def set_resolved(thread_id: int, actor: User, resolved: bool) -> CommentThread:
    with write_transaction() as session:
        thread = session.get(CommentThread, thread_id)
        if thread is None:
            raise NotFound("Fil de discussion introuvable.")
        section = _check_comments_open(session.get(Section, thread.section_id))
        if not may_resolve(role_of(actor, section.convention_id), actor.id, thread.author_id):
            raise Forbidden(
                "Seuls l'auteur du fil et les rédacteurs peuvent le résoudre ou le rouvrir."
            )
        if thread.resolved == resolved:
            raise InvalidInput("Ce fil est déjà résolu." if resolved else "Ce fil est déjà ouvert.")
        thread.resolved = resolved
        thread.resolved_by_id = actor.id if resolved else None
        thread.resolved_at = utcnow() if resolved else None
        actor = reloaded(session, actor)
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
