"""The proofs of the association attached to the register: what kind of piece each is,
and which files are taken.

The préfet may ask the organisme for the acknowledgements of receipt of its letters, the
convocations and the official minutes of the meetings (circulaire CUS, IV); the organisme
keeps them as files on the register's entries. A file is taken when its name's extension
and its content agree on a type of the allowlist (PDF, PNG, JPEG, Word .docx,
OpenDocument .odt): the content is read by its first bytes (its signature), never by the
name or the type the browser claims, so that an executable renamed ``.pdf`` is refused.
Word files go through the checks every upload of a .docx goes through
(``workflows.files.check_docx_archive``: macros, ZIP bombs, DOCTYPE).

The signatures are written here rather than taken from a file-type library: five types,
each one fixed prefix or one ZIP entry to read, and the ZIP archives must be opened
anyway for the checks above.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from workflows.errors import InvalidInput, TooLarge
from workflows.files import (
    FileRefused,
    check_docx_archive,
    check_upload,
    display_name,
    megabytes,
)

PROOF_KINDS = {
    "accuse_reception": "Accusé de réception",
    "convocation": "Convocation",
    "proces_verbal": "Procès-verbal",
    "deliberation": "Délibération",
    "autre": "Autre pièce",
}
# The register entries a proof is attached to.
ENTRY_KINDS = {
    "decision": "la décision d'engagement",
    "meeting": "la réunion",
    "document": "le document envoyé",
    "adoption": "l'adoption du projet",
    "deliberation": "la délibération d'une partie",
}

# A scanned letter or minutes of a few pages is well under a few megabytes; a long
# scan in colour stays under this.
PROOF_MAX_BYTES = 20 * 1024 * 1024
PROOFS_PER_ENTRY = 20
# Every proof of one convention, in the database: a bound on what one register holds.
PROOFS_MAX_TOTAL_BYTES = 500 * 1024 * 1024

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
# extension -> the content type its content must show
TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": DOCX_TYPE,
    ".odt": ODT_TYPE,
}
TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "image PNG",
    "image/jpeg": "image JPEG",
    DOCX_TYPE: "document Word",
    ODT_TYPE: "document OpenDocument",
}

_ODT_MIMETYPE = ODT_TYPE.encode()
# OpenDocument macros live in these folders of the archive.
_ODF_MACRO_FOLDERS = ("basic/", "scripts/")


def sniff(data: bytes) -> str | None:
    """The type of the allowlist the content shows by its first bytes, or None. A ZIP
    archive is told apart by its parts: Word's content types, OpenDocument's mimetype."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                    return ODT_TYPE
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return DOCX_TYPE
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError):
            return None
    return None


def check_proof_file(filename: str, data: bytes) -> tuple[str, str]:
    """Refuse a proof that is empty, too large, of a type not taken, or whose content is
    not what its name says; returns (the name to show, its content type)."""
    if len(data) > PROOF_MAX_BYTES:
        raise TooLarge(
            f"Le fichier « {display_name(filename)} » est trop volumineux : une pièce justificative fait "
            f"{megabytes(PROOF_MAX_BYTES)} au plus. Rien n'a été enregistré."
        )
    name = check_upload(filename, data, tuple(TYPES), PROOF_MAX_BYTES)
    expected = TYPES[PurePath(name).suffix.lower()]
    found = sniff(data)
    if found != expected:
        shown = TYPE_LABELS.get(found or "", "")
        raise FileRefused(
            f"Le contenu du fichier « {name} » n'est pas celui d'un "
            f"{TYPE_LABELS[expected]}"
            + (f" (c'est un {shown})" if shown else "")
            + " : il est refusé. Formats acceptés : PDF, PNG, JPEG, .docx, .odt."
        )
    if expected == DOCX_TYPE:
        check_docx_archive(name, data)
    if expected == ODT_TYPE:
        _check_odt(name, data)
    return name, expected


def _check_odt(name: str, data: bytes) -> None:
    # The archive checks of a .docx (bombs, encryption, DOCTYPE) hold for any ZIP of XML;
    # an OpenDocument's macros are in folders of their own.
    check_docx_archive(name, data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if any(n.lower().startswith(_ODF_MACRO_FOLDERS) for n in archive.namelist()):
            raise FileRefused(
                f"Le fichier « {name} » contient des macros : les documents avec macros "
                "sont refusés."
            )


def check_room(count_on_entry: int, stored_bytes: int, size: int) -> None:
    """Refuse a proof past the number an entry takes or the room a register has."""
    if count_on_entry >= PROOFS_PER_ENTRY:
        raise TooLarge(
            f"Cette entrée du registre a déjà {PROOFS_PER_ENTRY} pièces justificatives, le "
            "maximum. Rien n'a été enregistré."
        )
    if stored_bytes + size > PROOFS_MAX_TOTAL_BYTES:
        raise TooLarge(
            "Les pièces justificatives de cette convention occuperaient plus de "
            f"{megabytes(PROOFS_MAX_TOTAL_BYTES)}, le maximum. Rien n'a été enregistré."
        )


def check_kind(kind: str | None) -> str:
    if not kind:
        raise InvalidInput(
            "Indiquez la nature de la pièce (accusé de réception, convocation…).", field="kind"
        )
    if kind not in PROOF_KINDS:
        raise InvalidInput(f"Nature de pièce inconnue : « {kind} ».", field="kind")
    return kind
