"""Search: the French analyser, the query plan and the whoosh index on the real corpus.

The corpus (../shared/corpus beside the project) is read as `kb ingest` reads it
(knowledge.extract, then knowledge.passages) into a whoosh index in a temporary
directory; tests that need it are skipped, with the reason, when it is absent.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

import pytest

from knowledge.analysis import exact_terms, fold, is_stop, stem, stemmed_terms, tokens, words
from knowledge.glossary import expand
from knowledge.query import MAX_QUERY_CHARS, plan
from knowledge.search import Filters, search
from knowledge.types import SearchDocument
from knowledge.whoosh_index import WhooshIndex
from tests.corpus import search_documents

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus"
PUBLIC = SHARED / "eval" / "public.jsonl"


def norm(text: str) -> str:
    """As ../shared/eval/norm.py: accents folded, lower case, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("’", " ").replace("'", " ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def corpus_documents() -> list[SearchDocument]:
    return search_documents()


@pytest.fixture(scope="module")
def corpus() -> list[SearchDocument]:
    if not (CORPUS / "manifest.json").exists():
        pytest.skip(f"the reference corpus is absent ({CORPUS}): nothing real to search")
    return corpus_documents()


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory) -> WhooshIndex:
    built = WhooshIndex(tmp_path_factory.mktemp("search") / "index")
    assert built.add(corpus) == len(corpus)
    return built


def texts(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [norm(hit.text) for hit in hits]


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
    assert plan("").empty and plan(None).empty  # type: ignore[arg-type]
    assert len(plan("logement " * 5000).text) == MAX_QUERY_CHARS


# --- retrieval on the real corpus -----------------------------------------------------------


def test_inflected_forms_find_each_other(index):
    hits, _ = search(index, "réhabilitations", limit=10)
    assert any(re.search(r"\bréhabilitation\b", hit.text) for hit in hits)
    hits, _ = search(index, "locataire", limit=10)
    assert any(re.search(r"\blocataires\b", hit.text) for hit in hits)


def test_an_acronym_finds_its_expansion_and_back(index, corpus):
    spelled_only = {
        doc.passage_id
        for doc in corpus
        if re.search(r"programmes? locaux? de l.habitat", doc.text, re.IGNORECASE)
        and "PLH" not in doc.text
    }
    acronym_only = {
        doc.passage_id
        for doc in corpus
        if "PLH" in doc.text and not re.search(r"programmes? locaux? de l", doc.text, re.I)
    }
    assert spelled_only and acronym_only
    hits, _ = search(index, "Que dit la convention sur le PLH ?", limit=10)
    assert spelled_only & {hit.passage_id for hit in hits}
    hits, _ = search(index, "EPCI dotés d'un programme local de l'habitat", limit=10)
    assert acronym_only & {hit.passage_id for hit in hits}


@pytest.mark.parametrize(
    "question",
    ["F.VI", "FVI", "f6", "indicateur F 6", "Que mesure l'indicateur f.vi ?"],
)
def test_indicator_codes_put_their_fiche_first(index, question):
    hits, _ = search(index, question, limit=5)
    assert hits and hits[0].indicator == "F.VI"


def test_a_code_and_a_topic_find_the_fiche_passage_on_the_topic(index):
    hits, _ = search(index, "Comment calculer l'indicateur F.II sur les ménages prioritaires ?")
    assert hits[0].indicator == "F.II"
    assert "menages prioritaires" in norm(hits[0].text)


def test_definition_questions_find_the_definition_first(index):
    hits, _ = search(index, "Qu'est-ce que la vacance technique ?")
    assert "vacance technique est notamment" in norm(hits[0].text)


def test_public_questions(index):
    if not PUBLIC.exists():
        pytest.skip(f"no public question set ({PUBLIC})")
    questions = [json.loads(line) for line in PUBLIC.read_text().splitlines() if line.strip()]
    judged = [q for q in questions if q.get("sources_any")]
    first = top5 = 0
    for question in judged:
        hits, _ = search(index, question["q"], limit=5)
        found = [
            any(norm(p) in norm(f"{hit.text} {hit.excerpt}") for p in question["sources_any"])
            for hit in hits
        ]
        first += bool(found) and found[0]
        top5 += any(found)
    assert top5 == len(judged) == 7
    assert first >= 6


def test_filters_by_kind_document_and_indicator(index, corpus):
    hits, total = search(index, "concertation locative", Filters(kind="guide"), limit=20)
    assert hits and total >= len(hits) and all(hit.kind == "guide" for hit in hits)
    hits, _ = search(index, "concertation locative", Filters(kind="fiche"), limit=20)
    assert all(hit.kind == "fiche" for hit in hits)
    document_id = next(doc.document_id for doc in corpus if doc.kind == "circulaire")
    hits, _ = search(index, "logement", Filters(document_id=document_id), limit=20)
    assert hits and all(hit.document_id == document_id for hit in hits)
    hits, _ = search(index, "valeur", Filters(indicator="G.III"), limit=20)
    assert hits and all(hit.indicator == "G.III" for hit in hits)
    assert search(index, "logement", Filters(kind="inconnu")) == ([], 0)


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        '"',
        '"*:(?',
        "logement*",
        "title:logement",
        "(logement OR vacance) AND NOT préfet",
        "vacance~2 ^3 [a TO z] {x} / \\ %",
        "é" * 50,
        "😀 \x00 \u202e",
        "l' d' qu'",
    ],
)
def test_odd_questions_never_raise(index, question):
    hits, total = search(index, question)
    assert isinstance(hits, list) and total >= len(hits)


