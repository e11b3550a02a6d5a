"""Writing blocks into a python-docx document, with native revision marks.

python-docx writes paragraphs, runs, tables and comments, but knows nothing of revision
marks: insertions (``w:ins``), deletions (``w:del`` around runs whose text is
``w:delText``), and inserted or deleted paragraph marks (``w:ins``/``w:del`` in the
paragraph's ``w:rPr``), which make Word and LibreOffice offer whole paragraphs for
acceptance. Those, hyperlinks, bookmarks and fields (table of contents, page numbers)
are built here from its oxml layer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Literal, TypedDict

from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from workflows.text.blocks import Block, Item, Run

MONOSPACE = "Courier New"
LINK_COLOUR = RGBColor(0x1F, 0x4E, 0xA8)
MAX_LIST_STYLE_LEVEL = 3  # "List Bullet 3" is the deepest style of the default template


@dataclass(frozen=True)
class Mark:
    """A revision mark: who inserted or deleted, and when."""

    kind: Literal["ins", "del"]
    author: str
    date: datetime | None = None


class ListNumbering(TypedDict):
    """The numbering state of one list, as ``Writer.new_list`` starts it and
    ``Writer.list_paragraph`` carries it on from item to item."""

    start: int  # the list's first number
    nums: dict[int, tuple[int, int] | None]  # level → (numId, level), None: the style's own
    level: int  # the level of the previous item, -1 before the first


# Children the body keeps while Writer.long_body writes (see there).
SPILL_AT = 64
_SECT_PR = qn("w:sectPr")


class Writer:
    """Blocks into a document; hands out unique annotation ids."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._ids = count(10_000)  # above python-docx's comment ids
        self._style_ids: dict[str, str] = {}
        self._held: etree._Element | None = None

    @contextmanager
    def long_body(self) -> Iterator[None]:
        """Write a long body in time linear in its length.

        python-docx puts each new paragraph or table before the body's closing
        ``w:sectPr``, which it looks for among all the body's children: a 400-section
        export spent most of its time there (quadratic). Inside this block, whatever the
        body holds past ``SPILL_AT`` children is moved aside, in order, each time a block
        is written, and put back in front of the rest at the end: the body stays short,
        the document's order is unchanged, and the moved elements are the same objects
        (a comment or a bookmark placed on them later still lands on them)."""
        # Made by python-docx's parser, so that the elements moved into it keep their
        # python-docx classes (a comment anchored on a run there needs them).
        self._held = OxmlElement("w:body")
        try:
            yield
        finally:
            held, self._held = self._held, None
            body = self.document.element.body
            first = body[0] if len(body) else None
            for child in list(held):
                if first is None:
                    body.append(child)
                else:
                    first.addprevious(child)

    def _spill(self) -> None:
        if self._held is None:
            return
        body = self.document.element.body
        if len(body) <= SPILL_AT:
            return
        for child in list(body):
            if child.tag != _SECT_PR:
                self._held.append(child)  # lxml moves the element: no copy

    def paragraph(self, style: str | None = None) -> Paragraph:
        """A new paragraph of the body in the named style. python-docx looks a style up
        by name among all the template's styles at every paragraph (a third of an
        export's time): the ids are looked up once."""
        self._spill()
        paragraph = self.document.add_paragraph()
        if style is not None:
            style_id = self._style_ids.get(style)
            if style_id is None:
                style_id = self._style_ids[style] = self.document.styles[style].style_id
            paragraph._p.style = style_id
        return paragraph

    # --- blocks -------------------------------------------------------------------------

    def block(
        self, block: Block, mark: Mark | None = None, heading_shift: int = 1
    ) -> list[Paragraph]:
        """Write one block; returns the python-docx paragraphs it made (for comments)."""
        if block.kind == "heading":
            level = max(1, min(block.level + heading_shift, 9))
            paragraph = self.paragraph(f"Heading {level}")
            self.runs(paragraph, block.runs, mark)
            return [self._mark_paragraph(paragraph, mark)]
        if block.kind in ("paragraph", "quote"):
            paragraph = self.paragraph("Quote" if block.kind == "quote" else None)
            self.runs(paragraph, block.runs, mark)
            return [self._mark_paragraph(paragraph, mark)]
        if block.kind == "code":
            paragraph = self.paragraph()
            self.runs(paragraph, (Run(block.text, code=True),), mark)
            return [self._mark_paragraph(paragraph, mark)]
        if block.kind == "rule":
            paragraph = self.paragraph()
            _bottom_border(paragraph)
            return [self._mark_paragraph(paragraph, mark)]
        if block.kind == "list":
            return self._list(block, mark)
        if block.kind == "table":
            return self._table(block, mark)
        return []

    def _list(self, block: Block, mark: Mark | None) -> list[Paragraph]:
        made = []
        numbering = self.new_list(block.start)
        for item in block.items:
            paragraph = self.list_paragraph(item, numbering)
            self.runs(paragraph, item.runs, mark)
            made.append(self._mark_paragraph(paragraph, mark))
        return made

    def new_list(self, start: int = 1) -> ListNumbering:
        """The numbering state of one list: each numbered list, nested ones included,
        starts again (a style's numbering would go on from the document's previous list
        of that style)."""
        return {"start": start, "nums": {}, "level": -1}

    def list_paragraph(
        self, item: Item, numbering: ListNumbering, mark: Mark | None = None
    ) -> Paragraph:
        """An empty paragraph of a list, styled and numbered, its mark set."""
        depth = min(item.level, MAX_LIST_STYLE_LEVEL - 1)
        base = "List Number" if item.ordered else "List Bullet"
        style = base if depth == 0 else f"{base} {depth + 1}"
        paragraph = self.paragraph(style)
        nums = numbering["nums"]
        for deeper in [level for level in nums if level > item.level]:
            del nums[deeper]  # that nested list is over: the next one starts again
        if item.ordered:
            entering = numbering["level"] < item.level
            if item.level not in nums or entering:
                first = numbering["start"] if item.level == 0 else 1
                nums[item.level] = self._restart_numbering(paragraph, first, style)
            elif (num := nums[item.level]) is not None:
                _set_num(paragraph, *num)
        numbering["level"] = item.level
        if item.level >= MAX_LIST_STYLE_LEVEL:
            _indent_level(paragraph, item.level)
        return self._mark_paragraph(paragraph, mark)

    def _table(self, block: Block, mark: Mark | None) -> list[Paragraph]:
        width = max((len(row) for row in block.rows), default=0)
        if not width:
            return []
        self._spill()
        table = self.document.add_table(rows=len(block.rows), cols=width)
        table.style = "Table Grid"
        made = []
        # The cells are read from each row's own XML: python-docx's table.cell(r, c) and
        # row.cells list every cell of the table at each call (a 3,000-cell table took
        # nearly three minutes). The table was just made, with no merged cell.
        for r, (row, row_element) in enumerate(zip(block.rows, table._tbl.tr_lst, strict=True)):
            if mark is not None:
                props = row_element.get_or_add_trPr()
                props.append(self._mark_element(mark))
            cells = [_Cell(tc, table) for tc in row_element.tc_lst]
            for c in range(width):
                runs = row[c] if c < len(row) else ()
                paragraph = cells[c].paragraphs[0]
                if r == 0:  # the header row, in bold as the page shows it
                    runs = tuple(
                        Run(x.text, True, x.italic, x.strike, x.code, x.link) for x in runs
                    )
                self.runs(paragraph, runs, mark)
                made.append(self._mark_paragraph(paragraph, mark))
        return made

    # --- runs ---------------------------------------------------------------------------

    def runs(
        self, paragraph: Paragraph, runs: tuple[Run, ...] | list[Run], mark: Mark | None
    ) -> None:
        """Runs appended to the paragraph; with a mark, inside ``w:ins``/``w:del`` (a link
        holds its own mark: the schema puts the hyperlink outside, the mark inside)."""
        deleted = mark is not None and mark.kind == "del"
        wrapper: etree._Element | None = None
        for run in runs:
            container: etree._Element = paragraph._p
            if run.link:
                relation = paragraph.part.relate_to(run.link, RT.HYPERLINK, is_external=True)
                link = OxmlElement("w:hyperlink")
                link.set(qn("r:id"), relation)
                container.append(link)
                container = link
                if mark is not None:
                    inner = self._mark_element(mark)
                    link.append(inner)
                    container = inner
                wrapper = None
            elif mark is not None:
                if wrapper is None:
                    wrapper = self._mark_element(mark)
                    paragraph._p.append(wrapper)
                container = wrapper
            container.append(_run_element(run, deleted))

    # --- revision marks -----------------------------------------------------------------

    def _mark_element(self, mark: Mark) -> etree._Element:
        element = OxmlElement(f"w:{mark.kind}")
        element.set(qn("w:id"), str(next(self._ids)))
        element.set(qn("w:author"), mark.author or "Cosigne")
        if mark.date is not None:
            element.set(qn("w:date"), _w_date(mark.date))
        return element

    def _mark_paragraph(self, paragraph: Paragraph, mark: Mark | None) -> Paragraph:
        """The paragraph mark itself inserted or deleted with the text, so that accepting
        a deletion removes the paragraph and rejecting an insertion too."""
        if mark is not None:
            props = paragraph._p.get_or_add_pPr()
            run_props = props.find(qn("w:rPr"))
            if run_props is None:
                run_props = OxmlElement("w:rPr")
                props.append(run_props)
            run_props.append(self._mark_element(mark))
        return paragraph

    def next_id(self) -> int:
        return next(self._ids)

    # --- numbering ----------------------------------------------------------------------

    def _restart_numbering(
        self, paragraph: Paragraph, start: int, style: str
    ) -> tuple[int, int] | None:
        """A new numbering instance of the style's list, starting at ``start``: returns
        (numId, level) for the list's next paragraphs."""
        numbering = self.document.part.numbering_part.numbering_definitions._numbering
        found = _style_numbering(self.document, style)
        if found is None:
            return None
        style_num, level = found
        abstract = None
        for num in numbering.findall(qn("w:num")):
            if num.get(qn("w:numId")) == str(style_num):
                abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        if abstract is None:
            return None
        new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(new_id))
        abstract_ref = OxmlElement("w:abstractNumId")
        abstract_ref.set(qn("w:val"), abstract)
        num.append(abstract_ref)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), str(level))
        start_override = OxmlElement("w:startOverride")
        start_override.set(qn("w:val"), str(max(start, 0)))
        override.append(start_override)
        num.append(override)
        numbering.append(num)
        _set_num(paragraph, new_id, level)
        return new_id, level


