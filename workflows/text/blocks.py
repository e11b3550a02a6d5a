"""A section's text as blocks of formatted runs, to and from Markdown.

Sections are stored in Markdown; Word knows paragraphs with styles and runs with
formatting, and so does the rich-text editor. Every conversion goes through these blocks,
so that exporting then importing a section gives back its text:
``to_markdown(parse_markdown(text))`` is the text's canonical form, and what the Word
import rebuilds is compared with it paragraph by paragraph (``workflows.word.importer``),
keeping the author's own spelling of every paragraph Word did not change.

What is kept: headings (Markdown level n is Word's "Heading n+1": the section's title is
Heading 1), paragraphs, bulleted and numbered lists with their nesting, tables, block
quotes, code blocks, horizontal rules; inside text, bold, italic, strikethrough, inline
code, links and hard line breaks. A soft line break is a space, as in the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, TypedDict

from markdown_it import MarkdownIt
from markdown_it.token import Token

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])

BlockKind = Literal["paragraph", "heading", "list", "table", "quote", "code", "rule"]


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    link: str | None = None

    @property
    def style(self) -> tuple[bool, bool, bool, bool, str | None]:
        return (self.bold, self.italic, self.strike, self.code, self.link)


@dataclass(frozen=True)
class Item:
    """One list item: its runs, nesting level (0 at the top) and numbering."""

    runs: tuple[Run, ...]
    level: int = 0
    ordered: bool = False


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    runs: tuple[Run, ...] = ()  # paragraph, heading, quote
    level: int = 0  # heading level, 1 to 6
    items: tuple[Item, ...] = ()  # list
    rows: tuple[tuple[tuple[Run, ...], ...], ...] = ()  # table, the header row first
    text: str = ""  # code
    start: int = 1  # first number of an ordered list
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


def plain(runs: tuple[Run, ...] | list[Run]) -> str:
    return "".join(run.text for run in runs)


def block_text(block: Block) -> str:
    """What a reader sees of a block, without formatting."""
    if block.kind == "list":
        return "\n".join(plain(item.runs) for item in block.items)
    if block.kind == "table":
        return "\n".join(" | ".join(plain(cell) for cell in row) for row in block.rows)
    if block.kind == "code":
        return block.text
    return plain(block.runs)


def merge_runs(runs: list[Run] | tuple[Run, ...]) -> tuple[Run, ...]:
    """Adjacent runs of the same formatting as one; empty runs dropped."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and merged[-1].style == run.style:
            merged[-1] = replace(merged[-1], text=merged[-1].text + run.text)
        else:
            merged.append(run)
    return tuple(merged)


# --- Markdown → blocks ------------------------------------------------------------------


def parse_markdown(text: str) -> list[Block]:
    """The blocks of a Markdown text (cached: an export parses each paragraph of a
    section several times, once per contribution that touches it)."""
    return list(_parse(text or ""))


@lru_cache(maxsize=8192)
def _parse(text: str) -> tuple[Block, ...]:
    tokens = _parser.parse(text)
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            blocks.append(Block("heading", _runs(tokens[i + 1]), level=int(token.tag[1])))
            i += 3
        elif token.type == "paragraph_open":
            blocks.append(Block("paragraph", _runs(tokens[i + 1])))
            i += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            end = _closing(tokens, i)
            start = int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else 1
            blocks.append(Block("list", items=tuple(_items(tokens[i:end])), start=start))
            i = end
        elif token.type == "table_open":
            end = _closing(tokens, i)
            blocks.append(Block("table", rows=tuple(_rows(tokens[i:end]))))
            i = end
        elif token.type == "blockquote_open":
            end = _closing(tokens, i)
            for inner in tokens[i:end]:
                if inner.type == "inline":
                    blocks.append(Block("quote", _runs(inner)))
            i = end
        elif token.type in ("fence", "code_block"):
            blocks.append(Block("code", text=token.content.rstrip("\n")))
            i += 1
        elif token.type == "hr":
            blocks.append(Block("rule"))
            i += 1
        else:
            i += 1
    return tuple(blocks)


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index just past the token closing the one at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index + 1
    return len(tokens)


def _items(tokens: Sequence[Token]) -> list[Item]:
    items: list[Item] = []
    kinds: list[bool] = []  # ordered?, per open list
    depth_of_item: list[int] = []
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            kinds.append(token.type == "ordered_list_open")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            kinds.pop()
        elif token.type == "list_item_open":
            depth_of_item.append(len(kinds) - 1)
            items.append(Item((), level=len(kinds) - 1, ordered=kinds[-1]))
        elif token.type == "inline" and items:
            last = items[-1]
            runs = _runs(token)
            if last.runs:  # a second paragraph in the same item: a line break
                runs = (*last.runs, Run("\n"), *runs)
            items[-1] = replace(last, runs=merge_runs(runs))
    return items


def _rows(tokens: Sequence[Token]) -> list[tuple[tuple[Run, ...], ...]]:
    rows: list[tuple[tuple[Run, ...], ...]] = []
    row: list[tuple[Run, ...]] = []
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline":
            row.append(_runs(token))
        elif token.type == "tr_close":
            rows.append(tuple(row))
    return rows


class _Formatting(TypedDict):
    """The formatting open at a point of an inline token: the keyword arguments of a
    ``Run`` besides its text and ``code``."""

    bold: bool
    italic: bool
    strike: bool
    link: str | None


