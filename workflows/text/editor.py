"""A section's text as the rich-text editor's document, and back.

The editor (TipTap, on ProseMirror) holds a tree of nodes as JSON: ``doc``, ``paragraph``,
``heading`` (``level``), ``bulletList``, ``orderedList`` (``start``), ``listItem`` (a
paragraph, then nested lists), ``blockquote``, ``codeBlock``, ``horizontalRule``,
``hardBreak``, ``table``/``tableRow``/``tableHeader``/``tableCell``, and ``text`` with
marks ``bold``, ``italic``, ``strike``, ``code``, ``link`` (``href``).

Both directions go through the blocks of ``workflows.text.blocks``, like the Word round
trip, so that the page, Word and the editor read a text alike: ``to_editor`` writes the
blocks of a body as nodes, ``from_editor`` reads nodes back into blocks and writes their
canonical Markdown; ``from_editor(to_editor(text)) == canonical(text)``. What the
editor's document holds that Markdown cannot (an empty paragraph, a merged table cell, a
heading inside a list item) is folded into what it can, never refused; what is not a
node of the editor at all is refused (``InvalidInput``), and so is a document deeper or
larger than a section can be. Unknown marks (underline, colours) are dropped. The
author's own spelling of what was not edited is kept by ``workflows.text.carry``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from workflows.errors import InvalidInput, TooLarge
from workflows.text.blocks import Block, Item, Run, merge_runs, parse_markdown, to_markdown

Node = dict[str, Any]

# A section holds at most 1 MB of Markdown; its editor document a few times that in
# nodes. Nesting: a list nested ten levels deep is already far past what Word offers
# (nine), and every level is two nodes (list, item).
MAX_NODES = 200_000
MAX_DEPTH = 30
MAX_TEXT = 2_000_000
MAX_HREF = 2_000
MAX_START = 999_999_999  # CommonMark's longest list number has nine digits

_BLOCK_TYPES = frozenset(
    {
        "paragraph",
        "heading",
        "bulletList",
        "orderedList",
        "blockquote",
        "codeBlock",
        "horizontalRule",
        "table",
    }
)
_INLINE_TYPES = frozenset({"text", "hardBreak"})
_LIST_TYPES = frozenset({"bulletList", "orderedList"})
_CELL_TYPES = frozenset({"tableCell", "tableHeader"})
_MARKS = ("bold", "italic", "strike", "code", "link")


# --- blocks → the editor's document -----------------------------------------------------


def to_editor(markdown: str) -> Node:
    """The editor's document of a Markdown text."""
    content: list[Node] = []
    for block in parse_markdown(markdown):
        content.extend(_block_nodes(block))
    # The editor's document holds at least one block: an empty text is an empty paragraph.
    return {"type": "doc", "content": content or [{"type": "paragraph"}]}


def _block_nodes(block: Block) -> list[Node]:
    if block.kind == "heading":
        return [_with_content({"type": "heading", "attrs": {"level": block.level}}, block.runs)]
    if block.kind == "paragraph":
        return [_with_content({"type": "paragraph"}, block.runs)]
    if block.kind == "quote":
        paragraph = _with_content({"type": "paragraph"}, block.runs)
        return [{"type": "blockquote", "content": [paragraph]}]
    if block.kind == "code":
        node: Node = {"type": "codeBlock", "attrs": {"language": None}}
        if block.text:
            node["content"] = [{"type": "text", "text": block.text}]
        return [node]
    if block.kind == "rule":
        return [{"type": "horizontalRule"}]
    if block.kind == "table":
        return [_table_node(block)]
    if block.kind == "list":
        return _list_nodes(list(block.items), 0, block.start)
    return []


def _with_content(node: Node, runs: Sequence[Run]) -> Node:
    inline = _inline_nodes(runs)
    if inline:
        node["content"] = inline
    return node


