"""Word-level differences between two Markdown texts.

Section revisions are shown to users as "tracked changes": inserted words
underlined in green, deleted words struck through in red. This module only
computes the differences; rendering is left to the templates.

Design notes
------------
A word diff over a whole document is quadratic in the number of tokens
(``difflib.SequenceMatcher`` is O(n*m) in the worst case), which is far too
slow for a 20-page convention. Edits are however almost always local, so we
diff in two stages:

1. align *paragraphs* (cheap: ~200 hashable strings per document);
2. run the word diff only inside the paragraphs that actually changed,
   after trimming their common prefix and suffix (and, for very long
   paragraphs such as tables, after aligning their lines or sentences).

The module is pure Python (stdlib ``difflib`` and ``re`` only) so that it can
be used from the web app, from CLI scripts and from tests without an
application context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = [
    "DiffStats",
    "ParagraphDiff",
    "Span",
    "diff_paragraph",
    "diff_stats",
    "split_paragraphs",
    "tokenize",
    "word_diff",
]

# Minimum similarity (SequenceMatcher ratio over word tokens) for an old and
# a new paragraph to be shown as one "changed" paragraph rather than as a
# deletion followed by an insertion. Below this, a word-level diff would be
# mostly red and green noise and is harder to read than two whole blocks.
PAIRING_THRESHOLD = 0.4

# Upper bound on the number of (old, new) candidate pairs examined when
# pairing paragraphs inside a "replace" block. Beyond this we pair by
# position, so that pathological inputs (e.g. a section rewritten from
# scratch) stay linear instead of computing hundreds of thousands of ratios.
MAX_PAIRING_CELLS = 400

# Above this many (old tokens x new tokens) left after trimming the common
# prefix and suffix, a paragraph is first aligned chunk by chunk (lines, or
# sentences within a line) before diffing words. Word diffs of huge blocks,
# such as a Markdown table of rents kept in one paragraph, are otherwise
# quadratic, all the more so because the very frequent whitespace and "|"
# tokens make difflib's longest-match search expensive.
CHUNK_LEVEL_CELLS = 40_000

# A word (letters, digits, underscore, including accented letters since
# Python's ``\w`` is Unicode-aware), optionally glued by apostrophes so that
# "aujourd'hui" or "l'office" move as a single unit; then runs of whitespace;
# then any other single character (punctuation, Markdown markers). The three
# alternatives together match every character, which guarantees that
# ``"".join(tokenize(t)) == t``.
# Combining accents (U+0300-U+036F) are not ``\w``; allowing them inside a
# word keeps decomposed (NFD) text such as "re\u0301habilitation" whole.
_WORD = r"\w[\w\u0300-\u036f]*"
_TOKEN_RE = re.compile(rf"{_WORD}(?:['\u2019]{_WORD})*|\s+|[^\w\s]")
# The same tokens minus whitespace, for paragraph similarity (see below).
_NON_SPACE_TOKEN_RE = re.compile(rf"{_WORD}(?:['\u2019]{_WORD})*|[^\w\s]")

# Chunks used to pre-align long paragraphs: a line (with its newline), or a
# sentence ending with ".", "!", "?" or ";" followed by blanks. The second
# alternative takes a trailing remainder with no terminator, so chunks cover
# the text without gaps and joining them gives the text back.
_CHUNK_RE = re.compile(r"[^\n]*?(?:\n|[.!?;][ \t]+)|[^\n]+")


SpanOp = Literal["equal", "insert", "delete"]
# A piece of a change group before it becomes spans: "space" is an equal whitespace run
# between two changes (see _flush_group).
_GroupOp = Literal["delete", "insert", "space"]


@dataclass(frozen=True)
class Span:
    """A run of text with a single diff operation."""

    op: SpanOp
    text: str


@dataclass(frozen=True)
class ParagraphDiff:
    """The difference for one paragraph of the aligned documents.

    ``spans`` holds one span of the same op for "equal", "insert" and
    "delete" paragraphs, and word-level spans for "change" paragraphs.
    ``old_index``/``new_index`` point into ``split_paragraphs(old)`` and
    ``split_paragraphs(new)`` respectively (None when the paragraph does not
    exist on that side).
    """

    op: Literal["equal", "insert", "delete", "change"]
    spans: tuple[Span, ...]
    old_index: int | None
    new_index: int | None


@dataclass(frozen=True)
class DiffStats:
    """Summary counts of a diff, e.g. for a revision history list."""

    inserted_words: int
    deleted_words: int
    changed_paragraphs: int


def split_paragraphs(text: str) -> list[str]:
    """Split Markdown text into paragraphs.

    Line endings are normalised to ``\\n``. Paragraphs are blocks separated by
    one or more blank lines (a line holding only whitespace counts as
    blank). Each block keeps its inner newlines (lists, tables and hard line
    breaks stay in one block) and its trailing whitespace is stripped.
    Empty or whitespace-only text gives ``[]``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current).rstrip())
            current = []
    if current:
        paragraphs.append("\n".join(current).rstrip())
    return paragraphs


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single punctuation chars.

    The split is lossless: ``"".join(tokenize(text)) == text`` for any text,
    which is what lets the diff spans rebuild both versions exactly.
    """
    return _TOKEN_RE.findall(text)


def common_prefix_suffix(a: Sequence[str], b: Sequence[str]) -> tuple[int, int]:
    """The length of the common prefix of ``a`` and ``b``, and of their common suffix
    in what is left after it (so that the two never overlap, even when one sequence
    is the other with items added)."""
    limit = min(len(a), len(b))
    prefix = 0
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def _is_word(token: str) -> bool:
    # Tokens are homogeneous, so checking the first character is enough.
    return token[0].isalnum() or token[0] == "_"


def is_space(token: str) -> bool:
    """Whether a token of ``tokenize`` is white space (tokens are never empty)."""
    return token[0].isspace()


def _append(spans: list[Span], op: SpanOp, text: str) -> None:
    """Append a span, merging it with the previous one when ops match."""
    if not text:
        return
    if spans and spans[-1].op == op:
        spans[-1] = Span(op, spans[-1].text + text)
    else:
        spans.append(Span(op, text))


def _flush_group(spans: list[Span], group: list[tuple[_GroupOp, str]]) -> None:
    """Emit a run of changes separated only by whitespace.

    ``group`` is a list of ``(op, text)`` where op is "delete", "insert" or
    "space" (an equal whitespace run between two changes). When the group
    both deletes and inserts words, the separating spaces are folded into
    the changes, so that "a b c" -> "x y z" reads as one struck phrase
    followed by one underlined phrase rather than an alternation of tiny
    red/green fragments. Folding puts each space in both the deletion and
    the insertion, which keeps old and new texts recoverable in order.
    When the group is one-sided (pure insertion or pure deletion), folding
    would invent a deleted (or inserted) space, so the spaces stay equal.
    """
    ops = {op for op, _ in group}
    if "delete" in ops and "insert" in ops:
        deleted = "".join(text for op, text in group if op != "insert")
        inserted = "".join(text for op, text in group if op != "delete")
        _append(spans, "delete", deleted)
        _append(spans, "insert", inserted)
    else:
        for op, text in group:
            _append(spans, "equal" if op == "space" else op, text)
    group.clear()


def _diff_tokens(a: list[str], b: list[str], spans: list[Span]) -> None:
    """Append the word-level spans turning tokens ``a`` into tokens ``b``."""
    # autojunk=False: the "popular element" heuristic would treat frequent
    # tokens (spaces, "de", "la") as junk and produce bizarre alignments on
    # long paragraphs.
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    group: list[tuple[_GroupOp, str]] = []
    opcodes = matcher.get_opcodes()
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(a[i1:i2])
            # get_opcodes never yields two "equal" in a row, so a non-empty
            # group means the previous opcode was a change, and any next
            # opcode is a change too.
            between_changes = bool(group) and k + 1 < len(opcodes)
            if between_changes and all(is_space(t) for t in a[i1:i2]):
                # Only whitespace separates two changes: keep the group open.
                group.append(("space", text))
                continue
            _flush_group(spans, group)
            _append(spans, "equal", text)
            continue
        if tag in ("delete", "replace"):
            group.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            group.append(("insert", "".join(b[j1:j2])))
    # A group never ends with a "space" entry: a trailing equal opcode is not
    # between changes.
    _flush_group(spans, group)


def _diff_chunks(a: list[str], b: list[str], spans: list[Span]) -> None:
    """Diff long token lists by aligning lines/sentences first.

    Same two-level idea as ``word_diff`` itself: unchanged chunks are
    matched cheaply as whole strings, and the word diff only runs on the
    replaced chunks.
    """
    old_chunks = _CHUNK_RE.findall("".join(a))
    new_chunks = _CHUNK_RE.findall("".join(b))
    matcher = SequenceMatcher(None, old_chunks, new_chunks, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(spans, "equal", "".join(old_chunks[i1:i2]))
        elif tag == "replace" and i2 - i1 == j2 - j1:
            # Typically several rows of a table edited in place: diffing row
            # by row keeps each word diff small.
            for old_chunk, new_chunk in zip(old_chunks[i1:i2], new_chunks[j1:j2], strict=True):
                _diff_tokens(tokenize(old_chunk), tokenize(new_chunk), spans)
        else:
            old_text = "".join(old_chunks[i1:i2])
            new_text = "".join(new_chunks[j1:j2])
            _diff_tokens(tokenize(old_text), tokenize(new_text), spans)


def diff_paragraph(old: str, new: str) -> tuple[Span, ...]:
    """Word-level diff of two paragraphs.

    Returns spans such that joining the "equal" and "delete" spans gives
    ``old`` and joining the "equal" and "insert" spans gives ``new``.
    Adjacent spans never share an op, and a replaced run is reported as a
    deletion followed by an insertion.
    """
    a = tokenize(old)
    b = tokenize(new)
    # Most revisions touch a few words of a paragraph: trimming the common
    # prefix and suffix first makes the quadratic matcher work on a handful
    # of tokens instead of the whole paragraph.
    prefix, suffix = common_prefix_suffix(a, b)
    a_mid = a[prefix : len(a) - suffix]
    b_mid = b[prefix : len(b) - suffix]

    spans: list[Span] = []
    _append(spans, "equal", "".join(a[:prefix]))
    if len(a_mid) * len(b_mid) > CHUNK_LEVEL_CELLS:
        _diff_chunks(a_mid, b_mid, spans)
    elif a_mid or b_mid:
        _diff_tokens(a_mid, b_mid, spans)
    _append(spans, "equal", "".join(a[len(a) - suffix :]))
    return tuple(spans)


def _similarity_tokens(paragraph: str) -> list[str]:
    # Whitespace tokens are dropped for similarity: they make up about half
    # of all tokens and would make any two paragraphs look ~50 % similar.
    return _NON_SPACE_TOKEN_RE.findall(paragraph)


def _pair_paragraphs(old_block: list[str], new_block: list[str]) -> list[tuple[int, int]]:
    """Pair similar paragraphs of a replaced block, preserving order.

    Returns increasing ``(i, j)`` index pairs into the two blocks. Among
    in-order pairings whose pairs all reach ``PAIRING_THRESHOLD``, picks the
    one with the largest total similarity (an LCS-like dynamic program,
    which is cheap because the block is capped at ``MAX_PAIRING_CELLS``).
    """
    m, n = len(old_block), len(new_block)
    old_tokens = [_similarity_tokens(p) for p in old_block]
    new_tokens = [_similarity_tokens(p) for p in new_block]
    matcher = SequenceMatcher(None, autojunk=False)

    def similarity() -> float:
        # Similarity of the matcher's current pair of sequences, or 0.0 when
        # below the threshold. real_quick_ratio and quick_ratio are cheap
        # upper bounds of ratio, so most dissimilar pairs never pay for the
        # full ratio computation.
        if (
            matcher.real_quick_ratio() < PAIRING_THRESHOLD
            or matcher.quick_ratio() < PAIRING_THRESHOLD
        ):
            return 0.0
        ratio = matcher.ratio()
        return ratio if ratio >= PAIRING_THRESHOLD else 0.0

    if m * n > MAX_PAIRING_CELLS:
        # Too many candidates: pair by position, still refusing pairs that
        # are not similar (they become a deletion plus an insertion).
        by_position: list[tuple[int, int]] = []
        for k in range(min(m, n)):
            matcher.set_seqs(old_tokens[k], new_tokens[k])
            if similarity() > 0.0:
                by_position.append((k, k))
        return by_position

    # SequenceMatcher caches an index of its second sequence, so keep each
    # new paragraph as seq2 while looping over the old ones.
    sim = [[0.0] * n for _ in range(m)]
    for j in range(n):
        matcher.set_seq2(new_tokens[j])
        for i in range(m):
            matcher.set_seq1(old_tokens[i])
            sim[i][j] = similarity()

    # best[i][j]: best total similarity pairing old_block[:i] with new_block[:j].
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        row, prev = best[i], best[i - 1]
        for j in range(1, n + 1):
            score = max(prev[j], row[j - 1])
            s = sim[i - 1][j - 1]
            if s > 0.0 and prev[j - 1] + s > score:
                score = prev[j - 1] + s
            row[j] = score

    pairs: list[tuple[int, int]] = []
    i, j = m, n
    while i > 0 and j > 0:
        s = sim[i - 1][j - 1]
        if s > 0.0 and best[i][j] == best[i - 1][j - 1] + s:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    pairs.reverse()
    return pairs


def word_diff(old: str, new: str) -> list[ParagraphDiff]:
    """Tracked-changes diff of two Markdown texts, paragraph by paragraph.

    Paragraphs are first aligned as whole strings; unchanged ones become
    "equal". Inside replaced regions, similar old/new paragraphs are paired
    in order and diffed word by word ("change"); the others become whole
    "delete" or "insert" paragraphs, deletions listed before insertions at
    the same place. Old (resp. new) indices appear in increasing order and
    cover every old (resp. new) paragraph exactly once.
    """
    old_pars = split_paragraphs(old)
    new_pars = split_paragraphs(new)
    result: list[ParagraphDiff] = []

    def deleted(i: int) -> None:
        result.append(ParagraphDiff("delete", (Span("delete", old_pars[i]),), i, None))

    def inserted(j: int) -> None:
        result.append(ParagraphDiff("insert", (Span("insert", new_pars[j]),), None, j))

    matcher = SequenceMatcher(None, old_pars, new_pars, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                result.append(ParagraphDiff("equal", (Span("equal", old_pars[i]),), i, j))
        elif tag == "delete":
            for i in range(i1, i2):
                deleted(i)
        elif tag == "insert":
            for j in range(j1, j2):
                inserted(j)
        else:
            next_i, next_j = i1, j1
            for pi, pj in _pair_paragraphs(old_pars[i1:i2], new_pars[j1:j2]):
                i, j = i1 + pi, j1 + pj
                for k in range(next_i, i):
                    deleted(k)
                for k in range(next_j, j):
                    inserted(k)
                spans: tuple[Span, ...]
                if old_pars[i] == new_pars[j]:
                    # Possible when a block of paragraphs was reordered.
                    spans = (Span("equal", old_pars[i]),)
                    result.append(ParagraphDiff("equal", spans, i, j))
                else:
                    spans = diff_paragraph(old_pars[i], new_pars[j])
                    result.append(ParagraphDiff("change", spans, i, j))
                next_i, next_j = i + 1, j + 1
            for k in range(next_i, i2):
                deleted(k)
            for k in range(next_j, j2):
                inserted(k)
    return result


def _count_words(text: str) -> int:
    return sum(1 for t in tokenize(text) if _is_word(t))


def diff_stats(diffs: list[ParagraphDiff]) -> DiffStats:
    """Count inserted and deleted words and non-equal paragraphs."""
    inserted = deleted = changed = 0
    for paragraph in diffs:
        if paragraph.op == "equal":
            continue
        changed += 1
        for span in paragraph.spans:
            if span.op == "insert":
                inserted += _count_words(span.text)
            elif span.op == "delete":
                deleted += _count_words(span.text)
    return DiffStats(inserted_words=inserted, deleted_words=deleted, changed_paragraphs=changed)
