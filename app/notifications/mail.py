"""The e-mails' words: a notification's, a digest's. French, text and HTML, with the
direct link, the convention's name in the subject and an unsubscribe link (and the
``List-Unsubscribe`` headers, RFC 2369 and 8058) that turns that kind off without logging
in. Links are absolute from ``BASE_URL``: a mail is written outside any request."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formataddr

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer

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


def _subject(convention: str, text: str) -> str:
    prefix = f"[Cosigne · {convention}] " if convention else "[Cosigne] "
    return (prefix + " ".join(text.split()))[:300]


def for_notification(
    reader: User, kind: Kind, summary: str, link: str, convention: str, actor: User | None
) -> Mail:
    unsubscribe = unsubscribe_url(reader.id, [kind])
    context = {
        "reader": reader,
        "summary": summary,
        "url": absolute(link or "/inbox"),
        "convention": convention,
        "actor": actor,
        "kind_label": KIND_LABELS[kind],
        "unsubscribe": unsubscribe,
        "preferences": absolute("/notifications/preferences"),
    }
    return Mail(
        recipient=formataddr((reader.name, reader.email)),
        subject=_subject(convention, summary),
        text=render_template("mail/notification.txt", **context),
        html=render_template("mail/notification.html", **context),
        purpose="notification",
        user_id=reader.id,
        headers=_headers(unsubscribe),
    )


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
        text=render_template("mail/digest.txt", **context),
        html=render_template("mail/digest.html", **context),
        purpose="digest",
        user_id=reader.id,
        headers=_headers(unsubscribe),
    )
