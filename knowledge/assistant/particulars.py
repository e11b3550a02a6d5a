"""The particulars a question gives: the years it asks about, the names it cites, and
the figure it asks for ("quel est le taux de…", "combien…").

A passage that answers "combien d'organismes ont répondu à l'enquête de 2009" or "le
budget de Nantes Métropole Habitat" holds that year or that name: the verdict on whether
the base answers (``scope``) requires them, and the choice of sentences to quote
(``retrieval.rank``) prefers those that hold them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.assistant.numbers import words_to_digits
from knowledge.assistant.understanding import canonical, terms
from knowledge.indicators.codes import find_in_text
from knowledge.search.analyser import fold
from knowledge.search.glossary import GLOSSARY

if TYPE_CHECKING:
    from knowledge.assistant.understanding import Understanding

_YEAR = re.compile(r"(?<![\d,.])(?:19[5-9]\d|20\d{2})(?![\d,.])")
# A capitalised word inside a sentence, or a word in capitals: a name ("Lyon", "ELAN").
_NAME = re.compile(r"(?<=[\s(«\"'’])(?:[A-ZÀ-Ý][a-zà-ÿ]{2,}|[A-ZÀ-Ý]{2,})\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+)$")
# Capitalised by usage, not names a passage must hold.
_COMMON_CAPITALS = frozenset(
    fold(w)
    for w in """
    etat état hlm prefet préfet region région departement département republique république
    collectivite collectivité commune communes ville mouvement office offices union
    conseil ministre ministère loi code article fiche indicateur indicateurs annexe
    ht ttc tva eur
    """.split()  # noqa: SIM905 - a word list reads best as words
)


@lru_cache(maxsize=1)
def _glossary_words() -> frozenset[str]:
    return frozenset(fold(a) for a in GLOSSARY)


def years(understanding: Understanding) -> tuple[str, ...]:
    """Years a question asks about; a calculation's years only label its values."""
    if understanding.kind == "calculation":
        return ()
    return tuple(dict.fromkeys(_YEAR.findall(understanding.question)))


def names(question: str) -> tuple[str, ...]:
    """Names the question gives (folded), other than acronyms of the glossary, indicator
    codes and words capitalised by usage."""
    codes = {fold(c) for c in find_in_text(question)}
    found = []
    for match in _NAME.finditer(question):
        if _SENTENCE_START.search(question[: match.start()]):
            continue
        word = fold(match.group(0))
        if word in _glossary_words() or word in _COMMON_CAPITALS or word in codes:
            continue
        found.append(word)
    return tuple(dict.fromkeys(found))


def holds(text: str, wanted: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(wanted)}(?![\w])", fold(text)) is not None


def wanted(understanding: Understanding) -> tuple[str, ...]:
    """Everything a passage that answers must hold: years, then names."""
    return years(understanding) + names(understanding.question)


# --- a figure asked for --------------------------------------------------------------------

# What asks for a figure ("quel est le taux de…", "combien de…", "quel budget…"), and the
# word it asks the figure of.
_QUANTITY = re.compile(
    r"\b(?:(?P<word>taux|montants?|budgets?|nombres?|prix|co[uû]ts?|parts?|pourcentages?|"
    r"proportions?|dur[ée]es?|d[ée]lais?|cotisations?)\b(?:\s+(?:moyen|annuel|mensuel|maximal|"
    r"minimal|exact|total)(?:ne|le)?s?)?(?:\s+(?:des\b|du\b|de\b|d'|d’)\s*(?:la\s+|les\s+|l'|l’)?(?P<of>[\w-]+))?"
    r"|\bcombien\b)",
    re.IGNORECASE,
)
_NAMED_SUMS = re.compile(r"(?:budget|montant|prix|co[uû]t|cotisation)s?$", re.I)
# Counted in time, the figure's word is a unit ("combien de temps": "un mois").
_TIME_WORDS = frozenset(
    ["temps", "an", "ans", "annee", "annees", "mois", "jour", "jours", "semaine", "semaines"]
)
_OPENING = re.compile(
    r"^\W*(?:quel(?:le)?s?\b|combien\b|tous les combien\b|en combien\b|dans quel)", re.I
)
_FIGURE = re.compile(
    r"(?<![\w,.])\d[\d\s ]*(?:[,.]\d+)?(?![\w])|\bun(?:e)?\s+(?:mois|an|année|jour|semaine|tiers|quart|sur)\b|\bmoitié\b",
    re.I,
)


