"""Two Markdown texts compared as a reader sees them: formatted blocks, each piece of
text marked equal, inserted or deleted.

Users read sections rendered, not as Markdown; a comparison must read the same way,
with a list item added shown as an item of the list and a cell changed shown in its
table. The blocks come from ``workflows.text.blocks`` (headings, paragraphs, lists
with their nesting, tables, quotes, code); the words from ``workflows.text.diff``.

Two levels, like the word diff: blocks are aligned first (as whole blocks, then, in
the replaced stretches, by similarity and kind), items inside paired lists and rows
inside paired tables likewise; then the plain text of each paired heading, paragraph,
item or cell is diffed word by word, and the formatting of each side is laid over the
words. A piece whose words are equal but whose formatting is not (a word put in bold,
a link changed) is shown deleted in its old form and inserted in its new one.

Nothing here writes HTML: ``app/comparison.py`` renders the structure.

``excerpt`` cuts a comparison down to where a change sits (the sentence, the list item,
the row) and ``describe`` says it in words, for the decision table of a contribution.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Literal

from workflows.text.blocks import (
    Block,
    BlockKind,
    Item,
    Run,
    block_markdown,
    block_text,
    merge_runs,
    parse_markdown,
    plain,
)
from workflows.text.diff import PAIRING_THRESHOLD, SpanOp, diff_paragraph, pair_similar, tokenize
from workflows.text.merge import Hunk, Para

__all__ = [
    "BlockDiff",
    "ItemDiff",
    "Piece",
    "RowDiff",
    "compare",
    "describe",
    "excerpt",
    "hunk_change",
    "side",
]

BlockOp = Literal["equal", "insert", "delete", "change"]
Side = Literal["old", "new"]
Cells = tuple[tuple[Run, ...], ...]

# Quoted passages in descriptions are cut beyond this many characters.
QUOTE_MAX = 80


@dataclass(frozen=True)
class Piece:
    """A run of text with its formatting and what became of it."""

    op: SpanOp
    run: Run


Pieces = tuple[Piece, ...]


@dataclass(frozen=True)
class ItemDiff:
    """One list item of a compared list; ``old``/``new`` are None on the side it is
    not on."""

    op: BlockOp
    pieces: Pieces
    old: Item | None
    new: Item | None

    @property
    def level(self) -> int:
        return (self.new or self.old or Item(())).level


@dataclass(frozen=True)
class RowDiff:
    """One row of a compared table: its cells (as many as the wider side has)."""

    op: BlockOp
    cells: tuple[Pieces, ...]
    old: Cells | None
    new: Cells | None
    header: bool  # the first row of its table


@dataclass(frozen=True)
class BlockDiff:
    """One block of the compared texts. ``pieces`` for headings, paragraphs, quotes and
    code; ``items`` for lists; ``rows`` for tables; nothing for rules."""

    op: BlockOp
    kind: BlockKind
    old: Block | None
    new: Block | None
    pieces: Pieces = ()
    items: tuple[ItemDiff, ...] = ()
    rows: tuple[RowDiff, ...] = ()
    # Set by ``excerpt`` when it left text out before or after the pieces.
    cut_before: bool = False
    cut_after: bool = False

    @property
    def shown(self) -> Block:
        """The block whose attributes (heading level, list numbering) are shown."""
        block = self.new or self.old
        assert block is not None  # a BlockDiff has at least one side
        return block


# --- words with their formatting ----------------------------------------------------------


def _pieces(op: SpanOp, runs: Iterable[Run]) -> Pieces:
    return tuple(Piece(op, run) for run in runs if run.text)


def _cut(runs: Sequence[Run], start: int, end: int) -> list[Run]:
    """The part [start, end) of the text of ``runs``, with its formatting."""
    out: list[Run] = []
    at = 0
    for run in runs:
        lo, hi = max(start, at), min(end, at + len(run.text))
        if lo < hi:
            out.append(replace(run, text=run.text[lo - at : hi - at]))
        at += len(run.text)
        if at >= end:
            break
    return out


def _boundaries(runs: Sequence[Run]) -> list[int]:
    at, found = 0, []
    for run in runs:
        at += len(run.text)
        found.append(at)
    return found


def diff_runs(old: Sequence[Run], new: Sequence[Run]) -> Pieces:
    """The word diff of two formatted texts, with each side's formatting."""
    old_ends, new_ends = _boundaries(old), _boundaries(new)
    pieces: list[Piece] = []
    o = n = 0
    for span in diff_paragraph(plain(list(old)), plain(list(new))):
        size = len(span.text)
        if span.op == "delete":
            pieces.extend(_pieces("delete", _cut(old, o, o + size)))
            o += size
        elif span.op == "insert":
            pieces.extend(_pieces("insert", _cut(new, n, n + size)))
            n += size
        else:
            # Equal words: cut wherever either side's formatting changes, and show a
            # piece formatted differently as its old form deleted, its new inserted.
            cuts = sorted(
                {o + size}
                | {e for e in old_ends if o < e < o + size}
                | {e - n + o for e in new_ends if n < e < n + size}
            )
            start = o
            for stop in cuts:
                before = _cut(old, start, stop)
                after = _cut(new, start - o + n, stop - o + n)
                if [r.style for r in before] == [r.style for r in after]:
                    pieces.extend(_pieces("equal", after))
                else:
                    pieces.extend(_pieces("delete", before))
                    pieces.extend(_pieces("insert", after))
                start = stop
            o += size
            n += size
    return _merged(pieces)


