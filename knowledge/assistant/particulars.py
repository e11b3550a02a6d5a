"""The particulars a question gives: the years it asks about and the names it cites.

A passage that answers "combien d'organismes ont répondu à l'enquête de 2009" or "le
budget de Nantes Métropole Habitat" holds that year or that name: the verdict on whether
the base answers (``scope``) requires them, and the choice of sentences to quote
(``retrieval.rank``) prefers those that hold them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

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
