"""The whoosh backend of knowledge.search (package whoosh-reloaded, pinned).

A file index in ``<data dir>/index``. Several gunicorn workers share it safely: whoosh
writes a new segment and switches the table of contents atomically, so a reader sees
either the old or the new index, never half of one; a second writer waits for the lock
(``WRITER_TIMEOUT``) instead of failing at once, whoosh's default.

Ranking happens in two stages, because whoosh's own matchers (a tree of Python objects
walked posting by posting, over four fields, with phrase matchers that defeat its block
skipping) took a quarter of a second on ten thousand passages:

1. Candidates. One field, ``content``, holds each passage's stems: heading words count
   ``HEADING_WEIGHT`` times, body words once (BM25F's weighted term frequency, summed at
   index time), and a spelled-out acronym ("programmes locaux de l'habitat") also adds
   the acronym's term (``plh``), so that one term finds both spellings. The question's
   terms are read term at a time, rarest first, straight from whoosh's posting blocks,
   and scored with BM25; once ``Ranking.posting_budget`` postings were read, commoner
   terms wait for stage 2 (they barely change which passages are candidates, and
   reading them is what costs on a large index). Passages tagged with an indicator code
   that the question names join with a bonus.
2. Re-ranking of the best ``Ranking.candidates`` from what the index keeps of each
   passage (its content words and their stems, aligned, so no tokenizer runs again):
   BM25F over title, heading and body, where a word matched unstemmed counts more than
   one matched by its stem and a word of the same family (obligation, obligatoire) less;
   a bonus for two consecutive words of the question side by side and one for the
   question's words found close together (``Ranking.window``); a coordination factor
   (the share of the question's concepts the passage holds, counted by number and by
   idf); the indicator tags (a code named in the question puts its fiche first, one
   guessed from keywords such as "taux de vacance" only nudges, so that "Qu'est-ce que
   la vacance technique ?" still finds the definition first); a bonus for the sentence
   that defines what a definition question asks about ("La vacance technique est...")
   and for passages holding the kind of answer asked for (a date, a percentage); and a
   discount for passages that are little more than a heading.

The excerpt is built here too: the window of the passage holding most of the question's
words, HTML-escaped, matches in ``<mark>``.
"""

from __future__ import annotations

import heapq
import logging
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import escape
from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from knowledge.analysis import (
    NUMBER_WORDS,
    analyse,
    content_words,
    content_words_and_stems,
    fold,
    root,
)
from knowledge.glossary import acronym_spans
from knowledge.query import QueryPlan
from knowledge.search import Filters
from knowledge.types import Hit, SearchDocument

log = logging.getLogger(__name__)

WRITER_TIMEOUT = 60.0  # seconds a writer waits for another one to finish
INDEX_NAME = "passages"
HEADING_WEIGHT = 2.0  # a heading word counts as this many body words (index time)
_FIELD_SEPARATOR = "\x1e"
_MIN_ROOT = 4
EXCERPT_CHARS = 240


@dataclass(frozen=True)
class Ranking:
    """The ranking's parameters (see the module's docstring)."""

    k1: float = 1.2  # BM25 term-frequency saturation
    b: float = 0.75  # BM25 length normalisation
    heading: float = HEADING_WEIGHT  # weight of a heading word
    title: float = 0.3  # weight of a document-title word (same for all its passages)
    exact: float = 0.5  # extra weight of a word matched unstemmed
    phrase: float = 0.6  # bonus of two consecutive question words side by side, × idf
    coverage: float = 1.5  # exponent of the matched share of the question's idf
    short_words: int = 25  # passages with fewer content words are discounted...
    short_power: float = 0.5  # ...by (words / short_words) ** short_power
    code_bonus: float = 1.0  # tagged with a code the question names: + that × idf mass
    keyword_bonus: float = 0.15  # tagged with an indicator named by its keywords: × 1 + that
    definition: float = 1.0  # defines what a definition question asks about: × 1 + that
    coverage_idf: float = 0.3  # coverage counts concepts by idf (1) or one each (0)
    title_coverage: float = 0.5  # a concept only in the document's title covers this much
    related: float = 0.4  # weight of a word of the same family (obligation, obligatoire)
    related_coverage: float = 0.5  # ...and how much of its concept it covers
    proximity: float = 1.0  # × idf mass of the concepts found within ``window`` words
    window: int = 12
    answer: float = 0.2  # holds what the question asks for (a date, a percentage): × 1 + that
    candidates: int = 30  # passages re-ranked (at least; more for a larger limit)
    posting_budget: int = 25_000  # postings read at stage 1 before commoner terms wait


