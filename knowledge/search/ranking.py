"""Ranking shared by both search backends: what a passage is made of for the index, and
the two stages that turn a question into ranked hits.

A backend stores, for each passage, its fields as written and the content words of its
heading and body with their stems, aligned (``stored_fields``), and indexes its terms:
the stems, heading words counting ``HEADING_WEIGHT`` times, plus the acronym of each
expansion spelled out ("programmes locaux de l'habitat" also gives ``plh``), so that one
term finds both spellings (``content_terms``). A document's title is not indexed: it is
the same for all its passages, and a passage that matches by its title alone is not a
hit (every passage of the document would be); stage 2 weighs the title's words.

1. Candidates (each backend reads its own postings): the question's terms are taken
   rarest first, until ``Ranking.posting_budget`` postings would be read
   (``stage_one_terms``), and scored with BM25; passages tagged with an indicator code
   that the question names join with a bonus. Commoner terms wait for stage 2: they
   barely change which passages are candidates, and reading them is what costs on a
   large index.
2. Re-ranking of the best ``Ranking.candidates`` from their stored fields (``rerank``):
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

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import escape

from knowledge.search.acronyms import acronym_spans, phrases
from knowledge.search.analyser import (
    NUMBER_WORDS,
    analyse,
    content_words,
    content_words_and_stems,
    fold,
    root,
)
from knowledge.search.query import QueryPlan
from knowledge.types import Hit, SearchDocument

HEADING_WEIGHT = 2.0  # a heading word counts as this many body words
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


def prepare(text: str) -> tuple[list[str], list[str]]:
    """Content words of a text as written, and their stems."""
    return content_words_and_stems(text)


def with_acronyms(stems: list[str]) -> list[str]:
    """Stems of a field, then the acronym of each expansion spelled out in it."""
    return stems + [acronym for _s, _e, acronym in acronym_spans(stems)]


@dataclass
class Concept:
    """One thing the question asks for: a stem, the exact forms written, its idf."""

    stem: str
    exacts: set[str]
    idf: float = 0.0
    df: int = 0
    group: str | None = None  # acronym stem this word helps spell out


def stored_fields(doc: SearchDocument) -> dict[str, str]:
    """What a backend keeps of a passage for stage 2 and for its hit: the fields as
    written, and the content words of heading and body with their stems, aligned and
    space-separated (no tokenizer runs again at query time)."""
    heading_words, heading_stems = prepare(doc.heading)
    body_words, body_stems = prepare(doc.text)
    return {
        "passage_id": str(doc.passage_id),
        "document_id": str(doc.document_id),
        "kind": doc.kind,
        "indicator": doc.indicator or "",
        "status": doc.status,
        "locator": doc.locator,
        "title": doc.title,
        "heading": doc.heading,
        "body": doc.text,
        "heading_words": " ".join(heading_words),
        "heading_stems": " ".join(heading_stems),
        "body_words": " ".join(body_words),
        "body_stems": " ".join(body_stems),
    }


def content_terms(stored: Mapping[str, str]) -> list[tuple[str, float]]:
    """The indexed terms of a passage in order, each with its weight: heading stems
    count ``HEADING_WEIGHT``, body stems one; acronyms of spelled-out expansions added."""
    heading = stored.get("heading_stems", "").split()
    body = stored.get("body_stems", "").split()
    return [
        *((stem, HEADING_WEIGHT) for stem in with_acronyms(heading)),
        *((stem, 1.0) for stem in with_acronyms(body)),
    ]


def weigh(concepts: dict[str, Concept], frequency: Callable[[str], int], total: int) -> float:
    """Give each concept its document frequency and BM25 idf over ``total`` passages;
    returns the question's idf mass."""
    for concept in concepts.values():
        concept.df = frequency(concept.stem)
        df = min(concept.df, total)
        concept.idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
    return sum(concept.idf for concept in concepts.values()) or 1.0


def stage_one_terms(concepts: dict[str, Concept], ranking: Ranking = RANKING) -> list[Concept]:
    """The concepts stage 1 reads, rarest first, within the posting budget (the rarest
    always, however common)."""
    chosen: list[Concept] = []
    read = 0
    for concept in sorted((c for c in concepts.values() if c.df > 0), key=lambda c: c.df):
        if chosen and read + concept.df > ranking.posting_budget:
            continue  # left to stage 2
        chosen.append(concept)
        read += concept.df
    return chosen


def question_of(query: QueryPlan, concepts: dict[str, Concept], mass: float) -> Question:
    """What stage 2 needs to know about the question, computed once per search."""
    near = [(analyse(first), analyse(second)) for first, second in query.near or query.phrases]
    return Question(
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


def rerank(
    candidates: Iterable[tuple[int, Mapping[str, str]]],
    question: Question,
    avg_length: float,
    limit: int,
    ranking: Ranking = RANKING,
) -> list[Hit]:
    """Stage 2 over (tie-breaking key, stored fields) candidates: the best ``limit`` hits."""
    scored = []
    for key, stored in candidates:
        score, highlight = rescore(stored, question, avg_length, ranking)
        scored.append((score, key, stored, highlight))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [
        _hit(stored, score, highlight)
        for score, _key, stored, highlight in scored[:limit]
        if score > 0
    ]


def rescore(
    stored: Mapping[str, str], question: Question, avg_length: float, ranking: Ranking = RANKING
) -> tuple[float, list[str]]:
    """Stage 2: the final score of one candidate, and the body's words that matched
    (for the excerpt)."""
    r = ranking
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
                family = question.roots.get(root(stem))
                if family is not None:
                    related[stem] = family
                    tf[family] = tf.get(family, 0.0) + r.related * weight * count
                    partial.add(family)
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
        for (i, left), (j, right) in zip(found, found[1:], strict=False):
            if j == i + 1:
                adjacent.add((left, right))
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


def _best_window(found: list[tuple[int, str]], concepts: dict[str, Concept], size: int) -> float:
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
class Question:
    """What stage 2 needs to know about the question, computed once per search."""

    concepts: dict[str, Concept]
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


def concepts_of(query: QueryPlan) -> dict[str, Concept]:
    """The question's concepts by stem, acronyms included."""
    concepts: dict[str, Concept] = {}
    for term in query.terms:
        analysed = analyse(term) or analyse(term.upper())
        if analysed is None:
            continue
        exact, stem = analysed
        concept = concepts.setdefault(stem, Concept(stem, set()))
        concept.exacts.add(exact)
    for acronym in query.acronyms:
        lowered = acronym.lower()
        concepts.setdefault(lowered, Concept(lowered, {lowered}))
    for acronym, spelling in query.spelled:
        for word in spelling:
            analysed = analyse(word)
            if analysed is not None and analysed[1] in concepts:
                concepts[analysed[1]].group = acronym.lower()
    return concepts


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


def _expansion_firsts(concepts: dict[str, Concept]) -> set[str]:
    firsts = set()
    for first, entries in phrases().items():
        if any(acronym in concepts for _stems, acronym in entries):
            firsts.add(first)
    return firsts


def plain_hit(stored: Mapping[str, str]) -> Hit:
    """A passage's stored fields as a hit of score 0, its excerpt unmarked."""
    return _hit(stored, 0.0, [])


def _hit(stored: Mapping[str, str], score: float, highlight: list[str]) -> Hit:
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
