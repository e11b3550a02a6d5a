"""The PostgreSQL backend of knowledge.search (SEARCH_BACKEND = "postgres").

For deployments with several application servers: the index lives in the database they
share instead of a directory of one machine.

Storage. Like whoosh's files, the index is a projection of the database rows (documents
and passages) that ``kb reindex`` rebuilds, so this backend manages its own tables: on
first use it creates, if missing and in the first schema of the connection's
search_path, under a transaction-level advisory lock so that several workers starting
at once do not race (and does nothing, takes no lock, when they are in place):

- ``search_passage``: a passage's fields (``ranking.stored_fields``), its length and
  its distinct terms;
- ``search_posting``: one row per term and passage, the term's weighted frequency and
  the passage's length carried in the primary key's index (``INCLUDE``), so that stage 1
  reads the postings from the index alone;
- ``search_term``: each term's document frequency (BM25's idf), kept by the writers;
- ``search_stats``: the number of passages and their total length.

They are not models of app.models and no migration creates them (Alembic's autogenerate
is told to leave them out). Tables of an older layout are dropped with a warning: run
``kb reindex``.

Analysis and ranking are knowledge.search.ranking's, the very ones of the whoosh backend: the
terms are our French analyser's stems (elisions, stop words, Snowball stems, accents
folded), stored as they are, so PostgreSQL's dictionaries never re-analyse them and
both backends agree on what a word is. A first version used
PostgreSQL's ``french`` configuration with ``unaccent`` and ``ts_rank``: ts_rank has no
idf, and reading every matching tsvector to rank it took 430 ms at ten thousand
passages (bench/bench_search.py); it found the right passage first for 3 public
questions in 7. Now stage 1 is one query: BM25 summed over the postings of the
question's rarest terms (within ``Ranking.posting_budget`` postings), plus the passages
of the indicator code it names, best ``Ranking.candidates`` kept; stage 2 re-ranks them
in Python from their stored fields.

Writers take an advisory lock for their transaction, so a second writer waits for the
first (as whoosh's writer lock) and term frequencies stay exact. Every call is one
short transaction; no question raises.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RowMapping, text
from sqlalchemy.exc import DBAPIError

from knowledge.search.index import Filters
from knowledge.search.query import QueryPlan
from knowledge.search.ranking import (
    RANKING,
    Concept,
    Ranking,
    concepts_of,
    content_terms,
    plain_hit,
    question_of,
    rerank,
    stage_one_terms,
    stored_fields,
    weigh,
)
from knowledge.types import Hit, SearchDocument

log = logging.getLogger(__name__)

TABLE = "search_passage"
POSTINGS = "search_posting"
TERMS = "search_term"
STATS = "search_stats"
TABLES = (TABLE, POSTINGS, TERMS, STATS)
LAYOUT = "cosigne search layout 2"  # the table's comment: which layout it holds
BATCH = 500
SETUP_LOCK = 0x436F_7369  # pg_advisory_xact_lock key of the setup ("Cosi")
WRITE_LOCK = 0x436F_7370  # ...and of the writers
MAX_LEXEME_BYTES = 2046  # well under a btree key's limit (about 2,700 bytes)

_STORED = (
    "passage_id",
    "document_id",
    "kind",
    "indicator",
    "status",
    "locator",
    "title",
    "heading",
    "body",
    "heading_words",
    "heading_stems",
    "body_words",
    "body_stems",
)

T = TypeVar("T")


class PostgresIndex:
    """knowledge.search.SearchIndex on PostgreSQL."""

    def __init__(self, engine: Engine, ranking: Ranking = RANKING) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(
                f"SEARCH_BACKEND = 'postgres' needs a PostgreSQL database, not {engine.dialect.name}."
            )
        self.engine = engine
        self.ranking = ranking
        self._ready = False
        self._lock = threading.Lock()

    # --- storage ---------------------------------------------------------------------

    def _ensure(self) -> None:
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                with self.engine.begin() as conn:
                    _setup(conn)
                self._ready = True

    def _run(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction; set up again once if our tables vanished
        (a schema dropped and re-created)."""
        for attempt in range(2):
            self._ensure()
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except DBAPIError as exc:
                if attempt == 0 and _missing_object(exc):
                    self._ready = False
                    continue
                raise
        raise AssertionError("unreachable")

    def add(self, documents: Iterable[SearchDocument]) -> int:
        # The same passage twice in one call: the last one wins.
        rows = list({row["passage_id"]: row for row in map(_row, documents)}.values())
        if not rows:
            return 0

        def work(conn: Connection) -> int:
            _lock_writers(conn)
            ids = [row["passage_id"] for row in rows]
            removed_terms, removed, removed_length = _remove(
                conn, "passage_id = ANY(:ids)", {"ids": ids}
            )
            for start in range(0, len(rows), BATCH):
                _write(conn, rows[start : start + BATCH])
            added_terms = Counter(stem for row in rows for stem in row["stems"])
            added_terms.subtract(removed_terms)
            _count_terms(conn, added_terms)
            _count_passages(
                conn,
                len(rows) - removed,
                sum(row["length"] for row in rows) - removed_length,
            )
            return len(rows)

        return self._run(work)

    def delete_document(self, document_id: int) -> None:
        def work(conn: Connection) -> None:
            _lock_writers(conn)
            terms, removed, length = _remove(conn, "document_id = :id", {"id": int(document_id)})
            terms = Counter({stem: -count for stem, count in terms.items()})
            _count_terms(conn, terms)
            _count_passages(conn, -removed, -length)

        self._run(work)

    def clear(self) -> None:
        def work(conn: Connection) -> None:
            _lock_writers(conn)
            conn.execute(text(f"TRUNCATE {TABLE}, {POSTINGS}, {TERMS}"))
            conn.execute(text(f"UPDATE {STATS} SET passages = 0, total_length = 0"))

        self._run(work)

    def optimize(self) -> None:
        # VACUUM marks the pages all-visible, which lets stage 1 read postings from the
        # primary key alone (at 100k passages: 20 ms instead of 100 ms). Autovacuum would
        # get there too, a minute or so after a rebuild. It cannot run in a transaction.
        self._ensure()
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in TABLES:
                conn.execute(text(f"VACUUM (ANALYZE) {table}"))

    def count(self) -> int:
        return int(self._run(lambda conn: conn.scalar(text(f"SELECT passages FROM {STATS}"))))

    def documents(self) -> dict[int, int]:
        rows = self._run(
            lambda conn: conn.execute(
                text(f"SELECT document_id, count(*) FROM {TABLE} GROUP BY document_id")
            ).all()
        )
        return {int(document_id): int(count) for document_id, count in rows}

    def passages(self, passage_ids: list[int]) -> list[Hit]:
        ids = [int(p) for p in dict.fromkeys(passage_ids)]
        if not ids:
            return []
        rows = self._run(
            lambda conn: (
                conn.execute(
                    text(f"SELECT {', '.join(_STORED)} FROM {TABLE} WHERE passage_id = ANY(:ids)"),
                    {"ids": ids},
                )
                .mappings()
                .all()
            )
        )
        found = {int(row["passage_id"]): plain_hit(_stored(row)) for row in rows}
        return [found[p] for p in ids if p in found]

    # --- search ----------------------------------------------------------------------

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        if query.empty:
            return [], 0
        return self._run(lambda conn: self._search(conn, query, filters, max(1, int(limit))))

    def _search(
        self, conn: Connection, query: QueryPlan, filters: Filters, limit: int
    ) -> tuple[list[Hit], int]:
        ranking = self.ranking
        passages, total_length = conn.execute(
            text(f"SELECT passages, total_length FROM {STATS}")
        ).one()
        if not passages:
            return [], 0
        concepts = concepts_of(query)
        frequencies: dict[str, int] = dict(
            conn.execute(
                text(f"SELECT stem, df FROM {TERMS} WHERE stem = ANY(:stems)"),
                {"stems": [stem for stem in concepts if _storable(stem)]},
            ).all()
        )
        mass = weigh(concepts, lambda stem: int(frequencies.get(stem, 0)), int(passages))
        avg_length = float(total_length) / passages or 1.0
        chosen = stage_one_terms(concepts, ranking)
        codes = list(query.indicators)
        if not (chosen or codes):
            return [], 0

        keep = max(ranking.candidates, 2 * limit)
        sql, params = _stage_one(chosen, codes, filters, ranking, avg_length, mass, keep)
        rows = conn.execute(text(sql), params).mappings().all()
        if not rows:
            return [], 0
        matched = int(rows[0]["total"])
        question = question_of(query, concepts, mass)
        hits = rerank(
            ((int(row["passage_id"]), _stored(row)) for row in rows),
            question,
            avg_length,
            limit,
            ranking,
        )
        return hits, max(matched, len(hits))


