"""Reading for the Word round trip: a convention as the plain values the export writes,
and what an uploaded document would change (its preview), nothing written.

Export: ``export_bytes(convention_id, tracked, comments)``. Preview: ``preview`` checks a
file (``workflows.files``: nothing reaches python-docx before its archive and its content
caps are checked), reads it and plans it against the convention's sections in a child
process within the parse limits (``app.parsing``); each author of revision marks is
matched to a member by name or e-mail. Also the preview and results as the API gives
them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import members as convention_members
from app.access import role_of
from app.contributions.queries import still_proposed
from app.db import db_session
from app.deliberations.queries import signature_lines
from app.lifecycle.queries import (
    current_proposal,
    open_points,
    signatures,
    signing_parties,
    state_signatories,
)
from app.models import (
    Comment,
    CommentThread,
    Contribution,
    Convention,
    PendingImport,
    Revision,
    Section,
    User,
    utcnow,
)
from app.parsing import content_limits, isolated
from app.register.queries import adoption_lines, decision_lines, letters, meetings, proof_lines
from app.sections.queries import revision as revision_at
from app.sections.queries import sections_with_current
from app.targets.queries import YearRow, table
from workflows.contributions import ContributionState
from workflows.conventions import KIND_LABELS, STANDARD_SECTIONS, ConventionKind
from workflows.errors import InvalidInput, NotFound
from workflows.files import check_upload
from workflows.lifecycle import POINT_LABELS, STATE_LABELS
from workflows.permissions import Action, Role, can
from workflows.text.diff import word_diff
from workflows.text.merge import Para, merge3, paragraphs_of
from workflows.word.export import (
    ConventionDoc,
    Discussion,
    Proposal,
    SectionDoc,
    SignatureBlock,
    TargetTable,
    export_docx,
)
from workflows.word.importer import ImportPlan, Reading, Target, read_and_plan

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MODES = ("contributions", "revisions")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FLAGS = ("tracked", "comments")
PENDING_SECONDS = 3600


# --- export ------------------------------------------------------------------------------


def export_bytes(convention_id: int, tracked: bool = False, comments: bool = False) -> bytes:
    return export_docx(convention_doc(convention_id, tracked, comments), tracked, comments)


def export_file(convention: Convention, args: Mapping[str, str]) -> tuple[bytes, str]:
    """The .docx of a convention and its file name; ``args`` of the request say whether
    with open contributions as revision marks (``tracked``) and discussions (``comments``)."""
    tracked, comments = (args.get(name, "") in ("1", "true", "oui", "on") for name in FLAGS)
    return export_bytes(convention.id, tracked, comments), filename_of(convention)


def filename_of(convention: Convention) -> str:
    ascii_title = unicodedata.normalize("NFKD", convention.title).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_title).split())[:60]
    return f"{slug or 'convention'}-{convention.id}.docx"


def convention_doc(
    convention_id: int, tracked: bool = False, comments: bool = False
) -> ConventionDoc:
    session = db_session()
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    signatories, associated = [], []
    for membership in convention_members(convention_id):
        name = membership.party_name
        if membership.role is Role.SIGNATAIRE:
            signatories.append(name)
        elif membership.role is Role.ASSOCIE:
            associated.append(name)
    sections = []
    proposals = _proposals(convention_id) if tracked else {}
    discussions = _discussions(convention_id) if comments else {}
    for section in sections_with_current(convention_id):
        current = section.current_revision
        body = current.body if current else ""
        sections.append(
            SectionDoc(
                id=section.id,
                title=section.title,
                body=body,
                revision=current.number if current else 0,
                proposals=proposals.get(section.id, ()),
                discussions=discussions.get(section.id, ()),
            )
        )
    tables = []
    for indicator_table in table(convention_id):
        years = tuple(sorted({row.year for scope in indicator_table.scopes for row in scope.rows}))
        rows = []
        for scope in indicator_table.scopes:
            by_year = {row.year: row for row in scope.rows}
            rows.append(
                (
                    scope.scope,
                    tuple(_target_shown(by_year.get(y)) for y in years),
                )
            )
        if rows:
            indicator = indicator_table.indicator
            tables.append(
                TargetTable(indicator.code, indicator.title, indicator.unit, years, tuple(rows))
            )
    held, sent = [], []
    for meeting in meetings(convention_id):
        held.append((meeting.meeting_on, meeting.title, meeting.place))
        for document in meeting.documents:
            sent.append((document.sent_on, document.title, meeting.title))
    return ConventionDoc(
        id=convention.id,
        kind=KIND_LABELS[convention.kind],
        title=convention.title,
        organisme=convention.organisme.name,
        period=f"{convention.start_year}-{convention.end_year}",
        state=STATE_LABELS[convention.state],
        exported_at=utcnow(),
        timezone=current_app.config["TIMEZONE"],
        signatories=tuple(signatories),
        associated=tuple(associated),
        sections=tuple(sections),
        targets=tuple(tables),
        meetings=tuple(held),
        documents_sent=tuple(sorted(sent)),
        letters=tuple(
            (letter.received_on, letter.sender, letter.subject) for letter in letters(convention_id)
        ),
        open_points=tuple(
            (POINT_LABELS[p.kind], p.party, p.section, p.text, p.carried or "")
            for p in open_points(session, convention)
        ),
        decision=decision_lines(convention_id),
        adoption=adoption_lines(convention_id),
        proofs=proof_lines(convention_id),
        signed_sha256=convention.signed_sha256,
        signature_blocks=_signature_blocks(convention),
    )


def _signature_blocks(convention: Convention) -> tuple[SignatureBlock, ...]:
    """Every party's block, the organisme first, with its recorded signature if any;
    the moment it was recorded in the users' time, as the interface shows it."""
    found = {s.membership_id: s for s in signatures(convention.id)}
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    session = db_session()
    proposal = current_proposal(session, convention)
    state = {m.id for m in state_signatories(session, convention)}
    deliberated = signature_lines(convention)
    blocks = []
    for party in signing_parties(session, convention):
        quality = "Organisme" if party.organisation_id == convention.organisme_id else "Signataire"
        proposed = ""
        if proposal is not None and party.id in state:
            proposed = (
                f"Sur proposition du préfet de département du {proposal.proposed_on:%d/%m/%Y}"
            )
            proposed += f" ({proposal.proposer})." if proposal.proposer else "."
        deliberation = deliberated.get(party.organisation_id or 0, "")
        signature = found.get(party.id)
        if signature is None:
            blocks.append(
                SignatureBlock(
                    party.party_name, quality, proposal=proposed, deliberation=deliberation
                )
            )
            continue
        blocks.append(
            SignatureBlock(
                party.party_name,
                quality,
                signer=signature.signer,
                signed_on=signature.signed_on,
                recorded_by=signature.recorded_by.name,
                recorded_at=signature.created_at.astimezone(zone),
                proposal=proposed,
                deliberation=deliberation,
            )
        )
    return tuple(blocks)


