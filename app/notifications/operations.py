"""Telling people: one notification per reader in the inbox and, when the reader wants
it at once, its e-mail in the outbox, both in the transaction of the event (an action
and the word of it commit or roll back together; the outbox loses nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from app.db import write_transaction
from app.models import Convention, Notification, NotificationPreference, User, utcnow
from app.notifications import audience, mail, outbox
from workflows.errors import NotFound
from workflows.notifications import (
    DIGESTS,
    OBSERVERS_TOLD,
    Delivery,
    Kind,
    delivery_for,
    recipients,
)
from workflows.permissions import Role


def notify(
    session: Session,
    kind: Kind,
    users: Iterable[int],
    summary: str,
    link: str = "",
    convention_id: int | None = None,
    actor: User | None = None,
) -> set[int]:
    """Tell ``users`` of an event (``link``: the path of the exact place it concerns).

    The actor is never told of their own action, and an observateur of the convention
    only of the kinds they chose. Each reader's notification carries the delivery they
    chose for the kind; "immédiat" writes its e-mail to the outbox now. Returns the ids
    of the users told."""
    candidates = set(users)
    if not candidates:
        return set()
    observers: set[int] = set()
    convention = None
    if convention_id is not None:
        convention = session.get(Convention, convention_id)
    if convention_id is not None and kind not in OBSERVERS_TOLD:
        observers = (
            audience.having(audience.roles_of_members(session, convention_id), Role.OBSERVATEUR)
            & candidates
        )
    chosen = {
        user_id: Delivery(delivery)
        for user_id, delivery in session.execute(
            select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                NotificationPreference.user_id.in_(candidates),
                NotificationPreference.kind == kind.value,
            )
        )
    }
    told = recipients(candidates, actor.id if actor else None, observers, chosen.keys())
    if not told:
        return set()
    readers = session.scalars(
        select(User).where(User.id.in_(told), User.active).order_by(User.id)
    ).all()
    now = utcnow()
    rows, mailed = [], []
    for reader in readers:
        delivery = chosen.get(reader.id) or delivery_for(kind, {})
        rows.append(
            {
                "user_id": reader.id,
                "convention_id": convention_id,
                "kind": kind.value,
                "actor_id": actor.id if actor else None,
                "text": summary[:1000],
                "link": link,
                "delivery": delivery.value,
                "mailed_at": now if delivery is Delivery.IMMEDIATE else None,
                "created_at": now,
            }
        )
        if delivery is Delivery.IMMEDIATE:
            mailed.append(reader)
    # One multi-row INSERT each, not one ORM object per reader: a transition tells every
    # member of the convention, and this runs inside the action's own transaction.
    if rows:  # Core, not the ORM's bulk path (which reads back every key for nothing)
        session.connection().execute(insert(cast(Table, Notification.__table__)), rows)
    title = convention.title if convention else ""
    outbox.write_many(session, mail.for_notifications(mailed, kind, summary, link, title, actor))
    return {reader.id for reader in readers}


def set_preference(session: Session, user_id: int, kind: Kind, delivery: Delivery) -> None:
    """A reader's choice for one kind. Turning a kind off also drops what was waiting
    for a digest of it: an unsubscribed reader gets nothing more of that kind."""
    row = session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind.value
        )
    )
    if row is None:
        session.add(NotificationPreference(user_id=user_id, kind=kind.value, delivery=delivery))
    else:
        row.delivery = delivery.value
        row.updated_at = utcnow()
    # Pending digest items follow the new choice; turned off, they are dropped.
    pending = Delivery.OFF if delivery not in DIGESTS else delivery
    session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.kind == kind.value,
            Notification.mailed_at.is_(None),
            Notification.delivery.in_([d.value for d in DIGESTS]),
        )
        .values(delivery=pending.value)
    )


def with_roles(session: Session, convention_id: int, *roles: Role) -> set[int]:
    """The active users acting with one of ``roles`` in a convention."""
    return audience.having(audience.roles_of_members(session, convention_id), *roles)


def everyone(session: Session, convention_id: int) -> set[int]:
    return set(audience.roles_of_members(session, convention_id))


def state_members(session: Session, convention_id: int) -> set[int]:
    """The active users of a convention whose organisation is a State service (whatever
    their role: the negotiator and the services consulted)."""
    return audience.of_state(session, audience.roles_of_members(session, convention_id))


def mark_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read: those of ``ids`` (others' are left alone,
    silently: an id is not a way to learn what exists), or all when ``ids`` is None.
    Returns how many were unread."""
    query = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        query = query.where(Notification.id.in_(wanted))
    with write_transaction() as session:
        result = session.execute(query.values(read_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def set_preferences(user_id: int, chosen: Mapping[Kind, Delivery]) -> None:
    with write_transaction() as session:
        for kind, delivery in sorted(chosen.items()):
            set_preference(session, user_id, kind, delivery)


def unsubscribe(token: str) -> tuple[User, list[Kind]]:
    """Turn off, without logging in, the kinds a mail's signed link names."""
    found = mail.read_unsubscribe_token(token)
    if found is None:
        raise NotFound("Ce lien de désabonnement n'est pas valide.")
    user_id, kinds = found
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Ce lien de désabonnement n'est pas valide.")
        for kind in kinds:
            set_preference(session, user_id, kind, Delivery.OFF)
    return user, kinds
