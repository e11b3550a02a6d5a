"""Reading uploads out of the web worker: the configured limits (config.py) and the
child process that applies them (``workflows.sandbox``).

The knowledge base's uploads and the Word import (preview, confirmation, a new
convention from a draft) read their file through ``isolated``; nothing else needs a
worker of its own: the child is forked from multiprocessing's fork server, embedded, on
SQLite as on PostgreSQL, under ``make run`` as in the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from workflows import sandbox
from workflows.files import ContentLimits

T = TypeVar("T")

# Imported once by the fork server, so that each child starts with the parsers loaded.
PRELOAD = ("workflows.word.importer", "knowledge.ingest.reading")


def warm_up_once() -> None:
    """A before-request hook: on this process's first request, start the fork server in
    the background, so that the first upload finds the parsers loaded."""
    app = current_app
    if not app.extensions.get("cosigne_parsers_warm"):
        app.extensions["cosigne_parsers_warm"] = True
        sandbox.warm_up()


def content_limits() -> ContentLimits:
    config = current_app.config
    return ContentLimits(
        characters=int(config["PARSE_MAX_CHARACTERS"]),
        paragraphs=int(config["PARSE_MAX_PARAGRAPHS"]),
        pdf_pages=int(config["PARSE_MAX_PDF_PAGES"]),
        pdf_content_bytes=int(config["PARSE_MAX_PDF_CONTENT_MB"]) * 1024 * 1024,
    )


def process_limits() -> sandbox.ProcessLimits:
    config = current_app.config
    return sandbox.ProcessLimits(
        seconds=float(config["PARSE_TIMEOUT_SECONDS"]),
        memory_mb=int(config["PARSE_MEMORY_MB"]),
    )


def isolated(function: Callable[..., T], *args: Any, filename: str) -> T:
    """``function(*args)`` in a child process within the configured time and memory."""
    return sandbox.run(function, *args, limits=process_limits(), filename=filename)
