"""Word files in the application: load a convention into workflows.word's plain values
to export it, and write what an import plans, in one transaction.

Export: ``export_bytes(convention_id, tracked, comments)``. Import: ``preview`` reads and
checks a file (size, archive, macros, DOCTYPE: nothing reaches python-docx before
``workflows.files.check_docx_archive``) and plans it against the convention's sections;
``apply`` writes the plan: per author of revision marks, a contribution from the member
the author is (asked when the name matches none), comments as discussions, or, for a
drafter who asks for it, new revisions of the changed sections.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select

from app import audit, queries
from app.contributions import create_contribution, open_thread
from app.db import db_session, write_transaction
from app.models import (
    CommentThread,
    Contribution,
    Convention,
    Revision,
    Section,
    User,
    utcnow,
)
from app.operations import NotFound, insert_revision, lock_editable_section
from workflows.contributions import ContributionState
from workflows.conventions import KIND_LABELS
from workflows.errors import InvalidInput
from workflows.files import FileRefused, check_docx_archive
from workflows.lifecycle import STATE_LABELS
from workflows.permissions import Action, Role, can
from workflows.text.merge import align_proposal, merge3, paragraphs_of
from workflows.text.paragraphs import assign_paragraph_ids
from workflows.word.export import (
    ConventionDoc,
    Discussion,
    Proposal,
    SectionDoc,
    TargetTable,
    export_docx,
)
from workflows.word.importer import (
    ImportPlan,
    Target,
    exported_from,
    exported_revisions,
    plan_import,
)
from workflows.word.model import canonical
from workflows.word.reader import read_docx

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MODES = ("contributions", "revisions")


# --- export ------------------------------------------------------------------------------


def export_bytes(convention_id: int, tracked: bool = False, comments: bool = False) -> bytes:
    return export_docx(convention_doc(convention_id, tracked, comments), tracked, comments)


def filename_of(convention: Convention) -> str:
    ascii_title = unicodedata.normalize("NFKD", convention.title).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_title).split())[:60]
    return f"{slug or 'convention'}-{convention.id}.docx"


def convention_doc(
    convention_id: int, tracked: bool = False, comments: bool = False
) -> ConventionDoc:
    from app import register, targets

    session = db_session()
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    signatories, associated = [], []
    for membership in queries.members(convention_id):
        name = membership.organisation.name if membership.organisation else membership.user.name
        if membership.role is Role.SIGNATAIRE:
            signatories.append(name)
        elif membership.role is Role.ASSOCIE:
            associated.append(name)
    sections = []
    for section in queries.sections_with_current(convention_id):
        current = section.current_revision
        body = current.body if current else ""
        sections.append(
            SectionDoc(
                id=section.id,
                title=section.title,
                body=body,
                revision=current.number if current else 0,
                proposals=_proposals(section, current) if tracked else (),
                discussions=_discussions(section) if comments else (),
            )
        )
    tables = []
    for table in targets.table(convention_id):
        years = tuple(sorted({row.year for scope in table.scopes for row in scope.rows}))
        rows = []
        for scope in table.scopes:
            by_year = {row.year: row for row in scope.rows}
            rows.append(
                (
                    scope.scope,
                    tuple(
                        by_year[y].target.shown if y in by_year and by_year[y].target else "—"
                        for y in years
                    ),
                )
            )
        if rows:
            indicator = table.indicator
            tables.append(
                TargetTable(indicator.code, indicator.title, indicator.unit, years, tuple(rows))
            )
    meetings, sent = [], []
    for meeting in register.meetings(convention_id):
        meetings.append((meeting.meeting_on, meeting.title, meeting.place))
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
        signatories=tuple(signatories),
        associated=tuple(associated),
        sections=tuple(sections),
        targets=tuple(tables),
        meetings=tuple(meetings),
        documents_sent=tuple(sorted(sent)),
        letters=tuple(
            (letter.received_on, letter.sender, letter.subject)
            for letter in register.letters(convention_id)
        ),
    )


def _proposals(section: Section, current: Revision | None) -> tuple[Proposal, ...]:
    """Open contributions carried onto the current text (None when they conflict)."""
    session = db_session()
    found = []
    rows = session.scalars(
        select(Contribution)
        .where(
            Contribution.section_id == section.id,
            Contribution.state == ContributionState.OUVERTE,
        )
        .order_by(Contribution.id)
    )
    current_paragraphs = paragraphs_of(current.body, current.paragraph_ids) if current else []
    for contribution in rows:
        base = queries.revision(section.id, contribution.base_number)
        base_paragraphs = paragraphs_of(base.body, base.paragraph_ids) if base else []
        proposal = paragraphs_of(contribution.body, contribution.paragraph_ids)
        merged = merge3(base_paragraphs, current_paragraphs, proposal)
        found.append(
            Proposal(
                contribution_id=contribution.id,
                author=contribution.author.name,
                created_at=contribution.created_at,
                text=merged.text() if merged.clean else None,
                rationale=contribution.rationale,
            )
        )
    return tuple(found)


def _discussions(section: Section) -> tuple[Discussion, ...]:
    threads = db_session().scalars(
        select(CommentThread)
        .where(CommentThread.section_id == section.id, CommentThread.contribution_id.is_(None))
        .order_by(CommentThread.id)
    )
    found = []
    for thread in threads:
        first, *replies = thread.comments or [None]
        if first is None:
            continue
        found.append(
            Discussion(
                author=first.author.name,
                created_at=first.created_at,
                text=first.body,
                quote=thread.quote,
                replies=tuple((c.author.name, c.created_at, c.body) for c in replies),
                resolved=thread.resolved,
            )
        )
    return tuple(found)


# --- import ------------------------------------------------------------------------------


@dataclass
class Preview:
    convention_id: int
    filename: str
    plan: ImportPlan
    authors: dict[str, int | None]  # author in the document → member user id (None: ask)
    member_names: dict[int, str] = field(default_factory=dict)


def read_upload(filename: str, data: bytes) -> bytes:
    """The file's bytes once checked; a clear error naming the file otherwise."""
    name = filename or "document.docx"
    if not data:
        raise InvalidInput(f"Le fichier « {name} » est vide.")
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            f"Le fichier « {name} » fait {len(data) / 1_048_576:.0f} Mo : la limite est de "
            f"{MAX_IMPORT_BYTES // 1_048_576} Mo."
        )
    if name.lower().endswith((".docm", ".dotm")):
        raise InvalidInput(
            f"Le fichier « {name} » est un document Word avec macros : il est refusé."
        )
    if not name.lower().endswith(".docx"):
        raise InvalidInput(f"Le fichier « {name} » n'est pas un document Word (.docx).")
    try:
        check_docx_archive(name, data)
    except FileRefused as error:
        raise InvalidInput(str(error)) from None
    return data


