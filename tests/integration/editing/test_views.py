"""The editor pages through the test client, CSRF on: saving and proposing from the
editor's document, drafts, presence, the preview of a proposal, bad input refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.db import db_session, write_transaction
from app.models import Contribution, Draft, EditingPresence, Revision, utcnow
from app.sections.queries import history
from tests.conftest import csrf_token, logged_in
from tests.factories import write
from workflows.editing import Purpose
from workflows.text.blocks import canonical
from workflows.text.editor import to_editor

DRAFTER = "redac@oph.test"
ASSOCIE = "asso@dep.test"
SIGNATORY = "sign@epci.test"

# Written by hand: hard-wrapped, * bullets, _emphasis_, a table without outer pipes.
BODY = (
    "## Objectifs\n\n"
    "Le plan de mise en vente porte\nsur 60 logements individuels,\n"
    "proposés _d'abord_ aux locataires.\n\n"
    "* réhabilitation de 1 200 logements\n* construction de 300 logements\n  + dont un tiers en PLAI\n\n"
    "Année | Logements\n--- | ---\n2026 | 240"
)


@pytest.fixture
def section(app, world):
    with app.app_context():
        write(world.section_id, world.users["redacteur"], BODY, "v2")
    return world.section_id


def revisions(app, section_id):
    with app.app_context():
        return [r.body for r in history(section_id)]  # newest first


def editor_post(client, url, page, document, base, **fields):
    data = {
        "csrf_token": csrf_token(client, page),
        "base_revision": str(base),
        "body": BODY,  # the textarea holds the Markdown the editor opened
        "document": document if isinstance(document, str) else json.dumps(document),
        **fields,
    }
    return client.post(url, data=data)


def save(client, section_id, document, base=2, **fields):
    url = f"/sections/{section_id}/edit"
    return editor_post(client, url, url, document, base, **fields)


def fetch_post(client, url, page, data):
    """As the page's script posts: the form's fields, the token in the header."""
    token = csrf_token(client, page)
    return client.post(url, data={"csrf_token": token, **data}, headers={"X-CSRFToken": token})


# --- saving from the editor -----------------------------------------------------------


def test_saving_the_editor_unchanged_creates_no_revision(app, section):
    client = logged_in(app, DRAFTER)
    page = client.get(f"/sections/{section}/edit").get_data(as_text=True)
    assert 'id="editor-document"' in page and "data-editor" in page
    response = save(client, section, to_editor(BODY))
    assert response.status_code == 400
    assert "Aucune modification à enregistrer" in response.get_data(as_text=True)
    assert len(revisions(app, section)) == 2


def test_one_word_changed_in_the_editor_changes_that_word_only(app, section):
    client = logged_in(app, DRAFTER)
    edited = canonical(BODY).replace("individuels", "collectifs")
    response = save(client, section, to_editor(edited), message="Un mot")
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = revisions(app, section)[0]
    assert stored == BODY.replace("individuels", "collectifs")


def test_typing_a_new_paragraph_keeps_the_rest_as_written(app, section):
    client = logged_in(app, DRAFTER)
    edited = canonical(BODY) + "\n\nUn **nouveau** paragraphe."
    assert save(client, section, to_editor(edited)).status_code == 302
    assert revisions(app, section)[0] == BODY + "\n\nUn **nouveau** paragraphe."


def test_a_densely_formatted_section_saves_through_the_editor_beyond_the_usual_limit(app, section):
    # Every word bold: the editor's document is about six times its Markdown, more than
    # the 4 MB other pages accept; the editor's pages take up to 16 MB.
    words = [{"type": "text", "text": f"m{k}", "marks": [{"type": "bold"}]} for k in range(90_000)]
    spaced = [node for word in words for node in (word, {"type": "text", "text": " "})][:-1]
    document = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": spaced[start : start + 2_000]}
            for start in range(0, len(spaced), 2_000)
        ],
    }
    raw = json.dumps(document)
    assert len(raw.encode()) > 4 * 1024 * 1024
    client = logged_in(app, DRAFTER)
    response = save(client, section, raw)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    stored = revisions(app, section)[0]
    assert stored.startswith("**m0** **m1** ") and stored.count("**") == 2 * 90_000
    # Past the editor's own limit the request is refused whole and nothing is written.
    huge = raw + " " * (13 * 1024 * 1024 - len(raw))
    refused = save(client, section, huge)
    assert refused.status_code == 413
    assert len(revisions(app, section)) == 3


def test_without_the_editor_the_textarea_is_the_text(app, section):
    client = logged_in(app, DRAFTER)
    response = save(client, section, "", body="Texte tapé dans la zone de texte.")
    assert response.status_code == 302
    assert revisions(app, section)[0] == "Texte tapé dans la zone de texte."


def test_a_conflict_keeps_the_text_typed_in_the_editor(app, section, world):
    client = logged_in(app, DRAFTER)
    with app.app_context():
        write(section, world.users["redacteur"], BODY + "\n\nAjout d'un autre onglet.")
    edited = canonical(BODY).replace("individuels", "collectifs")
    response = save(client, section, to_editor(edited), base=2)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Une autre version a été enregistrée" in html
    # The user's text, as Markdown in their own spelling, in the form and the editor.
    assert "sur 60 logements collectifs," in html
    assert "collectifs" in html.split('id="editor-document"')[1]
    assert len(revisions(app, section)) == 3


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{pas du json", "illisible"),
        (
            json.dumps({"type": "doc", "content": [{"type": "image", "attrs": {"src": "x"}}]}),
            "inconnu",
        ),
        (json.dumps({"type": "paragraph"}), "doc"),
        ("[" * 200 + "]" * 200, "imbriqué"),
    ],
)
def test_a_bad_document_is_refused_and_nothing_written(app, section, document, message):
    client = logged_in(app, DRAFTER)
    response = save(client, section, document)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(revisions(app, section)) == 2


# --- proposing from the editor --------------------------------------------------------


def test_a_partner_proposes_from_the_editor(app, section):
    client = logged_in(app, ASSOCIE)
    url = f"/sections/{section}/contributions/new"
    page = client.get(url).get_data(as_text=True)
    assert "data-preview-url" in page and 'id="editor-document"' in page
    edited = canonical(BODY).replace("60 logements", "45 logements")
    response = editor_post(client, url, url, to_editor(edited), 2, rationale="Objectif revu")
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    with app.app_context():
        contribution = (
            db_session().scalars(select(Contribution).order_by(Contribution.id.desc())).first()
        )
        assert contribution.body == BODY.replace("60 logements", "45 logements")
        assert contribution.rationale == "Objectif revu"


def test_the_preview_shows_the_changes_a_proposal_makes(app, section):
    client = logged_in(app, ASSOCIE)
    page = f"/sections/{section}/contributions/new"
    edited = canonical(BODY).replace("60 logements", "45 logements")
    response = fetch_post(
        client,
        f"{page}/preview",
        page,
        {"base_revision": "2", "body": BODY, "document": json.dumps(to_editor(edited))},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The formatted text with the change marked inside it, as on the contribution's page.
    assert (
        "[début de suppression] </span>60<" in html and "[début d&#39;insertion] </span>45<" in html
    )
    assert '<h3 class="cmp-block cmp-equal">Objectifs</h3>' in html and "## " not in html
    assert "1 mot ajouté" in html and "1 paragraphe modifié" in html
    unchanged = fetch_post(
        client, f"{page}/preview", page, {"base_revision": "2", "body": BODY, "document": ""}
    )
    assert "ne change rien" in unchanged.get_data(as_text=True)
    refused = fetch_post(
        client, f"{page}/preview", page, {"base_revision": "2", "body": BODY, "document": "{"}
    )
    assert refused.status_code == 400 and "illisible" in refused.get_data(as_text=True)


# --- drafts -----------------------------------------------------------------------------


def draft_rows(app):
    with app.app_context():
        return list(db_session().scalars(select(Draft)))


def test_a_draft_is_kept_offered_resumed_and_gone_once_saved(app, section):
    client = logged_in(app, DRAFTER)
    page = f"/sections/{section}/edit"
    edited = canonical(BODY).replace("individuels", "mitoyens")
    response = fetch_post(
        client,
        f"{page}/draft",
        page,
        {
            "base_revision": "2",
            "body": BODY,
            "document": json.dumps(to_editor(edited)),
            "message": "en cours",
        },
    )
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["saved"] is True and answer["saved_at"]
    (draft,) = draft_rows(app)
    assert draft.purpose is Purpose.REVISION and draft.base_number == 2
    assert draft.body == BODY.replace("individuels", "mitoyens")  # carried like a save
    assert draft.note == "en cours"

    # The next visit offers it, with when it was saved; resuming opens it.
    offer = client.get(page).get_data(as_text=True)
    assert "Un brouillon non enregistré vous attend" in offer and "Reprendre le brouillon" in offer
    assert "mitoyens" not in offer.split('id="editor-document"')[1].split("</script>")[0]
    resumed = client.get(f"{page}?brouillon=reprendre").get_data(as_text=True)
    assert "Brouillon repris" in resumed
    assert "mitoyens" in resumed.split('id="editor-document"')[1].split("</script>")[0]
    assert 'value="en cours"' in resumed

    # Saving the text removes the draft.
    assert save(client, section, to_editor(edited)).status_code == 302
    assert draft_rows(app) == []
    assert "Un brouillon non enregistré" not in client.get(page).get_data(as_text=True)


def test_a_draft_can_be_discarded(app, section):
    client = logged_in(app, DRAFTER)
    page = f"/sections/{section}/edit"
    fetch_post(client, f"{page}/draft", page, {"base_revision": "2", "body": BODY + "\n\nX"})
    assert len(draft_rows(app)) == 1
    response = client.post(f"{page}/draft/discard", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    assert draft_rows(app) == []
    assert "Brouillon abandonné" in client.get(page).get_data(as_text=True)


def test_an_unchanged_text_is_no_draft(app, section):
    client = logged_in(app, DRAFTER)
    page = f"/sections/{section}/edit"
    response = fetch_post(
        client,
        f"{page}/draft",
        page,
        {"base_revision": "2", "body": BODY, "document": json.dumps(to_editor(BODY))},
    )
    assert response.get_json() == {"saved": False, "saved_at": None}
    assert draft_rows(app) == []


def test_drafts_are_per_user_and_page(app, section):
    drafter, associe = logged_in(app, DRAFTER), logged_in(app, ASSOCIE)
    edit, new = f"/sections/{section}/edit", f"/sections/{section}/contributions/new"
    fetch_post(drafter, f"{edit}/draft", edit, {"base_revision": "2", "body": BODY + "\n\nÀ moi"})
    fetch_post(
        drafter,
        f"{new}/draft",
        new,
        {"base_revision": "2", "body": BODY + "\n\nProposition", "rationale": "r"},
    )
    fetch_post(
        associe, f"{new}/draft", new, {"base_revision": "2", "body": BODY + "\n\nDu département"}
    )
    rows = {(d.user_id, d.purpose): d.body for d in draft_rows(app)}
    assert len(rows) == 3
    # Each finds their own on each page, and sees the others' as someone else's.
    associe_page = associe.get(new).get_data(as_text=True)
    assert "Un brouillon non enregistré vous attend" in associe_page
    assert "a un brouillon non enregistré (la section)" in associe_page
    assert "a un brouillon non enregistré (une proposition)" in associe_page
    # A partner may not keep a draft of the section itself.
    assert (
        fetch_post(associe, f"{edit}/draft", new, {"base_revision": "2", "body": "x"}).status_code
        == 403
    )


def test_draft_input_is_bounded(app, section):
    client = logged_in(app, DRAFTER)
    page = f"/sections/{section}/edit"
    bad = fetch_post(client, f"{page}/draft", page, {"base_revision": "deux", "body": "x"})
    assert bad.status_code == 400 and "error" in bad.get_json()
    missing = fetch_post(client, f"{page}/draft", page, {"base_revision": "9", "body": "x"})
    assert missing.status_code == 400 and "n'existe pas" in missing.get_json()["error"]
    large = fetch_post(
        client, f"{page}/draft", page, {"base_revision": "2", "body": "x" * 1_000_001}
    )
    assert large.status_code == 413
    no_token = client.post(f"{page}/draft", data={"base_revision": "2", "body": "x"})
    assert no_token.status_code == 400
    assert draft_rows(app) == []


# --- presence ---------------------------------------------------------------------------


def test_presence_is_seen_then_gone_after_two_minutes(app, section):
    drafter, associe = logged_in(app, DRAFTER), logged_in(app, ASSOCIE)
    edit, new = f"/sections/{section}/edit", f"/sections/{section}/contributions/new"
    assert "Personne d'autre" in fetch_post(drafter, f"{edit}/presence", edit, {}).get_data(
        as_text=True
    )
    fragment = fetch_post(associe, f"{new}/presence", new, {}).get_data(as_text=True)
    assert "OPH Test" in fragment and "modifie la section depuis" in fragment
    # Rendered with the page, before anyone types.
    page = drafter.get(edit).get_data(as_text=True)
    assert "Département Test" in page and "rédige une proposition depuis" in page
    with app.app_context(), write_transaction() as session:
        session.execute(
            update(EditingPresence).values(seen_at=utcnow() - timedelta(minutes=2, seconds=1))
        )
    assert "Département Test" not in drafter.get(edit).get_data(as_text=True)
    # The next heartbeat brings the associé back; leaving removes them at once.
    fetch_post(associe, f"{new}/presence", new, {})
    assert "Département Test" in drafter.get(edit).get_data(as_text=True)
    fetch_post(associe, f"{new}/presence", new, {"leaving": "1"})
    assert "Département Test" not in drafter.get(edit).get_data(as_text=True)
    # The drafter's page went silent too: the associé's heartbeat cleared it on the way.
    with app.app_context():
        assert list(db_session().scalars(select(EditingPresence))) == []


def test_observers_have_no_editor_calls(app, section):
    observer = logged_in(app, "obs@obs.test")
    page = f"/sections/{section}"
    for url in (
        "edit/draft",
        "edit/presence",
        "contributions/new/draft",
        "contributions/new/preview",
    ):
        response = fetch_post(observer, f"/sections/{section}/{url}", page, {"base_revision": "2"})
        assert response.status_code == 403, url
    with app.app_context():
        assert db_session().scalar(select(Revision).where(Revision.number == 3)) is None
