"""Retrieval: passages of the knowledge base as LangChain documents, what the corpus
says of words, and which passages and sentences answer a question.

``PassageRetriever`` is a langchain-core ``BaseRetriever`` over any
``knowledge.search.SearchIndex`` (whoosh or PostgreSQL): each hit becomes a ``Document``
whose ``page_content`` is the passage text and whose metadata carries what a citation
needs (title, kind, status, locator, document and passage ids, indicator, score,
excerpt).

``CorpusStats`` counts in how many passages each content stem occurs, so that the
assistant weighs the words of a question by how telling they are (a word found in
every passage says little; one found nowhere says the question is elsewhere).

``rank`` re-ranks the retrieved passages by how much of the question they cover, and
scores their sentences (units); ``select`` chooses the sentences to quote and numbers
the sources. Below ``RELEVANCE_THRESHOLD`` nothing was found.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge.assistant.dating import dated_year
from knowledge.assistant.particulars import asked_figure, holds, wanted
from knowledge.assistant.understanding import (
    Understanding,
    acronym_heads,
    canonical,
    terms,
)
from knowledge.assistant.units import split_units
from knowledge.indicators.catalogue import Indicator
from knowledge.search.analyser import fold, is_stop, tokens, words
from knowledge.search.index import DEFAULT_LIMIT, Filters, SearchIndex, search
from knowledge.types import Hit

if TYPE_CHECKING:
    from knowledge.assistant.drafting import Draft


def hit_to_document(hit: Hit) -> Document:
    return Document(
        page_content=hit.text,
        id=str(hit.passage_id),
        metadata={
            "passage_id": hit.passage_id,
            "document_id": hit.document_id,
            "title": hit.title,
            "kind": hit.kind,
            "status": hit.status,
            "locator": hit.locator,
            "indicator": hit.indicator,
            "score": hit.score,
            "excerpt": hit.excerpt,
        },
    )


class PassageRetriever(BaseRetriever):
    """Best passages of the search index for a question, as LangChain documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any  # a knowledge.search.SearchIndex (a Protocol, so not checked by pydantic)
    k: int = DEFAULT_LIMIT
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        index: SearchIndex = self.index
        hits, _total = search(index, query, self.filters, self.k)
        return [hit_to_document(hit) for hit in hits]


class CorpusStats:
    """Document frequencies of content stems over the passages of the knowledge base."""

    def __init__(
        self,
        frequencies: dict[str, int] | None = None,
        passages: int = 0,
        words: Iterable[str] = (),
    ) -> None:
        self.frequencies = frequencies or {}
        self.passages = passages
        # The corpus's words as written (folded), from five letters: what a slip of the
        # pen in a question is compared with ("orgnismes" and "organismes").
        self.words = frozenset(words)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CorpusStats:
        counts: Counter[str] = Counter()
        spelled: set[str] = set()
        total = 0
        for text in texts:
            counts.update(set(terms(text)))
            spelled.update(w for w, _s, _e in tokens(fold(text)) if len(w) >= 5 and w.isalpha())
            total += 1
        return cls(dict(counts), total, spelled)

    def idf(self, stem: str) -> float:
        """BM25's inverse document frequency (always positive); 1.0 without statistics."""
        if not self.passages:
            return 1.0
        df = self.frequencies.get(stem, 0)
        return math.log(1 + (self.passages - df + 0.5) / (df + 0.5))

    def known(self, stem: str) -> bool:
        return self.frequencies.get(stem, 0) > 0


MAX_SOURCES = 5  # passages returned (and numbered) with an answer
MAX_UNITS = 3  # sentences (or lists) quoted in an extractive answer
# Share of the question (its words weighed by rarity) that the best passage must cover.
# Measured on the reference corpus: 36 questions it answers cover 0.58 to 1.0; of 30
# questions from elsewhere (a recipe, the weather, football, a passport) 29 cover 0 to
# 0.45 — the last, on VAT in restaurants, 0.56, the corpus speaking of VAT and rates.
RELEVANCE_THRESHOLD = 0.5


