"""The register of the association on the web: meetings, the documents sent and the
warning when they are late, minutes, letters received outside Cosigne."""

from __future__ import annotations

import io
import zipfile

from app.access import members
from app.activity.queries import events
from app.register.queries import letters, meetings
from tests.conftest import logged_in, post_form


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
        assert len(meetings(world.convention_id)) == 2  # the world's and ours


def test_letters_received_outside_cosigne_go_into_the_register(app, world):
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
        assert any("EPCI Test" in e.summary for e in events(world.convention_id, "courrier_recu"))
    # The Word export's annex lists it.
    data = client.get(f"{url}/export.docx").data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Courriers et avis reçus" in xml and "15/03/2026 — EPCI Test" in xml


def test_refused_register_entries_say_why_beside_their_form_with_what_was_typed(app, world):
    """A document without its date came back under #reunion-N with its error in a flash
    out of sight above; a refused meeting or letter lost everything typed."""
    client = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}"
    with app.app_context():
        meeting_id = meetings(world.convention_id)[0].id
        before = len(meetings(world.convention_id))

    documents = f"{url}/meetings/{meeting_id}/documents"
    refused = post_form(client, documents, {"title": "Diagnostic v3", "sent_on": ""})
    assert refused.headers["Location"].endswith(f"/association#reunion-{meeting_id}")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    card = page[page.index(f'id="reunion-{meeting_id}"') :]
    card = card[: card.index("</article>")]
    assert f'id="doc-{meeting_id}-error"' in card and '<details class="noprint" open>' in card
    assert 'value="Diagnostic v3"' in card

    # A meeting without its title: its form opens again, the place typed and the one
    # organisation left unticked as they were.
    with app.app_context():
        epci = next(
            m.organisation.id
            for m in members(world.convention_id)
            if m.organisation is not None and m.organisation.name == "EPCI Test"
        )
    meeting = {
        "title": " ",
        "meeting_on": "2026-05-02",
        "place": "Mairie de Blois",
        "invited": str(epci),
    }
    refused = post_form(client, f"{url}/meetings", meeting)
    assert refused.headers["Location"].endswith("/association#nouvelle-reunion")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    form = page[page.index('id="nouvelle-reunion"') :]
    form = form[: form.index("</details>")]
    assert 'id="meeting-error"' in form and 'value="Mairie de Blois"' in form
    assert form.count(" checked>") == 1 and f'value="{epci}" checked' in form

    refused = post_form(
        client,
        f"{url}/letters",
        {
            "sender": "Commune de Vineuil",
            "received_on": "",
            "subject": "Avis",
            "summary": "Favorable.",
        },
    )
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    letters_part = page[page.index('id="courriers"') :]
    assert 'id="letter-error"' in letters_part
    assert 'value="Commune de Vineuil"' in letters_part and "Favorable." in letters_part
    with app.app_context():
        assert len(meetings(world.convention_id)) == before
        assert letters(world.convention_id) == []
