"""Background jobs on Huey (``engine``): sending the outbox, the digests, the deadline
reminders, the knowledge base's uploads and rebuilds, the signed conventions' PDF/A
archives (``tasks``), the worker's command
(``cli``) and the administrators' page of the outbox (``views``). ``init_app`` points the
queue at ``JOBS_URL`` and hands each commit's new mails to it."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context

from app.archive import operations as archive
from app.jobs import engine, tasks
from app.notifications import outbox


def init_app(app: Flask) -> None:
    engine.configure(app.config["JOBS_URL"], app.config["JOBS_NAME"])
    if _after_commit not in outbox.after_commit_hooks:
        outbox.after_commit_hooks.append(_after_commit)
    # A signed convention's PDF/A archive, converted by a worker once the signing commits.
    if tasks.hand_over_archives not in archive.after_commit_hooks:
        archive.after_commit_hooks.append(tasks.hand_over_archives)


def _after_commit(ids: list[int]) -> None:
    # Without an SMTP server the mails stay in the outbox (nothing would send them):
    # queueing them would only fill the queue.
    if has_app_context() and not current_app.config.get("SMTP_HOST"):
        return
    tasks.hand_over(ids)
