"""What a .docx brings to a convention: the plan of an import, before anything is written.

The document is cut at its section headings (Heading 1, or Heading 2 when it has no
Heading 1 matching a section), each matched to a section of the convention: by the
bookmark a Cosigne export puts on it (``cosigne_s<id>_r<n>``, which survives a renamed
title), else by its title, compared without accents, case, punctuation or numbering
("1.", "II -", "Article 3 :"). For each matched section the plan holds:

- the text as the partner received it (every revision mark rejected) and as it reads
  with every mark accepted, as Markdown;
- per author of revision marks, the text with that author's marks only: the
  contribution that author proposes;
- when the document carries no marks but its text differs from the revision it was
  exported from, that difference, as one proposal;
- the comments anchored in the section.

Paragraphs Word did not change keep the section's own Markdown (``restore``): an export
imported back unchanged gives every section's text back, character for character.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeGuard

from workflows.files import (
    ContentLimits,
    FileRefused,
    check_docx_archive,
    display_name,
)
from workflows.limits import check_body
from workflows.text.blocks import canonical, to_markdown
from workflows.text.diff import split_paragraphs
from workflows.word.export import ANNEX_BOOKMARK, BOOKMARK_PREFIX, NOTE_AUTHOR, PROPERTY_PREFIX
from workflows.word.reader import (
    Accept,
    Change,
    WordComment,
    WordDocument,
    WordItem,
    WordParagraph,
    WordTable,
    accept_all,
    accept_author,
    accept_none,
    kept,
    read_docx,
    to_blocks,
    version,
)

FUZZY_TITLE = 0.85
_BOOKMARK = re.compile(rf"^{BOOKMARK_PREFIX}(\d+)_r(\d+)$")
_NUMBERING = re.compile(
    r"^\s*(?:(?:article|chapitre|partie|titre|section|annexe)\s+)?"
    r"(?:[0-9]+(?:[.\-][0-9]+)*|[ivxlcdm]+|[a-z])\s*[.):\-–—]?\s+",
    re.I,
)

# How a heading was matched to a section ("" when it was not).
MatchedBy = Literal["signet", "titre", "titre approché", ""]


@dataclass(frozen=True)
class Target:
    """A section of the convention the document is imported into."""

    id: int
    title: str
    body: str  # the text of ``revision``
    revision: int


@dataclass
class SectionPlan:
    heading: str
    section_id: int | None
    matched_by: MatchedBy
    base_revision: int  # the revision the proposals start from
    base: str  # its text
    original: str  # every mark rejected
    accepted: str  # every mark accepted
    by_author: dict[str, str] = field(default_factory=dict)  # author → proposed text
    unmarked: str | None = None  # text changed without marks, when it differs from the base
    comments: list[WordComment] = field(default_factory=list)
    changed: bool = False  # the accepted text differs from the base


@dataclass
class ImportPlan:
    sections: list[SectionPlan]
    unmatched_headings: list[str]
    missing_sections: list[str]  # sections of the convention the document lacks
    authors: list[str]  # of revision marks and comments
    comments_outside: list[WordComment]
    warnings: list[str]
    exported_from: int | None  # the convention a Cosigne export came from

    @property
    def matched(self) -> list[SectionPlan]:
        return [s for s in self.sections if s.section_id is not None]


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _NUMBERING.sub("", text)
    text = text.replace("œ", "oe").replace("’", "'")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def plan_import(document: WordDocument, targets: list[Target]) -> ImportPlan:
    """Match the document's sections to ``targets`` and work out what each brings."""
    exported = _exported(document.identifier)
    if exported is not None:  # the export's own notes ("not shown as marks...") stay out
        document.comments = [c for c in document.comments if c.author != NOTE_AUTHOR]
    level = _section_level(document, targets)
    parts, preface = _split(document, level)
    by_id = {t.id: t for t in targets}
    by_title = {normalise_title(t.title): t for t in targets}
    used: set[int] = set()
    sections: list[SectionPlan] = []
    unmatched: list[str] = []
    for part in parts:
        if any(name.startswith(ANNEX_BOOKMARK) for name in part.bookmarks):
            continue
        target, how, exported_revision = _match(part.heading, part.bookmarks, by_id, by_title, used)
        comments = [c for c in document.comments if part.start <= c.paragraph < part.end]
        if target is None:
            unmatched.append(part.heading)
            sections.append(_plan_section(part.heading, None, "", part.items, comments, None, None))
            continue
        used.add(target.id)
        sections.append(
            _plan_section(
                part.heading, target, how, part.items, comments, exported_revision, exported
            )
        )
    for section in sections:
        _check_limits(section)
    first = parts[0].start if parts else len(document.items)
    outside = [c for c in document.comments if c.paragraph < first]
    outside += [c for s in sections if s.section_id is None for c in s.comments]
    warnings = _warnings(document, preface, foreign=exported is None)
    warnings += _marked_headings(document, level)
    missing = [t.title for t in targets if t.id not in used]
    authors = sorted(set(document.authors()) | {c.author for c in document.comments}, key=str.lower)
    return ImportPlan(
        sections=sections,
        unmatched_headings=unmatched,
        missing_sections=missing,
        authors=authors,
        comments_outside=outside,
        warnings=warnings,
        exported_from=_convention(exported),
    )