def _merged(pieces: Iterable[Piece]) -> Pieces:
    out: list[Piece] = []
    for piece in pieces:
        if out and out[-1].op == piece.op and out[-1].run.style == piece.run.style:
            last = out[-1]
            out[-1] = Piece(last.op, replace(last.run, text=last.run.text + piece.run.text))
        else:
            out.append(piece)
    return tuple(out)


def _changed(pieces: Pieces) -> bool:
    return any(p.op != "equal" for p in pieces)


# --- alignment ----------------------------------------------------------------------------


def _align(
    old: Sequence[str],
    new: Sequence[str],
    threshold: Callable[[int, int], float | None],
    old_texts: Sequence[str],
    new_texts: Sequence[str],
) -> list[tuple[int | None, int | None]]:
    """Pairs (old index, new index) covering both sequences in order: equal keys first,
    then, in each replaced stretch, pairs by similarity of the texts; an index paired
    with None is deleted (old) or inserted (new), deletions before insertions."""
    out: list[tuple[int | None, int | None]] = []
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        next_i, next_j = i1, j1

        def local(i: int, j: int, i1: int = i1, j1: int = j1) -> float | None:
            return threshold(i1 + i, j1 + j)

        pairs = pair_similar(list(old_texts[i1:i2]), list(new_texts[j1:j2]), local)
        for pi, pj in pairs:
            out.extend((k, None) for k in range(next_i, i1 + pi))
            out.extend((None, k) for k in range(next_j, j1 + pj))
            out.append((i1 + pi, j1 + pj))
            next_i, next_j = i1 + pi + 1, j1 + pj + 1
        out.extend((k, None) for k in range(next_i, i2))
        out.extend((None, k) for k in range(next_j, j2))
    return out


def _block_threshold(
    old: Sequence[Block], new: Sequence[Block]
) -> Callable[[int, int], float | None]:
    def threshold(i: int, j: int) -> float | None:
        if old[i].kind != new[j].kind:
            return None
        # A list or a table in the place of another is the same one edited: its items
        # or rows are then compared one by one.
        return 0.0 if old[i].kind in ("list", "table") else PAIRING_THRESHOLD

    return threshold


def _similar(_i: int, _j: int) -> float:
    return PAIRING_THRESHOLD


def _item_key(item: Item) -> tuple[int, bool, str]:
    return (item.level, item.ordered, repr(item.runs))


def _items(old: Sequence[Item], new: Sequence[Item]) -> tuple[ItemDiff, ...]:
    pairs = _align(
        [repr(_item_key(i)) for i in old],
        [repr(_item_key(i)) for i in new],
        _similar,
        [plain(i.runs) for i in old],
        [plain(i.runs) for i in new],
    )
    out: list[ItemDiff] = []
    for i, j in pairs:
        before = old[i] if i is not None else None
        after = new[j] if j is not None else None
        if before is None:
            assert after is not None
            out.append(ItemDiff("insert", _pieces("insert", after.runs), None, after))
        elif after is None:
            out.append(ItemDiff("delete", _pieces("delete", before.runs), before, None))
        else:
            pieces = diff_runs(before.runs, after.runs)
            same = not _changed(pieces) and _item_key(before)[:2] == _item_key(after)[:2]
            out.append(ItemDiff("equal" if same else "change", pieces, before, after))
    return tuple(out)


def _row_text(row: Cells) -> str:
    return " | ".join(plain(cell) for cell in row)


