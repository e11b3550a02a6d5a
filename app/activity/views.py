"""The journal, the ledger and the inbox on the web."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.access import members
from app.activity import queries
from app.audit import ACTION_LABELS
from app.forms import EmptyForm, submitted
from app.notifications import operations as notifications_operations
from app.notifications import queries as notifications_queries
from app.webutil import back
from workflows.contributions import STATE_LABELS
from workflows.conventions import parse_id
from workflows.notifications import KIND_LABELS as NOTIFICATION_KINDS
from workflows.notifications import Kind

bp = Blueprint("activity", __name__)


@bp.get("/conventions/<int:convention_id>/events")
def events(convention_id: int) -> ResponseReturnValue:
    action = request.args.get("action") or None
    organisation = request.args.get("organisation", "")
    rows = queries.events(
        convention_id, action, parse_id(organisation), parse_id(request.args.get("avant", ""))
    )
    return render_template(
        "activity/events.html",
        convention=g.convention,
        events=rows,
        actions=queries.event_actions(convention_id),
        ACTION_LABELS=ACTION_LABELS,
        members=members(convention_id),
        action=action,
        organisation=organisation,
        page_size=queries.EVENTS_PAGE,
    )


@bp.get("/conventions/<int:convention_id>/ledger")
def ledger(convention_id: int) -> ResponseReturnValue:
    return render_template(
        "activity/ledger.html",
        convention=g.convention,
        ledger=queries.ledger(convention_id),
        STATES=STATE_LABELS,
    )


@bp.get("/inbox")
def inbox() -> ResponseReturnValue:
    page = parse_id(request.args.get("page", "")) or 1
    kind = request.args.get("type", "")
    filters = notifications_queries.Filters(
        convention_id=parse_id(request.args.get("convention", "")),
        kind=Kind(kind) if kind in Kind._value2member_map_ else None,
        unread=request.args.get("non_lues") == "1",
        before=parse_id(request.args.get("avant", "")),
    )
    rows = notifications_queries.notifications(g.user.id, filters)
    more = len(rows) > notifications_queries.PAGE
    rows = rows[: notifications_queries.PAGE]
    return render_template(
        "activity/inbox.html",
        inbox=queries.inbox(g.user, page=page),
        notifications=rows,
        next_before=rows[-1].id if more and rows else None,
        filters=filters,
        filtered=filters != notifications_queries.Filters(before=filters.before),
        unread=notifications_queries.unread_count(g.user.id),
        conventions=notifications_queries.conventions_notified(g.user.id),
        NOTIFICATION_KINDS={k.value: label for k, label in NOTIFICATION_KINDS.items()},
    )


@bp.post("/inbox/read")
def inbox_read() -> ResponseReturnValue:
    submitted(EmptyForm())
    notifications_operations.mark_read(g.user.id)
    return back(url_for("activity.inbox"), "Messages marqués comme lus.", "success")
