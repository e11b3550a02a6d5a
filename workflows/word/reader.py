"""Reading a .docx with its revision marks and comments.

python-docx's ``Paragraph.text`` drops inserted and deleted text alike, so this module
walks the body's XML itself. Every piece of text keeps the revision it belongs to:
``w:ins`` and ``w:moveTo`` (text added), ``w:del`` and ``w:moveFrom`` (text removed, in
``w:delText``), and the revisions of paragraph marks (``w:ins``/``w:del`` in a
paragraph's ``w:rPr``: whole paragraphs inserted or deleted, or two joined) and of table
rows (``w:trPr``). From that, ``version`` rebuilds the document as it reads with any
choice of revisions accepted: none (the text the partner received), all, or one
author's only.

Documents from the field are not what an exporter writes, and this reader is tested on
real ones (Word 2016, LibreOffice): moves without range markers, authors without dates
and "Unknown Author", hidden text (``w:vanish``: left out, counted), formatting changes
(``w:rPrChange``, ``w:pPrChange``: left out, counted), fields (their result is text,
their instructions are not), content controls and smart tags (read through), and
revisions in headers and footers, which are reported and not imported.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal, TypeAlias

import docx
from docx.document import Document
from lxml import etree

from workflows.files import (
    ContentLimits,
    W,
    check_docx_content,
    is_hidden,
    paragraph_level,
    style_levels,
)
from workflows.text.blocks import Block, Item, Run, merge_runs, plain

R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
_ADDED = ("ins", "moveTo")
_REMOVED = ("del", "moveFrom")
_TITLE_STYLES = {"title", "titre", "toc heading", "en-tête de table des matières", "subtitle"}
_MONOSPACE = re.compile(r"courier|consolas|mono|menlo|lucida console", re.I)


@dataclass(frozen=True)
class Change:
    kind: str  # "ins" | "del" | "moveTo" | "moveFrom"
    author: str
    date: str | None = None
    # The mark this one sits in: Sign deleting words of Asso's insertion writes a w:del
    # inside Asso's w:ins; the words are in a version only if both say so.
    within: Change | None = None

    @property
    def added(self) -> bool:
        return self.kind in _ADDED

    def chain(self) -> Iterator[Change]:
        change: Change | None = self
        while change is not None:
            yield change
            change = change.within


@dataclass(frozen=True)
class Segment:
    run: Run
    change: Change | None = None


ListKind = Literal["bullet", "number"]


@dataclass
class WordParagraph:
    segments: list[Segment]
    heading: int = 0  # Word heading level, 0 for body text
    list_kind: ListKind | None = None
    list_level: int = 0
    list_id: str | None = None  # Word's numbering instance (numId)
    list_definition: str | None = None  # the list definition it is an instance of
    list_restart: bool = False  # the instance starts its numbering again
    list_start: int = 1
    quote: bool = False
    rule: bool = False
    mark: Change | None = None  # the paragraph mark inserted or deleted
    bookmarks: list[str] = field(default_factory=list)
    style: str = ""  # the paragraph style's name

    @property
    def title(self) -> bool:
        """The document's title or the heading of its table of contents: no section."""
        return self.style.strip().lower() in _TITLE_STYLES

    @property
    def code(self) -> bool:
        runs = [s.run for s in self.segments if s.run.text.strip()]
        return bool(runs) and all(run.code for run in runs)


@dataclass
class WordRow:
    cells: list[list[WordParagraph]]
    change: Change | None = None


@dataclass
class WordTable:
    rows: list[WordRow]


# What the body of a document is made of, in order.
WordItem: TypeAlias = WordParagraph | WordTable


@dataclass(frozen=True)
class WordComment:
    id: str
    author: str
    date: str | None
    text: str
    quote: str  # the passage it is anchored on, as it reads with every change accepted
    paragraph: int  # index in ``WordDocument.items`` of where the passage starts
    reply_to: str | None = None  # the comment it answers (Word 2013 and later)
    done: bool = False  # marked as resolved in Word