def _inline_nodes(runs: Sequence[Run]) -> list[Node]:
    nodes: list[Node] = []
    for run in runs:
        marks = _marks(run)
        for index, piece in enumerate(run.text.split("\n")):
            if index:
                nodes.append(_marked({"type": "hardBreak"}, marks))
            if piece:
                nodes.append(_marked({"type": "text", "text": piece}, marks))
    return nodes


def _marks(run: Run) -> list[Node]:
    marks: list[Node] = [{"type": name} for name in _MARKS[:4] if getattr(run, name)]
    if run.link is not None:
        marks.append({"type": "link", "attrs": {"href": run.link}})
    return marks


def _marked(node: Node, marks: list[Node]) -> Node:
    if marks:
        node["marks"] = [dict(mark) for mark in marks]
    return node


def _list_nodes(items: list[Item], level: int, start: int) -> list[Node]:
    """The lists of ``items`` at ``level``: consecutive items of one kind in one list, the
    deeper items after each one nested in it (a skipped level is the next one)."""
    lists: list[Node] = []
    index = 0
    while index < len(items):
        ordered = items[index].ordered
        list_node: Node = {"type": "orderedList" if ordered else "bulletList", "content": []}
        if ordered:
            list_node["attrs"] = {"start": start if level == 0 and not lists else 1}
        while index < len(items) and items[index].ordered == ordered:
            item = items[index]
            index += 1
            children = []
            while index < len(items) and items[index].level > level:
                children.append(items[index])
                index += 1
            content = [_with_content({"type": "paragraph"}, item.runs)]
            content.extend(_list_nodes(children, level + 1, 1))
            list_node["content"].append({"type": "listItem", "content": content})
        lists.append(list_node)
    return lists


def _table_node(block: Block) -> Node:
    width = max((len(row) for row in block.rows), default=0)
    rows = []
    for number, row in enumerate(block.rows):
        kind = "tableHeader" if number == 0 else "tableCell"
        cells = list(row) + [()] * (width - len(row))
        rows.append(
            {
                "type": "tableRow",
                "content": [
                    {"type": kind, "content": [_with_content({"type": "paragraph"}, cell)]}
                    for cell in cells
                ],
            }
        )
    return {"type": "table", "content": rows}


# --- the editor's document → blocks → Markdown ------------------------------------------


def from_editor(document: object) -> str:
    """The canonical Markdown of an editor's document (validated: see the module)."""
    return to_markdown(editor_blocks(document))


def editor_blocks(document: object) -> list[Block]:
    """The blocks of an editor's document."""
    reader = _Reader()
    doc = reader.node(document, 0)
    if doc["type"] != "doc":
        raise InvalidInput("Document de l'éditeur invalide : il doit commencer par « doc ».")
    return reader.blocks(_children(doc), 1)


