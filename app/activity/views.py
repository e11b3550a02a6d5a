"""The journal, the ledger and the inbox on the web."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.access import members
from app.activity import operations, queries
from app.audit import ACTION_LABELS
from app.forms import EmptyForm, submitted
from app.webutil import back
from workflows.contributions import STATE_LABELS
from workflows.conventions import parse_id

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
    return render_template("activity/inbox.html", inbox=queries.inbox(g.user, page=page))


@bp.post("/inbox/read")
def inbox_read() -> ResponseReturnValue:
    submitted(EmptyForm())
    operations.mark_read(g.user)
    return back(url_for("activity.inbox"), "Messages marqués comme lus.", "success")
