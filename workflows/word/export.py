"""A convention as a Word document (.docx), from plain values.

The document: a title page (kind, organisme, signatory and associated parties, period,
state, date of export), a table of contents (a field Word and LibreOffice fill in), each
section in order (its title in Heading 1, its Markdown in Word's styles), the indicator
target tables, a signature block per signatory, and the register of the association as
an annex. The footer gives the page number and the day of the export (the readers'
time); each section's heading carries a bookmark ``cosigne_s<id>_r<n>``, and the core
properties the convention's number, so that an import finds the sections and the
revisions again whatever happened to the titles.

With ``tracked``, each open contribution is shown as Word revision marks on the current
text (insertions and deletions by the contributor, dated), ready to be accepted or
rejected in Word or LibreOffice, and ``w:trackRevisions`` is on. A contribution whose
changes touch a paragraph another one already changes cannot be shown that way (Word
has no revisions of revisions): it is listed in a comment instead. With ``comments``,
the section's discussions become Word comments on the passage they quote.
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from functools import lru_cache
from zoneinfo import ZoneInfo

import docx
from docx.comments import Comment
from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run as WordRun

from workflows.text.blocks import Block, Item, Run, block_text, merge_runs, parse_markdown, plain
from workflows.text.diff import ParagraphDiff, diff_paragraph, split_paragraphs, word_diff
from workflows.word.writer import (
    Mark,
    Writer,
    _w_date,
    add_bookmark,
    add_field,
    page_break,
    track_revisions,
)

BOOKMARK_PREFIX = "cosigne_s"
PROPERTY_PREFIX = "cosigne:"  # in the core properties' "identifier"
ANNEX_BOOKMARK = "cosigne_annexe"  # on the headings of the annexes: not sections
NOTE_AUTHOR = "Cosigne"  # the author of the export's own notes (left out on import)

# What a block reads (its visible text) and the paragraphs written for it: where a
# discussion's quoted passage is looked for, to anchor its comment.
_Written = tuple[str, list[Paragraph]]


@dataclass(frozen=True)
class Proposal:
    """An open contribution, its proposed text already carried onto the current text
    (None when it no longer merges: then it is only mentioned)."""

    contribution_id: int
    author: str
    created_at: datetime
    text: str | None
    rationale: str = ""


@dataclass(frozen=True)
class Discussion:
    author: str
    created_at: datetime
    text: str
    quote: str = ""  # the passage it is about ("" when about the whole section)
    replies: tuple[tuple[str, datetime, str], ...] = ()  # (author, date, text)
    resolved: bool = False


@dataclass(frozen=True)
class SectionDoc:
    id: int
    title: str
    body: str
    revision: int  # 0 when the section has no text yet
    proposals: tuple[Proposal, ...] = ()
    discussions: tuple[Discussion, ...] = ()


@dataclass(frozen=True)
class TargetTable:
    code: str
    title: str
    unit: str
    years: tuple[int, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (scope, shown value per year)


@dataclass(frozen=True)
class SignatureBlock:
    """One party's signature block: who it is and, once recorded, who signed for it and
    when (``recorded_at``: where the users are, as the interface shows it)."""

    party: str
    quality: str  # "Organisme" | "Signataire"
    signer: str = ""  # name and title of who signed; "" until recorded
    signed_on: date | None = None
    recorded_by: str = ""
    recorded_at: datetime | None = None
    # The State's block of a CUS: the préfet de département's proposal it signs on
    # ("Sur proposition du préfet de département du 12/01/2027"), once recorded.
    proposal: str = ""
    # The party's deliberation that counts, once recorded ("Vu la délibération du
    # 12/03/2027 (conseil communautaire).").
    deliberation: str = ""


@dataclass(frozen=True)
class ConventionDoc:
    id: int
    kind: str  # shown: "Convention d'utilité sociale"
    title: str
    organisme: str
    period: str
    state: str
    exported_at: datetime  # aware, UTC
    signatories: tuple[str, ...] = ()
    associated: tuple[str, ...] = ()
    sections: tuple[SectionDoc, ...] = ()
    targets: tuple[TargetTable, ...] = ()
    meetings: tuple[tuple[date, str, str], ...] = ()  # (date, title, place)
    documents_sent: tuple[tuple[date, str, str], ...] = ()  # (date, title, to whom)
    timezone: str = "Europe/Paris"  # the readers' time, as the interface shows it
    letters: tuple[tuple[date, str, str], ...] = ()  # (received on, sender, subject)
    # Reserves, disagreements and open discussions: (what, party, section, text, the
    # organisme's note carrying it into the transmitted file or "").
    open_points: tuple[tuple[str, str, str, str, str], ...] = ()
    # The organisme's decision opening the drafting, as lines ("Conseil d'administration,
    # décision du ...", its terms, each notice), and the proofs attached to the register.
    decision: tuple[str, ...] = ()
    # Each adoption of the projet by the organisme ("… — Conseil d'administration,
    # adoption du projet ; empreinte …"), then the day the association ended.
    adoption: tuple[str, ...] = ()
    proofs: tuple[str, ...] = ()  # "Procès-verbal — pv.pdf (la réunion « ... »)"
    signed_sha256: str | None = None  # the fingerprint of the signed text, once signed
    # Every party's block, the organisme first; () gives blank blocks for the organisme
    # and each signatory.
    signature_blocks: tuple[SignatureBlock, ...] = ()
    notes: list[str] = field(default_factory=list)


def export_docx(convention: ConventionDoc, tracked: bool = False, comments: bool = False) -> bytes:
    document = docx.Document()
    writer = Writer(document)
    _properties(document, convention)
    _title_page(document, convention)
    _contents(document, [section.title for section in convention.sections])
    with writer.long_body():
        for section in convention.sections:
            _section(document, writer, section, tracked, comments)
    if convention.targets:
        _targets(document, convention.targets)
    _signatures(document, convention)
    _register(document, convention)
    _footer(document, convention)
    if tracked:
        track_revisions(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- the parts ---------------------------------------------------------------------------


def _properties(document: Document, convention: ConventionDoc) -> None:
    core = document.core_properties
    core.title = convention.title
    core.subject = convention.kind
    core.author = convention.organisme
    # The revision of each section is in its heading's bookmark: the property (255
    # characters at most) only says which convention the document came from.
    core.identifier = PROPERTY_PREFIX + json.dumps(
        {"convention": convention.id}, separators=(",", ":")
    )
    core.created = convention.exported_at.replace(tzinfo=None)


def _local(convention: ConventionDoc) -> datetime:
    """The export's moment in the readers' time (stored and stamped in UTC)."""
    return convention.exported_at.astimezone(ZoneInfo(convention.timezone))


def _title_page(document: Document, convention: ConventionDoc) -> None:
    kind = document.add_paragraph(convention.kind.upper())
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(convention.title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [
        ("Organisme", convention.organisme),
        ("Signataires", ", ".join(convention.signatories) or "—"),
        ("Partenaires associés", ", ".join(convention.associated) or "—"),
        ("Période", convention.period),
        ("État", convention.state),
        ("Exporté le", _local(convention).strftime("%d/%m/%Y à %H:%M")),
    ]
    if convention.signed_sha256:
        lines.append(("Empreinte SHA-256 du texte signé", convention.signed_sha256))
    for label, value in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(value)
    page_break(document.add_paragraph())


def _contents(document: Document, titles: list[str]) -> None:
    document.add_paragraph("Sommaire", style="TOC Heading")
    # The field's result is the sections' titles, so that a reader that does not update
    # fields (LibreOffice converting to PDF) shows a real table of contents; Word
    # recomputes it, with page numbers, on opening.
    add_field(document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', titles)
    page_break(document.add_paragraph())


def _section(
    document: Document, writer: Writer, section: SectionDoc, tracked: bool, comments: bool
) -> None:
    heading = writer.paragraph("Heading 1")  # the style id looked up once, not per section
    heading.add_run(section.title)
    add_bookmark(heading, f"{BOOKMARK_PREFIX}{section.id}_r{section.revision}", writer.next_id())
    current = parse_markdown(section.body)
    written: list[_Written] = []
    shown: list[Proposal] = []
    left_out: list[Proposal] = []
    if tracked and section.proposals:
        shown, left_out = _representable(section.body, section.proposals)
    if shown:
        written = _tracked_blocks(writer, section.body, shown)
    else:
        for block in current:
            written.append((block_text(block), writer.block(block)))
    if tracked:
        for proposal in left_out:
            reason = (
                "elle recoupe une autre contribution"
                if proposal.text is not None
                else "elle ne s'applique plus au texte actuel"
            )
            document.add_comment(
                heading.runs,
                text=(
                    f"Contribution n° {proposal.contribution_id} de {proposal.author} : non "
                    f"montrée en marques de révision ({reason}) ; à examiner dans Cosigne."
                ),
                author=NOTE_AUTHOR,
                initials="C",
            )
    if comments:
        for discussion in section.discussions:
            anchor = _anchor(written, discussion.quote) or heading.runs
            if not anchor:
                anchor = heading.runs
            comment = document.add_comment(
                anchor,
                text=discussion.text,
                author=discussion.author,
                initials=_initials(discussion.author),
            )
            _date(comment, discussion.created_at)
            for author, when, text in discussion.replies:
                comment.add_paragraph(f"{author} ({when:%d/%m/%Y}) : {text}")
            if discussion.resolved:
                comment.add_paragraph("(Discussion close.)")


def _representable(
    body: str, proposals: tuple[Proposal, ...]
) -> tuple[list[Proposal], list[Proposal]]:
    """The proposals that can be shown together as revision marks on ``body`` (each
    touching paragraphs no earlier one touches), and the others."""
    claimed: set[tuple[str, int]] = set()
    shown, left_out = [], []
    for proposal in proposals:
        if proposal.text is None:
            left_out.append(proposal)
            continue
        touched = _touched(body, proposal.text)
        if not touched:
            continue  # the current text already reads as proposed: nothing to mark
        if touched & claimed:
            left_out.append(proposal)
            continue
        claimed |= touched
        shown.append(proposal)
    return shown, left_out


def _touched(body: str, text: str) -> set[tuple[str, int]]:
    """What a proposal changes: ("p", i) for the current paragraph i it changes or
    deletes, ("gap", i) for an insertion before current paragraph i."""
    touched: set[tuple[str, int]] = set()
    position = 0
    for diff in _diff(body, text):
        if diff.old_index is not None:
            position = diff.old_index + 1
            if diff.op != "equal":
                touched.add(("p", diff.old_index))
        elif diff.op == "insert":
            touched.add(("gap", position))
    return touched


def _tracked_blocks(writer: Writer, body: str, proposals: list[Proposal]) -> list[_Written]:
    """The current text with every shown proposal's changes as revision marks."""
    old_paragraphs = split_paragraphs(body)
    # For each current paragraph: the diff that changes it; for each gap: insertions.
    changes: dict[int, tuple[Proposal, ParagraphDiff]] = {}
    inserts: dict[int, list[tuple[Proposal, str]]] = {}
    for proposal in proposals:
        position = 0
        assert proposal.text is not None
        for diff in _diff(body, proposal.text):
            if diff.old_index is not None:
                position = diff.old_index + 1
                if diff.op != "equal":
                    changes[diff.old_index] = (proposal, diff)
            elif diff.op == "insert":
                assert diff.new_index is not None  # an insertion is in the new text
                new_paragraphs = _paragraphs_of(proposal.text)
                inserts.setdefault(position, []).append((proposal, new_paragraphs[diff.new_index]))
    written: list[_Written] = []

    def emit_inserts(gap: int) -> None:
        for proposal, text in inserts.get(gap, []):
            mark = Mark("ins", proposal.author, proposal.created_at)
            for block in parse_markdown(text):
                written.append((block_text(block), writer.block(block, mark)))

    for index, paragraph in enumerate(old_paragraphs):
        emit_inserts(index)
        change = changes.get(index)
        if change is None:
            for block in parse_markdown(paragraph):
                written.append((block_text(block), writer.block(block)))
            continue
        proposal, diff = change
        removal = Mark("del", proposal.author, proposal.created_at)
        addition = Mark("ins", proposal.author, proposal.created_at)
        if diff.op == "delete":
            for block in parse_markdown(paragraph):
                written.append((block_text(block), writer.block(block, removal)))
            continue
        # A changed paragraph is in the new text, and a shown proposal has one.
        assert proposal.text is not None and diff.new_index is not None
        new_text = _paragraphs_of(proposal.text)[diff.new_index]
        old_blocks, new_blocks = parse_markdown(paragraph), parse_markdown(new_text)
        if _inline_change(old_blocks, new_blocks):
            written.append(
                _changed_paragraph(writer, old_blocks[0], new_blocks[0], removal, addition)
            )
        elif _list_change(old_blocks, new_blocks):
            written.append(_changed_list(writer, old_blocks[0], new_blocks[0], removal, addition))
        else:  # a list, a table...: the old block deleted, the new one inserted
            for block in old_blocks:
                written.append((block_text(block), writer.block(block, removal)))
            for block in new_blocks:
                written.append((block_text(block), writer.block(block, addition)))
    emit_inserts(len(old_paragraphs))
    return written


