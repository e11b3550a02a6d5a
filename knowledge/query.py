"""Understanding a search question: content words, phrases, acronyms, indicator codes.

Both search backends build their query from this plan, so that natural questions work
the same everywhere: no query syntax (a question's "?" or ":" is not an operator), stop
words dropped, words OR-ed with a bonus for passages matching more of them and for
phrases, acronyms expanded both ways, indicator codes recognised in any spelling.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.analysis import is_stop, words
from knowledge.glossary import expand

MAX_QUERY_CHARS = 1000  # a pasted page is cut, not refused
MAX_TERMS = 40


@dataclass(frozen=True)
class QueryPlan:
    text: str
    terms: tuple[str, ...]  # content words, lower-cased (each backend analyses them)
    phrases: tuple[tuple[str, str], ...]  # adjacent content words of the question
    expansions: tuple[str, ...]  # from the glossary
    indicators: tuple[str, ...]  # canonical codes, e.g. ("F.VI",)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.expansions or self.indicators)


def plan(question: str) -> QueryPlan:
    from knowledge.indicators import find_in_text

    text = (question or "")[:MAX_QUERY_CHARS]
    all_words = words(text)
    content = [w for w in all_words if not is_stop(w)]
    phrases = []
    for first, second in zip(all_words, all_words[1:], strict=False):
        if not is_stop(first) and not is_stop(second):
            phrases.append((first, second))
    return QueryPlan(
        text=text,
        terms=tuple(dict.fromkeys(content))[:MAX_TERMS],
        phrases=tuple(dict.fromkeys(phrases))[:MAX_TERMS],
        expansions=tuple(expand(text)),
        indicators=tuple(find_in_text(text)),
    )
