"""Extract the text of an uploaded document as blocks (headings and paragraphs).

Formats: .txt, .md, .docx (python-docx), .pdf (pypdf). Every file is checked before a
parser sees it (``workflows.files``: empty, too large, unknown extension, macros, a .docx
that is not a sound ZIP archive, XML with a DOCTYPE), and here a PDF without its header
or encrypted. A refused file raises FileRefused with a French message naming it, shown as
is to the user.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, StreamObject

from knowledge.ingest.cleaning import clean_blocks, clean_text
from knowledge.ingest.tables import pipe_table
from knowledge.types import Block, BlockKind
from workflows.files import (
    ContentLimits,
    ContentTooLarge,
    FileRefused,
    W,
    check_docx_archive,
    check_docx_content,
    check_upload,
    display_name,
    french_count,
    is_hidden,
    megabytes,
    paragraph_level,
    style_levels,
    too_many_characters,
    too_many_paragraphs,
)

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".docx", ".pdf")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_LIMITS = ContentLimits()


def checksum(data: bytes) -> str:
    """SHA-256 of the file's bytes, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def extract(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    clean: bool = True,
    limits: ContentLimits = DEFAULT_LIMITS,
) -> list[Block]:
    """Blocks of the document, in reading order.

    With clean=True (the default) the blocks are already cleaned (see knowledge.ingest.cleaning):
    page markers removed, broken lines and cut words rejoined, headings recognised.
    Raises FileRefused when the file is refused or holds no text, ContentTooLarge (a
    FileRefused) when it holds more than ``limits`` (the reader stops there).
    """
    data = bytes(data)  # bytearray or memoryview from an upload
    name = check_upload(filename, data, SUPPORTED_EXTENSIONS, max_bytes)
    extension = PurePath(name).suffix.lower()
    if extension == ".txt":
        text = _bounded(name, decode_text(name, data), limits)
        blocks = clean_text(text) if clean else _plain_blocks(text)
    elif extension == ".md":
        blocks = _markdown_blocks(_bounded(name, decode_text(name, data), limits))
        blocks = clean_blocks(blocks) if clean else blocks
    elif extension == ".docx":
        check_docx_archive(name, data)
        check_docx_content(name, data, limits)
        blocks = _docx_blocks(name, data)
        blocks = clean_blocks(blocks) if clean else blocks
    else:
        blocks = _pdf_blocks(name, data, limits)
        blocks = clean_blocks(blocks) if clean else blocks
    blocks = [b for b in blocks if b.text.strip()]
    if not blocks:
        raise FileRefused(f"Le fichier « {name} » ne contient aucun texte exploitable.")
    if len(blocks) > limits.paragraphs:
        raise too_many_paragraphs(name, limits)
    return blocks


def _bounded(name: str, text: str, limits: ContentLimits) -> str:
    if len(text) > limits.characters:
        raise too_many_characters(name, limits)
    return text


# --- text -----------------------------------------------------------------------------


def decode_text(filename: str, data: bytes) -> str:
    """Text of a .txt or .md file: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    Windows-1252."""
    name = display_name(filename)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(f"Le fichier « {name} » n'est pas un texte UTF-16 valide.") from None
    if b"\x00" in data:
        raise FileRefused(f"Le fichier « {name} » n'est pas un fichier texte (contenu binaire).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            f"L'encodage du fichier « {name} » n'est pas reconnu (UTF-8 ou Windows-1252 attendu)."
        ) from None


def _plain_blocks(text: str) -> list[Block]:
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [Block(p.strip()) for p in paragraphs if p.strip()]


# --- Markdown ---------------------------------------------------------------------------


def _markdown_blocks(text: str) -> list[Block]:
    """Headings ("#" to "######", or underlined) and paragraphs of a Markdown text; list
    items keep a marker, a table becomes one table block (a pipe table), inline markup is
    dropped."""
    parser = MarkdownIt("commonmark").enable("table")
    blocks: list[Block] = []
    heading_level = 0
    lists: list[bool] = []  # True for an ordered list
    item_marker = ""
    table: list[list[str]] | None = None  # the rows of the table being read
    for token in parser.parse(text):
        kind = token.type
        if kind == "table_open":
            table = []
        elif kind == "table_close":
            rendered = pipe_table(table or [])
            if rendered:
                blocks.append(Block(rendered, kind=BlockKind.TABLE))
            table = None
        elif table is not None:
            if kind == "tr_open":
                table.append([])
            elif kind == "inline" and table:  # an empty cell has its (empty) inline too
                table[-1].append(" ".join(_inline_text(token).split()))
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            if lists:
                lists.pop()
        elif kind == "list_item_open":
            ordered = bool(lists and lists[-1])
            item_marker = f"{token.info or '1'}) " if ordered else "- "
        elif kind == "inline":
            content = _inline_text(token).strip()
            if not content:
                continue
            if heading_level:
                blocks.append(Block(" ".join(content.split()), level=heading_level))
            else:
                blocks.append(Block(item_marker + content))
                item_marker = ""
        elif kind in ("fence", "code_block"):
            if token.content.strip():
                blocks.append(Block(token.content.rstrip("\n")))
        elif kind == "html_block":
            stripped = re.sub(r"<[^>]*>", " ", token.content).strip()
            if stripped:
                blocks.append(Block(stripped))
    return blocks


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


