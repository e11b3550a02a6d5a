"""Reading conventions: their members, the dashboard, a convention's page (which gathers
what the other features hold of it), its reading view and PDF, and the shape the API
gives a convention."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from app.access import conventions_for, members
from app.accounts.queries import organisations
from app.activity.queries import inbox
from app.archive.queries import shown as archive_shown
from app.contributions.queries import open_counts
from app.conventions import pdf
from app.conventions.highlight import Marker, Terms, first_hit, matches, terms_of
from app.db import db_session
from app.evaluation.queries import available as evaluations_available
from app.forms import choices
from app.lifecycle.queries import (
    deadlines_of,
    facts,
    local_today,
    proposal_block,
    readiness,
    readiness_warnings,
    signatures,
    signing_form,
    signing_parties,
    transmitted_on,
)
from app.markdown import render
from app.models import (
    Comment,
    CommentThread,
    Convention,
    Membership,
    ReviewPosition,
    Revision,
    Section,
    SignatoryChoice,
    Signature,
    User,
    iso,
)
from app.opinions.queries import reads_opinions
from app.sections.queries import sections_with_current
from app.targets.queries import table
from app.word.queries import convention_doc, filename_of
from workflows.conventions import ConventionKind
from workflows.lifecycle import (
    ConventionState,
    Lifecycle,
    blockers,
    signing_open,
    text_editable,
)
from workflows.permissions import Role, can_create_convention, may_choose_for
from workflows.review import RegisterItem, open_items
from workflows.signatory_choice import (
    CHOOSING_STATES,
    CHOSEN_LABELS,
    NO_CHOICE_LABEL,
    Choice,
    is_associated_collectivite,
)
from workflows.word.export import export_docx

log = logging.getLogger(__name__)


def organisation_choices() -> list[SelectChoice]:
    """The organisations one may add as participants, as a select's options."""
    return choices([("", "—")] + [(o.id, o.name) for o in organisations()])


def cadres_of(organisation_id: int) -> list[Convention]:
    return list(
        db_session().scalars(
            select(Convention).where(
                Convention.organisme_id == organisation_id,
                Convention.kind == ConventionKind.CADRE,
            )
        )
    )


def dashboard(user: User) -> dict[str, Any]:
    """The user's conventions with their role, and what awaits them."""
    return {
        "conventions": conventions_for(user),
        "can_create": can_create_convention(user.organisation.kind, user.is_admin),
        "inbox": inbox(user),
    }


def convention_page(convention: Convention, user: User, role: Role | None) -> dict[str, Any]:
    """A convention's page: its sections with their open contributions, its members, the
    steps it may take next with why each would be refused, its deadlines and signatures
    (every party's, the organisme's first, and the lines ``user`` may sign for)."""
    state, path = convention.state, convention.lifecycle
    found = signatures(convention.id)
    signed_ids = {s.membership_id for s in found}
    session = db_session()
    now = facts(session, convention, local_today())
    return {
        "sections": sections_with_current(convention.id),
        "members": members(convention.id),
        "steps": [(to, [b.text for b in blockers(now, to)]) for to in path.transitions[state]],
        "readiness": (ready := readiness(convention, now)),
        "readiness_warnings": readiness_warnings(convention, ready),
        "evaluations": evaluations_available(convention),
        "deadlines": deadlines_of(convention),
        "signatures": found,
        "unsigned": [
            (m.id, m.party_name)
            for m in signing_parties(session, convention)
            if m.id not in signed_ids
        ],
        "signing_open": signing_open(state, path),
        # Sections are added, renamed and reordered while the text may change.
        "text_editable": text_editable(state, path),
        "lifecycle": path,
        "signing": signing_form(convention, user, role),
        "proposal_block": proposal_block(convention, user, role),
        # The State's internal opinions are linked for its services alone.
        "reads_opinions": reads_opinions(user),
        "transmitted_on": transmitted_on(convention),
        "today": local_today(),
        "open_counts": open_counts(convention.id),
        "backwards": lambda to: _before(path, to, state),
        "archive": archive_shown(convention),
    }