@lru_cache(maxsize=64)
def _diff(body: str, text: str) -> tuple[ParagraphDiff, ...]:
    """The paragraph diff of a proposal (worked out once: choosing which proposals to
    show and showing them both need it, one section after the other)."""
    return tuple(word_diff(body, text))


def _paragraphs_of(text: str) -> list[str]:
    return split_paragraphs(text)


def _inline_change(old: list[Block], new: list[Block]) -> bool:
    return (
        len(old) == len(new) == 1
        and old[0].kind == new[0].kind
        and old[0].kind in ("paragraph", "heading", "quote")
        and old[0].level == new[0].level
    )


def _changed_paragraph(
    writer: Writer, old: Block, new: Block, removal: Mark, addition: Mark
) -> _Written:
    """One paragraph whose words changed: the word diff of what it reads, each piece
    with its own formatting (the old one for deleted words, the new one otherwise)."""
    paragraph = writer.block(Block(new.kind, (), level=new.level))[0]
    _diff_runs(writer, paragraph, old.runs, new.runs, removal, addition)
    return f"{plain(old.runs)}\n{plain(new.runs)}", [paragraph]  # either may be quoted


def _diff_runs(
    writer: Writer,
    paragraph: Paragraph,
    old: tuple[Run, ...],
    new: tuple[Run, ...],
    removal: Mark,
    addition: Mark,
) -> None:
    """The word diff of two runs' texts into ``paragraph``, each piece with its own
    formatting (the old one for deleted words, the new one otherwise)."""
    old_at = new_at = 0
    for span in diff_paragraph(plain(old), plain(new)):
        size = len(span.text)
        if span.op == "delete":
            writer.runs(paragraph, _slice(old, old_at, old_at + size), removal)
            old_at += size
        elif span.op == "insert":
            writer.runs(paragraph, _slice(new, new_at, new_at + size), addition)
            new_at += size
        else:
            before = _slice(old, old_at, old_at + size)
            after = _slice(new, new_at, new_at + size)
            if merge_runs(before) == merge_runs(after):
                writer.runs(paragraph, after, None)
            else:  # the same words, another link or emphasis: shown as a change too
                writer.runs(paragraph, before, removal)
                writer.runs(paragraph, after, addition)
            old_at += size
            new_at += size