# --- Word -------------------------------------------------------------------------------


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Elements whose text is not part of the document as it reads with revisions accepted.
_SKIPPED = frozenset(
    {
        W + "del",
        W + "moveFrom",
        W + "delText",
        W + "instrText",
        W + "delInstrText",
        W + "pPr",
        W + "rPr",
        W + "footnoteReference",
        W + "endnoteReference",
        _MC + "Fallback",
    }
)


def _docx_blocks(name: str, data: bytes) -> list[Block]:
    """Paragraphs of the body in reading order, revisions accepted (insertions kept,
    deletions dropped), hidden text dropped; a table of two rows and two columns or more
    gives one table block (a pipe table), a layout table (one row or one column) the
    paragraphs of its cells."""
    try:
        document = docx.Document(io.BytesIO(data))
        levels = style_levels(document)
        return list(_body_blocks(document.element.body, levels))
    except (FileRefused, MemoryError):  # the memory limit of the child process, not damage
        raise
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        log.info("docx refused: %s: %s", name, error)
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un document Word (.docx) valide."
        ) from None
    except Exception as error:  # lxml, python-docx internals: a malformed document
        log.warning("docx unreadable: %s: %r", name, error)
        raise FileRefused(
            f"Le fichier « {name} » est endommagé ou illisible comme document Word."
        ) from None


def _body_blocks(container: Any, levels: dict[str, int]) -> Iterator[Block]:
    for child in container.iterchildren():
        tag = child.tag
        if tag == W + "p":
            text = _paragraph_text(child).strip()
            if text:
                yield Block(text, level=paragraph_level(child, levels))
        elif tag == W + "tbl":
            yield from _table_blocks(child, levels)
        elif tag in (W + "sdt",):
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _body_blocks(content, levels)
        elif tag in (W + "ins", W + "moveTo", W + "customXml", W + "sdtContent"):
            yield from _body_blocks(child, levels)


def _table_blocks(table: Any, levels: dict[str, int]) -> Iterator[Block]:
    rows: list[list[str]] = []
    cells: list[list[Block]] = []  # each cell's blocks, for a layout table
    above: dict[int, str] = {}  # column -> text of the vertically merged cell above
    for row in table.iterchildren(W + "tr"):
        row_props = row.find(W + "trPr")
        if row_props is not None and row_props.find(W + "del") is not None:
            continue  # a row deleted with revision marks
        values: list[str] = []
        for cell in row.iterchildren(W + "tc"):
            column = len(values)
            merge = cell.find(f"{W}tcPr/{W}vMerge")
            span = cell.find(f"{W}tcPr/{W}gridSpan")
            width = int(span.get(W + "val") or 1) if span is not None else 1
            if merge is not None and merge.get(W + "val") != "restart":
                # The continuation of a vertically merged cell: the row reads its value.
                values.extend([above.get(column, "")] * width)
                continue
            blocks = list(_body_blocks(cell, levels))
            cells.append(blocks)
            text = " ".join(" ".join(b.text.split()) for b in blocks)
            for offset in range(width):
                above[column + offset] = text
            values.extend([text] + [""] * (width - 1))
        rows.append(values)
    filled = [r for r in rows if any(v.strip() for v in r)]
    columns = max((sum(1 for v in r if v.strip()) for r in filled), default=0)
    if len(filled) >= 2 and columns >= 2:
        rendered = pipe_table(filled)
        if rendered:
            yield Block(rendered, kind=BlockKind.TABLE)
        return
    for blocks in cells:  # a layout table: its cells' text as paragraphs
        for block in blocks:
            yield Block(block.text, level=0, kind=block.kind)


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    _collect_text(paragraph, parts)
    return "".join(parts)