@dataclass
class Reading:
    """What the child process that reads an upload sends back (``read_and_plan``):
    plain values only."""

    plan: ImportPlan
    title: str  # the document's own (its properties)
    exported_from: int | None  # the convention a Cosigne export came from
    revisions: dict[int, int]  # section id → the revision an export was made from


def read_and_plan(
    filename: str, data: bytes, targets: list[Target], limits: ContentLimits
) -> Reading:
    """Check, read and plan an uploaded .docx against ``targets``: what a web worker
    hands to a child process (``workflows.sandbox``). ``filename`` has passed
    ``check_upload``. A file refused or unreadable raises ``FileRefused`` naming it."""
    name = display_name(filename or "document.docx")
    check_docx_archive(name, data)
    try:
        document = read_docx(data, limits, name)
    except (FileRefused, MemoryError):  # the memory limit of the child process, not damage
        raise
    except Exception:  # python-docx or lxml on a malformed part, whatever it raises
        raise FileRefused(
            f"Le fichier « {name} » est endommagé ou illisible comme document Word."
        ) from None
    source = exported_from(document)
    revisions = exported_revisions(document)  # before planning, which drops the notes
    return Reading(plan_import(document, targets), document.title, source, revisions)


def exported_revisions(document: WordDocument) -> dict[int, int]:
    """Section id → revision number, from the bookmarks a Cosigne export puts on its
    section headings."""
    found: dict[int, int] = {}
    for item in document.items:
        if isinstance(item, WordParagraph):
            for name in item.bookmarks:
                match = _BOOKMARK.match(name)
                if match:
                    found.setdefault(int(match.group(1)), int(match.group(2)))
    return found


def exported_from(document: WordDocument) -> int | None:
    """The convention a Cosigne export came from, when the document says so."""
    return _convention(_exported(document.identifier))


def _exported(identifier: str) -> dict[str, object] | None:
    if not identifier.startswith(PROPERTY_PREFIX):
        return None
    try:
        data = json.loads(identifier[len(PROPERTY_PREFIX) :])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _convention(exported: dict[str, object] | None) -> int | None:
    value = exported.get("convention") if exported else None
    return value if isinstance(value, int) else None


def _section_level(document: WordDocument, targets: list[Target]) -> int:
    """Heading 1 cuts the document into sections, or Heading 2 when no Heading 1 is a
    section's title and some Heading 2 is (a document with a Heading 1 title)."""
    titles = {normalise_title(t.title) for t in targets}
    headings = [
        (p.heading, normalise_title(_received(p) or _text(p)))
        for p in document.items
        if isinstance(p, WordParagraph) and p.heading and not p.title
    ]
    levels = {level for level, _title in headings}
    ones = sum(1 for level, _title in headings if level == 1)
    twos = sum(1 for level, _title in headings if level == 2)
    if 1 in levels and (not titles or any(t in titles for lvl, t in headings if lvl == 1)):
        return 1
    if 2 in levels and (any(t in titles for lvl, t in headings if lvl == 2) or 1 not in levels):
        return 2
    if ones == 1 and twos >= 2:  # the document's own title in Heading 1, sections below
        return 2
    return 1 if 1 in levels else min(levels, default=1)


def _text(paragraph: WordParagraph, accept: Accept = accept_all) -> str:
    """A heading as it reads with its marks accepted (or as ``accept`` chooses)."""
    return "".join(s.run.text for s in paragraph.segments if kept(s.change, accept)).strip()


