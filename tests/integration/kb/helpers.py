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
