"""Hypothesis strategies: section bodies as Cosigne's authors and imports write them.

Every construct a section holds (headings, paragraphs with bold, italic, strikethrough,
code, links and hard breaks, nested and numbered lists, tables, quotes, code blocks,
rules, escaped characters), spelled the several ways people write Markdown by hand:
paragraphs hard-wrapped, ``*`` and ``_`` emphasis, ``*``/``-``/``+`` bullets, ``1.`` and
``1)`` numbers, ``***`` and ``___`` rules, tables with or without outer pipes and
alignment. ``bodies()`` also gives them in canonical form, which is how the Word import
writes a section (``workflows.text.blocks.to_markdown``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from workflows.text.blocks import canonical

WORDS = [
    "logement",
    "logements",
    "social",
    "bailleur",
    "office",
    "commune",
    "habitat",
    "loyer",
    "réhabilitation",
    "vacance",
    "attribution",
    "locataires",
    "quartier",
    "patrimoine",
    "objectif",
    "énergie",
    "étiquette",
    "convention",
    "période",
    "ménages",
    "demande",
    "PLAI",
    "l'office",
    "aujourd'hui",
    "d'abord",
    "agglomération",
    "QPV",
    "fin",
]

word = st.sampled_from(WORDS)
NUMBERS = ["60", "1 200", "2,1", "2024", "18"]
PUNCTUATION = ["", "", "", ",", ".", " :", " ;", " %", " !", " ?"]


@st.composite
def phrase(draw: st.DrawFn, min_words: int = 1, max_words: int = 6) -> str:
    parts = draw(st.lists(st.sampled_from(WORDS + NUMBERS), min_size=min_words, max_size=max_words))
    return " ".join(parts) + draw(st.sampled_from(PUNCTUATION))


@st.composite
def span(draw: st.DrawFn) -> str:
    """One piece of inline text, formatted or not, as people type it."""
    kind = draw(
        st.sampled_from(
            ["plain", "plain", "plain", "em", "strong", "both", "strike", "code", "link", "escape"]
        )
    )
    text = draw(phrase(1, 3))
    if kind == "em":
        marker = draw(st.sampled_from(["*", "_"]))
        return f"{marker}{text.rstrip(' .,:;%!?')}{marker}"
    if kind == "strong":
        marker = draw(st.sampled_from(["**", "__"]))
        return f"{marker}{text.rstrip(' .,:;%!?')}{marker}"
    if kind == "both":
        return f"***{text.rstrip(' .,:;%!?')}***"
    if kind == "strike":
        return f"~~{text.rstrip(' .,:;%!?')}~~"
    if kind == "code":
        return f"`{draw(word)}_{draw(st.sampled_from(NUMBERS))}`"
    if kind == "link":
        path = draw(st.sampled_from(["", "cus", "circulaire/2024", "a?b=1"]))
        return f"[{text.rstrip(' .,:;%!?')}](https://exemple.fr/{path})"
    if kind == "escape":
        char = draw(st.sampled_from(["\\*", "\\_", "\\#", "\\[", "\\]", "\\`", "\\\\", "\\<"]))
        return f"{draw(word)} {char} {draw(word)}"
    return text


@st.composite
def inline(draw: st.DrawFn, breaks: bool = True) -> str:
    """A paragraph's text: spans, maybe hard-wrapped (soft breaks) or with hard breaks."""
    spans = draw(st.lists(span(), min_size=1, max_size=6))
    text = spans[0]
    for piece in spans[1:]:
        joint = " "
        if breaks:
            joint = draw(st.sampled_from([" ", " ", " ", "\n", "\\\n", "  \n"]))
        text += joint + piece
    return text


@st.composite
def heading(draw: st.DrawFn) -> str:
    hashes = "#" * draw(st.integers(min_value=1, max_value=4))
    return f"{hashes} {draw(inline(breaks=False))}"


@st.composite
def list_block(draw: st.DrawFn) -> str:
    """A list, bulleted or numbered, nested up to three levels, as written by hand."""
    ordered = draw(st.booleans())
    marker = draw(st.sampled_from(["-", "*", "+"]))
    delimiter = draw(st.sampled_from([".", ")"]))
    start = draw(st.sampled_from([1, 1, 1, 3]))
    lines: list[str] = []

    def items(level: int, indent: str, is_ordered: bool, first: int) -> None:
        count = draw(st.integers(min_value=1, max_value=3))
        for index in range(count):
            bullet = f"{first + index}{delimiter} " if is_ordered else f"{marker} "
            text = draw(inline(breaks=False))
            lines.append(f"{indent}{bullet}{text}")
            if level < 2 and draw(st.integers(min_value=0, max_value=3)) == 0:
                items(level + 1, indent + " " * len(bullet), draw(st.booleans()), 1)

    items(0, "", ordered, start)
    return "\n".join(lines)


@st.composite
def table(draw: st.DrawFn) -> str:
    width = draw(st.integers(min_value=1, max_value=4))
    rows = draw(st.integers(min_value=1, max_value=4))
    outer = draw(st.booleans())

    def row(cells: list[str]) -> str:
        inner = " | ".join(cells)
        return f"| {inner} |" if outer else inner

    header = [draw(phrase(1, 2)) for _ in range(width)]
    separator = [draw(st.sampled_from(["---", ":--", "--:", ":-:", "----"])) for _ in range(width)]
    body = [[draw(inline(breaks=False)) for _ in range(width)] for _ in range(rows)]
    if width == 1 and not outer:  # a single column needs its pipes to be a table
        outer = True
    return "\n".join([row(header), row(separator), *(row(cells) for cells in body)])


@st.composite
def quote(draw: st.DrawFn) -> str:
    lines = draw(inline()).split("\n")
    return "\n".join(f"> {line}" for line in lines)


@st.composite
def code(draw: st.DrawFn) -> str:
    fence = draw(st.sampled_from(["```", "~~~"]))
    language = draw(st.sampled_from(["", "", "text"]))
    body = "\n".join(draw(st.lists(phrase(1, 4), min_size=1, max_size=3)))
    return f"{fence}{language}\n{body}\n{fence}"


rule = st.sampled_from(["---", "***", "___", "- - -"])


@st.composite
def authored(draw: st.DrawFn) -> str:
    """A body as an author writes it by hand."""
    kinds = st.sampled_from(
        ["paragraph", "paragraph", "paragraph", "heading", "list", "table", "quote", "code", "rule"]
    )
    blocks: list[str] = []
    previous = ""
    for kind in draw(st.lists(kinds, min_size=1, max_size=7)):
        if kind == "list" and previous == "list":
            # Two lists one after the other are one list to a reader: authors put text
            # between them.
            blocks.append(draw(inline()))
        if kind == "paragraph":
            blocks.append(draw(inline()))
        elif kind == "heading":
            blocks.append(draw(heading()))
        elif kind == "list":
            blocks.append(draw(list_block()))
        elif kind == "table":
            blocks.append(draw(table()))
        elif kind == "quote":
            blocks.append(draw(quote()))
        elif kind == "code":
            blocks.append(draw(code()))
        else:
            blocks.append(draw(rule))
        previous = kind
    separators = [draw(st.sampled_from(["\n\n", "\n\n", "\n\n\n"])) for _ in blocks[1:]]
    text = blocks[0]
    for separator, block in zip(separators, blocks[1:], strict=True):
        text += separator + block
    return text


def bodies() -> st.SearchStrategy[str]:
    """Bodies written by hand, and as the Word import writes them (canonical)."""
    return st.one_of(authored(), authored().map(canonical))
