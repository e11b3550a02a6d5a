"""The text to store after an edit in the rich-text editor: the author's own Markdown,
changed only where the editor changed it.

The editor gives back canonical Markdown (``workflows.text.editor.from_editor``): headings
with ``#``, bullets with ``-``, emphasis with ``*``, one line per paragraph. A section
written by hand or imported from Word spells things its own way (hard-wrapped lines,
``*`` or ``+`` bullets, ``_emphasis_``), and the diff, the anchors of open contributions
and the Word round trip all compare texts character by character: saving through the
editor must not rewrite what was not edited.

``carry_edits(source, edited)`` works in two steps.

1. Blocks. The source is cut into its top-level blocks (a paragraph, a heading, a whole
   list, a table, a quote, a code block, as markdown-it reads them), each with its
   canonical form; these are aligned with the paragraphs of the edited text. A block
   whose canonical form is found unchanged in the edited text is kept as the source
   writes it, and so are the blank lines between two kept blocks.
2. Words. Between two kept blocks, what the edit changed is a word-level difference
   between the canonical form of the source's blocks there and the edited text. The
   canonical form is itself aligned word by word with the source, so each change is
   carried onto the source at the same place: a word changed in a hard-wrapped
   paragraph changes that word only, the line breaks and markers around it stay. Where
   a change touches something the canonical form spells differently (a marker, an
   escape), it widens to the nearest words both spell alike.

Every step is checked: a stretch rebuilt this way that does not read as the edited one
(``parse_markdown`` differs) is taken from the edited text instead, and so is the whole
text if putting the stretches together changed how it reads. So what is stored always
reads as what was edited, ``parse_markdown(carry_edits(s, e)) == parse_markdown(e)``, and
an edit that changed nothing gives the source back: ``carry_edits(s, canonical(s)) == s``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from markdown_it import MarkdownIt

from workflows.text.blocks import canonical, parse_markdown, to_markdown
from workflows.text.diff import CHUNK_LEVEL_CELLS, common_prefix_suffix, split_paragraphs

# The same reading as workflows.text.blocks (CommonMark, tables, strikethrough, no raw
# HTML): only its block boundaries are used here.
_reader = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_reader.enable(["table", "strikethrough"])

# Words, white space, and any other character alone. Finer than the diff's tokens: an
# underscore is a character of its own, so that the word inside ``_emphasis_`` is found
# on both sides of an alignment whatever marker surrounds it.
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*(?:['\u2019][^\W_]+)*|\s+|.", re.S)


def tokenize(text: str) -> list[str]:
    """Lossless: ``"".join(tokenize(text)) == text``."""
    return _TOKEN.findall(text)


# Word-level alignments past this many (tokens x tokens), once the common prefix and
# suffix are trimmed, are not attempted: that stretch is taken from the edited text.
MAX_CELLS = 4 * CHUNK_LEVEL_CELLS


@dataclass(frozen=True)
class _Block:
    start: int  # offsets of its text in the source
    end: int
    canon: str  # its canonical Markdown ("" when it reads as nothing)


@dataclass(frozen=True)
class _Kept:
    block: int  # index in the source's blocks
    start: int  # offsets of its canonical text in the edited text
    end: int


def carry_edits(source: str, edited: str) -> str:
    """``edited`` (canonical Markdown) written with ``source``'s own spelling wherever the
    edit did not change it (see the module)."""
    if edited == canonical(source):
        return source
    blocks = _blocks(source)
    kept = _kept(blocks, edited)
    wanted = parse_markdown(edited)
    for carry_words in (True, False):
        text = _assemble(source, edited, blocks, kept, carry_words)
        if parse_markdown(text) == wanted:
            return text
    return edited


def _blocks(source: str) -> list[_Block]:
    """The source's top-level blocks, with their text's offsets and canonical form."""
    line_starts = [0]
    for index, char in enumerate(source):
        if char == "\n":
            line_starts.append(index + 1)
    line_starts.append(len(source) + 1)
    blocks = []
    for token in _reader.parse(source):
        if token.level != 0 or token.nesting < 0 or token.map is None:
            continue
        first, last = token.map
        start = line_starts[first]
        end = min(line_starts[min(last, len(line_starts) - 1)] - 1, len(source))
        text = source[start:end].rstrip()
        end = start + len(text)
        if text:
            blocks.append(_Block(start, end, to_markdown(parse_markdown(text))))
    return blocks


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the paragraphs of ``text`` as ``split_paragraphs`` cuts them."""
    spans = []
    offset = 0
    start = None
    end = 0
    for line in text.split("\n"):
        if line.strip():
            if start is None:
                start = offset
            end = offset + len(line.rstrip())
        elif start is not None:
            spans.append((start, end))
            start = None
        offset += len(line) + 1
    if start is not None:
        spans.append((start, end))
    return spans