# --- setup -----------------------------------------------------------------------------


def _setup(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
    schema = conn.scalar(text("SELECT current_schema()"))
    if schema is None:
        raise RuntimeError(
            "PostgreSQL search: no schema of the search_path exists to hold the search index."
        )
    present = set(
        conn.scalars(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relname = ANY(:tables)"
            ),
            {"schema": schema, "tables": list(TABLES)},
        )
    )
    layout = conn.scalar(
        text(
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relname = :table"
        ),
        {"schema": schema, "table": TABLE},
    )
    if present == set(TABLES) and layout == LAYOUT:
        return  # in place: no DDL, no lock on the tables, no ownership needed
    if TABLE in present and layout != LAYOUT:
        log.warning(
            "search tables of schema %s have an old layout: emptied, run `kb reindex`", schema
        )
        for table in TABLES:
            conn.execute(text(f"DROP TABLE IF EXISTS {_ident(schema)}.{table}"))
    conn.execute(
        text(
            f"""
            CREATE TABLE IF NOT EXISTS {TABLE} (
                passage_id bigint PRIMARY KEY,
                document_id bigint NOT NULL,
                kind text NOT NULL,
                status text NOT NULL,
                indicator text NOT NULL DEFAULT '',
                locator text NOT NULL DEFAULT '',
                title text NOT NULL,
                heading text NOT NULL DEFAULT '',
                body text NOT NULL,
                heading_words text NOT NULL DEFAULT '',
                heading_stems text NOT NULL DEFAULT '',
                body_words text NOT NULL DEFAULT '',
                body_stems text NOT NULL DEFAULT '',
                length real NOT NULL,
                stems text[] NOT NULL
            )
            """
        )
    )
    conn.execute(text(f"COMMENT ON TABLE {TABLE} IS '{LAYOUT}'"))
    # The postings, read term by term through the primary key alone (weight and length
    # included, so an index-only scan needs no visit to the table).
    conn.execute(
        text(
            f"""
            CREATE TABLE IF NOT EXISTS {POSTINGS} (
                stem text NOT NULL,
                passage_id bigint NOT NULL,
                weight real NOT NULL,
                length real NOT NULL,
                PRIMARY KEY (stem, passage_id) INCLUDE (weight, length)
            )
            """
        )
    )
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} (document_id)"))
    conn.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_indicator ON {TABLE} (indicator) "
            "WHERE indicator <> ''"
        )
    )
    conn.execute(
        text(f"CREATE TABLE IF NOT EXISTS {TERMS} (stem text PRIMARY KEY, df integer NOT NULL)")
    )
    conn.execute(
        text(
            f"""
            CREATE TABLE IF NOT EXISTS {STATS} (
                id smallint PRIMARY KEY CHECK (id = 1),
                passages bigint NOT NULL,
                total_length double precision NOT NULL
            )
            """
        )
    )
    conn.execute(text(f"INSERT INTO {STATS} VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING"))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _missing_object(exc: DBAPIError) -> bool:
    # undefined_table, undefined_object
    return getattr(exc.orig, "sqlstate", None) in {"42P01", "42704"}


