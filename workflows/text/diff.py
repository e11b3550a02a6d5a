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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = [
    "DiffStats",
    "ParagraphDiff",
    "Region",
    "Span",
    "change_regions",
    "diff_paragraph",
    "diff_stats",
    "entries",
    "pair_similar",
    "settle_edges",
    "split_paragraphs",
    "summary",
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

# Figures come before words, as one token each, so that a change of figure reads as
# the whole figure replaced ("1 050" -> "1 080", never "050" -> "080"): French numbers
# whose groups of three digits are separated by a space, a no-break space (U+00A0) or a
# narrow no-break space (U+202F), decimals ("2,1"), percentages and amounts ("15 %",
# "12,50 €", "3 M€"), dates ("12/03/2026", "2026-03-12", "1er janvier 2027"). A figure
# glued to letters ("2024abc") is not one: it stays part of the word.
_GAP = "[ \u00a0\u202f]"
_INTEGER = rf"\d{{1,3}}(?:{_GAP}\d{{3}})+(?!\d)|\d+"
_UNIT = rf"{_GAP}?(?:%|€|(?:k|M|Mds?){_GAP}?€)"
_MONTH = (
    "(?i:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre"
    "|novembre|d[ée]cembre)"
)
_DATE = (
    rf"\d{{1,2}}/\d{{1,2}}/\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:1er|\d{{1,2}}){_GAP}{_MONTH}(?:{_GAP}\d{{4}})?"
)
_FIGURE = rf"(?:{_DATE}|(?:{_INTEGER})(?:,\d+)?(?:{_UNIT})?)(?![\w\u0300-\u036f])"
_TOKEN_RE = re.compile(rf"{_FIGURE}|{_WORD}(?:['\u2019]{_WORD})*|\s+|[^\w\s]")
# The same tokens minus whitespace, for paragraph similarity (see below).
_NON_SPACE_TOKEN_RE = re.compile(rf"{_FIGURE}|{_WORD}(?:['\u2019]{_WORD})*|[^\w\s]")

# Where a change may begin or end. A pure insertion or deletion can often be placed at
# several equivalent points (inserting "C. " or " C." into "A. B."); the one shown is
# the one whose edges are not stray: it should not begin with a space or with
# punctuation that closes what precedes it, nor end with a space (a line break is
# fine: a whole line was added) or with a mark that opens what follows.
_CLOSING = frozenset(".,;:!?)]}»…")
_OPENING = frozenset("([{«-#")

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
    """Summary counts of a diff, e.g. for a revision history list.

    ``changed_paragraphs`` counts every paragraph that is not equal (a whole list or
    table is one paragraph); the other counts say what changed in them: paragraphs
    (headings included) added, removed or reworded, list items and table rows added,
    removed or reworded.
    """

    inserted_words: int
    deleted_words: int
    changed_paragraphs: int
    inserted_paragraphs: int = 0
    deleted_paragraphs: int = 0
    modified_paragraphs: int = 0
    inserted_items: int = 0
    deleted_items: int = 0
    modified_items: int = 0
    inserted_rows: int = 0
    deleted_rows: int = 0
    modified_rows: int = 0


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


# A change region (i1, i2, j1, j2): tokens a[i1:i2] are replaced by b[j1:j2]. Regions
# are sorted; between two regions lies a run of equal tokens, of the same length in a
# and b.
Region = tuple[int, int, int, int]

_SENTENCE_END = frozenset(".!?;")


def _chunks(tokens: Sequence[str]) -> list[tuple[str, ...]]:
    """Cut tokens into lines, and lines into sentences (a sentence ends with ".", "!",
    "?" or ";" followed by blanks), between tokens so that chunk boundaries map back to
    token indices exactly."""
    chunks: list[tuple[str, ...]] = []
    start = 0
    for k, token in enumerate(tokens):
        if is_space(token) and ("\n" in token or (k > 0 and tokens[k - 1] in _SENTENCE_END)):
            chunks.append(tuple(tokens[start : k + 1]))
            start = k + 1
    if start < len(tokens):
        chunks.append(tuple(tokens[start:]))
    return chunks


def _matcher_regions(
    a: Sequence[str], b: Sequence[str], i0: int, j0: int, out: list[Region]
) -> None:
    # autojunk=False: the "popular element" heuristic would treat frequent tokens
    # (spaces, "de", "la") as junk and produce bizarre alignments on long paragraphs.
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append((i0 + i1, i0 + i2, j0 + j1, j0 + j2))


def _offsets(chunks: list[tuple[str, ...]]) -> list[int]:
    offsets = [0]
    for chunk in chunks:
        offsets.append(offsets[-1] + len(chunk))
    return offsets


def _chunk_regions(a: Sequence[str], b: Sequence[str], i0: int, j0: int, out: list[Region]) -> None:
    """Regions of long token lists: align chunks first, then diff words.

    Same two-level idea as ``word_diff`` itself: unchanged chunks are matched cheaply
    as whole tuples, and the word diff only runs on the replaced chunks.
    """
    old_chunks, new_chunks = _chunks(a), _chunks(b)
    old_at, new_at = _offsets(old_chunks), _offsets(new_chunks)
    matcher = SequenceMatcher(None, old_chunks, new_chunks, autojunk=False)
    for tag, c1, c2, d1, d2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and c2 - c1 == d2 - d1:
            # Typically table rows edited in place: diff them row by row.
            for c, d in zip(range(c1, c2), range(d1, d2), strict=True):
                _matcher_regions(old_chunks[c], new_chunks[d], i0 + old_at[c], j0 + new_at[d], out)
        else:
            _matcher_regions(
                a[old_at[c1] : old_at[c2]],
                b[new_at[d1] : new_at[d2]],
                i0 + old_at[c1],
                j0 + new_at[d1],
                out,
            )


def change_regions(a: Sequence[str], b: Sequence[str]) -> list[Region]:
    """The non-equal regions turning tokens ``a`` into tokens ``b``, in order.

    Two regions may touch when they come out of the chunked diff (two rows changed at
    their junction); otherwise equal tokens separate them.
    """
    # Most revisions touch a few words of a paragraph: trimming the common prefix and
    # suffix first makes the quadratic matcher work on a handful of tokens instead of
    # the whole paragraph.
    prefix, suffix = common_prefix_suffix(a, b)
    a_end, b_end = len(a) - suffix, len(b) - suffix
    a_mid, b_mid = a[prefix:a_end], b[prefix:b_end]
    regions: list[Region] = []
    if not a_mid and not b_mid:
        return regions
    if not a_mid or not b_mid:
        regions.append((prefix, a_end, prefix, b_end))
    elif len(a_mid) * len(b_mid) > CHUNK_LEVEL_CELLS:
        _chunk_regions(a_mid, b_mid, prefix, prefix, regions)
    else:
        _matcher_regions(a_mid, b_mid, prefix, prefix, regions)
    return regions


def _edge_penalty(run: Sequence[str]) -> int:
    """How stray the edges of a changed run are (0: clean); see ``_CLOSING``."""
    first, last = run[0], run[-1]
    penalty = 2 if is_space(first) or first in _CLOSING else 0
    if (is_space(last) and "\n" not in last) or last in _OPENING:
        penalty += 1
    return penalty


def settle_edges(regions: list[Region], a: Sequence[str], b: Sequence[str]) -> list[Region]:
    """Place each pure insertion or deletion where its edges are least stray.

    Inserting "C. " or " C." into "A. B." gives the same text; so does adding a list
    item as "- b ;\n" or as "b ;\n- ". A run slides left while the token before it
    equals its last token, right while the token after it equals its first, never
    touching the neighbouring regions (one equal token at least stays between them);
    among these places, the one with the cleanest edges wins, the leftmost on a tie.
    Replacements stay where they are. The texts each side rebuilds are unchanged.
    """
    settled: list[Region] = []
    for k, (i1, i2, j1, j2) in enumerate(regions):
        if (i1 == i2) == (j1 == j2):
            settled.append((i1, i2, j1, j2))
            continue
        insertion = i1 == i2
        seq, k1, k2 = (b, j1, j2) if insertion else (a, i1, i2)
        side = 3 if insertion else 1  # the end of a region on that side
        floor = settled[-1][side] + 1 if settled else 0
        ceiling = regions[k + 1][side - 1] - 1 if k + 1 < len(regions) else len(seq)
        left = 0
        while k1 - left - 1 >= floor and seq[k1 - left - 1] == seq[k2 - left - 1]:
            left += 1
        right = 0
        while k2 + right + 1 <= ceiling and seq[k2 + right] == seq[k1 + right]:
            right += 1
        shift = min(
            range(-left, right + 1),
            key=lambda d: (_edge_penalty(seq[k1 + d : k2 + d]), d),
        )
        settled.append((i1 + shift, i2 + shift, j1 + shift, j2 + shift))
    return settled


def _spans_of(a: Sequence[str], b: Sequence[str], regions: list[Region]) -> tuple[Span, ...]:
    """The spans of a paragraph from its change regions (see ``_flush_group``)."""
    spans: list[Span] = []
    group: list[tuple[_GroupOp, str]] = []
    pos = 0
    for i1, i2, j1, j2 in regions:
        gap = a[pos:i1]
        if group and all(is_space(t) for t in gap):
            # Only whitespace (or nothing) separates two changes: keep the group open.
            group.append(("space", "".join(gap)))
        else:
            _flush_group(spans, group)
            _append(spans, "equal", "".join(gap))
        if i2 > i1:
            group.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            group.append(("insert", "".join(b[j1:j2])))
        pos = i2
    _flush_group(spans, group)
    _append(spans, "equal", "".join(a[pos:]))
    return tuple(spans)


def diff_paragraph(old: str, new: str) -> tuple[Span, ...]:
    """Word-level diff of two paragraphs.

    Returns spans such that joining the "equal" and "delete" spans gives
    ``old`` and joining the "equal" and "insert" spans gives ``new``.
    Adjacent spans never share an op, and a replaced run is reported as a
    deletion followed by an insertion.
    """
    a, b = tokenize(old), tokenize(new)
    return _spans_of(a, b, settle_edges(change_regions(a, b), a, b))


def _similarity_tokens(paragraph: str) -> list[str]:
    # Whitespace tokens are dropped for similarity: they make up about half
    # of all tokens and would make any two paragraphs look ~50 % similar.
    return _NON_SPACE_TOKEN_RE.findall(paragraph)


def pair_similar(
    old_block: list[str],
    new_block: list[str],
    threshold: Callable[[int, int], float | None] | None = None,
) -> list[tuple[int, int]]:
    """Pair similar paragraphs of a replaced block, preserving order.

    Returns increasing ``(i, j)`` index pairs into the two blocks. Among
    in-order pairings whose pairs all reach their threshold, picks the
    one with the largest total similarity (an LCS-like dynamic program,
    which is cheap because the block is capped at ``MAX_PAIRING_CELLS``).
    ``threshold(i, j)`` is the similarity a pair must reach (None: it may not be
    paired at all; 0.0: it may whatever its similarity); ``PAIRING_THRESHOLD`` for
    every pair by default.
    """
    m, n = len(old_block), len(new_block)
    old_tokens = [_similarity_tokens(p) for p in old_block]
    new_tokens = [_similarity_tokens(p) for p in new_block]
    matcher = SequenceMatcher(None, autojunk=False)

    def similarity(i: int, j: int) -> float:
        # Similarity of the matcher's current pair of sequences, or 0.0 when
        # below the threshold. real_quick_ratio and quick_ratio are cheap
        # upper bounds of ratio, so most dissimilar pairs never pay for the
        # full ratio computation.
        floor = PAIRING_THRESHOLD if threshold is None else threshold(i, j)
        if floor is None:
            return 0.0
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            return 0.0
        ratio = matcher.ratio()
        # A pair allowed whatever its similarity still counts a little, so that it is
        # chosen rather than left out.
        return max(ratio, 1e-6) if ratio >= floor else 0.0

    if m * n > MAX_PAIRING_CELLS:
        # Too many candidates: pair by position, still refusing pairs that
        # are not similar (they become a deletion plus an insertion).
        by_position: list[tuple[int, int]] = []
        for k in range(min(m, n)):
            matcher.set_seqs(old_tokens[k], new_tokens[k])
            if similarity(k, k) > 0.0:
                by_position.append((k, k))
        return by_position

    # SequenceMatcher caches an index of its second sequence, so keep each
    # new paragraph as seq2 while looping over the old ones.
    sim = [[0.0] * n for _ in range(m)]
    for j in range(n):
        matcher.set_seq2(new_tokens[j])
        for i in range(m):
            matcher.set_seq1(old_tokens[i])
            sim[i][j] = similarity(i, j)

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
            for pi, pj in pair_similar(old_pars[i1:i2], new_pars[j1:j2]):
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


EntryKind = Literal["paragraph", "item", "row"]

_ITEM_LINE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_ROW_LINE = re.compile(r"\s*\|")
_DELIMITER_LINE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_HEADING_LINE = re.compile(r" {0,3}#{1,6}(?:\s|$)")


def entries(paragraph: str) -> list[tuple[EntryKind, str]]:
    """What a reader counts in a paragraph of Markdown: its list items, its table rows
    (the header's delimiter line left out) and its other paragraphs (a heading is one),
    each with its text. A line that starts nothing continues the item or paragraph
    before it."""
    found: list[tuple[EntryKind, str]] = []
    continues = False  # whether the last entry takes continuation lines
    for line in paragraph.split("\n"):
        if not line.strip():
            continue  # only in a text that is not one paragraph, such as ""
        if _DELIMITER_LINE.match(line) and "-" in line:
            continues = False
        elif _ITEM_LINE.match(line):
            found.append(("item", line))
            continues = True
        elif _ROW_LINE.match(line):
            found.append(("row", line))
            continues = False
        elif _HEADING_LINE.match(line):
            found.append(("paragraph", line))
            continues = False
        elif continues and found:
            kind, text = found[-1]
            found[-1] = (kind, f"{text}\n{line}")
        else:
            found.append(("paragraph", line))
            continues = True
    return found


def _count_entries(old: str, new: str, counts: dict[str, int]) -> None:
    """Add the entries ``new`` adds to ``old``, removes from it or rewords."""
    before, after = entries(old), entries(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        olds, news = before[i1:i2], after[j1:j2]
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        for (old_kind, _), (new_kind, _) in zip(olds[:paired], news[:paired], strict=True):
            if old_kind == new_kind:
                counts[f"modified_{old_kind}s"] += 1
            else:
                counts[f"deleted_{old_kind}s"] += 1
                counts[f"inserted_{new_kind}s"] += 1
        for kind, _ in olds[paired:]:
            counts[f"deleted_{kind}s"] += 1
        for kind, _ in news[paired:]:
            counts[f"inserted_{kind}s"] += 1


def diff_stats(diffs: list[ParagraphDiff]) -> DiffStats:
    """Count inserted and deleted words, non-equal paragraphs, and the paragraphs, list
    items and table rows added, removed or reworded."""
    counts = {
        f"{what}_{kind}s": 0
        for what in ("inserted", "deleted", "modified")
        for kind in ("paragraph", "item", "row")
    }
    inserted = deleted = changed = 0
    for paragraph in diffs:
        if paragraph.op == "equal":
            continue
        changed += 1
        old = "".join(s.text for s in paragraph.spans if s.op != "insert")
        new = "".join(s.text for s in paragraph.spans if s.op != "delete")
        _count_entries(old, new, counts)
        for span in paragraph.spans:
            if span.op == "insert":
                inserted += _count_words(span.text)
            elif span.op == "delete":
                deleted += _count_words(span.text)
    return DiffStats(
        inserted_words=inserted, deleted_words=deleted, changed_paragraphs=changed, **counts
    )


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def summary(stats: DiffStats) -> list[str]:
    """What a diff changed, in words, for the pages ("1 élément de liste ajouté", "2 lignes
    de tableau supprimées", "1 paragraphe modifié"); words are counted apart."""
    nouns = {
        "paragraph": ("paragraphe", "paragraphes", ""),
        "item": ("élément de liste", "éléments de liste", ""),
        "row": ("ligne de tableau", "lignes de tableau", "e"),
    }
    verbs = {"inserted": "ajouté", "deleted": "supprimé", "modified": "modifié"}
    phrases = []
    for kind, (singular, plural, feminine) in nouns.items():
        for what, verb in verbs.items():
            count = getattr(stats, f"{what}_{kind}s")
            if count:
                ending = feminine + ("s" if count > 1 else "")
                phrases.append(f"{_plural(count, singular, plural)} {verb}{ending}")
    return phrases