def _kept(blocks: list[_Block], edited: str) -> list[_Kept]:
    """The source blocks found unchanged in the edited text, in order."""
    spans = _paragraph_spans(edited)
    edited_paragraphs = [edited[a:b] for a, b in spans]
    flat: list[int] = []  # block index of each canonical paragraph
    first: dict[int, int] = {}  # block index → its first canonical paragraph in ``flat``
    size: dict[int, int] = {}
    canon_paragraphs: list[str] = []
    for index, block in enumerate(blocks):
        paragraphs = split_paragraphs(block.canon)
        first[index], size[index] = len(flat), len(paragraphs)
        flat.extend([index] * len(paragraphs))
        canon_paragraphs.extend(paragraphs)
    # The common prefix and suffix are aligned in place first: of two identical
    # paragraphs, the one edited is the one at the edit's place, so the blank lines
    # around the other stay the source's.
    prefix, suffix = common_prefix_suffix(canon_paragraphs, edited_paragraphs)
    stop_c, stop_e = len(canon_paragraphs) - suffix, len(edited_paragraphs) - suffix
    matcher = SequenceMatcher(
        None, canon_paragraphs[prefix:stop_c], edited_paragraphs[prefix:stop_e], autojunk=False
    )
    equal = [(0, prefix, 0)] if prefix else []
    equal += [
        (i1 + prefix, i2 + prefix, j1 + prefix)
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes()
        if tag == "equal"
    ]
    if suffix:
        equal.append((stop_c, len(canon_paragraphs), stop_e))
    kept: list[_Kept] = []
    for i1, i2, j1 in equal:
        i = i1
        while i < i2:
            index = flat[i]
            if first[index] == i and i + size[index] <= i2:
                start = spans[j1 + i - i1][0]
                end = spans[j1 + i - i1 + size[index] - 1][1]
                # Blank lines inside a block (a code block's) are compared too.
                if edited[start:end] == blocks[index].canon:
                    kept.append(_Kept(index, start, end))
                i += size[index]
            else:
                i += 1
    return kept


def _assemble(
    source: str, edited: str, blocks: list[_Block], kept: list[_Kept], carry_words: bool
) -> str:
    """Kept blocks as the source writes them; each stretch between two of them carried
    word by word onto the source (``carry_words``) or taken from the edited text."""
    parts: list[str] = []
    source_at = edited_at = 0
    previous: int | None = None
    for keep in [*kept, None]:
        stop = len(blocks) if keep is None else keep.block
        source_stop = len(source) if keep is None else blocks[keep.block].start
        edited_stop = len(edited) if keep is None else keep.start
        inside = blocks[(0 if previous is None else previous + 1) : stop]
        gap = _Gap(
            source[source_at:source_stop],
            edited[edited_at:edited_stop],
            [_Block(b.start - source_at, b.end - source_at, b.canon) for b in inside],
            after_kept=previous is not None,
            before_kept=keep is not None,
        )
        parts.append(gap.carried() if carry_words else gap.replaced())
        if keep is not None:
            block = blocks[keep.block]
            parts.append(source[block.start : block.end])
            source_at, edited_at, previous = block.end, keep.end, keep.block
    return "".join(parts)


