"""Uploading to the knowledge base as the web page does."""

from __future__ import annotations

import io

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


def run_jobs(app) -> int:
    """Run, in this process, the tasks the requests queued (as a worker would): no
    consumer runs in the ordinary tests, so an upload stays waiting until this."""
    from app.jobs import tasks  # noqa: PLC0415
    from app.jobs.engine import huey  # noqa: PLC0415

    before = dict(tasks._bound)
    tasks.bind(app)
    ran = 0
    try:
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
    finally:
        tasks._bound.clear()
        tasks._bound.update(before)
    return ran


def upload_and_run(app, client, filename, data, kind="guide"):
    """Upload through the page, then run the queued ingestion."""
    response = upload(client, filename, data, kind)
    run_jobs(app)
    return response
