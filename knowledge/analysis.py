"""French text analysis for search, shared by both backends' query planning.

whoosh's StemmingAnalyzer is English only, so the chain is composed here: split
elisions (l', d', qu', jusqu'...), lower-case, drop French stop words, fold accents
*after* the stop filter (so that "à" and "a", "où" and "ou" are told apart first), then
stem with Snowball French (PyStemmer, the C implementation). Snowball over-stems
(indicateur and indiquer meet), so an unstemmed, accent-folded field is indexed beside
the stemmed one and weighted higher.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# A word, optionally preceded by an elided article or pronoun (l', d', qu', jusqu'...)
# that is dropped; dotted or hyphenated forms (F.VI, L.445-1, Val-de-Loire) stay whole.
TOKEN = re.compile(
    r"(?:\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’])?(\w+(?:[.\-]\w+)*)",
    re.IGNORECASE | re.UNICODE,
)
# "est-ce", "peut-il", "a-t-on": the pronoun after the hyphen is a separate word.
HYPHEN_PRONOUNS = frozenset("ce il ils elle elles on t je tu nous vous".split())

# Snowball's list plus what it misses (les, ils, quel, cette, comment...), written out
# once: interrogatives and fillers of questions carry no meaning for retrieval.
STOP_WORDS = frozenset(
    """
    a à afin ai aie aient aies ait alors as au aucun aucune auquel aura aurai auraient
    aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles
    auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant ayez ayons
    c ça car ce ceci cela celle celles celui cependant certain certaine certains ces cet
    cette ceux chaque chez ci combien comme comment d dans de des desquelles desquels donc
    dont du duquel elle elles en encore entre es est et étaient étais était étant été êtes
    étiez étions être eu eue eues eûmes eurent eus eusse eussent eusses eussiez eussions
    eut eût eûtes eux fait faites faut furent fus fusse fussent fusses fussiez fussions fut
    fût fûtes ici il ils j je jusqu l la laquelle le lequel les lesquelles lesquels leur
    leurs lui m ma mais me même mêmes mes moi mon n ne ni nos notre nous on ont ou où par
    parce pas peu peut peuvent plus pour pourquoi puis qu quand que quel quelle quelles
    quels qui quoi s sa sans se sera serai seraient serais serait seras serez seriez
    serions serons seront ses si soi soient sois soit sommes son sont soyez soyons suis sur
    t ta te tes toi ton tous tout toute toutes très tu un une unes uns v vers voici voilà
    vos votre vous y
    """.split()
)


def fold(text: str) -> str:
    """Lower-case and strip accents (é → e, œ → oe)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def tokens(text: str):  # type: ignore[no-untyped-def]
    """(word, start, end) for each word of ``text``, lower-cased, elisions removed."""
    for match in TOKEN.finditer(text):
        word, start = match.group(1), match.start(1)
        if "-" in word:
            parts = word.split("-")
            if parts[-1].lower() in HYPHEN_PRONOUNS:
                offset = start
                for part in parts:
                    if part:
                        yield part.lower(), offset, offset + len(part)
                    offset += len(part) + 1
                continue
        yield word.lower(), start, match.end(1)


def is_stop(word: str) -> bool:
    return word in STOP_WORDS or fold(word) in STOP_WORDS


def stem(word: str) -> str:
    """Snowball French stem of a lower-cased word, then accent-folded."""
    return fold(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Lower-cased words, elisions split off, stop words kept (for phrases)."""
    return [word for word, _start, _end in tokens(text)]


def exact_terms(text: str) -> list[str]:
    """Content words, accent-folded, unstemmed."""
    return [fold(w) for w in words(text) if not is_stop(w)]


def stemmed_terms(text: str) -> list[str]:
    """Content words, stemmed (Snowball French) and accent-folded."""
    return [stem(w) for w in words(text) if not is_stop(w)]
