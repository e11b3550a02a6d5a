"""Reading contributions and discussions: a contribution's changes and how each fares
on today's text, a section's contributions, co-authors and discussions, and the shape the
API gives a contribution."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from app.db import db_session
from app.models import (
    Comment,
    CommentThread,
    Contribution,
    Organisation,
    Revision,
    Section,
    User,
    iso,
)
from workflows.contributions import ContributionState, change_number
from workflows.text.anchors import Anchor, locate
from workflows.text.merge import (
    Hunk,
    Para,
    apply_hunks,
    compute_hunks,
    hunk_statuses,
    paragraphs_of,
)
from workflows.text.richdiff import BlockDiff, compare, describe, excerpt, hunk_change


def revision_of(session: Session, section_id: int, number: int) -> Revision | None:
    return session.scalar(
        select(Revision).where(Revision.section_id == section_id, Revision.number == number)
    )


def paragraphs(revision: Revision | None) -> list[Para]:
    return revision.paragraphs() if revision is not None else []


@dataclass(frozen=True)
class HunkView:
    hunk: Hunk
    status: str  # applicable | applied | conflict | paragraph_gone | decided | closed
    decision: str | None  # accepted | rejected | None (still open)
    # The base's paragraphs by id, to show the change in its paragraph: worked out when
    # a page shows it, not for the API, which gives the change's texts alone.
    base_by_id: Mapping[str, Para] = field(repr=False, compare=False)

    @cached_property
    def excerpt(self) -> list[BlockDiff]:
        """Where the change sits, as the reader sees it."""
        return excerpt(compare(*hunk_change(self.base_by_id, self.hunk)))

    @cached_property
    def description(self) -> str:
        """What it does, in words ("Remplace « 46 » par « 47 »")."""
        return describe(self.excerpt)

    @property
    def number(self) -> int:
        return change_number(self.hunk.id)

    @property
    def named(self) -> str:
        """The change as its controls name it: "la modification 2 : remplace « 46 »
        par « 47 »"."""
        return (
            f"la modification {self.number} : {self.description[:1].lower()}{self.description[1:]}"
        )


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

    @property
    def accepted_any(self) -> bool:
        return any(h.decision == "accepted" for h in self.hunks)


def view(contribution: Contribution) -> ContributionView:
    """The contribution's changes against its base, and how each fares on the current text."""
    session = db_session()
    section = contribution.section
    base = paragraphs(revision_of(session, section.id, contribution.base_number))
    proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
    current_revision = section.current_revision
    current = paragraphs(current_revision)
    hunks = compute_hunks(base, proposal)
    accepted, rejected = set(contribution.accepted_hunks), set(contribution.rejected_hunks)
    decisions = {
        h.id: "accepted" if h.id in accepted else "rejected"
        for h in hunks
        if h.id in accepted or h.id in rejected
    }
    statuses: dict[str, str] = {}
    if contribution.state is ContributionState.OUVERTE:
        # Worked out against today's text for the undecided ones only, all in one pass.
        undecided = [h for h in hunks if h.id not in decisions]
        statuses = dict(
            zip(
                (h.id for h in undecided),
                hunk_statuses(base, current, proposal, undecided),
                strict=True,
            )
        )
    base_by_id = {p.id: p for p in base}
    views = []
    for hunk in hunks:
        decision = decisions.get(hunk.id)
        if decision is not None:
            status = "decided"
        elif contribution.state is not ContributionState.OUVERTE:
            status = "closed"  # nothing left to act on: not worked out against today's text
        else:
            status = statuses[hunk.id]
        views.append(HunkView(hunk, status, decision, base_by_id))
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