def preview(convention_id: int, filename: str, data: bytes) -> Preview:
    document = _read(filename, data)
    session = db_session()
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    # The revisions a Cosigne export of this convention was made from (its bookmarks).
    exported = exported_revisions(document) if exported_from(document) == convention_id else {}
    targets = []
    for section in queries.sections_with_current(convention_id):
        number = exported.get(section.id)
        revision = queries.revision(section.id, number) if number else section.current_revision
        targets.append(
            Target(
                section.id,
                section.title,
                revision.body if revision else "",
                revision.number if revision else 0,
            )
        )
    plan = plan_import(document, targets)
    if not plan.sections:
        raise _no_headings(filename)
    members = _members(convention_id)
    authors = {author: _match_member(author, members) for author in plan.authors}
    return Preview(convention_id, filename, plan, authors, {m.id: m.name for m in members.values()})


def _no_headings(filename: str) -> InvalidInput:
    return InvalidInput(
        f"Le document « {filename} » n'a aucun titre (styles Titre 1 ou Titre 2) : rien ne "
        "permet de le découper en sections."
    )


def _members(convention_id: int) -> dict[int, User]:
    """Users who may propose in the convention, by id."""
    found: dict[int, User] = {}
    session = db_session()
    for membership in queries.members(convention_id):
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
                if can(queries.role_of(user, convention_id), Action.PROPOSE):
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