@dataclass
class _Reader:
    """One pass over a document, counting what it reads to bound the work."""

    nodes: int = 0
    text: int = 0

    def node(self, value: object, depth: int) -> Node:
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise InvalidInput("Document de l'éditeur invalide : un nœud sans type.")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise TooLarge(f"Document de l'éditeur trop volumineux ({MAX_NODES} nœuds au plus).")
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"Document de l'éditeur trop imbriqué ({MAX_DEPTH} niveaux au plus)."
            )
        return value

    def blocks(self, children: list[object], depth: int) -> list[Block]:
        blocks: list[Block] = []
        for child in children:
            node = self.node(child, depth)
            kind = node["type"]
            if kind == "paragraph":
                blocks.append(Block("paragraph", self.runs(node, depth)))
            elif kind == "heading":
                blocks.append(Block("heading", self.runs(node, depth), level=_level(node)))
            elif kind in _LIST_TYPES:
                items = list(self.items(node, 0, depth))
                blocks.append(Block("list", items=tuple(items), start=_start(node)))
            elif kind == "blockquote":
                for inner in self.blocks(_children(node), depth + 1):
                    blocks.extend(Block("quote", runs) for runs in _quoted(inner))
            elif kind == "codeBlock":
                blocks.append(Block("code", text=self.code(node, depth)))
            elif kind == "horizontalRule":
                blocks.append(Block("rule"))
            elif kind == "table":
                blocks.append(Block("table", rows=tuple(self.rows(node, depth))))
            else:
                raise _misplaced(kind, "bloc")
        # An empty paragraph is the editor's blank line: Markdown has none to keep.
        return [b for b in blocks if b.kind not in ("paragraph", "quote") or b.runs]

    def runs(self, node: Node, depth: int) -> tuple[Run, ...]:
        runs: list[Run] = []
        for child in _children(node):
            inline = self.node(child, depth + 1)
            kind = inline["type"]
            if kind not in _INLINE_TYPES:
                raise _misplaced(kind, "texte")
            text = "\n" if kind == "hardBreak" else _text(inline)
            self.text += len(text)
            if self.text > MAX_TEXT:
                raise TooLarge("Document de l'éditeur trop volumineux.")
            runs.append(Run(text, **_formatting(inline.get("marks"))))
        merged = list(merge_runs(runs))
        # A line break that ends a paragraph breaks nothing (Markdown would write a
        # backslash there).
        while merged and not merged[-1].text.rstrip("\n"):
            merged.pop()
        if merged and merged[-1].text.endswith("\n"):
            last = merged.pop()
            merged.append(Run(last.text.rstrip("\n"), **_style(last)))
        return tuple(merged)

    def items(self, node: Node, level: int, depth: int) -> Iterator[Item]:
        ordered = node["type"] == "orderedList"
        for child in _children(node):
            item = self.node(child, depth + 1)
            if item["type"] != "listItem":
                raise _misplaced(item["type"], "liste")
            lines: list[tuple[Run, ...]] = []
            nested: list[Item] = []
            for part in _children(item):
                if isinstance(part, dict) and part.get("type") in _LIST_TYPES:
                    inner = self.node(part, depth + 2)
                    nested.extend(self.items(inner, level + 1, depth + 2))
                elif nested:
                    # Text after a nested list: Markdown cannot put it back in this item,
                    # it becomes an item of its own at the nested level.
                    nested.extend(
                        Item(runs, level=level + 1, ordered=nested[-1].ordered)
                        for runs in self.lines([part], depth + 2)
                    )
                else:
                    lines.extend(self.lines([part], depth + 2))
            runs = _joined(lines)
            yield Item(runs, level=level, ordered=ordered)
            yield from nested

    def lines(self, children: list[object], depth: int) -> list[tuple[Run, ...]]:
        """The lines of text of blocks where Markdown only takes text (an item, a cell)."""
        lines: list[tuple[Run, ...]] = []
        for block in self.blocks(children, depth):
            if block.kind in ("paragraph", "heading", "quote"):
                lines.append(block.runs)
            elif block.kind == "code":
                lines.extend((Run(line, code=True),) for line in block.text.split("\n") if line)
            elif block.kind == "list":
                lines.extend(item.runs for item in block.items if item.runs)
            elif block.kind == "table":
                lines.extend(cell for row in block.rows for cell in row if cell)
        return lines

    def code(self, node: Node, depth: int) -> str:
        parts: list[str] = []
        for child in _children(node):
            inline = self.node(child, depth + 1)
            if inline["type"] not in _INLINE_TYPES:
                raise _misplaced(inline["type"], "code")
            parts.append("\n" if inline["type"] == "hardBreak" else _text(inline))
        text = "".join(parts)
        self.text += len(text)
        if self.text > MAX_TEXT:
            raise TooLarge("Document de l'éditeur trop volumineux.")
        return text.rstrip("\n")

    def rows(self, node: Node, depth: int) -> Iterator[tuple[tuple[Run, ...], ...]]:
        for child in _children(node):
            row = self.node(child, depth + 1)
            if row["type"] != "tableRow":
                raise _misplaced(row["type"], "tableau")
            cells: list[tuple[Run, ...]] = []
            for part in _children(row):
                cell = self.node(part, depth + 2)
                if cell["type"] not in _CELL_TYPES:
                    raise _misplaced(cell["type"], "ligne de tableau")
                cells.append(_joined(self.lines(_children(cell), depth + 3)))
                # A merged cell stands for the cells it covers; Markdown has no merging.
                cells.extend(() for _ in range(_span(cell) - 1))
            yield tuple(cells)


