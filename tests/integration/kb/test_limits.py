"""Hostile uploads to the knowledge base (issue 13): read in a child process, refused with
the limit named and nothing written, on the web and on the command line; the time and
memory limits of the child reach the web."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session
from app.models import KbDocument, KbPassage
from tests.conftest import logged_in
from tests.hostile import pdf_shared_stream, text_ops
from tests.integration.kb.helpers import run_jobs, upload


def _stored(app) -> tuple[int, int]:
    with app.app_context():
        session = db_session()
        return (
            session.scalar(select(func.count()).select_from(KbDocument)),
            session.scalar(select(func.count()).select_from(KbPassage)),
        )


def _refused(app, client, name: str, data: bytes) -> str:
    response = upload(client, name, data)
    assert response.status_code == 303
    assert run_jobs(app) == 1  # the worker reads it, refuses it
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert name in page and "En échec" in page
    assert _stored(app) == (0, 0)
    return page


def test_the_hostile_pdfs_of_the_issue_are_refused_naming_the_limit(app, world):
    client = logged_in(app, "redac@oph.test")
    pages = _refused(app, client, "pages.pdf", pdf_shared_stream(2_900, text_ops(40)))
    assert "trop de pages" in pages and "au plus 1\u202f000" in pages
    stream = _refused(app, client, "flux.pdf", pdf_shared_stream(1, text_ops(1_500_000)))
    assert "20 Mo une fois décompressé" in stream


def test_a_parse_past_the_time_limit_is_killed_and_nothing_written(app, world):
    # Without the page cap, the 2,900 pages take seconds: the child is killed at 0.5 s.
    app.config.update(PARSE_MAX_PDF_PAGES=10_000, PARSE_TIMEOUT_SECONDS=0.5)
    client = logged_in(app, "redac@oph.test")
    page = _refused(app, client, "pages.pdf", pdf_shared_stream(2_900, text_ops(40)))
    assert "a dépassé la limite de 0,5 s" in page


def test_a_parse_past_the_memory_limit_is_refused_and_nothing_written(app, world):
    app.config.update(PARSE_MEMORY_MB=8, PARSE_MAX_PDF_CONTENT_MB=200)
    client = logged_in(app, "redac@oph.test")
    page = _refused(app, client, "flux.pdf", pdf_shared_stream(1, text_ops(1_500_000)))
    assert "demande plus de 8 Mo de mémoire" in page


def test_a_normal_upload_is_read_in_the_child_and_stored(app, world):
    client = logged_in(app, "redac@oph.test")
    data = pdf_shared_stream(3, text_ops(20))
    response = upload(client, "court.pdf", data)
    assert response.status_code == 303 and "est en cours d" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert _stored(app) == (0, 0)
    run_jobs(app)
    documents, passages = _stored(app)
    assert documents == 1 and passages >= 1


def test_the_command_line_reads_in_its_process_with_the_same_caps(app, world, tmp_path):
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf_shared_stream(2_900, text_ops(40)))
    result = app.test_cli_runner().invoke(args=["kb", "ingest", str(path), "--kind", "guide"])
    assert result.exit_code == 1
    assert "trop de pages" in result.output and "au plus 1\u202f000" in result.output
    assert _stored(app) == (0, 0)