def apply(
    found: Preview,
    importer: User,
    mapping: dict[str, int] | None = None,
    mode: str = "contributions",
    pending_token: str | None = None,
) -> Written:
    """Write the preview's plan in one transaction. ``mapping`` completes the authors
    the preview could not match (author → member user id)."""
    if mode not in MODES:
        raise InvalidInput(f"Mode d'import inconnu : {mode}.")
    convention_id = found.convention_id
    role = queries.role_of(importer, convention_id)
    drafter = can(role, Action.EDIT_SECTION)
    if mode == "revisions" and not drafter:
        raise InvalidInput("Seuls les rédacteurs enregistrent un import comme nouvelles révisions.")
    if not can(role, Action.PROPOSE):
        raise InvalidInput("Votre rôle ne permet pas de proposer des modifications.")
    members = _members(convention_id)
    authors = dict(found.authors)
    for author, user_id in (mapping or {}).items():
        if author in authors:
            if user_id not in members:
                raise InvalidInput(
                    f"« {author} » : la personne choisie n'est pas membre de la convention."
                )
            authors[author] = user_id
    missing = sorted(a for a, user_id in authors.items() if user_id is None)
    if missing:
        raise InvalidInput(
            "À qui attribuer ces auteurs du document ? " + ", ".join(f"« {a} »" for a in missing)
        )
    if not drafter and any(user_id != importer.id for user_id in authors.values()):
        raise InvalidInput(
            "Seuls les rédacteurs attribuent des modifications à d'autres membres : "
            "attribuez chaque auteur à vous-même."
        )
    plan = found.plan
    written = Written()
    name = found.filename
    with write_transaction() as session:
        for part in plan.matched:
            section_id = part.section_id
            assert section_id is not None
            if mode == "revisions":
                if part.changed:
                    written.revisions.append(
                        _revise(
                            session, section_id, importer, part.accepted, name, part.base_revision
                        )
                    )
            else:
                for author, text in part.by_author.items():
                    if _already_open(session, section_id, authors[author], text):
                        written.unchanged.append(author)  # the export's own marks, back
                        continue
                    contribution = create_contribution(
                        section_id,
                        members[authors[author]],
                        part.base_revision,
                        text,
                        f"Importée de « {name} » par {importer.name} : modifications de "
                        f"« {author} » dans Word.",
                        within_session=session,
                    )
                    written.contributions.append(contribution.id)
                if part.unmarked is not None and not part.by_author:
                    contribution = create_contribution(
                        section_id,
                        importer,
                        part.base_revision,
                        part.unmarked,
                        f"Importée de « {name} » : texte modifié sans marques de révision, "
                        f"comparé à la révision {part.base_revision}.",
                        within_session=session,
                    )
                    written.contributions.append(contribution.id)
            written.threads += _discussions_from(
                session,
                section_id,
                part.comments,
                lambda comment: members[authors[comment.author]],
                lambda comment: comment.text or "(commentaire vide)",
            )
        if pending_token:  # the kept upload goes with the import, not before
            from app.models import PendingImport

            kept = session.get(PendingImport, pending_token)
            if kept is not None:
                session.delete(kept)
        audit.record(
            session,
            "import_docx",
            f"Import Word « {name} » : {len(written.contributions)} contribution(s), "
            f"{len(written.threads)} commentaire(s), {len(written.revisions)} révision(s)",
            session.get(User, importer.id),
            convention_id,
        )
    return written


def _read(filename: str, data: bytes):  # type: ignore[no-untyped-def]
    try:
        return read_docx(read_upload(filename, data))
    except InvalidInput:
        raise
    except Exception:  # python-docx or lxml on a malformed part
        raise InvalidInput(
            f"Le fichier « {filename} » est endommagé ou illisible comme document Word."
        ) from None


@dataclass
class Created:
    convention_id: int
    sections: list[tuple[int, str, bool]]  # (id, title, added for the document)
    written: Written
    plan: ImportPlan


