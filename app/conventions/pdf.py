"""A convention as PDF: its Word export converted by LibreOffice, kept in the data
directory under a key that changes with what the document shows.

Each conversion runs ``soffice --headless --convert-to pdf`` in a temporary directory of
its own with its own profile (``-env:UserInstallation``): two conversions sharing a
profile would lock each other out. soffice starts a tree of processes (a shell script,
oosplash, soffice.bin): it gets a session of its own, and the whole group is killed when
it overruns its time, so that a stuck LibreOffice never keeps a worker. The time allowed
(``PDF_TIMEOUT_SECONDS``, 25 s) stays under gunicorn's default worker timeout (30 s), so
the user gets a page saying what happened rather than a killed worker.

A signed convention is converted to PDF/A-2b (writer_pdf_Export with SelectPdfVersion
2), the archival form a signed text is kept in.

soffice exits 0 even when it could not convert (tests/e2e/test_libreoffice.py): the
output itself is checked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

DEFAULT_COMMAND = "soffice"
DEFAULT_TIMEOUT_SECONDS = 25
CACHE_FOLDER = "pdf"
# Part of every cache key: a change to how PDFs are made (export, filter) gives new keys.
FORMAT_VERSION = "1"
PDFA_VERSION = 2  # PDF/A-2b: LibreOffice's SelectPdfVersion 2
_PDFA_FILTER = {"SelectPdfVersion": {"type": "long", "value": str(PDFA_VERSION)}}


class ConversionFailed(Exception):
    """LibreOffice could not give a PDF; the message says why, in French."""


def command() -> str | None:
    """The soffice executable this server converts with, or None when it has none."""
    configured = current_app.config.get("SOFFICE_COMMAND") or DEFAULT_COMMAND
    return shutil.which(configured)


def cache_key(convention_id: int, content: str, archival: bool) -> str:
    """A file name that changes whenever ``content`` (what the PDF shows) changes."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}\n{archival}\n{content}".encode()).hexdigest()
    return f"{convention_id}-{'pdfa' if archival else 'pdf'}-{digest[:40]}.pdf"


def _cache_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / CACHE_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_or_converted(
    convention_id: int, key: str, docx: Callable[[], bytes], archival: bool
) -> bytes:
    """The PDF kept under ``key``, else ``docx()`` converted and kept; the convention's
    older PDFs are removed, so that one file per convention stays on disk."""
    folder = _cache_dir()
    target = folder / key
    if target.is_file():
        return target.read_bytes()
    executable = command()
    if executable is None:
        raise ConversionFailed(
            "Le PDF n'est pas disponible sur ce serveur : LibreOffice (soffice) n'y est pas "
            "installé. Le document Word et la version imprimable de la page de lecture "
            "restent disponibles."
        )
    started = time.monotonic()
    data = convert(executable, docx(), archival, _timeout())
    log.info("PDF %s made by LibreOffice in %.1f s", key, time.monotonic() - started)
    # Written beside its final name then renamed: a reader never sees half a file, and
    # two workers converting at once leave one whole file.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f"{convention_id}-", suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)
    for older in folder.glob(f"{convention_id}-*.pdf"):
        if older.name != key:
            older.unlink(missing_ok=True)
    return data


def _timeout() -> float:
    return float(current_app.config.get("PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def convert(
    executable: str, docx: bytes, archival: bool, timeout: float, max_bytes: int | None = None
) -> bytes:
    """The PDF LibreOffice makes of a .docx (PDF/A-2b when ``archival``); one larger than
    ``max_bytes`` is refused before it is read."""
    export = "pdf:writer_pdf_Export"
    if archival:
        export += ":" + json.dumps(_PDFA_FILTER, separators=(",", ":"))
    with tempfile.TemporaryDirectory(prefix="cosigne-pdf-") as work:
        folder = Path(work)
        source = folder / "convention.docx"
        source.write_bytes(docx)
        arguments = [
            executable,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            export,
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            process = subprocess.Popen(
                arguments,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=folder,
                env={**os.environ, "HOME": str(folder)},
                start_new_session=True,
            )
        except OSError as error:
            raise ConversionFailed(
                f"Le PDF n'a pas pu être produit : LibreOffice ne démarre pas ({error.strerror})."
            ) from error
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionFailed(
                "Le PDF n'a pas pu être produit : LibreOffice n'a pas terminé dans le temps "
                f"imparti ({timeout:g} s). Réessayez plus tard ou téléchargez le document Word."
            ) from None
        produced = folder / "out" / "convention.pdf"
        if max_bytes is not None and produced.is_file() and produced.stat().st_size > max_bytes:
            raise ConversionFailed(
                f"Le PDF n'a pas été gardé : il pèse {produced.stat().st_size / 1_048_576:.1f} Mo, "
                f"au-delà de la limite de {max_bytes / 1_048_576:.0f} Mo."
            )
        data = produced.read_bytes() if produced.is_file() else b""
        if not data.startswith(b"%PDF-"):
            log.warning(
                "soffice gave no PDF (exit %s): %s %s",
                process.returncode,
                stdout.decode(errors="replace")[-2000:],
                stderr.decode(errors="replace")[-2000:],
            )
            raise ConversionFailed(
                "Le PDF n'a pas pu être produit : LibreOffice n'a pas converti le document "
                f"(code de sortie {process.returncode}). Le document Word reste disponible."
            )
        return data
