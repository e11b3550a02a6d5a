"""The glossary's acronyms in analysed text: where an expansion is spelled out, and
what a text's acronyms and expansions stand for."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from knowledge.search.analyser import stemmed_terms
from knowledge.search.glossary import COMMON_WORDS, GLOSSARY


@lru_cache(maxsize=1)
def phrases() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First stem → (stems of an expansion, acronym in lower case), longest first."""
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for acronym, expansion in GLOSSARY.items():
        stems = tuple(stemmed_terms(expansion))
        if len(stems) >= 2:
            by_first.setdefault(stems[0], []).append((stems, acronym.lower()))
    return {
        first: tuple(sorted(entries, key=lambda entry: -len(entry[0])))
        for first, entries in by_first.items()
    }


def acronym_spans(stems: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, acronym) of each expansion spelled out in a sequence of stems
    (stop words already dropped): "programmes locaux de l'habitat" → PLH."""
    by_first = phrases()
    found: list[tuple[int, int, str]] = []
    for index, first in enumerate(stems):
        entries = by_first.get(first)
        if not entries:
            continue
        for expansion, acronym in entries:
            end = index + len(expansion)
            if tuple(stems[index:end]) == expansion:
                found.append((index, end, acronym))
    return found


def expand(text: str) -> list[str]:
    """Expansions of the acronyms in ``text`` and acronyms of the expansions it spells out.

    Acronyms are matched as written in capitals ("PLUS", not the word "plus"), except
    for those that are not French words when lower-cased ("cus", "plh"). Spelled-out
    expansions are compared as stems, so plurals and accents do not matter.
    """
    found: list[str] = []
    for word in {w.strip(".,;:!?()«»\"'’") for w in text.split()}:
        upper = word.replace(".", "").upper()
        if upper in GLOSSARY and (word.isupper() or upper.lower() not in COMMON_WORDS):
            found.append(GLOSSARY[upper])
    for _start, _end, acronym in acronym_spans(stemmed_terms(text)):
        found.append(acronym.upper())
    return list(dict.fromkeys(found))
