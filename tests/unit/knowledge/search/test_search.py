"""Search: the French analyser and the query plan, shared by both backends, and the
whoosh index's own upkeep. What both backends do on the real corpus is tested once for
both in tests/integration/knowledge/search/test_backends.py.
"""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from knowledge.search.acronyms import expand
from knowledge.search.analyser import exact_terms, fold, is_stop, stem, stemmed_terms, tokens, words
from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.search.index import search
from knowledge.search.query import MAX_QUERY_CHARS, plan
from knowledge.types import SearchDocument

# --- the analyser ---------------------------------------------------------------------------


def test_elisions_are_split_off():
    assert words("l’indicateur d'attribution qu'un jusqu'au") == [
        "indicateur",
        "attribution",
        "un",
        "au",
    ]
    assert exact_terms("L'État") == ["etat"]


def test_accents_are_folded_after_the_stop_filter():
    assert fold("Élaboration, œuvre, Ça") == "elaboration, oeuvre, ca"
    assert is_stop("à") and is_stop("où")
    assert stemmed_terms("réhabilitation") == stemmed_terms("rehabilitation")


def test_plurals_and_inflections_meet():
    assert stem("réhabilitations") == stem("réhabilitation")
    assert stem("locataires") == stem("locataire")
    assert stem("réalisée") == stem("réalisé")


def test_stop_words_of_questions():
    for word in ["les", "ils", "quel", "quelle", "cette", "comment", "est", "qu", "depuis"]:
        assert is_stop(word), word
    assert stemmed_terms("Comment les ils quel cette ?") == []
    assert not is_stop("logement")


def test_hyphens_dotted_acronyms_and_numbers():
    assert words("logements-foyers") == ["logements", "foyers"]
    assert words("Qu'est-ce") == ["est", "ce"]
    assert words("la C.U.S. et l'indicateur F.VI, article L. 445-1") == [
        "la",
        "cus",
        "et",
        "indicateur",
        "f.vi",
        "article",
        "l",
        "445-1",
    ]
    assert words("41 000 logements, 4.000 à 5.000") == ["41000", "logements", "4000", "à", "5000"]
    assert exact_terms("deux ans") == exact_terms("2 ans") == ["2", "ans"]
    # Offsets point into the original text, for the excerpts.
    text = "l’indicateur F.VI"
    assert [text[start:end] for _w, start, end in tokens(text)] == ["indicateur", "F.VI"]


def test_acronyms_are_not_stemmed_nor_stopped():
    assert stem("SLS") == "sls"
    assert stemmed_terms("le PLUS et le PLAI") == ["plus", "plai"]
    assert stemmed_terms("plus de logements") == [stem("logements")]
    assert stemmed_terms("PLA-I") == ["plai"]


def test_glossary_expands_both_ways():
    assert "programme local de l'habitat" in expand("Que dit le PLH ?")
    assert "PLH" in expand("les programmes locaux de l’habitat")
    assert "CUS" in expand("la convention d'utilité sociale")
    assert expand("il y a plus de logements") == []  # "plus" is no acronym in lower case


# --- the query plan -------------------------------------------------------------------------


def test_plan_of_a_question():
    query = plan("Comment mesurer le taux de vacance des logements-foyers ?")
    assert query.terms == ("mesurer", "taux", "vacance", "logements", "foyers")
    assert ("taux", "vacance") in query.near
    assert ("taux", "vacance") not in query.phrases  # "de" stands between them
    assert ("logements", "foyers") in query.phrases
    assert query.keyword_indicators[:1] == ("F.VI",)
    assert not query.empty


@pytest.mark.parametrize("question", ["F.VI", "FVI", "f6", "indicateur F 6", "fiche f.vi"])
def test_plan_recognises_indicator_codes_in_any_spelling(question):
    query = plan(question)
    assert query.indicators == ("F.VI",)
    assert "f.vi" in query.terms
    assert not {"f", "6", "fvi", "f6"} & set(query.terms)


def test_plan_of_definition_and_date_questions():
    assert plan("Qu'est-ce que la vacance technique ?").defined == ("vacance", "technique")
    assert plan("Que signifie ménages en impayés ?").defined == ("menages", "impayes")
    assert plan("Quand la CUS est-elle signée ?").expects == "date"
    assert plan("Quel pourcentage des organismes ?").expects == "percent"
    assert plan("Qui signe la convention ?").defined == ()


def test_plan_of_spelled_out_acronyms():
    query = plan("Comment la CUS tient-elle compte des programmes locaux de l'habitat ?")
    assert set(query.acronyms) == {"CUS", "PLH"}
    assert query.spelled == (("PLH", ("programmes", "locaux", "habitat")),)


def test_plan_of_odd_input():
    assert plan("les ils quel cette comment").empty
    assert plan("").empty and plan(None).empty
    assert len(plan("logement " * 5000).text) == MAX_QUERY_CHARS


# --- the whoosh index's own upkeep ------------------------------------------------------------
# (what both backends do is tested once: tests/integration/knowledge/search/test_backends.py)


def _doc(passage_id: int, document_id: int, text: str) -> SearchDocument:
    return SearchDocument(
        passage_id=passage_id,
        document_id=document_id,
        title="Guide",
        kind="guide",
        status="en_vigueur",
        locator="",
        heading="",
        text=text,
    )


def test_an_index_of_an_older_layout_is_replaced(tmp_path):
    old = whoosh_index.create_in(
        str(tmp_path), Schema(passage_id=ID(stored=True), body=TEXT()), indexname="passages"
    )
    writer = old.writer()
    writer.add_document(passage_id="1", body="logement")
    writer.commit()
    own = WhooshIndex(tmp_path)
    assert own.count() == 0
    own.add([_doc(1, 1, "logement")])
    assert [hit.passage_id for hit in search(own, "logement")[0]] == [1]