@dataclass
class WordDocument:
    items: list[WordItem]
    comments: list[WordComment]
    title: str = ""
    identifier: str = ""
    hidden_runs: int = 0
    format_changes: int = 0
    elsewhere: Counter[str] = field(default_factory=Counter)  # "en-tête" → revisions

    def changes(self) -> list[Change]:
        found: list[Change] = []
        for paragraph in self.paragraphs():
            for segment in paragraph.segments:
                if segment.change is not None:
                    found.extend(segment.change.chain())
            if paragraph.mark is not None:
                found.append(paragraph.mark)
        for item in self.items:
            if isinstance(item, WordTable):
                found.extend(row.change for row in item.rows if row.change is not None)
        return found

    def authors(self) -> list[str]:
        return sorted({change.author for change in self.changes()})

    def paragraphs(self) -> Iterator[WordParagraph]:
        for item in self.items:
            if isinstance(item, WordParagraph):
                yield item
            else:
                for row in item.rows:
                    for cell in row.cells:
                        yield from cell


def read_docx(
    data: bytes,
    limits: ContentLimits = ContentLimits(),  # noqa: B008 - frozen, never changed
    name: str = "document.docx",
) -> WordDocument:
    """The document's body, comments and properties. ``data`` must have passed
    ``workflows.files.check_docx_archive`` (size, zip bomb, macros, DOCTYPE). A document
    with more paragraphs or characters than ``limits`` is refused (``ContentTooLarge``
    naming the limit and the file ``name``) before its tree is built."""
    check_docx_content(name, data, limits)
    document = docx.Document(io.BytesIO(data))
    reader = _Reader(document)
    items = list(reader.items(document.element.body))
    comments = reader.comments(items)
    elsewhere: Counter[str] = Counter()
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        label = (
            "en-tête"
            if "/header" in name
            else "pied de page"
            if "/footer" in name
            else "note"
            if "/footnotes" in name or "/endnotes" in name
            else None
        )
        if label is not None:
            elsewhere[label] += _count_marks(part.blob)
    boxes = document.element.body.findall(f".//{W}txbxContent")
    if boxes:
        elsewhere["zone de texte"] += len(boxes)
    pictures = len(document.element.body.findall(f".//{W}drawing")) + len(
        document.element.body.findall(f".//{W}pict")
    )
    if pictures:
        elsewhere["image"] += pictures
    notes = len(document.element.body.findall(f".//{W}footnoteReference")) + len(
        document.element.body.findall(f".//{W}endnoteReference")
    )
    if notes:
        elsewhere["appel de note"] += notes
    core = document.core_properties
    return WordDocument(
        items=items,
        comments=comments,
        title=core.title or "",
        identifier=core.identifier or "",
        hidden_runs=reader.hidden,
        format_changes=reader.format_changes,
        elsewhere=+elsewhere,
    )


@dataclass
class _CommentRange:
    """Where a comment's range starts, the text read inside it so far, and whether the
    range is still open (its end not reached yet)."""

    start: int  # index in ``WordDocument.items``
    text: str = ""
    open: bool = True


