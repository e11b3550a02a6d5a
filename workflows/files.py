"""What every uploaded file goes through before a parser reads it, and the facts of a
Word document's styles that both readers share.

Used by the knowledge base's ingestion (``knowledge.ingest.extract``) and by the Word
import (``workflows.word.reader``, through the application): one set of checks, so that
a file refused at one door is refused at the other. Checked: empty, too large, an
extension not taken, macros (by extension, part or content type), an old or encrypted
Word file, a .docx that is not a ZIP archive, a ZIP bomb (too many entries, too large
once decompressed, abnormal compression ratio), encrypted parts, XML with a DOCTYPE
(XXE). A refused file raises ``FileRefused`` with a French message naming the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from lxml import etree

from workflows.errors import InvalidInput, TooLarge

if TYPE_CHECKING:  # for annotations only: the upload checks need no python-docx loaded
    from docx.document import Document

MACRO_EXTENSIONS = (".docm", ".dotm")


# Limits on a .docx archive, checked before python-docx opens it.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200
# The ratio is only checked above this size: a small part that compresses well is harmless.
ZIP_RATIO_MIN_BYTES = 1024 * 1024
# Parts not scanned for <!DOCTYPE: binary media that no XML parser reads.
_BINARY_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf")

_CHUNK = 64 * 1024
_DOCTYPE = b"<!doctype"
_DOCTYPE_UTF16 = ("<!doctype".encode("utf-16-le"), "<!doctype".encode("utf-16-be"))
_MACRO_CONTENT_TYPE = b"macroenabled"


class FileRefused(InvalidInput):
    """The file was refused or could not be read; the message is shown to the user."""


class ContentTooLarge(FileRefused, TooLarge):
    """The file holds more than a reader takes (characters, paragraphs, pages,
    decompressed content): HTTP 413, the limit named."""


@dataclass(frozen=True)
class ContentLimits:
    """How much a reader takes from one file before it stops and refuses it. A whole
    CUS (a few hundred pages, ~300,000 characters, ~5,000 paragraphs) is far below;
    the application sets them from its configuration (config.py)."""

    characters: int = 2_000_000
    paragraphs: int = 20_000  # paragraphs of a .docx (table cells', comments' included)
    pdf_pages: int = 1000
    # A PDF's decompressed page content, summed over its pages (a stream shared by many
    # pages counts on each, since each is interpreted again): also the most one stream
    # may decompress to.
    pdf_content_bytes: int = 20 * 1024 * 1024


def french_count(value: int) -> str:
    """A count as French writes it: 20 000."""
    return f"{value:,}".replace(",", "\u202f")


def too_many_characters(name: str, limits: ContentLimits) -> ContentTooLarge:
    return ContentTooLarge(
        f"Le fichier « {name} » est refusé : son texte dépasse {french_count(limits.characters)} "
        "caractères (limite de lecture), bien plus qu'une convention ; rien n'a été enregistré."
    )


def too_many_paragraphs(name: str, limits: ContentLimits) -> ContentTooLarge:
    return ContentTooLarge(
        f"Le fichier « {name} » est refusé : il compte plus de {french_count(limits.paragraphs)} "
        "paragraphes (limite de lecture), bien plus qu'une convention ; rien n'a été "
        "enregistré."
    )


def display_name(filename: str) -> str:
    """The file's own name, never the path it came with."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    return name or "sans nom"


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " Mo"


def check_upload(filename: str, data: bytes, extensions: Sequence[str], max_bytes: int) -> str:
    """Refuse an empty or too large file, one with macros by its extension, or one whose
    extension is not among ``extensions``; returns the name to show."""
    name = display_name(filename)
    if not data:
        raise FileRefused(f"Le fichier « {name} » est vide.")
    if len(data) > max_bytes:
        raise FileRefused(
            f"Le fichier « {name} » est trop volumineux ({megabytes(len(data))}) : "
            f"la taille maximale est de {megabytes(max_bytes)}."
        )
    extension = PurePath(name).suffix.lower()
    if extension in MACRO_EXTENSIONS:
        raise FileRefused(
            f"Le fichier « {name} » est un document Word avec macros : il est refusé."
        )
    if extension not in extensions:
        raise FileRefused(
            f"Le format du fichier « {name} » n'est pas pris en charge "
            f"(formats acceptés : {', '.join(extensions)})."
        )
    return name


# --- Word archives ---------------------------------------------------------------------


