"""Review, lifecycle, association register and activity pages of a convention."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from app import activity, queries
from app import lifecycle as life
from app import register as reg
from app import review as rev
from app.audit import ACTION_LABELS
from app.operations import NotFound
from app.webutil import back, require_csrf
from workflows.contributions import STATE_LABELS as CONTRIBUTION_STATE_LABELS
from workflows.conventions import parse_id
from workflows.errors import InvalidInput
from workflows.lifecycle import DEADLINE_LABELS
from workflows.register import parse_date
from workflows.review import POSITION_LABELS

review_bp = Blueprint("review", __name__)
lifecycle_bp = Blueprint("lifecycle", __name__)
association_bp = Blueprint("association", __name__)
activity_bp = Blueprint("activity", __name__)


# --- section review -------------------------------------------------------------------


@review_bp.post("/sections/<int:section_id>/review", endpoint="request")
def request_review(section_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("web.section", section_id=section_id) + "#revue"
    try:
        rev.ask_for_review(section_id, g.user)
    except (InvalidInput, rev.ReviewRefused) as exc:
        return back(target, str(exc))
    return back(target, "Relecture demandée aux signataires.", "success")


@review_bp.post("/sections/<int:section_id>/position")
def position(section_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("web.section", section_id=section_id) + "#revue"
    number = request.form.get("revision_number", "")
    try:
        rev.record_position(
            section_id,
            g.user,
            request.form.get("position", ""),
            request.form.get("text", ""),
            parse_id(number),
        )
    except (InvalidInput, rev.ReviewRefused) as exc:
        return back(target, str(exc))
    return back(target, "Position enregistrée.", "success")


@review_bp.get("/conventions/<int:convention_id>/reserves")
def register(convention_id: int):  # type: ignore[no-untyped-def]
    return render_template(
        "reserves.html",
        convention=g.convention,
        items=rev.register(convention_id),
        POSITION_LABELS=POSITION_LABELS,
    )


# --- lifecycle ------------------------------------------------------------------------


@lifecycle_bp.post("/conventions/<int:convention_id>/transition")
def transition(convention_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("web.convention", convention_id=convention_id)
    try:
        convention = life.transition(convention_id, g.user, request.form.get("to", ""))
    except life.TransitionRefused as exc:
        return back(target, "Passage refusé : " + " ".join(exc.reasons))
    except InvalidInput as exc:
        return back(target, str(exc))
    from workflows.lifecycle import STATE_LABELS

    return back(
        target,
        f"La convention est désormais au stade « {STATE_LABELS[convention.state]} ».",
        "success",
    )


@lifecycle_bp.post("/conventions/<int:convention_id>/deadlines")
def deadlines(convention_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("web.convention", convention_id=convention_id) + "#echeances"
    try:
        values = {
            key: parse_date(request.form.get(key), label)
            if request.form.get(key, "").strip()
            else None
            for key, label in DEADLINE_LABELS.items()
        }
        life.set_deadlines(convention_id, g.user, values)
    except InvalidInput as exc:
        return back(target, str(exc))
    return back(target, "Échéances enregistrées.", "success")


@lifecycle_bp.post("/conventions/<int:convention_id>/sign")
def sign(convention_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("web.convention", convention_id=convention_id) + "#signatures"
    membership = request.form.get("membership_id", "")
    try:
        signed_on = parse_date(request.form.get("signed_on"), "La date de signature")
        life.sign(convention_id, g.user, parse_id(membership), signed_on)
    except life.TransitionRefused as exc:
        return back(target, " ".join(exc.reasons))
    except InvalidInput as exc:
        return back(target, str(exc))
    return back(target, "Signature enregistrée.", "success")


@lifecycle_bp.post("/conventions/<int:convention_id>/avenant")
def avenant(convention_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("web.convention", convention_id=convention_id)
    try:
        created = life.create_avenant(convention_id, g.user, request.form.get("title", ""))
    except life.TransitionRefused as exc:
        return back(target, " ".join(exc.reasons))
    except InvalidInput as exc:
        return back(target, str(exc))
    return back(
        url_for("web.convention", convention_id=created.id),
        "Avenant ouvert : ses sections reprennent le texte signé.",
        "success",
    )


@lifecycle_bp.get("/conventions/<int:convention_id>/signed")
def signed(convention_id: int):  # type: ignore[no-untyped-def]
    if not g.convention.signed_sha256:
        abort(404, "Cette convention n'est pas signée.")
    return render_template(
        "signed.html", convention=g.convention, signatures=life.signatures(convention_id)
    )


# --- register of the association ------------------------------------------------------


def register_page(convention_id: int):  # type: ignore[no-untyped-def]
    meetings = reg.meetings(convention_id)
    organisations = {o.id: o for o in queries.organisations()}

    return render_template(
        "association.html",
        convention=g.convention,
        meetings=meetings,
        warnings={m.id: reg.warnings_of(m) for m in meetings},
        organisations=organisations,
        members=queries.members(convention_id),
        contributions=reg.written_contributions(convention_id),
        letters=reg.letters(convention_id),
        CONTRIBUTION_STATES=CONTRIBUTION_STATE_LABELS,
        printed_on=reg.today(),
        print_view=request.args.get("impression") == "1",
    )


association_bp.add_url_rule(
    "/conventions/<int:convention_id>/association", "register", register_page
)


@association_bp.post("/conventions/<int:convention_id>/meetings")
def meeting_add(convention_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("association.register", convention_id=convention_id)
    try:
        raw = request.form.get("meeting_on", "")
        meeting_on = parse_date(raw, "La date de la réunion") if raw.strip() else None
        invited = [i for v in request.form.getlist("invited") if (i := parse_id(v))]
        reg.add_meeting(
            convention_id,
            g.user,
            request.form.get("title", ""),
            meeting_on,
            request.form.get("place", ""),
            invited,
        )
    except InvalidInput as exc:
        return back(target, str(exc))
    return back(target, "Réunion enregistrée.", "success")


@association_bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/documents")
def document_add(convention_id: int, meeting_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("association.register", convention_id=convention_id) + f"#reunion-{meeting_id}"
    try:
        raw = request.form.get("sent_on", "")
        sent_on = parse_date(raw, "La date d'envoi") if raw.strip() else None
        _doc, warning = reg.add_document(
            convention_id, meeting_id, g.user, request.form.get("title", ""), sent_on
        )
    except InvalidInput as exc:
        return back(target, str(exc))
    except NotFound as exc:
        abort(404, str(exc))
    if warning:
        return back(target, f"Document enregistré. Attention : {warning}", "warning")
    return back(target, "Document enregistré.", "success")


@association_bp.post("/conventions/<int:convention_id>/letters")
def letter_add(convention_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("association.register", convention_id=convention_id) + "#courriers"
    try:
        raw = request.form.get("received_on", "")
        received_on = parse_date(raw, "La date de réception") if raw.strip() else None
        reg.add_letter(
            convention_id,
            g.user,
            request.form.get("sender", ""),
            received_on,
            request.form.get("subject", ""),
            request.form.get("summary", ""),
        )
    except InvalidInput as exc:
        return back(target, str(exc))
    return back(target, "Courrier enregistré au registre.", "success")


@association_bp.post("/conventions/<int:convention_id>/meetings/<int:meeting_id>/minutes")
def minutes(convention_id: int, meeting_id: int):  # type: ignore[no-untyped-def]
    require_csrf()
    target = url_for("association.register", convention_id=convention_id) + f"#reunion-{meeting_id}"
    try:
        reg.set_minutes(convention_id, meeting_id, g.user, request.form.get("minutes", ""))
    except InvalidInput as exc:
        return back(target, str(exc))
    except NotFound as exc:
        abort(404, str(exc))
    return back(target, "Compte rendu enregistré.", "success")


# --- activity -------------------------------------------------------------------------


@activity_bp.get("/conventions/<int:convention_id>/events")
def events(convention_id: int):  # type: ignore[no-untyped-def]
    action = request.args.get("action") or None
    organisation = request.args.get("organisation", "")
    before = request.args.get("avant", "")
    rows = activity.events(
        convention_id,
        action,
        parse_id(organisation),
        parse_id(before),
    )
    return render_template(
        "events.html",
        convention=g.convention,
        events=rows,
        actions=activity.event_actions(convention_id),
        ACTION_LABELS=ACTION_LABELS,
        members=queries.members(convention_id),
        action=action,
        organisation=organisation,
        page_size=activity.EVENTS_PAGE,
    )


@activity_bp.get("/conventions/<int:convention_id>/ledger")
def ledger(convention_id: int):  # type: ignore[no-untyped-def]
    from workflows.contributions import STATE_LABELS

    return render_template(
        "ledger.html",
        convention=g.convention,
        ledger=activity.ledger(convention_id),
        STATES=STATE_LABELS,
    )


@activity_bp.get("/inbox")
def inbox():  # type: ignore[no-untyped-def]
    return render_template("inbox.html", inbox=activity.inbox(g.user))


@activity_bp.post("/inbox/read")
def inbox_read():  # type: ignore[no-untyped-def]
    require_csrf()
    activity.mark_read(g.user)
    return back(url_for("activity.inbox"), "Messages marqués comme lus.", "success")