RANKING = Ranking()


class PreparedTokenizer(Tokenizer):
    """The ``content`` field's analyser: "heading\\x1ebody" → weighted stems.

    Positions are not kept (stage 2 reads the stored words), so the field is a Frequency
    field and a term's weight in a passage is the sum of its occurrences' weights.
    """

    def __init__(self, heading_weight: float = HEADING_WEIGHT) -> None:
        self.heading_weight = heading_weight

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PreparedTokenizer) and other.heading_weight == self.heading_weight

    def __hash__(self) -> int:
        return hash(("PreparedTokenizer", self.heading_weight))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, **kwargs):  # type: ignore[no-untyped-def]
        token = Token(positions, chars, removestops=True, mode=kwargs.get("mode", ""))
        terms = getattr(value, "terms", None)
        if terms is None:  # plain text: analyse it here
            heading, _sep, body = str(value).partition(_FIELD_SEPARATOR)
            if not _sep:
                heading, body = "", heading
            terms = [
                *((stem, self.heading_weight) for stem in _with_acronyms(_prepare(heading)[1])),
                *((stem, 1.0) for stem in _with_acronyms(_prepare(body)[1])),
            ]
        for pos, (text, weight) in enumerate(terms):
            token.text = text
            token.boost = weight
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


class _Prepared(str):
    """The ``content`` field's value with its terms already computed by ``add``."""

    terms: list[tuple[str, float]]


def _prepare(text: str) -> tuple[list[str], list[str]]:
    """Content words of a text as written, and their stems."""
    return content_words_and_stems(text)


def _with_acronyms(stems: list[str]) -> list[str]:
    """Stems of a field, then the acronym of each expansion spelled out in it."""
    return stems + [acronym for _s, _e, acronym in acronym_spans(stems)]


def schema() -> Schema:
    return Schema(
        passage_id=ID(stored=True, unique=True),
        document_id=ID(stored=True),
        kind=ID(stored=True),
        indicator=ID(stored=True),
        status=STORED(),
        locator=STORED(),
        title=STORED(),
        heading=STORED(),
        body=STORED(),
        # Content words as written and their stems, space-separated and aligned, for
        # stage 2 (no tokenizer to run again).
        heading_words=STORED(),
        heading_stems=STORED(),
        body_words=STORED(),
        body_stems=STORED(),
        content=TEXT(analyzer=PreparedTokenizer(), phrase=False),
    )


@dataclass
class _Concept:
    """One thing the question asks for: a stem, the exact forms written, its idf."""

    stem: str
    exacts: set[str]
    idf: float = 0.0
    df: int = 0
    group: str | None = None  # acronym stem this word helps spell out


