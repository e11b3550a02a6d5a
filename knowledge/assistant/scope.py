"""Whether the knowledge base answers a question: what the question asks, and whether the
passages retrieved hold it.

A question asks for its content words (weighed by their rarity in the corpus), the years
and the names it gives, and the indicator it names. The base answers when one passage
covers enough of those words *and* holds every year and every name: a question on
"la ville de Lyon" or on "2024" is not answered by a passage that speaks of neither,
however many other words they share. An indicator found by its keywords answers only
what its fiche covers; named by its code, its catalogue entry answers.

Words of the question the corpus has never seen are first read as slips of the pen
("technik", "orgnismes") when one of the corpus's words is that close; words that stay
unknown keep their full weight, since "tarte tatin" is exactly what says a question is
elsewhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA

from knowledge.assistant.french import is_french
from knowledge.assistant.particulars import (
    asked_figure,
    asks_sum,
    focus,
    holds,
    states_figure,
    states_sum,
    wanted,
)
from knowledge.assistant.retrieval import (
    RELEVANCE_THRESHOLD,
    CorpusStats,
    Ranked,
    coverage,
    matches,
)
from knowledge.assistant.understanding import (
    IndicatorMention,
    Understanding,
    canonical,
    terms,
    word_stem,
)
from knowledge.indicators.catalogue import CATALOGUE, Indicator
from knowledge.search.analyser import fold, is_stop, tokens


@dataclass(frozen=True)
class Verdict:
    found: bool
    relevance: float  # share of the question the best passage covers
    missing: tuple[str, ...] = ()  # years and names no passage holds
    corrected: tuple[tuple[str, str], ...] = ()  # (as typed, as read)


# --- reading the question against the corpus -----------------------------------------------


def _by_length(
    stats: CorpusStats, attribute: str, vocabulary: Iterable[str]
) -> dict[int, list[str]]:
    """A vocabulary of the corpus by length, built once per statistics object."""
    cached: dict[int, list[str]] | None = getattr(stats, attribute, None)
    if cached is None:
        cached = {}
        for word in vocabulary:
            if word.isalpha():
                cached.setdefault(len(word), []).append(word)
        setattr(stats, attribute, cached)
    return cached


def _closest(word: str, by_length: dict[int, list[str]], stats: CorpusStats) -> str | None:
    """The vocabulary's word ``word`` is a slip for: one letter off (or two swapped) from
    five letters on, two from seven when it sounds the same, the first letters kept (a slip rarely falls on the first letter, and
    "tarte" is not "carte"); the most frequent of the closest."""
    if len(word) < 5:
        return None
    allowed = 2 if len(word) >= 7 else 1
    keep = 3 if allowed == 2 else 2
    best: tuple[int, int, str] | None = None
    for length in range(len(word) - allowed, len(word) + allowed + 1):
        for other in by_length.get(length, ()):
            if other[:keep] != word[:keep]:
                continue
            distance = OSA.distance(word, other, score_cutoff=allowed)
            if distance > allowed:
                continue
            if distance == 2 and _sound(word) != _sound(other):
                continue  # two letters off only when it sounds the same ("technik")
            candidate = (distance, -stats.frequencies.get(word_stem(other), 0), other)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


_SOUNDS = (
    (re.compile(r"qu|c(?=[aouk])|ck"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(?:eau|au)"), "o"),
    (re.compile(r"(.)\1"), r"\1"),
    (re.compile(r"[estx]+$"), ""),
)


def _sound(word: str) -> str:
    """How a French word sounds, roughly: "technik" and "technique" sound alike,
    "notaire" and "notable" do not."""
    for pattern, replacement in _SOUNDS:
        word = pattern.sub(replacement, word)
    return word


def correction(stem_: str, stats: CorpusStats, written: str | None = None) -> str | None:
    """The corpus's stem that a stem unknown to it is a slip for, compared as written
    when the word is known ("orgnismes" is "organismes", whose stem is "organ"), else
    stem with stem."""
    if stats.known(stem_) or not stem_.isalpha():
        return None
    if written and stats.words:
        spelled = _closest(fold(written), _by_length(stats, "_words", stats.words), stats)
        if spelled is not None:
            return word_stem(spelled)
    return _closest(stem_, _by_length(stats, "_stems", stats.frequencies), stats)


def corrected(understanding: Understanding, stats: CorpusStats) -> Understanding:
    """The understanding with its words read as the corpus spells them: in its terms,
    and in the question's text (a slip replaced by the corpus's stem, which the search
    stems to itself), which the search and the definition check read."""
    if not stats.passages:
        return understanding
    question = understanding.question
    fixes: dict[str, str] = {}
    verbs: set[str] = set()
    for word, start, end in reversed(list(tokens(question))):
        if not word.isalpha() or len(word) < 5 or is_stop(fold(word).lower()):
            continue  # "pendant", "quelles": words of the language, not of the corpus
        stem_ = word_stem(fold(word))
        fix = correction(stem_, stats, word)
        # A word of the language the corpus never uses is what it says ("dégât"), no slip
        # for the corpus word it is close to ("débat"), unless that is another form of it
        # ("envoyé", "envoi"): only the ending differs.
        if fix is not None and is_french(word) and not _same_family(stem_, fix):
            fix = None
        if fix is not None:
            fixes[stem_] = fix
            question = question[:start] + fix + question[end:]
        elif not stats.known(stem_) and _VERB_FORM.search(fold(word)):
            verbs.add(stem_)
    if not fixes and not verbs:
        return understanding
    fixed = tuple(fixes.get(t, t) for t in understanding.terms if t not in verbs)
    return replace(understanding, terms=fixed, question=question)


def _same_family(stem_: str, other: str) -> bool:
    shared = len(os.path.commonprefix([stem_, other]))
    return shared >= 4 and shared >= min(len(stem_), len(other)) - 1


# A conjugated verb ("déplorent", "allouent", "relogeons"): when the corpus has never
# seen it, it says how the question is asked, not what it asks about, and weighs
# nothing (an unknown noun, "notaire", "rugby", keeps its full weight).
_VERB_FORM = re.compile(r"(?<!m)(?:ent|ons|ez)$")


def _passage_text(item: Ranked) -> str:
    return f"{item.meta.get('title', '')}\n{item.meta.get('locator', '')}\n{item.document.page_content}"


@lru_cache(maxsize=64)
def _indicator_stems(code: str) -> frozenset[str]:
    indicator: Indicator = CATALOGUE[code]
    parts = [
        indicator.title,
        indicator.aspect,
        indicator.engagement,
        indicator.unit,
        indicator.periodicity,
        indicator.scale,
        indicator.formula,
        " ".join(indicator.keywords),
        " ".join(indicator.breakdown),
        " ".join(indicator.exclusions),
        " ".join(indicator.notes),
        indicator.cross_check,
        "indicateur valeur cible calcul formule variable periodicite echelle unite",
        *(f"{v.name} {v.label} {v.definition}" for v in indicator.variables),
    ]
    return frozenset(terms(canonical(" ".join(parts))))


def gives_figure(of: tuple[str, ...], supporting: list[Ranked]) -> bool:
    """Whether one sentence of the passages states a figure of what was asked: the
    words it is asked of and a number that is not a year, in the same sentence (the
    budget of the associations under a heading "Paris Habitat" is not Paris Habitat's
    budget)."""
    for item in supporting:
        for unit in item.units:
            stems = frozenset(unit.stems)
            if all(matches(s, stems) >= 0.9 for s in of) and states_figure(unit.text):
                return True
    return False


def gives_sum(supporting: list[Ranked]) -> bool:
    """Whether one sentence of the passages states a sum of money."""
    return any(states_sum(unit.text) for item in supporting for unit in item.units)


# --- the verdict ---------------------------------------------------------------------------


def decide(
    understanding: Understanding,
    ranked: list[Ranked],
    stats: CorpusStats,
    threshold: float = RELEVANCE_THRESHOLD,
) -> Verdict:
    """Whether the passages ``ranked`` (best first) answer the question."""
    if not understanding.terms and understanding.indicator is None:
        return Verdict(False, 0.0)
    best = ranked[0].relevance if ranked else 0.0
    asked = wanted(understanding)
    mention = understanding.indicators[0] if understanding.indicators else None
    indicator = understanding.indicator

    # A year or a name the question gives must be in a passage that answers it.
    supporting = [r for r in ranked[:5] if r.relevance >= threshold * 0.8] or ranked[:1]
    missing = tuple(w for w in asked if not any(holds(_passage_text(r), w) for r in supporting))
    # Given figures to calculate, the calculator answers whatever the passages hold (the
    # years only label the values). An indicator named by its code is answered by the
    # catalogue, but not for an organisme or a year it was asked of: "F.VI pour Lyon
    # Métropole Habitat en 2022" is a figure the base does not hold.
    by_catalogue = mention is not None and understanding.kind == "calculation"
    if missing and not by_catalogue:
        return Verdict(False, best, missing)

    # An indicator read from the fiches found ("retrieved") is what the search found:
    # whether the base answers is the passages' verdict, as for any question.
    if indicator is not None and mention is not None and mention.how != "retrieved":
        if mention.how == "code" or understanding.kind == "calculation":
            return Verdict(True, best)
        # Found by its words: the fiche (catalogue and passages) must cover the question.
        fiche = set(_indicator_stems(indicator.code))
        for item in ranked[:3]:
            if item.meta.get("indicator") == indicator.code:
                fiche |= set(terms(item.document.page_content))
        share = coverage(understanding.terms, fiche, stats)
        return Verdict(max(share, best) >= threshold, max(share, best))
    if understanding.kind == "drafting" and understanding.aspect is not None:
        return Verdict(True, best)
    # Asked for a figure ("quel est le taux du livret A ?"), the base answers when a
    # sentence states one of that; the words alone ("le taux de TVA applicable") do not.
    figure = asked_figure(understanding)
    if best >= threshold and figure is not None and not gives_figure(figure, supporting):
        return Verdict(False, best)
    # Asked what something costs, the base answers with a sum: "33 000 logements" is a
    # figure, not the cost of building one.
    if best >= threshold and asks_sum(understanding) and not gives_sum(supporting):
        return Verdict(False, best)
    # What the question asks about must be what a passage speaks of: "la taxe foncière"
    # is not answered by passages on "l'organisme Hlm" and "calculer".
    asked_about = focus(understanding)
    if (
        best >= threshold
        and asked_about
        and not any(_speaks_of(r, asked_about) for r in supporting)
    ):
        return Verdict(False, best, asked_about)
    return Verdict(best >= threshold, best)


def _speaks_of(item: Ranked, stems: tuple[str, ...]) -> bool:
    held = frozenset(terms(_passage_text(item)))
    # (The analyser reads "offices publics de l'habitat" as OPH too: an acronym asked
    # about is spoken of by the words it abbreviates.)
    return all(matches(t, held) >= 0.9 for t in stems)


# A question that asks for one indicator, or how something is measured, without naming it.
_ASKS_INDICATOR = re.compile(
    r"\bindicateur\b|\bcomment\s+(?:mesurer|calculer|suivre|évaluer|evaluer|compter)\b",
    re.IGNORECASE,
)


def indicator_from_fiches(understanding: Understanding, ranked: list[Ranked]) -> Understanding:
    """The indicator a question asks for in its own words ("la part des plaintes traitées
    en moins d'un mois"), read from the fiches the search found when no keyword of the
    catalogue names it: the best of the three first passages that is an indicator's
    fiche, if it answers well enough. The search reads paraphrases the keywords miss."""
    if understanding.indicators or understanding.kind in ("drafting", "calculation"):
        return understanding
    if not _ASKS_INDICATOR.search(understanding.question):
        return understanding
    fiches = [r for r in ranked[:3] if r.meta.get("indicator") in CATALOGUE]
    if not fiches:
        return understanding
    best = max(fiches, key=lambda r: r.relevance)
    if best.relevance < RELEVANCE_THRESHOLD:
        return understanding
    mention = IndicatorMention(str(best.meta["indicator"]), "retrieved")
    return replace(understanding, indicators=(mention,))
