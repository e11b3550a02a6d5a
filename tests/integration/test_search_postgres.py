"""The PostgreSQL full-text backend (knowledge.postgres_index) on the real corpus.

Runs in the PostgreSQL series only, each module in a fresh schema of its own (the
backend creates its table and text search configurations there on first use), and
checks what the whoosh backend does: accents and plurals, stop words, odd characters,
indicator codes, filters, deletion, replacement, escaped excerpts, ranking intent, and
the public eval questions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from knowledge.postgres_index import PostgresIndex
from knowledge.query import QueryPlan
from knowledge.search import Filters, search
from knowledge.types import SearchDocument
from tests.corpus import corpus_available, search_documents

POSTGRES_URL = os.environ.get("COSIGNE_TEST_DATABASE_URL")
if not POSTGRES_URL:
    pytest.skip(
        "PostgreSQL backend: runs in the PostgreSQL series (COSIGNE_TEST_DATABASE_URL)",
        allow_module_level=True,
    )

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"
ODD_QUERIES = [
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
    "vacance & | technique",
    "!vacance",
    "(vacance | technique",
    "taux:A <2> vacance",
    "l'",
    "F.VI:*",
    "'' ; DROP TABLE search_passage; --",
    "\x00vacance",
    "é",
    "_",
]


@contextmanager
def fresh_schema() -> Iterator[Engine]:
    """An engine whose search_path is a new schema, dropped afterwards."""
    schema = f"cosigne_search_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def load_corpus() -> list[SearchDocument]:
    if not corpus_available():
        pytest.skip(f"corpus absent ({CORPUS})")
    return search_documents()


@pytest.fixture(scope="module")
def corpus() -> list[SearchDocument]:
    return load_corpus()


@pytest.fixture(scope="module")
def index(corpus) -> Iterator[PostgresIndex]:
    """The corpus indexed once for the module; tests here only read it."""
    with fresh_schema() as engine:
        ix = PostgresIndex(engine)
        assert ix.add(corpus) == len(corpus)
        yield ix


@pytest.fixture
def scratch() -> Iterator[PostgresIndex]:
    """An empty index in a schema of its own, for tests that write."""
    with fresh_schema() as engine:
        yield PostgresIndex(engine)


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


# --- storage ---------------------------------------------------------------------------


def test_the_backend_creates_its_own_storage_once(index, corpus):
    assert index.count() == len(corpus)
    with index.engine.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
        configs = conn.scalars(
            text(
                "SELECT c.cfgname FROM pg_ts_config c JOIN pg_namespace n "
                "ON n.oid = c.cfgnamespace WHERE n.nspname = :s ORDER BY 1"
            ),
            {"s": schema},
        ).all()
        indexes = conn.scalars(
            text("SELECT indexdef FROM pg_indexes WHERE schemaname = :s"), {"s": schema}
        ).all()
    assert configs == ["cosigne_exact", "cosigne_french"]
    assert sum("USING gin" in d for d in indexes) == 2
    # A second instance (another worker) finds everything in place.
    again = PostgresIndex(index.engine)
    assert again.count() == len(corpus)


def test_refuses_a_database_other_than_postgresql(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="PostgreSQL"):
        PostgresIndex(engine)
    engine.dispose()


def test_storage_is_set_up_again_when_it_vanished(scratch):
    scratch.add([doc(1, "La vacance technique des logements.")])
    with scratch.engine.begin() as conn:
        conn.execute(text("DROP TABLE search_passage"))
        conn.execute(text("DROP TEXT SEARCH CONFIGURATION cosigne_french"))
    assert scratch.count() == 0
    scratch.add([doc(1, "La vacance technique des logements.")])
    assert ids(search(scratch, "vacance")[0]) == [1]


# --- analysis --------------------------------------------------------------------------


def test_accents_and_plurals_are_folded(index):
    hits, total = search(index, "réhabilitations", limit=20)
    assert hits and total >= len(hits)
    texts = [h.text.lower() for h in hits]
    singular = [t for t in texts if "réhabilitation" in t and "réhabilitations" not in t]
    assert singular, "the plural should find passages with the singular only"
    for spelling in ("rehabilitations", "RÉHABILITATION", "réhabilitation"):
        assert set(ids(search(index, spelling, limit=20)[0])) == set(ids(hits))
    assert any("<mark>réhabilitation</mark>" in h.excerpt.lower() for h in hits)


def test_stop_words_only_find_nothing(index):
    assert search(index, "le la les de ?") == ([], 0)
    assert search(index, "Qu'est-ce que c'est ?") == ([], 0)
    # Words that only PostgreSQL's French list drops: no match, no error.
    only_stops = QueryPlan(
        text="", terms=("de", "la", "des"), phrases=(), expansions=(), indicators=()
    )
    assert index.search(only_stops, Filters(), 10) == ([], 0)


@pytest.mark.parametrize("question", ODD_QUERIES)
def test_syntax_characters_never_raise(index, question):
    hits, total = search(index, question)
    assert total >= len(hits)
    odd = QueryPlan(
        text=question,
        terms=(question, f"vacance{question}"),
        phrases=((question, "vacance"),),
        expansions=(question,),
        indicators=(),
    )
    index.search(odd, Filters(), 10)


def test_very_long_queries_never_raise(index):
    long_question = ("vacance technique des logements sociaux " * 300)[:10_000]
    assert len(long_question) == 10_000
    hits, _total = search(index, long_question)
    assert hits
    assert search(index, "x" * 10_000) == ([], 0)
    many = QueryPlan(
        text="",
        terms=tuple(f"mot{i}" for i in range(200)) + ("a" * 10_000, "vacance"),
        phrases=(("a" * 5000, "b" * 5000),),
        expansions=("é" * 10_000,),
        indicators=(),
    )
    index.search(many, Filters(), 100)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("F.VI", "F.VI"),
        ("f.vi", "F.VI"),
        ("indicateur f6", "F.VI"),
        ("FVI", "F.VI"),
        ("F.6", "F.VI"),
        ("Quel est le taux de vacance de l'indicateur F VI ?", "F.VI"),
        ("g3", "G.III"),
        ("Comment calculer l'indicateur F.II sur les attributions ?", "F.II"),
    ],
)
def test_an_indicator_code_in_any_spelling_puts_its_fiche_first(index, question, code):
    hits, _total = search(index, question)
    assert hits and hits[0].indicator == code, [(h.indicator, h.locator) for h in hits[:3]]


# --- filters and writes ----------------------------------------------------------------


def test_filters_by_kind_document_and_indicator(index, corpus):
    question = "concertation locative des locataires"
    everything, total = search(index, question, limit=100)
    kinds = {h.kind for h in everything}
    assert {"guide", "circulaire"} <= kinds
    guides, guide_total = search(index, question, Filters(kind="guide"), limit=100)
    assert guides and {h.kind for h in guides} == {"guide"}
    assert guide_total < total
    document_id = guides[0].document_id
    one, _n = search(index, question, Filters(document_id=document_id), limit=100)
    assert one and {h.document_id for h in one} == {document_id}
    fiche, _n = search(index, "taux de vacance", Filters(indicator="F.VI"), limit=100)
    assert fiche and {h.indicator for h in fiche} == {"F.VI"}
    assert search(index, question, Filters(kind="nulle-part")) == ([], 0)


def test_limit_and_total(index):
    hits, total = search(index, "logement", limit=3)
    assert len(hits) == 3 and total > 3
    scores = [h.score for h in search(index, "logement", limit=50)[0]]
    assert scores == sorted(scores, reverse=True)


def test_delete_document_removes_its_passages(scratch, corpus):
    scratch.add(corpus)
    doomed = corpus[0].document_id
    kept = sum(1 for d in corpus if d.document_id != doomed)
    assert any(h.document_id == doomed for h in search(scratch, "préfet de région", limit=50)[0])
    scratch.delete_document(doomed)
    assert scratch.count() == kept
    hits, _total = search(scratch, "préfet de région convention", limit=100)
    assert hits and all(h.document_id != doomed for h in hits)
    scratch.delete_document(999_999)  # unknown: nothing happens
    assert scratch.count() == kept


def test_clear_empties_the_index(scratch, corpus):
    scratch.add(corpus[:50])
    assert scratch.count() == 50
    scratch.clear()
    assert scratch.count() == 0
    assert search(scratch, "logement") == ([], 0)
    assert scratch.add([]) == 0


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


def test_excerpts_are_escaped_with_marks(scratch):
    body = (
        "Si le loyer < 5 € & les charges > 2 €, la vacance <script>alert('x')</script> "
        'est "technique" : voir l\'article L. 445-1.'
    )
    scratch.add(
        [
            doc(1, body),
            doc(2, "Un texte sans le mot <b>cherché</b> & rien d'autre.", title="Vacance"),
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
    # Matched by its title only: the beginning of the body, escaped.
    assert by_id[2].excerpt.startswith("Un texte sans le mot &lt;b&gt;cherché&lt;/b&gt; &amp;")
    assert by_id[2].text == "Un texte sans le mot <b>cherché</b> & rien d'autre."


def test_corpus_excerpts_are_safe_html(index):
    for question in ("vacance technique", "loyers & charges", "convention d'utilité sociale"):
        for hit in search(index, question, limit=20)[0]:
            bare = hit.excerpt.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in bare and ">" not in bare
            assert hit.excerpt.count("<mark>") == hit.excerpt.count("</mark>")


# --- ranking intent ---------------------------------------------------------------------


def test_title_and_heading_rank_above_the_body(scratch):
    filler = " ".join(["Le bailleur présente ses engagements."] * 5)
    scratch.add(
        [
            doc(1, f"{filler} La mutation est possible.", document_id=1),
            doc(2, filler, heading="Mutation des locataires", document_id=2),
            doc(3, filler, title="Guide de la mutation", document_id=3),
        ]
    )
    assert ids(search(scratch, "mutation")[0]) == [3, 2, 1]


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


# --- the public questions ---------------------------------------------------------------


def _norm():
    path = EVAL / "norm.py"
    if not path.exists():
        pytest.skip(f"eval set absent ({EVAL})")
    spec = importlib.util.spec_from_file_location("cosigne_eval_norm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.norm


def test_public_questions_find_their_sources(index):
    norm = _norm()
    questions = [
        json.loads(line)
        for line in (EVAL / "public.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    questions = [q for q in questions if q.get("sources_any")]
    assert questions
    at1 = at5 = 0
    misses = []
    for q in questions:
        hits, _total = search(index, q["q"], limit=5)
        found = [
            any(norm(p) in norm(f"{h.text} {h.excerpt}") for p in q["sources_any"]) for h in hits
        ]
        at1 += bool(found[:1] and found[0])
        at5 += any(found)
        if not any(found):
            misses.append(q["id"])
    print(f"\nPostgreSQL search: hit@1 {at1}/{len(questions)}, hit@5 {at5}/{len(questions)}")
    assert at5 * 7 >= len(questions) * 6, f"missed: {misses}"


def test_query_latency_on_the_corpus(index):
    questions = [
        "vacance technique",
        "réhabilitations",
        "indicateur f6",
        "Qui signe la convention d'utilité sociale au nom de l'Etat ?",
        "Quels sont les champs possibles d'une contractualisation entre un OPH et sa collectivité ?",
        "plan de concertation locative",
        "attributions aux ménages prioritaires",
        "Les logements-foyers entrent-ils dans le champ de la CUS ?",
    ] * 5
    search(index, questions[0])
    times = []
    for question in questions:
        started = time.perf_counter()
        search(index, question)
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    print(f"\nPostgreSQL search: median {median:.1f} ms over {len(times)} queries")
    assert median < 500  # generous: a shared test machine; typical is ~15 ms


# --- through the application ---------------------------------------------------------


def test_the_application_indexes_searches_and_removes_through_postgres(app):
    from app import kb

    app.config["SEARCH_BACKEND"] = "postgres"
    note = (
        "# Vacance des logements\n\n"
        "La vacance technique désigne les logements neutralisés pour travaux.\n\n"
        "## Réhabilitation\n\n"
        "Les réhabilitations lourdes suspendent la location."
    ).encode()
    with app.app_context():
        index = kb.index()
        assert isinstance(index, PostgresIndex)
        try:
            document, created = kb.ingest("note-vacance.md", note, "guide", title="Note vacance")
            assert created
            result = kb.search("réhabilitation des logements vacants")
            assert result.hits and {h.document_id for h in result.hits} == {document.id}
            assert kb.reindex() == kb.passage_count() == index.count()
            assert kb.search("vacance technique").hits[0].document_id == document.id
            kb.remove(document.id)
            assert index.count() == 0
            assert kb.search("vacance technique").hits == []
        finally:
            index.clear()  # the table outlives the truncation of the application's tables
