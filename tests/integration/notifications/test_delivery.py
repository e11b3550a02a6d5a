"""Sending the outbox to a real SMTP server (aiosmtpd on loopback): what arrives, to
whom, with which words and headers; a server down then back; refusals until the last
try, shown to administrators; no server configured at all."""

from __future__ import annotations

import logging

import pytest

from app.jobs import engine
from app.models import utcnow
from app.notifications import delivery
from config import Config
from tests.conftest import csrf_token, logged_in, post_form
from tests.factories import make_user
from tests.integration.notifications.conftest import free_port
from tests.integration.notifications.mails import html_part, later, outbox, tell, text_part
from workflows.conventions import OrganisationKind
from workflows.notifications import MAX_ATTEMPTS, RETRY_DELAYS, Kind


def test_a_mail_arrives_with_its_recipient_subject_link_and_headers(mail_app, smtp, world):
    with mail_app.app_context():
        tell(
            [world.users["signataire"]],
            "Redac vous mentionne dans une discussion",
            world.convention_id,
            link=f"/threads/{world.thread_id}",
        )
        [row] = outbox()
        assert row.status == "pending"
        report = delivery.send_due()
        assert (report.sent, report.retried, report.failed) == (1, 0, 0)
        [row] = outbox()
        assert row.status == "sent" and row.sent_at is not None and row.attempts == 1

    [received] = smtp.received
    assert received.rcpt_tos == ["sign@epci.test"]
    assert received.mail_from == "cosigne@cosigne.test"
    message = received.message
    assert message["Subject"] == "[Cosigne · CUS test] Redac vous mentionne dans une discussion"
    assert "sign@epci.test" in message["To"]
    assert message["Message-ID"] == row.message_id
    assert message["Message-ID"].startswith(f"<cosigne.outbox.{row.id}.")
    assert message["Content-Language"] == "fr"
    link = f"http://127.0.0.1:5000/threads/{world.thread_id}"
    text, html = text_part(message), html_part(message)
    assert link in text and link in html
    assert "Bonjour" in text and "CUS test" in text
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:5000/notifications/desabonnement/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text


def test_server_down_loses_nothing_and_everything_arrives_once_it_is_back(mail_app, smtp, world):
    smtp.stop()
    readers = [world.users["signataire"], world.users["associe"], world.users["redacteur"]]
    with mail_app.app_context():
        for reader in readers:
            tell([reader], f"Mention pour {reader}", world.convention_id)
        now = utcnow()
        report = delivery.send_due(now)
        # The first try finds the server away: counted, the next try set a minute on;
        # the others wait for the next sweep without spending an attempt on it.
        assert (report.sent, report.retried) == (0, 1)
        first, second, third = outbox()
        assert first.status == "pending" and first.attempts == 1
        assert first.next_attempt_at == later(now, RETRY_DELAYS[0])
        assert "ConnectionRefusedError" in first.last_error
        assert (second.attempts, third.attempts) == (0, 0)

        # Still down a minute later: the mail never tried goes first, and waits in turn.
        report = delivery.send_due(later(now, 61))
        assert report.retried == 1
        assert [m.attempts for m in outbox()] == [1, 1, 0]
        report = delivery.send_due(later(now, 122))
        assert [m.attempts for m in outbox()] == [1, 1, 1]
        report = delivery.send_due(later(now, 123))
        first = outbox()[0]
        assert first.attempts == 2
        assert first.next_attempt_at == later(now, 123 + RETRY_DELAYS[1])
        assert {m.status for m in outbox()} == {"pending"}

        smtp.start()
        report = delivery.send_due(later(now, 3600))
        assert report.sent == 3
        assert {m.status for m in outbox()} == {"sent"}
        # Nothing goes twice, however often the sweep passes.
        assert delivery.send_due(later(now, 7200)).sent == 0
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [
        "asso@dep.test",
        "redac@oph.test",
        "sign@epci.test",
    ]