def _collect_text(element: Any, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == W + "r" and is_hidden(child):
            continue
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            parts.append("\t")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag == W + "softHyphen":
            continue
        elif tag == W + "p":  # a paragraph of a text box inside this one
            parts.append("\n")
            _collect_text(child, parts)
        else:
            _collect_text(child, parts)


# --- PDF --------------------------------------------------------------------------------


def _pdf_blocks(name: str, data: bytes, limits: ContentLimits) -> list[Block]:
    """One block per page (its text as extracted, page number set), running headers and
    footers repeated on most pages removed. Refused past ``limits``: pages, decompressed
    page content (no stream decompresses beyond it either: pypdf's own limit), characters
    extracted."""
    cap = limits.pdf_content_bytes
    with apply_configuration(
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        array_based_stream_maximum_output_length=cap,
    ):
        try:
            return _pdf_pages(name, data, limits)
        except LimitReachedError as error:
            log.info("pdf over pypdf's limits: %s: %s", name, error)
            raise _too_much_content(name, limits) from None


def _too_much_content(name: str, limits: ContentLimits) -> ContentTooLarge:
    return ContentTooLarge(
        f"Le fichier « {name} » est refusé : le contenu de ses pages dépasse "
        f"{megabytes(limits.pdf_content_bytes)} une fois décompressé (limite de lecture des "
        "PDF) ; rien n'a été enregistré."
    )


def _content_bytes(page: Any) -> int:
    """The decompressed size of a page's content streams (pypdf keeps each decoded
    stream: one shared by many pages is decompressed once, counted on each)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    resolved = contents.get_object()
    streams = resolved if isinstance(resolved, ArrayObject) else [resolved]
    total = 0
    for stream in streams:
        stream = stream.get_object() if stream is not None else None
        if isinstance(stream, StreamObject):
            total += len(stream.get_data())
    return total


def _pdf_pages(name: str, data: bytes, limits: ContentLimits) -> list[Block]:
    if not data[:1024].lstrip().startswith(b"%PDF"):
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un PDF valide (l'en-tête %PDF est absent)."
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.info("pdf unreadable: %s: %r", name, error)
        raise FileRefused(f"Le fichier « {name} » est un PDF endommagé ou illisible.") from None
    if encrypted:
        raise FileRefused(
            f"Le fichier « {name} » est un PDF chiffré ou protégé par un mot de passe : "
            "retirez la protection avant de l'importer."
        )
    try:
        count = len(reader.pages)
    except MemoryError:
        raise
    except Exception as error:  # a broken page tree
        log.info("pdf pages unreadable: %s: %r", name, error)
        raise FileRefused(f"Le fichier « {name} » est un PDF endommagé ou illisible.") from None
    if count > limits.pdf_pages:
        raise ContentTooLarge(
            f"Le fichier « {name} » est refusé : il compte trop de pages ({french_count(count)}, "
            f"au plus {french_count(limits.pdf_pages)}, limite de lecture des PDF) ; rien n'a été "
            "enregistré."
        )
    pages: list[tuple[int, str]] = []
    content = characters = 0
    for index in range(count):
        try:
            page = reader.pages[index]
            content += _content_bytes(page)
            if content > limits.pdf_content_bytes:
                raise _too_much_content(name, limits)
            text = page.extract_text() or ""
        except (ContentTooLarge, LimitReachedError, MemoryError):
            raise  # a limit reached, no broken page: the whole file is refused
        except Exception as error:  # one broken page must not lose the others
            log.warning("pdf page %d unreadable in %s: %r", index + 1, name, error)
            continue
        characters += len(text)
        if characters > limits.characters:
            raise too_many_characters(name, limits)
        pages.append((index + 1, text))
    return [Block(text, page=number) for number, text in _strip_running_lines(pages)]


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _strip_running_lines(pages: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Remove the lines that open or close most pages the same way (running titles,
    page numbers): among the first and last two lines of each page."""
    if len(pages) < 3:
        return pages
    edges: list[list[tuple[int, str]]] = []
    counts: Counter[str] = Counter()
    for _, text in pages:
        lines = text.splitlines()
        filled = [i for i, line in enumerate(lines) if line.strip()]
        positions = filled[:2] + filled[-2:]
        keys = {_running_key(lines[i]) for i in positions}
        counts.update(keys)
        edges.append([(i, _running_key(lines[i])) for i in positions])
    threshold = max(3, (len(pages) + 1) // 2)
    running = {key for key, n in counts.items() if n >= threshold and key}
    result: list[tuple[int, str]] = []
    for (number, text), edge in zip(pages, edges, strict=True):
        drop = {i for i, key in edge if key in running}
        lines = [line for i, line in enumerate(text.splitlines()) if i not in drop]
        result.append((number, "\n".join(lines)))
    return result