def _rows(old: Sequence[Cells], new: Sequence[Cells]) -> tuple[RowDiff, ...]:
    pairs = _align(
        [repr(r) for r in old],
        [repr(r) for r in new],
        _similar,
        [_row_text(r) for r in old],
        [_row_text(r) for r in new],
    )
    out: list[RowDiff] = []
    for i, j in pairs:
        before = old[i] if i is not None else None
        after = new[j] if j is not None else None
        header = i == 0 or j == 0
        if before is None:
            assert after is not None
            cells = tuple(_pieces("insert", c) for c in after)
            out.append(RowDiff("insert", cells, None, after, header))
        elif after is None:
            cells = tuple(_pieces("delete", c) for c in before)
            out.append(RowDiff("delete", cells, before, None, header))
        else:
            width = max(len(before), len(after))
            cells = tuple(
                diff_runs(before[k] if k < len(before) else (), after[k] if k < len(after) else ())
                for k in range(width)
            )
            same = len(before) == len(after) and not any(_changed(c) for c in cells)
            out.append(RowDiff("equal" if same else "change", cells, before, after, header))
    return tuple(out)


def _code_runs(block: Block) -> tuple[Run, ...]:
    return (Run(block.text, code=True),) if block.text else ()


def _content(block: Block) -> tuple[Run, ...]:
    return _code_runs(block) if block.kind == "code" else block.runs


def _whole(op: Literal["insert", "delete"], block: Block) -> BlockDiff:
    old, new = (None, block) if op == "insert" else (block, None)
    items = tuple(
        ItemDiff(
            op, _pieces(op, i.runs), i if op == "delete" else None, i if op == "insert" else None
        )
        for i in block.items
    )
    rows = tuple(
        RowDiff(
            op,
            tuple(_pieces(op, c) for c in row),
            row if op == "delete" else None,
            row if op == "insert" else None,
            k == 0,
        )
        for k, row in enumerate(block.rows)
    )
    return BlockDiff(op, block.kind, old, new, _pieces(op, _content(block)), items, rows)


def _same(block: Block) -> BlockDiff:
    items = tuple(ItemDiff("equal", _pieces("equal", i.runs), i, i) for i in block.items)
    rows = tuple(
        RowDiff("equal", tuple(_pieces("equal", c) for c in row), row, row, k == 0)
        for k, row in enumerate(block.rows)
    )
    return BlockDiff(
        "equal", block.kind, block, block, _pieces("equal", _content(block)), items, rows
    )


def _paired(old: Block, new: Block) -> BlockDiff:
    if old == new:
        return _same(new)
    if old.kind == "list":
        items = _items(old.items, new.items)
        same = old.start == new.start and all(i.op == "equal" for i in items)
        return BlockDiff("equal" if same else "change", "list", old, new, items=items)
    if old.kind == "table":
        rows = _rows(old.rows, new.rows)
        same = all(r.op == "equal" for r in rows)
        return BlockDiff("equal" if same else "change", "table", old, new, rows=rows)
    pieces = diff_runs(_content(old), _content(new))
    same = not _changed(pieces) and old.level == new.level
    return BlockDiff("equal" if same else "change", old.kind, old, new, pieces)


def compare_blocks(old: Sequence[Block], new: Sequence[Block]) -> list[BlockDiff]:
    """The comparison of two sequences of blocks (see ``compare``)."""
    pairs = _align(
        [block_markdown(b) + f"\0{b.kind}" for b in old],
        [block_markdown(b) + f"\0{b.kind}" for b in new],
        _block_threshold(old, new),
        [block_text(b) for b in old],
        [block_text(b) for b in new],
    )
    out: list[BlockDiff] = []
    for i, j in pairs:
        if i is None:
            assert j is not None
            out.append(_whole("insert", new[j]))
        elif j is None:
            out.append(_whole("delete", old[i]))
        else:
            out.append(_paired(old[i], new[j]))
    return out


def compare(old: str, new: str) -> list[BlockDiff]:
    """The blocks of ``old`` and ``new`` aligned, each with its words marked.

    ``side(compare(old, new), "old")`` gives back ``parse_markdown(old)``, and "new"
    ``parse_markdown(new)``: every block, item, row and word of each text is in the
    comparison, on its side, in order.
    """
    return compare_blocks(parse_markdown(old), parse_markdown(new))


# --- one side -----------------------------------------------------------------------------


def side_runs(pieces: Pieces, which: Side) -> tuple[Run, ...]:
    """The text of one side of some pieces, with its formatting."""
    hidden = "insert" if which == "old" else "delete"
    return merge_runs([p.run for p in pieces if p.op != hidden])