def _style_numbering(document: Document, style_name: str) -> tuple[int, int] | None:
    """(numId, level) a list style numbers its paragraphs with."""
    try:
        style = document.styles[style_name]
    except KeyError:
        return None
    num_pr = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
    if num_pr is None:
        return None
    num = num_pr.find(qn("w:numId"))
    level = num_pr.find(qn("w:ilvl"))
    if num is None:
        return None
    return int(num.get(qn("w:val"))), int(level.get(qn("w:val"))) if level is not None else 0


def _set_num(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    props = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), str(level))
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    num_pr.append(ilvl)
    num_pr.append(num)
    _insert_in_order(props, num_pr, after=("w:pStyle", "w:keepNext", "w:keepLines"))


def _insert_in_order(
    props: etree._Element, element: etree._Element, after: tuple[str, ...]
) -> None:
    """Put ``element`` right after the last of ``after`` present (schema order)."""
    position = 0
    for index, child in enumerate(props):
        if child.tag in {qn(name) for name in after}:
            position = index + 1
    props.insert(position, element)


def _indent_level(paragraph: Paragraph, level: int) -> None:
    paragraph.paragraph_format.left_indent = Pt(18 * (level + 1))


def _run_element(run: Run, deleted: bool = False) -> etree._Element:
    element = OxmlElement("w:r")
    props = _run_properties(run)
    if props is not None:
        element.append(props)
    for index, piece in enumerate(run.text.split("\n")):
        if index:
            element.append(OxmlElement("w:br"))
        for part_index, part in enumerate(piece.split("\t")):
            if part_index:
                element.append(OxmlElement("w:tab"))
            if part:
                text = OxmlElement("w:delText" if deleted else "w:t")
                text.text = part
                text.set(qn("xml:space"), "preserve")
                element.append(text)
    return element


