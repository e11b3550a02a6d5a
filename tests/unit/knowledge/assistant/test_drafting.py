"""Drafting help without Flask: a structured draft of a CUS section from passages written
here (a list, a list cut by its passage, a table of labels, a dated statement), the
convention's facts inserted, placeholders where they are missing, and the model path
through the drafting prompt with langchain-core's fake chat model."""

from __future__ import annotations

import re

import pytest

from knowledge.assistant.chain import Assistant
from knowledge.assistant.dating import dated_years
from knowledge.assistant.drafting import (
    MAX_DRAFT_CHARS,
    ConventionFacts,
    Party,
    TargetFact,
    draft_part,
    find_part,
)
from knowledge.assistant.retrieval import CorpusStats, PassageRetriever
from knowledge.assistant.understanding import understand
from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.types import SearchDocument
from tests.unit.knowledge.assistant.conftest import fake_model as _fake

LIST = (
    "Le volet des loyers de la convention doit comporter les éléments suivants :\n\n"
    "• La politique de fixation des loyers maximaux par immeuble ou ensemble immobilier.\n\n"
    "• Les modalités de modulation du supplément de loyer de solidarité dans les zones "
    "tendues, avec les quartiers où il ne s'applique pas.\n\n"
    "• Les conditions dans lesquelles les loyers évoluent chaque année."
)
# A passage that stops in the middle of its last item (the next passage holds the rest).
CUT = (
    "Pour les loyers, le cahier des charges doit préciser en outre :\n\n"
    "• Le montant maximal total des loyers de chaque immeuble du parc.\n\n"
    "• Les engagements de l'organisme sur la remise en ordre des loyers maximaux, selon"
)
TABLE = (
    "Aspect de la politique Loyers\nUnité de mesure %\nPériodicité de la mesure Annuelle\n"
    "Valeur proposée par l'organisme"
)
DATED = (
    "Les organismes devaient signer leur convention sur les loyers avant le 31 décembre "
    "2010 avec le préfet."
)
LEGAL = (
    "La politique des loyers suit le décret n° 2009-1486 du 3 décembre 2009, qui fixe le "
    "contenu des engagements de loyers de chaque organisme."
)
EXPULSIONS = (
    "La prévention des expulsions doit comprendre les actions suivantes :\n\n"
    "• Le repérage précoce des ménages en difficulté de paiement.\n\n"
    "• Les partenariats avec les services sociaux du département."
)

FACTS = ConventionFacts(
    title="CUS de l'Office du Val",
    kind="Convention d'utilité sociale (CUS)",
    organisme="Office du Val",
    organisme_kind="OPH",
    start_year=2025,
    end_year=2030,
    section="Cahier des charges de gestion sociale",
    parties=(
        Party("Agglomération du Val", "Signataire", "EPCI"),
        Party("Département du Val", "Associé", "Département"),
    ),
    targets=(
        TargetFact("G.I", 2025, 3.5, "Val"),
        TargetFact("G.I", 2030, 2.0, "Val"),
    ),
)


@pytest.fixture
def drafting_index(tmp_path):
    texts = [LIST, CUT, TABLE, DATED, LEGAL, EXPULSIONS]
    index = WhooshIndex(tmp_path / "index")
    index.add(
        SearchDocument(
            i,
            1,
            "Circulaire CUS",
            "circulaire",
            "en_vigueur",
            f"p. {i}",
            "Contenu",
            text,
            indicator="G.I" if text is TABLE else None,
        )
        for i, text in enumerate(texts, 1)
    )
    return index, CorpusStats.from_texts(texts)


def _helper(drafting_index, llm=None) -> Assistant:
    index, stats = drafting_index
    return Assistant(PassageRetriever(index=index, k=12), stats, llm=llm)


def _cited(answer: dict) -> set[int]:
    text = answer["answer"]
    return {int(n) for group in re.findall(r"\[([\d, ]+)\]", text) for n in group.split(",")}


