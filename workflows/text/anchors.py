"""Comment anchors: a quoted passage with a little context, found again in later texts."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.errors import InvalidInput

CONTEXT_CHARS = 40
QUOTE_MAX = 2000


@dataclass(frozen=True)
class Anchor:
    quote: str
    prefix: str
    suffix: str


def make_anchor(text: str, quote: str, occurrence: int = 0) -> Anchor:
    """Anchor ``quote`` (its ``occurrence``-th appearance) in ``text`` with the characters
    around it, so that the same passage can be told apart from a repeated one later."""
    quote = quote.strip()
    if not quote:
        raise InvalidInput("Le passage cité est vide.")
    if len(quote) > QUOTE_MAX:
        raise InvalidInput(f"Le passage cité dépasse {QUOTE_MAX} caractères.")
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(quote, start + 1)
        if start < 0:
            raise InvalidInput("Le passage cité ne figure pas dans cette révision de la section.")
    end = start + len(quote)
    return Anchor(
        quote, text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]
    )


def locate(text: str, anchor: Anchor) -> int | None:
    """Where the anchored passage now starts in ``text``, or None when it is gone.

    The passage with both contexts is the surest match; then with one context (the text
    around it was edited); then the quote alone when it appears exactly once. Anything
    less certain is reported as detached rather than guessed.
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
