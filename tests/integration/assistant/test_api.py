"""The assistant's JSON API: answers with their sources, the access checks on the
convention or section a question is asked from, input checks; with a (fake) chat model
and with one that cannot be used."""

from __future__ import annotations

import itertools

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from tests.conftest import api_headers, logged_in
from tests.integration.assistant.helpers import ask, post_question


def test_api_answers_with_sources(app, world, guide):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    response = ask(client, headers, question="Qu'est-ce que la vacance technique ?")
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
    response = ask(
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
        ask(client, headers, question=question, convention_id=world.other_convention_id).status_code
        == 403
    )
    assert (
        ask(client, headers, question=question, section_id=world.other_section_id).status_code
        == 403
    )
    assert ask(client, headers, question=question, convention_id=9999).status_code == 404
    assert ask(client, headers, question=question, section_id=9999).status_code == 404
    mismatch = ask(
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
    response = ask(app.test_client(), api_headers(app, "redac@oph.test"), **payload)
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


# --- with a chat model ---------------------------------------------------------------------


def _fake_model(text: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.repeat(AIMessage(content=text)))


def test_api_and_page_with_a_model(app, world, guide):
    app.config["ASSISTANT_LLM"] = _fake_model(
        "La vacance technique tient aux travaux de réhabilitation [1]. Source inventée [8]."
    )
    headers = api_headers(app, "redac@oph.test")
    data = ask(
        app.test_client(), headers, question="Qu'est-ce que la vacance technique ?"
    ).get_json()
    assert data["mode"] == "llm"
    assert "[8]" not in data["answer"] and "[1]" in data["answer"]
    client = logged_in(app, "redac@oph.test")
    html = post_question(client, "Qu'est-ce que la vacance technique ?").get_data(as_text=True)
    assert "tient aux travaux de réhabilitation" in html and "[8]" not in html
    assert f'href="/kb/documents/{guide}#passage-' in html


def test_an_unusable_model_setting_falls_back_to_extracts(app, world, guide, monkeypatch):
    monkeypatch.setenv("COSIGNE_LLM", "fournisseur-inconnu:modele")
    headers = api_headers(app, "redac@oph.test")
    data = ask(
        app.test_client(), headers, question="Qu'est-ce que la vacance technique ?"
    ).get_json()
    assert data["mode"] == "extractive" and data["found"] is True