# --- the pieces of evidence ----------------------------------------------------------------


@dataclass
class Unit:
    """A sentence of a passage, or a sentence ending in ":" with the list it opens."""

    text: str
    position: int
    stems: tuple[str, ...]
    score: float = 0.0


@dataclass
class Ranked:
    document: Document
    relevance: float  # share of the question covered by the passage (0-1)
    units: list[Unit] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, Any]:
        return self.document.metadata


class CalculationYear(TypedDict):
    year: int | None  # None when the question names no year
    value: float
    working: str


class Calculation(TypedDict):
    """The calculator's result for the numbers of a question, as answers give it."""

    indicator: str
    value: float
    unit: str
    working: str
    variables: dict[str, dict[str, float]]  # {"2025" or "valeurs": {"V1": 30.0, ...}}
    years: list[CalculationYear]
    warnings: list[str]


@dataclass
class Evidence:
    """Everything an answer is made from, whoever writes it."""

    question: str
    understanding: Understanding
    ranked: list[Ranked]
    found: bool
    calculation: Calculation | None = None
    calculation_error: str | None = None
    chosen: list[tuple[Ranked, Unit]] = field(default_factory=list)
    sources: list[Ranked] = field(default_factory=list)
    draft: Draft | None = None  # a drafting request's plan (knowledge.assistant.drafting)

    @property
    def indicator(self) -> Indicator | None:
        return self.understanding.indicator

    def number_of(self, ranked: Ranked) -> int:
        return next(i for i, s in enumerate(self.sources, 1) if s is ranked)


# --- scoring -------------------------------------------------------------------------------


def matches(term: str, stems: frozenset[str] | set[str]) -> float:
    """1 for the same stem; less for a stem of which the other is a prefix ("assoc" and
    "associe", "sign" and "signatur"): Snowball leaves some forms of a word apart."""
    if term in stems:
        return 1.0
    head = acronym_heads().get(term)
    if head is not None:
        return 0.5 if head in stems else 0.0
    if len(term) < 4 or "-" in term:
        return 0.0
    best = 0.0
    for other in stems:
        if len(other) < 4 or "-" in other:
            continue
        shorter, longer = (term, other) if len(term) <= len(other) else (other, term)
        if longer.startswith(shorter):
            gap = len(longer) - len(shorter)
            if gap <= 2:
                return 0.9  # "assoc" and "associe": the same word for a reader
            if gap <= 5:
                best = 0.5
    return best


def coverage(question_terms: tuple[str, ...], stems: set[str], stats: CorpusStats) -> float:
    """Share of the question's words (weighed by rarity) found among ``stems``."""
    unique = tuple(dict.fromkeys(question_terms))
    total = sum(stats.idf(t) for t in unique)
    if not total:
        return 0.0
    frozen = frozenset(stems)
    return sum(stats.idf(t) * matches(t, frozen) for t in unique) / total


_NOISE = re.compile(r"https?://|www\.|^\d{1,3}\s+[A-ZÀ-Ý]")


def _bigrams(sequence: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(sequence, sequence[1:], strict=False))


_DEFINING = r"\s+(?:est|sont|designe|designent|correspond|correspondent|s'entend|recouvre|signifie|consiste|vise)\b"


def _defines(subject: str, text: str) -> bool:
    """True when ``text`` defines ``subject`` ("la vacance technique est…")."""
    # The subject's last word may be a stem ("vacance techniqu", a slip corrected).
    pattern = re.escape(subject) + r"\w*" + _DEFINING
    return bool(subject) and re.search(pattern, canonical(text)) is not None


# What qualifies the term asked about rather than names it: "la chaudière collective au
# sens des fiches", "les parties communes pour l'indicateur de propreté".
_QUALIFIER = re.compile(
    r"\s(?:au sens|pour|dans|selon|d'apr[eè]s|en mati[eè]re|au titre|dans le cadre)\b.*$"
)