def check_docx_archive(name: str, data: bytes) -> None:
    """Refuse a .docx that is not a sound ZIP archive before python-docx reads it."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un document .docx : c'est un document Word "
            "ancien (.doc) ou chiffré. Enregistrez-le au format .docx sans mot de passe."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un document .docx valide (ce n'est pas une "
            "archive ZIP)."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > ZIP_MAX_ENTRIES:
            raise FileRefused(
                f"Le fichier « {name} » est refusé : son archive contient trop d'éléments "
                f"({len(entries)}, au plus {ZIP_MAX_ENTRIES})."
            )
        declared = sum(entry.file_size for entry in entries)
        if declared > ZIP_MAX_TOTAL_BYTES:
            raise FileRefused(
                f"Le fichier « {name} » est refusé : une fois décompressé il occuperait "
                f"{megabytes(declared)}, au-delà de la limite de "
                f"{megabytes(ZIP_MAX_TOTAL_BYTES)} (archive piégée ?)."
            )
        for entry in entries:
            part = entry.filename
            if part.lower().endswith("vbaproject.bin"):
                raise FileRefused(
                    f"Le fichier « {name} » contient des macros (« {part} ») : les documents "
                    "avec macros sont refusés."
                )
            if entry.flag_bits & 0x1:
                raise FileRefused(
                    f"Le fichier « {name} » est refusé : la partie « {part} » est chiffrée."
                )
            if entry.file_size > ZIP_RATIO_MIN_BYTES and entry.file_size > ZIP_MAX_RATIO * max(
                entry.compress_size, 1
            ):
                raise FileRefused(_ratio_message(name, part))
        total = 0
        for entry in entries:
            if entry.is_dir():
                continue
            total = _read_entry(name, archive, entry, total)


_COUNTED_TEXT = ("t", "delText")  # text as read, deleted text included (its versions)


def check_docx_content(name: str, data: bytes, limits: ContentLimits) -> None:
    """Refuse a .docx that holds more paragraphs or characters than ``limits`` before
    python-docx builds its tree (which for 300,000 paragraphs takes seconds and hundreds
    of megabytes): its XML parts are read as a stream, counting ``w:p`` and the text of
    ``w:t``, stopping at the first limit passed. ``data`` must have passed
    ``check_docx_archive`` (no DOCTYPE, bounded size)."""
    paragraph_tag = W + "p"
    text_tags = tuple(W + tag for tag in _COUNTED_TEXT)
    paragraphs = characters = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            part = entry.filename.lower()
            if entry.is_dir() or part.endswith(_BINARY_MEDIA) or part.endswith(".rels"):
                continue
            try:
                with archive.open(entry) as stream:
                    events = etree.iterparse(
                        stream,
                        events=("end",),
                        tag=(paragraph_tag, *text_tags),
                        resolve_entities=False,
                        no_network=True,
                    )
                    for _event, element in events:
                        if element.tag == paragraph_tag:
                            paragraphs += 1
                            if paragraphs > limits.paragraphs:
                                raise too_many_paragraphs(name, limits)
                            element.clear()  # what was counted need not stay in memory
                            while element.getprevious() is not None:
                                del element.getparent()[0]
                        else:
                            characters += len(element.text or "")
                            if characters > limits.characters:
                                raise too_many_characters(name, limits)
            except etree.XMLSyntaxError:
                continue  # not XML (a font, an embedded object): python-docx says if it matters


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
                    raise FileRefused(
                        f"Le fichier « {name} » est refusé : une fois décompressé il dépasse "
                        f"{megabytes(ZIP_MAX_TOTAL_BYTES)} (archive piégée ?)."
                    )
                if produced > ZIP_RATIO_MIN_BYTES and produced > ZIP_MAX_RATIO * max(
                    entry.compress_size, 1
                ):
                    raise FileRefused(_ratio_message(name, part))
                if scan:
                    window = (tail + chunk).lower()
                    if _DOCTYPE in window or any(m in window for m in _DOCTYPE_UTF16):
                        raise FileRefused(
                            f"Le fichier « {name} » est refusé : la partie « {part} » contient "
                            "une déclaration <!DOCTYPE> (risque d'entités XML externes)."
                        )
                    if is_content_types and _MACRO_CONTENT_TYPE in window:
                        raise FileRefused(
                            f"Le fichier « {name} » contient des macros (document Word "
                            "prenant en charge les macros) : il est refusé."
                        )
                    tail = chunk[-32:]
    except FileRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        raise FileRefused(
            f"Le fichier « {name} » est endommagé : la partie « {part} » ne peut pas être lue."
        ) from None
    return total


# --- Word styles -----------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE_RE = re.compile(r"^(?:heading|titre)\s*([1-9])$", re.IGNORECASE)


def style_levels(document: Document) -> dict[str, int]:
    """Heading level (1-6) of each paragraph style id: "Heading N" / "Titre N", "Title",
    an outline level, or the level of the style it is based on."""
    styles: dict[str, etree._Element] = {}
    for style in document.styles.element.iterchildren(W + "style"):
        style_id = style.get(W + "styleId")
        if style_id:
            styles[style_id] = style

    def level_of(style_id: str, depth: int = 0) -> int:
        style = styles.get(style_id)
        if style is None or depth > 10:
            return 0
        name_el = style.find(W + "name")
        style_name = (name_el.get(W + "val") if name_el is not None else "") or ""
        for candidate in (style_name, style_id):
            match = _HEADING_STYLE_RE.match(candidate.strip())
            if match:
                return min(int(match.group(1)), 6)
            if candidate.strip().lower() in ("title", "titre"):
                return 1
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None:
            value = _int(outline.get(W + "val"))
            if value is not None and value < 9:
                return min(value + 1, 6)
        based_on = style.find(W + "basedOn")
        if based_on is not None and (parent := based_on.get(W + "val")):
            return level_of(parent, depth + 1)
        return 0

    return {style_id: level_of(style_id) for style_id in styles}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def paragraph_level(paragraph: etree._Element, levels: dict[str, int]) -> int:
    props = paragraph.find(W + "pPr")
    if props is None:
        return 0
    style = props.find(W + "pStyle")
    # style_levels holds no "" id, so a w:pStyle without w:val gives no level.
    level = levels.get(style.get(W + "val") or "", 0) if style is not None else 0
    outline = props.find(W + "outlineLvl")
    if not level and outline is not None:
        value = _int(outline.get(W + "val"))
        if value is not None and value < 9:
            level = min(value + 1, 6)
    return level


def is_hidden(run: etree._Element) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val", "true").lower() not in (
        "0",
        "false",
        "off",
    )


# --- a document kept as it is (the préfet's note d'enjeux) -------------------------------

ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Parts of an OpenDocument archive that hold macros (Basic or other scripts).
_ODF_MACRO_PARTS = ("basic/", "scripts/")


def check_attachment(filename: str, data: bytes, max_bytes: int) -> tuple[str, str]:
    """Refuse a document to be kept and downloaded as it is (not read by Cosigne) unless
    it is what its name says, by its first bytes rather than by the name or the type the
    browser sent: a PDF starts with ``%PDF-``; a .docx and an .odt are ZIP archives (the
    Word import's archive checks: no macros, no bomb, no DOCTYPE), an .odt's first entry
    naming its type as OpenDocument requires. Returns the name to show and the type to
    serve it with."""
    name = check_upload(filename, data, tuple(ATTACHMENT_TYPES), max_bytes)
    extension = PurePath(name).suffix.lower()
    if extension == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise FileRefused(
                f"Le fichier « {name} » n'est pas un PDF (son contenu ne commence pas comme "
                "un PDF) : il est refusé."
            )
    elif not data.startswith(b"PK\x03\x04"):
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un document {extension} (son contenu n'est pas "
            "celui d'un document Word ou OpenDocument) : il est refusé."
        )
    elif extension == ".docx":
        check_docx_archive(name, data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise FileRefused(
                    f"Le fichier « {name} » n'est pas un document Word (.docx) : il est refusé."
                )
    else:
        _check_odt(name, data)
    return name, ATTACHMENT_TYPES[extension]


def _check_odt(name: str, data: bytes) -> None:
    # The archive checks are the Word import's (entries, size, ratio, encryption, DOCTYPE);
    # then what OpenDocument itself requires of a text document, and no macros.
    check_docx_archive(name, data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        first = entries[0] if entries else None
        if first is None or first.filename != "mimetype" or archive.read(first) != _ODT_MIMETYPE:
            raise FileRefused(
                f"Le fichier « {name} » n'est pas un texte OpenDocument (.odt) : il est refusé."
            )
        for entry in entries:
            if entry.filename.lower().startswith(_ODF_MACRO_PARTS):
                raise FileRefused(
                    f"Le fichier « {name} » contient des macros (« {entry.filename} ») : les "
                    "documents avec macros sont refusés."
                )
        manifest = "META-INF/manifest.xml"
        if manifest in archive.namelist() and b"encryption-data" in archive.read(manifest):
            raise FileRefused(
                f"Le fichier « {name} » est chiffré (protégé par un mot de passe) : il est refusé."
            )