@dataclass
class _Gap:
    """What lies between two kept blocks (or before the first, after the last): the
    source's text there, its blocks (offsets relative to it) and the edited text there."""

    source: str
    edited: str
    blocks: list[_Block]
    after_kept: bool
    before_kept: bool

    def replaced(self) -> str:
        """The edited text, or the source when this stretch reads the same."""
        if parse_markdown(self.source) == parse_markdown(self.edited):
            return self.source
        return self.edited

    def carried(self) -> str:
        """The source with the edit's changes carried onto it word by word, or the
        edited text when that does not read as the edited text."""
        canon, to_source, pieces = self._canonical()
        if "".join(canon) == self.edited:
            return self.source
        changes = _mapped_changes(canon, tokenize(self.edited), to_source, pieces, len(self.source))
        if changes is None:
            return self.replaced()
        parts: list[str] = []
        at = 0
        for start, end, text in changes:
            parts.append(self.source[at:start])
            parts.append(text)
            at = end
        parts.append(self.source[at:])
        carried = "".join(parts)
        if parse_markdown(carried) == parse_markdown(self.edited):
            return carried
        return self.replaced()

    def _canonical(self) -> tuple[list[str], list[int], list[tuple[int, int]]]:
        """The tokens of this stretch of the source as the edited text holds it when
        nothing was changed (its blocks' canonical forms between blank lines), with,
        for each, the source piece it stands for (-1: none), and the source's pieces
        (offsets): the words of each block, and as one piece the text between two blocks
        (blank lines, and blocks that read as nothing)."""
        canon: list[str] = []
        to_source: list[int] = []
        pieces: list[tuple[int, int]] = []

        def separator(start: int, end: int, written: bool) -> None:
            piece = -1
            if end > start:
                pieces.append((start, end))
                piece = len(pieces) - 1
            if written:
                canon.append("\n\n")
                to_source.append(piece)

        cursor = 0
        written = [b for b in self.blocks if b.canon]
        for number, block in enumerate(written):
            separator(cursor, block.start, number > 0 or self.after_kept)
            tokens, matches, offsets = _aligned(
                block.canon, self.source[block.start : block.end], block.start
            )
            base = len(pieces)
            pieces.extend(offsets)
            canon.extend(tokens)
            to_source.extend(base + m if m >= 0 else -1 for m in matches)
            cursor = block.end
        separator(cursor, len(self.source), self.before_kept and (bool(written) or self.after_kept))
        return canon, to_source, pieces


def _aligned(
    canon: str, written: str, offset: int
) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """The tokens of a block's canonical form, the index of the token of its written
    form each stands for (-1: none), and the written tokens' offsets (from ``offset``)."""
    canon_tokens = tokenize(canon)
    written_tokens = tokenize(written)
    offsets = []
    at = offset
    for token in written_tokens:
        offsets.append((at, at + len(token)))
        at += len(token)
    matches = [-1] * len(canon_tokens)
    _match(canon_tokens, written_tokens, 0, 0, matches)
    return canon_tokens, matches, offsets


def _key(token: str) -> str:
    # Spaces, line ends and hard breaks are compared as one kind of gap: the canonical
    # form joins soft-wrapped lines with a space where the source has a line end, and
    # matching those literally pairs a word with the wrong one of two repeated words
    # (a hard-wrapped "logement / logement  / logement").
    return " " if token.isspace() else token


