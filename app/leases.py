"""Rows that one worker at a time holds: the outbox's mails, the knowledge base's jobs
and the signed conventions' archives.

A worker takes a row with one conditional UPDATE (it matches only while the row is
claimable, so of two workers one wins) that writes a fresh token and the lease's end;
it records the end with another UPDATE that matches only while its token is still
there (a worker past its lease may have been relieved: then the other's record
stands). Each table says what "claimable" means and what its columns become."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session


def take(
    session: Session, model: Any, row_id: int, claimable: ColumnElement[bool], **values: object
) -> str | None:
    """Claim row ``row_id`` of ``model`` while ``claimable`` holds, writing ``values``
    with a fresh ``claim_token``; the token, or None when the row was not ours."""
    token = secrets.token_hex(16)
    result = session.execute(
        update(model)
        .where(model.id == row_id, claimable)
        .values(claim_token=token, **values)
        .execution_options(synchronize_session=False)
    )
    return token if result.rowcount == 1 else None  # type: ignore[attr-defined]


def release(session: Session, model: Any, row_id: int, token: str, **values: object) -> bool:
    """Write ``values`` and give the claim up, if ``token`` still holds the row; False
    when another worker took it over meanwhile (nothing written)."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.claim_token == token)
        .values(claim_token="", claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
