"""The assistant's writes: each user's conversation, kept in the database (the last
``KEEP_EXCHANGES``), and the one-time move of a conversation an earlier version kept in
a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from app.db import write_transaction
from app.models import AssistantExchange, Section

KEEP_EXCHANGES = 20


def carry_over_file(user_id: int) -> None:
    """A conversation kept by an earlier version in ``<data dir>/assistant/<id>.json``
    moves into the database once, then the file goes."""
    path = Path(current_app.config["DATA_DIR"]) / "assistant" / f"{int(user_id)}.json"
    if not path.is_file():
        return
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = []
    with write_transaction() as session:
        for exchange in kept[-KEEP_EXCHANGES:] if isinstance(kept, list) else []:
            if isinstance(exchange, dict):
                section = exchange.get("section") or {}
                section_id = section.get("id") if isinstance(section, dict) else None
                if section_id is not None and session.get(Section, section_id) is None:
                    section_id = None
                session.add(
                    AssistantExchange(user_id=user_id, section_id=section_id, content=exchange)
                )
    path.unlink(missing_ok=True)


def remember(user_id: int, exchange: dict[str, Any], section_id: int | None = None) -> None:
    """Add an exchange to the user's conversation, keeping the last KEEP_EXCHANGES."""
    mine = AssistantExchange.user_id == user_id
    with write_transaction() as session:
        session.add(AssistantExchange(user_id=user_id, section_id=section_id, content=exchange))
        session.flush()
        oldest_kept = session.scalar(
            select(AssistantExchange.id)
            .where(mine)
            .order_by(AssistantExchange.id.desc())
            .offset(KEEP_EXCHANGES - 1)
            .limit(1)
        )
        if oldest_kept is not None:
            session.execute(
                delete(AssistantExchange).where(mine, AssistantExchange.id < oldest_kept)
            )


def forget(user_id: int) -> None:
    with write_transaction() as session:
        session.execute(delete(AssistantExchange).where(AssistantExchange.user_id == user_id))