def _list_change(old: list[Block], new: list[Block]) -> bool:
    return len(old) == len(new) == 1 and old[0].kind == new[0].kind == "list"


def _changed_list(
    writer: Writer, old: Block, new: Block, removal: Mark, addition: Mark
) -> _Written:
    """A list whose items changed, item by item: kept items unmarked, reworded ones with
    their word diff, removed and added ones as whole deleted and inserted items."""
    numbering = writer.new_list(new.start)
    made: list[Paragraph] = []

    def whole(entry: Item, mark: Mark | None) -> None:
        paragraph = writer.list_paragraph(entry, numbering, mark)
        writer.runs(paragraph, entry.runs, mark)
        made.append(paragraph)

    old_texts = [plain(i.runs) for i in old.items]
    new_texts = [plain(i.runs) for i in new.items]
    matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for entry in new.items[j1:j2]:
                whole(entry, None)
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            before, after = old.items[i1 + k], new.items[j1 + k]
            paragraph = writer.list_paragraph(after, numbering)
            _diff_runs(writer, paragraph, before.runs, after.runs, removal, addition)
            made.append(paragraph)
        for entry in old.items[i1 + pairs : i2]:
            whole(entry, removal)
        for entry in new.items[j1 + pairs : j2]:
            whole(entry, addition)
    return f"{block_text(old)}\n{block_text(new)}", made


