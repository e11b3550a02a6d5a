"""Contributions (tracked changes proposed by partners) and their discussions: filing,
deciding (one change at a time, all of them, or all of one author's on a section; reject
with a reason, mark as treated), withdrawing; opening, answering and resolving a
discussion.

Every decision locks the section's row, then the contribution's (in that order, so that
two drafters deciding at once wait for each other rather than deadlock); the second
works on what the first wrote, and a change decided meanwhile is refused as a conflict.

The rules live in workflows/: text/merge.py (paragraph identities, hunks, three-way
merge), contributions.py (states and decisions), lifecycle.py (when contributions are
open), text/anchors.py (quoted passages), permissions.py (who may withdraw or resolve).
Each function loads rows, calls them and writes once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.access import ensure_takes_part, member_users, role_of
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
from app.notifications.operations import notify, with_roles
from app.sections.operations import insert_revision, lock_editable_section
from workflows.contributions import (
    RATIONALE_MAX,
    STATE_LABELS,
    ContributionState,
    change_number,
    check_decisions,
    clean_text,
    require_open,
    state_after_decisions,
)
from workflows.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflows.lifecycle import comments_open, contributions_closed_reason, contributions_open
from workflows.limits import check_hunks
from workflows.mentions import find_mentions
from workflows.notifications import Kind
from workflows.permissions import Role, may_resolve, may_withdraw
from workflows.revisions import clean_body
from workflows.text.anchors import make_anchor
from workflows.text.merge import (
    Hunk,
    MergeConflict,
    Para,
    align_proposal,
    apply_hunks,
    compute_hunks,
    merge3,
    paragraphs_of,
)
from workflows.text.richdiff import compare, describe, excerpt, hunk_change

COMMENT_MAX = 10_000


class MergeRefused(Conflict):
    """Accepting would overlap changes made since the contribution's base (HTTP 409,
    with each conflict in the API)."""

    def __init__(self, conflicts: list[MergeConflict], contribution_id: int | None = None) -> None:
        which = f"Contribution n° {contribution_id} : " if contribution_id is not None else ""
        super().__init__(
            f"{which}La section a changé depuis la révision de base de la contribution et "
            "certaines modifications se chevauchent : " + " ".join(c.message for c in conflicts)
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
    if not comments_open(section.convention.state, section.convention.lifecycle):
        raise Conflict("La convention est signée : la discussion se poursuit dans un avenant.")
    return section


def _check_open_phase(section: Section) -> None:
    if not contributions_open(section.convention.state, section.convention.lifecycle):
        raise Conflict(
            contributions_closed_reason(section.convention.state, section.convention.lifecycle)
        )


def create_contribution(
    section_id: int,
    author: User,
    base_number: int,
    body: str,
    rationale: str = "",
    assisted: bool = False,
    within_session: Session | None = None,
    actor: User | None = None,
) -> Contribution:
    """Propose a new wording of a section, based on a named revision (in the caller's
    transaction when it passes ``within_session``). ``actor``: who files it, when not its
    author (a Word import writes contributions in their authors' names)."""
    body = clean_body(body)
    rationale = clean_text(rationale, "La justification", required=False, limit=RATIONALE_MAX)
    with within(within_session) as session:
        section = session.get(Section, section_id)
        if section is None:
            raise NotFound("Section introuvable.")
        _check_open_phase(section)
        author = reloaded(session, author)
        ensure_takes_part(session, author, section)
        current = section.current_revision
        base = revision_of(session, section_id, base_number) if base_number else None
        if base_number and base is None or base_number > (current.number if current else 0):
            raise InvalidInput(f"La révision de base {base_number} n'existe pas.")
        if base is not None and base.body == body or (base is None and not body.strip()):
            raise InvalidInput(
                "La proposition est identique à la révision de base : rien à proposer."
            )
        proposal = align_proposal(paragraphs(base), body)
        check_hunks(len(compute_hunks(paragraphs(base), proposal)))
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
        notify(
            session,
            Kind.CONTRIBUTION_FILED,
            with_roles(session, section.convention_id, Role.REDACTEUR),
            f"Contribution de {author.name} ({author.organisation.name}) sur « {section.title} » : "
            "à examiner",
            f"/contributions/{contribution.id}",
            section.convention_id,
            actor or author,
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
    _tell_author(session, contribution, actor, text)
    audit.record(
        session,
        f"contribution_{state.value}",
        summary,
        actor,
        section.convention_id,
        "contribution",
        contribution.id,
    )


def _tell_author(session: Session, contribution: Contribution, actor: User, text: str) -> None:
    notify(
        session,
        Kind.CONTRIBUTION_DECIDED,
        {contribution.author_id},
        text,
        f"/contributions/{contribution.id}",
        contribution.section.convention_id,
        actor,
    )


@dataclass(frozen=True)
class Decision:
    """What deciding on some changes of a contribution did."""

    contribution: Contribution
    revision: Revision | None  # the revision written, None when the text did not change
    state: ContributionState  # ouverte while some change is still undecided


def _choose(hunks: list[Hunk], ids: set[str]) -> list[Hunk]:
    return [h for h in hunks if h.id in ids]


def _numbers(hunks: list[Hunk]) -> str:
    numbers = [str(change_number(h.id)) for h in hunks]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " et " + numbers[-1]


def _what(base: list[Para], hunks: list[Hunk]) -> str:
    """Which changes, in words: "modification 2 (remplace « 46 » par « 47 »)"."""
    if len(hunks) == 1:
        said = describe(excerpt(compare(*hunk_change(base, hunks[0]))))
        return f"modification {_numbers(hunks)} ({said[0].lower()}{said[1:]})"
    return f"modifications {_numbers(hunks)}"


def _decide(
    session: Session,
    section: Section,
    contribution: Contribution,
    actor: User,
    accept: set[str] | None,
    reject: set[str] | None,
    reason: str = "",
    named: str | None = None,
) -> Decision:
    """Accept and reject some changes of a contribution whose section and row are locked.

    ``accept`` or ``reject`` None: every change still undecided. The accepted ones are
    merged three ways into the current text (refused as a whole, with its conflicts,
    when one overlaps a change made since); when every change is decided the
    contribution takes its final state, a rejection of all of them with its reason.
    Each decision is journaled and the author told."""
    require_open(contribution.state)
    base = paragraphs(revision_of(session, section.id, contribution.base_number))
    proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
    hunks = compute_hunks(base, proposal)
    all_ids = {h.id for h in hunks}
    if named is not None and named not in all_ids:
        raise NotFound(f"La contribution n'a pas de modification {change_number(named)}.")
    accepted, rejected = set(contribution.accepted_hunks), set(contribution.rejected_hunks)
    undecided = all_ids - accepted - rejected
    accept = undecided if accept is None else accept
    reject = undecided - accept if reject is None else reject
    check_decisions(all_ids, accepted, rejected, accept, reject)
    first = not accepted and not rejected
    accepted, rejected = accepted | accept, rejected | reject
    state = state_after_decisions(accepted, rejected, all_ids)
    if state is ContributionState.REJETEE and not reason:
        raise InvalidInput(
            "Le motif du rejet est obligatoire : aucune modification de la contribution "
            "n'est acceptée, son auteur reçoit le motif."
        )
    author = contribution.author
    whose = f"Contribution n° {contribution.id} de {author.name} ({contribution.organisation.name})"
    closes_at_once = first and state is not ContributionState.OUVERTE
    revision = None
    if accept:
        current_revision = section.current_revision
        partial = apply_hunks(base, proposal, hunks, accept)
        merged = merge3(base, paragraphs(current_revision), partial)
        if not merged.clean:
            raise MergeRefused(merged.conflicts, contribution.id)
        if current_revision is None or merged.text() != current_revision.body:
            if closes_at_once:
                partly = " (en partie)" if state is ContributionState.PARTIELLEMENT_ACCEPTEE else ""
                message = f"{whose} acceptée{partly}"
            else:
                plural = "s" if len(accept) > 1 else ""
                message = f"{whose} : {_what(base, _choose(hunks, accept))} acceptée{plural}"
            revision = insert_revision(
                session,
                section,
                current_revision,
                actor,
                merged.text(),
                message[:500],
                [p.id for p in merged.paragraphs],
                contribution_id=contribution.id,
            )
            contribution.result_number = revision.number
        elif contribution.result_number is None:
            contribution.result_number = current_revision.number
    contribution.accepted_hunks = sorted(accepted, key=change_number)
    contribution.rejected_hunks = sorted(rejected, key=change_number)
    if not closes_at_once:
        for chosen, verb, action, note in (
            (accept, "acceptée", "acceptee", ""),
            (reject, "rejetée", "rejetee", f" — {reason}" if reason else ""),
        ):
            if not chosen:
                continue
            done = f"{_what(base, _choose(hunks, chosen))} {verb}{'s' if len(chosen) > 1 else ''}"
            audit.record(
                session,
                f"modification_{action}",
                f"Contribution n° {contribution.id} : {done}{note}",
                actor,
                section.convention_id,
                "contribution",
                contribution.id,
            )
            if state is ContributionState.OUVERTE:
                text = f"Votre contribution n° {contribution.id} sur « {section.title} » : {done}"
                _tell_author(session, contribution, actor, text + note)
    if state is not ContributionState.OUVERTE:
        _decided(
            session,
            contribution,
            actor,
            state,
            reason,
            f"Contribution n° {contribution.id} {STATE_LABELS[state].lower()} "
            f"({len(accepted)}/{len(all_ids)} modifications)" + (f" : {reason}" if reason else ""),
        )
    return Decision(contribution, revision, state)


def _locked(session: Session, contribution_id: int) -> tuple[Section, Contribution]:
    """The contribution's section, then the contribution, locked in that order (the
    order every decision takes, so that two of them never wait on each other)."""
    contribution = session.get(Contribution, contribution_id)
    if contribution is None:
        raise NotFound("Contribution introuvable.")
    section = lock_editable_section(session, contribution.section_id)
    session.refresh(contribution, with_for_update=True)
    require_open(contribution.state)
    _check_open_phase(section)
    return section, contribution


def decide_change(
    contribution_id: int, actor: User, number: int, accept: bool, reason: str = ""
) -> Decision:
    """Accept or reject change ``number`` ("h2" is 2) alone, as a drafter does in Word;
    the contribution stays open while some change is undecided. A rejection needs a
    reason when it leaves the contribution rejected as a whole."""
    reason = clean_text(reason, "Le motif du rejet", required=False)
    hunk_id = f"h{number}"
    chosen, other = ({hunk_id}, set[str]()) if accept else (set[str](), {hunk_id})
    with write_transaction() as session:
        section, contribution = _locked(session, contribution_id)
        actor = reloaded(session, actor)
        return _decide(session, section, contribution, actor, chosen, other, reason, hunk_id)


def accept(contribution_id: int, actor: User, hunk_ids: list[str] | None = None) -> Revision | None:
    """Accept every undecided change of the contribution, or only ``hunk_ids`` (the other
    undecided ones are rejected), merged three ways into the current text. Returns the
    new revision (None when the current text already held every accepted change)."""
    with write_transaction() as session:
        section, contribution = _locked(session, contribution_id)
        actor = reloaded(session, actor)
        chosen = None if hunk_ids is None else set(hunk_ids) - set(contribution.accepted_hunks)
        if chosen is not None and not chosen and not contribution.accepted_hunks:
            raise InvalidInput(
                "Choisissez au moins une modification à accepter, ou rejetez la contribution."
            )
        return _decide(session, section, contribution, actor, chosen, None).revision


def decide_author(
    section_id: int, author_id: int, actor: User, accept: bool, reason: str = ""
) -> list[Decision]:
    """Accept, or reject with a reason, every undecided change of every open contribution
    of one author on a section, oldest first, in one transaction: nothing is written
    when one of them conflicts with the text."""
    reason = clean_text(reason, "Le motif du rejet", required=not accept)
    with write_transaction() as session:
        section = lock_editable_section(session, section_id)
        _check_open_phase(section)
        contributions = list(
            session.scalars(
                select(Contribution)
                .where(
                    Contribution.section_id == section_id,
                    Contribution.author_id == author_id,
                    Contribution.state == ContributionState.OUVERTE,
                )
                .order_by(Contribution.id)
                .with_for_update()
            )
        )
        if not contributions:
            raise InvalidInput("Aucune contribution ouverte de cette personne sur cette section.")
        actor = reloaded(session, actor)
        return [
            _decide(session, section, c, actor, None if accept else set(), None, reason)
            for c in contributions
        ]


def reject(contribution_id: int, actor: User, reason: str) -> Contribution:
    """Reject every undecided change with a reason, which the author receives (the
    contribution is rejected, or partly accepted if some change was accepted before)."""
    reason = clean_text(reason, "Le motif du rejet", required=True)
    with write_transaction() as session:
        section, contribution = _locked(session, contribution_id)
        actor = reloaded(session, actor)
        return _decide(session, section, contribution, actor, set(), None, reason).contribution


def mark_treated(contribution_id: int, actor: User, note: str) -> Contribution:
    """Taken into account without changing the text (negotiation often ends there)."""
    note = clean_text(note, "La note", required=True)
    state = ContributionState.TRAITEE
    with write_transaction() as session:
        _, contribution = _locked(session, contribution_id)
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
        if contribution.accepted_hunks:
            raise Conflict(
                "Une partie de cette contribution est déjà acceptée dans le texte : elle ne "
                "peut plus être retirée."
            )
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
        actor = reloaded(session, actor)
        ensure_takes_part(session, actor, section)
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
        mentioned = _record_mentions(session, comment, section.convention_id)
        actor = reloaded(session, actor)
        link = _thread_link(thread)
        # The drafters answer for the text; a contribution's author hears of what is said
        # about it. A member named with "@" is told by the mention instead.
        participants = with_roles(session, section.convention_id, Role.REDACTEUR)
        if contribution_id is not None:
            contribution = session.get(Contribution, contribution_id)
            assert contribution is not None
            participants.add(contribution.author_id)
            what = f"la contribution n° {contribution_id} sur « {section.title} »"
        else:
            what = f"« {section.title} »" + (
                f" (passage : « {quote.strip()[:80]} »)" if quote.strip() else ""
            )
        notify(
            session,
            Kind.DISCUSSION_OPENED,
            participants - mentioned,
            f"{actor.name} a ouvert une discussion sur {what}",
            link,
            section.convention_id,
            actor,
        )
        _tell_mentioned(session, mentioned, actor, section, link)
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
        actor = reloaded(session, actor)
        ensure_takes_part(session, actor, section)
        comment = Comment(thread_id=thread_id, author_id=actor.id, body=body)
        session.add(comment)
        mentioned = _record_mentions(session, comment, section.convention_id)
        actor = reloaded(session, actor)
        # The discussion's participants: whoever opened it or wrote in it.
        participants = {thread.author_id} | {c.author_id for c in thread.comments}
        link = _thread_link(thread)
        notify(
            session,
            Kind.REPLY,
            participants - mentioned,
            f"{actor.name} a répondu dans la discussion sur « {section.title} »",
            link,
            section.convention_id,
            actor,
        )
        _tell_mentioned(session, mentioned, actor, section, link)
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


def _record_mentions(session: Session, comment: Comment, convention_id: int) -> set[int]:
    """The members the comment names with "@" (their ids: each is told)."""
    if "@" not in comment.body:
        return set()
    people = member_users(convention_id)
    found = set(find_mentions(comment.body, [(u.id, u.name) for u in people]))
    for user_id in sorted(found):
        comment.mentions.append(Mention(user_id=user_id))
    return found


def _thread_link(thread: CommentThread) -> str:
    """Where a discussion is read: on its contribution's page, or on its section's."""
    if thread.contribution_id:
        return f"/contributions/{thread.contribution_id}#fil-{thread.id}"
    return f"/sections/{thread.section_id}#fil-{thread.id}"


def _tell_mentioned(
    session: Session, mentioned: set[int], actor: User, section: Section, link: str
) -> None:
    notify(
        session,
        Kind.MENTION,
        mentioned,
        f"{actor.name} vous a mentionné dans une discussion sur « {section.title} »",
        link,
        section.convention_id,
        actor,
    )


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
        if resolved:
            notify(
                session,
                Kind.DISCUSSION_RESOLVED,
                {thread.author_id},
                f"{actor.name} a résolu votre discussion sur « {section.title} »",
                _thread_link(thread),
                section.convention_id,
                actor,
            )
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
