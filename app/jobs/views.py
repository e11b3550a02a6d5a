"""The administrators' page of the outbox: the mails that wait (and why, when no SMTP
server is configured) and those that failed after their last try, with a retry."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.forms import EmptyForm, submitted
from app.jobs import queries, tasks
from app.notifications import delivery
from workflows.errors import CosigneError
from workflows.notifications import MAX_ATTEMPTS

bp = Blueprint("jobs", __name__)


def _page(error: CosigneError | None = None) -> ResponseReturnValue:
    return render_template(
        "jobs/outbox.html",
        outbox=queries.outbox(),
        smtp_host=current_app.config.get("SMTP_HOST", ""),
        smtp_port=current_app.config.get("SMTP_PORT"),
        max_attempts=MAX_ATTEMPTS,
        retry_form=EmptyForm(formdata=None),
        error=error,
    ), (error.status if error else 200)


@bp.get("/admin/outbox")
def outbox() -> ResponseReturnValue:
    return _page()


@bp.post("/admin/outbox/<int:mail_id>/retry")
def outbox_retry(mail_id: int) -> ResponseReturnValue:
    errors.on_error(_page)
    submitted(EmptyForm())
    mail = delivery.retry_failed(mail_id)
    if delivery.smtp_configured():
        tasks.hand_over([mail.id])
    flash(f"Message à {mail.recipient} remis dans la file d'envoi.", "success")
    return redirect(url_for("jobs.outbox"))
