"""The one Huey instance of the application, its storage chosen by ``JOBS_URL``.

Huey binds each task to an instance when the decorator runs, at import time, while the
storage's address is known only once ``create_app`` has read the configuration (and a
test builds many applications, each with a data directory of its own). Huey keeps the
two apart: the task registry belongs to the instance, the queue to ``huey.storage``,
which its maintainer describes as replaceable at run time (coleifer/huey#855: "you can
always change ``huey.storage`` at run-time or during initialization"). So the instance
is created here with a storage that refuses every call, naming what is missing, and
``configure`` gives it the storage of ``JOBS_URL`` (``sqlite:///path``, the embedded
default; ``redis://``, production). A process serves one application: the last
``configure`` wins, which only the test suite ever does more than once.
"""

from __future__ import annotations

from typing import Any, NoReturn

from huey import Huey
from huey.storage import BaseStorage, RedisStorage, SqliteStorage
from redis import ConnectionPool

DEFAULT_NAME = "cosigne"
# Seconds before a Redis that does not answer counts as down (the web request that
# hands a mail over must not hang on it: the sweep sends the mail anyway).
REDIS_CONNECT_TIMEOUT = 2.0
REDIS_SOCKET_TIMEOUT = 10.0  # above the blocking read's 1 s


class Unconfigured(BaseStorage):
    """The storage before ``configure``: any use is a clear error, never a silent queue
    in memory that would forget its jobs."""

    def __getattribute__(self, attr: str) -> Any:
        if attr in ("name", "__class__", "__dict__", "__init__") or attr.startswith("__"):
            return object.__getattribute__(self, attr)
        raise RuntimeError(
            "the job queue (app.jobs) is not configured: create_app() points it at COSIGNE_JOBS_URL"
        )


class CosigneHuey(Huey):
    def get_storage(self, **kwargs: Any) -> BaseStorage:
        return Unconfigured(self.name)


# results=False: no task's return value is read; a result store would only grow in Redis.
huey = CosigneHuey(DEFAULT_NAME, results=False, utc=True)


def _refuse(url: str) -> NoReturn:
    raise RuntimeError(
        f"COSIGNE_JOBS_URL must be sqlite:///path (the embedded queue, no server) or "
        f"redis://host:port/db (production), not {url!r}"
    )


def storage_for(url: str, name: str = DEFAULT_NAME) -> BaseStorage:
    """The Huey storage that ``url`` names; anything else is refused with the value."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")  # sqlite:////abs/path → /abs/path
        if not path or path == ":memory:":
            _refuse(url)  # a queue in memory is one no worker ever sees
        return SqliteStorage(name, filename=path)
    if url.startswith(("redis://", "rediss://", "unix://")):
        pool = ConnectionPool.from_url(
            url,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
            socket_timeout=REDIS_SOCKET_TIMEOUT,
        )
        return RedisStorage(name, connection_pool=pool)
    _refuse(url)


def configure(url: str, name: str = DEFAULT_NAME) -> Huey:
    """Point the instance at ``url`` (its tasks stay registered). ``name`` keys the
    queue in the storage: two applications sharing a Redis keep apart by it."""
    huey.name = name
    huey.storage = storage_for(url, name)
    return huey
