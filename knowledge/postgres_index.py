"""The PostgreSQL full-text backend of knowledge.search (SEARCH_BACKEND = "postgres").

For deployments with several application servers: the index lives in the database they
share instead of a directory of one machine.

Storage. Like whoosh's files, the index is a projection of the database rows (documents
and passages) that ``kb reindex`` rebuilds, so this backend manages its own storage: on
first use it creates, if missing and in the first schema of the connection's
search_path, the table ``search_passage`` with its GIN indexes and two text search
configurations, under a transaction-level advisory lock so that several workers starting
at once do not race. The table is not a model of app.models and no migration creates it
(an Alembic autogenerate will list it as unknown: leave it out). It needs the
``unaccent`` extension: when no schema of the database has it, it is created in
``public`` (kept when per-test schemas are dropped) or, when ``public`` is not writable,
in the current schema; unaccent is a trusted extension, so the database's owner may
create it without superuser rights.

Analysis. Both text search configurations first drop PostgreSQL's French stop words
(dictionary ``cosigne_french_stop``, on the accented word), then remove accents
(unaccent); ``cosigne_french`` then stems (Snowball French, as knowledge.analysis does),
``cosigne_exact`` keeps the accent-folded form, like whoosh's "exact" field. Each passage
has a tsvector of each, title weighted A, heading B, body C.

Ranking mirrors the whoosh backend (BM25F). The content words of the question are
OR-ed (one plainto_tsquery each, so no character of a question is query syntax); each
counts for its frequency in the passage's title, heading and body, ranked apart
(ts_rank on ts_filter by weight) and boosted 2.5, 2 and 1 as whoosh's fields are, plus
its unstemmed form 1.5 times, times its rarity (BM25's idf over the passages); the
body's part is normalised by the passage's length as BM25 does. Two adjacent words of
the question found together (at most one word apart: "taux de vacance", elisions) add a
phrase bonus, an acronym's expansion found as a phrase adds its own, and the passages
of a fiche whose indicator the question names come first. Excerpts are ts_headline's
fragments of the body, HTML-escaped, matched words in <mark>.

Every call is one short transaction. Questions whose words PostgreSQL drops as stop
words match nothing; none raises.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from markupsafe import escape
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from knowledge.query import MAX_TERMS, QueryPlan
from knowledge.search import Filters
from knowledge.types import Hit, SearchDocument

TABLE = "search_passage"
STEMMED = "cosigne_french"
EXACT = "cosigne_exact"
STOP_DICTIONARY = "cosigne_french_stop"
BATCH = 500
SETUP_LOCK = 0x436F_7369  # pg_advisory_xact_lock key of the setup ("Cosi")

# Fields, as in whoosh's BM25F: title (weight A), heading (B) and body (C) of the stemmed
# tsvector are ranked apart (ts_filter) and summed with these boosts, so that a word of
# the title, shared by every passage of a document, does not drown the body's matches.
TITLE_BOOST = 2.5
HEADING_BOOST = 2.0
EXACT_BOOST = 1.5  # unstemmed forms above Snowball's look-alikes
FLAT = "{1, 1, 1, 1}"  # ts_rank weights {D, C, B, A}: the boosts above do the weighting
PHRASE_BOOST = 2.0
EXPANSION_BOOST = 1.5
INDICATOR_BONUS = 100.0  # far above any text score: the named fiche comes first
LENGTH_B = 0.75  # BM25's length normalisation

_START, _STOP = "\x02", "\x03"  # placeholders of <mark> and </mark> in ts_headline
HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=35, MinWords=15, "
    'FragmentDelimiter=" … "'
)
EXCERPT_CHARS = 240

_HYPHENATED = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)+$")

T = TypeVar("T")


class PostgresIndex:
    """knowledge.search.SearchIndex on PostgreSQL full-text search."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(
                f"SEARCH_BACKEND = 'postgres' needs a PostgreSQL database, not {engine.dialect.name}."
            )
        self.engine = engine
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
        """``work`` in one transaction; set up again once if our objects vanished
        (a schema dropped and re-created, an extension dropped with CASCADE)."""
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
        rows = [_row(doc) for doc in documents]
        if not rows:
            return 0

        def work(conn: Connection) -> int:
            for start in range(0, len(rows), BATCH):
                conn.execute(_UPSERT, rows[start : start + BATCH])
            return len(rows)

        return self._run(work)

    def delete_document(self, document_id: int) -> None:
        self._run(
            lambda conn: conn.execute(
                text(f"DELETE FROM {TABLE} WHERE document_id = :id"), {"id": int(document_id)}
            )
        )

    def clear(self) -> None:
        self._run(lambda conn: conn.execute(text(f"TRUNCATE {TABLE}")))

    def count(self) -> int:
        return int(self._run(lambda conn: conn.scalar(text(f"SELECT count(*) FROM {TABLE}"))))

    # --- search ----------------------------------------------------------------------

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        built = _build_search(query, filters, max(1, int(limit)))
        if built is None:
            return [], 0
        sql, params = built
        rows = self._run(lambda conn: conn.execute(text(sql), params).mappings().all())
        hits = [
            Hit(
                passage_id=int(row["passage_id"]),
                document_id=int(row["document_id"]),
                title=row["title"],
                kind=row["kind"],
                status=row["status"],
                locator=row["locator"],
                text=row["body"],
                excerpt=_excerpt(row["headline"], row["body"]),
                score=float(row["score"] or 0.0),
                indicator=row["indicator"] or None,
            )
            for row in rows
        ]
        total = int(rows[0]["total"]) if rows else 0
        return hits, max(total, len(hits))


