"""Drafting a section from its page: the assistant proposes a structured draft with the
convention's facts (organisme, period, parties, targets entered), which becomes a
contribution only when its author proposes it, and the section only when a drafter
accepts it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.db import db_session
from app.kb import operations as kb
from app.models import Contribution, Section
from app.targets.operations import save_value
from tests.conftest import csrf_token, logged_in
from tests.integration.assistant.helpers import post_question

GUIDE = """# Guide du cahier des charges

## Ce que contient le cahier des charges

Le cahier des charges de gestion sociale doit comporter les éléments suivants :

- Les engagements de l'organisme en faveur des ménages prioritaires du territoire.
- Les actions de prévention des expulsions menées avec les services sociaux.
- Les modalités de suivi des attributions par réservataire.

## Calendrier

Les organismes devaient transmettre leur cahier des charges au préfet avant le 30 juin 2010.
"""

_SUGGESTION = re.compile(
    r'<form method="post" action="(/sections/\d+/assistant/proposition)".*?'
    r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>',
    re.S,
)


@pytest.fixture
def cahier(app, world):
    """The guide in the base, a target entered for G.I, the section « Cahier des charges »."""
    with app.app_context():
        kb.ingest("guide-cahier.md", GUIDE.encode(), "guide", title="Guide du cahier des charges")
        save_value(
            world.convention_id,
            world.user("redacteur"),
            "G.I",
            "Département",
            2026,
            "cible",
            {"V1": "30", "V2": "1000"},
        )
        section = db_session().scalar(
            select(Section).where(
                Section.convention_id == world.convention_id,
                Section.title == "Cahier des charges de gestion sociale",
            )
        )
        return section.id


def _answer(html: str) -> str:
    match = re.search(r'<article class="hit exchange" id="reponse".*?</article>', html, re.S)
    assert match
    return unescape(re.sub(r"<[^>]+>", "", match.group(0)))


def test_the_section_page_offers_a_draft(app, world, cahier):
    client = logged_in(app, "asso@dep.test")
    page = client.get(f"/sections/{cahier}").get_data(as_text=True)
    assert "Proposer une rédaction avec l&#39;assistant" in page or (
        "Proposer une rédaction avec l'assistant" in page
    )
    assert f'name="section_id" value="{cahier}"' in page


def test_a_draft_from_a_section_carries_the_conventions_facts(app, world, cahier):
    client = logged_in(app, "asso@dep.test")  # a partner: may propose, not edit
    question = "Aide-moi à rédiger cette partie"
    html = post_question(client, question, section_id=cahier).get_data(as_text=True)
    answer = _answer(html)
    assert "Cadre de la convention :" in answer
    assert "OPH Test" in answer and "2025-2030" in answer
    assert "EPCI Test" in answer and "Département Test" in answer
    assert "2026 : 3,0 %" in answer  # the G.I target entered for the convention
    assert "[à compléter : valeurs-cibles 2025-2030]" in answer  # G.II, not entered
    assert "prévention des expulsions menées avec les services sociaux" in answer
    assert "30 juin 2010" not in answer  # dated: flagged, not offered
    assert "Énoncés datés" in answer
    # Each [n] of the answer links to its passage; every source listed is cited.
    numbers = set(re.findall(r'id="reponse-source-(\d+)"', html))
    assert numbers and all(f">[{n}]</a>" in html.split("Sources")[0] for n in numbers)
    assert re.search(r'<a href="/kb/documents/\d+#passage-\d+"[^>]*>\[1\]</a>', html)


def test_a_draft_becomes_a_contribution_that_a_drafter_accepts(app, world, cahier):
    client = logged_in(app, "asso@dep.test")
    question = "Proposez une rédaction pour cette section"
    html = post_question(client, question, section_id=cahier).get_data(as_text=True)
    match = _SUGGESTION.search(html)
    assert match, "a draft asked from a section is offered as a contribution"
    action, suggestion = match.group(1), unescape(match.group(2))
    assert action == f"/sections/{cahier}/assistant/proposition"
    assert "## Ce que la section doit contenir" in suggestion
    assert "OPH Test" in suggestion and "[à compléter" in suggestion
    assert not re.search(r"\[\d", suggestion) and "2010" not in suggestion

    with app.app_context():
        before = db_session().get(Section, cahier).current_revision
        before_number, before_body = (before.number, before.body) if before else (0, "")
    token = csrf_token(client, f"/assistant?section_id={cahier}")
    refused = client.post(action, data={"text": suggestion, "question": question})
    assert refused.status_code == 400  # CSRF on
    response = client.post(
        action, data={"text": suggestion, "question": question, "csrf_token": token}
    )
    assert response.status_code == 303
    with app.app_context():
        contribution = db_session().scalar(
            select(Contribution).where(Contribution.section_id == cahier)
        )
        assert contribution.assisted and contribution.author_id == world.users["associe"]
        assert "## Cadre de la convention" in contribution.body
        assert question in contribution.rationale
        section = db_session().get(Section, cahier)
        # Not written into the section: it waits for a drafter's decision.
        current = section.current_revision
        assert (current.number if current else 0) == before_number
        assert (current.body if current else "") == before_body