def _received(paragraph: WordParagraph) -> str:
    """A heading as the partner received it: a heading inserted with marks is none."""
    if paragraph.mark is not None and paragraph.mark.added:
        return ""
    return _text(paragraph, accept_none)


def _is_cut(item: object, level: int) -> TypeGuard[WordParagraph]:
    return (
        isinstance(item, WordParagraph)
        and 0 < item.heading <= level
        and not item.title
        and bool(_received(item))
    )


@dataclass
class _Part:
    """A section of the document: its heading as received, the heading's bookmarks, and
    the items under it, which are ``WordDocument.items[start + 1 : end]``."""

    heading: str
    bookmarks: list[str]
    items: list[WordItem]
    start: int  # index of the heading in ``WordDocument.items``
    end: int


def _split(document: WordDocument, level: int) -> tuple[list[_Part], list[WordItem]]:
    """The document's sections, cut at the section headings of the document as it was
    received (a heading a partner inserted or deleted with marks moves no text from one
    section to another); the items before the first section heading (title page,
    contents)."""
    parts: list[_Part] = []
    preface: list[WordItem] = []
    current: _Part | None = None
    for index, item in enumerate(document.items):
        if _is_cut(item, level):
            if current is not None:
                current.end = index
            if item.heading < level:  # a title above the sections (the document's own)
                current = None
                continue
            current = _Part(_received(item), list(item.bookmarks), [], index, len(document.items))
            parts.append(current)
            continue
        (current.items if current is not None else preface).append(item)
    return parts, preface


def _marked_headings(document: WordDocument, level: int) -> list[str]:
    """Section headings inserted, deleted or renamed with revision marks: said, since
    sections are added, removed and renamed in Cosigne, not by an import."""
    notes = []
    for item in document.items:
        if not (isinstance(item, WordParagraph) and 0 < item.heading <= level) or item.title:
            continue
        received, accepted = _received(item), _text(item)
        if received == accepted:
            continue
        if not received:
            notes.append(
                f"Titre « {accepted} » ajouté avec marques de révision : ce n'est pas une section, son texte reste dans la section qui le précède."
            )
        elif not accepted:
            notes.append(
                f"Titre « {received} » supprimé avec marques de révision : la section reste ; supprimez-la dans Cosigne s'il le faut."
            )
        else:
            notes.append(
                f"Titre « {received} » renommé « {accepted} » avec marques de révision : renommez la section dans Cosigne s'il le faut."
            )
    return notes


def _match(
    heading: str,
    bookmarks: list[str],
    by_id: dict[int, Target],
    by_title: dict[str, Target],
    used: set[int],
) -> tuple[Target | None, MatchedBy, int | None]:
    """The section a heading stands for, how it was found, and the revision named by the
    bookmark it was found by (None when found by its title)."""
    for name in bookmarks:
        found = _BOOKMARK.match(name)
        if found and int(found.group(1)) in by_id and int(found.group(1)) not in used:
            return by_id[int(found.group(1))], "signet", int(found.group(2))
    key = normalise_title(heading)
    target = by_title.get(key)
    if target is not None and target.id not in used:
        return target, "titre", None
    candidates = [
        (difflib.SequenceMatcher(None, key, title).ratio(), title)
        for title in by_title
        if by_title[title].id not in used
    ]
    candidates.sort(reverse=True)
    if (
        candidates
        and candidates[0][0] >= FUZZY_TITLE
        and (len(candidates) == 1 or candidates[1][0] < candidates[0][0])
    ):
        return by_title[candidates[0][1]], "titre approché", None
    return None, "", None


def _markdown(items: list[WordItem], accept: Accept) -> str:
    return to_markdown(to_blocks(version(items, accept)))


def _plan_section(
    heading: str,
    target: Target | None,
    how: MatchedBy,
    items: list[WordItem],
    comments: list[WordComment],
    exported_revision: int | None,
    exported: dict[str, object] | None,
) -> SectionPlan:
    original = _markdown(items, accept_none)
    accepted = _markdown(items, accept_all)
    base_body = target.body if target is not None else ""
    base_revision = target.revision if target is not None else 0
    plan = SectionPlan(
        heading=heading,
        section_id=target.id if target is not None else None,
        matched_by=how,
        base_revision=base_revision,
        base=base_body,
        original=restore(base_body, original),
        accepted=restore(base_body, accepted),
        comments=comments,
    )
    authors = sorted({c.author for item in _paragraphs(items) for c in _changes(item)})
    for author in authors:
        text = restore(base_body, _markdown(items, accept_author(author)))
        if text != plan.original:
            plan.by_author[author] = text
    if canonical(plan.original) != canonical(base_body):
        plan.unmarked = plan.original
    plan.changed = canonical(plan.accepted) != canonical(base_body)
    return plan


