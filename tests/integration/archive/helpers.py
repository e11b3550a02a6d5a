"""The archive's tests: a signed convention, its archive row as stored, and a stand-in
for LibreOffice that answers as soffice does but with a PDF of its choosing (a plain
one, one over the size limit, none at all, or never), so that every path of the job is
tested on every machine; tests/e2e/test_archive_pdfa.py runs the real LibreOffice."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from sqlalchemy import select

from app.db import db_session
from app.models import Convention, ConventionArchive, Event
from tests.integration.conventions.helpers import sign_convention
from tests.integration.kb.helpers import as_worker, run_jobs

__all__ = [
    "archive_row",
    "as_worker",
    "events",
    "run_jobs",
    "sign_convention",
    "signed_sha256",
    "stand_in",
]

# FAKE_SOFFICE_MODE (a file "mode" beside it): "plain" writes a plain PDF made by pypdf
# (no PDF/A metadata), "big" a PDF of 2 MB, "hang" sleeps, "nothing" writes none.
FAKE_SOFFICE = """#!{python}
import sys, time
from pathlib import Path
here = Path(__file__).parent
(here / "runs").open("a").write(" ".join(sys.argv[1:]) + "\\n")
mode = (here / "mode").read_text().strip() if (here / "mode").exists() else "plain"
if mode == "hang":
    time.sleep(60)
out = Path(sys.argv[sys.argv.index("--outdir") + 1])
out.mkdir(parents=True, exist_ok=True)
target = out / (Path(sys.argv[-1]).stem + ".pdf")
if mode == "plain":
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with target.open("wb") as handle:
        writer.write(handle)
elif mode == "big":
    target.write_bytes(b"%PDF-1.7\\n" + b"0" * 2_000_000 + b"\\n%%EOF\\n")
"""


def stand_in(app, folder: Path, mode: str = "plain") -> Path:
    """Point the application at a stand-in soffice in ``folder`` answering ``mode``."""
    folder.mkdir(exist_ok=True)
    script = folder / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    (folder / "mode").write_text(mode)
    app.config["SOFFICE_COMMAND"] = str(script)
    return folder


def archive_row(app, convention_id: int) -> ConventionArchive | None:
    """The archive as stored, bytes included, detached from any session."""
    with app.app_context():
        session = db_session()
        row = session.scalar(
            select(ConventionArchive).where(ConventionArchive.convention_id == convention_id)
        )
        if row is not None:
            _ = row.pdf  # load the deferred bytes before leaving the session
            session.expunge(row)
        return row


def events(app, convention_id: int, prefix: str = "archive_") -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.action, e.summary)
            for e in db_session().scalars(
                select(Event)
                .where(Event.convention_id == convention_id, Event.action.like(f"{prefix}%"))
                .order_by(Event.id)
            )
        ]


def signed_sha256(app, convention_id: int) -> str:
    with app.app_context():
        convention = db_session().get(Convention, convention_id)
        assert convention is not None and convention.signed_sha256
        return convention.signed_sha256
