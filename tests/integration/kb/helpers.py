"""Uploading to the knowledge base as the web page does."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import csrf_token


def upload(client, filename, data, kind="guide"):
    token = csrf_token(client, "/kb/documents")
    return client.post(
        "/kb/documents",
        data={
            "csrf_token": token,
            "kind": kind,
            "status": "en_vigueur",
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


@contextmanager
def as_worker(app) -> Iterator[None]:
    """The tasks of this block run in ``app``, as in a worker bound to it; the binding
    of the process is given back after (each test has an application of its own)."""
    from app.jobs import tasks  # noqa: PLC0415

    before = dict(tasks._bound)
    tasks.bind(app)
    try:
        yield
    finally:
        tasks._bound.clear()
        tasks._bound.update(before)


def run_jobs(app) -> int:
    """Run, in this process, the tasks the requests queued (as a worker would): no
    consumer runs in the ordinary tests, so an upload stays waiting until this."""
    from app.jobs.engine import huey  # noqa: PLC0415

    ran = 0
    with as_worker(app):
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
    return ran


def upload_and_run(app, client, filename, data, kind="guide"):
    """Upload through the page, then run the queued ingestion."""
    response = upload(client, filename, data, kind)
    run_jobs(app)
    return response