# --- writing ---------------------------------------------------------------------------


def _lock_writers(conn: Connection) -> None:
    """One writer at a time: a second one waits here until the first commits."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


_INSERT = text(
    f"""
    INSERT INTO {TABLE} ({", ".join(_STORED)}, length, stems)
    VALUES ({", ".join(f":{name}" for name in _STORED)}, :length, CAST(:stems AS text[]))
    """
)
_INSERT_POSTINGS = text(
    f"""
    INSERT INTO {POSTINGS} (stem, passage_id, weight, length)
    SELECT * FROM unnest(CAST(:stems AS text[]), CAST(:ids AS bigint[]),
                         CAST(:weights AS real[]), CAST(:lengths AS real[]))
    """
)


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "")  # PostgreSQL text holds no NUL


def _storable(stem: str) -> bool:
    return bool(stem) and "\x00" not in stem and len(stem.encode()) <= MAX_LEXEME_BYTES


def _row(doc: SearchDocument) -> dict[str, Any]:
    stored = {name: _clean(value) for name, value in stored_fields(doc).items()}
    terms = content_terms(stored)
    frequencies: dict[str, float] = {}
    for stem, weight in terms:
        if _storable(stem):
            frequencies[stem] = frequencies.get(stem, 0.0) + weight
    return {
        **stored,
        "passage_id": int(doc.passage_id),
        "document_id": int(doc.document_id),
        "length": float(len(terms)),
        "stems": list(frequencies),
        "weights": list(frequencies.values()),
    }


def _write(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert passages and their postings (the rows' ids are free)."""
    conn.execute(_INSERT, rows)
    postings: dict[str, list[Any]] = {"stems": [], "ids": [], "weights": [], "lengths": []}
    for row in rows:
        count = len(row["stems"])
        postings["stems"].extend(row["stems"])
        postings["ids"].extend([row["passage_id"]] * count)
        postings["weights"].extend(row["weights"])
        postings["lengths"].extend([row["length"]] * count)
    conn.execute(_INSERT_POSTINGS, postings)