def still_proposed(contribution: Contribution, base: list[Para]) -> list[Para]:
    """What the contribution still proposes: its text without the changes already
    rejected one by one (those accepted are in the section's text, where a merge finds
    them again)."""
    proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
    rejected = set(contribution.rejected_hunks)
    if not rejected:
        return proposal
    hunks = compute_hunks(base, proposal)
    return apply_hunks(base, proposal, hunks, {h.id for h in hunks} - rejected)


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
            or_(
                Contribution.state.in_(
                    [ContributionState.ACCEPTEE, ContributionState.PARTIELLEMENT_ACCEPTEE]
                ),
                # Still open, with changes already accepted one by one into the text.
                Contribution.id.in_(
                    select(Revision.contribution_id).where(Revision.section_id == section_id)
                ),
            ),
        )
        .distinct()
    )
    names = []
    for name, organisation_id in rows:
        organisation = db_session().get(Organisation, organisation_id)
        names.append((name, organisation.name if organisation else ""))
    return sorted(set(names))


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


@dataclass(frozen=True)
class AuthorContributions:
    """One author's open contributions on a section (to decide on all of them at once)."""

    author: User
    organisation: str
    contributions: list[Contribution]


def open_by_author(contributions: list[Contribution]) -> list[AuthorContributions]:
    """The open ones among ``contributions``, by author, in the order authors first
    proposed (oldest first)."""
    found: dict[int, AuthorContributions] = {}
    for c in sorted(contributions, key=lambda c: c.id):
        if c.state is not ContributionState.OUVERTE:
            continue
        if c.author_id not in found:
            found[c.author_id] = AuthorContributions(c.author, c.organisation.name, [])
        found[c.author_id].contributions.append(c)
    return list(found.values())


def section_context(section: Section) -> dict[str, Any]:
    """What the section page shows of contributions and discussions."""
    contributions = of_section(section.id)
    return {
        "contributions": contributions,
        "open_authors": open_by_author(contributions),
        "threads": threads_of(section),
        "coauthors": coauthors(section.id),
    }


def contribution_json(contribution: Contribution, with_hunks: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": contribution.id,
        "section_id": contribution.section_id,
        "author": {"id": contribution.author.id, "name": contribution.author.name},
        "organisation": contribution.organisation.name,
        "base_revision": contribution.base_number,
        "body": contribution.body,
        "rationale": contribution.rationale,
        "state": contribution.state.value,
        "created_at": iso(contribution.created_at),
        "decided_at": iso(contribution.decided_at),
        "decided_by": contribution.decided_by.name if contribution.decided_by else None,
        "decision_note": contribution.decision_note,
        "result_revision": contribution.result_number,
        "assisted": contribution.assisted,
    }
    if with_hunks:
        current = view(contribution)
        data["current_revision"] = current.current_number
        data["hunks"] = [
            {
                "id": h.hunk.id,
                "kind": h.hunk.kind,
                "paragraph_id": h.hunk.paragraph_id,
                "old_text": h.hunk.old_text,
                "new_text": h.hunk.new_text,
                "status": h.status,
                "decision": h.decision,
            }
            for h in current.hunks
        ]
    return data


def thread_json(thread: CommentThread, detached: bool | None = None) -> dict[str, Any]:
    """A discussion as the API gives it: its anchor, its state and every comment, oldest
    first. ``detached``: the quoted passage is no longer in the current text (None when
    not computed)."""
    data: dict[str, Any] = {
        "id": thread.id,
        "section_id": thread.section_id,
        "contribution_id": thread.contribution_id,
        "revision_number": thread.revision_number,
        "quote": thread.quote,
        "author": {"id": thread.author.id, "name": thread.author.name},
        "created_at": iso(thread.created_at),
        "resolved": thread.resolved,
        "resolved_by": thread.resolved_by.name if thread.resolved_by else None,
        "resolved_at": iso(thread.resolved_at),
        "comments": [
            {
                "id": c.id,
                "author": {"id": c.author.id, "name": c.author.name},
                "body": c.body,
                "created_at": iso(c.created_at),
                "mentions": sorted(m.user_id for m in c.mentions),
            }
            for c in thread.comments
        ],
    }
    if detached is not None:
        data["detached"] = detached
    return data