# --- setup -----------------------------------------------------------------------------


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _setup(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
    schema = conn.scalar(text("SELECT current_schema()"))
    if schema is None:
        raise RuntimeError(
            "PostgreSQL search: no schema of the search_path exists to hold the search index."
        )
    extension_schema = _unaccent_schema(conn)
    if extension_schema is None:
        writable_public = conn.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') "
                "AND has_schema_privilege('public', 'CREATE')"
            )
        )
        extension_schema = "public" if writable_public else schema
        try:
            with conn.begin_nested():
                conn.execute(
                    text(
                        f"CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA {_ident(extension_schema)}"
                    )
                )
        except DBAPIError as exc:
            # Another database session may have created it meanwhile (the advisory
            # lock is ours only); otherwise say what is missing.
            extension_schema = _unaccent_schema(conn)
            if extension_schema is None:
                raise RuntimeError(
                    "PostgreSQL search needs the unaccent extension: "
                    "run CREATE EXTENSION unaccent in this database as its owner."
                ) from exc
    unaccent = f"{_ident(extension_schema)}.unaccent"
    stop = f"{_ident(schema)}.{STOP_DICTIONARY}"
    if not _exists(conn, "pg_ts_dict", "dictname", "dictnamespace", STOP_DICTIONARY, schema):
        # French stop words dropped first, on the accented word ("à", "été"); any other
        # word goes on (ACCEPT = false) to unaccent, then the stemmer or simple.
        conn.execute(
            text(
                f"CREATE TEXT SEARCH DICTIONARY {stop} "
                "(TEMPLATE = pg_catalog.simple, STOPWORDS = french, ACCEPT = false)"
            )
        )
    for name, parent, dictionary in (
        (STEMMED, "pg_catalog.french", "pg_catalog.french_stem"),
        (EXACT, "pg_catalog.simple", "pg_catalog.simple"),
    ):
        if not _exists(conn, "pg_ts_config", "cfgname", "cfgnamespace", name, schema):
            qualified = f"{_ident(schema)}.{name}"
            conn.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {qualified} (COPY = {parent})"))
            conn.execute(
                text(
                    f"ALTER TEXT SEARCH CONFIGURATION {qualified} ALTER MAPPING FOR "
                    "asciiword, asciihword, hword_asciipart, word, hword, hword_part "
                    f"WITH {stop}, {unaccent}, {dictionary}"
                )
            )
    conn.execute(
        text(
            f"""
            CREATE TABLE IF NOT EXISTS {TABLE} (
                passage_id bigint PRIMARY KEY,
                document_id bigint NOT NULL,
                kind text NOT NULL,
                status text NOT NULL,
                indicator text,
                locator text NOT NULL DEFAULT '',
                title text NOT NULL,
                heading text NOT NULL DEFAULT '',
                body text NOT NULL,
                tsv tsvector NOT NULL,
                tsv_exact tsvector NOT NULL,
                body_lexemes integer GENERATED ALWAYS AS (length(ts_filter(tsv, '{{c}}'))) STORED
            )
            """
        )
    )
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv ON {TABLE} USING gin (tsv)"))
    conn.execute(
        text(f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv_exact ON {TABLE} USING gin (tsv_exact)")
    )
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} (document_id)"))


def _exists(
    conn: Connection, catalog: str, name_column: str, schema_column: str, name: str, schema: str
) -> bool:
    return bool(
        conn.scalar(
            text(
                f"SELECT EXISTS (SELECT 1 FROM pg_catalog.{catalog} c "
                f"JOIN pg_catalog.pg_namespace n ON n.oid = c.{schema_column} "
                f"WHERE c.{name_column} = :name AND n.nspname = :schema)"
            ),
            {"name": name, "schema": schema},
        )
    )


def _unaccent_schema(conn: Connection) -> str | None:
    return conn.scalar(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    )


def _missing_object(exc: DBAPIError) -> bool:
    # undefined_table, undefined_object (a text search configuration)
    return getattr(exc.orig, "sqlstate", None) in {"42P01", "42704"}