def test_refused_until_the_last_try_then_failed_and_shown_to_administrators(mail_app, smtp, world):
    smtp.handler.refuse = "550 5.1.1 Destinataire inconnu"
    with mail_app.app_context():
        make_user("admin@cosigne.test", "Cosigne", OrganisationKind.AUTRE, is_admin=True)
        tell([world.users["associe"]], "Une contribution attend", world.convention_id)
        now = utcnow()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            report = delivery.send_due(now)
            [row] = outbox()
            assert row.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert report.retried == 1 and row.status == "pending"
                assert delivery.send_due(now).skipped == 0  # not due before its time
                now = row.next_attempt_at
            else:
                assert report.failed == 1 and row.status == "failed"
        assert "550" in row.last_error and "Destinataire inconnu" in row.last_error
        assert delivery.send_due(later(now, 86400)).sent == 0  # failed stays failed
    assert smtp.received == []

    assert logged_in(mail_app, "redac@oph.test").get("/admin/outbox").status_code == 403
    admin = logged_in(mail_app, "admin@cosigne.test")
    page = admin.get("/admin/outbox").get_data(as_text=True)
    assert "En échec" in page and "asso@dep.test" in page
    assert "[Cosigne · CUS test] Une contribution attend" in page
    assert "550 5.1.1 Destinataire inconnu" in page
    assert "Aucun serveur SMTP" not in page
    assert 'href="/admin/outbox"' in admin.get("/admin/users").get_data(as_text=True)

    # Without its CSRF token, the retry is refused and changes nothing.
    assert admin.post(f"/admin/outbox/{row.id}/retry").status_code == 400
    with mail_app.app_context():
        assert outbox()[0].status == "failed"
    smtp.handler.refuse = ""
    response = post_form(admin, f"/admin/outbox/{row.id}/retry", page="/admin/outbox")
    assert response.status_code == 302
    with mail_app.app_context():
        [row] = outbox()
        assert (row.status, row.attempts) == ("pending", 0)
        assert delivery.send_due().sent == 1
    assert [r.rcpt_tos for r in smtp.received] == [["asso@dep.test"]]
    # A mail that has not failed cannot be "retried".
    token = csrf_token(admin, "/admin/outbox")
    again = admin.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": token})
    assert again.status_code == 409
    assert admin.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404


def test_without_an_smtp_server_nothing_fails_and_mails_wait_on_the_admin_page(app, world):
    assert app.config["SMTP_HOST"] == ""
    with app.app_context():
        make_user("admin@cosigne.test", "Cosigne", OrganisationKind.AUTRE, is_admin=True)
        tell([world.users["signataire"]], "Relecture demandée", world.convention_id)
        report = delivery.send_due(later(utcnow(), 86400))
        assert (report.sent, report.retried, report.failed, report.kept) == (0, 0, 0, 1)
        [row] = outbox()
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")

    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
    assert "1 en attente d'un serveur SMTP" in result.output
    with app.app_context():
        assert outbox()[0].attempts == 0

    page = logged_in(app, "admin@cosigne.test").get("/admin/outbox").get_data(as_text=True)
    assert "Aucun serveur SMTP n'est configuré" in page
    assert "sign@epci.test" in page and "Relecture demandée" in page


def test_a_queue_that_is_down_fails_no_request_and_the_sweep_sends(mail_app, smtp, world, caplog):
    # The hand-over after commit goes to a Redis nobody listens to.
    engine.configure(f"redis://127.0.0.1:{free_port()}/0", "cosigne-absent")
    client = logged_in(mail_app, "redac@oph.test")
    with caplog.at_level(logging.ERROR, logger="app.jobs.tasks"):
        with mail_app.app_context():
            tell([world.users["signataire"]], "Une mention", world.convention_id)
        # A page that writes still answers while the queue is away.
        assert client.get(f"/conventions/{world.convention_id}").status_code == 200
    assert any("injoignable" in r.getMessage() for r in caplog.records)
    with mail_app.app_context():
        [row] = outbox()
        assert row.status == "pending"
        assert delivery.send_due().sent == 1
    assert len(smtp.received) == 1


def test_a_claimed_mail_is_not_sent_by_a_second_worker_before_its_lease_ends(mail_app, smtp, world):
    with mail_app.app_context():
        tell([world.users["signataire"]], "Une mention", world.convention_id)
        now = utcnow()
        [row] = outbox()
        held = delivery.claim(row.id, now)
        assert held is not None
        assert delivery.claim(row.id, now) is None  # held: nobody else takes it
        assert delivery.send_due(later(now, 10)).sent == 0
        # The first worker died: once the lease has passed, another takes the mail.
        lease = mail_app.config["OUTBOX_LEASE_SECONDS"]
        assert delivery.send_due(later(now, lease + 1)).sent == 1
        # A late word from the first worker no longer marks anything.
        assert delivery._mark_sent(held) is False
        [row] = outbox()
        assert (row.status, row.claim_token, row.attempts) == ("sent", "", 1)
    assert len(smtp.received) == 1


def test_an_unknown_kind_of_security_is_refused_by_the_configuration(monkeypatch):
    monkeypatch.setenv("COSIGNE_SMTP_SECURITY", "tls13")
    with pytest.raises(RuntimeError, match="starttls, ssl or none"):
        Config()


def test_each_reader_gets_a_mail_of_their_own(mail_app, smtp, world):
    with mail_app.app_context():
        tell(
            [world.users[r] for r in ("signataire", "associe", "redacteur")],
            "Une mention",
            world.convention_id,
            kind=Kind.MENTION,
        )
        assert delivery.send_due().sent == 3
    assert len({r.message["Message-ID"] for r in smtp.received}) == 3