def _remove(
    conn: Connection, where: str, params: dict[str, Any]
) -> tuple[Counter[str], int, float]:
    """Delete the passages matching ``where`` and their postings; returns their terms
    (one count per passage), how many there were and their total length."""
    gone = conn.execute(
        text(f"DELETE FROM {TABLE} WHERE {where} RETURNING passage_id, length, stems"), params
    ).all()
    if not gone:
        return Counter(), 0, 0.0
    terms: Counter[str] = Counter()
    pairs: dict[str, list[Any]] = {"stems": [], "ids": []}
    for passage_id, _length, stems in gone:
        terms.update(stems)
        pairs["stems"].extend(stems)
        pairs["ids"].extend([passage_id] * len(stems))
    conn.execute(
        text(
            f"DELETE FROM {POSTINGS} p USING unnest(CAST(:stems AS text[]), "
            "CAST(:ids AS bigint[])) AS g(stem, passage_id) "
            "WHERE p.stem = g.stem AND p.passage_id = g.passage_id"
        ),
        pairs,
    )
    return terms, len(gone), float(sum(length for _id, length, _stems in gone))


def _count_terms(conn: Connection, changes: Counter[str]) -> None:
    changed = sorted((stem, delta) for stem, delta in changes.items() if delta)
    if not changed:
        return
    stems = [stem for stem, _delta in changed]
    conn.execute(
        text(
            f"""
            INSERT INTO {TERMS} (stem, df)
            SELECT * FROM unnest(CAST(:stems AS text[]), CAST(:deltas AS integer[]))
            ON CONFLICT (stem) DO UPDATE SET df = {TERMS}.df + EXCLUDED.df
            """
        ),
        {"stems": stems, "deltas": [delta for _stem, delta in changed]},
    )
    conn.execute(
        text(f"DELETE FROM {TERMS} WHERE stem = ANY(:stems) AND df <= 0"), {"stems": stems}
    )


def _count_passages(conn: Connection, passages: int, length: float) -> None:
    if passages or length:
        conn.execute(
            text(
                f"UPDATE {STATS} SET passages = passages + :passages, "
                "total_length = total_length + :length"
            ),
            {"passages": passages, "length": length},
        )


# --- querying --------------------------------------------------------------------------


def _stage_one(
    chosen: list[Concept],
    codes: list[str],
    filters: Filters,
    ranking: Ranking,
    avg_length: float,
    mass: float,
    keep: int,
) -> tuple[str, dict[str, Any]]:
    """Stage 1 and the stored fields of its best passages, in one query: BM25 summed
    over the chosen terms' postings, plus the bonus of the indicator named."""
    stems = [concept for concept in chosen if _storable(concept.stem)]
    params: dict[str, Any] = {
        "k1": ranking.k1,
        "b": ranking.b,
        "avg": avg_length,
        "keep": keep,
        "stems": [concept.stem for concept in stems],
        "scales": [concept.idf * (ranking.k1 + 1.0) for concept in stems],
        "codes": [_clean(code) for code in codes],
        "bonus": ranking.code_bonus * mass,
    }
    where = []
    if filters.kind:
        params["f_kind"] = _clean(filters.kind)
        where.append("f.kind = :f_kind")
    if filters.document_id is not None:
        params["f_document"] = int(filters.document_id)
        where.append("f.document_id = :f_document")
    if filters.indicator:
        params["f_indicator"] = _clean(filters.indicator)
        where.append("f.indicator = :f_indicator")
    filtered = "scored"
    if where:
        filtered = (
            f"(SELECT s.* FROM scored s JOIN {TABLE} f USING (passage_id) "
            f"WHERE {' AND '.join(where)}) AS s"
        )
    sql = f"""
        WITH q AS (
            SELECT * FROM unnest(CAST(:stems AS text[]), CAST(:scales AS float8[]))
                AS q(stem, scale)
        ),
        parts AS (
            SELECT o.passage_id,
                   q.scale * o.weight / (o.weight + :k1 * (1.0 - :b + :b * o.length / :avg))
                       AS part
            FROM q JOIN {POSTINGS} o ON o.stem = q.stem
            UNION ALL
            SELECT passage_id, :bonus FROM {TABLE}
            WHERE indicator <> '' AND indicator = ANY(CAST(:codes AS text[]))
        ),
        scored AS (SELECT passage_id, sum(part) AS score FROM parts GROUP BY passage_id),
        best AS (
            SELECT passage_id, score, count(*) OVER () AS total
            FROM {filtered} ORDER BY score DESC, passage_id LIMIT :keep
        )
        SELECT {", ".join(f"p.{name}" for name in _STORED)}, best.total
        FROM best JOIN {TABLE} p USING (passage_id)
        ORDER BY best.score DESC, best.passage_id
    """
    return sql, params


def _stored(row: RowMapping) -> dict[str, str]:
    """A passage's stored fields as the ranking reads them: text, as whoosh keeps them
    (the ids are bigint columns here)."""
    return {name: str(row[name]) for name in _STORED}
