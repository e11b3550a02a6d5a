"""Extract the text of an uploaded document as blocks (headings and paragraphs).

Formats: .txt, .md, .docx (python-docx), .pdf (pypdf). Every file is checked before a
parser sees it: empty, too large, unknown extension, a PDF without its header or
encrypted, a .docx that is not a ZIP archive, a ZIP bomb (too many entries, too large once
decompressed, abnormal compression ratio), Word macros, XML with a DOCTYPE (XXE). A refused
file raises ExtractionError with a French message naming it, shown as is to the user.
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

from knowledge.cleaning import clean_blocks, clean_text
from knowledge.types import Block

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ExtractionError",
    "checksum",
    "decode_text",
    "extract",
]

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".docx", ".pdf")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Limits on a .docx archive, checked before python-docx opens it.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200
# The ratio is only checked above this size: a small part that compresses well is harmless.
ZIP_RATIO_MIN_BYTES = 1024 * 1024
# Parts not scanned for <!DOCTYPE: binary media that no XML parser reads.
_BINARY_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf")

PDF_MAX_PAGES = 3000

_CHUNK = 64 * 1024
_DOCTYPE = b"<!doctype"
_DOCTYPE_UTF16 = ("<!doctype".encode("utf-16-le"), "<!doctype".encode("utf-16-be"))
_MACRO_CONTENT_TYPE = b"macroenabled"


class ExtractionError(ValueError):
    """The file was refused or could not be read; the message is shown to the user."""


def checksum(data: bytes) -> str:
    """SHA-256 of the file's bytes, in hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def _display_name(filename: str) -> str:
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    return name or "sans nom"


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " Mo"


def extract(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    clean: bool = True,
) -> list[Block]:
    """Blocks of the document, in reading order.

    With clean=True (the default) the blocks are already cleaned (see knowledge.cleaning):
    page markers removed, broken lines and cut words rejoined, headings recognised.
    Raises ExtractionError when the file is refused or holds no text.
    """
    name = _display_name(filename)
    data = bytes(data)  # bytearray or memoryview from an upload
    if not data:
        raise ExtractionError(f"Le fichier « {name} » est vide.")
    if len(data) > max_bytes:
        raise ExtractionError(
            f"Le fichier « {name} » est trop volumineux ({_megabytes(len(data))}) : "
            f"la taille maximale est de {_megabytes(max_bytes)}."
        )
    extension = PurePath(name).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise ExtractionError(
            f"Le format du fichier « {name} » n'est pas pris en charge "
            f"(formats acceptés : {', '.join(SUPPORTED_EXTENSIONS)})."
        )
    if extension == ".txt":
        text = decode_text(name, data)
        blocks = clean_text(text) if clean else _plain_blocks(text)
    elif extension == ".md":
        blocks = _markdown_blocks(decode_text(name, data))
        blocks = clean_blocks(blocks) if clean else blocks
    elif extension == ".docx":
        check_docx_archive(name, data)
        blocks = _docx_blocks(name, data)
        blocks = clean_blocks(blocks) if clean else blocks
    else:
        blocks = _pdf_blocks(name, data)
        blocks = clean_blocks(blocks) if clean else blocks
    blocks = [b for b in blocks if b.text.strip()]
    if not blocks:
        raise ExtractionError(f"Le fichier « {name} » ne contient aucun texte exploitable.")
    return blocks


# --- text -----------------------------------------------------------------------------


def decode_text(filename: str, data: bytes) -> str:
    """Text of a .txt or .md file: UTF-8 (with or without BOM), UTF-16 with a BOM, else
    Windows-1252."""
    name = _display_name(filename)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ExtractionError(
                f"Le fichier « {name} » n'est pas un texte UTF-16 valide."
            ) from None
    if b"\x00" in data:
        raise ExtractionError(
            f"Le fichier « {name} » n'est pas un fichier texte (contenu binaire)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ExtractionError(
            f"L'encodage du fichier « {name} » n'est pas reconnu (UTF-8 ou Windows-1252 attendu)."
        ) from None


def _plain_blocks(text: str) -> list[Block]:
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [Block(p.strip()) for p in paragraphs if p.strip()]


# --- Markdown ---------------------------------------------------------------------------