class _Reader:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.levels = style_levels(document)
        self.names = {
            style.style_id: (style.name or "") for style in document.styles if style.style_id
        }
        self.links = {
            rid: rel.target_ref for rid, rel in document.part.rels.items() if rel.is_external
        }
        self.bullets, self.starts, self.definitions, self.restarts = _numbering(document)
        self.hidden = 0
        self.format_changes = 0
        self.ranges: dict[str, _CommentRange] = {}  # by comment id
        self.index = 0

    # --- body ---------------------------------------------------------------------------

    def items(self, container: etree._Element) -> Iterator[WordItem]:
        for child in container.iterchildren():
            tag = child.tag
            if tag == W + "p":
                yield self.paragraph(child)
                self.index += 1
            elif tag == W + "tbl":
                at = self.index  # the paragraphs of its cells are no items of the body
                table = self.table(child)
                self.index = at + 1
                yield table
            elif tag in (W + "sdt",):
                content = child.find(W + "sdtContent")
                if content is not None:
                    yield from self.items(content)
            elif tag in (W + "customXml", W + "ins", W + "moveTo", W + "del", W + "moveFrom"):
                yield from self.items(child)

    def table(self, element: etree._Element) -> WordTable:
        rows = []
        for row in element.iterchildren(W + "tr"):
            change = None
            props = row.find(W + "trPr")
            if props is not None:
                for kind in ("ins", "del"):
                    mark = props.find(W + kind)
                    if mark is not None:
                        change = _change(kind, mark)
            cells = []
            for cell in row.iterchildren(W + "tc"):
                cells.append([item for item in self.items(cell) if isinstance(item, WordParagraph)])
            rows.append(WordRow(cells, change))
        return WordTable(rows)

    def paragraph(self, element: etree._Element) -> WordParagraph:
        for state in self.ranges.values():  # a comment running on: words stay apart
            if state.open and state.text and not state.text.endswith(" "):
                state.text += " "
        paragraph = WordParagraph(segments=[])
        props = element.find(W + "pPr")
        style_name = ""
        if props is not None:
            style = props.find(W + "pStyle")
            style_id = style.get(W + "val") if style is not None else None
            style_name = self.names.get(style_id or "", style_id or "")
            mark_props = props.find(W + "rPr")
            if mark_props is not None:
                for kind in ("ins", "del"):
                    mark = mark_props.find(W + kind)
                    if mark is not None:
                        paragraph.mark = _change(kind, mark)
            if props.find(W + "pPrChange") is not None:
                self.format_changes += 1
            paragraph.rule = props.find(f"{W}pBdr/{W}bottom") is not None and not _has_text(element)
        paragraph.style = style_name
        paragraph.heading = paragraph_level(element, self.levels)
        lowered = style_name.lower()  # Quote (Word), Quotations (LibreOffice), Citation (fr)
        paragraph.quote = "quot" in lowered or "citation" in lowered
        paragraph.list_kind, paragraph.list_level, paragraph.list_id = self.list_of(
            props, style_name
        )
        if paragraph.heading:  # an outline-numbered heading is a heading, not a list item
            paragraph.list_kind, paragraph.list_id = None, None
        if paragraph.list_id is not None:
            paragraph.list_start = self.starts.get(paragraph.list_id, 1)
            paragraph.list_definition = self.definitions.get(paragraph.list_id)
            paragraph.list_restart = paragraph.list_id in self.restarts
        self.walk(element, paragraph, None, None)
        paragraph.segments = _merge_segments(paragraph.segments)
        return paragraph

    def list_of(
        self, props: etree._Element | None, style_name: str
    ) -> tuple[ListKind | None, int, str | None]:
        """(bullet or number, level, numbering id) of a list paragraph."""
        num_id, depth = None, None
        numbering = props.find(W + "numPr") if props is not None else None
        if numbering is not None:
            num = numbering.find(W + "numId")
            ilvl = numbering.find(W + "ilvl")
            num_id = num.get(W + "val") if num is not None else None
            depth = int(ilvl.get(W + "val") or 0) if ilvl is not None else None
        lowered = style_name.lower()
        match = re.match(r"list (bullet|number)(?: (\d))?$", lowered) or re.match(
            r"liste (à puces|numéros)(?: (\d))?$", lowered
        )
        kind: ListKind
        if match:
            kind = "bullet" if match.group(1) in ("bullet", "à puces") else "number"
            # LibreOffice writes level 0 on "List Bullet 2": the style's digit counts too.
            level = max(depth or 0, int(match.group(2) or 1) - 1)
            return kind, level, num_id
        if num_id in (None, "0"):
            return None, 0, None
        depth = depth or 0
        kind = "bullet" if (num_id, depth) in self.bullets else "number"
        return kind, depth, num_id

    def walk(
        self,
        element: etree._Element,
        paragraph: WordParagraph,
        change: Change | None,
        link: str | None,
    ) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = tag[len(W) :] if tag.startswith(W) else ""
            if name in ("ins", "del", "moveTo", "moveFrom"):
                self.walk(child, paragraph, _change(name, child, within=change), link)
            elif name == "r":
                self.run(child, paragraph, change, link)
            elif name == "hyperlink":
                self.walk(child, paragraph, change, self.links.get(child.get(R_ID) or "", link))
            elif name in ("smartTag", "customXml", "fldSimple", "sdtContent", "sdt", "dir", "bdo"):
                self.walk(child, paragraph, change, link)
            elif name == "bookmarkStart":
                paragraph.bookmarks.append(child.get(W + "name") or "")
            elif name == "commentRangeStart":
                self.ranges[child.get(W + "id") or ""] = _CommentRange(self.index)
            elif name == "commentRangeEnd" and (child.get(W + "id") or "") in self.ranges:
                self.ranges[child.get(W + "id") or ""].open = False
            # pPr, proofErr, permStart, moveFromRangeStart...: nothing to read

    def run(
        self,
        element: etree._Element,
        paragraph: WordParagraph,
        change: Change | None,
        link: str | None,
    ) -> None:
        if is_hidden(element):
            self.hidden += 1
            return
        props = element.find(W + "rPr")
        if props is not None and props.find(W + "rPrChange") is not None:
            self.format_changes += 1
        style = _run_style(props)
        pieces: list[str] = []
        for child in element.iterchildren():
            tag = child.tag
            if tag in (W + "t", W + "delText"):
                pieces.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                pieces.append("\t")
            elif tag in (W + "br", W + "cr"):
                if child.get(W + "type") not in ("page", "column"):
                    pieces.append("\n")
            elif tag == W + "noBreakHyphen":
                pieces.append("-")
        text = "".join(pieces)
        if not text:
            return
        run = Run(text, *style, link=link)
        paragraph.segments.append(Segment(run, change))
        if kept(change, accept_all):
            for state in self.ranges.values():
                if state.open:
                    state.text += text

    # --- comments -----------------------------------------------------------------------

    def comments(self, items: list[WordItem]) -> list[WordComment]:
        try:
            comments = list(self.document.comments)
        except (KeyError, ValueError, AttributeError):  # no comments part, or unreadable
            return []
        threads = _comment_threads(self.document)
        by_paragraph: dict[str, str] = {}  # a comment's last paragraph id → comment id
        for comment in comments:
            paragraphs = comment._comment_elm.findall(W + "p")
            if paragraphs:
                paragraph_id = paragraphs[-1].get(W14 + "paraId")
                if paragraph_id:
                    by_paragraph[paragraph_id] = str(comment.comment_id)
        found: list[WordComment] = []
        for comment in comments:
            comment_id = str(comment.comment_id)
            element = comment._comment_elm
            text = "\n".join(p.text for p in comment.paragraphs if p.text.strip()).strip()
            comment_range = self.ranges.get(comment_id, _CommentRange(0, open=False))
            start, quote = comment_range.start, comment_range.text
            paragraphs = element.findall(W + "p")
            own = paragraphs[-1].get(W14 + "paraId") if paragraphs else None
            parent, done = threads.get(own or "", (None, False))
            found.append(
                WordComment(
                    id=comment_id,
                    author=(comment.author or "").strip() or "Unknown Author",
                    date=element.get(W + "date"),
                    text=text,
                    quote=" ".join(quote.split()),
                    paragraph=start,
                    reply_to=by_paragraph.get(parent or ""),
                    done=done,
                )
            )
        return found