def test_stop_words_only_return_nothing(index):
    assert search(index, "les ils quel cette comment ?") == ([], 0)
    assert index.search(plan("les"), Filters(), 10) == ([], 0)


def test_a_pasted_page_is_cut_and_answered_quickly(index, corpus):
    page = " ".join(doc.text for doc in corpus[:30])[:10_000]
    started = time.perf_counter()
    hits, _ = search(index, page)
    assert hits
    assert time.perf_counter() - started < 5  # generous: shared CI machines vary
    hits, _ = search(index, "logement " * 2000)
    assert hits


def test_excerpts_are_marked_and_escaped(index, tmp_path):
    hits, _ = search(index, "Qu'est-ce que la vacance technique ?")
    assert "<mark>" in hits[0].excerpt
    assert re.search(r"<mark>vacance</mark>", hits[0].excerpt, re.IGNORECASE)
    own = WhooshIndex(tmp_path / "own")
    own.add(
        [
            SearchDocument(
                passage_id=1,
                document_id=1,
                title="T",
                kind="guide",
                status="en_vigueur",
                locator="",
                heading="",
                text="<script>alert('x')</script> & le logement « social » <b>gras</b>",
            )
        ]
    )
    (hit,), _ = search(own, "logement")
    assert "<script>" not in hit.excerpt and "<b>" not in hit.excerpt
    assert "&lt;script&gt;" in hit.excerpt and "&amp;" in hit.excerpt
    assert "<mark>logement</mark>" in hit.excerpt
    assert hit.text.startswith("<script>")  # the text itself is the stored one


# --- the index's upkeep ---------------------------------------------------------------------


def _doc(passage_id: int, document_id: int, text: str, **fields) -> SearchDocument:
    values = {
        "title": "Guide",
        "kind": "guide",
        "status": "en_vigueur",
        "locator": "",
        "heading": "",
        "indicator": None,
    }
    values.update(fields)
    return SearchDocument(passage_id=passage_id, document_id=document_id, text=text, **values)


def test_update_delete_clear_and_count(tmp_path):
    own = WhooshIndex(tmp_path / "index")
    own.add([_doc(1, 1, "réhabilitation du parc"), _doc(2, 2, "vente de logements")])
    assert own.count() == 2
    own.add([_doc(1, 1, "démolition du parc")])  # the same passage id replaces
    assert own.count() == 2
    assert search(own, "réhabilitation") == ([], 0)
    assert [hit.passage_id for hit in search(own, "démolition")[0]] == [1]
    own.delete_document(2)
    assert own.count() == 1 and search(own, "vente") == ([], 0)
    # Another instance (another worker) sees the changes, and this one sees its writes.
    other = WhooshIndex(tmp_path / "index")
    assert [hit.passage_id for hit in search(other, "parc")[0]] == [1]
    other.add([_doc(3, 3, "parc social")])
    assert {hit.passage_id for hit in search(own, "parc")[0]} == {1, 3}
    own.clear()
    assert own.count() == 0 and search(own, "parc") == ([], 0)


def test_an_index_of_an_older_layout_is_replaced(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

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
