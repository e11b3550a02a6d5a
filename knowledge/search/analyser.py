"""French text analysis for search, shared by both backends' query planning.

whoosh's StemmingAnalyzer is English only, so the chain is composed here: split
elisions (l', d', qu', jusqu'...) and hyphenated words (logements-foyers, est-ce), join
dotted acronyms (C.U.S. is CUS) and digit groups (4.000 is 4000), lower-case, drop French
stop words, fold accents *after* the stop filter (so that "à" and "a", "où" and "ou" are
told apart first), then stem with Snowball French (PyStemmer, the C implementation).
Snowball over-stems (indicateur and indiquer meet), so the unstemmed, accent-folded form
of each word is kept beside its stem and exact matches are worth more.

Acronyms are never stemmed (SLS is not the plural of "sl"), and one written in capitals
that the glossary knows stays a word even when its lower-case form is a stop word (the
PLUS loan, not "plus").

Every word's analysis is cached: a corpus has a few tens of thousands of distinct words,
and indexing or re-ranking then costs one dictionary look-up a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

from knowledge.search.glossary import GLOSSARY

# A word, optionally preceded by an elided article or pronoun (l', d', qu', jusqu'...)
# that is dropped; dotted or hyphenated forms (F.VI, L.445-1, logements-foyers) are
# matched whole, then split below when they are plain words.
TOKEN = re.compile(
    r"(?:\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’])?"
    r"((?<!\d)\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)|\w+(?:[.\-]\w+)*)",
    re.IGNORECASE | re.UNICODE,
)
# "est-ce", "peut-il", "a-t-on": the pronoun after the hyphen is a separate word (kept for
# the callers that know it; every letters-only hyphenated word is now split).
_PRONOUNS = "ce il ils elle elles on t je tu nous vous"
HYPHEN_PRONOUNS = frozenset(_PRONOUNS.split())
_DOTTED_ACRONYM = re.compile(r"^(?:[^\W\d_]\.){2,}[^\W\d_]$")  # C.U.S, H.L.M (not F.VI)
_DIGIT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")  # 4.000, 1.250.000
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")

# Snowball's list plus what it misses (les, ils, quel, cette, comment...), written out
# once, and the prepositions and modal verbs that frame questions (depuis, selon, doit):
# interrogatives and fillers of questions carry no meaning for retrieval.
_STOP_LIST = """
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
    depuis pendant selon ainsi déjà lorsque puisque quelque quelques tel telle tels telles
    doit doivent dois devons devez devra devront peux pouvez pouvons pourra pourront
    """
STOP_WORDS = frozenset(_STOP_LIST.split())

# Numbers written as words are the digits' words: "deux ans" finds "2 ans".
_NUMBER_LIST = """
    deux:2 trois:3 quatre:4 cinq:5 six:6 sept:7 huit:8 neuf:9 dix:10 onze:11 douze:12
    treize:13 quatorze:14 quinze:15 seize:16 vingt:20 trente:30 quarante:40 cinquante:50
    soixante:60 cent:100 mille:1000
    """
NUMBER_WORDS = dict(pair.split(":") for pair in _NUMBER_LIST.split())

# Glossary acronyms as they are indexed: lower-cased, never stemmed.
ACRONYMS = frozenset(acronym.lower() for acronym in GLOSSARY)


def _folding_table() -> dict[int, str]:
    """Accented lower-case letters of Latin-1 and Latin Extended-A → their base letters."""
    table = {ord("œ"): "oe", ord("æ"): "ae"}
    for code in range(0xC0, 0x180):
        char = chr(code).lower()
        if len(char) != 1:
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base != char and base.isascii():
            table[ord(char)] = base
    return table


_FOLDING = _folding_table()
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case and strip accents (é → e, œ → oe)."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.translate(_FOLDING)  # the common letters, in C
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def _normalise(word: str) -> str:
    """C.U.S → CUS, 4.000 → 4000; anything else unchanged."""
    if "." in word and (_DOTTED_ACRONYM.match(word) or _DIGIT_GROUPS.match(word)):
        return word.replace(".", "")
    return word


def _raw_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(word as written, start, end): elisions dropped, plain hyphenated words split,
    a number written in groups of digits ("41 000", "4.000") made one word."""
    for match in TOKEN.finditer(text):
        word = match.group(1)
        start, end = match.span(1)
        if "-" in word:
            if word.isupper() and word.replace("-", "") in GLOSSARY:
                yield word.replace("-", ""), start, end  # PLA-I is the PLAI loan
                continue
            if not any(c.isdigit() for c in word):
                offset = start
                for part in word.split("-"):
                    if part:
                        yield _normalise(part), offset, offset + len(part)
                    offset += len(part) + 1
                continue
        elif "." in word:
            word = _normalise(word)
        elif not word.isalnum():  # digits in groups
            word = "".join(word.split())
        yield word, start, end


def tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) for each word of ``text``, lower-cased, elisions removed."""
    for word, start, end in _raw_tokens(text):
        yield word.lower(), start, end


@lru_cache(maxsize=1 << 16)
def is_stop(word: str) -> bool:
    return word in STOP_WORDS or fold(word) in STOP_WORDS


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """Snowball French stem of a lower-cased word, then accent-folded; acronyms and
    words without a vowel (sls, ccl, f.vi's letters) are only folded."""
    lowered = word.lower()
    if lowered in ACRONYMS or not _VOWELS.intersection(lowered):
        return fold(lowered)
    return fold(_stemmer().stemWord(lowered))


# Derivational endings left by Snowball, taken off (once) to relate words of one family
# that Snowball keeps apart: obligation/obligatoire, signer/signataire, lisible/lisibilité.
_DERIVED = (
    ("atoir", ""),
    ("atair", ""),
    ("itair", ""),
    ("ateur", ""),
    ("atric", ""),
    ("ation", ""),
    ("bil", "b"),
    ("bl", "b"),
)


@lru_cache(maxsize=1 << 18)
def root(stem_: str) -> str:
    """A stem with its derivational ending taken off, when at least four letters remain:
    a coarser match than the stem, worth less."""
    for ending, replacement in _DERIVED:
        if stem_.endswith(ending) and len(stem_) - len(ending) + len(replacement) >= 4:
            return stem_[: -len(ending)] + replacement
    return stem_


@lru_cache(maxsize=1 << 18)
def analyse(word: str) -> tuple[str, str] | None:
    """(exact, stem) of a word as written, or None for a stop word.

    ``exact`` is the accent-folded lower-case form. A glossary acronym written in
    capitals is always a word ("PLUS" the loan), its lower-case form a stop word maybe.
    """
    lowered = word.lower()
    if word.isupper() and lowered in ACRONYMS:
        return lowered, lowered
    if is_stop(lowered):
        return None
    if lowered in NUMBER_WORDS:
        return NUMBER_WORDS[lowered], NUMBER_WORDS[lowered]
    return fold(lowered), stem(lowered)


def content_tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(exact, stem, start, end) of each content word of ``text``, in order."""
    for word, start, end in _raw_tokens(text):
        analysed = analyse(word)
        if analysed is not None:
            yield analysed[0], analysed[1], start, end


def content_words(text: str) -> list[str]:
    """Content words as written (case kept, for acronyms), in order: what the index
    stores to re-rank without running the tokenizer again."""
    return [word for word, _start, _end in _raw_tokens(text) if analyse(word) is not None]


def content_words_and_stems(text: str) -> tuple[list[str], list[str]]:
    """Content words as written and their stems, aligned."""
    words, stems = [], []
    for word, _start, _end in _raw_tokens(text):
        analysed = analyse(word)
        if analysed is not None:
            words.append(word)
            stems.append(analysed[1])
    return words, stems


def words(text: str) -> list[str]:
    """Lower-cased words, elisions split off, stop words kept (for phrases)."""
    return [word for word, _start, _end in tokens(text)]


def exact_terms(text: str) -> list[str]:
    """Content words, accent-folded, unstemmed."""
    return [exact for exact, _stem, _s, _e in content_tokens(text)]


def stemmed_terms(text: str) -> list[str]:
    """Content words, stemmed (Snowball French) and accent-folded."""
    return [stem_ for _exact, stem_, _s, _e in content_tokens(text)]
