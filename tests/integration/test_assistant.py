"""The assistant through the CLI (as ../shared/eval/score.py drives it), the JSON API and
the chat page, with the access checks on the convention or section a question is asked
from, and a (fake) chat model streamed to the page."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from html import unescape as html_unescape
from pathlib import Path

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from tests.conftest import api_headers, csrf_token, logged_in, set_state

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.exists(),
    reason=f"reference corpus not found at {CORPUS} (shared/ is beside the repository)",
)
ROOT = Path(__file__).resolve().parents[2]

GUIDE = """# Guide de la vacance

## La vacance technique

La vacance technique est notamment la vacance pour cause de réhabilitation en cours ou de
démolition projetée.

## Les signataires

La convention d'utilité sociale est signée par le préfet de région au nom de l'Etat.
"""


@pytest.fixture
def guide(app):
    from app.kb import operations as kb

    with app.app_context():
        document, _created = kb.ingest(
            "guide-vacance.md", GUIDE.encode(), "guide", title="Guide de la vacance"
        )
        return document.id


def _ask(client, headers, **payload):
    return client.post("/api/assistant/ask", json=payload, headers=headers)


# --- command line --------------------------------------------------------------------------


@needs_corpus
def test_cli_reads_one_question_per_line_and_answers_each_in_json(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kb", "ingest", str(CORPUS)]).exit_code == 0
    questions = [
        "Nous avons 30 plans d'apurement amiable pour 200 ménages en impayés de plus de trois "
        "mois : valeur de G.III ?",
        "",  # blank lines are skipped
        "Quelle est la recette de la tarte tatin ?",
        "Qu'est-ce que la vacance technique ?",
    ]
    result = runner.invoke(args=["assistant", "ask", "--json"], input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(answers) == 3
    calculation, outside, definition = answers
    assert calculation["indicator"]["code"] == "G.III"
    assert calculation["calculation"]["value"] == pytest.approx(15.0)
    assert outside["found"] is False and outside["sources"] == []
    assert definition["found"] is True and "démolition" in definition["answer"]
    assert all(a["mode"] == "extractive" for a in answers)


def test_cli_answers_one_question_as_text(app, guide):
    result = app.test_cli_runner().invoke(
        args=["assistant", "ask", "Qu'est-ce que la vacance technique ?"]
    )
    assert result.exit_code == 0, result.output
    assert "réhabilitation" in result.output and "[1] Guide de la vacance" in result.output


def test_the_command_prints_each_answer_before_reading_the_next_question(app, guide, tmp_path):
    """score.py pipes all its questions at once; an interactive caller waits for each
    answer: the command flushes after every line."""
    env = dict(
        os.environ,
        COSIGNE_DATA_DIR=app.config["DATA_DIR"],
        DATABASE_URL=app.config["DATABASE_URL"],
        SECRET_KEY="test",
    )
    env.pop("COSIGNE_LLM", None)
    flask = Path(sys.executable).with_name("flask")
    process = subprocess.Popen(
        [str(flask), "--app", "app", "assistant", "ask", "--json"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdin and process.stdout
        process.stdin.write("Qu'est-ce que la vacance technique ?\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # stdin still open
        assert first["found"] is True
        process.stdin.write("Quelle est la recette de la tarte tatin ?\n")
        process.stdin.close()
        second = json.loads(process.stdout.readline())
        assert second["found"] is False
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()


# --- JSON API ------------------------------------------------------------------------------


def test_api_answers_with_sources(app, world, guide):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    response = _ask(client, headers, question="Qu'est-ce que la vacance technique ?")
    assert response.status_code == 200
    data = response.get_json()
    assert data["found"] is True and data["mode"] == "extractive"
    assert {"answer", "indicator", "calculation", "sources"} <= data.keys()
    source = data["sources"][0]
    assert source["document_id"] == guide and source["passage_id"]
    assert "[1]" in data["answer"]


def test_api_asks_from_a_section_the_user_can_see(app, world, guide):
    client = app.test_client()
    headers = api_headers(app, "asso@dep.test")
    response = _ask(
        client,
        headers,
        question="Qui signe la CUS au nom de l'Etat ?",
        convention_id=world.convention_id,
        section_id=world.section_id,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["context"] == {
        "convention_id": world.convention_id,
        "section_id": world.section_id,
    }


def test_api_refuses_another_conventions_context(app, world, guide):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    question = "Qu'est-ce que la vacance technique ?"
    assert (
        _ask(
            client, headers, question=question, convention_id=world.other_convention_id
        ).status_code
        == 403
    )
    assert (
        _ask(client, headers, question=question, section_id=world.other_section_id).status_code
        == 403
    )
    assert _ask(client, headers, question=question, convention_id=9999).status_code == 404
    assert _ask(client, headers, question=question, section_id=9999).status_code == 404
    mismatch = _ask(
        client,
        headers,
        question=question,
        convention_id=world.convention_id,
        section_id=world.other_section_id,
    )
    assert mismatch.status_code in (400, 403)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"question": ""},
        {"question": "   "},
        {"question": 12},
        {"question": "x" * 1001},
        {"question": "Une question ?", "section_id": "abc"},
        {"question": "Une question ?", "convention_id": -1},
    ],
)
def test_api_validates_its_input(app, world, payload):
    response = _ask(app.test_client(), api_headers(app, "redac@oph.test"), **payload)
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_api_needs_a_bearer_token(app, world):
    client = logged_in(app, "redac@oph.test")  # a session cookie is not enough
    response = client.post("/api/assistant/ask", json={"question": "Une question ?"})
    assert response.status_code == 401
    assert app.test_client().post("/api/assistant/ask", data="{").status_code == 401


def test_api_refuses_a_body_that_is_not_json(app, world):
    response = app.test_client().post(
        "/api/assistant/ask", data="question", headers=api_headers(app, "redac@oph.test")
    )
    assert response.status_code == 400


# --- the chat page -------------------------------------------------------------------------


def _post_question(client, question: str, **extra):
    data = {"question": question, "csrf_token": csrf_token(client, "/assistant"), **extra}
    return client.post("/assistant", data=data)


def test_chat_page_answers_links_sources_and_keeps_the_conversation(app, world, guide):
    client = logged_in(app, "redac@oph.test")
    page = client.get("/assistant")
    assert page.status_code == 200 and "Assistant de rédaction" in page.get_data(as_text=True)
    response = _post_question(client, "Qu'est-ce que la vacance technique ?")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "réhabilitation en cours" in html
    assert f'href="/kb/documents/{guide}#passage-' in html
    again = client.get("/assistant").get_data(as_text=True)
    assert "Qu&#39;est-ce que la vacance technique ?" in again
    assert f'href="/kb/documents/{guide}#passage-' in again
    # Another user does not see it.
    other = logged_in(app, "sign@epci.test").get("/assistant").get_data(as_text=True)
    assert "vacance technique ?" not in other
    # Cleared on request.
    token = csrf_token(client, "/assistant")
    assert client.post("/assistant/effacer", data={"csrf_token": token}).status_code == 303
    assert "vacance technique ?" not in client.get("/assistant").get_data(as_text=True)


def test_out_of_scope_on_the_page(app, world, guide):
    client = logged_in(app, "redac@oph.test")
    html = _post_question(client, "Quelle est la recette de la tarte tatin ?").get_data(
        as_text=True
    )
    assert "Je n&#39;ai pas trouvé de réponse dans la base documentaire" in html


def test_every_application_server_shows_the_same_conversation(
    app, world, guide, tmp_path, monkeypatch
):
    """Two servers on one database, each with its own data directory: the conversation
    is in the database, not in a file of one machine."""
    from app import create_app

    client = logged_in(app, "redac@oph.test")
    answered = _post_question(client, "Qu'est-ce que la vacance technique ?")
    assert "réhabilitation en cours" in answered.get_data(as_text=True)  # streamed, kept
    monkeypatch.setenv("COSIGNE_DATA_DIR", str(tmp_path / "second-server"))
    second = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        }
    )
    try:
        assert second.config["DATA_DIR"] != app.config["DATA_DIR"]
        html = logged_in(second, "redac@oph.test").get("/assistant").get_data(as_text=True)
        assert "Qu&#39;est-ce que la vacance technique ?" in html
    finally:
        second.extensions["cosigne_engine"].dispose()


def test_a_conversation_kept_in_a_file_moves_into_the_database(app, world):
    from app.assistant import queries

    user_id = world.users["redacteur"]
    folder = Path(app.config["DATA_DIR"]) / "assistant"
    folder.mkdir(parents=True, exist_ok=True)
    old = [
        {"question": "Ancienne question ?", "answer": "Réponse.", "sources": [], "section": None},
        {
            "question": "Depuis une section ?",
            "answer": "Oui.",
            "sources": [],
            "section": {"id": world.section_id, "title": "ancien titre"},
        },
    ]
    (folder / f"{user_id}.json").write_text(json.dumps(old), encoding="utf-8")
    with app.app_context():
        kept = queries.conversation(user_id)
        assert [e["question"] for e in kept] == ["Ancienne question ?", "Depuis une section ?"]
        assert kept[1]["section"]["id"] == world.section_id
        assert not (folder / f"{user_id}.json").exists()
        assert len(queries.conversation(user_id)) == 2  # moved once, not twice


def test_the_conversation_keeps_the_last_exchanges(app, world):
    from app.assistant import operations, queries

    user_id = world.users["redacteur"]
    with app.app_context():
        for number in range(operations.KEEP_EXCHANGES + 5):
            operations.remember(
                user_id, {"question": f"question {number}", "answer": "", "sources": []}
            )
        kept = queries.conversation(user_id)
    assert len(kept) == operations.KEEP_EXCHANGES
    assert kept[-1]["question"] == f"question {operations.KEEP_EXCHANGES + 4}"


def test_page_checks_csrf_and_the_section(app, world, guide):
    client = logged_in(app, "redac@oph.test")
    refused = client.post("/assistant", data={"question": "Une question ?"})
    assert refused.status_code == 400
    assert client.get(f"/assistant?section_id={world.other_section_id}").status_code == 403
    own = client.get(f"/assistant?section_id={world.section_id}")
    assert own.status_code == 200 and 'name="section_id"' in own.get_data(as_text=True)
    empty = _post_question(client, "  ")
    assert empty.status_code == 303


# --- from a section: a suggested wording becomes a contribution ---------------------------

_SUGGESTION = re.compile(
    r'<form method="post" action="(/sections/\d+/assistant/proposition)".*?'
    r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>',
    re.S,
)


def _contributions(app, section_id: int):
    from sqlalchemy import select

    from app.db import db_session
    from app.models import Contribution

    with app.app_context():
        rows = (
            db_session()
            .scalars(select(Contribution).where(Contribution.section_id == section_id))
            .all()
        )
        return [(c.id, c.author_id, c.assisted, c.body, c.rationale) for c in rows]


def _current_number(app, section_id: int) -> int:
    from app.db import db_session
    from app.models import Section

    with app.app_context():
        return db_session().get(Section, section_id).current_revision.number


def test_a_suggested_wording_becomes_an_assisted_contribution(app, world, guide):
    client = logged_in(app, "asso@dep.test")  # a partner: may propose, not edit
    question = "Qu'est-ce que la vacance technique ?"
    html = _post_question(client, question, section_id=world.section_id).get_data(as_text=True)
    match = _SUGGESTION.search(html)
    assert match, "the answer asked from a section offers its wording as a contribution"
    action, suggestion = match.group(1), html_unescape(match.group(2))
    assert action == f"/sections/{world.section_id}/assistant/proposition"
    assert "réhabilitation en cours" in suggestion and "[1]" not in suggestion
    before = _contributions(app, world.section_id)
    revision = _current_number(app, world.section_id)

    edited = suggestion + "\n\nL'organisme en rend compte chaque année."
    token = csrf_token(client, f"/assistant?section_id={world.section_id}")
    response = client.post(action, data={"text": edited, "question": question, "csrf_token": token})
    assert response.status_code == 303
    created = [c for c in _contributions(app, world.section_id) if c not in before]
    assert len(created) == 1
    contribution_id, author_id, assisted, body, rationale = created[0]
    assert response.headers["Location"].endswith(f"/contributions/{contribution_id}")
    assert author_id == world.users["associe"] and assisted
    assert body.startswith("Premier texte de la section.")
    assert body.endswith("L'organisme en rend compte chaque année.")
    assert question in rationale
    # The section itself is untouched until a drafter decides.
    assert _current_number(app, world.section_id) == revision
    page = client.get(f"/contributions/{contribution_id}").get_data(as_text=True)
    assert "rédigée avec l&#39;assistant" in page or "rédigée avec l'assistant" in page
    # The conversation keeps the suggestion: the form is there again on the next visit.
    again = client.get(f"/assistant?section_id={world.section_id}").get_data(as_text=True)
    assert _SUGGESTION.search(again)


def test_the_section_editor_opens_the_assistant_on_its_section(app, world):
    client = logged_in(app, "redac@oph.test")
    editor = client.get(f"/sections/{world.section_id}/edit").get_data(as_text=True)
    assert f'href="/assistant?section_id={world.section_id}"' in editor
    page = client.get(f"/assistant?section_id={world.section_id}").get_data(as_text=True)
    assert f'name="section_id" value="{world.section_id}"' in page


def test_proposals_from_the_assistant_are_checked(app, world, guide):
    from workflows.lifecycle import ConventionState

    url = f"/sections/{world.section_id}/assistant/proposition"
    page = f"/assistant?section_id={world.section_id}"
    before = _contributions(app, world.section_id)
    observer = logged_in(app, "obs@obs.test")
    html = _post_question(
        observer, "Qu'est-ce que la vacance technique ?", section_id=world.section_id
    ).get_data(as_text=True)
    assert "réhabilitation en cours" in html and not _SUGGESTION.search(html)
    token = csrf_token(observer, page)
    assert observer.post(url, data={"text": "Un texte.", "csrf_token": token}).status_code == 403
    outsider = logged_in(app, "autre@esh.test")
    token = csrf_token(outsider, "/assistant")
    assert outsider.post(url, data={"text": "Un texte.", "csrf_token": token}).status_code == 403
    partner = logged_in(app, "asso@dep.test")
    assert partner.post(url, data={"text": "Sans jeton."}).status_code == 400
    token = csrf_token(partner, page)
    empty = partner.post(url, data={"text": "   ", "csrf_token": token})
    assert empty.status_code == 303 and empty.headers["Location"].endswith(page)
    assert "Le texte à proposer est vide." in partner.get(page).get_data(as_text=True)
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    closed = partner.post(url, data={"text": "Un texte.", "csrf_token": token})
    assert closed.status_code == 303
    assert _contributions(app, world.section_id) == before
    html = _post_question(
        partner, "Qu'est-ce que la vacance technique ?", section_id=world.section_id
    ).get_data(as_text=True)
    assert not _SUGGESTION.search(html)  # contributions are closed at this stage


def test_the_api_marks_contributions_drafted_with_the_assistant(app, world):
    headers = api_headers(app, "asso@dep.test")
    client = app.test_client()
    url = f"/api/sections/{world.section_id}/contributions"
    payload = {
        "base_revision": 1,
        "body": "Premier texte de la section.\n\nAjout.",
        "assisted": True,
    }
    created = client.post(url, json=payload, headers=headers)
    assert created.status_code == 201 and created.get_json()["assisted"] is True
    refused = client.post(url, json={**payload, "assisted": "oui"}, headers=headers)
    assert refused.status_code == 400


# --- with a chat model ---------------------------------------------------------------------


def _fake_model(text: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.repeat(AIMessage(content=text)))


def test_api_and_page_with_a_model(app, world, guide):
    app.config["ASSISTANT_LLM"] = _fake_model(
        "La vacance technique tient aux travaux de réhabilitation [1]. Source inventée [8]."
    )
    headers = api_headers(app, "redac@oph.test")
    data = _ask(
        app.test_client(), headers, question="Qu'est-ce que la vacance technique ?"
    ).get_json()
    assert data["mode"] == "llm"
    assert "[8]" not in data["answer"] and "[1]" in data["answer"]
    client = logged_in(app, "redac@oph.test")
    html = _post_question(client, "Qu'est-ce que la vacance technique ?").get_data(as_text=True)
    assert "tient aux travaux de réhabilitation" in html and "[8]" not in html
    assert f'href="/kb/documents/{guide}#passage-' in html


def test_an_unusable_model_setting_falls_back_to_extracts(app, world, guide, monkeypatch):
    monkeypatch.setenv("COSIGNE_LLM", "fournisseur-inconnu:modele")
    headers = api_headers(app, "redac@oph.test")
    data = _ask(
        app.test_client(), headers, question="Qu'est-ce que la vacance technique ?"
    ).get_json()
    assert data["mode"] == "extractive" and data["found"] is True


def test_corpus_statistics_are_kept_until_the_corpus_changes(app, guide):
    from app.assistant import queries
    from app.kb import operations as kb

    with app.app_context():
        first = queries.corpus_stats()
        stored = Path(app.config["DATA_DIR"]) / "assistant" / "corpus-stats.json"
        assert stored.exists() and first.passages > 0
        app.extensions.pop("cosigne_corpus_stats")  # another process reads the file
        again = queries.corpus_stats()
        assert (again.passages, again.frequencies) == (first.passages, first.frequencies)
        kb.ingest("autre.md", b"# Autre\n\nLe plan de concertation locative.\n", "guide")
        assert queries.corpus_stats().passages > first.passages