def _match(a: list[str], b: list[str], a0: int, b0: int, matches: list[int]) -> None:
    """Record in ``matches`` (indexed from ``a0``) which token of ``b`` each token of ``a``
    is, word by word; past MAX_CELLS, line by line when both have as many lines."""
    keys_a, keys_b = [_key(t) for t in a], [_key(t) for t in b]
    prefix, suffix = common_prefix_suffix(keys_a, keys_b)
    for k in range(prefix):
        matches[a0 + k] = b0 + k
    for k in range(suffix):
        matches[a0 + len(a) - 1 - k] = b0 + len(b) - 1 - k
    middle_a, middle_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    if not middle_a or not middle_b:
        return
    a0, b0 = a0 + prefix, b0 + prefix
    if len(middle_a) * len(middle_b) <= MAX_CELLS:
        matcher = SequenceMatcher(
            None,
            keys_a[prefix : len(a) - suffix],
            keys_b[prefix : len(b) - suffix],
            autojunk=False,
        )
        for i, j, size in matcher.get_matching_blocks():
            for k in range(size):
                matches[a0 + i + k] = b0 + j + k
        return
    lines_a, lines_b = _lines(middle_a), _lines(middle_b)
    if len(lines_a) != len(lines_b) or len(lines_a) < 2:
        return
    for (i1, i2), (j1, j2) in zip(lines_a, lines_b, strict=True):
        _match(middle_a[i1:i2], middle_b[j1:j2], a0 + i1, b0 + j1, matches)


def _lines(tokens: list[str]) -> list[tuple[int, int]]:
    """Token ranges of the lines of a token list (a line ends with a newline token)."""
    lines = []
    start = 0
    for index, token in enumerate(tokens):
        if "\n" in token:
            lines.append((start, index + 1))
            start = index + 1
    if start < len(tokens):
        lines.append((start, len(tokens)))
    return lines


def _mapped_changes(
    canon: list[str],
    edited: list[str],
    to_source: list[int],
    pieces: list[tuple[int, int]],
    source_length: int,
) -> list[tuple[int, int, str]] | None:
    """The edit's changes (canonical tokens → edited tokens) as (start, end, new text)
    on the source, each widened until both of its ends fall where the canonical form
    and the source agree; None when that takes more work than allowed."""
    prefix, suffix = common_prefix_suffix(canon, edited)
    middle_c = len(canon) - prefix - suffix
    middle_e = len(edited) - prefix - suffix
    if middle_c * middle_e > MAX_CELLS:
        return None
    matcher = SequenceMatcher(
        None,
        canon[prefix : len(canon) - suffix],
        edited[prefix : len(edited) - suffix],
        autojunk=False,
    )
    pending = [
        [i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix]
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    if not pending and middle_c + middle_e:  # one side empty: a pure insertion or deletion
        pending = [[prefix, prefix + middle_c, prefix, prefix + middle_e]]
    size = len(canon)

    def left(b: int) -> int | None:  # the source offset just after canonical token b-1
        if b == 0:
            return 0
        piece = to_source[b - 1]
        return pieces[piece][1] if piece >= 0 else None

    def right(b: int) -> int | None:  # the source offset just before canonical token b
        if b == size:
            return source_length
        piece = to_source[b]
        return pieces[piece][0] if piece >= 0 else None

    done: list[tuple[int, int, int, int, int, int]] = []  # i1, i2, j1, j2, start, end
    pending.reverse()
    while pending:
        i1, i2, j1, j2 = pending.pop()
        while True:
            if done and i1 < done[-1][1]:  # widened into the previous change: one change
                i1, j1 = done[-1][0], done[-1][2]
                done.pop()
            if pending and i2 > pending[-1][0]:  # into the next one
                i2, j2 = pending[-1][1], pending[-1][3]
                pending.pop()
            if i1 == i2:
                start = left(i1)
                start = right(i1) if start is None else start
                end = start
                grow_left = grow_right = start is None
            else:
                start = right(i1)
                start = left(i1) if start is None else start
                end = left(i2)
                end = right(i2) if end is None else end
                grow_left, grow_right = start is None, end is None
                if start is not None and end is not None and start > end:
                    grow_left = grow_right = True
            if not (grow_left or grow_right) and done and start is not None:
                grow_left = start < done[-1][5]
            if not (grow_left or grow_right):
                assert start is not None and end is not None
                done.append((i1, i2, j1, j2, start, end))
                break
            grown = False
            if grow_left and i1 > 0:
                i1, j1, grown = i1 - 1, j1 - 1, True
            if grow_right and i2 < size:
                i2, j2, grown = i2 + 1, j2 + 1, True
            if not grown:
                return None
    return [(start, end, "".join(edited[j1:j2])) for _i1, _i2, j1, j2, start, end in done]