# --- writing ---------------------------------------------------------------------------


def _vector(config: str) -> str:
    return (
        f"setweight(to_tsvector('{config}', :title), 'A') || "
        f"setweight(to_tsvector('{config}', :heading), 'B') || "
        f"setweight(to_tsvector('{config}', :body), 'C')"
    )


_UPSERT = text(
    f"""
    INSERT INTO {TABLE} (passage_id, document_id, kind, status, indicator, locator,
                         title, heading, body, tsv, tsv_exact)
    VALUES (:passage_id, :document_id, :kind, :status, :indicator, :locator,
            :title, :heading, :body, {_vector(STEMMED)}, {_vector(EXACT)})
    ON CONFLICT (passage_id) DO UPDATE SET
        document_id = EXCLUDED.document_id, kind = EXCLUDED.kind, status = EXCLUDED.status,
        indicator = EXCLUDED.indicator, locator = EXCLUDED.locator, title = EXCLUDED.title,
        heading = EXCLUDED.heading, body = EXCLUDED.body, tsv = EXCLUDED.tsv,
        tsv_exact = EXCLUDED.tsv_exact
    """
)


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "")  # PostgreSQL text holds no NUL


def _row(doc: SearchDocument) -> dict[str, Any]:
    return {
        "passage_id": int(doc.passage_id),
        "document_id": int(doc.document_id),
        "kind": _clean(doc.kind),
        "status": _clean(doc.status),
        "indicator": _clean(doc.indicator) or None,
        "locator": _clean(doc.locator),
        "title": _clean(doc.title),
        "heading": _clean(doc.heading),
        "body": _clean(doc.text),
    }


# --- querying --------------------------------------------------------------------------


def _terms(query: QueryPlan) -> tuple[list[str], list[tuple[str, str]]]:
    """Content words to OR, and extra phrases: "logements-foyers" searches its parts,
    each alone and together; dotted codes and numbers (F.VI, L.445-1) stay whole, as
    PostgreSQL's parser reads them in the passages."""
    terms: list[str] = []
    phrases: list[tuple[str, str]] = list(query.phrases)
    for term in query.terms:
        term = _clean(term).strip()
        if not term:
            continue
        if _HYPHENATED.match(term):
            parts = term.split("-")
            terms.extend(parts)
            phrases.extend(zip(parts, parts[1:], strict=False))
        else:
            terms.append(term)
    return list(dict.fromkeys(terms))[:MAX_TERMS], list(dict.fromkeys(phrases))[:MAX_TERMS]


