"""JSON API of the notifications: the user's own, newest first, marking them read, and
the e-mail preferences."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from app.json_input import flag, payload
from app.notifications import operations, queries
from workflows.conventions import parse_id
from workflows.errors import InvalidInput
from workflows.notifications import DELIVERY_LABELS, KIND_LABELS, Delivery, Kind

bp = Blueprint("notifications_api", __name__, url_prefix="/api")

MAX_IDS = 1000


def _filters() -> queries.Filters:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in Kind._value2member_map_:
        raise InvalidInput(f"kind inconnu : {kind[:40]!r}.")
    unread = request.args.get("unread", "")
    if unread not in ("", "0", "1", "true", "false"):
        raise InvalidInput("unread vaut 1 ou 0.")
    return queries.Filters(
        convention_id=parse_id(request.args.get("convention", "")),
        kind=Kind(kind) if kind else None,
        unread=unread in ("1", "true"),
        before=parse_id(request.args.get("before", "")),
    )


@bp.get("/notifications")
def index() -> ResponseReturnValue:
    limit = parse_id(request.args.get("limit", "")) or queries.PAGE
    limit = min(limit, 200)
    rows = queries.notifications(g.user.id, _filters(), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(
        notifications=[queries.notification_json(n, request.url_root) for n in rows],
        unread=queries.unread_count(g.user.id),
        next_before=rows[-1].id if more and rows else None,
    )


@bp.post("/notifications/read")
def read() -> ResponseReturnValue:
    data = payload('{"ids": [1, 2]} ou {"all": true}')
    everything = flag(data, "all")
    ids = data.get("ids")
    if everything == (ids is not None):
        raise InvalidInput('Indiquez soit "ids" (une liste d\'identifiants), soit "all": true.')
    if ids is not None:
        if not isinstance(ids, list) or len(ids) > MAX_IDS:
            raise InvalidInput(f'"ids" est une liste de {MAX_IDS} identifiants au plus.')
        parsed = [
            parse_id(i) if isinstance(i, int) and not isinstance(i, bool) else None for i in ids
        ]
        if any(i is None for i in parsed):
            raise InvalidInput('"ids" ne contient que des identifiants entiers positifs.')
        marked = operations.mark_read(g.user.id, [i for i in parsed if i is not None])
    else:
        marked = operations.mark_read(g.user.id)
    return jsonify(marked=marked, unread=queries.unread_count(g.user.id))


def _preferences_json(user_id: int) -> dict[str, object]:
    chosen = queries.chosen_kinds(user_id)
    return {
        "preferences": [
            {
                "kind": kind.value,
                "label": KIND_LABELS[kind],
                "delivery": delivery.value,
                "chosen": kind in chosen,
            }
            for kind, delivery in queries.preferences(user_id).items()
        ],
        "deliveries": {d.value: label for d, label in DELIVERY_LABELS.items()},
    }


@bp.get("/notifications/preferences")
def preferences() -> ResponseReturnValue:
    return jsonify(_preferences_json(g.user.id))


@bp.post("/notifications/preferences")
def preferences_set() -> ResponseReturnValue:
    data = payload('{"preferences": {"mention": "immediat", "etape": "hebdomadaire"}}')
    raw = data.get("preferences")
    if not isinstance(raw, dict) or not raw:
        raise InvalidInput('"preferences" est un objet { type : envoi }.')
    chosen = {}
    for kind, delivery in raw.items():
        if kind not in Kind._value2member_map_:
            raise InvalidInput(f"Type de notification inconnu : {str(kind)[:40]!r}.")
        if not isinstance(delivery, str) or delivery not in Delivery._value2member_map_:
            raise InvalidInput(
                f"Envoi inconnu pour {kind} : immediat, quotidien, hebdomadaire ou aucun."
            )
        chosen[Kind(kind)] = Delivery(delivery)
    operations.set_preferences(g.user.id, chosen)
    return jsonify(_preferences_json(g.user.id))