def _comment_threads(document: Document) -> dict[str, tuple[str | None, bool]]:
    """From ``commentsExtended.xml``: a comment's paragraph id → (the paragraph id of
    the comment it answers, whether it is marked done)."""
    found: dict[str, tuple[str | None, bool]] = {}
    for part in document.part.package.iter_parts():
        if not str(part.partname).lower().endswith("/commentsextended.xml"):
            continue
        try:
            root = etree.fromstring(part.blob)  # the archive was checked: no DOCTYPE
        except etree.XMLSyntaxError:
            continue
        for entry in root.iter(W15 + "commentEx"):
            paragraph_id = entry.get(W15 + "paraId")
            if paragraph_id:
                found[paragraph_id] = (
                    entry.get(W15 + "paraIdParent"),
                    entry.get(W15 + "done") in ("1", "true"),
                )
    return found


def _count_marks(blob: bytes) -> int:
    """Revision marks in a part of the package (headers, footers, notes)."""
    try:
        root = etree.fromstring(blob)  # the archive was checked: no DOCTYPE, bounded size
    except etree.XMLSyntaxError:
        return 0
    return sum(len(root.findall(f".//{W}{kind}")) for kind in ("ins", "del", "moveFrom", "moveTo"))


def _change(kind: str, element: etree._Element, within: Change | None = None) -> Change:
    author = (element.get(W + "author") or "").strip() or "Unknown Author"
    return Change(kind, author, element.get(W + "date") or None, within)


