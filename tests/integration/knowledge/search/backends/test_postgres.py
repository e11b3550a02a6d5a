"""What only the PostgreSQL backend (knowledge.search.backends.postgres) has to prove: its own
storage, set up once and again when it vanished, an older layout replaced, concurrent
writers, and the application running on it. What both backends do is tested once for
both in ../test_backends.py.

Runs in the PostgreSQL series only, each test in a fresh schema of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from app.kb import operations, queries
from knowledge.search.backends.postgres import TABLES, PostgresIndex
from knowledge.search.index import search
from knowledge.types import SearchDocument
from tests.corpus import CORPUS, corpus_available, search_documents, search_schema

POSTGRES_URL = os.environ.get("COSIGNE_TEST_DATABASE_URL")
if not POSTGRES_URL:
    pytest.skip(
        "PostgreSQL backend: runs in the PostgreSQL series (COSIGNE_TEST_DATABASE_URL)",
        allow_module_level=True,
    )


def fresh_schema():
    return search_schema(POSTGRES_URL)


@pytest.fixture(scope="module")
def corpus() -> list[SearchDocument]:
    if not corpus_available():
        pytest.skip(f"corpus absent ({CORPUS})")
    return search_documents()


@pytest.fixture
def scratch() -> Iterator[PostgresIndex]:
    """An empty index in a schema of its own."""
    with fresh_schema() as engine:
        yield PostgresIndex(engine)


def doc(passage_id: int, body: str) -> SearchDocument:
    return SearchDocument(
        passage_id=passage_id,
        document_id=1,
        title="Document",
        kind="guide",
        status="en_vigueur",
        locator="",
        heading="",
        text=body,
    )


def ids(hits) -> list[int]:
    return [h.passage_id for h in hits]


# --- storage ---------------------------------------------------------------------------


def test_the_backend_creates_its_own_storage_once(scratch, corpus):
    assert scratch.add(corpus) == len(corpus)
    scratch.optimize()
    with scratch.engine.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
        tables = conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"), {"s": schema}
        ).all()
        postings = conn.scalar(text("SELECT count(*) FROM search_posting"))
    assert tables == sorted(TABLES)
    assert postings > len(corpus) * 10  # tens of distinct terms per passage
    # A second instance (another worker) finds everything in place.
    assert PostgresIndex(scratch.engine).count() == len(corpus)


def test_refuses_a_database_other_than_postgresql(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="PostgreSQL"):
        PostgresIndex(engine)
    engine.dispose()


def test_storage_is_set_up_again_when_it_vanished(scratch):
    scratch.add([doc(1, "La vacance technique des logements.")])
    with scratch.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {', '.join(TABLES)}"))
    assert scratch.count() == 0
    scratch.add([doc(1, "La vacance technique des logements.")])
    assert ids(search(scratch, "vacance")[0]) == [1]


def test_tables_of_an_older_layout_are_replaced(scratch, caplog):
    with scratch.engine.begin() as conn:  # the first layout: PostgreSQL's own tsvectors
        conn.execute(
            text("CREATE TABLE search_passage (passage_id bigint PRIMARY KEY, tsv tsvector)")
        )
        conn.execute(text("INSERT INTO search_passage VALUES (1, to_tsvector('simple', 'x'))"))
    assert scratch.count() == 0
    assert "old layout" in caplog.text
    scratch.add([doc(2, "La vacance technique des logements.")])
    assert ids(search(scratch, "vacance")[0]) == [2]


# --- concurrent writers -----------------------------------------------------------------


def test_concurrent_writers_keep_term_frequencies_exact(scratch, corpus):
    """Four workers index and remove at once, each through its own connection: a
    writer waits for the other (the advisory lock), and the counts that BM25 reads
    (document frequencies, number and length of passages) stay those of the table."""
    scratch.add(corpus[:40])  # set up before the race
    batches = [corpus[i::4] for i in range(4)]

    def work(batch):
        own = PostgresIndex(scratch.engine)
        for start in range(0, len(batch), 20):
            own.add(batch[start : start + 20])
            own.add(corpus[:40])  # every worker replaces the same passages too
        own.delete_document(batch[0].document_id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, batches))
    with scratch.engine.connect() as conn:
        drift = conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT stem, count(*) AS df FROM search_posting "
                "GROUP BY stem) p FULL JOIN search_term t USING (stem) "
                "WHERE p.df IS DISTINCT FROM t.df"
            )
        )
        passages, length = conn.execute(
            text("SELECT count(*), coalesce(sum(length), 0) FROM search_passage")
        ).one()
        stats = conn.execute(text("SELECT passages, total_length FROM search_stats")).one()
    assert drift == 0
    assert (passages, pytest.approx(length)) == (stats[0], stats[1])
    removed = {batch[0].document_id for batch in batches}
    assert passages == sum(1 for d in corpus if d.document_id not in removed)


# --- through the application ---------------------------------------------------------


def test_the_application_indexes_searches_and_removes_through_postgres(app):
    app.config["SEARCH_BACKEND"] = "postgres"
    note = (
        "# Vacance des logements\n\n"
        "La vacance technique désigne les logements neutralisés pour travaux.\n\n"
        "## Réhabilitation\n\n"
        "Les réhabilitations lourdes suspendent la location."
    ).encode()
    with app.app_context():
        index = queries.index()
        assert isinstance(index, PostgresIndex)
        try:
            document, created = operations.ingest(
                "note-vacance.md", note, "guide", title="Note vacance"
            )
            assert created
            result = queries.search("réhabilitation des logements vacants")
            assert result.hits and {h.document_id for h in result.hits} == {document.id}
            assert operations.reindex() == queries.passage_count() == index.count()
            assert queries.search("vacance technique").hits[0].document_id == document.id
            operations.remove(document.id)
            assert index.count() == 0
            assert queries.search("vacance technique").hits == []
        finally:
            index.clear()  # the table outlives the truncation of the application's tables