# --- the reading view: the whole convention on one page ------------------------------------

# Matching discussions listed at most (the page says how many more there were).
MAX_DISCUSSIONS = 50


@dataclass(frozen=True)
class SectionReading:
    section: Section
    number: int  # its place in the document, from 1
    revision: Revision | None
    title: Markup  # escaped, the words searched for marked
    html: Markup  # the current text rendered (app.markdown), headings under the title
    open_items: list[RegisterItem]  # reserves and disagreements on the current revision
    hits: int  # marks in its title and text
    first_hit: str | None  # the id of its first mark


@dataclass(frozen=True)
class CommentReading:
    author: str
    created_at: datetime
    html: Markup


@dataclass(frozen=True)
class DiscussionHit:
    thread: CommentThread
    section_title: str
    comments: list[CommentReading]  # those that match, their words marked
    quote: Markup | None  # the quoted passage, when it matches


@dataclass(frozen=True)
class SignatureLine:
    party: str
    role: str  # "organisme" | "signataire"
    signature: Signature | None


@dataclass(frozen=True)
class Search:
    terms: Terms
    in_discussions: bool
    hits: int  # in the sections
    sections: list[SectionReading]  # those with a hit, in order
    discussions: list[DiscussionHit]
    more_discussions: int  # matching discussions not listed (over MAX_DISCUSSIONS)


def document_page(
    convention: Convention, query: str | None = None, in_discussions: bool = False
) -> dict[str, Any]:
    """The whole convention as one document: title page, every section in order with its
    state, open reserves and text, the indicator targets and the signatures; with a
    ``query``, its words marked in the sections (and, ``in_discussions``, the matching
    discussions listed).

    A fixed number of queries whatever the size of the convention: the sections with
    their current revisions, the members, the positions on those revisions, the targets
    (three), the signatures, and the comments when they are searched.
    """
    terms = terms_of(query)
    marker = Marker(terms)
    # The organisme first, then the signatories, the associated partners, the observers.
    parties = sorted(members(convention.id), key=lambda m: (list(Role).index(m.role), m.id))
    rows = list(
        db_session().scalars(
            select(Section)
            .where(Section.convention_id == convention.id)
            .options(joinedload(Section.current_revision))
            .order_by(Section.position, Section.id)
        )
    )
    items = _open_items_by_section(convention.id, {s.id: s.title for s in rows})
    sections = []
    for number, section in enumerate(rows, start=1):
        before = marker.count
        title = marker.text(section.title)
        current = section.current_revision
        html = marker.html(render(current.body), shift_headings=1) if current else Markup("")
        sections.append(
            SectionReading(
                section=section,
                number=number,
                revision=current,
                title=title,
                html=html,
                open_items=items.get(section.id, []),
                hits=marker.count - before,
                first_hit=first_hit(before, marker),
            )
        )
    search = None
    if query is not None and query.strip():
        discussions, more = (
            _discussions(convention.id, terms, marker) if in_discussions else ([], 0)
        )
        search = Search(
            terms=terms,
            in_discussions=in_discussions,
            hits=sum(s.hits for s in sections),
            sections=[s for s in sections if s.hits],
            discussions=discussions,
            more_discussions=more,
        )
    return {
        "parties": parties,
        "sections": sections,
        "targets": table(convention.id),
        "signature_lines": _signature_lines(convention, parties),
        "search": search,
        "query": terms.text if query is not None else "",
        "in_discussions": in_discussions,
        "pdf_available": pdf.command() is not None,
        "archival_pdf": _archival(convention),
    }


