"""The job engine for real: Huey consumers started as `flask --app app jobs worker` in
subprocesses, on the embedded SQLite queue and on the production broker (Redis), a
worker killed mid-send, two workers racing for the same mails."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from huey.storage import RedisStorage, SqliteStorage

from app.jobs import engine, tasks
from app.notifications import delivery
from tests.integration.notifications.mails import outbox, tell
from workflows.notifications import Kind

LEASE = "3"  # seconds: the killed worker's mail is taken over quickly


def _wait(predicate, timeout: float = 30.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def test_the_queue_url_chooses_the_storage_and_anything_else_is_refused(tmp_path):
    sqlite = engine.storage_for(f"sqlite:///{tmp_path / 'jobs.db'}", "essai")
    assert isinstance(sqlite, SqliteStorage) and sqlite.filename == str(tmp_path / "jobs.db")
    assert isinstance(engine.storage_for("redis://127.0.0.1:6379/3", "essai"), RedisStorage)
    for url in ("amqp://127.0.0.1:5672", "postgresql://x/y", "sqlite:///", "sqlite:///:memory:"):
        with pytest.raises(RuntimeError, match="COSIGNE_JOBS_URL must be sqlite:///path"):
            engine.storage_for(url)


def test_an_unconfigured_queue_says_so():
    storage = engine.Unconfigured("cosigne")
    with pytest.raises(RuntimeError, match="not configured"):
        storage.enqueue(b"x")


def test_a_worker_sends_what_a_commit_hands_over(mail_app, smtp, world, workers):
    group = workers()
    group.start("--workers", "1", "--no-periodic", "--max-delay", "0.2")
    with mail_app.app_context():
        tell([world.users["signataire"]], "Une mention", world.convention_id)
    # No sweep runs (no scheduler): the hand-over after commit alone brings it.
    assert len(smtp.wait_for(1)) == 1, group.logs()
    with mail_app.app_context():
        assert _wait(lambda: outbox()[0].status == "sent")


def test_a_worker_killed_mid_send_is_relieved_after_its_lease_and_the_mail_arrives_once(
    mail_app, smtp, world, workers
):
    mail_app.config["OUTBOX_LEASE_SECONDS"] = float(LEASE)
    group = workers(COSIGNE_OUTBOX_LEASE=LEASE)
    smtp.handler.hold()  # the server answers nothing at DATA until released
    first = group.start("--workers", "1", "--no-periodic", "--max-delay", "0.2")
    with mail_app.app_context():
        tell([world.users["associe"]], "Une contribution attend", world.convention_id)
    assert smtp.handler.held.wait(30), group.logs()
    with mail_app.app_context():
        [row] = outbox()
        assert row.status == "sending" and row.claim_token
    group.kill(first)  # SIGKILL: no chance to mark anything
    smtp.handler.release()  # that delivery never completes (refused, never accepted)
    with mail_app.app_context():
        assert outbox()[0].status == "sending"  # held by a dead worker, not lost

    group.start("--workers", "1", "--no-periodic", "--max-delay", "0.2")
    # Before the lease ends, the second worker's sweep leaves the mail alone...
    with mail_app.app_context():
        tasks.sweep_outbox()
    time.sleep(1)
    assert smtp.received == []
    # ... after it, the sweep takes it over.
    time.sleep(float(LEASE))
    with mail_app.app_context():
        tasks.sweep_outbox()
    assert len(smtp.wait_for(1)) == 1, group.logs()
    with mail_app.app_context():
        assert _wait(lambda: outbox()[0].status == "sent")
        tasks.sweep_outbox()
    time.sleep(1.5)
    assert [r.rcpt_tos for r in smtp.received] == [["asso@dep.test"]]


@pytest.mark.redis
def test_two_workers_on_redis_send_every_mail_exactly_once(
    mail_app, smtp, world, redis_queue, workers
):
    group = workers()
    for _ in range(2):
        group.start("--workers", "3", "--no-periodic")
    readers = [world.users[r] for r in ("redacteur", "signataire", "associe")]
    with mail_app.app_context():
        for index in range(12):
            tell(readers, f"Mention numéro {index}", world.convention_id)
        ids = [m.id for m in outbox()]
        assert len(ids) == 36
        # Each mail handed over four more times, and sweeps besides: the six threads
        # of the two processes race for every one of them.
        for _ in range(4):
            tasks.send_mails(ids)
        for _ in range(3):
            tasks.sweep_outbox()
    received = smtp.wait_for(36, timeout=60)
    with mail_app.app_context():
        assert _wait(lambda: {m.status for m in outbox()} == {"sent"}), group.logs()
        assert _wait(lambda: engine.huey.pending_count() == 0)
    time.sleep(1)
    counts = Counter(r.message["Message-ID"] for r in received)
    assert len(counts) == 36 and set(counts.values()) == {1}, counts
    assert Counter(r.rcpt_tos[0] for r in received) == {
        "redac@oph.test": 12,
        "sign@epci.test": 12,
        "asso@dep.test": 12,
    }


@pytest.mark.redis
def test_a_mail_handed_over_to_redis_arrives(mail_app, smtp, world, redis_queue, workers):
    with mail_app.app_context():
        tell([world.users["signataire"]], "Une mention", world.convention_id)
        assert engine.huey.pending_count() == 1  # queued in Redis, under this test's name
    workers().start("--workers", "1", "--no-periodic")
    assert len(smtp.wait_for(1)) == 1


def test_run_due_sends_what_is_due(mail_app, smtp, world):
    with mail_app.app_context():
        tell([world.users["signataire"]], "Une mention", world.convention_id)
    result = mail_app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
    assert "E-mails : 1 envoyé(s)" in result.output
    assert len(smtp.received) == 1
    bad = mail_app.test_cli_runner().invoke(args=["jobs", "run-due", "--now", "demain"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output
    with mail_app.app_context():
        assert delivery.send_due().sent == 0


@pytest.mark.redis
def test_digest_jobs_racing_in_two_workers_send_one_digest_per_reader(
    mail_app, smtp, world, redis_queue, workers
):
    readers = {"redac@oph.test": "redacteur", "sign@epci.test": "signataire"}
    with mail_app.app_context():
        for index in range(3):
            tell(
                [world.users[r] for r in readers.values()],
                f"Position {index}",
                world.convention_id,
                Kind.POSITION,  # informs: it waits for the daily digest
            )
        assert outbox() == []
        # The scheduler of every worker enqueues the digest job: here six of them at once,
        # for the two processes' six threads.
        for _ in range(6):
            tasks.send_digests()
    group = workers()
    for _ in range(2):
        group.start("--workers", "3", "--no-periodic")
    received = smtp.wait_for(2, timeout=60)
    with mail_app.app_context():
        assert _wait(lambda: engine.huey.pending_count() == 0), group.logs()
    time.sleep(1.5)
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(readers), group.logs()
    assert all("Résumé du jour" in r.message["Subject"] for r in received)
