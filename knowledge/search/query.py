"""Understanding a search question: content words, phrases, acronyms, indicator codes.

Both search backends build their query from this plan, so that natural questions work
the same everywhere: no query syntax (a question's "?" or ":" is not an operator), stop
words dropped, words OR-ed with a bonus for passages matching more of them and for
phrases, acronyms expanded both ways, indicator codes recognised in any spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.indicators.codes import find_by_keywords, find_in_text, normalise_code
from knowledge.search.acronyms import acronym_spans, expand
from knowledge.search.analyser import _raw_tokens, analyse, fold
from knowledge.search.glossary import COMMON_WORDS, GLOSSARY

MAX_QUERY_CHARS = 1000  # a pasted page is cut, not refused
MAX_TERMS = 40

# Pieces of an indicator code once the code is recognised: "F" and "6" of "indicateur F 6",
# "fvi", "g3", "c.iv". They are replaced by the canonical code.
_CODE = re.compile(r"^[a-i][.\-_]?(?:iii|ii|iv|vi|v|i|[1-6])$", re.IGNORECASE)
_LETTER = re.compile(r"^[a-i]$", re.IGNORECASE)
_NUMERAL = re.compile(r"^(?:iii|ii|iv|vi|v|i|[1-6])$", re.IGNORECASE)


def _code_pieces(raw: list[str]) -> set[int]:
    """Indexes of the words that spell an indicator code: "fvi", "g3", "c.iv", or a letter
    followed by a numeral ("F 6", "G III"). Only called once a code was recognised."""
    pieces: set[int] = set()
    for index, word in enumerate(raw):
        if _CODE.match(word):
            pieces.add(index)
        elif _LETTER.match(word) and index + 1 < len(raw) and _NUMERAL.match(raw[index + 1]):
            pieces.update((index, index + 1))
    return pieces


@dataclass(frozen=True)
class QueryPlan:
    text: str
    # Content words, lower-cased (each backend analyses them); a glossary acronym written
    # in capitals keeps them ("PLUS" the loan, whose lower-case form is a stop word), and
    # a recognised indicator code appears once, canonical and lower-cased ("f.vi").
    terms: tuple[str, ...]
    phrases: tuple[tuple[str, str], ...]  # adjacent content words of the question
    expansions: tuple[str, ...]  # from the glossary
    indicators: tuple[str, ...]  # canonical codes, e.g. ("F.VI",)
    # Consecutive content words with only stop words between ("taux de vacance" gives
    # ("taux", "vacance")): what an index that drops stop words sees as adjacent.
    near: tuple[tuple[str, str], ...] = ()
    # Acronyms the question names or spells out, upper-case ("PLH").
    acronyms: tuple[str, ...] = ()
    # Spelled-out acronyms with the question's words that spell them:
    # (("PLH", ("programme", "local", "habitat")),).
    spelled: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Indicators whose keywords the question uses ("taux de vacance" → F.VI), best first,
    # without those named by their code: a hint, weaker than a code.
    keyword_indicators: tuple[str, ...] = ()
    # What a definition question asks to define ("Qu'est-ce que la vacance technique ?"
    # gives ("vacance", "technique")): passages that define it are what it wants.
    defined: tuple[str, ...] = ()
    # The kind of answer the question's first words ask for: "date" (Quand, Depuis quand,
    # Avant quelle date...), "percent" (Quel pourcentage, Quelle part...), else "".
    expects: str = ""

    @property
    def empty(self) -> bool:
        return not (self.terms or self.expansions or self.indicators)


def plan(question: str) -> QueryPlan:
    text = (question or "")[:MAX_QUERY_CHARS]
    indicators = tuple(find_in_text(text))
    if not indicators:
        whole = normalise_code(text)  # "f6", "fvi": a question that is nothing but a code
        indicators = (whole,) if whole else ()
    raw = [word for word, _start, _end in _raw_tokens(text)]
    pieces = _code_pieces(raw) if indicators else set()
    # (word, content?) in order: lower-cased, except an acronym whose lower-case form is
    # a stop word; the code's pieces give way to the canonical code, where it was written.
    sequence: list[tuple[str, bool]] = []
    code_added = False
    for index, word in enumerate(raw):
        if index in pieces:
            if not code_added:
                sequence.extend((code.lower(), True) for code in indicators)
                code_added = True
            continue
        analysed = analyse(word)
        if analysed is None:
            sequence.append((word.lower(), False))
        elif word.isupper() and analyse(word.lower()) is None:
            sequence.append((word, True))  # "PLUS", the loan
        else:
            sequence.append((word.lower(), True))
    if indicators and not code_added:
        sequence.extend((code.lower(), True) for code in indicators)

    content = [word for word, is_content in sequence if is_content]
    phrases = [
        (first[0], second[0])
        for first, second in zip(sequence, sequence[1:], strict=False)
        if first[1] and second[1]
    ]
    near = list(zip(content, content[1:], strict=False))
    spelled: dict[str, tuple[str, ...]] = {}
    # analyse() keeps every content word (each passed it above, and a code's dot is in no
    # stop word), so none is left out and the stems stay aligned with ``content``.
    stems = [analysed[1] for analysed in map(analyse, content) if analysed is not None]
    for start, end, acronym in acronym_spans(stems):
        spelled.setdefault(acronym.upper(), tuple(content[start:end]))
    acronyms = [word.upper() for word in content if word.upper() in GLOSSARY and _named(word)]
    acronyms.extend(spelled)
    keyword_codes = [code for code in find_by_keywords(text) if code not in indicators]
    defined = _defined(text)
    return QueryPlan(
        text=text,
        terms=tuple(dict.fromkeys(content))[:MAX_TERMS],
        phrases=tuple(dict.fromkeys(phrases))[:MAX_TERMS],
        expansions=tuple(expand(text)),
        indicators=indicators,
        near=tuple(dict.fromkeys(near))[:MAX_TERMS],
        acronyms=tuple(dict.fromkeys(acronyms)),
        spelled=tuple(spelled.items()),
        keyword_indicators=tuple(keyword_codes),
        defined=defined,
        expects=_expects(text),
    )


# "Qu'est-ce que X ?", "Que signifie X ?", "Qu'entend-on par X ?", "Définition de X",
# "En quoi consiste X ?", "X, c'est quoi ?", and the questions that ask what X is or
# who they are: "Qui sont les X ?", "Quelle est la X ?" (on folded text: no accents,
# ' for ’).
_DEFINITION = re.compile(
    r"^\s*(?:qu'est[- ]ce (?:que |qu')|que (?:signifient|signifie|designent|designe|"
    r"veulent dire|veut dire|recouvrent|recouvre) |qu'entend[- ]on par |"
    r"que faut[- ]il entendre par |c'est quoi |quelle est la definition (?:de |du |des |d')|"
    r"definition (?:de |du |des |d')|definir |en quoi consistent |en quoi consiste |"
    r"(?:qui|que|quels|quelles) sont (?:les |des )|(?:qui|quel|quelle) est (?:le |la |l')|"
    r"qu'appelle[- ]t[- ]on )"
    r"(?P<term>.+?)\s*[?.!]*\s*$"
    r"|^\s*(?P<before>.+?)\s*,?\s*(?:c'est quoi|qu'est[- ]ce que c'est)\s*[?.!]*\s*$"
)


def _defined(text: str) -> tuple[str, ...]:
    """Content words of what a definition question asks to define, else ()."""
    match = _DEFINITION.match(fold(text).replace("’", "'"))
    if not match:
        return ()
    term = match.group("term") or match.group("before") or ""
    words = [word for word, _s, _e in _raw_tokens(term) if analyse(word) is not None]
    return tuple(word.lower() for word in words)[:6]


def _named(word: str) -> bool:
    """An acronym written as such: in capitals, or lower-case when that is no French word."""
    return word.isupper() or word.lower() not in COMMON_WORDS


_EXPECTS = (
    (
        "date",
        re.compile(
            r"^\s*(?:quand|depuis quand|jusqu'a quand|a partir de quand|avant quand|"
            r"(?:en|depuis|a partir de|avant|jusqu'a) quelle (?:annee|date)|"
            r"a quelle date|quelle est la date|quelle date|de quand)\b"
        ),
    ),
    (
        "percent",
        re.compile(
            r"^\s*(?:quel(?:le)? (?:est le |est la )?(?:pourcentage|part|proportion|taux)|"
            r"combien de pour ?cent|dans quelle proportion)\b"
        ),
    ),
)


def _expects(text: str) -> str:
    folded = fold(text).replace("’", "'")
    for kind, pattern in _EXPECTS:
        if pattern.match(folded):
            return kind
    return ""