def _slice(runs: tuple[Run, ...], start: int, end: int) -> list[Run]:
    """The runs covering characters ``start`` to ``end`` of their joined text."""
    pieces: list[Run] = []
    offset = 0
    for run in runs:
        run_end = offset + len(run.text)
        low, high = max(start, offset), min(end, run_end)
        if low < high:
            pieces.append(
                Run(
                    run.text[low - offset : high - offset],
                    run.bold,
                    run.italic,
                    run.strike,
                    run.code,
                    run.link,
                )
            )
        offset = run_end
    return pieces


def _anchor(written: list[_Written], quote: str) -> list[WordRun]:
    """The runs of the quoted passage (split out of their runs when the paragraph is
    plain text), else of the first written paragraph holding it."""
    needle = " ".join(quote.split())
    if not needle:
        return []
    for text, paragraphs in written:
        if needle not in " ".join(text.split()):
            continue
        for paragraph in paragraphs:
            exact = _isolate(paragraph, quote.strip())
            if exact:
                return exact
        runs = [run for paragraph in paragraphs for run in paragraph.runs]
        if runs:
            return runs
    return []


def _isolate(paragraph: Paragraph, quote: str) -> list[WordRun]:
    """The runs of exactly ``quote`` in a paragraph of plain runs (each one ``w:t``),
    splitting the runs at its two ends; [] when the paragraph is not that simple."""
    runs = paragraph.runs
    texts = [text for run in runs if (text := _simple_text(run)) is not None]
    if not runs or len(texts) != len(runs):
        return []
    text = "".join(texts)
    if len(text) != len(paragraph.text) or quote not in text:
        return []
    start = text.index(quote)
    end = start + len(quote)
    _split_at(paragraph, end)
    _split_at(paragraph, start)
    chosen, offset = [], 0
    for run in paragraph.runs:
        size = len(run.text)
        if start <= offset and offset + size <= end and size:
            chosen.append(run)
        offset += size
    return chosen


