"""Issue 16: the signed convention archived as PDF/A. Signing asks for the archive in its
own transaction and hands it to the queue; a worker makes it out of any request. Every
failure (no LibreOffice, a PDF that is not a PDF/A, one too big, a converter that hangs,
a worker that died) is kept on the row with its error, shown on the page and in the API,
written in the journal, tried again by itself, then on demand. With a stand-in for
LibreOffice; tests/e2e/test_archive_pdfa.py makes real PDF/As."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from markupsafe import escape
from sqlalchemy import update

from app.archive import operations
from app.db import write_transaction
from app.jobs import engine, tasks
from app.models import ConventionArchive, Section, utcnow
from tests.conftest import api_client, logged_in, post_form
from tests.integration.archive.helpers import (
    archive_row,
    as_worker,
    events,
    run_jobs,
    sign_convention,
    signed_sha256,
    stand_in,
)
from workflows.archive import RETRY_DELAYS

MISSING = "/nonexistent/cosigne-soffice"


def _page(client, convention_id: int) -> str:
    page = client.get(f"/conventions/{convention_id}").get_data(as_text=True)
    start = page.index('id="archive"')
    return page[start : page.index("</div>", start)]


def test_signing_asks_for_the_archive_and_hands_it_to_the_queue(app, world):
    cid = world.convention_id
    with app.app_context():
        queued_before = engine.huey.pending_count()
    assert archive_row(app, cid) is None
    sign_convention(app, world)
    row = archive_row(app, cid)
    assert row is not None and row.state == "en_attente"
    assert row.text_sha256 == signed_sha256(app, cid) and row.pdf == b"" and row.size == 0
    with app.app_context():
        assert engine.huey.pending_count() == queued_before + 1  # made by a worker, later
    # Until then every member reads « en préparation », with the text's fingerprint.
    client = logged_in(app, "obs@obs.test")
    block = _page(client, cid)
    assert "Archive PDF/A en préparation" in block and row.text_sha256 in block
    assert "archive.pdf" not in block
    response = client.get(f"/conventions/{cid}/archive.pdf")
    assert response.status_code == 404
    assert "en préparation" in response.get_data(as_text=True)
    api, headers = api_client(app, "obs@obs.test")
    shown = api.get(f"/api/conventions/{cid}/archive", headers=headers).get_json()
    assert shown["state"] == "en_attente" and shown["url"] is None
    assert shown["text_sha256"] == row.text_sha256 and shown["pdf_sha256"] is None


def test_an_unsigned_convention_has_no_archive(app, world):
    cid = world.convention_id
    client = logged_in(app, "redac@oph.test")
    assert 'id="archive"' not in client.get(f"/conventions/{cid}").get_data(as_text=True)
    assert client.get(f"/conventions/{cid}/archive.pdf").status_code == 404
    api, headers = api_client(app, "redac@oph.test")
    response = api.get(f"/api/conventions/{cid}/archive", headers=headers)
    assert response.status_code == 404 and "pas signée" in response.get_json()["error"]
    response = api.post(f"/api/conventions/{cid}/archive/retry", headers=headers)
    assert response.status_code == 404


def test_no_libreoffice_is_recorded_shown_tried_again_then_retried_on_demand(app, world, tmp_path):
    cid = world.convention_id
    app.config["SOFFICE_COMMAND"] = MISSING
    sign_convention(app, world)
    assert run_jobs(app) == 1
    row = archive_row(app, cid)
    assert row.state == "echec" and MISSING in row.error and "introuvable" in row.error
    assert row.attempts == 1 and row.retry_at is not None and row.pdf == b""
    assert events(app, cid)[-1][0] == "archive_echec" and MISSING in events(app, cid)[-1][1]
    # Shown to every member; the drafters are offered another try, the others are not.
    drafter = logged_in(app, "redac@oph.test")
    block = _page(drafter, cid)
    assert "Archive PDF/A en échec" in block and str(escape(row.error)) in block
    assert "Relancer l'archivage" in block and "Nouvel essai automatique" in block
    observer_block = _page(logged_in(app, "obs@obs.test"), cid)
    assert str(escape(row.error)) in observer_block
    assert "Relancer l'archivage" not in observer_block
    api, headers = api_client(app, "sign@epci.test")
    shown = api.get(f"/api/conventions/{cid}/archive", headers=headers).get_json()
    assert shown["state"] == "echec" and shown["error"] == row.error and shown["url"] is None
    assert drafter.get(f"/conventions/{cid}/archive.pdf").status_code == 404

    # Tried again by itself after each delay, then it waits for a person.
    with app.app_context():
        assert operations.run_due() == 0  # its next try is not due yet
        moment = utcnow()
        for failures, delay in enumerate(RETRY_DELAYS, start=1):
            moment += delay + timedelta(seconds=1)
            assert operations.run_due(moment) == 1
            assert archive_row(app, cid).attempts == failures + 1
        assert operations.run_due(moment + timedelta(days=30)) == 0
    row = archive_row(app, cid)
    assert row.state == "echec" and row.retry_at is None
    assert "Nouvel essai automatique" not in _page(drafter, cid)

    # LibreOffice is back (here a stand-in giving a plain PDF, refused in its turn);
    # a drafter asks again from the page: the archive starts over, through the queue.
    stand_in(app, tmp_path / "fake", "plain")
    response = post_form(drafter, f"/conventions/{cid}/archive/retry", page=f"/conventions/{cid}")
    assert response.status_code == 303 and response.headers["Location"].endswith("#archive")
    row = archive_row(app, cid)
    assert (row.state, row.attempts, row.error) == ("en_attente", 0, "")
    assert events(app, cid)[-1][0] == "archive_relancee" and MISSING in events(app, cid)[-1][1]
    assert "Archive PDF/A en préparation" in _page(drafter, cid)
    assert run_jobs(app) == 1
    row = archive_row(app, cid)
    assert row.state == "echec" and "ne se déclare pas PDF/A" in row.error


def test_a_plain_pdf_is_not_taken_for_an_archive(app, world, tmp_path):
    stand_in(app, tmp_path / "fake", "plain")
    sign_convention(app, world)
    run_jobs(app)
    row = archive_row(app, world.convention_id)
    assert row.state == "echec" and "pdfaid:part" in row.error and row.pdf == b""
    runs = (tmp_path / "fake" / "runs").read_text()
    # LibreOffice was asked for a PDF/A-2b.
    assert '"SelectPdfVersion":{"type":"long","value":"2"}' in runs


def test_a_pdf_over_the_size_limit_is_refused(app, world, tmp_path):
    stand_in(app, tmp_path / "fake", "big")
    app.config["ARCHIVE_MAX_BYTES"] = 1024 * 1024
    sign_convention(app, world)
    run_jobs(app)
    row = archive_row(app, world.convention_id)
    assert row.state == "echec" and "au-delà de la limite de 1 Mo" in row.error


def test_a_converter_that_hangs_is_stopped_and_recorded(app, world, tmp_path):
    stand_in(app, tmp_path / "fake", "hang")
    app.config["ARCHIVE_TIMEOUT_SECONDS"] = 1
    sign_convention(app, world)
    run_jobs(app)
    row = archive_row(app, world.convention_id)
    assert row.state == "echec" and "temps imparti (1 s)" in row.error


def test_a_retry_is_refused_while_in_preparation_and_once_done(app, world):
    cid = world.convention_id
    sign_convention(app, world)
    api, headers = api_client(app, "redac@oph.test")
    response = api.post(f"/api/conventions/{cid}/archive/retry", headers=headers)
    assert response.status_code == 409 and "déjà en préparation" in response.get_json()["error"]
    _store(app, cid, b"%PDF-1.7 archive")
    response = api.post(f"/api/conventions/{cid}/archive/retry", headers=headers)
    assert response.status_code == 409 and "déjà faite" in response.get_json()["error"]
    # Failed: the API's retry answers 202 with the archive waiting again.
    with app.app_context(), write_transaction() as session:
        session.execute(
            update(ConventionArchive)
            .where(ConventionArchive.convention_id == cid)
            .values(state="echec", error="LibreOffice a échoué.")
        )
    response = api.post(f"/api/conventions/{cid}/archive/retry", headers=headers)
    assert response.status_code == 202 and response.get_json()["state"] == "en_attente"
    # A signatory may download but not ask again.
    api, headers = api_client(app, "sign@epci.test")
    assert api.post(f"/api/conventions/{cid}/archive/retry", headers=headers).status_code == 403


def _store(app, convention_id: int, data: bytes, digest: str | None = None) -> None:
    """The archive as a worker leaves it, with these bytes."""
    with app.app_context(), write_transaction() as session:
        session.execute(
            update(ConventionArchive)
            .where(ConventionArchive.convention_id == convention_id)
            .values(
                state="fait",
                pdf=data,
                pdf_sha256=digest or hashlib.sha256(data).hexdigest(),
                size=len(data),
                finished_at=utcnow(),
            )
        )


def test_every_member_downloads_the_bytes_of_the_fingerprint_shown(app, world):
    cid = world.convention_id
    sign_convention(app, world)
    data = b"%PDF-1.7 une archive de test\n%%EOF\n"
    _store(app, cid, data)
    digest = hashlib.sha256(data).hexdigest()
    for email in ("redac@oph.test", "sign@epci.test", "asso@dep.test", "obs@obs.test"):
        client = logged_in(app, email)
        block = _page(client, cid)
        assert digest in block and signed_sha256(app, cid) in block
        response = client.get(f"/conventions/{cid}/archive.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert hashlib.sha256(response.data).hexdigest() == digest
        api, headers = api_client(app, email)
        shown = api.get(f"/api/conventions/{cid}/archive", headers=headers).get_json()
        assert (shown["state"], shown["pdf_sha256"], shown["size"]) == ("fait", digest, len(data))
        got = api.get(shown["url"], headers=headers)
        assert got.status_code == 200 and got.data == data


def test_a_non_member_gets_nothing(app, world):
    cid = world.convention_id
    sign_convention(app, world)
    _store(app, cid, b"%PDF-1.7 secret")
    outsider = logged_in(app, "autre@esh.test")
    assert outsider.get(f"/conventions/{cid}/archive.pdf").status_code == 403
    api, headers = api_client(app, "autre@esh.test")
    for url in (f"/api/conventions/{cid}/archive", f"/api/conventions/{cid}/archive.pdf"):
        assert api.get(url, headers=headers).status_code == 403
    assert app.test_client().get(f"/conventions/{cid}/archive.pdf").status_code == 302
    assert app.test_client().get(f"/api/conventions/{cid}/archive.pdf").status_code == 401


def test_bytes_that_no_longer_give_their_fingerprint_are_not_served(app, world):
    cid = world.convention_id
    sign_convention(app, world)
    _store(app, cid, b"%PDF-1.7 altered", digest="0" * 64)
    response = logged_in(app, "obs@obs.test").get(f"/conventions/{cid}/archive.pdf")
    assert response.status_code == 409
    assert "ne correspond plus à son empreinte" in response.get_data(as_text=True)


def test_the_queue_down_at_signing_the_sweep_makes_the_archive(app, world, caplog):
    cid = world.convention_id
    app.config["SOFFICE_COMMAND"] = MISSING
    engine.configure("redis://127.0.0.1:1/0", app.config["JOBS_NAME"])  # nobody listens
    try:
        sign_convention(app, world)
    finally:
        engine.configure(app.config["JOBS_URL"], app.config["JOBS_NAME"])
    assert "l'archive PDF/A" in caplog.text and archive_row(app, cid).state == "en_attente"
    assert run_jobs(app) == 0  # no message reached the queue
    with as_worker(app):
        tasks.sweep_archives.call_local()
    assert archive_row(app, cid).state == "echec"  # the sweep took it (and recorded why)


def test_a_worker_that_died_is_relieved_after_its_lease(app, world):
    cid = world.convention_id
    app.config["SOFFICE_COMMAND"] = MISSING
    sign_convention(app, world)
    with app.app_context():
        archive_id = archive_row(app, cid).id
        claimed = operations.claim(archive_id)
        assert claimed is not None and operations.claim(archive_id) is None  # held
        assert operations.run_due() == 0
        later = utcnow() + timedelta(seconds=app.config["ARCHIVE_TIMEOUT_SECONDS"] + 61)
        assert operations.run_due(later) == 1  # the lease passed: taken over
        # The dead worker's late record does not overwrite the one that took over.
        assert operations._finish(claimed, state="fait", pdf=b"x", pdf_sha256="", size=1) is False
    row = archive_row(app, cid)
    assert row.state == "echec" and row.attempts == 2


def test_the_command_line_makes_the_archive_and_says_how_it_ended(app, world):
    cid = world.convention_id
    app.config["SOFFICE_COMMAND"] = MISSING
    sign_convention(app, world)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["archive", "make", str(cid)])
    assert result.exit_code == 1 and "en échec" in result.output and MISSING in result.output
    assert archive_row(app, cid).state == "echec"
    result = runner.invoke(args=["archive", "status", str(cid), "--json"])
    assert result.exit_code == 0 and '"state": "echec"' in result.output
    result = runner.invoke(args=["archive", "status", str(world.other_convention_id)])
    assert result.exit_code == 1 and "pas signée" in result.output


def test_sections_that_no_longer_give_the_signed_text_are_not_archived(app, world, tmp_path):
    # Signing freezes the text; were a section changed behind Cosigne's back, its Word
    # export would no longer be the signed text: the archive refuses to pass it for one.
    stand_in(app, tmp_path / "fake", "plain")
    sign_convention(app, world)
    with app.app_context(), write_transaction() as session:
        session.execute(
            update(Section).where(Section.id == world.section_id).values(title="Autre titre")
        )
    run_jobs(app)
    row = archive_row(app, world.convention_id)
    assert row.state == "echec" and "ne redonnent plus exactement le texte signé" in row.error
    assert not (tmp_path / "fake" / "runs").exists()  # LibreOffice was not even asked