def _open_items_by_section(
    convention_id: int, titles: dict[int, str]
) -> dict[int, list[RegisterItem]]:
    """The register of reserves and disagreements (app.review.queries.register), per
    section and in one query: the last position of each party on each section's current
    revision, kept when it is a reserve or a disagreement."""
    positions = db_session().scalars(
        select(ReviewPosition)
        .join(Section, Section.id == ReviewPosition.section_id)
        .join(Revision, Revision.id == Section.current_revision_id)
        .where(
            Section.convention_id == convention_id,
            ReviewPosition.revision_number == Revision.number,
        )
        .options(
            joinedload(ReviewPosition.membership).joinedload(Membership.organisation),
            joinedload(ReviewPosition.membership).joinedload(Membership.user),
        )
        .order_by(ReviewPosition.id)
    )
    latest: dict[tuple[int, int], ReviewPosition] = {}
    for position in positions:
        latest[(position.section_id, position.membership_id)] = position
    by_section: dict[int, list[RegisterItem]] = {}
    for (section_id, _membership), position in latest.items():
        by_section.setdefault(section_id, []).append(
            RegisterItem(
                position.membership.party_name,
                titles[section_id],
                position.position,
                position.text,
                position.revision_number,
            )
        )
    return {section_id: open_items(found) for section_id, found in by_section.items()}


def _signature_lines(convention: Convention, parties: list[Membership]) -> list[SignatureLine]:
    """The organisme, then each signatory with its signature (None: not recorded yet)."""
    found = {s.membership_id: s for s in signatures(convention.id)}
    lines = []
    for party in signing_parties(db_session(), convention):
        role = "organisme" if party.organisation_id == convention.organisme_id else "signataire"
        lines.append(SignatureLine(party.party_name, role, found.get(party.id)))
    return lines


def _discussions(
    convention_id: int, terms: Terms, marker: Marker
) -> tuple[list[DiscussionHit], int]:
    """The discussions of the convention (on its sections and on their contributions)
    whose comments or quoted passage hold a word searched for, in one query."""
    rows = db_session().execute(
        select(CommentThread, Section.title, Comment.body, Comment.created_at, User.name)
        .join(Section, Section.id == CommentThread.section_id)
        .join(Comment, Comment.thread_id == CommentThread.id)
        .join(User, User.id == Comment.author_id)
        .where(Section.convention_id == convention_id)
        .order_by(Section.position, CommentThread.id, Comment.id)
    )
    found: dict[int, DiscussionHit] = {}
    extra: set[int] = set()
    for thread, section_title, body, created_at, author in rows:
        body_matches = matches(terms, body)
        hit = found.get(thread.id)
        if hit is None:
            quote_matches = bool(thread.quote) and matches(terms, thread.quote)
            if not (body_matches or quote_matches):
                continue
            if len(found) == MAX_DISCUSSIONS:
                extra.add(thread.id)
                continue
            hit = DiscussionHit(
                thread, section_title, [], marker.text(thread.quote) if quote_matches else None
            )
            found[thread.id] = hit
        if body_matches:
            # Comments are Markdown too; their headings go below the listing's.
            hit.comments.append(
                CommentReading(author, created_at, marker.html(render(body), shift_headings=3))
            )
    return list(found.values()), len(extra)


def _archival(convention: Convention) -> bool:
    """A signed convention's PDF is PDF/A: the form an archived, signed text is kept in."""
    return convention.signed_sha256 is not None


@dataclass(frozen=True)
class DocumentPdf:
    data: bytes | None
    filename: str
    archival: bool
    problem: str | None  # why there is no PDF, in French


