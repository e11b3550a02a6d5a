"""Reading a user's notifications and preferences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.db import db_session
from app.models import Convention, Notification, NotificationPreference, iso
from workflows.notifications import Delivery, Kind, default_delivery

PAGE = 50


@dataclass(frozen=True)
class Filters:
    convention_id: int | None = None
    kind: Kind | None = None
    unread: bool = False
    before: int | None = None  # the id of the last notification of the page before


def unread_count(user_id: int) -> int:
    return (
        db_session().scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications(user_id: int, filters: Filters, limit: int = PAGE) -> list[Notification]:
    """A page of the user's notifications, newest first (``limit`` + 1 are read: the last
    one only tells that another page follows)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if filters.convention_id is not None:
        query = query.where(Notification.convention_id == filters.convention_id)
    if filters.kind is not None:
        query = query.where(Notification.kind == filters.kind.value)
    if filters.unread:
        query = query.where(Notification.read_at.is_(None))
    if filters.before is not None:
        query = query.where(Notification.id < filters.before)
    return list(
        db_session().scalars(
            query.options(joinedload(Notification.convention))
            .order_by(Notification.id.desc())
            .limit(limit + 1)
        )
    )


def conventions_notified(user_id: int) -> list[tuple[int, str]]:
    """The conventions the user has notifications of (the inbox's filter), by title."""
    rows = db_session().execute(
        select(Convention.id, Convention.title)
        .where(
            Convention.id.in_(
                select(Notification.convention_id).where(Notification.user_id == user_id)
            )
        )
        .order_by(Convention.title, Convention.id)
    )
    return [(cid, title) for cid, title in rows]


def preferences(user_id: int) -> dict[Kind, Delivery]:
    """Each kind's delivery for the user: their choice, or the default."""
    chosen = {
        kind: delivery
        for kind, delivery in db_session().execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user_id
            )
        )
    }
    result = {}
    for kind in Kind:
        raw = chosen.get(kind.value) or ""
        result[kind] = (
            Delivery(raw) if raw in Delivery._value2member_map_ else default_delivery(kind)
        )
    return result


def chosen_kinds(user_id: int) -> set[Kind]:
    """The kinds the user set themselves (an observateur receives only these)."""
    return {
        Kind(kind)
        for kind in db_session().scalars(
            select(NotificationPreference.kind).where(NotificationPreference.user_id == user_id)
        )
        if kind in Kind._value2member_map_
    }


def notification_json(notification: Notification, root: str) -> dict[str, Any]:
    link = notification.link or "/inbox"
    return {
        "id": notification.id,
        "kind": notification.kind,
        "convention_id": notification.convention_id,
        "url": root.rstrip("/") + link if link.startswith("/") else link,
        "summary": notification.text,
        "read": notification.read_at is not None,
        "created_at": iso(notification.created_at),
    }