def _body(answer: dict) -> str:
    """The draft before its dated statements."""
    return answer["answer"].split("Énoncés datés")[0]


# --- reading the request -------------------------------------------------------------------


def test_a_part_is_found_from_the_question_then_from_the_section():
    assert find_part("la section sur la politique de loyers").title == "Politique des loyers"
    assert find_part("la partie patrimoine").title.startswith("Politique patrimoniale")
    # A word shared by several parts ("locataires") weighs less than one naming a part.
    sale = find_part("la partie sur la vente des logements à leurs locataires")
    assert sale.title.startswith("Politique patrimoniale")
    assert find_part("le service rendu aux locataires").title.startswith("Qualité")
    # A contract between an office and its collectivité has parts of its own.
    clause = find_part("l'article sur le pilotage et le bilan du contrat avec la commune")
    assert clause.title.startswith("Gouvernance")
    assert find_part("les leviers que la collectivité mobilise").title.startswith("Contreparties")
    short = understand("Aide-moi à rédiger cette partie", "Qualité du service rendu aux locataires")
    assert draft_part(short, "Qualité du service rendu aux locataires").title.startswith("Qualité")
    # Not a drafting request: no draft, whatever the section.
    plain = understand("Qu'est-ce que le SLS ?", "Politique des loyers")
    assert draft_part(plain, "Politique des loyers") is None


def test_dated_statements_are_told_from_references_to_texts():
    assert dated_years(DATED, 2025) == [2010]
    assert dated_years("la circulaire de 2010 fixait le calendrier", 2025) == [2010]
    assert dated_years(LEGAL, 2025) == []  # a decree cited by its date is no dated statement
    assert dated_years("pour la première C.U.S., l'organisme peut déroger", 2025) == [0]
    assert dated_years("les objectifs de 2026 à 2030", 2025) == []


# --- the extractive draft ------------------------------------------------------------------


def test_a_draft_is_structured_and_every_point_is_cited(drafting_index):
    answer = _helper(drafting_index).ask(
        "Proposez une rédaction pour la section sur la politique de loyers"
    )
    assert answer["found"] and answer["mode"] == "extractive"
    text = answer["answer"]
    for heading in ("Cadre de la convention :", "Ce que la section doit contenir :"):
        assert heading in text
    # The list, lead-in cited and every item whole, each with a line to fill.
    assert "doit comporter les éléments suivants : [" in text
    for item in ("fixation des loyers maximaux", "quartiers où il ne s'applique pas", "évoluent"):
        line = next(line for line in text.splitlines() if item in line)
        assert line.startswith("- ") and "[à compléter" in line
    # Every citation is a listed source, and every listed source is cited.
    numbers = {s["n"] for s in answer["sources"]}
    assert _cited(answer) == numbers
    assert len(answer["answer"]) <= MAX_DRAFT_CHARS


def test_no_half_item_no_table_label(drafting_index):
    answer = _helper(drafting_index).ask("Rédige la partie sur la politique des loyers")
    text = answer["answer"]
    assert "remise en ordre des loyers maximaux, selon" not in text  # the item cut by its passage
    assert "Le montant maximal total des loyers de chaque immeuble" in text  # its whole sibling
    for label in ("Unité de mesure", "Périodicité de la mesure", "Aspect de la politique"):
        assert label not in text
    assert "…" not in _body(answer)  # nothing shortened


def test_a_dated_statement_is_flagged_not_offered(drafting_index):
    answer = _helper(drafting_index).ask(
        "Proposez une rédaction pour la section sur la politique de loyers", facts=FACTS
    )
    body, _, flagged = answer["answer"].partition("Énoncés datés, à ne pas reprendre tels quels :")
    assert "31 décembre" not in answer["answer"] and "2010" not in body
    dated = next(s for s in answer["sources"] if "31 décembre 2010" in s["text"])
    assert f"[{dated['n']}]" in flagged and "2010" in flagged
    assert "2010" not in answer["suggestion"] and "Énoncés datés" not in answer["suggestion"]
    # A decree cited by its date stays a point of the draft.
    assert "décret n° 2009-1486" in body