def create_from_docx(
    creator: User,
    filename: str,
    data: bytes,
    kind,  # type: ignore[no-untyped-def]
    title: str,
    start_year: int,
    end_year: int | None = None,
    cadre_id: int | None = None,
) -> Created:
    """A new convention from a Word draft, in one transaction: its standard sections
    take the text under the headings that match them, other headings become sections,
    revision marks are accepted (the draft is the organisme's own) and comments become
    discussions opened by the creator, naming their author."""
    from app.operations import add_section, create_convention

    document = _read(filename, data)
    written = Written()
    sections: list[tuple[int, str, bool]] = []
    with write_transaction() as session:
        convention = create_convention(
            creator, kind, title, start_year, end_year, cadre_id, within_session=session
        )
        standard = session.scalars(
            select(Section).where(Section.convention_id == convention.id).order_by(Section.position)
        ).all()
        plan = plan_import(document, [Target(s.id, s.title, "", 0) for s in standard])
        if not plan.sections:
            raise _no_headings(filename)
        actor = session.get(User, creator.id)
        for part in plan.sections:
            added = part.section_id is None
            section_id = (
                add_section(convention.id, part.heading, actor, within_session=session).id
                if added
                else part.section_id
            )
            assert section_id is not None
            sections.append((section_id, part.heading, added))
            if part.accepted.strip():
                written.revisions.append(
                    _revise(session, section_id, creator, part.accepted, filename)
                )
            written.threads += _discussions_from(
                session,
                section_id,
                part.comments,
                lambda _comment: actor,
                lambda comment: f"{comment.author} (dans Word) : {comment.text or '(vide)'}",
            )
        audit.record(
            session,
            "import_docx",
            f"Convention créée depuis « {filename} » : {len(sections)} section(s)",
            actor,
            convention.id,
        )
        convention_id = convention.id
    return Created(convention_id, sections, written, plan)


PENDING_SECONDS = 3600


def keep_pending(user: User, convention_id: int, filename: str, data: bytes) -> str:
    """Keep an upload between its preview and the confirmation; returns its token.
    Uploads nobody confirmed within the hour go at the same time."""
    import secrets
    from datetime import timedelta

    from sqlalchemy import delete

    from app.models import PendingImport

    token = secrets.token_urlsafe(24)
    with write_transaction() as session:
        session.execute(
            delete(PendingImport).where(
                PendingImport.created_at < utcnow() - timedelta(seconds=PENDING_SECONDS)
            )
        )
        session.add(
            PendingImport(
                token=token,
                user_id=user.id,
                convention_id=convention_id,
                filename=filename[:255],
                data=data,
            )
        )
    return token


def pending(user: User, convention_id: int, token: str):  # type: ignore[no-untyped-def]
    """The upload a preview kept: only for the user and the convention it was made for,
    within the hour; None otherwise."""
    from datetime import timedelta

    from app.models import PendingImport

    row = db_session().get(PendingImport, token) if token else None
    if (
        row is None
        or row.user_id != user.id
        or row.convention_id != convention_id
        or row.created_at < utcnow() - timedelta(seconds=PENDING_SECONDS)
    ):
        return None
    return row


def plan_new(filename: str, data: bytes, kind) -> ImportPlan:  # type: ignore[no-untyped-def]
    """What ``create_from_docx`` would make of a draft, nothing written: its headings
    against the standard sections of ``kind`` (matched ones have negative ids)."""
    from workflows.conventions import STANDARD_SECTIONS

    document = _read(filename, data)
    standard = [
        Target(-number, section.title, "", 0)
        for number, section in enumerate(STANDARD_SECTIONS[kind], start=1)
    ]
    return plan_import(document, standard)