def _target_shown(row: YearRow | None) -> str:
    return row.target.shown if row is not None and row.target is not None else "—"


def _proposals(convention_id: int) -> dict[int, tuple[Proposal, ...]]:
    """Each section's open contributions carried onto its current text (None when they
    conflict), read in three queries for the whole convention rather than two per
    contribution (3,207 queries for 400 sections before)."""
    session = db_session()
    waiting = (
        select(Contribution)
        .join(Section, Section.id == Contribution.section_id)
        .where(
            Section.convention_id == convention_id,
            Contribution.state == ContributionState.OUVERTE,
        )
    )
    contributions = list(
        session.scalars(
            waiting.options(
                joinedload(Contribution.author),
                joinedload(Contribution.section).joinedload(Section.current_revision),
            ).order_by(Contribution.id)
        )
    )
    base_ids = (
        select(Revision.id)
        .join(
            Contribution,
            and_(
                Revision.section_id == Contribution.section_id,
                Revision.number == Contribution.base_number,
            ),
        )
        .where(Contribution.id.in_(waiting.with_only_columns(Contribution.id)))
    )
    bases = {
        (revision.section_id, revision.number): revision
        for revision in session.scalars(select(Revision).where(Revision.id.in_(base_ids)))
    }
    paragraphs: dict[tuple[int, int], list[Para]] = {}

    def paragraphs_at(revision: Revision | None) -> list[Para]:
        if revision is None:
            return []
        key = (revision.section_id, revision.number)
        if key not in paragraphs:
            paragraphs[key] = paragraphs_of(revision.body, revision.paragraph_ids)
        return paragraphs[key]

    found: dict[int, list[Proposal]] = {}
    for contribution in contributions:
        base = paragraphs_at(bases.get((contribution.section_id, contribution.base_number)))
        current = paragraphs_at(contribution.section.current_revision)
        merged = merge3(base, current, still_proposed(contribution, base))
        found.setdefault(contribution.section_id, []).append(
            Proposal(
                contribution_id=contribution.id,
                author=contribution.author.name,
                created_at=contribution.created_at,
                text=merged.text() if merged.clean else None,
                rationale=contribution.rationale,
            )
        )
    return {section_id: tuple(proposals) for section_id, proposals in found.items()}