def _run_properties(run: Run) -> etree._Element | None:
    props = OxmlElement("w:rPr")
    if run.code:
        fonts = OxmlElement("w:rFonts")
        for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attribute), MONOSPACE)
        props.append(fonts)
    for flag, tag in ((run.bold, "w:b"), (run.italic, "w:i"), (run.strike, "w:strike")):
        if flag:
            props.append(OxmlElement(tag))
    if run.link:
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(LINK_COLOUR))
        props.append(colour)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(underline)
    return props if len(props) else None


def _bottom_border(paragraph: Paragraph) -> None:
    props = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    props.append(borders)


def _w_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- fields and bookmarks ----------------------------------------------------------------


def add_field(
    paragraph: Paragraph, instruction: str, placeholder: str | Sequence[str] = ""
) -> None:
    """A field (TOC, PAGE, NUMPAGES) that Word and LibreOffice compute on opening;
    ``placeholder`` is what shows until then (several lines: one line each)."""
    begin = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "begin")
    char.set(qn("w:dirty"), "true")
    begin.append(char)
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    separate = OxmlElement("w:r")
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    separate.append(sep)
    shown = OxmlElement("w:r")
    lines = [placeholder] if isinstance(placeholder, str) else list(placeholder)
    for number, line in enumerate(lines):
        if number:
            shown.append(OxmlElement("w:br"))
        text = OxmlElement("w:t")
        text.set(qn("xml:space"), "preserve")
        text.text = line
        shown.append(text)
    end = OxmlElement("w:r")
    end_char = OxmlElement("w:fldChar")
    end_char.set(qn("w:fldCharType"), "end")
    end.append(end_char)
    for element in (begin, instr_run, separate, shown, end):
        paragraph._p.append(element)


