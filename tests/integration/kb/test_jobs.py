"""Issue 14: the knowledge base's long work as background jobs. An upload on the page is
stored and queued, searchable only once its task has run; a file the worker cannot read
ends ``echec`` with its message on the page and nothing written; with the queue down the
minute's sweep ingests it; two workers racing for one upload ingest it once; a worker
that died is relieved after its lease; the administrators' rebuild of the index, once at
a time."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import db_session, write_transaction
from app.jobs import engine, tasks
from app.kb import background, queries
from app.models import KbDocument, KbJob, KbPassage, utcnow
from knowledge.types import DocumentKind
from tests.conftest import csrf_token, logged_in, post_form
from tests.factories import make_user
from tests.integration.kb.helpers import as_worker, run_jobs, upload
from workflows.conventions import OrganisationKind

ROOT = Path(__file__).resolve().parents[3]
TEXT = b"# Concertation\n\nLes rehabilitations sont presentees au conseil de concertation."


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        session = db_session()
        return (
            session.scalar(select(func.count()).select_from(KbDocument)) or 0,
            session.scalar(select(func.count()).select_from(KbPassage)) or 0,
        )


def _hits(app, question: str) -> int:
    with app.app_context():
        return queries.search(question).total


def _jobs(app) -> list[KbJob]:
    with app.app_context():
        rows = list(db_session().scalars(select(KbJob).order_by(KbJob.id)))
        db_session().expunge_all()
        return rows


def test_an_upload_is_searchable_once_its_task_has_run(app, world):
    client = logged_in(app, "redac@oph.test")
    response = upload(client, "guide-concertation.md", TEXT)
    assert response.status_code == 303 and response.headers["Location"] == "/kb/documents"
    page = client.get("/kb/documents").get_data(as_text=True)
    assert "est en cours d" in page and "guide-concertation.md" in page
    assert "En attente" in page[page.index('id="ajouts"') :]
    # Stored, with its bytes, in the request's transaction; nothing searchable yet.
    [job] = _jobs(app)
    assert (job.state, job.data, job.action) == ("en_attente", TEXT, "ajout")
    assert _counts(app) == (0, 0) and _hits(app, "réhabilitations") == 0
    with app.app_context():
        assert engine.huey.pending_count() == 1

    assert run_jobs(app) == 1
    assert _hits(app, "réhabilitations") >= 1
    [job] = _jobs(app)
    assert job.state == "fait" and job.data == b"" and job.document_id is not None
    assert "passages indexés" in job.result
    page = client.get("/kb/documents").get_data(as_text=True)
    assert 'id="ajouts"' not in page  # nothing waits or failed any more
    assert f"/kb/documents/{job.document_id}" in page


def test_a_corrupt_pdf_ends_in_echec_with_its_message_and_nothing_written(app, world):
    client = logged_in(app, "redac@oph.test")
    corrupt = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00\xff" * 500
    upload(client, "abime.pdf", corrupt)
    assert run_jobs(app) == 1
    [job] = _jobs(app)
    assert job.state == "echec" and "abime.pdf" in job.error and job.data == b""
    assert _counts(app) == (0, 0)
    page = client.get("/kb/documents").get_data(as_text=True)
    failed = page[page.index('id="ajouts"') :]
    assert "En échec" in failed and str(escape(job.error)) in failed
    # Failed is an end: running the jobs again tries nothing.
    with app.app_context():
        assert background.run(job.id) is False and background.run_due() == 0
        # A month later the refusal is old news: no longer listed.
        with write_transaction() as session:
            session.execute(
                update(KbJob)
                .where(KbJob.id == job.id)
                .values(created_at=utcnow() - timedelta(days=31))
            )
    assert "abime.pdf" not in client.get("/kb/documents").get_data(as_text=True)


def test_the_queue_down_at_upload_the_sweep_ingests_it(app, world, caplog):
    client = logged_in(app, "redac@oph.test")
    engine.configure("redis://127.0.0.1:1/0", app.config["JOBS_NAME"])  # nobody listens
    try:
        response = upload(client, "guide.md", TEXT)
    finally:
        engine.configure(app.config["JOBS_URL"], app.config["JOBS_NAME"])
    # The request answered as usual; the error is logged; the job waits in the database.
    assert response.status_code == 303
    assert "est en cours d" in client.get("/kb/documents").get_data(as_text=True)
    assert "File des tâches injoignable" in caplog.text
    assert [j.state for j in _jobs(app)] == ["en_attente"]
    assert run_jobs(app) == 0  # no message reached the queue
    assert _hits(app, "réhabilitations") == 0
    with as_worker(app):
        tasks.sweep_kb_jobs.call_local()
    assert [j.state for j in _jobs(app)] == ["fait"]
    assert _hits(app, "réhabilitations") >= 1 and _counts(app)[0] == 1


def test_two_workers_claiming_the_same_upload_ingest_it_once(app, world, monkeypatch):
    client = logged_in(app, "redac@oph.test")
    upload(client, "guide.md", TEXT)
    [job] = _jobs(app)
    calls: list[str] = []
    real_ingest = background.operations.ingest

    def slow_ingest(*args, **kwargs):
        calls.append(args[0])
        threading.Event().wait(0.3)  # both workers are past their claim meanwhile
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(background.operations, "ingest", slow_ingest)
    barrier = threading.Barrier(2)
    results: list[bool] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():  # a session and a connection of its own
                barrier.wait()
                results.append(background.run(job.id))
        except BaseException as error:  # reported below, in the test thread
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures, failures
    assert sorted(results) == [False, True] and calls == ["guide.md"]
    # The queued message comes too late: the job is done, nothing is read again.
    assert run_jobs(app) == 1 and calls == ["guide.md"]
    assert _counts(app)[0] == 1 and [j.state for j in _jobs(app)] == ["fait"]


def test_a_job_whose_worker_died_is_taken_over_after_its_lease(app, world):
    client = logged_in(app, "redac@oph.test")
    upload(client, "guide.md", TEXT)
    [job] = _jobs(app)
    with app.app_context():
        claimed = background.claim(job.id)  # a worker takes it, then dies
        assert claimed is not None
        assert background.run_due() == 0  # its lease runs: left alone
        with write_transaction() as session:
            session.execute(
                update(KbJob)
                .where(KbJob.id == job.id)
                .values(claimed_until=utcnow() - timedelta(seconds=1))
            )
        assert background.run_due() == 1
    [job] = _jobs(app)
    assert job.state == "fait" and job.attempts == 2
    assert _hits(app, "réhabilitations") >= 1


def test_a_job_interrupted_at_every_try_fails_after_the_last(app, world):
    client = logged_in(app, "redac@oph.test")
    upload(client, "guide.md", TEXT)
    [job] = _jobs(app)
    with app.app_context():
        for _ in range(background.MAX_ATTEMPTS):
            assert background.claim(job.id) is not None
            with write_transaction() as session:  # the worker dies; its lease passes
                session.execute(
                    update(KbJob)
                    .where(KbJob.id == job.id)
                    .values(claimed_until=utcnow() - timedelta(seconds=1))
                )
        assert background.claim(job.id) is None
    [job] = _jobs(app)
    assert job.state == "echec" and "Abandonné après 3 essais" in job.error
    assert _counts(app) == (0, 0)


def test_the_administrators_rebuild_the_index_in_the_background_once_at_a_time(app, world):
    client = logged_in(app, "redac@oph.test")
    upload(client, "guide.md", TEXT)
    run_jobs(app)
    with app.app_context():
        queries.index().clear()  # the index lost (a new server, a crash)
    assert _hits(app, "réhabilitations") == 0
    # Neither the button nor the door for anyone but an administrator.
    assert "Reconstruire l" not in client.get("/kb/documents").get_data(as_text=True)
    assert post_form(client, "/kb/reindex", page="/kb/documents").status_code == 403
    assert [j.action for j in _jobs(app)] == ["ajout"]

    with app.app_context():
        make_user("root@cosigne.test", "Cosigne admin", OrganisationKind.AUTRE, is_admin=True)
    admin = logged_in(app, "root@cosigne.test")
    assert "Reconstruire l" in admin.get("/kb/documents").get_data(as_text=True)
    response = post_form(admin, "/kb/reindex", page="/kb/documents")
    assert response.status_code == 303
    page = admin.get("/kb/documents").get_data(as_text=True)
    assert "reconstruction de l" in page and "en attente" in page
    # A second click while it waits queues nothing more.
    again = post_form(admin, "/kb/reindex", page="/kb/documents")
    assert "déjà demandée ou en cours" in admin.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert [j.action for j in _jobs(app)] == ["ajout", "reindexation"]
    assert _hits(app, "réhabilitations") == 0  # queued, not done in the request

    assert run_jobs(app) == 1
    assert _hits(app, "réhabilitations") >= 1
    rebuild = _jobs(app)[-1]
    assert rebuild.state == "fait" and "passages indexés" in rebuild.result
    assert "fait (" in admin.get("/kb/documents").get_data(as_text=True)
    # Done, a new rebuild may be asked for.
    assert post_form(admin, "/kb/reindex", page="/kb/documents").status_code == 303
    assert [j.state for j in _jobs(app)][-1] == "en_attente"


def test_the_database_keeps_at_most_one_rebuild_waiting(app, world):
    with app.app_context():
        background.queue_reindex()
        with pytest.raises(IntegrityError), write_transaction() as session:
            # What two administrators clicking at once would write past the check.
            session.add(KbJob(action=background.REINDEX))
    assert len(_jobs(app)) == 1


def test_refusals_at_the_door_store_nothing(app, world):
    client = logged_in(app, "redac@oph.test")
    token = csrf_token(client, "/kb/documents")
    for data, reason in (
        ({"kind": "roman"}, "inconnu"),
        ({"published_on": "hier"}, "date"),
    ):
        form = {"csrf_token": token, "kind": DocumentKind.GUIDE.value, "status": "en_vigueur"}
        form.update(data)
        form["file"] = (io.BytesIO(TEXT), "guide.md")
        response = client.post("/kb/documents", data=form, content_type="multipart/form-data")
        assert response.status_code == 303
        assert reason in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _jobs(app) == [] and run_jobs(app) == 0


def test_a_real_worker_ingests_an_upload_from_the_page(app, world, tmp_path):
    """`flask jobs worker` in a subprocess, on the test's database and embedded queue:
    the upload's message reaches it, the file is read in its child process."""
    client = logged_in(app, "redac@oph.test")
    upload(client, "guide.md", TEXT)
    config = app.config
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=config["DATABASE_URL"],
        COSIGNE_DATA_DIR=config["DATA_DIR"],
        SECRET_KEY=config["SECRET_KEY"],
        COSIGNE_JOBS_URL=config["JOBS_URL"],
        COSIGNE_JOBS_NAME=config["JOBS_NAME"],
    )
    env.pop("COSIGNE_ENV", None)
    env.pop("COSIGNE_SMTP_HOST", None)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"]
            + ["--workers", "1", "--no-periodic", "--max-delay", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and [j.state for j in _jobs(app)] != ["fait"]:
            time.sleep(0.2)
        assert [j.state for j in _jobs(app)] == ["fait"], log_path.read_text()
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
    assert _counts(app)[0] == 1
    assert _hits(app, "réhabilitations") >= 1