class WhooshIndex:
    """knowledge.search.SearchIndex on a whoosh file index."""

    def __init__(self, directory: str | os.PathLike[str], ranking: Ranking = RANKING) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ranking = ranking
        self._lock = threading.RLock()
        self._searcher = None  # type: ignore[var-annotated]
        self._lengths: dict[int, tuple[object, list[float]]] = {}
        self._ix = self._open()

    def _open(self):  # type: ignore[no-untyped-def]
        directory = str(self.directory)
        if whoosh_index.exists_in(directory, indexname=INDEX_NAME):
            try:
                existing = whoosh_index.open_dir(directory, indexname=INDEX_NAME)
                if sorted(existing.schema.names()) == sorted(schema().names()):
                    return existing
            except Exception:  # an index written by an older version of this module
                pass
            log.warning(
                "search index in %s has an old layout: emptied, run `kb reindex`", directory
            )
        return whoosh_index.create_in(directory, schema(), indexname=INDEX_NAME)

    def _writer(self):  # type: ignore[no-untyped-def]
        return self._ix.writer(timeout=WRITER_TIMEOUT, limitmb=256)

    def add(self, documents: Iterable[SearchDocument]) -> int:
        count = 0
        writer = self._writer()
        try:
            for doc in documents:
                heading_words, heading_stems = _prepare(doc.heading)
                body_words, body_stems = _prepare(doc.text)
                content = _Prepared(f"{doc.heading}{_FIELD_SEPARATOR}{doc.text}")
                content.terms = [
                    *((stem, HEADING_WEIGHT) for stem in _with_acronyms(heading_stems)),
                    *((stem, 1.0) for stem in _with_acronyms(body_stems)),
                ]
                writer.update_document(
                    passage_id=str(doc.passage_id),
                    document_id=str(doc.document_id),
                    kind=doc.kind,
                    indicator=doc.indicator or "",
                    status=doc.status,
                    locator=doc.locator,
                    title=doc.title,
                    heading=doc.heading,
                    body=doc.text,
                    heading_words=" ".join(heading_words),
                    heading_stems=" ".join(heading_stems),
                    body_words=" ".join(body_words),
                    body_stems=" ".join(body_stems),
                    content=content,
                )
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return count

    def delete_document(self, document_id: int) -> None:
        writer = self._writer()
        try:
            writer.delete_by_term("document_id", str(document_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def clear(self) -> None:
        with self._lock:
            self._close_searcher()
            self._ix = whoosh_index.create_in(str(self.directory), schema(), indexname=INDEX_NAME)

    def count(self) -> int:
        with self._lock:
            return self._current().doc_count()

    # --- searching -----------------------------------------------------------------------

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._lengths.clear()

    def _current(self):  # type: ignore[no-untyped-def]
        """The open searcher, refreshed when the index changed (another process may
        have written): opening one per query costs more than the query."""
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses the readers of unchanged segments, and
            # those keep their old deletions (a replaced passage would still be found).
            self._close_searcher()
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        return self._searcher

    def search(self, query: QueryPlan, filters: Filters, limit: int) -> tuple[list[Hit], int]:
        if query.empty:
            return [], 0
        with self._lock:
            searcher = self._current()
            return self._search(searcher, query, filters, max(1, limit))

    def _search(self, searcher, query: QueryPlan, filters: Filters, limit: int):  # type: ignore[no-untyped-def]
        ranking = self.ranking
        if searcher.doc_count() == 0:
            return [], 0
        # Document frequencies count deleted passages until whoosh merges their segment:
        # so does this total, and idf stays positive.
        total_docs = searcher.doc_count_all()
        if total_docs == 0:
            return [], 0
        concepts = _concepts(query)
        for concept in concepts.values():
            concept.df = searcher.doc_frequency("content", concept.stem)
            df = min(concept.df, total_docs)
            concept.idf = math.log(1.0 + (total_docs - df + 0.5) / (df + 0.5))
        mass = sum(concept.idf for concept in concepts.values()) or 1.0
        avg_length = searcher.avg_field_length("content", 1.0) or 1.0

        accumulated = self._candidates(searcher, concepts, query, filters, mass, avg_length)
        matched = len(accumulated)
        if not accumulated:
            return [], 0
        keep = max(ranking.candidates, 2 * limit)
        best = heapq.nlargest(keep, accumulated, key=accumulated.__getitem__)

        near = [(analyse(first), analyse(second)) for first, second in query.near or query.phrases]
        question = _Question(
            concepts=concepts,
            exacts={exact for concept in concepts.values() for exact in concept.exacts},
            pairs=[
                (a[1], b[1])
                for a, b in near
                if a is not None and b is not None and a[1] in concepts and b[1] in concepts
            ],
            acronym_firsts=_expansion_firsts(concepts),
            roots={root(stem): stem for stem in concepts if len(root(stem)) >= _MIN_ROOT},
            codes=set(query.indicators),
            keyword_codes=set(query.keyword_indicators[:1]),
            mass=mass,
            definition=_definition_pattern(query.defined),
            defined={
                analysed[1]
                for analysed in map(analyse, query.defined)
                if analysed is not None and analysed[1] in concepts
            },
            answer=_ANSWERS.get(query.expects),
        )
        scored = []
        for docnum in best:
            stored = searcher.stored_fields(docnum)
            score, highlight = self._rescore(stored, question, avg_length)
            scored.append((score, docnum, stored, highlight))
        scored.sort(key=lambda item: (-item[0], item[1]))
        hits = [
            _hit(stored, score, highlight)
            for score, _docnum, stored, highlight in scored[:limit]
            if score > 0
        ]
        return hits, max(matched, len(hits))

    def _candidates(self, searcher, concepts, query, filters, mass, avg_length):  # type: ignore[no-untyped-def]
        """Stage 1: {docnum: partial BM25 score} over the index's leaves."""
        ranking = self.ranking
        k1 = ranking.k1
        terms = sorted(
            (concept for concept in concepts.values() if concept.df > 0), key=lambda c: c.df
        )
        chosen = []
        read = 0
        for concept in terms:
            if chosen and read + concept.df > ranking.posting_budget:
                continue  # left to stage 2
            chosen.append(concept)
            read += concept.df
        accumulated: dict[int, float] = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            allowed = _allowed(reader, filters)
            if allowed is not None and not allowed:
                continue
            norms = self._norms(reader, avg_length)
            get = accumulated.get
            for concept in chosen:
                scale = concept.idf * (k1 + 1.0)
                for ids, weights in _postings(reader, "content", concept.stem):
                    if allowed is not None:
                        pairs = [(d, w) for d, w in zip(ids, weights, strict=False) if d in allowed]
                        ids, weights = [d for d, _w in pairs], [w for _d, w in pairs]
                    if offset:
                        for docnum, weight in zip(ids, weights, strict=False):
                            key = docnum + offset
                            accumulated[key] = get(key, 0.0) + scale * weight / (
                                weight + norms[docnum]
                            )
                    else:  # one segment: the common case, the hot loop
                        for docnum, weight in zip(ids, weights, strict=False):
                            accumulated[docnum] = get(docnum, 0.0) + scale * weight / (
                                weight + norms[docnum]
                            )
            bonus = ranking.code_bonus * mass
            for code in query.indicators:
                for ids, _weights in _postings(reader, "indicator", code):
                    for docnum in ids:
                        if allowed is None or docnum in allowed:
                            key = docnum + offset
                            accumulated[key] = get(key, 0.0) + bonus
        return accumulated

    def _norms(self, reader, avg_length: float) -> list[float]:  # type: ignore[no-untyped-def]
        """k1 × (1 - b + b × length / average) of every document of a leaf, cached while
        the searcher lives (a refreshed searcher recomputes them)."""
        cached = self._lengths.get(id(reader))
        if cached is not None and cached[0] is reader:
            return cached[1]
        k1, b = self.ranking.k1, self.ranking.b
        norms = [
            k1 * (1.0 - b + b * (reader.doc_field_length(docnum, "content", 0) or 0) / avg_length)
            for docnum in range(reader.doc_count_all())
        ]
        self._lengths[id(reader)] = (reader, norms)
        return norms

    def _rescore(self, stored, question, avg_length) -> tuple[float, list[str]]:  # type: ignore[no-untyped-def]
        """Stage 2: the final score of one candidate, and the body's words that matched
        (for the excerpt)."""
        r = self.ranking
        concepts = question.concepts
        tf: dict[str, float] = {}  # weighted term frequency by concept
        partial: set[str] = set()  # concepts matched only through a related word
        length = body_length = 0
        highlight: list[str] = []
        adjacent: set[tuple[str, str]] = set()
        window = 0.0
        for prefix, weight in (("heading", r.heading), ("body", 1.0)):
            stems = stored.get(f"{prefix}_stems", "").split()
            if not stems:
                continue
            words = stored.get(f"{prefix}_words", "").split()
            length += len(stems)
            if weight == 1.0:
                body_length = len(stems)
            related: dict[str, str] = {}  # stem of a related word → its concept
            for stem, count in Counter(stems).items():
                if stem in concepts:
                    tf[stem] = tf.get(stem, 0.0) + weight * count
                elif question.roots:
                    concept = question.roots.get(root(stem))
                    if concept is not None:
                        related[stem] = concept
                        tf[concept] = tf.get(concept, 0.0) + r.related * weight * count
                        partial.add(concept)
            # Where the question's concepts stand in the field (exact forms count more).
            wanted = concepts.keys() | related.keys()
            found = [(index, stem) for index, stem in enumerate(stems) if stem in wanted]
            aligned = len(words) == len(stems)
            for position, (index, stem) in enumerate(found):
                if stem in related:
                    found[position] = (index, related[stem])
                elif aligned and (analyse(words[index]) or ("",))[0] in question.exacts:
                    tf[stem] += r.exact * weight
                if weight == 1.0 and aligned:
                    highlight.append(words[index])
            if question.acronym_firsts and question.acronym_firsts.intersection(stems):
                for first, last, acronym in acronym_spans(stems):
                    if acronym in concepts:
                        tf[acronym] = tf.get(acronym, 0.0) + weight
                        length += 1
                        found.append((first, acronym))
                        if weight == 1.0:
                            highlight.extend(words[first:last])
                found.sort()
            for (i, first), (j, second) in zip(found, found[1:], strict=False):
                if j == i + 1:
                    adjacent.add((first, second))
            window = max(window, _best_window(found, concepts, r.window))
        title_counts, _title_exacts = _title_analysis(stored.get("title", ""))
        title_only = set()
        for stem in concepts:
            if stem in title_counts:
                if stem not in tf:
                    title_only.add(stem)
                tf[stem] = tf.get(stem, 0.0) + r.title * title_counts[stem]
        norm = r.k1 * (1.0 - r.b + r.b * length / avg_length)
        bm25 = 0.0
        for stem, frequency in tf.items():
            bm25 += concepts[stem].idf * frequency * (r.k1 + 1.0) / (frequency + norm)
        covered_idf = covered_count = 0.0
        for stem, concept in concepts.items():
            if stem in tf:
                credit = r.title_coverage if stem in title_only else 1.0
                if stem in partial and stem not in title_only:
                    credit = r.related_coverage
            elif concept.group is not None and concept.group in tf:
                credit = 1.0
            else:
                continue
            covered_idf += credit * concept.idf
            covered_count += credit
        coverage = r.coverage_idf * covered_idf / question.mass + (1.0 - r.coverage_idf) * (
            covered_count / len(concepts)
        )
        phrase = sum(
            r.phrase * (concepts[first].idf + concepts[second].idf) / 2.0
            for first, second in question.pairs
            if (first, second) in adjacent
        )
        score = (bm25 + phrase + r.proximity * window) * coverage**r.coverage
        if (
            question.definition is not None
            and question.defined <= tf.keys()
            and question.definition.search(fold(stored.get("body", "")).replace("’", "'"))
        ):
            score *= 1.0 + r.definition
        if question.answer is not None and question.answer.search(stored.get("body", "")):
            score *= 1.0 + r.answer
        if body_length < r.short_words:
            score *= (max(body_length, 1) / r.short_words) ** r.short_power
        indicator = stored.get("indicator") or ""
        if indicator and indicator in question.keyword_codes:
            score *= 1.0 + r.keyword_bonus
        if indicator and indicator in question.codes:
            score += r.code_bonus * question.mass
        return score, highlight


def _best_window(found: list[tuple[int, str]], concepts: dict[str, _Concept], size: int) -> float:
    """The idf mass of the distinct concepts found together within ``size`` consecutive
    words, at its best in the field; nothing when no two concepts meet."""
    best = 0.0
    for start in range(len(found)):
        limit = found[start][0] + size
        together = {stem for position, stem in found[start:] if position < limit}
        if len(together) >= 2:
            best = max(best, sum(concepts[stem].idf for stem in together))
    return best


@dataclass
class _Question:
    """What stage 2 needs to know about the question, computed once per search."""

    concepts: dict[str, _Concept]
    exacts: set[str]
    pairs: list[tuple[str, str]]
    acronym_firsts: set[str]  # first stems of the expansions of the question's acronyms
    roots: dict[str, str]  # root → concept, for the concepts a related word may match
    codes: set[str]
    keyword_codes: set[str]
    mass: float
    definition: re.Pattern[str] | None = None
    defined: set[str] = field(default_factory=set)  # concepts a definition must hold
    answer: re.Pattern[str] | None = None  # what the expected answer looks like


def _concepts(query: QueryPlan) -> dict[str, _Concept]:
    """The question's concepts by stem, acronyms included."""
    concepts: dict[str, _Concept] = {}
    for term in query.terms:
        analysed = analyse(term) or analyse(term.upper())
        if analysed is None:
            continue
        exact, stem = analysed
        concept = concepts.setdefault(stem, _Concept(stem, set()))
        concept.exacts.add(exact)
    for acronym in query.acronyms:
        lowered = acronym.lower()
        concepts.setdefault(lowered, _Concept(lowered, {lowered}))
    for acronym, spelling in query.spelled:
        for word in spelling:
            analysed = analyse(word)
            if analysed is not None and analysed[1] in concepts:
                concepts[analysed[1]].group = acronym.lower()
    return concepts


def _allowed(reader, filters: Filters) -> set[int] | None:  # type: ignore[no-untyped-def]
    """Document numbers of a leaf that the filters let through (None: all of them)."""
    allowed: set[int] | None = None
    for name, value in (
        ("kind", filters.kind),
        ("document_id", str(filters.document_id) if filters.document_id else None),
        ("indicator", filters.indicator),
    ):
        if not value:
            continue
        ids = {docnum for block, _weights in _postings(reader, name, value) for docnum in block}
        allowed = ids if allowed is None else allowed & ids
    return allowed


def _postings(reader, field: str, text: str):  # type: ignore[no-untyped-def]
    """(ids, weights) blocks of a term's postings in one leaf, deleted documents left out.

    whoosh's on-disk matcher is read a block at a time (its block decoding, not its
    per-posting methods); any other matcher, posting by posting.
    """
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return
    deleted: set[int] | frozenset[int] = frozenset()
    if isinstance(matcher, FilterMatcher):  # the leaf has deleted documents
        deleted = matcher._ids
        matcher = matcher.child
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids, weights = matcher._ids, matcher._weights
            if deleted:
                kept = [(i, w) for i, w in zip(ids, weights, strict=False) if i not in deleted]
                ids, weights = [i for i, _w in kept], [w for _i, w in kept]
            yield ids, weights
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():
        docnum = matcher.id()
        if docnum not in deleted:
            ids.append(docnum)
            weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


_TITLES: dict[str, tuple[Counter[str], set[str]]] = {}


def _title_analysis(title: str) -> tuple[Counter[str], set[str]]:
    """Stem counts and exact forms of a document title (cached: few titles, many passages)."""
    cached = _TITLES.get(title)
    if cached is None:
        analysed = [analyse(word) or ("", word.lower()) for word in content_words(title)]
        stems = [stem for _exact, stem in analysed]
        counts = Counter(stems)
        counts.update(acronym for _s, _e, acronym in acronym_spans(stems))
        cached = (counts, {exact for exact, _stem in analysed})
        if len(_TITLES) > 10_000:
            _TITLES.clear()
        _TITLES[title] = cached
    return cached


_DEFINING = (
    r"(?:\s*\([^)]{0,80}\))?\s*(?::|,?\s*(?:est|sont|designent|designe|correspondent|"
    r"correspond|signifient|signifie|s'entendent|s'entend|se definissent|se definit|"
    r"recouvrent|recouvre|c'est[- ]a[- ]dire|il s'agit)\b)"
)


# What answers a question asking for a date (a year, a day and month) or a percentage.
_ANSWERS = {
    "date": re.compile(
        r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}(?:er)? (?:janvier|février|mars|avril|mai|juin|"
        r"juillet|août|septembre|octobre|novembre|décembre)\b",
        re.IGNORECASE,
    ),
    "percent": re.compile(r"\d\s?%|\bpour ?cent\b", re.IGNORECASE),
}

# ...or words that name it: "souvent appelés X", "dits X", "on entend par X".
_NAMING = (
    r"\b(?:appelee?s?|dite?s?|denommee?s?|nommee?s?|qualifiee?s? de|on entend par|"
    r"on appelle|on designe par)\s+(?:\w+\W+){0,2}?"
)


@lru_cache(maxsize=256)
def _definition_pattern(defined: tuple[str, ...]) -> re.Pattern[str] | None:
    """What a defining sentence looks like in folded text: the defined words (any
    inflection: their stem then letters; at most three words between two of them), then
    "est", "désigne", "c'est-à-dire", ":"..."""
    parts = []
    for word in defined:
        analysed = analyse(word)
        if analysed is None:
            continue
        exact, stem = analysed
        if exact.isdigit():
            spelled = [w for w, digits in NUMBER_WORDS.items() if digits == exact]
            parts.append("(?:" + "|".join([exact, *spelled]) + ")")
        else:  # any inflection: the stem then letters, or the word as asked (locaux)
            parts.append(f"(?:{re.escape(fold(stem))}\\w*|{re.escape(exact)})")
    if not parts:
        return None
    term = r"\W+(?:\w+\W+){0,3}?".join(parts)
    return re.compile(rf"\b{term}{_DEFINING}|{_NAMING}{term}\b")


def _expansion_firsts(concepts: dict[str, _Concept]) -> set[str]:
    from knowledge.glossary import _phrases

    firsts = set()
    for first, entries in _phrases().items():
        if any(acronym in concepts for _stems, acronym in entries):
            firsts.add(first)
    return firsts


def _hit(stored, score: float, highlight: list[str]) -> Hit:  # type: ignore[no-untyped-def]
    text = stored.get("body", "")
    return Hit(
        passage_id=int(stored["passage_id"]),
        document_id=int(stored["document_id"]),
        title=stored.get("title", ""),
        kind=stored.get("kind", ""),
        status=stored.get("status", ""),
        locator=stored.get("locator", ""),
        text=text,
        excerpt=excerpt(text, highlight),
        score=round(score, 4),
        indicator=stored.get("indicator") or None,
    )


def excerpt(text: str, matched_words: Iterable[str], size: int = EXCERPT_CHARS) -> str:
    """The window of ``text`` (about ``size`` characters) holding most of the matched
    words (as written in the text), HTML-escaped, each occurrence wrapped in <mark>."""
    marks: list[tuple[int, int, str]] = []
    for word in set(matched_words):
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if (start == 0 or not text[start - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            ):
                marks.append((start, end, word.lower()))
            start = text.find(word, end)
    marks.sort()
    if not marks:
        cut = text[:size]
        return str(escape(cut + ("…" if len(text) > size else "")))
    # The window starting at a match that covers the most distinct matched words.
    best_first, best_key = 0, (-1, 0)
    for first in range(len(marks)):
        limit = marks[first][0] + size
        inside = [m for m in marks[first:] if m[1] <= limit]
        key = (len({m[2] for m in inside}), len(inside))
        if key > best_key:
            best_first, best_key = first, key
    start = marks[best_first][0]
    # Some context before the first match, from a word boundary.
    lead = max(0, start - size // 4)
    if lead > 0:
        space = text.find(" ", lead, start)
        lead = space + 1 if space != -1 else start
    end = min(len(text), lead + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    parts = ["…"] if lead > 0 else []
    cursor = lead
    for mark_start, mark_end, _word in marks:
        if mark_start < lead or mark_end > end:
            continue
        parts.append(str(escape(text[cursor:mark_start])))
        parts.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    parts.append(str(escape(text[cursor:end])))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