def _markdown_blocks(text: str) -> list[Block]:
    """Headings ("#" to "######", or underlined) and paragraphs of a Markdown text; list
    items keep a marker, table cells become paragraphs, inline markup is dropped."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    blocks: list[Block] = []
    heading_level = 0
    lists: list[bool] = []  # True for an ordered list
    item_marker = ""
    for token in parser.parse(text):
        kind = token.type
        if kind == "heading_open":
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


def _inline_text(token: Any) -> str:
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


def check_docx_archive(name: str, data: bytes) -> None:
    """Refuse a .docx that is not a sound ZIP archive before python-docx reads it."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExtractionError(
            f"Le fichier « {name} » n'est pas un document .docx : c'est un document Word "
            "ancien (.doc) ou chiffré. Enregistrez-le au format .docx sans mot de passe."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ExtractionError(
            f"Le fichier « {name} » n'est pas un document .docx valide (ce n'est pas une "
            "archive ZIP)."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > ZIP_MAX_ENTRIES:
            raise ExtractionError(
                f"Le fichier « {name} » est refusé : son archive contient trop d'éléments "
                f"({len(entries)}, au plus {ZIP_MAX_ENTRIES})."
            )
        declared = sum(entry.file_size for entry in entries)
        if declared > ZIP_MAX_TOTAL_BYTES:
            raise ExtractionError(
                f"Le fichier « {name} » est refusé : une fois décompressé il occuperait "
                f"{_megabytes(declared)}, au-delà de la limite de "
                f"{_megabytes(ZIP_MAX_TOTAL_BYTES)} (archive piégée ?)."
            )
        for entry in entries:
            part = entry.filename
            if part.lower().endswith("vbaproject.bin"):
                raise ExtractionError(
                    f"Le fichier « {name} » contient des macros (« {part} ») : les documents "
                    "avec macros sont refusés."
                )
            if entry.flag_bits & 0x1:
                raise ExtractionError(
                    f"Le fichier « {name} » est refusé : la partie « {part} » est chiffrée."
                )
            if entry.file_size > ZIP_RATIO_MIN_BYTES and entry.file_size > ZIP_MAX_RATIO * max(
                entry.compress_size, 1
            ):
                raise ExtractionError(_ratio_message(name, part))
        total = 0
        for entry in entries:
            if entry.is_dir():
                continue
            total = _read_entry(name, archive, entry, total)


def _ratio_message(name: str, part: str) -> str:
    return (
        f"Le fichier « {name} » est refusé : la partie « {part} » a un taux de compression "
        f"anormal (plus de {ZIP_MAX_RATIO} pour 1, archive piégée ?)."
    )


def _read_entry(name: str, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, total: int) -> int:
    """Decompress one entry with bounded memory, counting the bytes really produced and
    scanning XML for a DOCTYPE (and content types for macros). Returns the new total."""
    part = entry.filename
    scan = not part.lower().endswith(_BINARY_MEDIA)
    is_content_types = part == "[Content_Types].xml"
    produced = 0
    tail = b""
    try:
        with archive.open(entry) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                produced += len(chunk)
                total += len(chunk)
                if total > ZIP_MAX_TOTAL_BYTES:
                    raise ExtractionError(
                        f"Le fichier « {name} » est refusé : une fois décompressé il dépasse "
                        f"{_megabytes(ZIP_MAX_TOTAL_BYTES)} (archive piégée ?)."
                    )
                if produced > ZIP_RATIO_MIN_BYTES and produced > ZIP_MAX_RATIO * max(
                    entry.compress_size, 1
                ):
                    raise ExtractionError(_ratio_message(name, part))
                if scan:
                    window = (tail + chunk).lower()
                    if _DOCTYPE in window or any(m in window for m in _DOCTYPE_UTF16):
                        raise ExtractionError(
                            f"Le fichier « {name} » est refusé : la partie « {part} » contient "
                            "une déclaration <!DOCTYPE> (risque d'entités XML externes)."
                        )
                    if is_content_types and _MACRO_CONTENT_TYPE in window:
                        raise ExtractionError(
                            f"Le fichier « {name} » contient des macros (document Word "
                            "prenant en charge les macros) : il est refusé."
                        )
                    tail = chunk[-32:]
    except ExtractionError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        raise ExtractionError(
            f"Le fichier « {name} » est endommagé : la partie « {part} » ne peut pas être lue."
        ) from None
    return total


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Elements whose text is not part of the document as it reads with revisions accepted.
_SKIPPED = frozenset(
    {
        _W + "del",
        _W + "moveFrom",
        _W + "delText",
        _W + "instrText",
        _W + "delInstrText",
        _W + "pPr",
        _W + "rPr",
        _W + "footnoteReference",
        _W + "endnoteReference",
        _MC + "Fallback",
    }
)
_HEADING_STYLE_RE = re.compile(r"^(?:heading|titre)\s*([1-9])$", re.IGNORECASE)


def _docx_blocks(name: str, data: bytes) -> list[Block]:
    """Paragraphs of the body in reading order, revisions accepted (insertions kept,
    deletions dropped), hidden text dropped; table cells give one paragraph each."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        levels = style_levels(document)
        return list(_body_blocks(document.element.body, levels))
    except ExtractionError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        log.info("docx refused: %s: %s", name, error)
        raise ExtractionError(
            f"Le fichier « {name} » n'est pas un document Word (.docx) valide."
        ) from None
    except Exception as error:  # lxml, python-docx internals: a malformed document
        log.warning("docx unreadable: %s: %r", name, error)
        raise ExtractionError(
            f"Le fichier « {name} » est endommagé ou illisible comme document Word."
        ) from None


def style_levels(document: Any) -> dict[str, int]:
    """Heading level (1-6) of each paragraph style id: "Heading N" / "Titre N", "Title",
    an outline level, or the level of the style it is based on."""
    styles: dict[str, Any] = {}
    for style in document.styles.element.iterchildren(_W + "style"):
        style_id = style.get(_W + "styleId")
        if style_id:
            styles[style_id] = style

    def level_of(style_id: str, depth: int = 0) -> int:
        style = styles.get(style_id)
        if style is None or depth > 10:
            return 0
        name_el = style.find(_W + "name")
        style_name = (name_el.get(_W + "val") if name_el is not None else "") or ""
        for candidate in (style_name, style_id):
            match = _HEADING_STYLE_RE.match(candidate.strip())
            if match:
                return min(int(match.group(1)), 6)
            if candidate.strip().lower() in ("title", "titre"):
                return 1
        outline = style.find(f"{_W}pPr/{_W}outlineLvl")
        if outline is not None:
            value = _int(outline.get(_W + "val"))
            if value is not None and value < 9:
                return min(value + 1, 6)
        based_on = style.find(_W + "basedOn")
        if based_on is not None and based_on.get(_W + "val"):
            return level_of(based_on.get(_W + "val"), depth + 1)
        return 0

    return {style_id: level_of(style_id) for style_id in styles}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _body_blocks(container: Any, levels: dict[str, int]) -> Iterator[Block]:
    for child in container.iterchildren():
        tag = child.tag
        if tag == _W + "p":
            text = _paragraph_text(child).strip()
            if text:
                yield Block(text, level=paragraph_level(child, levels))
        elif tag == _W + "tbl":
            yield from _table_blocks(child, levels)
        elif tag in (_W + "sdt",):
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _body_blocks(content, levels)
        elif tag in (_W + "ins", _W + "moveTo", _W + "customXml", _W + "sdtContent"):
            yield from _body_blocks(child, levels)


def _table_blocks(table: Any, levels: dict[str, int]) -> Iterator[Block]:
    for row in table.iterchildren(_W + "tr"):
        row_props = row.find(_W + "trPr")
        if row_props is not None and row_props.find(_W + "del") is not None:
            continue  # a row deleted with revision marks
        for cell in row.iterchildren(_W + "tc"):
            merge = cell.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(_W + "val") != "restart":
                continue  # continuation of a vertically merged cell: already read
            for block in _body_blocks(cell, levels):
                yield Block(block.text, level=0)


def paragraph_level(paragraph: Any, levels: dict[str, int]) -> int:
    props = paragraph.find(_W + "pPr")
    if props is None:
        return 0
    style = props.find(_W + "pStyle")
    level = levels.get(style.get(_W + "val"), 0) if style is not None else 0
    outline = props.find(_W + "outlineLvl")
    if not level and outline is not None:
        value = _int(outline.get(_W + "val"))
        if value is not None and value < 9:
            level = min(value + 1, 6)
    return level


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    _collect_text(paragraph, parts)
    return "".join(parts)


def is_hidden(run: Any) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(_W + "val", "true").lower() not in (
        "0",
        "false",
        "off",
    )


def _collect_text(element: Any, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == _W + "r" and is_hidden(child):
            continue
        if tag == _W + "t":
            parts.append(child.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            parts.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
        elif tag == _W + "softHyphen":
            continue
        elif tag == _W + "p":  # a paragraph of a text box inside this one
            parts.append("\n")
            _collect_text(child, parts)
        else:
            _collect_text(child, parts)


# --- PDF --------------------------------------------------------------------------------


def _pdf_blocks(name: str, data: bytes) -> list[Block]:
    """One block per page (its text as extracted, page number set), running headers and
    footers repeated on most pages removed."""
    if not data[:1024].lstrip().startswith(b"%PDF"):
        raise ExtractionError(
            f"Le fichier « {name} » n'est pas un PDF valide (l'en-tête %PDF est absent)."
        )
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.info("pdf unreadable: %s: %r", name, error)
        raise ExtractionError(f"Le fichier « {name} » est un PDF endommagé ou illisible.") from None
    if encrypted:
        raise ExtractionError(
            f"Le fichier « {name} » est un PDF chiffré ou protégé par un mot de passe : "
            "retirez la protection avant de l'importer."
        )
    try:
        count = len(reader.pages)
    except Exception as error:  # a broken page tree
        log.info("pdf pages unreadable: %s: %r", name, error)
        raise ExtractionError(f"Le fichier « {name} » est un PDF endommagé ou illisible.") from None
    if count > PDF_MAX_PAGES:
        raise ExtractionError(
            f"Le fichier « {name} » compte trop de pages ({count}, au plus {PDF_MAX_PAGES})."
        )
    pages: list[tuple[int, str]] = []
    for index in range(count):
        try:
            text = reader.pages[index].extract_text() or ""
        except Exception as error:  # one broken page must not lose the others
            log.warning("pdf page %d unreadable in %s: %r", index + 1, name, error)
            continue
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
