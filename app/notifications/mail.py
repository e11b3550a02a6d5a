"""The e-mails' words: a notification's, a digest's. French, text and HTML, with the
direct link, the convention's name in the subject and an unsubscribe link (and the
``List-Unsubscribe`` headers, RFC 2369 and 8058) that turns that kind off without logging
in. Links are absolute from ``BASE_URL``: a mail is written outside any request."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formataddr
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape

from app.models import User
from app.notifications.outbox import Mail
from workflows.notifications import KIND_LABELS, Delivery, DigestGroup, Kind

_SALT = "cosigne-unsubscribe"


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return current_app.config["BASE_URL"].rstrip("/") + "/" + path.lstrip("/")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, kinds: Iterable[Kind]) -> str:
    return _serializer().dumps([user_id, sorted(k.value for k in set(kinds))])


def read_unsubscribe_token(token: str) -> tuple[int, list[Kind]] | None:
    """The reader and the kinds a link names, None when it was not signed by us."""
    try:
        user_id, kinds = _serializer().loads(token)
        return int(user_id), [Kind(k) for k in kinds]
    except (BadSignature, ValueError, TypeError):
        return None


def unsubscribe_url(user_id: int, kinds: Iterable[Kind]) -> str:
    return absolute(f"/notifications/desabonnement/{unsubscribe_token(user_id, kinds)}")


def _headers(unsubscribe: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _render(name: str, context: dict[str, Any]) -> str:
    # The template alone, without Flask's context processors (the pages' labels, the
    # CSRF token, the unread counter): a mail needs none of them, and a transition renders
    # one mail per member inside the action's transaction.
    return current_app.jinja_env.get_template(name).render(context)


def _subject(convention: str, text: str) -> str:
    prefix = f"[Cosigne · {convention}] " if convention else "[Cosigne] "
    return (prefix + " ".join(text.split()))[:300]


# Stand-ins for what differs from one reader to the next: the words are rendered once
# for all the readers of an event, then each reader's name and link are put in (a
# transition tells every member, inside the action's own transaction).
_NAME, _UNSUBSCRIBE = "\x00reader\x00", "\x00unsubscribe\x00"


class _Reader:
    name = _NAME


def for_notifications(
    readers: list[User], kind: Kind, summary: str, link: str, convention: str, actor: User | None
) -> list[Mail]:
    """One mail per reader of an event."""
    if not readers:
        return []
    context = {
        "reader": _Reader(),
        "summary": summary,
        "url": absolute(link or "/inbox"),
        "convention": convention,
        "actor": actor,
        "kind_label": KIND_LABELS[kind],
        "unsubscribe": _UNSUBSCRIBE,
        "preferences": absolute("/notifications/preferences"),
    }
    text = _render("mail/notification.txt", context)
    html = _render("mail/notification.html", context)
    subject = _subject(convention, summary)
    mails = []
    for reader in readers:
        unsubscribe = unsubscribe_url(reader.id, [kind])
        mails.append(
            Mail(
                recipient=formataddr((reader.name, reader.email)),
                subject=subject,
                text=text.replace(_NAME, reader.name).replace(_UNSUBSCRIBE, unsubscribe),
                html=html.replace(_NAME, str(escape(reader.name))).replace(
                    _UNSUBSCRIBE, unsubscribe
                ),
                purpose="notification",
                user_id=reader.id,
                headers=_headers(unsubscribe),
            )
        )
    return mails


def for_digest(reader: User, delivery: Delivery, groups: list[DigestGroup]) -> Mail:
    """One mail for a reader's daily or weekly digest: by convention, what awaits them
    first. Its unsubscribe link turns off every kind it carries."""
    awaiting = sum(len(g.awaiting) for g in groups)
    total = sum(len(g.awaiting) + len(g.other) for g in groups)
    period = "du jour" if delivery is Delivery.DAILY else "de la semaine"
    if awaiting:
        subject = f"[Cosigne] Résumé {period} : {awaiting} à traiter, {total} au total"
    else:
        subject = f"[Cosigne] Résumé {period} : {total} nouveauté{'s' if total > 1 else ''}"
    if len(groups) == 1 and groups[0].convention:
        subject += f" · {groups[0].convention}"
    kinds = {i.kind for g in groups for i in g.awaiting + g.other}
    unsubscribe = unsubscribe_url(reader.id, kinds)
    context = {
        "reader": reader,
        "groups": groups,
        "period": period,
        "awaiting": awaiting,
        "total": total,
        "absolute": absolute,
        "KIND_LABELS": KIND_LABELS,
        "inbox": absolute("/inbox"),
        "preferences": absolute("/notifications/preferences"),
        "unsubscribe": unsubscribe,
        "kind_labels": [KIND_LABELS[k] for k in sorted(kinds)],
    }
    return Mail(
        recipient=formataddr((reader.name, reader.email)),
        subject=subject[:300],
        text=_render("mail/digest.txt", context),
        html=_render("mail/digest.html", context),
        purpose="digest",
        user_id=reader.id,
        headers=_headers(unsubscribe),
    )