def _discussions(convention_id: int) -> dict[int, tuple[Discussion, ...]]:
    """Each section's discussions (not those of a contribution), with their replies:
    two queries for the whole convention."""
    threads = db_session().scalars(
        select(CommentThread)
        .join(Section, Section.id == CommentThread.section_id)
        .where(Section.convention_id == convention_id, CommentThread.contribution_id.is_(None))
        .options(selectinload(CommentThread.comments).joinedload(Comment.author))
        .order_by(CommentThread.id)
    )
    found: dict[int, list[Discussion]] = {}
    for thread in threads:
        if not thread.comments:
            continue
        first, *replies = thread.comments
        found.setdefault(thread.section_id, []).append(
            Discussion(
                author=first.author.name,
                created_at=first.created_at,
                text=first.body,
                quote=thread.quote,
                replies=tuple((c.author.name, c.created_at, c.body) for c in replies),
                resolved=thread.resolved,
            )
        )
    return {section_id: tuple(discussions) for section_id, discussions in found.items()}


# --- the preview of an import --------------------------------------------------------------


@dataclass
class Preview:
    convention_id: int
    filename: str
    plan: ImportPlan
    authors: dict[str, int | None]  # author in the document → member user id (None: ask)
    member_names: dict[int, str] = field(default_factory=dict)


def read_plan(filename: str, data: bytes, targets: list[Target]) -> Reading:
    """The checked file read and planned against ``targets``, in a child process within
    the configured time, memory and content caps (``app.parsing``): a file over a limit
    is refused naming it (413), one that is damaged with a clear error (400)."""
    # An upload whose file part has no name (some API clients) is taken as a .docx.
    name = check_upload(filename or "document.docx", data, (".docx",), MAX_IMPORT_BYTES)
    return isolated(read_and_plan, name, data, targets, content_limits(), filename=name)


def preview(convention_id: int, filename: str, data: bytes) -> Preview:
    session = db_session()
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    sections = list(sections_with_current(convention_id))
    targets = [_target(section, section.current_revision) for section in sections]
    reading = read_plan(filename, data, targets)
    if reading.exported_from == convention_id:
        # A Cosigne export of this convention: its proposals start from the revisions
        # it was made from (its bookmarks), read again against those when one is older.
        exported = [
            _target(section, revision_at(section.id, number))
            if (number := reading.revisions.get(section.id))
            else target
            for section, target in zip(sections, targets, strict=True)
        ]
        if exported != targets:
            reading = read_plan(filename, data, exported)
    plan = reading.plan
    if not plan.sections:
        raise no_headings(filename)
    members = proposing_members(convention_id)
    authors = {author: _match_member(author, members) for author in plan.authors}
    return Preview(convention_id, filename, plan, authors, {m.id: m.name for m in members.values()})


def _target(section: Section, revision: Revision | None) -> Target:
    return Target(
        section.id,
        section.title,
        revision.body if revision else "",
        revision.number if revision else 0,
    )


def no_headings(filename: str) -> InvalidInput:
    return InvalidInput(
        f"Le document « {filename} » n'a aucun titre (styles Titre 1 ou Titre 2) : rien ne "
        "permet de le découper en sections."
    )


def proposing_members(convention_id: int) -> dict[int, User]:
    """Users who may propose in the convention, by id."""
    found: dict[int, User] = {}
    session = db_session()
    for membership in convention_members(convention_id):
        if not can(membership.role, Action.PROPOSE):
            continue
        if membership.user is not None:
            found[membership.user.id] = membership.user
        elif membership.organisation is not None:
            for user in session.scalars(
                select(User).where(
                    User.organisation_id == membership.organisation_id, User.active.is_(True)
                )
            ):
                if can(role_of(user, convention_id), Action.PROPOSE):
                    found[user.id] = user
    return found


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def _match_member(author: str, members: dict[int, User]) -> int | None:
    """The member a revision author is: same name or e-mail (accents and case aside);
    None when no member, or several, match ("Unknown Author" matches nobody)."""
    key = _fold(author)
    if not key or key in ("unknown author", "auteur inconnu", "author"):
        return None
    found = [
        user.id
        for user in members.values()
        if key in (_fold(user.name), _fold(user.email), _fold(user.email.split("@")[0]))
    ]
    return found[0] if len(found) == 1 else None