def _build_search(
    query: QueryPlan, filters: Filters, limit: int
) -> tuple[str, dict[str, Any]] | None:
    terms, phrases = _terms(query)
    expansions = [e for e in (_clean(x).strip() for x in query.expansions) if e][:MAX_TERMS]
    codes = [c for c in query.indicators if c]
    if not (terms or expansions or codes):
        return None
    params: dict[str, Any] = {"limit": limit, "headline_options": HEADLINE_OPTIONS}

    # One tsquery per clause, with the number of passages it matches (for its idf),
    # counted in one pass over the passages matching any clause.
    stats = ["t.n", "t.avglen"]
    score: list[str] = []
    stemmed_any: list[str] = []
    exact_any: list[str] = []

    def idf(name: str) -> str:
        return f"ln(1.0 + (s.n - s.{name} + 0.5) / (s.{name} + 0.5))"

    for i, term in enumerate(terms):
        params[f"t{i}"] = term
        stemmed = f"plainto_tsquery('{STEMMED}', :t{i})"
        exact = f"plainto_tsquery('{EXACT}', :t{i})"
        stats.append(f"count(*) FILTER (WHERE m.tsv @@ {stemmed})::float8 AS d{i}")
        score.append(
            f"{idf(f'd{i}')} * ({TITLE_BOOST} * ts_rank('{FLAT}', f.title_tsv, {stemmed}) "
            f"+ {HEADING_BOOST} * ts_rank('{FLAT}', f.heading_tsv, {stemmed}) "
            f"+ (ts_rank('{FLAT}', f.body_tsv, {stemmed}) "
            f"+ {EXACT_BOOST} * ts_rank('{FLAT}', p.tsv_exact, {exact})) / f.norm)"
        )
        stemmed_any.append(stemmed)
        exact_any.append(exact)
    for j, (first, second) in enumerate(phrases):
        params[f"pa{j}"], params[f"pb{j}"] = _clean(first), _clean(second)
        a, b = f"plainto_tsquery('{EXACT}', :pa{j})", f"plainto_tsquery('{EXACT}', :pb{j})"
        # Adjacent, or one word apart (a stop word, an elided article).
        phrase = (
            f"(CASE WHEN numnode({a}) > 0 AND numnode({b}) > 0 "
            f"THEN tsquery_phrase({a}, {b}) || tsquery_phrase({a}, {b}, 2) "
            f"ELSE ''::tsquery END)"
        )
        stats.append(f"count(*) FILTER (WHERE m.tsv_exact @@ {phrase})::float8 AS f{j}")
        score.append(
            f"CASE WHEN p.tsv_exact @@ {phrase} THEN {PHRASE_BOOST} * {idf(f'f{j}')} "
            f"* ts_rank('{FLAT}', p.tsv_exact, {phrase}) / f.norm ELSE 0 END"
        )
    highlight = list(stemmed_any)
    for k, expansion in enumerate(expansions):
        params[f"x{k}"] = expansion
        phrase = f"phraseto_tsquery('{EXACT}', :x{k})"
        stats.append(f"count(*) FILTER (WHERE m.tsv_exact @@ {phrase})::float8 AS e{k}")
        score.append(
            f"CASE WHEN p.tsv_exact @@ {phrase} THEN {EXPANSION_BOOST} * {idf(f'e{k}')} "
            f"* ts_rank('{FLAT}', p.tsv_exact, {phrase}) / f.norm ELSE 0 END"
        )
        exact_any.append(phrase)
        highlight.append(f"plainto_tsquery('{STEMMED}', :x{k})")

    text_score = f"({' + '.join(score) or '0'})"
    match = []
    if stemmed_any:
        match.append(f"p.tsv @@ ({' || '.join(stemmed_any)})")
    if exact_any:
        match.append(f"p.tsv_exact @@ ({' || '.join(exact_any)})")
    indicator_score = "0"
    if codes:
        params["codes"] = codes
        match.append("p.indicator = ANY(:codes)")
        indicator_score = f"CASE WHEN p.indicator = ANY(:codes) THEN {INDICATOR_BONUS} ELSE 0 END"
    where = ["TRUE"]
    if filters.kind:
        params["f_kind"] = filters.kind
        where.append("p.kind = :f_kind")
    if filters.document_id is not None:
        params["f_document"] = int(filters.document_id)
        where.append("p.document_id = :f_document")
    if filters.indicator:
        params["f_indicator"] = filters.indicator
        where.append("p.indicator = :f_indicator")
    headline_query = " || ".join(highlight) if highlight else "''::tsquery"
    sql = f"""
        WITH m AS MATERIALIZED (
            -- ts_filter on every weight copies the tsvectors out of TOAST once, instead
            -- of once for each clause that reads them.
            SELECT p.passage_id, p.document_id, p.title, p.kind, p.status, p.locator,
                   p.indicator, p.body, p.body_lexemes,
                   ts_filter(p.tsv, '{{a,b,c,d}}') AS tsv,
                   ts_filter(p.tsv_exact, '{{a,b,c,d}}') AS tsv_exact
            FROM {TABLE} p WHERE {" OR ".join(match)}
        ),
        t AS MATERIALIZED (
            SELECT count(*)::float8 AS n, coalesce(avg(body_lexemes), 1)::float8 AS avglen
            FROM {TABLE}
        ),
        s AS MATERIALIZED (SELECT {", ".join(stats)} FROM m CROSS JOIN t GROUP BY t.n, t.avglen),
        ranked AS (
            SELECT p.passage_id, p.document_id, p.title, p.kind, p.status, p.locator,
                   p.indicator, p.body,
                   {text_score} + {indicator_score} AS score,
                   count(*) OVER () AS total
            FROM m p CROSS JOIN s CROSS JOIN LATERAL (
                SELECT ts_filter(p.tsv, '{{a}}') AS title_tsv,
                       ts_filter(p.tsv, '{{b}}') AS heading_tsv,
                       ts_filter(p.tsv, '{{c}}') AS body_tsv,
                       {1 - LENGTH_B} + {LENGTH_B} * p.body_lexemes
                           / greatest(s.avglen, 1.0) AS norm
                OFFSET 0  -- once per passage, not once per term
            ) f
            WHERE {" AND ".join(where)}
            ORDER BY score DESC, p.passage_id
            LIMIT :limit
        )
        SELECT r.*,
               ts_headline('{STEMMED}', translate(r.body, chr(2) || chr(3), ''),
                           {headline_query}, :headline_options) AS headline
        FROM ranked r
        ORDER BY r.score DESC, r.passage_id
    """
    return sql, params


def _excerpt(headline: str | None, body: str) -> str:
    """The headline HTML-escaped, its placeholders turned into <mark>; the passage's
    beginning when nothing of the body matched (the title or the indicator did)."""
    if not headline or _START not in headline:
        cut = body[:EXCERPT_CHARS]
        return str(escape(cut + ("…" if len(body) > EXCERPT_CHARS else "")))
    return str(escape(headline.strip())).replace(_START, "<mark>").replace(_STOP, "</mark>")
