"""How much a section's text and a contribution may hold: every limit, in one place.

A body is refused at the door (``check_body``, called by ``workflows.revisions.clean_body``
for every revision, contribution and draft, and by the Word import's plan for every
section it brings), so that no later request works on more: the page renders a body with
markdown-it, the revision page diffs it, a contribution page merges it, the export writes
it to Word, and each of those costs grows with what the body holds, not only with its
bytes. A real section of a CUS is a few pages: some dozens of paragraphs, a table or two of
a few dozen rows, lists two or three levels deep, some bold words. Every limit is far
above that, and 1 MB of ordinary text (the size limit) passes all of them; what they stop
is a body made to be expensive, such as 330,000 one-letter paragraphs (a page of 17 s)
or 998,000 emphasis marks (14.8 s), which the size limit alone let through.

Counts (paragraphs, marks, rows, cells, changes) are refused as too large (HTTP 413),
nesting as malformed input (400); the message names the limit. Nothing is written.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from workflows.errors import InvalidInput, TooLarge
from workflows.text.diff import split_paragraphs

# 1 MB of Markdown, counted in UTF-8 bytes: some 300 pages of text, a hundred times a
# real section.
MAX_BODY_BYTES = 1_000_000

# Paragraphs (blocks between blank lines, as contributions count them): every paragraph
# is a block to render, to align in a comparison and to carry an id. Aligning two texts
# (difflib, on the revision and contribution pages) grows with paragraphs times changes:
# 5,000 paragraphs changed all over take 1.5 s the first time, 20,000 took 22 s. 1 MB of
# ordinary text is some 2,000 paragraphs; a real section has a few dozen to a few hundred.
MAX_PARAGRAPHS = 5_000

# Changes (hunks) of one contribution: its page shows each one in its paragraph (about a
# millisecond apiece), and the alignment above grows with them. A section of a few
# hundred paragraphs rewritten from end to end is about two per paragraph (a deletion and
# an insertion); a real contribution has a handful to a few dozen.
MAX_HUNKS = 2_000

# Runs of emphasis or strikethrough marks (*, _, ~): markdown-it pays for each one as a
# delimiter, some 15 us apiece. Every word of a 1 MB section in bold is about 180,000 runs
# (two per word), which must still save, from the editor as from the text area.
MAX_EMPHASIS_RUNS = 200_000

# Opening brackets: each one makes markdown-it look for a link (an image with "!["), the
# most expensive inline rule, some 30 us apiece (20,000 of "![" render in 1 s). Four links
# in every paragraph of the largest section is 20,000; a real section has a few.
MAX_LINK_MARKS = 20_000

# The other characters that open inline markup (code spans, autolinks, escapes, entities),
# a few us apiece; the editor escapes a literal * or _ with a backslash, so a text full of
# them still passes.
MAX_OTHER_MARKS = 100_000
_OTHER_MARKS = "`<\\&"

# The préfet's note d'enjeux et d'objectifs (workflows.enjeux): a handful of key points
# of the negotiation, each a sentence or two, and its file. The page lists every point on
# the convention's page and beside each section: 40 points of 500 characters stay a
# screen or two; the file is a few pages of PDF or Word (a 60-page scan is under 10 MB).
MAX_NOTE_POINTS = 40
NOTE_POINT_MAX_CHARS = 500
NOTE_FILE_MAX_BYTES = 10 * 1024 * 1024

# Tables. Word, where every convention is exported, opens a table of 63 columns at
# most; a table of the rents of every residence of a large organisme has some hundreds
# of rows. These bound a table's size for the page and the diff; the Word export's cost
# per table is not bounded by them alone (it grows with the square of the cells, in
# workflows/word/writer.py, to be made linear there).
MAX_TABLE_COLUMNS = 63
MAX_TABLE_ROWS = 5_000
MAX_TABLE_CELLS = 50_000

# Lists and quotes inside one another. Word offers nine list levels, and the page's
# renderer (markdown-it, 20 levels of tokens, a list taking two) drops the text of a
# tenth: a body nested deeper would not be shown whole.
MAX_NESTING = 9

_EMPHASIS_RUN = re.compile(r"\*+|_+|~+")
# A line of dashes, colons, pipes and blanks only, with a pipe: a table's delimiter row.
# Possessive, so that a long line that turns out not to be one is not read again and again.
_DELIMITER_ROW = re.compile(r"^(?=[^\n]*\|)[ \t|:-]*+$", re.MULTILINE)
_DASHES = re.compile(r"-+")

# Only the block structure (tables, lists, quotes) is read here: the inline rules are the
# expensive part, and their cost is bounded by counting marks instead. Nesting is read a
# few levels past the limit, no further, so that no body makes the parser recurse deep.
_blocks = MarkdownIt("commonmark", {"html": False, "maxNesting": 2 * MAX_NESTING + 6})
_blocks.enable(["table"])
_blocks.core.ruler.enableOnly(["normalize", "block"])

_NESTED = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open"})
_UNNESTED = frozenset({"bullet_list_close", "ordered_list_close", "blockquote_close"})


def number(count: int) -> str:
    """A count as French writes it: "20 000" (no-break space between thousands)."""
    return f"{count:,}".replace(",", "\u00a0")


def check_body(body: str, what: str = "Le texte") -> None:
    """Refuse a body (already normalised) past any limit of this module.

    The cheap counts come first, so that the structure is only parsed for a body they
    bound. ``what`` names the text in the message ("Le texte", "La section « X »")."""
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise TooLarge(
            f"{what} fait {size / 1_000_000:.1f} Mo : la limite est de 1 Mo par section."
        )
    paragraphs = len(split_paragraphs(body))
    if paragraphs > MAX_PARAGRAPHS:
        raise TooLarge(
            f"{what} compte {number(paragraphs)} paragraphes : la limite est de "
            f"{number(MAX_PARAGRAPHS)} par section."
        )
    runs = len(_EMPHASIS_RUN.findall(body))
    if runs > MAX_EMPHASIS_RUNS:
        raise TooLarge(
            f"{what} contient {number(runs)} marques de mise en forme (*, _ ou ~) : la "
            f"limite est de {number(MAX_EMPHASIS_RUNS)} par section."
        )
    brackets = body.count("[")
    if brackets > MAX_LINK_MARKS:
        raise TooLarge(
            f"{what} contient {number(brackets)} crochets « [ » : la limite est de "
            f"{number(MAX_LINK_MARKS)} par section."
        )
    others = sum(body.count(mark) for mark in _OTHER_MARKS)
    if others > MAX_OTHER_MARKS:
        raise TooLarge(
            f"{what} contient {number(others)} caractères de balisage (`, <, \\ ou &) : la "
            f"limite est de {number(MAX_OTHER_MARKS)} par section."
        )
    _check_structure(body, what)


def _check_structure(body: str, what: str) -> None:
    of = "du texte" if what == "Le texte" else f"de {what[:1].lower()}{what[1:]}"
    too_wide = TooLarge(
        f"Un tableau {of} dépasse {MAX_TABLE_COLUMNS} colonnes : la limite est de "
        f"{MAX_TABLE_COLUMNS} colonnes par tableau (celle de Word)."
    )
    # A table's delimiter row ("|---|:-:|") says its columns: read first, in one scan,
    # since markdown-it reads a whole row of 100,000 cells before the count below could.
    for line in _DELIMITER_ROW.findall(body):
        if line.count("-") > MAX_TABLE_COLUMNS and len(_DASHES.findall(line)) > MAX_TABLE_COLUMNS:
            raise too_wide
    depth = 0
    rows = columns = 0
    for token in _blocks.parse(body):
        kind = token.type
        if kind in _NESTED:
            depth += 1
            if depth > MAX_NESTING:
                raise InvalidInput(
                    f"{what} imbrique plus de {MAX_NESTING} niveaux de listes ou de "
                    f"citations : la limite est de {MAX_NESTING} (au-delà, la page n'en "
                    "montrerait pas tout le texte)."
                )
        elif kind in _UNNESTED:
            depth -= 1
        elif kind == "table_open":
            rows = columns = 0
        elif kind == "tr_open":
            rows += 1
            if rows > MAX_TABLE_ROWS:
                raise TooLarge(
                    f"Un tableau {of} dépasse "
                    f"{number(MAX_TABLE_ROWS)} lignes : la limite est de "
                    f"{number(MAX_TABLE_ROWS)} lignes par tableau."
                )
        elif kind in ("th_open", "td_open") and rows == 1:
            columns += 1
            if columns > MAX_TABLE_COLUMNS:
                raise too_wide
        elif kind == "tr_close" and rows * columns > MAX_TABLE_CELLS:
            raise TooLarge(
                f"Un tableau {of} dépasse "
                f"{number(MAX_TABLE_CELLS)} cellules : la limite est de "
                f"{number(MAX_TABLE_CELLS)} cellules par tableau."
            )


def check_hunks(count: int) -> None:
    """Refuse a contribution of more changes than its page may show."""
    if count > MAX_HUNKS:
        raise TooLarge(
            f"La contribution compte {number(count)} modifications : la limite est de "
            f"{number(MAX_HUNKS)} par contribution. Proposez-la en plusieurs fois."
        )