def test_the_conventions_facts_are_inserted(drafting_index):
    answer = _helper(drafting_index).ask(
        "Aide-moi à rédiger la partie prévention des expulsions", facts=FACTS
    )
    text = answer["answer"]
    assert "Office du Val, OPH" in text and "2025-2030" in text
    assert "Signataire : Agglomération du Val (EPCI)." in text
    assert "Associé : Département du Val (Département)." in text
    # The targets entered for G.I, and a placeholder for the indicators left empty.
    gi = next(line for line in text.splitlines() if line.startswith("- G.I"))
    assert "2025 : 3,5 %" in gi and "2030 : 2,0 %" in gi
    gii = next(line for line in text.splitlines() if line.startswith("- G.II"))
    assert "[à compléter : valeurs-cibles 2025-2030]" in gii
    assert "repérage précoce des ménages" in text


def test_placeholders_stand_where_facts_are_missing(drafting_index):
    answer = _helper(drafting_index).ask(
        "Proposez une rédaction pour la section sur la politique de loyers"
    )
    text = answer["answer"]
    assert "Organisme : « [à compléter : nom de l’organisme] »" in text
    assert "Période de la convention : « [à compléter :" in text
    assert "Signataires et collectivités associées : « [à compléter :" in text


def test_the_suggestion_is_the_plan_without_citations(drafting_index):
    answer = _helper(drafting_index).ask(
        "Proposez une rédaction pour la section sur la politique de loyers", facts=FACTS
    )
    suggestion = answer["suggestion"]
    assert suggestion.startswith("## Cadre de la convention")
    assert "## Ce que la section doit contenir" in suggestion
    assert not re.search(r"\[\d", suggestion)
    assert "Office du Val" in suggestion and "[à compléter" in suggestion


def test_a_question_that_is_no_drafting_request_is_answered_as_before(drafting_index):
    answer = _helper(drafting_index).ask("Quand les loyers évoluent-ils ?")
    assert "Cadre de la convention" not in answer["answer"]


# --- the model path ------------------------------------------------------------------------


PROSE = (
    "## Politique des loyers\n\nL'Office du Val fixe les loyers maximaux par immeuble [1]. "
    "Il module le supplément de loyer de solidarité [1] [9]. "
    "« [à compléter : quartiers exemptés] »"
)


def test_the_model_writes_through_the_drafting_prompt(drafting_index):
    model = _fake(PROSE)
    answer = _helper(drafting_index, llm=model).ask(
        "Proposez une rédaction pour la section sur la politique de loyers", facts=FACTS
    )
    assert answer["mode"] == "llm" and answer["found"]
    assert "[9]" not in answer["answer"] and "[1]" in answer["answer"]  # citation not given: out
    system, human = model.seen[-1][0].content, model.seen[-1][1].content
    assert "proposition de texte pour une section" in system
    assert "ÉNONCÉS DATÉS" in human and "2010" in human.split("ÉNONCÉS DATÉS")[1]
    assert "Office du Val, OPH" in human and "Agglomération du Val" in human
    assert "PLAN" in human and "<<<PASSAGE 1>>>" in human
    # What the drafter may propose: the prose without citations.
    assert answer["suggestion"].startswith("## Politique des loyers")
    assert not re.search(r"\[\d", answer["suggestion"])


def test_the_model_streams_a_draft_with_its_citations_checked(drafting_index):
    model = _fake(PROSE)
    events = list(
        _helper(drafting_index, llm=model).stream(
            "Proposez une rédaction pour la section sur la politique de loyers", facts=FACTS
        )
    )
    streamed = "".join(e["text"] for e in events if e["event"] == "token")
    assert "[9]" not in streamed and "[1]" in streamed
    final = events[-1]["result"]
    assert final["mode"] == "llm" and final["sources"] == events[0]["sources"]