def _discussions_from(session, section_id: int, comments, author_of, text_of) -> list[int]:  # type: ignore[no-untyped-def]
    """Word's comments as discussions of the section: a comment on its quoted passage
    (or quoting it, when the passage is no longer in the text), its replies in the same
    thread, a thread whose first comment is marked done in Word resolved. A comment that
    is a discussion the export wrote (same author, same words) is that discussion, not a
    new one. Returns the new threads' ids."""
    from app.contributions import reply

    ids = {comment.id for comment in comments}
    roots = [c for c in comments if c.reply_to not in ids]  # a reply elsewhere: its own
    threads: dict[str, CommentThread] = {}
    created: list[int] = []
    for comment in roots:
        author, text = author_of(comment), text_of(comment)
        existing = _same_discussion(session, section_id, author.id, comment.text)
        if existing is not None:
            threads[comment.id] = existing
            continue
        try:
            thread = open_thread(
                section_id, author, text, quote=comment.quote, within_session=session
            )
        except InvalidInput:  # the quoted passage is not in the current text
            quoted = f"« {comment.quote} » — " if comment.quote else ""
            thread = open_thread(section_id, author, quoted + text, within_session=session)
        threads[comment.id] = thread
        created.append(thread.id)
        if comment.done:
            thread.resolved = True
            thread.resolved_by_id = author.id
            thread.resolved_at = utcnow()
    pending = [c for c in comments if c.reply_to in ids]
    while pending:  # replies in the order of the threads they answer, whatever the file's
        answered = [c for c in pending if c.reply_to in threads]
        if not answered:
            break
        for comment in answered:
            thread = threads[comment.reply_to]
            if not _already_replied(thread, author_of(comment).id, comment.text):
                reply(thread.id, author_of(comment), text_of(comment), within_session=session)
            threads[comment.id] = thread
            pending.remove(comment)
    return created


def _same_discussion(session, section_id: int, author_id: int, text: str):  # type: ignore[no-untyped-def]
    """The open discussion of the section this comment is (exported, then back)."""
    for thread in session.scalars(
        select(CommentThread).where(
            CommentThread.section_id == section_id,
            CommentThread.contribution_id.is_(None),
            CommentThread.author_id == author_id,
        )
    ):
        first = thread.comments[0] if thread.comments else None
        if first is not None and text.strip().startswith(first.body.strip()):
            return thread
    return None


def _already_replied(thread, author_id: int, text: str) -> bool:  # type: ignore[no-untyped-def]
    return any(c.author_id == author_id and c.body.strip() == text.strip() for c in thread.comments)


def _already_open(session, section_id: int, author_id: int | None, text: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the author already has this proposal open on the section (a tracked export
    that comes back with its marks untouched), compared as Word gives Markdown back."""
    wanted = canonical(text)
    bodies = session.scalars(
        select(Contribution.body).where(
            Contribution.section_id == section_id,
            Contribution.author_id == author_id,
            Contribution.state == ContributionState.OUVERTE,
        )
    )
    return any(canonical(body) == wanted for body in bodies)


def _revise(  # type: ignore[no-untyped-def]
    session, section_id: int, importer: User, body: str, name: str, base_number: int = 0
) -> tuple[int, int]:
    """A new revision with the document's text. When the section moved on since the
    revision the document came from, the document's changes are merged three ways into
    the current text (what was saved since stays); overlapping changes are refused."""
    section = lock_editable_section(session, section_id)
    current = section.current_revision
    if current is not None and base_number and base_number != current.number:
        base = session.scalar(
            select(Revision).where(
                Revision.section_id == section_id, Revision.number == base_number
            )
        )
        base_paragraphs = paragraphs_of(base.body, base.paragraph_ids) if base else []
        merged = merge3(
            base_paragraphs,
            paragraphs_of(current.body, current.paragraph_ids),
            align_proposal(base_paragraphs, body),
        )
        if not merged.clean:
            raise InvalidInput(
                f"« {section.title} » a changé depuis la révision {base_number} dont le "
                f"document est parti (elle en est à la révision {current.number}) là où le "
                "document le modifie aussi : importez-le plutôt comme contributions."
            )
        body = merged.text()
        if body == current.body:
            return section_id, current.number
    ids = assign_paragraph_ids(
        current.body if current else "", current.paragraph_ids if current else None, body
    )
    revision = insert_revision(
        session,
        section,
        current,
        session.get(User, importer.id),
        body,
        f"Import Word « {name} »",
        ids,
    )
    return section_id, revision.number