def _has_text(element: etree._Element) -> bool:
    return any((t.text or "").strip() for t in element.iter(W + "t"))


def _flag(props: etree._Element, name: str) -> bool:
    element = props.find(W + name)
    if element is None:
        return False
    return (element.get(W + "val") or "true").lower() not in ("0", "false", "off", "none")


def _run_style(props: etree._Element | None) -> tuple[bool, bool, bool, bool]:
    if props is None:
        return False, False, False, False
    fonts = props.find(W + "rFonts")
    font = (
        " ".join(fonts.get(W + key) or "" for key in ("ascii", "hAnsi"))
        if fonts is not None
        else ""
    )
    return (
        _flag(props, "b"),
        _flag(props, "i"),
        _flag(props, "strike"),
        bool(_MONOSPACE.search(font)),
    )


def _numbering(
    document: Document,
) -> tuple[set[tuple[str, int]], dict[str, int], dict[str, str], set[str]]:
    """(numId, level) pairs whose numbering is a bullet; the first number of each numId;
    the list definition of each numId; the numIds that start their numbering again."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return set(), {}, {}, set()
    formats: dict[str, dict[int, tuple[str, int]]] = {}
    for abstract in numbering.findall(W + "abstractNum"):
        levels = {}
        for level in abstract.findall(W + "lvl"):
            fmt = level.find(W + "numFmt")
            start = level.find(W + "start")
            levels[int(level.get(W + "ilvl") or 0)] = (
                fmt.get(W + "val") if fmt is not None else "decimal",
                int(start.get(W + "val") or 1) if start is not None else 1,
            )
        formats[abstract.get(W + "abstractNumId") or ""] = levels
    bullets: set[tuple[str, int]] = set()
    starts: dict[str, int] = {}
    definitions: dict[str, str] = {}
    restarts: set[str] = set()
    for num in numbering.findall(W + "num"):
        num_id = num.get(W + "numId") or ""
        ref = num.find(W + "abstractNumId")
        abstract = ref.get(W + "val") if ref is not None else ""
        levels = formats.get(abstract or "", {})
        for level, (fmt, _start) in levels.items():
            if fmt == "bullet":
                bullets.add((num_id, level))
        starts[num_id] = levels.get(0, ("decimal", 1))[1]
        definitions[num_id] = abstract or num_id
        for override in num.findall(W + "lvlOverride"):
            value = override.find(W + "startOverride")
            if value is not None:
                restarts.add(num_id)
                if override.get(W + "ilvl") == "0":
                    starts[num_id] = int(value.get(W + "val") or 1)
    return bullets, starts, definitions, restarts


def _merge_segments(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if (
            merged
            and merged[-1].change == segment.change
            and merged[-1].run.style == segment.run.style
        ):
            last = merged[-1]
            merged[-1] = Segment(
                replace(last.run, text=last.run.text + segment.run.text), last.change
            )
        else:
            merged.append(segment)
    return merged


# --- versions ----------------------------------------------------------------------------

Accept = Callable[[Change], bool]


def accept_none(change: Change) -> bool:
    return False


def accept_all(change: Change) -> bool:
    return True


def accept_author(author: str) -> Accept:
    return lambda change: change.author == author


def kept(change: Change | None, accept: Accept) -> bool:
    """Whether a piece under ``change`` (and the marks it sits in) is in the version
    ``accept`` chooses: every insertion around it accepted, every deletion rejected."""
    if change is None:
        return True
    return all(accept(mark) if mark.added else not accept(mark) for mark in change.chain())


def version(items: list[WordItem], accept: Accept) -> list[WordItem]:
    """The items as they read with the changes ``accept`` says yes to applied and the
    others undone: text kept or dropped, paragraphs whose mark goes away joined to the
    next one, table rows kept or dropped."""
    out: list[WordItem] = []
    carry: list[Segment] = []  # the text of a paragraph whose mark went away
    for item in items:
        if isinstance(item, WordTable):
            rows = [
                WordRow(
                    [[_paragraph_version(p, accept) for p in cell] for cell in row.cells],
                    None,
                )
                for row in item.rows
                if kept(row.change, accept)
            ]
            if rows:
                out.append(WordTable(rows))
            continue
        paragraph = _paragraph_version(item, accept)
        paragraph.segments = carry + paragraph.segments
        carry = []
        if item.mark is not None and not kept(item.mark, accept):
            carry = paragraph.segments  # no mark: its text runs into the next paragraph
            continue
        out.append(paragraph)
    if carry and any(s.run.text.strip() for s in carry):
        out.append(WordParagraph(segments=carry))
    return out


def _paragraph_version(paragraph: WordParagraph, accept: Accept) -> WordParagraph:
    return replace(
        paragraph,
        segments=[Segment(s.run) for s in paragraph.segments if kept(s.change, accept)],
        mark=None,
        bookmarks=list(paragraph.bookmarks),
    )


# --- to blocks --------------------------------------------------------------------------


def to_blocks(items: list[WordItem], heading_shift: int = 1) -> list[Block]:
    """Blocks of Markdown from a version's items: Word heading n is Markdown level
    n - ``heading_shift``; consecutive list paragraphs make one list."""
    blocks: list[Block] = []
    pending: list[Item] = []
    opened: list[WordParagraph] = []  # the first paragraph of the pending list

    def close_list() -> None:
        if pending:
            blocks.append(Block("list", items=tuple(pending), start=opened[0].list_start))
            pending.clear()
            opened.clear()

    for item in items:
        if isinstance(item, WordTable):
            close_list()
            rows = tuple(
                tuple(
                    _flatten(_cell_runs(cell)) if number == 0 else _cell_runs(cell)
                    for cell in row.cells
                )
                for number, row in enumerate(item.rows)
            )  # the header row is bold by its place, not by its words
            if rows:
                blocks.append(Block("table", rows=rows))
            continue
        runs = merge_runs([s.run for s in item.segments])
        text = plain(runs)
        if item.list_kind and text.strip():
            ordered = item.list_kind == "number"
            if pending and item.list_level == 0 and _another_list(opened, item, ordered):
                close_list()
            if not pending or item.list_level == 0:
                opened.append(item)  # the list's first item, then its latest top item
            pending.append(Item(_trim(runs), level=item.list_level, ordered=ordered))
            continue
        close_list()
        if item.rule:
            blocks.append(Block("rule"))
        elif not text.strip():
            continue
        elif item.heading:
            level = max(1, item.heading - heading_shift)
            blocks.append(Block("heading", _flatten(_trim(runs)), level=min(level, 6)))
        elif item.code:
            blocks.append(Block("code", text=text))
        elif item.quote:
            blocks.append(Block("quote", _trim(runs)))
        else:
            blocks.append(Block("paragraph", _trim(runs)))
    close_list()
    return blocks


def _another_list(opened: list[WordParagraph], item: WordParagraph, ordered: bool) -> bool:
    """Whether a top-level list paragraph starts a new list: another kind, another list
    definition, or a numbering instance of its own that starts again. (LibreOffice
    writes a restarting instance on a list's first item, the definition's own one on
    the next: one list; Cosigne writes one restarting instance per list.)"""
    first, latest = opened[0], opened[-1]
    if (first.list_kind == "number") != ordered:
        return True
    if item.list_definition != latest.list_definition:
        return True
    return item.list_restart and item.list_id != latest.list_id


def _cell_runs(cell: list[WordParagraph]) -> tuple[Run, ...]:
    runs: list[Run] = []
    for paragraph in cell:
        piece = [s.run for s in paragraph.segments]
        if runs and piece:
            runs.append(Run(" "))
        runs.extend(piece)
    return _trim(merge_runs(runs))


def _trim(runs: tuple[Run, ...] | list[Run]) -> tuple[Run, ...]:
    """Runs without the paragraph's leading and trailing white space."""
    runs = list(runs)
    while runs and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0] = replace(runs[0], text=runs[0].text.lstrip())
        runs[-1] = replace(runs[-1], text=runs[-1].text.rstrip())
    return tuple(runs)


def _flatten(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Runs without bold, for headings and header rows, which are bold by their style."""
    return merge_runs([replace(run, bold=False) for run in runs])