def _children(node: Node) -> list[object]:
    content = node.get("content", [])
    if content is None:
        return []
    if not isinstance(content, list):
        raise InvalidInput("Document de l'éditeur invalide : « content » doit être une liste.")
    return content


def _text(node: Node) -> str:
    if node["type"] == "hardBreak":
        return "\n"
    text = node.get("text")
    if not isinstance(text, str):
        raise InvalidInput("Document de l'éditeur invalide : un texte sans « text ».")
    return text


def _attrs(node: Node) -> dict[str, Any]:
    attrs = node.get("attrs") or {}
    if not isinstance(attrs, dict):
        raise InvalidInput("Document de l'éditeur invalide : « attrs » doit être un objet.")
    return attrs


def _integer(node: Node, name: str, default: int) -> int:
    value = _attrs(node).get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"Document de l'éditeur invalide : « {name} » doit être un entier.")
    return value


def _level(node: Node) -> int:
    return max(1, min(6, _integer(node, "level", 1)))


def _start(node: Node) -> int:
    if node["type"] != "orderedList":
        return 1
    return max(0, min(MAX_START, _integer(node, "start", 1)))


def _span(cell: Node) -> int:
    return max(1, min(100, _integer(cell, "colspan", 1)))


def _formatting(marks: object) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if marks is None:
        return found
    if not isinstance(marks, list):
        raise InvalidInput("Document de l'éditeur invalide : « marks » doit être une liste.")
    for mark in marks:
        if not isinstance(mark, dict):
            raise InvalidInput("Document de l'éditeur invalide : une marque sans type.")
        kind = mark.get("type")
        if kind in ("bold", "italic", "strike", "code"):
            found[str(kind)] = True
        elif kind == "link":
            href = _attrs(mark).get("href")
            if isinstance(href, str) and href.strip() and len(href) <= MAX_HREF:
                found["link"] = href.strip()
        # Any other mark (underline, colour, highlight...) has no Markdown: dropped.
    return found


def _style(run: Run) -> dict[str, Any]:
    return {
        "bold": run.bold,
        "italic": run.italic,
        "strike": run.strike,
        "code": run.code,
        "link": run.link,
    }


def _visible(runs: Sequence[Run]) -> bool:
    return any(run.text.strip() for run in runs)


def _quoted(block: Block) -> list[tuple[Run, ...]]:
    """What a quote keeps of a block inside it: its lines of text."""
    if block.kind in ("paragraph", "heading", "quote"):
        return [block.runs]
    if block.kind == "list":
        return [item.runs for item in block.items if _visible(item.runs)]
    if block.kind == "code":
        return [(Run(line, code=True),) for line in block.text.split("\n") if line.strip()]
    if block.kind == "table":
        return [cell for row in block.rows for cell in row if _visible(cell)]
    return []


def _joined(lines: list[tuple[Run, ...]]) -> tuple[Run, ...]:
    """Lines of text as one, each after a line break (as a list item's paragraphs)."""
    runs: list[Run] = []
    for line in lines:
        if not _visible(line):
            continue
        if runs:
            runs.append(Run("\n"))
        runs.extend(line)
    return merge_runs(runs)


def _misplaced(kind: str, where: str) -> InvalidInput:
    known = _BLOCK_TYPES | _INLINE_TYPES | _CELL_TYPES | {"doc", "listItem", "tableRow"}
    if kind in known:
        return InvalidInput(f"Document de l'éditeur invalide : « {kind} » dans un {where}.")
    return InvalidInput(f"Document de l'éditeur invalide : type de nœud inconnu « {kind} ».")
