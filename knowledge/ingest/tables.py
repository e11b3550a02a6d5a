"""Tables as Markdown pipe tables: written at extraction (Markdown, Word), read back by
passages (split by rows, headers repeated) and by the assistant's units (a row with its
column headers).

A table's text is its header row, the separator row, then one line per row:

    | Année | Logements |
    | --- | --- |
    | 2025 | 40 |

Cells hold one line each (line breaks inside a cell become spaces) and a "|" inside a
cell is written "\\|".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Table", "is_pipe_table", "parse_pipe_table", "pipe_table", "row_text", "split_table"]

_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def pipe_table(rows: Sequence[Sequence[str]]) -> str:
    """The pipe table of ``rows``, the first being the column headers; rows padded to the
    widest; empty rows dropped. Empty text when no row holds anything."""
    kept = [[_cell(c) for c in row] for row in rows if any(c.strip() for c in row)]
    if not kept:
        return ""
    width = max(len(row) for row in kept)
    lines = []
    for index, row in enumerate(kept):
        cells = row + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0:
            lines.append("| " + " | ".join(["---"] * width) + " |")
    return "\n".join(lines)


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(inner)]


def _is_separator(line: str) -> bool:
    cells = _cells(line)
    return bool(cells) and all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in cells)


def is_pipe_table(text: str) -> bool:
    """Whether ``text`` is a pipe table: a header line, a separator line, rows."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return (
        len(lines) >= 2
        and all(line.lstrip().startswith("|") for line in lines)
        and _is_separator(lines[1])
    )


def parse_pipe_table(text: str) -> Table | None:
    """The headers and rows of a pipe table, None when ``text`` is not one."""
    if not is_pipe_table(text):
        return None
    lines = [line for line in text.strip().splitlines() if line.strip()]
    headers = tuple(_cells(lines[0]))
    rows = tuple(tuple(_cells(line)) for line in lines[2:] if not _is_separator(line))
    return Table(headers, rows)


def row_text(headers: Sequence[str], row: Sequence[str]) -> str:
    """A row read with its column headers: "Année : 2025 ; Logements : 40". A cell under
    an empty header stands alone; empty cells are left out."""
    parts = []
    for index, value in enumerate(row):
        if not value.strip():
            continue
        header = headers[index].strip() if index < len(headers) else ""
        parts.append(f"{header} : {value}" if header and header != value else value)
    return " ; ".join(parts)


def split_table(text: str, max_words: int) -> list[str]:
    """A pipe table cut between rows into tables of at most about ``max_words`` words,
    each with the header and separator rows repeated; a row is never cut, so one row
    longer than the bound makes a table of its own."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not is_pipe_table(text) or len(text.split()) <= max_words:
        return [text.strip()]
    head = lines[:2]
    head_words = len(" ".join(head).split())
    pieces: list[str] = []
    current: list[str] = []
    count = head_words
    for line in lines[2:]:
        words = len(line.split())
        if current and count + words > max_words:
            pieces.append("\n".join(head + current))
            current, count = [], head_words
        current.append(line)
        count += words
    if current:
        pieces.append("\n".join(head + current))
    return pieces
