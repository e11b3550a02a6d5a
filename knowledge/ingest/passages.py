"""Cut a document's blocks into passages of a few hundred words for search.

A passage never spans two headings: each heading starts a new one. It carries the stack of
headings above it, a locator ("p. 29" when the page is known, else the nearest heading)
and, inside a "FICHE DE DOCUMENTATION DE L'INDICATEUR X", the indicator's code.

A table block (a pipe table) keeps its lines and is never cut inside a row: a long one
is cut between rows, its header row repeated in each piece. A heading-like line (short,
without final punctuation) or a sentence ending in ":" that would close a passage opens
the next one instead, with the text it introduces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.ingest.cleaning import indicator_code
from knowledge.ingest.tables import split_table
from knowledge.types import Block, BlockKind, Passage

__all__ = ["split_passages", "split_sentences"]

# A fiche title can reach us as a paragraph (a Word document without heading styles).
_FICHE_LEVEL = 2
_FICHE_TITLE_MAX_WORDS = 15


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words after which a period does not end a sentence.
_ABBREVIATIONS = _word_set(
    "art al cf chap ex fig hab mme mmes mlle mm n no nº op p pp réf vol tél env min max "
    "sq suiv dir coord éd"
)
_SENTENCE_END_RE = re.compile(
    r"(?<=[.!?…])(?P<close>(?:\s*[»”\")\]])*)\s+(?=[«“\"(]?\s*[A-ZÀ-ÖØ-Þ0-9])"
)


@dataclass
class _Unit:
    text: str
    page: int | None
    words: int
    table: bool = False


_HEADING_MAX_WORDS = 12


def _introduces(unit: _Unit) -> bool:
    """Whether a paragraph heads what follows it: a heading-like line (short, no final
    punctuation, not a list item) or a sentence ending in ":"."""
    text = unit.text.rstrip()
    if unit.table or not text:
        return False
    if text.endswith(":"):
        return True
    if unit.words > _HEADING_MAX_WORDS or text[-1] in ".!?;,…)»":
        return False
    return text[0].isupper() and not re.match(r"^[-–—•·▪*]\s", text)


def _move_openers(chunks: list[list[_Unit]], max_words: int) -> None:
    """A chunk's last paragraphs that introduce the next chunk move to its start, when
    the next chunk stays within ``max_words``."""
    for index in range(len(chunks) - 1):
        chunk, following = chunks[index], chunks[index + 1]
        while (
            len(chunk) > 1
            and _introduces(chunk[-1])
            and sum(u.words for u in following) + chunk[-1].words <= max_words
        ):
            following.insert(0, chunk.pop())


def _count(text: str) -> int:
    return len(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, cut after . ! ? … followed by a capital letter, not after
    an abbreviation ("art.", "n.") nor an initial ("L. 445-1")."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        before = text[start : match.start()]
        last = re.search(r"([^\W\d_]+)\.$", before)  # a word right before the period
        if last and (len(last.group(1)) == 1 or last.group(1).lower() in _ABBREVIATIONS):
            continue
        sentences.append(text[start : match.start() + len(match.group("close"))].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def _split_words(text: str, max_words: int) -> list[str]:
    """Last resort for a "sentence" longer than max_words (a table flattened into text):
    cut after a semicolon or a comma when one is near, else between words."""
    words = text.split()
    pieces: list[str] = []
    while len(words) > max_words:
        cut = max_words
        for index in range(max_words, max(max_words // 2, 1), -1):
            if words[index - 1].endswith((";", ",", ":")):
                cut = index
                break
        pieces.append(" ".join(words[:cut]))
        words = words[cut:]
    if words:
        pieces.append(" ".join(words))
    return pieces


def _split_long_paragraph(text: str, target: int, max_words: int) -> list[str]:
    """Pieces of a paragraph longer than max_words, cut at sentence boundaries."""
    sentences: list[str] = []
    for sentence in split_sentences(text):
        if _count(sentence) > max_words:
            sentences.extend(_split_words(sentence, max_words))
        else:
            sentences.append(sentence)
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        words = _count(sentence)
        if current and (count + words > max_words or count >= target):
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += words
    if current:
        pieces.append(" ".join(current))
    return pieces


def _pack(units: list[_Unit], target: int, max_words: int) -> list[list[_Unit]]:
    """Group paragraphs into chunks of about `target` words, never more than `max_words`."""
    chunks: list[list[_Unit]] = []
    current: list[_Unit] = []
    count = 0
    for unit in units:
        if current and (
            count + unit.words > max_words
            or count >= target
            or (count + unit.words > target and count >= target // 2)
        ):
            chunks.append(current)
            current, count = [], 0
        current.append(unit)
        count += unit.words
    if current:
        chunks.append(current)
    # A short tail goes with the chunk before it when both fit.
    if len(chunks) >= 2:
        tail = sum(u.words for u in chunks[-1])
        before = sum(u.words for u in chunks[-2])
        if tail < target // 4 and tail + before <= max_words:
            chunks[-2].extend(chunks.pop())
    return chunks


def split_passages(
    blocks: Sequence[Block], target_words: int = 220, max_words: int = 400
) -> list[Passage]:
    """Passages of a document, in order, from its cleaned blocks."""
    if max_words < 1:
        raise ValueError("max_words must be positive")
    target = max(1, min(target_words, max_words))
    passages: list[Passage] = []
    stack: list[tuple[int, str]] = []
    fiche: tuple[str, int] | None = None  # (code, level of its heading)
    section: list[_Unit] = []

    def flush() -> None:
        if not section:
            return
        path = tuple(text for _, text in stack)
        units: list[_Unit] = []
        for unit in section:
            if unit.table:
                units.extend(
                    _Unit(piece, unit.page, _count(piece), table=True)
                    for piece in split_table(unit.text, max_words)
                )
            elif unit.words > max_words:
                units.extend(
                    _Unit(piece, unit.page, _count(piece))
                    for piece in _split_long_paragraph(unit.text, target, max_words)
                )
            else:
                units.append(unit)
        chunks = _pack(units, target, max_words)
        _move_openers(chunks, max_words)
        for chunk in chunks:
            page = next((u.page for u in chunk if u.page is not None), None)
            locator = f"p. {page}" if page is not None else (path[-1] if path else "")
            passages.append(
                Passage(
                    ordinal=len(passages),
                    text="\n\n".join(u.text for u in chunk),
                    heading_path=path,
                    locator=locator,
                    indicator=fiche[0] if fiche else None,
                )
            )
        section.clear()

    for block in blocks:
        if block.kind == BlockKind.TABLE and block.level == 0:
            table = block.text.strip()
            if table:
                section.append(_Unit(table, block.page, _count(table), table=True))
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        level = block.level
        code = indicator_code(text)
        if level == 0 and code and _count(text) <= _FICHE_TITLE_MAX_WORDS:
            level = _FICHE_LEVEL
        if level > 0:
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            if code:
                fiche = (code, level)
            elif fiche is not None and level <= fiche[1]:
                fiche = None
            continue
        section.append(_Unit(text, block.page, _count(text)))
    flush()
    return passages