def _subject(question: str) -> str:
    """The last two content words of the term a definition question asks about
    ("vacance technique"), what qualifies it left out."""
    term = _QUALIFIER.sub("", canonical(question).replace("’", "'"))
    content = [w for w in words(term) if not is_stop(w)]
    return " ".join(content[-2:]) if content else ""


def _opening(stems: tuple[str, ...]) -> tuple[str, ...]:
    return stems[:6]


def _boilerplate(documents: list[Document]) -> set[tuple[str, ...]]:
    """Openings of sentences that recur in three passages retrieved or more: the rows
    every fiche begins with ("Aspect de la politique : … Engagement : …"), a running
    title. Quoted for their words, they crowd out the passage that answers."""
    seen: Counter[tuple[str, ...]] = Counter()
    for document in documents:
        openings = {_opening(terms(t)) for t in split_units(document.page_content)}
        seen.update(o for o in openings if len(o) >= 6)
    return {opening for opening, count in seen.items() if count >= 3}


def rank(
    understanding: Understanding, documents: list[Document], stats: CorpusStats
) -> list[Ranked]:
    """Passages re-ranked by coverage of the question, best first, units scored."""
    question_terms = understanding.terms
    question_pairs = _bigrams(question_terms)
    subject = _subject(understanding.question) if understanding.kind == "definition" else ""
    drafting = understanding.kind == "drafting"
    top_score = max((d.metadata.get("score") or 0.0 for d in documents), default=0.0) or 1.0
    ranked = []
    code = understanding.indicators[0].code if understanding.indicators else None
    asked = wanted(understanding)
    common = _boilerplate(documents)
    for order, document in enumerate(documents):
        meta = document.metadata
        passage_stems = set(terms(f"{meta.get('locator', '')}\n{document.page_content}"))
        relevance = coverage(question_terms, passage_stems, stats)
        prior = 0.1 * (meta.get("score") or 0.0) / top_score - 0.01 * order
        if code and meta.get("indicator") == code:
            prior += 0.1
        item = Ranked(document, relevance)
        # The heading a passage sits under speaks for each of its sentences: under
        # "Atouts", each item of the list is one of the atouts asked for.
        heading = set(terms(str(meta.get("locator") or "")))
        for position, text in enumerate(split_units(document.page_content)):
            stems = terms(text)
            if not stems:
                continue
            unit = Unit(text, position, stems)
            score = coverage(question_terms, set(stems), stats)
            if heading - set(stems):  # at half weight: a heading is shared by many
                score += 0.5 * (coverage(question_terms, set(stems) | heading, stats) - score)
            if "\n- " in text:
                # A list answers through the sentence that opens it ("la contractualisation
                # peut recouvrir des champs très différents :"), not by its length.
                lead = terms(text.split("\n- ", 1)[0])
                opening = coverage(question_terms, set(lead), stats)
                score = max(0.85 * score, 0.5 * score + 0.5 * opening)
            score += 0.1 * len(question_pairs & _bigrams(stems)) / max(1, len(question_pairs))
            if subject and _defines(subject, text):
                score += 0.3
            if asked:  # the year or the name asked about ("l'enquête de 2009")
                score += 0.2 * sum(holds(text, w) for w in asked) / len(asked)
            length = len(text.split())
            if length < 6:
                score *= 0.5
            elif length > 120:
                score *= 0.85
            if drafting:  # material to write from: what a part must contain, in full
                score *= 0.8 + 0.4 * min(1.0, length / 40)
            if text[0].islower():
                score *= 0.7  # a fragment whose beginning is elsewhere
            if _NOISE.search(text):
                score *= 0.5  # addresses, links, footnotes: not an answer
            if length <= 25 and "\n" not in text and not _ENDS_SENTENCE.search(text):
                score *= 0.8  # a line that ends as no sentence does: a title, a caption
            if _opening(stems) in common:
                score *= 0.6  # the same sentence heads many passages: it says little
            unit.score = score + 0.5 * prior + 0.1 * relevance
            item.units.append(unit)
        item.relevance = relevance
        ranked.append((relevance + prior, item))
    ranked.sort(key=lambda pair: -pair[0])
    return [item for _score, item in ranked]


