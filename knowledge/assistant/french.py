"""Words of the French language, from the word list pyspellchecker ships in its wheel
(frequencies counted on subtitles, MIT): read offline, folded as the search folds.

A question's word the corpus never uses is read as a slip for a word it does
(``scope.corrected``) only when it is no word of the language: "technik" is a slip for
"technique", but "dégât" is a dégât, not a "débat", and "détecteur" no "détenteur" — the
corpus has nothing on them, which the verdict must see.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib.resources import files

from knowledge.search.analyser import fold

# Below this count the list holds typing slips and names as well as rare words.
MIN_COUNT = 20


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    resource = files("spellchecker") / "resources" / "fr.json.gz"
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        counts: dict[str, int] = json.load(text)
    return frozenset(fold(w).lower() for w, n in counts.items() if n >= MIN_COUNT)


def is_french(word: str) -> bool:
    """``word`` (as typed, accents or not) is a word of the language."""
    return fold(word).lower() in _words()
