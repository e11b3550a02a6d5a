"""Comment anchors: a quoted passage with a little context, found again in later texts.

A passage is quoted as the reader sees it: selected in the rendered section, or typed by
hand from it, it holds no Markdown markers. It is looked for in the section's Markdown
first (a quote typed from the source, and every anchor written before selections
existed), then in its text as read (``reading_text``: the words of its blocks without
the markers), so that "le taux de **vacance**" is quoted as "le taux de vacance".
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.errors import InvalidInput
from workflows.text.blocks import block_text, parse_markdown

CONTEXT_CHARS = 40
QUOTE_MAX = 2000


@dataclass(frozen=True)
class Anchor:
    quote: str
    prefix: str
    suffix: str


def reading_text(markdown: str) -> str:
    """The text of a Markdown body as a reader sees it: its blocks' words, one block a
    paragraph, without headings' hashes, list markers or emphasis."""
    return "\n\n".join(block_text(block) for block in parse_markdown(markdown))


def make_anchor(
    text: str, quote: str, occurrence: int = 0, before: str = "", after: str = ""
) -> Anchor:
    """Anchor ``quote`` in the Markdown ``text`` with the characters around it, so that
    the same passage can be told apart from a repeated one later.

    The quote is looked for in the Markdown, then in the text as read. Which appearance
    is meant: the ``occurrence``-th, unless ``before`` and ``after`` (the words around a
    selection, as the page showed them) tell it better."""
    quote = quote.strip()
    if not quote:
        raise InvalidInput("Le passage cité est vide.")
    if len(quote) > QUOTE_MAX:
        raise InvalidInput(f"Le passage cité dépasse {QUOTE_MAX} caractères.")
    hinted = bool(before.strip() or after.strip())
    for haystack, needle in _haystacks(text, quote, selected=hinted):
        starts = _occurrences(haystack, needle)
        if not starts:
            continue
        if hinted:
            start = max(starts, key=lambda at: _context_fit(haystack, at, needle, before, after))
        elif occurrence < len(starts):
            start = starts[occurrence]
        else:
            break
        end = start + len(needle)
        return Anchor(
            needle,
            haystack[max(0, start - CONTEXT_CHARS) : start],
            haystack[end : end + CONTEXT_CHARS],
        )
    raise InvalidInput("Le passage cité ne figure pas dans cette révision de la section.")


def _haystacks(text: str, quote: str, selected: bool) -> list[tuple[str, str]]:
    """Where to look for a quote, surest first: a quote typed by hand, in the Markdown as
    written; a selection (it comes with its context), in the text as read, where every
    appearance the reader saw is; then with white space folded (across paragraphs)."""
    read = reading_text(text)
    folded = (" ".join(read.split()), " ".join(quote.split()))
    if selected:
        return [(read, quote), folded, (text, quote)]
    return [(text, quote), (read, quote), folded]


MAX_OCCURRENCES = 1000  # a quote of one common word in a long section: enough to choose


def _occurrences(haystack: str, quote: str) -> list[int]:
    found: list[int] = []
    start = haystack.find(quote)
    while start >= 0 and len(found) < MAX_OCCURRENCES:
        found.append(start)
        start = haystack.find(quote, start + 1)
    return found


def _context_fit(haystack: str, start: int, quote: str, before: str, after: str) -> int:
    """How many characters of the selection's context match around this appearance
    (white space folded, as a page and a text lay it out differently)."""

    def folded(value: str) -> str:
        return " ".join(value.split())

    left = folded(haystack[max(0, start - 4 * CONTEXT_CHARS) : start])
    right = folded(haystack[start + len(quote) : start + len(quote) + 4 * CONTEXT_CHARS])
    wanted_left, wanted_right = folded(before), folded(after)
    score = 0
    while score < min(len(left), len(wanted_left)) and left[-1 - score] == wanted_left[-1 - score]:
        score += 1
    matched = 0
    while matched < min(len(right), len(wanted_right)) and right[matched] == wanted_right[matched]:
        matched += 1
    return score + matched


def locate(text: str, anchor: Anchor) -> int | None:
    """Where the anchored passage now starts in ``text`` (the Markdown, else the text as
    read), or None when it is gone: the position is in the first of those it is found in."""
    read = reading_text(text)
    for haystack in (text, read, " ".join(read.split())):
        found = _locate(haystack, anchor)
        if found is not None:
            return found
    return None


def _locate(text: str, anchor: Anchor) -> int | None:
    """The passage with both contexts is the surest match; then with one context (the
    text around it was edited); then the quote alone when it appears exactly once.
    Anything less certain is reported as detached rather than guessed.
    """
    if not anchor.quote:
        return None
    for before, after in (
        (anchor.prefix, anchor.suffix),
        (anchor.prefix, ""),
        ("", anchor.suffix),
    ):
        if not before and not after:
            continue
        found = text.find(before + anchor.quote + after)
        if found >= 0:
            return found + len(before)
    first = text.find(anchor.quote)
    if first >= 0 and text.find(anchor.quote, first + 1) < 0:
        return first
    return None
