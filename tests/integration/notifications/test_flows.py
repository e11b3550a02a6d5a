"""From the click to the mailbox: an event done through its page reaches a real SMTP
server according to each reader's choice: at once, in the next morning's digest, or
not at all; the worker's command (`flask jobs run-due`) sends what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.db import db_session
from app.models import CommentThread
from app.notifications.operations import set_preferences
from tests.conftest import logged_in, post_form
from tests.integration.notifications.mails import html_part, text_part
from workflows.notifications import Delivery, Kind


def _run_due(app, now: datetime) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "run-due", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_discussion_reaches_each_reader_as_they_chose(mail_app, smtp, world):
    app = mail_app
    now = datetime.now(UTC)
    # The scheduler has already run today: today's digest period is done.
    _run_due(app, now)
    with app.app_context():
        set_preferences(world.users["redacteur"], {Kind.DISCUSSION_OPENED: Delivery.IMMEDIATE})
        set_preferences(world.users["associe"], {Kind.MENTION: Delivery.DAILY})
        set_preferences(world.users["signataire"], {Kind.REPLY: Delivery.OFF})
    signer = logged_in(app, "sign@epci.test")
    response = post_form(
        signer,
        f"/sections/{world.section_id}/threads",
        {"body": "D'où vient le chiffre ? @Asso, vous l'avez ?", "quote": "Premier texte"},
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        thread_id = db_session().scalar(select(func.max(CommentThread.id)))
    drafter = logged_in(app, "redac@oph.test")
    post_form(drafter, f"/threads/{thread_id}/reply", {"body": "Du bilan 2024."})

    output = _run_due(app, now + timedelta(seconds=30))
    assert "1 envoyé(s)" in output
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ["redac@oph.test"]  # the drafter, at once
    assert "[Cosigne · CUS test]" in mail.message["Subject"]
    assert "a ouvert une discussion" in mail.message["Subject"]
    assert f"/sections/{world.section_id}#fil-" in text_part(mail.message)
    assert f"/sections/{world.section_id}#fil-" in html_part(mail.message)

    # The next morning, after 7:00 in Paris: the associé's digest carries the mention;
    # the signatory, who turned replies off, receives nothing.
    paris = ZoneInfo("Europe/Paris")
    morning = (now.astimezone(paris) + timedelta(days=1)).replace(hour=8, minute=0)
    output = _run_due(app, morning)
    received = smtp.wait_for(2)
    assert len(received) == 2, output
    digest = received[1]
    assert digest.rcpt_tos == ["asso@dep.test"]
    assert "Résumé du jour" in digest.message["Subject"]
    body = text_part(digest.message)
    assert "Ce qui vous attend" in body and "vous a mentionné" in body
    assert "CUS test" in body and f"/sections/{world.section_id}#fil-" in body
    assert digest.message["List-Unsubscribe"]

    # Run again that morning: nothing goes twice.
    _run_due(app, morning + timedelta(minutes=5))
    assert len(smtp.received) == 2
    assert all("sign@epci.test" not in m.rcpt_tos for m in smtp.received)
