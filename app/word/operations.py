"""Writing what a Word import plans, in one transaction: per author of revision marks a
contribution from the member the author is (asked when the name matches none), comments
as discussions, or, for a drafter who asks for it, new revisions of the changed sections;
and a new convention from a Word draft. Between the preview and the confirmation the web
page keeps the upload in the database (``keep_pending``), so that any application server
can confirm what another previewed.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import PurePath

from flask import current_app
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app import audit
from app.access import role_of
from app.contributions.operations import create_contribution, open_thread, reply
from app.conventions.operations import create_convention
from app.db import db_session, reloaded, write_transaction
from app.models import CommentThread, Contribution, PendingImport, Revision, Section, User, utcnow
from app.notifications.operations import notify
from app.sections.operations import add_section, insert_revision, lock_editable_section
from app.word.queries import (
    MODES,
    PENDING_SECONDS,
    Created,
    Preview,
    Written,
    no_headings,
    plan_new,
    proposing_members,
)
from workflows.contributions import ContributionState
from workflows.conventions import ConventionKind
from workflows.errors import Forbidden, InvalidInput, TooLarge
from workflows.files import display_name, megabytes
from workflows.notifications import Kind
from workflows.permissions import (
    Action,
    can,
    may_attribute_to_others,
    may_import_as_revisions,
)
from workflows.text.blocks import canonical
from workflows.text.merge import align_proposal, merge3, paragraphs_of
from workflows.text.paragraphs import assign_paragraph_ids
from workflows.word.reader import WordComment

log = logging.getLogger(__name__)


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
    role = role_of(importer, convention_id)
    if not can(role, Action.PROPOSE):
        raise Forbidden("Votre rôle ne permet pas de proposer des modifications.")
    if mode == "revisions" and not may_import_as_revisions(role):
        raise Forbidden("Seuls les rédacteurs enregistrent un import comme nouvelles révisions.")
    members = proposing_members(convention_id)
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
    attributed = {a: user_id for a, user_id in authors.items() if user_id is not None}
    if not may_attribute_to_others(role) and any(
        user_id != importer.id for user_id in attributed.values()
    ):
        raise Forbidden(
            "Seuls les rédacteurs attribuent des modifications à d'autres membres : "
            "attribuez chaque auteur à vous-même."
        )
    plan = found.plan
    written = Written()
    name = found.filename
    in_name: dict[int, list[int]] = {}  # person → the contributions written in their name
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
                    if _already_open(session, section_id, attributed[author], text):
                        written.unchanged.append(author)  # the export's own marks, back
                        continue
                    contribution = create_contribution(
                        section_id,
                        members[attributed[author]],
                        part.base_revision,
                        text,
                        f"Importée de « {name} » par {importer.name} : modifications de "
                        f"« {author} » dans Word.",
                        within_session=session,
                        actor=importer,
                    )
                    written.contributions.append(contribution.id)
                    in_name.setdefault(attributed[author], []).append(contribution.id)
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
                lambda comment: members[attributed[comment.author]],
                lambda comment: comment.text or "(commentaire vide)",
            )
        if pending_token:  # the kept upload goes with the import, not before
            kept = session.get(PendingImport, pending_token)
            if kept is not None:
                session.delete(kept)
        for user_id, ids in sorted(in_name.items()):
            notify(
                session,
                Kind.WORD_IMPORT,
                {user_id},
                f"{importer.name} a importé « {name} » : {len(ids)} contribution(s) "
                "écrite(s) en votre nom d'après vos marques de révision",
                f"/contributions/{ids[0]}",
                convention_id,
                importer,
            )
        audit.record(
            session,
            "import_docx",
            f"Import Word « {name} » : {len(written.contributions)} contribution(s), "
            f"{len(written.threads)} commentaire(s), {len(written.revisions)} révision(s)",
            reloaded(session, importer),
            convention_id,
        )
    return written


def create_from_docx(
    creator: User,
    filename: str,
    data: bytes,
    kind: ConventionKind,
    title: str | None,
    start_year: int,
    end_year: int | None = None,
    cadre_id: int | None = None,
) -> Created:
    """A new convention from a Word draft, in one transaction: its standard sections
    take the text under the headings that match them, other headings become sections,
    revision marks are accepted (the draft is the organisme's own) and comments become
    discussions opened by the creator, naming their author. ``title`` None: the
    document's own, else the file's name. The draft is read (in a child process, within
    the parse limits) before the transaction begins."""
    reading = plan_new(filename, data, kind)
    plan = reading.plan
    if not plan.sections:
        raise no_headings(filename)
    if title is None:
        title = reading.title or PurePath(display_name(filename)).stem
    written = Written()
    sections: list[tuple[int, str, bool]] = []
    with write_transaction() as session:
        convention = create_convention(
            creator, kind, title, start_year, end_year, cadre_id, within_session=session
        )
        standard = session.scalars(
            select(Section).where(Section.convention_id == convention.id).order_by(Section.position)
        ).all()
        actor = reloaded(session, creator)
        for part in plan.sections:
            added = part.section_id is None
            section_id = (
                add_section(convention.id, part.heading, actor, within_session=session).id
                if part.section_id is None
                else standard[-part.section_id - 1].id  # planned as -position (plan_new)
            )
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


def keep_pending(user: User, convention_id: int, filename: str, data: bytes) -> str:
    """Keep an upload between its preview and the confirmation; returns its token.

    A user's new preview replaces their older ones of the same convention (only the
    latest can be confirmed from the page they see), and all of a user's waiting
    previews together hold at most ``PENDING_IMPORT_MAX_BYTES_PER_USER``: past it the
    preview is refused (413) and nothing is kept or removed. Uploads nobody confirmed
    within the hour go at the same time."""
    cap = int(current_app.config["PENDING_IMPORT_MAX_BYTES_PER_USER"])
    token = secrets.token_urlsafe(24)
    with write_transaction() as session:
        _purge_expired(session)
        session.execute(
            delete(PendingImport).where(
                PendingImport.user_id == user.id, PendingImport.convention_id == convention_id
            )
        )
        held = session.scalar(
            select(func.coalesce(func.sum(func.length(PendingImport.data)), 0)).where(
                PendingImport.user_id == user.id
            )
        )
        if int(held or 0) + len(data) > cap:
            raise TooLarge(
                f"Vos aperçus d'import en attente occupent déjà {megabytes(int(held or 0))} : "
                f"avec « {display_name(filename)} » ({megabytes(len(data))}) ils dépasseraient "
                f"la limite de {megabytes(cap)} par personne. Confirmez un aperçu en cours "
                "(dans ses conventions) ou attendez qu'ils expirent, une heure après leur dépôt."
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


def purge_expired_pending() -> int:
    """Remove the uploads nobody confirmed within the hour; returns how many. Run at
    each process's first request, on each preview, and by ``flask maintenance
    purge-imports`` (for a cron)."""
    with write_transaction() as session:
        return _purge_expired(session)


def _purge_expired(session: Session) -> int:
    result = session.execute(
        delete(PendingImport).where(PendingImport.created_at < _expiry()),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _expiry() -> datetime:
    return utcnow() - timedelta(seconds=PENDING_SECONDS)


def purge_pending_once() -> None:
    """A before-request hook: on this process's first request, remove the expired
    uploads (a quick read first: no write transaction when there is none). A failure is
    logged and tried again at the next request, rather than refusing this one."""
    app = current_app
    if app.extensions.get("cosigne_pending_purged"):
        return
    with _purge_lock:
        if app.extensions.get("cosigne_pending_purged"):
            return
        session = db_session()
        try:
            expired = session.scalar(select(exists().where(PendingImport.created_at < _expiry())))
            if expired:
                purged = purge_expired_pending()
                log.info("purged %d expired Word import preview(s)", purged)
        except SQLAlchemyError:
            # The database busy or gone for a moment; anything else is a bug and is
            # not hidden.
            log.exception("purge of expired import previews failed; tried again next request")
            session.rollback()
            return
        app.extensions["cosigne_pending_purged"] = True


_purge_lock = threading.Lock()


def _discussions_from(
    session: Session,
    section_id: int,
    comments: Sequence[WordComment],
    author_of: Callable[[WordComment], User],
    text_of: Callable[[WordComment], str],
) -> list[int]:
    """Word's comments as discussions of the section: a comment on its quoted passage
    (or quoting it, when the passage is no longer in the text), its replies in the same
    thread, a thread whose first comment is marked done in Word resolved. A comment that
    is a discussion the export wrote (same author, same words) is that discussion, not a
    new one. Returns the new threads' ids."""
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
    pending = [(c.reply_to, c) for c in comments if c.reply_to is not None and c.reply_to in ids]
    while pending:  # replies in the order of the threads they answer, whatever the file's
        answered = [(parent, c) for parent, c in pending if parent in threads]
        if not answered:
            break
        for parent, comment in answered:
            thread = threads[parent]
            if not _already_replied(thread, author_of(comment).id, comment.text):
                reply(thread.id, author_of(comment), text_of(comment), within_session=session)
            threads[comment.id] = thread
            pending.remove((parent, comment))
    return created


def _same_discussion(
    session: Session, section_id: int, author_id: int, text: str
) -> CommentThread | None:
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


def _already_replied(thread: CommentThread, author_id: int, text: str) -> bool:
    return any(c.author_id == author_id and c.body.strip() == text.strip() for c in thread.comments)


def _already_open(session: Session, section_id: int, author_id: int | None, text: str) -> bool:
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


def _revise(
    session: Session, section_id: int, importer: User, body: str, name: str, base_number: int = 0
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
        reloaded(session, importer),
        body,
        f"Import Word « {name} »",
        ids,
    )
    return section_id, revision.number