def asked_figure(understanding: Understanding) -> tuple[str, ...] | None:
    """The stems a figure is asked of ("taux du livret A": livret), ``()`` for a figure
    of nothing named ("combien de temps"), None when no figure is asked."""
    question = understanding.question
    match = _QUANTITY.search(question)
    if match is None or not (
        _OPENING.search(question) or match.group(0).lower().startswith("combien")
    ):
        return None
    # The figure's own word is seldom written beside it ("61 % des organismes" answers
    # "quel pourcentage"), nor what is counted ("douze CCL" answers "combien de
    # conseils"): what the figure is *of* must be there ("taux du livret A": livret).
    # A sum, though, is written with its name ("un budget de 10 000 €").
    words = [match.group("word")] if _NAMED_SUMS.match(match.group("word") or "") else []
    of = match.group("of")
    if of and fold(of.lower()) not in _TIME_WORDS:
        words.append(of)
    stems = (t for w in words for t in terms(canonical(w)))
    return tuple(dict.fromkeys(t for t in stems if t in understanding.terms))


def states_figure(text: str) -> bool:
    digits = words_to_digits(text)
    return any(not _YEAR.fullmatch(m.group(0).strip()) for m in _FIGURE.finditer(digits))


# --- a sum asked for -----------------------------------------------------------------------

# What asks for a sum of money: "combien coûte…", "quel est le prix / le coût / le
# montant / le budget…". Its answer is written in euros.
_ASKS_SUM = re.compile(
    r"\bcombien\s+(?:co[uû]te(?:nt|rait|raient)?|vau[td]|valent|rapporte(?:nt)?)\b"
    r"|\bquel(?:le)?s?\s+(?:est|sont|serait)?\s*(?:le|la|les)?\s*"
    r"(?:prix|co[uû]ts?|montants?|budgets?)\b",
    re.IGNORECASE,
)
_SUM = re.compile(
    r"\d[\d\s\u00a0\u202f.,]*\s*(?:k|m|md|millions?|milliards?|milliers?)?\s*(?:d['’]\s*)?"
    r"(?:€|euros?\b|eur\b)",
    re.IGNORECASE,
)


def asks_sum(understanding: Understanding) -> bool:
    """The question asks what something costs or amounts to, in money."""
    return _ASKS_SUM.search(understanding.question) is not None


def states_sum(text: str) -> bool:
    """The text states a sum of money (a number in euros)."""
    return _SUM.search(words_to_digits(text)) is not None


# --- the thing asked about -----------------------------------------------------------------

# How a question opens before it names what it asks about: "comment calculer", "quel est",
# "qu'est-ce que", "c quoi", or straight with its subject ("les détecteurs … sont-ils").
_FOCUS_OPENING = re.compile(
    r"^\W*(?:comment\s+(?:faire\s+pour\s+|on\s+|se\s+|s['’]\s*)?[\w-]+\s+"
    r"|quel(?:le)?s?\s+(?:est|sont|sera|seront|était|étaient)\s+"
    r"|qu['’]\s*est[- ]ce\s+qu(?:e\s+|['’]\s*)"
    r"|c\s*['’]?\s*(?:est\s+)?(?:quoi|koi)\s+"
    r"|que\s+(?:signifie|veut\s+dire|désigne|recouvre)\s+"
    r"|(?=(?:le|la|les|l['’]|un|une)\b))",
    re.IGNORECASE,
)
_DETERMINERS = frozenset(
    "le la les l un une des du de d au aux son sa ses leur leurs ce cet cette ces".split()  # noqa: SIM905
)
# Heads that say little of what is asked ("les types d'organismes"), or the kind of
# answer wanted, which the answer gives without naming it ("les horaires du numéro vert":
# "de 17 h à 23 h"): the noun they govern is what the question is about.
_GENERIC_HEADS = frozenset(
    """type types sorte sortes genre genres forme formes liste ensemble categorie categories
    horaire horaires date dates heure heures adresse adresses nom noms lieu lieux age
    duree durees delai delais taux montant montants nombre nombres part parts prix cout
    couts pourcentage proportion frequence periodicite""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[\w-]+|['’]")


def focus(understanding: Understanding) -> tuple[str, ...]:
    """The stems of what the question asks about: the noun its question words lead to,
    with the word that qualifies it ("comment calculer la taxe foncière": taxe,
    foncière); () for a question that does not open that way."""
    question = understanding.question
    opening = _FOCUS_OPENING.match(question)
    if opening is None:
        return ()
    words = [fold(w.lower()) for w in _WORD.findall(question[opening.end() :])]
    words = [w for w in words if w not in ("'", "’")]
    while words and words[0] in _DETERMINERS:
        words.pop(0)
    if len(words) >= 3 and words[0] in _GENERIC_HEADS and words[1] in ("de", "des", "du", "d"):
        words = words[2:]
        while words and words[0] in _DETERMINERS:
            words.pop(0)
    while words and (words[0].isdigit() or words_to_digits(words[0]) != words[0]):
        words.pop(0)  # "les quatre éléments": what is counted
    stems = (t for w in words[:1] for t in terms(w))
    return tuple(dict.fromkeys(t for t in stems if t in understanding.terms))