def side(diffs: Sequence[BlockDiff], which: Side) -> list[Block]:
    """The blocks of one side of a comparison, rebuilt from its pieces."""
    blocks: list[Block] = []
    for d in diffs:
        block = d.old if which == "old" else d.new
        if block is None:
            continue
        if d.kind == "code":
            blocks.append(replace(block, text=plain(side_runs(d.pieces, which))))
        elif d.kind == "list":
            items = [
                replace(item, runs=side_runs(i.pieces, which))
                for i in d.items
                if (item := i.old if which == "old" else i.new) is not None
            ]
            blocks.append(replace(block, items=tuple(items)))
        elif d.kind == "table":
            rows = [
                tuple(side_runs(cell, which) for cell in r.cells[: len(row)])
                for r in d.rows
                if (row := r.old if which == "old" else r.new) is not None
            ]
            blocks.append(replace(block, rows=tuple(rows)))
        else:
            blocks.append(replace(block, runs=side_runs(d.pieces, which)))
    return blocks


# --- where a change sits, and what it does ------------------------------------------------

# The end of a sentence: its punctuation and the blanks after it.
_SENTENCE_END = re.compile(r"[.!?…][\s\u00a0]+")


def _sentence(pieces: Pieces) -> tuple[Pieces, bool, bool]:
    """The sentences of a paragraph's pieces that hold its changes, and whether text
    was left out before and after them."""
    changed = [k for k, p in enumerate(pieces) if p.op != "equal"]
    if not changed:
        return pieces, False, False
    first, last = changed[0], changed[-1]
    head: list[Piece] = []  # the equal pieces before the first change, last first
    cut_before = False
    for piece in reversed(pieces[:first]):
        ends = list(_SENTENCE_END.finditer(piece.run.text))
        if ends:
            kept = piece.run.text[ends[-1].end() :]
            if kept:
                head.append(Piece("equal", replace(piece.run, text=kept)))
            cut_before = True
            break
        head.append(piece)
    tail: list[Piece] = []
    cut_after = False
    for k in range(last + 1, len(pieces)):
        piece = pieces[k]
        end = _SENTENCE_END.search(piece.run.text)
        if end:
            kept = piece.run.text[: end.end()].rstrip()
            if kept:
                tail.append(Piece("equal", replace(piece.run, text=kept)))
            cut_after = bool(piece.run.text[end.end() :]) or k + 1 < len(pieces)
            break
        tail.append(piece)
    return (*reversed(head), *pieces[first : last + 1], *tail), cut_before, cut_after


def excerpt(diffs: Sequence[BlockDiff]) -> list[BlockDiff]:
    """Only what changed, with what a reader needs around it: the sentence a change
    of a paragraph sits in, the list items changed (without the others), the rows of a
    table changed (with its header row), whole blocks added or removed."""
    out: list[BlockDiff] = []
    for d in diffs:
        if d.op == "equal":
            continue
        if d.op != "change":
            out.append(d)
        elif d.kind == "list":
            out.append(replace(d, items=tuple(i for i in d.items if i.op != "equal")))
        elif d.kind == "table":
            rows = tuple(r for r in d.rows if r.op != "equal" or r.header)
            out.append(replace(d, rows=rows))
        elif d.kind in ("paragraph", "quote"):
            pieces, before, after = _sentence(d.pieces)
            out.append(replace(d, pieces=pieces, cut_before=before, cut_after=after))
        else:
            out.append(d)
    return out


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_MAX:
        text = text[: QUOTE_MAX - 1].rstrip() + "…"
    return f"« {text} »"


def _words(pieces: Pieces, op: SpanOp) -> str:
    """The text of the pieces of ``op``; passages apart (equal words between them) are
    joined by an ellipsis, those only a space apart by the space."""
    passages: list[str] = []
    current: str | None = None
    pending = ""  # equal blanks after the current passage
    for piece in pieces:
        if piece.op == op:
            current = (current + pending if current is not None else "") + piece.run.text
            pending = ""
        elif piece.op == "equal":
            if current is not None and not piece.run.text.strip():
                pending += piece.run.text
            elif current is not None:
                passages.append(current)
                current, pending = None, ""
    if current is not None:
        passages.append(current)
    return " … ".join(p.strip() for p in passages if p.strip())


def _text_change(pieces: Pieces, what: str = "") -> str:
    deleted, inserted = _words(pieces, "delete"), _words(pieces, "insert")
    if deleted and inserted:
        if deleted == inserted:
            return f"change la mise en forme de {_quote(deleted)}{what}"
        return f"remplace {_quote(deleted)} par {_quote(inserted)}{what}"
    if deleted:
        return f"supprime {_quote(deleted)}{what}"
    if inserted:
        return f"ajoute {_quote(inserted)}{what}"
    return ""


