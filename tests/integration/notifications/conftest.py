"""A real SMTP server for the mail tests (aiosmtpd, on a free loopback port, stopped and
started again at will, able to stall a delivery), the application pointed at it, real
Huey consumers in subprocesses, and Redis for the production broker's tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete

from app.db import write_transaction
from app.models import OutboxMail

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("COSIGNE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """The server's handler: keeps each accepted message. ``hold()`` makes the next
    deliveries wait at DATA until ``release()``; then they are refused (421, never
    accepted), as by a server that had not answered when its client died."""

    received: list[Received] = field(default_factory=list)
    holding: threading.Event | None = None
    held: threading.Event = field(default_factory=threading.Event)
    refuse: str = ""  # an SMTP reply to give instead of accepting ("550 ...")

    async def handle_DATA(self, server, session, envelope) -> str:
        gate = self.holding
        if gate is not None:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, gate.wait)
            return "421 4.3.0 Arrêt du serveur"
        if self.refuse:
            return self.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 OK"

    def hold(self) -> None:
        self.held.clear()
        self.holding = threading.Event()

    def release(self) -> None:
        gate, self.holding = self.holding, None
        if gate is not None:
            gate.set()


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.handler.release()
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    """The application sending through the test's SMTP server (no TLS on loopback)."""
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT_SECONDS=5.0,
        MAIL_FROM="Cosigne <cosigne@cosigne.test>",
    )
    return app


def redis_available(url: str = REDIS_URL) -> str | None:
    """None when Redis answers at ``url``, else why not."""
    import redis  # noqa: PLC0415 (only the Redis tests need it)

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return str(error)
    return None


@pytest.fixture
def redis_url() -> str:
    """The production broker. Unreachable, the test says so and is skipped; with CI
    set it fails instead, as the Makefile does for PostgreSQL."""
    why = redis_available()
    if why is not None:
        message = f"Redis injoignable à {REDIS_URL} ({why})"
        if os.environ.get("CI"):
            pytest.fail(f"{message} alors que CI est défini")
        pytest.skip(f"{message} : test sauté (COSIGNE_TEST_REDIS_URL)")
    return REDIS_URL


@pytest.fixture
def redis_queue(app, redis_url) -> Iterator[tuple[str, str]]:
    """The application's queue on Redis, under a name of this test's own, flushed after."""
    from app.jobs import engine  # noqa: PLC0415

    name = f"cosigne-test-{secrets.token_hex(4)}"
    app.config.update(JOBS_URL=redis_url, JOBS_NAME=name)
    huey = engine.configure(redis_url, name)
    yield redis_url, name
    huey.storage.flush_all()


@dataclass
class Workers:
    """Huey consumers started as `flask --app app jobs worker` in subprocesses."""

    env: dict[str, str]
    log_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, *options: str) -> subprocess.Popen:
        # Their output to a file: a pipe nobody reads would block a talkative worker.
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", *options],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # graceful: finish the running task
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


@pytest.fixture
def workers(mail_app, smtp, tmp_path) -> Iterator[Callable[..., Workers]]:
    """Consumers of the test's queue, on the test's database and SMTP server."""
    started: list[Workers] = []

    def make(**extra: str) -> Workers:
        config = mail_app.config
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=config["DATABASE_URL"],
            COSIGNE_DATA_DIR=config["DATA_DIR"],
            SECRET_KEY=config["SECRET_KEY"],
            COSIGNE_SMTP_HOST="127.0.0.1",
            COSIGNE_SMTP_PORT=str(smtp.port),
            COSIGNE_SMTP_SECURITY="none",
            COSIGNE_SMTP_TIMEOUT="30",
            COSIGNE_MAIL_FROM=config["MAIL_FROM"],
            COSIGNE_JOBS_URL=config["JOBS_URL"],
            COSIGNE_JOBS_NAME=config["JOBS_NAME"],
        )
        env.pop("COSIGNE_ENV", None)
        env.update(extra)
        log_dir = tmp_path / f"workers-{len(started)}"
        log_dir.mkdir()
        group = Workers(env, log_dir)
        started.append(group)
        return group

    yield make
    for group in started:
        group.stop_all()


@pytest.fixture
def world(world, app):
    """The shared world, without the mails its own making wrote (its contribution and
    discussion told the drafter at once): each test here counts the mails it causes."""
    with app.app_context(), write_transaction() as session:
        session.execute(delete(OutboxMail))
    return world