# How a sentence, a list's lead-in or a quotation ends; a line ending otherwise is a
# title, a subtitle or a table's label.
_ENDS_SENTENCE = re.compile(r"[.!?:;…»)]\s*$")

# A question that asks for a date or a time limit, or names a year.
_ASKS_WHEN = re.compile(
    r"\b(?:quand|quelle\s+date|quelles\s+dates|date\s+limite|jusqu['’]\s*(?:à|a)\s+quand"
    r"|[àa]\s+partir\s+de\s+quand|d['’]\s*ici\s+quand|[ée]ch[ée]ance|calendrier"
    r"|(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def _names_its_document(unit: Unit, item: Ranked) -> bool:
    """The unit is its document's title, or its passage's heading, as a cover or a
    heading line repeats them: it names what the text is about, it answers nothing."""
    said = " ".join(words(fold(unit.text)))
    if not said:
        return True
    names = [str(item.meta.get("title") or "")]
    heading = str(item.meta.get("heading") or "")
    if heading:
        names.append(heading.split(" › ")[-1])
    return any(said == " ".join(words(fold(name))) for name in names if name)


def select(evidence: Evidence) -> Evidence:
    """Choose the sentences to quote and number the sources they come from."""
    if not evidence.found:
        evidence.sources = []
        return evidence
    code = evidence.indicator.code if evidence.indicator else None
    # Sentences worth quoting: from passages that answer, the best first, no repeats.
    candidates = []
    for item in evidence.ranked[:8]:
        if item.relevance < RELEVANCE_THRESHOLD * 0.6 and not (
            code and item.meta.get("indicator") == code
        ):
            continue
        for unit in item.units:
            if _names_its_document(unit, item):
                continue
            candidates.append((unit.score, item, unit))
    candidates.sort(key=lambda c: -c[0])
    best = candidates[0][0] if candidates else 0.0
    seen: set[str] = set()
    limit = MAX_UNITS - (1 if evidence.indicator else 0)
    for score, item, unit in candidates:
        if len(evidence.chosen) >= limit or score < max(0.3, 0.6 * best):
            break
        key = " ".join(unit.stems)
        if key in seen:
            continue
        seen.add(key)
        evidence.chosen.append((item, unit))
    # The passage with the best sentence first; a passage's sentences in their order.
    # A passage whose every sentence chosen is dated comes after those that say what
    # holds now: the answer leads with current wording, what a text said then follows;
    # unless the question asks when, or of a year, or for a figure, which the dated
    # statements answer.
    # A figure asked for is answered by the sentence that states it, dated or not.
    asks_when = bool(_ASKS_WHEN.search(evidence.understanding.question)) or (
        asked_figure(evidence.understanding) is not None
    )
    best_of: dict[int, float] = {}
    current: set[int] = set()
    for item, unit in evidence.chosen:
        best_of[id(item)] = max(best_of.get(id(item), 0.0), unit.score)
        if asks_when or dated_year(unit.text) is None:
            current.add(id(item))
    evidence.chosen.sort(
        key=lambda pair: (id(pair[0]) not in current, -best_of[id(pair[0])], pair[1].position)
    )

    sources: list[Ranked] = []
    if code:  # the indicator's own fiche, when retrieved, backs the catalogue entry
        fiche = next((r for r in evidence.ranked if r.meta.get("indicator") == code), None)
        if fiche is not None:
            sources.append(fiche)
    for item, _unit in evidence.chosen:
        if item not in sources:
            sources.append(item)
    top = evidence.ranked[0].relevance if evidence.ranked else 0.0
    for item in evidence.ranked:
        if len(sources) >= MAX_SOURCES:
            break
        if item not in sources and item.relevance >= max(RELEVANCE_THRESHOLD, 0.6 * top):
            sources.append(item)
    evidence.sources = sources[:MAX_SOURCES]
    evidence.chosen = [(i, u) for i, u in evidence.chosen if i in evidence.sources]
    return evidence