def _check_limits(plan: SectionPlan) -> None:
    """Refuse the document, naming the section, when a text it would write there is past
    the limits every section's text keeps (``workflows.limits``): the import writes
    revisions and contributions of these texts, which must not hold more than a save."""
    what = f"La section « {plan.heading} » du document"
    for text in (plan.accepted, plan.unmarked or "", *plan.by_author.values()):
        check_body(text, what)


def _paragraphs(items: list[WordItem]) -> Iterator[WordParagraph]:
    for item in items:
        if isinstance(item, WordParagraph):
            yield item
        elif isinstance(item, WordTable):
            for row in item.rows:
                if row.change is not None:
                    yield WordParagraph(segments=[], mark=row.change)
                for cell in row.cells:
                    yield from cell


def _changes(paragraph: WordParagraph) -> Iterator[Change]:
    for segment in paragraph.segments:
        if segment.change is not None:
            yield segment.change
    if paragraph.mark is not None:
        yield paragraph.mark


def restore(source: str, imported: str) -> str:
    """``imported`` (Markdown rebuilt from Word) with every paragraph that reads as one
    of ``source``'s written as ``source`` wrote it."""
    if not source.strip():
        return imported
    chunks = split_paragraphs(source)
    canon = [split_paragraphs(canonical(chunk)) for chunk in chunks]
    flat: list[tuple[int, str]] = [(i, p) for i, pieces in enumerate(canon) for p in pieces]
    new = split_paragraphs(imported)
    matcher = difflib.SequenceMatcher(None, [p for _i, p in flat], new, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.extend(new[j1:j2])
            continue
        j = j1
        i = i1
        while i < i2:
            chunk = flat[i][0]
            size = len(canon[chunk])
            whole = (
                i + size <= i2
                and (i == 0 or flat[i - 1][0] != chunk)
                and all(flat[i + k][0] == chunk for k in range(size))
            )
            if whole:
                out.append(chunks[chunk].strip("\n"))
                i += size
                j += size
            else:
                out.append(new[j])
                i += 1
                j += 1
    return "\n\n".join(out)


def _warnings(document: WordDocument, preface: list[WordItem], foreign: bool) -> list[str]:
    """What the import leaves out (``foreign``: not a Cosigne export, whose title page
    before the sections is ours)."""
    notes = []
    if document.hidden_runs:
        notes.append(
            f"{document.hidden_runs} passage(s) de texte masqué ignoré(s) (texte masqué de Word)."
        )
    if document.format_changes:
        notes.append(
            f"{document.format_changes} changement(s) de mise en forme suivi(s) ignoré(s) : "
            "seuls les changements du texte sont importés."
        )
    places = {"en-tête": "les en-têtes", "pied de page": "les pieds de page", "note": "les notes"}
    for place, count in document.elsewhere.items():
        if place == "zone de texte":
            notes.append(f"{count} zone(s) de texte : leur contenu n'est pas importé.")
        elif place == "image":
            notes.append(f"{count} image(s) : non importée(s), le texte seul l'est.")
        elif place == "appel de note":
            notes.append(f"{count} note(s) de bas de page ou de fin : non importée(s).")
        else:
            notes.append(
                f"{count} marque(s) de révision dans {places.get(place, place)} : "
                "signalées, non importées."
            )
    kept = [i for i in preface if isinstance(i, WordParagraph) and not i.title]
    if (
        foreign
        and any(_text(i) for i in kept)
        and any(i.heading for i in document.items if isinstance(i, WordParagraph))
    ):
        notes.append("Le texte placé avant le premier titre de section n'est pas importé.")
    if not any(isinstance(i, WordParagraph) and i.heading for i in document.items):
        notes.append(
            "Le document n'a aucun titre (styles Titre 1 ou Titre 2) : rien ne permet de "
            "le découper en sections."
        )
    return notes