# What a whole block added or removed is called in a description.
_NOUNS = {
    "heading": "le titre",
    "paragraph": "le paragraphe",
    "quote": "la citation",
    "code": "un bloc de code",
    "rule": "un trait de séparation",
}


def _whole_block(d: BlockDiff) -> str:
    verb = "ajoute" if d.op == "insert" else "supprime"
    block = d.shown
    if d.kind == "list":
        if len(block.items) == 1:
            return f"{verb} l'élément de liste {_quote(plain(block.items[0].runs))}"
        return f"{verb} une liste de {len(block.items)} éléments"
    if d.kind == "table":
        return f"{verb} un tableau de {len(block.rows)} lignes"
    noun = _NOUNS[d.kind]
    if d.kind in ("code", "rule"):
        return f"{verb} {noun}"
    return f"{verb} {noun} {_quote(block_text(block))}"


def _cell_place(d: BlockDiff, row: RowDiff, column: int) -> str:
    headers = next((r for r in d.rows if r.header), None)
    cells = row.new or row.old or ()
    label = plain(cells[0]) if cells and column > 0 else ""
    header = ""
    if headers is not None:
        header_cells = headers.new or headers.old or ()
        header = plain(header_cells[column]) if column < len(header_cells) else ""
    where = []
    if label.strip():
        where.append(f"ligne {_quote(label)}")
    if header.strip() and not row.header:
        where.append(f"colonne {_quote(header)}")
    return f" (tableau, {', '.join(where)})" if where else " (tableau)"


def _changes(d: BlockDiff) -> list[str]:
    if d.op in ("insert", "delete"):
        return [_whole_block(d)]
    if d.kind == "list":
        found = []
        for item in d.items:
            if item.op == "insert":
                found.append(
                    f"ajoute l'élément de liste {_quote(plain(item.new.runs if item.new else ()))}"
                )
            elif item.op == "delete":
                found.append(
                    f"supprime l'élément de liste {_quote(plain(item.old.runs if item.old else ()))}"
                )
            elif item.op == "change":
                found.append(_text_change(item.pieces) or "change le niveau d'un élément de liste")
        return found
    if d.kind == "table":
        found = []
        for row in d.rows:
            if row.op == "insert":
                found.append(f"ajoute une ligne au tableau ({_quote(_row_text(row.new or ()))})")
            elif row.op == "delete":
                found.append(f"supprime une ligne du tableau ({_quote(_row_text(row.old or ()))})")
            elif row.op == "change":
                found.extend(
                    _text_change(cell, _cell_place(d, row, k))
                    for k, cell in enumerate(row.cells)
                    if _changed(cell)
                )
        return [f for f in found if f]
    text = _text_change(d.pieces)
    if d.kind == "heading" and d.old is not None and d.new is not None:
        if d.old.level != d.new.level:
            level = f"met le titre {_quote(block_text(d.new))} au niveau {d.new.level}"
            return [f"{text} ; {level}" if text else level]
        return [f"{text} dans le titre" if text else "modifie le titre"]
    return [text] if text else []


def describe(diffs: Sequence[BlockDiff]) -> str:
    """What a comparison changes, in words: "Remplace « 46 » par « 47 »", "Ajoute
    l'élément de liste « … »", "Ajoute une ligne au tableau (« … »)"..."""
    found = [c for d in diffs if d.op != "equal" for c in _changes(d)]
    if not found:
        return "Aucun changement visible à la lecture (mise en page du texte source)"
    text = " ; ".join(found)
    return text[0].upper() + text[1:]


def hunk_change(base: Sequence[Para] | Mapping[str, Para], hunk: Hunk) -> tuple[str, str]:
    """The paragraph one change of a contribution is about, before it and with that
    change alone applied (a whole paragraph for an insertion or a deletion).

    ``base`` is the base's paragraphs, or them by id: a page showing every change of a
    contribution passes the mapping, so that finding each paragraph is not a walk
    through the whole section (hunks x paragraphs)."""
    if hunk.kind == "insert":
        return "", hunk.new_text
    if hunk.kind == "delete":
        return hunk.old_text, ""
    if isinstance(base, Mapping):
        found = base.get(hunk.paragraph_id)
        text = found.text if found is not None else ""
    else:
        text = next((p.text for p in base if p.id == hunk.paragraph_id), "")
    tokens = tokenize(text)
    return text, "".join(tokens[: hunk.start]) + hunk.new_text + "".join(tokens[hunk.end :])