def _simple_text(run: WordRun) -> str | None:
    children = [child for child in run._r if child.tag != qn("w:rPr")]
    if len(children) == 1 and children[0].tag == qn("w:t"):
        return children[0].text or ""
    return None


def _split_at(paragraph: Paragraph, offset: int) -> None:
    """Cut the run that holds character ``offset`` in two there (a run of one ``w:t``,
    as ``_isolate`` made sure)."""
    position = 0
    for run in paragraph.runs:
        text = run.text
        if position < offset < position + len(text):
            cut = offset - position
            twin = copy.deepcopy(run._r)
            run._r.addnext(twin)
            for element, piece in ((run._r, text[:cut]), (twin, text[cut:])):
                text_element = element.find(qn("w:t"))
                assert text_element is not None  # _isolate only splits runs of one w:t
                text_element.text = piece
                text_element.set(qn("xml:space"), "preserve")
            return
        position += len(text)


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[:1].isalpha())[:3].upper()


def _date(comment: Comment, moment: datetime) -> None:
    comment._comment_elm.set(qn("w:date"), _w_date(moment))


_ANNEXES = ("Tableau des engagements chiffrés", "Signatures", "Annexe — Registre de l'association")


def _annex_heading(document: Document, title: str) -> None:
    """An annex's heading, bookmarked so that an import knows it is no section (names
    unique, as Word and LibreOffice want them: a copy would be renamed)."""
    heading = document.add_paragraph(title, style="Heading 1")
    number = _ANNEXES.index(title) + 1
    add_bookmark(heading, f"{ANNEX_BOOKMARK}_{number}", 1_000_000 + number)  # above the marks


def _targets(document: Document, targets: tuple[TargetTable, ...]) -> None:
    _annex_heading(document, "Tableau des engagements chiffrés")
    for target in targets:
        document.add_paragraph(f"{target.code} — {target.title} ({target.unit})", style="Heading 2")
        table = document.add_table(rows=1 + len(target.rows), cols=1 + len(target.years))
        table.style = "Table Grid"
        header = table.rows[0].cells
        header[0].text = "Périmètre"
        for column, year in enumerate(target.years, start=1):
            header[column].text = str(year)
        for cell in header:
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row_index, (scope, values) in enumerate(target.rows, start=1):
            cells = table.rows[row_index].cells
            cells[0].text = scope
            for column, value in enumerate(values, start=1):
                cells[column].text = value