def _runs(inline: Token) -> tuple[Run, ...]:
    runs: list[Run] = []
    bold = italic = strike = 0
    link: list[str] = []
    for child in inline.children or []:
        kind = child.type
        current: _Formatting = {
            "bold": bold > 0,
            "italic": italic > 0,
            "strike": strike > 0,
            "link": link[-1] if link else None,
        }
        if kind == "text":
            runs.append(Run(child.content, **current))
        elif kind == "softbreak":
            runs.append(Run(" ", **current))
        elif kind == "hardbreak":
            runs.append(Run("\n", **current))
        elif kind == "code_inline":
            runs.append(Run(child.content, code=True, **current))
        elif kind == "image":
            runs.append(Run(child.content or "", **current))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            link.append(str(child.attrGet("href") or ""))
        elif kind == "link_close" and link:
            link.pop()
    return merge_runs(runs)


# --- blocks → Markdown ------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>~|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])(\s|$)", re.M)


def _escape(text: str, in_table: bool = False) -> str:
    text = _ESCAPE.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, after = match.groups()
    if marker[0].isdigit():  # a backslash before a digit is no escape: the dot is escaped
        return f"{indent}{marker[:-1]}\\{marker[-1]}{after}"
    return f"{indent}\\{marker}{after}"


def inline_markdown(runs: tuple[Run, ...] | list[Run]) -> str:
    parts: list[str] = []
    for run in merge_runs(list(runs)):
        if run.code:
            ticks = "``" if "`" in run.text else "`"
            body = f"{ticks}{run.text}{ticks}"
        else:
            body = _escape(run.text).replace("\n", "\\\n")
        core = body.strip()
        if not core:  # white space between two formatted runs: written once, unmarked
            parts.append(body)
            continue
        lead = body[: len(body) - len(body.lstrip())]
        trail = body[len(body.rstrip()) :]
        if core and not run.code:
            if run.strike:
                core = f"~~{core}~~"
            if run.bold and run.italic:
                core = f"***{core}***"
            elif run.bold:
                core = f"**{core}**"
            elif run.italic:
                core = f"*{core}*"
        if core and run.link is not None:
            core = f"[{core}]({run.link.replace(' ', '%20').replace(')', '%29')})"
        parts.append(f"{lead}{core}{trail}")
    return "".join(parts).strip()


def to_markdown(blocks: list[Block]) -> str:
    written: list[str] = []
    previous: Block | None = None
    alternate = False
    for block in blocks:
        # Two lists of the same kind one after the other stay two lists: CommonMark
        # starts a new list where the bullet ("-" / "*") or the delimiter ("." / ")")
        # changes, and would join them if both were written alike.
        follows = (
            block.kind == "list"
            and previous is not None
            and previous.kind == "list"
            and _top_ordered(previous) == _top_ordered(block)
        )
        alternate = follows and not alternate
        text = _list_markdown(block, alternate) if block.kind == "list" else block_markdown(block)
        if text:
            written.append(text)
            previous = block
    return "\n\n".join(written)


def _top_ordered(block: Block) -> bool:
    return bool(block.items) and block.items[0].ordered


def block_markdown(block: Block) -> str:
    if block.kind == "heading":
        return f"{'#' * max(1, min(block.level, 6))} {inline_markdown(block.runs)}".rstrip()
    if block.kind == "paragraph":
        return inline_markdown(block.runs)
    if block.kind == "quote":
        return "\n".join(f"> {line}".rstrip() for line in inline_markdown(block.runs).split("\n"))
    if block.kind == "code":
        fence = "````" if "```" in block.text else "```"
        return f"{fence}\n{block.text}\n{fence}"
    if block.kind == "rule":
        return "---"
    if block.kind == "table":
        return _table_markdown(block)
    if block.kind == "list":
        return _list_markdown(block)
    return ""


def _list_markdown(block: Block, alternate: bool = False) -> str:
    """A list, its top level marked "-" and "1." (or "*" and "1)" when ``alternate``: a
    list right after one of the same kind)."""
    lines: list[str] = []
    indents: list[int] = []  # content column of each open level
    counters: list[int] = []  # number of the last item of each open level
    for item in block.items:
        level = min(item.level, len(indents))  # a level cannot be skipped
        del indents[level + 1 :], counters[level + 1 :]
        parent = indents[level - 1] if level > 0 else 0
        if len(counters) <= level:
            counters.append(block.start if level == 0 else 1)
            indents.append(0)
        else:
            counters[level] += 1
        top = alternate and level == 0
        if item.ordered:
            marker = f"{counters[level]}{')' if top else '.'} "
        else:
            marker = "* " if top else "- "
        indents[level] = parent + len(marker)
        text = inline_markdown(item.runs).replace("\\\n", "\\\n" + " " * indents[level])
        lines.append(f"{' ' * parent}{marker}{text}".rstrip())
    return "\n".join(lines)


def _table_markdown(block: Block) -> str:
    if not block.rows:
        return ""
    width = max(len(row) for row in block.rows)

    def cell(runs: tuple[Run, ...]) -> str:
        return inline_markdown(runs).replace("\\\n", " ").replace("\n", " ") or " "

    def line(row: tuple[tuple[Run, ...], ...]) -> str:
        cells = [cell(c) for c in row] + [" "] * (width - len(row))
        return "| " + " | ".join(cells) + " |"

    header, *body = block.rows
    lines = [line(header), "| " + " | ".join(["---"] * width) + " |"]
    lines.extend(line(row) for row in body)
    return "\n".join(lines)


def canonical(text: str) -> str:
    """The Markdown of a text as it comes back from Word."""
    return to_markdown(parse_markdown(text))
