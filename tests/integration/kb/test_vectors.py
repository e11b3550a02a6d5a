"""The passages' vectors in the database (app/kb/vectors.py), with a deterministic model
(tests/embeddings.py): computed after an ingest and by the catch-up, gone with their
passage, rebuilt by `kb reindex`, another model's replaced, and the hybrid search behind
the knowledge base's search and the assistant's retriever. Without a model (the suite's
``none``), the index is the backend itself."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from app import create_app
from app.db import db_session, write_transaction
from app.kb import background, operations, projection, vectors
from app.kb.queries import index
from app.kb.queries import search as kb_search
from app.models import KbPassage, KbVector
from knowledge.search.backends.postgres import PostgresIndex
from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.search.hybrid import HybridIndex
from tests.embeddings import ConceptEmbeddings

SIGNING = (
    "# Signataires\n\nLe préfet et l'organisme sont les signataires de la convention.\n\n"
    "# Vacance\n\nLa vacance des logements est mesurée chaque année par l'organisme.\n"
)
CHARGES = (
    "# Accords collectifs\n\nUn accord collectif local fixe les charges récupérables.\n\n"
    "# Loyers\n\nLes loyers sont révisés au premier janvier de chaque année.\n"
)
PARAPHRASE = "Qui paraphe l'accord ?"


@pytest.fixture
def model():
    return ConceptEmbeddings()


@pytest.fixture
def hybrid_app(app, model):
    """The same database and data directory, with the test model configured."""
    return create_app({**app.config, "TESTING": True, "EMBEDDINGS": model})


def stored(app) -> dict[int, str]:
    with app.app_context():
        return dict(db_session().execute(select(KbVector.passage_id, KbVector.model)).all())


def passage_ids(app) -> set[int]:
    with app.app_context():
        return set(db_session().scalars(select(KbPassage.id)))


def test_without_a_model_the_index_is_the_backend_and_no_vector_is_made(app):
    with app.app_context():
        assert isinstance(index(), WhooshIndex | PostgresIndex)
        operations.ingest("signataires.md", SIGNING.encode(), "guide")
        assert vectors.compute_missing() == 0
    assert stored(app) == {}


def test_an_ingested_document_gets_its_vectors_and_its_paraphrases_are_found(hybrid_app):
    with hybrid_app.app_context():
        assert isinstance(index(), HybridIndex)
        signing, _created = operations.ingest("signataires.md", SIGNING.encode(), "guide")
        operations.ingest("charges.md", CHARGES.encode(), "guide")
        signatories = next(p.id for p in signing.passages if p.heading == "Signataires")
        hits = kb_search(PARAPHRASE).hits
    assert stored(hybrid_app) == dict.fromkeys(passage_ids(hybrid_app), "test/concepts")
    assert signatories in [hit.passage_id for hit in hits]


def test_the_assistants_retriever_finds_the_paraphrase_too(hybrid_app):
    from app.assistant.engine import assistant  # noqa: PLC0415 (LangChain loads late)

    with hybrid_app.app_context():
        operations.ingest("signataires.md", SIGNING.encode(), "guide")
        operations.ingest("charges.md", CHARGES.encode(), "guide")
        documents = assistant().retriever.invoke(PARAPHRASE)
    assert any("signataires" in d.page_content for d in documents)


def test_a_removed_document_takes_its_vectors_with_it(hybrid_app):
    with hybrid_app.app_context():
        signing, _created = operations.ingest("signataires.md", SIGNING.encode(), "guide")
        operations.ingest("charges.md", CHARGES.encode(), "guide")
        gone = {p.id for p in signing.passages}
        operations.remove(signing.id)
        assert all(hit.passage_id not in gone for hit in kb_search(PARAPHRASE).hits)
    assert set(stored(hybrid_app)) == passage_ids(hybrid_app)
    assert not gone & set(stored(hybrid_app))


def test_reindex_computes_every_vector_again(hybrid_app, model):
    with hybrid_app.app_context():
        operations.ingest("signataires.md", SIGNING.encode(), "guide")
        with write_transaction() as session:
            session.execute(update(KbVector).values(data=b"\x00" * 8, dimension=2))
        before = model.calls
        operations.reindex()
        rows = db_session().execute(select(KbVector.dimension, KbVector.data)).all()
    assert model.calls - before == len(rows) == len(passage_ids(hybrid_app))
    assert {dimension for dimension, _data in rows} == {64}
    assert all(len(data) == 64 * 4 for _dimension, data in rows)


def test_the_catch_up_gives_a_vector_to_each_passage_without_one(hybrid_app):
    with hybrid_app.app_context():
        operations.ingest("signataires.md", SIGNING.encode(), "guide")
        operations.ingest("charges.md", CHARGES.encode(), "guide")
        with write_transaction() as session:
            session.execute(
                delete(KbVector).where(KbVector.passage_id == min(passage_ids(hybrid_app)))
            )
            # One of another model: not comparable, replaced.
            session.execute(
                update(KbVector)
                .where(KbVector.passage_id == max(passage_ids(hybrid_app)))
                .values(model="other/model")
            )
        assert vectors.missing() == 2
        assert projection.catch_up().vectorised == 2
        assert vectors.missing() == 0
    assert set(stored(hybrid_app).values()) == {"test/concepts"}


def test_the_minute_sweep_of_the_worker_embeds_what_is_missing(hybrid_app):
    with hybrid_app.app_context():
        operations.ingest("signataires.md", SIGNING.encode(), "guide")
        with write_transaction() as session:
            session.execute(delete(KbVector))
        background.run_due()
        count = db_session().scalar(select(func.count(KbVector.passage_id)))
    assert count == len(passage_ids(hybrid_app))


def test_the_search_reads_vectors_added_by_another_process(hybrid_app, app):
    with hybrid_app.app_context():
        operations.ingest("charges.md", CHARGES.encode(), "guide")
        vectors_of = index().vectors
        assert isinstance(vectors_of, vectors.DatabaseVectors)
        vectors_of.refresh = 3600.0  # however slow this test runs
        assert kb_search(PARAPHRASE).hits  # the matrix is read and cached
    # Another process (a worker) stores a document and its vectors.
    worker = create_app({**app.config, "TESTING": True, "EMBEDDINGS": ConceptEmbeddings()})
    with worker.app_context():
        signing, _created = operations.ingest("signataires.md", SIGNING.encode(), "guide")
        signatories = next(p.id for p in signing.passages if p.heading == "Signataires")
    with hybrid_app.app_context():
        # This process's whoosh index (a file index) sees the new passage; so do its
        # vectors, once the matrix is due for a check (every REFRESH_SECONDS).
        assert signatories not in [p for p, _s in vectors_of.matrix().nearest([1.0] * 64, 99)]
        vectors_of.refresh = 0.0
        assert signatories in [hit.passage_id for hit in kb_search(PARAPHRASE).hits]
