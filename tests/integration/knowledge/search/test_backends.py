"""One search suite, run on both backends of knowledge.search: whoosh and PostgreSQL.

Every test takes ``index`` (the reference corpus, indexed once per backend and module)
or ``scratch`` (an empty index of its own) and runs once per backend. The whoosh
indexes live in temporary directories; the PostgreSQL ones in a fresh schema each,
dropped afterwards (the PostgreSQL runs are skipped, saying so, outside the PostgreSQL
series, where COSIGNE_TEST_DATABASE_URL is not set). The corpus (../shared/corpus) is
read as `kb ingest` reads it; tests that need it are skipped with the reason when it is
absent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from knowledge.search.backends.postgres import PostgresIndex
from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.search.index import Filters, SearchIndex, search
from knowledge.search.query import QueryPlan, plan
from knowledge.types import SearchDocument
from tests.corpus import CORPUS, SHARED, corpus_available, norm, search_documents, search_schema

POSTGRES_URL = os.environ.get("COSIGNE_TEST_DATABASE_URL")
PUBLIC = SHARED / "eval" / "public.jsonl"
BACKENDS = ["whoosh", "postgres"]


@contextmanager
def empty_index(backend: str, directory: Path) -> Iterator[SearchIndex]:
    if backend == "whoosh":
        yield WhooshIndex(directory)
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL backend: runs in the PostgreSQL series (COSIGNE_TEST_DATABASE_URL)")
    with search_schema(POSTGRES_URL) as engine:
        yield PostgresIndex(engine)


@pytest.fixture(scope="module")
def corpus() -> list[SearchDocument]:
    if not corpus_available():
        pytest.skip(f"the reference corpus is absent ({CORPUS}): nothing real to search")
    return search_documents()


@pytest.fixture(scope="module", params=BACKENDS)
def index(request, corpus, tmp_path_factory) -> Iterator[SearchIndex]:
    """The corpus indexed once per backend; tests taking it only read it."""
    with empty_index(request.param, tmp_path_factory.mktemp("search")) as built:
        assert built.add(corpus) == len(corpus)
        built.optimize()
        yield built


@pytest.fixture(params=BACKENDS)
def scratch(request, tmp_path) -> Iterator[SearchIndex]:
    """An empty index of its own, for tests that write."""
    with empty_index(request.param, tmp_path / "index") as empty:
        yield empty


def doc(passage_id: int, body: str, **kw) -> SearchDocument:
    values = {
        "document_id": 1,
        "title": "Document",
        "kind": "guide",
        "status": "en_vigueur",
        "locator": "",
        "heading": "",
        "indicator": None,
    }
    values.update(kw)
    return SearchDocument(passage_id=passage_id, text=body, **values)


def ids(hits) -> list[int]:
    return [h.passage_id for h in hits]


# --- analysis, on the real corpus -------------------------------------------------------


def test_accents_plurals_and_inflections_meet(index):
    hits, total = search(index, "réhabilitations", limit=20)
    assert hits and total >= len(hits)
    texts = [h.text.lower() for h in hits]
    singular = [t for t in texts if "réhabilitation" in t and "réhabilitations" not in t]
    assert singular, "the plural should find passages with the singular only"
    for spelling in ("rehabilitations", "RÉHABILITATION", "réhabilitation"):
        assert set(ids(search(index, spelling, limit=20)[0])) == set(ids(hits))
    assert any("<mark>réhabilitation</mark>" in h.excerpt.lower() for h in hits)
    hits, _ = search(index, "locataire", limit=10)
    assert any(re.search(r"\blocataires\b", hit.text) for hit in hits)


def test_an_acronym_finds_its_expansion_and_back(index, corpus):
    spelled_only = {
        d.passage_id
        for d in corpus
        if re.search(r"programmes? locaux? de l.habitat", d.text, re.IGNORECASE)
        and "PLH" not in d.text
    }
    acronym_only = {
        d.passage_id
        for d in corpus
        if "PLH" in d.text and not re.search(r"programmes? locaux? de l", d.text, re.I)
    }
    assert spelled_only and acronym_only
    hits, _ = search(index, "Que dit la convention sur le PLH ?", limit=10)
    assert spelled_only & set(ids(hits))
    hits, _ = search(index, "EPCI dotés d'un programme local de l'habitat", limit=10)
    assert acronym_only & set(ids(hits))


def test_stop_words_only_find_nothing(index):
    assert search(index, "le la les de ?") == ([], 0)
    assert search(index, "les ils quel cette comment ?") == ([], 0)
    assert search(index, "Qu'est-ce que c'est ?") == ([], 0)
    assert index.search(plan("les"), Filters(), 10) == ([], 0)
    only_stops = QueryPlan(
        text="", terms=("de", "la", "des"), phrases=(), expansions=(), indicators=()
    )
    assert index.search(only_stops, Filters(), 10) == ([], 0)


ODD_QUESTIONS = [
    "",
    "   ",
    '"',
    "*",
    ":",
    "(",
    ")",
    "?",
    "&",
    "|",
    "!",
    "<->",
    "'",
    "\\",
    '" * : ( ? & | !',
    "vacance:*",
    "logement*",
    "title:logement",
    "(logement OR vacance) AND NOT préfet",
    "vacance~2 ^3 [a TO z] {x} / \\ %",
    "taux:A <2> vacance",
    "F.VI:*",
    "'' ; DROP TABLE search_passage; --",
    "\x00vacance",
    "é" * 50,
    "😀 \x00 \u202e",
    "l' d' qu'",
    "_",
]


@pytest.mark.parametrize("question", ODD_QUESTIONS)
def test_odd_questions_never_raise(index, question):
    hits, total = search(index, question)
    assert isinstance(hits, list) and total >= len(hits)
    odd = QueryPlan(
        text=question,
        terms=(question, f"vacance{question}"),
        phrases=((question, "vacance"),),
        expansions=(question,),
        indicators=(),
    )
    index.search(odd, Filters(), 10)


def test_very_long_questions_never_raise(index, corpus):
    long_question = ("vacance technique des logements sociaux " * 300)[:10_000]
    assert search(index, long_question)[0]
    assert search(index, "x" * 10_000) == ([], 0)
    page = " ".join(d.text for d in corpus[:30])[:10_000]  # a pasted page is cut
    assert search(index, page)[0]
    many = QueryPlan(
        text="",
        terms=tuple(f"mot{i}" for i in range(200)) + ("a" * 10_000, "vacance"),
        phrases=(("a" * 5000, "b" * 5000),),
        expansions=("é" * 10_000,),
        indicators=(),
    )
    assert search(index, "vacance")[0]
    index.search(many, Filters(), 100)


# --- ranking on the real corpus ---------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("F.VI", "F.VI"),
        ("f.vi", "F.VI"),
        ("FVI", "F.VI"),
        ("f6", "F.VI"),
        ("F.6", "F.VI"),
        ("indicateur F 6", "F.VI"),
        ("Que mesure l'indicateur f.vi ?", "F.VI"),
        ("Quel est le taux de vacance de l'indicateur F VI ?", "F.VI"),
        ("g3", "G.III"),
        ("Comment calculer l'indicateur F.II sur les attributions ?", "F.II"),
    ],
)
def test_an_indicator_code_in_any_spelling_puts_its_fiche_first(index, question, code):
    hits, _total = search(index, question)
    assert hits and hits[0].indicator == code, [(h.indicator, h.locator) for h in hits[:3]]


def test_a_code_and_a_topic_find_the_fiche_passage_on_the_topic(index):
    hits, _ = search(index, "Comment calculer l'indicateur F.II sur les ménages prioritaires ?")
    assert hits[0].indicator == "F.II"
    assert "menages prioritaires" in norm(hits[0].text)


def test_definition_questions_find_the_definition_first(index):
    hits, _ = search(index, "Qu'est-ce que la vacance technique ?")
    assert "vacance technique est notamment" in norm(hits[0].text)
    assert re.search(r"<mark>vacance</mark>", hits[0].excerpt, re.IGNORECASE)


def test_public_questions_find_their_sources(index):
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


# --- filters, limits, excerpts ----------------------------------------------------------


def test_filters_by_kind_document_and_indicator(index, corpus):
    question = "concertation locative des locataires"
    everything, total = search(index, question, limit=100)
    assert {"guide", "circulaire"} <= {h.kind for h in everything}
    guides, guide_total = search(index, question, Filters(kind="guide"), limit=100)
    assert guides and {h.kind for h in guides} == {"guide"}
    assert guide_total < total
    document_id = guides[0].document_id
    one, _n = search(index, question, Filters(document_id=document_id), limit=100)
    assert one and {h.document_id for h in one} == {document_id}
    fiche, _n = search(index, "taux de vacance", Filters(indicator="F.VI"), limit=100)
    assert fiche and {h.indicator for h in fiche} == {"F.VI"}
    hits, _n = search(index, "valeur", Filters(indicator="G.III"), limit=20)
    assert hits and {h.indicator for h in hits} == {"G.III"}
    assert search(index, question, Filters(kind="nulle-part")) == ([], 0)


def test_limit_and_total(index):
    hits, total = search(index, "logement", limit=3)
    assert len(hits) == 3 and total > 3
    scores = [h.score for h in search(index, "logement", limit=50)[0]]
    assert scores == sorted(scores, reverse=True)


def test_corpus_excerpts_are_safe_html(index):
    for question in ("vacance technique", "loyers & charges", "convention d'utilité sociale"):
        for hit in search(index, question, limit=20)[0]:
            bare = hit.excerpt.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in bare and ">" not in bare
            assert hit.excerpt.count("<mark>") == hit.excerpt.count("</mark>")


def test_excerpts_are_escaped_with_marks(scratch):
    body = (
        "Si le loyer < 5 € & les charges > 2 €, la vacance <script>alert('x')</script> "
        'est "technique" : voir l\'article L. 445-1.'
    )
    scratch.add(
        [
            doc(1, body),
            doc(2, "Un texte sans le mot <b>cherché</b> & rien d'autre.", heading="Vacance"),
        ]
    )
    hits, _total = search(scratch, "vacance")
    by_id = {h.passage_id: h for h in hits}
    assert set(by_id) == {1, 2}
    excerpt = by_id[1].excerpt
    assert "<mark>vacance</mark>" in excerpt
    assert "&lt;" in excerpt and "&amp;" in excerpt
    assert "<script" not in excerpt and "</script" not in excerpt
    assert excerpt.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    # Matched by its heading only: the beginning of the body, escaped.
    assert by_id[2].excerpt.startswith("Un texte sans le mot &lt;b&gt;cherché&lt;/b&gt; &amp;")
    assert by_id[2].text == "Un texte sans le mot <b>cherché</b> & rien d'autre."


# --- writes -----------------------------------------------------------------------------


def test_update_delete_clear_and_count(scratch):
    scratch.add([doc(1, "réhabilitation du parc"), doc(2, "vente de logements", document_id=2)])
    assert scratch.count() == 2
    scratch.add([doc(1, "démolition du parc")])  # the same passage id replaces
    assert scratch.count() == 2
    assert search(scratch, "réhabilitation") == ([], 0)
    assert ids(search(scratch, "démolition")[0]) == [1]
    scratch.delete_document(2)
    assert scratch.count() == 1 and search(scratch, "vente") == ([], 0)
    scratch.delete_document(999_999)  # unknown: nothing happens
    assert scratch.count() == 1
    # Another instance (another worker) sees the changes, and this one sees its writes.
    other = type(scratch)(scratch.directory if hasattr(scratch, "directory") else scratch.engine)
    assert ids(search(other, "parc")[0]) == [1]
    other.add([doc(3, "parc social", document_id=3)])
    assert set(ids(search(scratch, "parc")[0])) == {1, 3}
    scratch.clear()
    assert scratch.count() == 0 and search(scratch, "parc") == ([], 0)
    assert scratch.add([]) == 0


def test_the_documents_indexed_with_their_passage_counts(scratch):
    assert scratch.documents() == {}
    scratch.add([doc(1, "un"), doc(2, "deux"), doc(3, "trois", document_id=5)])
    assert scratch.documents() == {1: 2, 5: 1}
    scratch.add([doc(2, "deux encore")])  # replaced, not counted twice
    scratch.delete_document(5)
    assert scratch.documents() == {1: 2}


def test_delete_document_removes_its_passages(scratch, corpus):
    scratch.add(corpus)
    doomed = corpus[0].document_id
    kept = sum(1 for d in corpus if d.document_id != doomed)
    assert any(h.document_id == doomed for h in search(scratch, "préfet de région", limit=50)[0])
    scratch.delete_document(doomed)
    assert scratch.count() == kept
    hits, _total = search(scratch, "préfet de région convention", limit=100)
    assert hits and all(h.document_id != doomed for h in hits)


def test_adding_the_same_passage_id_replaces_it(scratch):
    scratch.add([doc(7, "Le loyer plafond des logements.", title="Ancien titre")])
    assert scratch.add([doc(7, "La vacance technique d'un immeuble.", title="Nouveau titre")]) == 1
    assert scratch.count() == 1
    assert search(scratch, "loyer plafond") == ([], 0)
    hits, total = search(scratch, "vacance")
    assert (ids(hits), total) == ([7], 1)
    assert hits[0].title == "Nouveau titre"
    assert hits[0].text == "La vacance technique d'un immeuble."
    # Twice in one batch: the last one wins.
    scratch.add([doc(8, "premier texte"), doc(8, "second texte")])
    assert search(scratch, "texte")[0][0].text == "second texte"
    assert scratch.count() == 2


# --- ranking intent ---------------------------------------------------------------------


def test_title_and_heading_rank_above_the_body(scratch):
    filler = " ".join(["Le bailleur présente ses engagements."] * 5)
    scratch.add(
        [
            doc(1, f"{filler} La mutation est possible.", document_id=1),
            doc(2, filler, heading="Mutation des locataires", document_id=2),
            doc(
                3,
                f"{filler} La mutation est possible.",
                title="Guide de la mutation",
                document_id=3,
            ),
        ]
    )
    # The body-only match comes last: the heading and the title both weigh more.
    assert ids(search(scratch, "mutation")[0]) in ([3, 2, 1], [2, 3, 1])
    # A passage matching by its document's title alone is no hit: all would be.
    scratch.add([doc(4, filler, title="Guide de la mutation", document_id=3)])
    assert 4 not in ids(search(scratch, "mutation")[0])


def test_exact_forms_rank_above_stems(scratch):
    # Snowball stems both "indicateur" and "indique" to "indiqu".
    scratch.add(
        [
            doc(1, "L'organisme indique ses engagements pour la période."),
            doc(2, "Cet indicateur mesure les engagements pour la période."),
        ]
    )
    assert ids(search(scratch, "indicateur")[0]) == [2, 1]
    assert ids(search(scratch, "indique")[0]) == [1, 2]


def test_phrases_rank_above_scattered_words(scratch):
    scratch.add(
        [
            doc(1, "La technique de calcul retient la vacance constatée en fin d'année."),
            doc(2, "La vacance technique retient les logements en travaux en fin d'année."),
            doc(3, "Le taux de vacance est mesuré au 31 décembre de chaque année."),
        ]
    )
    assert ids(search(scratch, "vacance technique")[0])[0] == 2
    # One word apart ("taux de vacance") still counts as the phrase "taux vacance".
    assert ids(search(scratch, "taux vacance")[0])[0] == 3


def test_acronyms_find_their_expansion(scratch):
    scratch.add(
        [
            doc(1, "Le programme local de l'habitat fixe les objectifs de la commune."),
            doc(2, "Les objectifs de la commune sont fixés chaque année."),
        ]
    )
    assert ids(search(scratch, "objectifs du PLH")[0])[0] == 1


def test_indicator_tagged_passages_come_first_when_named(scratch):
    scratch.add(
        [
            doc(1, "Le taux de vacance, la vacance, encore la vacance des logements."),
            doc(2, "Nombre de logements vacants depuis plus de trois mois.", indicator="F.VI"),
        ]
    )
    assert ids(search(scratch, "vacance")[0])[0] == 1
    assert ids(search(scratch, "vacance indicateur F.VI")[0])[0] == 2