def add_bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    """A bookmark around the paragraph's content: how the import finds a section again
    even when its title was edited."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    properties = paragraph._p.find(qn("w:pPr"))
    paragraph._p.insert(1 if properties is not None else 0, start)
    paragraph._p.append(end)


def page_break(paragraph: Paragraph) -> None:
    paragraph.add_run().add_break(WD_BREAK.PAGE)


def track_revisions(document: Document) -> None:
    """``w:trackRevisions`` on: what the organisme changes in Word is marked too."""
    settings = document.settings.element
    if settings.find(qn("w:trackRevisions")) is None:
        element = OxmlElement("w:trackRevisions")
        # Schema order: trackRevisions comes early in w:settings; after the view and
        # zoom settings Word itself writes first.
        _insert_in_order(
            settings,
            element,
            after=(
                "w:writeProtection",
                "w:view",
                "w:zoom",
                "w:removePersonalInformation",
                "w:removeDateAndTime",
                "w:doNotDisplayPageBoundaries",
                "w:displayBackgroundShape",
                "w:printPostScriptOverText",
                "w:printFractionalCharacterWidth",
                "w:printFormsData",
                "w:embedTrueTypeFonts",
                "w:embedSystemFonts",
                "w:saveSubsetFonts",
                "w:saveFormsData",
                "w:mirrorMargins",
                "w:alignBordersAndEdges",
                "w:bordersDoNotSurroundHeader",
                "w:bordersDoNotSurroundFooter",
                "w:gutterAtTop",
                "w:hideSpellingErrors",
                "w:hideGrammaticalErrors",
                "w:activeWritingStyle",
                "w:proofState",
                "w:formsDesign",
                "w:attachedTemplate",
                "w:linkStyles",
                "w:stylePaneFormatFilter",
                "w:stylePaneSortMethod",
                "w:documentType",
                "w:mailMerge",
                "w:revisionView",
            ),
        )