def document_pdf(convention: Convention) -> DocumentPdf:
    """The convention as PDF (PDF/A once signed): its Word export converted by
    LibreOffice, or the PDF kept from an earlier conversion of the same content.

    The cache key is the hash of everything the Word export shows (title page, every
    section's title, text and revision, targets, register) but the export's date: a
    change anywhere gives a new file, and the same content is converted once.
    """
    archival = _archival(convention)
    doc = convention_doc(convention.id)
    content = repr(dataclasses.replace(doc, exported_at=datetime(1970, 1, 1, tzinfo=UTC)))
    key = pdf.cache_key(convention.id, content, archival)
    filename = filename_of(convention).removesuffix(".docx") + ".pdf"
    try:
        data = pdf.cached_or_converted(convention.id, key, lambda: export_docx(doc), archival)
    except pdf.ConversionFailed as failure:
        log.warning("no PDF of convention %s: %s", convention.id, failure)
        return DocumentPdf(None, filename, archival, str(failure))
    return DocumentPdf(data, filename, archival, None)


def _before(path: Lifecycle, to: ConventionState, state: ConventionState) -> bool:
    return path.states.index(to) < path.states.index(state)


def convention_json(convention: Convention, role: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": convention.id,
        "kind": convention.kind.value,
        "title": convention.title,
        "organisme": {"id": convention.organisme.id, "name": convention.organisme.name},
        "start_year": convention.start_year,
        "end_year": convention.end_year,
        "state": convention.state.value,
        "cadre_id": convention.cadre_id,
        "created_at": iso(convention.created_at),
    }
    if role is not None:
        data["role"] = role
    return data


def membership_json(membership: Membership) -> dict[str, Any]:
    """One participant: an organisation (all its users) or one person, and its role."""
    org, user = membership.organisation, membership.user
    return {
        "id": membership.id,
        "role": membership.role.value,
        "party": membership.party_name,
        "organisation": {"id": org.id, "name": org.name, "kind": org.kind.value} if org else None,
        "user": {"id": user.id, "name": user.name, "email": user.email} if user else None,
        "created_at": iso(membership.created_at),
    }


# --- the associated collectivités' choice to sign ------------------------------------------


@dataclass(frozen=True)
class ChoiceLine:
    """An associated collectivité on the participants page: its choice (None: none
    expressed, which never blocks the conclusion), and what this user may record."""

    membership: Membership
    choice: SignatoryChoice | None
    status: str  # "devenue signataire", "reste associée", "pas de choix exprimé"
    may_record: bool
    own: bool  # the user speaks for it (else the drafter records it from its letter)


def _choices(convention_id: int) -> dict[int, SignatoryChoice]:
    return {
        c.membership_id: c
        for c in db_session().scalars(
            select(SignatoryChoice)
            .join(Membership, Membership.id == SignatoryChoice.membership_id)
            .where(Membership.convention_id == convention_id)
            .options(joinedload(SignatoryChoice.recorded_by))
        )
    }


def choice_lines(
    convention: Convention, memberships: list[Membership], user: User, role: Role | None
) -> list[ChoiceLine]:
    """Each associated collectivité of the convention (workflows.signatory_choice) with
    its choice, in the members' order."""
    found = _choices(convention.id)
    open_now = convention.state in CHOOSING_STATES
    lines = []
    for m in memberships:
        choice = found.get(m.id)
        kind = m.organisation.kind if m.organisation is not None else None
        chose_to_sign = choice is not None and choice.choice is Choice.SIGNATAIRE
        if not is_associated_collectivite(kind, m.role, chose_to_sign):
            continue
        own = m.organisation_id == user.organisation_id
        lines.append(
            ChoiceLine(
                m,
                choice,
                CHOSEN_LABELS[choice.choice] if choice is not None else NO_CHOICE_LABEL,
                open_now and may_choose_for(role, own),
                own,
            )
        )
    return lines


def choice_json(line: ChoiceLine) -> dict[str, Any]:
    choice = line.choice
    return {
        "membership_id": line.membership.id,
        "party": line.membership.party_name,
        "role": line.membership.role.value,
        "choice": choice.choice.value if choice is not None else None,
        "status": line.status,
        "letter_on": choice.letter_on.isoformat() if choice and choice.letter_on else None,
        "recorded_by": choice.recorded_by.name if choice is not None else None,
        "recorded_at": iso(choice.created_at) if choice is not None else None,
    }