@dataclass
class Written:
    contributions: list[int] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)
    revisions: list[tuple[int, int]] = field(default_factory=list)  # (section id, number)
    unchanged: list[str] = field(default_factory=list)  # proposals already open, left alone


@dataclass
class Created:
    convention_id: int
    sections: list[tuple[int, str, bool]]  # (id, title, added for the document)
    written: Written
    plan: ImportPlan


def pending(user: User, convention_id: int, token: str) -> PendingImport | None:
    """The upload a preview kept: only for the user and the convention it was made for,
    within the hour; None otherwise."""
    row = db_session().get(PendingImport, token) if token else None
    if (
        row is None
        or row.user_id != user.id
        or row.convention_id != convention_id
        or row.created_at < utcnow() - timedelta(seconds=PENDING_SECONDS)
    ):
        return None
    return row


def plan_new(filename: str, data: bytes, kind: ConventionKind) -> Reading:
    """What ``create_from_docx`` makes of a draft, nothing written: its headings against
    the standard sections of ``kind`` (matched ones have the negative id ``-position``)."""
    standard = [
        Target(-number, section.title, "", 0)
        for number, section in enumerate(STANDARD_SECTIONS[kind], start=1)
    ]
    return read_plan(filename, data, standard)


# --- as the API gives them ---------------------------------------------------------------


def preview_json(found: Preview) -> dict[str, Any]:
    plan = found.plan
    sections = []
    for part in plan.sections:
        proposals = {}
        for author, text in part.by_author.items():
            proposals[author] = _changes(part.original, text)  # the author's marks
        if part.unmarked is not None and not part.by_author:
            proposals["(sans marques de révision)"] = _changes(part.base, part.unmarked)
        sections.append(
            {
                "heading": part.heading,
                "section_id": part.section_id,
                "matched_by": part.matched_by or None,
                "base_revision": part.base_revision,
                "changed": part.changed,
                "proposals": proposals,
                "comments": [
                    {
                        "author": c.author,
                        "text": c.text,
                        "quote": c.quote,
                        "date": c.date,
                        "reply_to": c.reply_to,
                        "done": c.done,
                        "id": c.id,
                    }
                    for c in part.comments
                ],
            }
        )
    return {
        "convention_id": found.convention_id,
        "file": found.filename,
        "sections": sections,
        "unmatched_headings": plan.unmatched_headings,
        "missing_sections": plan.missing_sections,
        "authors": {
            author: (
                {"user_id": user_id, "name": found.member_names.get(user_id)}
                if user_id is not None
                else None
            )
            for author, user_id in found.authors.items()
        },
        "comments_outside_sections": [
            {"author": c.author, "text": c.text} for c in plan.comments_outside
        ],
        "warnings": plan.warnings,
    }


def _changes(before: str, text: str) -> dict[str, list[str]]:
    """What a proposal inserts and deletes, word by word."""
    insertions, deletions = [], []
    for paragraph in word_diff(before, text):
        for span in paragraph.spans:
            if span.op == "insert" and span.text.strip():
                insertions.append(span.text.strip())
            elif span.op == "delete" and span.text.strip():
                deletions.append(span.text.strip())
    return {"insertions": insertions, "deletions": deletions}


def written_json(written: Written) -> dict[str, Any]:
    return {
        "contributions": written.contributions,
        "threads": written.threads,
        "revisions": [{"section_id": s, "number": n} for s, n in written.revisions],
        "already_open": written.unchanged,
    }


def new_plan_json(plan: ImportPlan) -> dict[str, Any]:
    """The preview of a new convention: each heading, a standard section's or added."""
    return {
        "dry_run": True,
        "sections": [
            {"title": part.heading, "standard": part.section_id is not None}
            for part in plan.sections
        ],
        "warnings": plan.warnings,
    }


def created_json(created: Created) -> dict[str, Any]:
    return {
        "convention_id": created.convention_id,
        "sections": [
            {"id": section_id, "title": title, "added": added}
            for section_id, title, added in created.sections
        ],
        "written": written_json(created.written),
        "warnings": created.plan.warnings,
    }
