"""Register of the association, comments, the audit trail and the inbox."""

from __future__ import annotations

from app.db import db_session
from app.models import CommentThread, Event, ImmutableRevisionError
from tests.conftest import api_headers, logged_in, post_form


def test_meeting_documents_and_late_sending_warning(app, world):
    client = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}"
    response = post_form(
        client,
        f"{url}/meetings",
        {"title": "Réunion de lancement", "meeting_on": "2026-04-02", "place": "Siège"},
    )
    assert response.status_code == 303
    with app.app_context():
        from app.register.queries import meetings

        meeting = [m for m in meetings(world.convention_id) if m.title == "Réunion de lancement"][0]
        meeting_id = meeting.id
    response = post_form(
        client,
        f"{url}/meetings/{meeting_id}/documents",
        {"title": "Projet de CUS v2", "sent_on": "20/03/2026"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "moins d&#39;un mois" in page or "moins d'un mois" in page
    post_form(
        client,
        f"{url}/meetings/{meeting_id}/documents",
        {"title": "Diagnostic", "sent_on": "2026-02-20"},
    )
    post_form(client, f"{url}/meetings/{meeting_id}/minutes", {"minutes": "Présents : EPCI, DDT."})
    printable = client.get(f"{url}/association?impression=1").get_data(as_text=True)
    assert "Projet de CUS v2" in printable and "Présents : EPCI, DDT." in printable
    assert "Établi le" in printable
    # Bad input changes nothing; only drafters keep the register.
    assert (
        post_form(client, f"{url}/meetings", {"title": "", "meeting_on": "2026-04-02"}).status_code
        == 303
    )
    assert (
        post_form(client, f"{url}/meetings", {"title": "X", "meeting_on": "demain"}).status_code
        == 303
    )
    assert (
        post_form(
            logged_in(app, "sign@epci.test"),
            f"{url}/meetings",
            {"title": "X", "meeting_on": "2026-04-02"},
        ).status_code
        == 403
    )
    with app.app_context():
        from app.register.queries import meetings

        assert len(meetings(world.convention_id)) == 2  # the world's and ours


def test_comment_threads_anchor_reply_resolve(app, world):
    signer = logged_in(app, "sign@epci.test")
    response = post_form(
        signer,
        f"/sections/{world.section_id}/threads",
        {"body": "Ce chiffre est-il à jour ?", "quote": "Premier texte", "revision_number": "1"},
    )
    assert response.status_code == 303
    with app.app_context():
        thread = db_session().query(CommentThread).filter_by(quote="Premier texte").one()
        thread_id = thread.id
    author = logged_in(app, "asso@dep.test")
    post_form(author, f"/threads/{world.thread_id}/reply", {"body": "Je confirme."})
    drafter = logged_in(app, "redac@oph.test")
    post_form(drafter, f"/threads/{thread_id}/reply", {"body": "Oui, chiffres 2024."})
    assert "a répondu à votre commentaire" in signer.get("/inbox").get_data(as_text=True)
    assert post_form(drafter, f"/threads/{thread_id}/resolve", {"resolved": "1"}).status_code == 303
    with app.app_context():
        assert db_session().get(CommentThread, thread_id).resolved
    # The passage is rewritten: the anchor is shown as detached, not guessed.
    from tests.integration.test_sections_web import _edit

    _edit(drafter, world.section_id, 1, "Une toute autre rédaction de la section.")
    page = signer.get(f"/sections/{world.section_id}").get_data(as_text=True)
    assert "détaché" in page
    # Empty comments and quotes absent from the revision are refused.
    post_form(signer, f"/sections/{world.section_id}/threads", {"body": " "})
    post_form(
        signer, f"/sections/{world.section_id}/threads", {"body": "x", "quote": "absent du texte"}
    )
    with app.app_context():
        assert db_session().query(CommentThread).count() == 3  # two worlds' threads and ours
    # Observers read but do not comment.
    observer = logged_in(app, "obs@obs.test")
    assert post_form(observer, f"/threads/{thread_id}/reply", {"body": "x"}).status_code == 403


def test_every_action_is_in_the_journal_and_cannot_be_rewritten(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    events = client.get(
        f"/api/conventions/{world.convention_id}/events", headers=headers
    ).get_json()["events"]
    actions = {e["action"] for e in events}
    assert {"convention_creee", "revision", "contribution", "commentaire", "reunion"} <= actions
    contribution = next(e for e in events if e["action"] == "contribution")
    assert contribution["organisation"] == "Département Test" and contribution["actor"]
    filtered = client.get(
        f"/api/conventions/{world.convention_id}/events?action=revision", headers=headers
    ).get_json()["events"]
    assert filtered and {e["action"] for e in filtered} == {"revision"}
    page = logged_in(app, "obs@obs.test").get(
        f"/conventions/{world.convention_id}/events?action=contribution"
    )
    assert page.status_code == 200 and "Contribution n°" in page.get_data(as_text=True)
    with app.app_context():
        import pytest

        from app.db import write_transaction

        with pytest.raises(ImmutableRevisionError), write_transaction() as session:
            session.query(Event).first().summary = "effacé"
        with pytest.raises(ImmutableRevisionError), write_transaction() as session:
            session.delete(session.query(Event).first())


def test_ledger_and_inbox(app, world):
    drafter = logged_in(app, "redac@oph.test")
    ledger = drafter.get(f"/conventions/{world.convention_id}/ledger").get_data(as_text=True)
    assert "Département Test" in ledger and "Ouverte" in ledger
    inbox = drafter.get("/inbox").get_data(as_text=True)
    assert f"Contribution n° {world.contribution_id}" in inbox  # awaiting my decision
    assert post_form(drafter, "/inbox/read").status_code == 303


def test_letters_received_outside_cosigne_go_into_the_register(app, world):
    import io
    import zipfile

    from app.register.queries import letters

    client = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}"
    response = post_form(
        client,
        f"{url}/letters",
        {
            "sender": "EPCI Test",
            "received_on": "15/03/2026",
            "subject": "Avis du conseil communautaire sur le projet de CUS",
            "summary": "Avis **favorable**, sous réserve du calendrier des réhabilitations.",
        },
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#courriers")
    printable = client.get(f"{url}/association?impression=1").get_data(as_text=True)
    assert "Avis du conseil communautaire" in printable and "15/03/2026" in printable
    assert "<strong>favorable</strong>" in printable  # the summary is Markdown, sanitised
    # Bad input changes nothing: no sender, no subject, a date to come, a date mistyped.
    for fields in (
        {"sender": "", "received_on": "2026-03-15", "subject": "X"},
        {"sender": "DDT", "received_on": "2026-03-15", "subject": ""},
        {"sender": "DDT", "received_on": "2099-01-01", "subject": "X"},
        {"sender": "DDT", "received_on": "hier", "subject": "X"},
        {"sender": "DDT", "received_on": "01/01/0001", "subject": "X"},
        {"sender": "\x00", "received_on": "2026-03-15", "subject": "X"},
    ):
        assert post_form(client, f"{url}/letters", fields).status_code == 303
    # Only those who keep the register record letters.
    refused = post_form(
        logged_in(app, "sign@epci.test"),
        f"{url}/letters",
        {"sender": "X", "received_on": "2026-03-15", "subject": "X"},
    )
    assert refused.status_code == 403
    with app.app_context():
        assert [letter.sender for letter in letters(world.convention_id)] == ["EPCI Test"]
        from app.activity.queries import events

        assert any("EPCI Test" in e.summary for e in events(world.convention_id, "courrier_recu"))
    # The Word export's annex lists it.
    data = client.get(f"{url}/export.docx").data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Courriers et avis reçus" in xml and "15/03/2026 — EPCI Test" in xml
