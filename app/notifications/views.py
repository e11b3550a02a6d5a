"""Notification pages: open one (marking it read), mark one read, the e-mail
preferences, and the unsubscribe link of every mail (no login: the signed link is the
credential)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.db import db_session
from app.forms import EmptyForm, submitted
from app.models import Notification
from app.notifications import operations, queries
from app.webutil import back
from workflows.errors import InvalidInput
from workflows.notifications import AWAITING, DELIVERY_LABELS, KIND_LABELS, Delivery, Kind
from workflows.state import is_state

bp = Blueprint("notifications", __name__)


def _own(notification_id: int) -> Notification:
    notification = db_session().get(Notification, notification_id)
    if notification is None or notification.user_id != g.user.id:
        abort(404, "Notification introuvable.")
    return notification


def _safe_link(link: str) -> str:
    # Stored links are paths of the application; anything else goes to the inbox.
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return url_for("activity.inbox")


@bp.get("/notifications/<int:notification_id>")
def open_one(notification_id: int) -> ResponseReturnValue:
    """Follow a notification to the place it tells of, marking it read on the way."""
    notification = _own(notification_id)
    operations.mark_read(g.user.id, [notification.id])
    return redirect(_safe_link(notification.link))


@bp.post("/notifications/<int:notification_id>/read")
def read_one(notification_id: int) -> ResponseReturnValue:
    submitted(EmptyForm())
    operations.mark_read(g.user.id, [_own(notification_id).id])
    return back(url_for("activity.inbox"), "Notification marquée comme lue.", "success")


@bp.route("/notifications/preferences", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    if request.method == "POST":
        submitted(EmptyForm())
        current = queries.preferences(g.user.id)
        explicit = queries.chosen_kinds(g.user.id)
        chosen = {}
        for kind in Kind:
            raw = request.form.get(kind.value)
            if raw is None:
                continue
            if raw not in Delivery._value2member_map_:
                raise InvalidInput(f"Choix inconnu pour « {KIND_LABELS[kind]} ».")
            # A kind left at its default stays a default: saving the page must not opt an
            # observateur in to every kind it shows.
            if kind in explicit or Delivery(raw) is not current[kind]:
                chosen[kind] = Delivery(raw)
        operations.set_preferences(g.user.id, chosen)
        return back(
            url_for("notifications.preferences"), "Vos préférences sont enregistrées.", "success"
        )
    shown = queries.preferences(g.user.id)
    if not is_state(g.user.organisation.kind):
        # The State's internal opinions are not a thing the others are told of.
        shown.pop(Kind.STATE_OPINION, None)
    return render_template(
        "notifications/preferences.html",
        preferences=shown,
        chosen=queries.chosen_kinds(g.user.id),
        KIND_LABELS=KIND_LABELS,
        DELIVERY_LABELS=DELIVERY_LABELS,
        AWAITING=AWAITING,
        Delivery=Delivery,
    )


@bp.route("/notifications/desabonnement/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET asks for the click (mail scanners follow links, and must not unsubscribe
    anyone); POST turns the kinds off: the page's button, or a mail client's one-click
    request (RFC 8058, ``List-Unsubscribe=One-Click``), which carries no CSRF token and
    needs none: the signed token is what authorises it, and it only ever turns mail off."""
    if request.method == "POST":
        _user, kinds = operations.unsubscribe(token)
        return render_template(
            "notifications/unsubscribed.html", labels=[KIND_LABELS[k] for k in kinds]
        )
    found = operations.mail.read_unsubscribe_token(token)
    if found is None:
        abort(404, "Ce lien de désabonnement n'est pas valide.")
    return render_template(
        "notifications/unsubscribe.html",
        token=token,
        labels=[KIND_LABELS[k] for k in found[1]],
    )