def _signatures(document: Document, convention: ConventionDoc) -> None:
    """A block per party, the organisme first: blank to be signed on paper, or filled
    with who signed, for whom and when once the signature is recorded."""
    _annex_heading(document, "Signatures")
    blocks = convention.signature_blocks or (
        SignatureBlock(convention.organisme, "Organisme"),
        *(SignatureBlock(name, "Signataire") for name in convention.signatories),
    )
    table = document.add_table(rows=len(blocks), cols=2)
    table.style = "Table Grid"
    for row, block in zip(table.rows, blocks, strict=True):
        party, signature = row.cells
        proposed = "".join(f"\n{line}" for line in (block.deliberation, block.proposal) if line)
        if block.signed_on is None:
            party.text = (
                f"Pour {block.party}{proposed}\nNom, qualité :\n\nFait à                      , le"
            )
            signature.text = "Signature :\n\n\n"
            continue
        party.text = (
            f"Pour {block.party} ({block.quality.lower()}){proposed}\n"
            f"Nom, qualité : {block.signer or '—'}\n"
            f"Signé le {block.signed_on:%d/%m/%Y}"
        )
        recorded = f"Signature enregistrée dans Cosigne par {block.recorded_by}"
        if block.recorded_at is not None:
            recorded += f" le {block.recorded_at:%d/%m/%Y à %H:%M}"
        signature.text = (
            f"Signé le {block.signed_on:%d/%m/%Y} par {block.signer or '—'}\n{recorded}."
        )


def _register(document: Document, convention: ConventionDoc) -> None:
    _annex_heading(document, "Annexe — Registre de l'association")
    _dated_list(
        document,
        "Décision d'engagement de l'élaboration",
        list(convention.decision),
        "Décision d'engagement non enregistrée.",
    )
    _dated_list(
        document,
        "Fin de l'association : adoption du projet",
        list(convention.adoption),
        "Adoption du projet par l'organisme non enregistrée : l'association n'a pas pris fin.",
    )
    _dated_list(
        document,
        "Réunions",
        [
            f"{when:%d/%m/%Y} — {title}" + (f" ({place})" if place else "")
            for when, title, place in convention.meetings
        ],
        "Aucune réunion enregistrée.",
    )
    _dated_list(
        document,
        "Documents transmis",
        [
            f"{when:%d/%m/%Y} — {title}" + (f" — à {recipients}" if recipients else "")
            for when, title, recipients in convention.documents_sent
        ],
        "Aucun document transmis enregistré.",
    )
    _dated_list(
        document,
        "Courriers et avis reçus",
        [f"{when:%d/%m/%Y} — {sender} : {subject}" for when, sender, subject in convention.letters],
        "Aucun courrier reçu enregistré.",
    )
    # A disagreement does not stop the transmission: it goes with the project, listed,
    # with what the organisme says of it.
    _dated_list(
        document,
        "Réserves, désaccords et discussions restés ouverts",
        [
            f"{what} — {party}, « {section} » : {text}"
            + (f" — Note de l'organisme : {note}" if note else " — non reporté(e)")
            for what, party, section, text, note in convention.open_points
        ],
        "Aucun point resté ouvert.",
    )
    _dated_list(
        document,
        "Pièces justificatives",
        list(convention.proofs),
        "Aucune pièce justificative jointe.",
    )


def _dated_list(document: Document, heading: str, lines: list[str], empty: str) -> None:
    document.add_paragraph(heading, style="Heading 2")
    for line in lines:
        document.add_paragraph(line, style="List Bullet")
    if not lines:
        document.add_paragraph(empty)


def _footer(document: Document, convention: ConventionDoc) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" sur ")
    add_field(footer, "NUMPAGES", "1")
    # The revision each section was exported from is in its heading's bookmark, for the
    # import: a row of figures at the foot of each page meant nothing to a reader.
    line = section.footer.add_paragraph(
        f"{convention.title} — exportée de Cosigne le {_local(convention):%d/%m/%Y}"
    )
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for paragraph in (footer, line):
        for run in paragraph.runs:
            run.font.size = Pt(8)
