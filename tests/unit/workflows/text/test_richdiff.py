"""Tests for workflows.text.richdiff (two Markdown texts compared as formatted blocks)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.text.blocks import Run, parse_markdown
from workflows.text.merge import align_proposal, apply_hunks, compute_hunks, paragraphs_of
from workflows.text.paragraphs import assign_paragraph_ids
from workflows.text.richdiff import Piece, compare, describe, excerpt, hunk_change, side

HYPOTHESIS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------
# Strategies: Markdown made of the blocks sections hold, and edits of it
# ---------------------------------------------------------------------------

# Words, punctuation, figures (kept whole by the tokenizer) and inline formatting.
WORDS = [
    "le", "la", "de", "logements", "bailleur", "loyer", "convention", ";", ".", "«", "»",
    "1 050", "2,1 %", "12 mars 2026", "15 €", "1\u202f800\u202f000 €",
    "**gras**", "*italique*", "`code`", "[lien](https://example.org)",
]  # fmt: skip

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["heading", "paragraph", "paragraph", "list", "table", "quote", "code", "rule"]
        )
    )
    if kind == "heading":
        return "#" * draw(st.integers(1, 4)) + " " + draw(words)
    if kind == "list":
        lines = []
        for _ in range(draw(st.integers(1, 5))):
            indent = draw(st.sampled_from(["", "", "  "])) if lines else ""
            marker = draw(st.sampled_from(["- ", "1. "]))
            lines.append(indent + marker + draw(words))
        return "\n".join(lines)
    if kind == "table":
        width = draw(st.integers(1, 3))
        rows = [[draw(words) for _ in range(width)] for _ in range(draw(st.integers(1, 4)))]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines.extend("| " + " | ".join(r) + " |" for r in rows[1:])
        return "\n".join(lines)
    if kind == "quote":
        return "> " + draw(words)
    if kind == "code":
        return "```\n" + draw(words) + "\n```"
    if kind == "rule":
        return "---"
    return draw(words)


documents = st.lists(block(), max_size=8)


@st.composite
def edited_documents(draw: st.DrawFn) -> tuple[str, str]:
    """A document and an edit of it: blocks added, removed or replaced, words of some
    lines changed (which may change a list item, a cell, a heading)."""
    old = draw(documents)
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        what = draw(st.sampled_from(["add", "remove", "replace", "words"]))
        pos = draw(st.integers(0, len(new)))
        if what == "add" or not new:
            new.insert(pos, draw(block()))
            continue
        pos = min(pos, len(new) - 1)
        if what == "remove":
            del new[pos]
        elif what == "replace":
            new[pos] = draw(block())
        else:
            lines = new[pos].split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            tokens = lines[k].split(" ")
            t = draw(st.integers(0, len(tokens)))
            tokens[t : t + draw(st.integers(0, 2))] = draw(
                st.lists(st.sampled_from(WORDS), max_size=3)
            )
            lines[k] = " ".join(tokens)
            if draw(st.booleans()):
                lines.insert(k + 1, lines[k])  # a list item or a row more
            new[pos] = "\n".join(lines)
    return "\n\n".join(old), "\n\n".join(new)


def _check(old: str, new: str) -> None:
    diffs = compare(old, new)
    assert side(diffs, "old") == parse_markdown(old)
    assert side(diffs, "new") == parse_markdown(new)
    for d in diffs:
        if d.op == "insert":
            assert d.old is None and all(p.op == "insert" for p in d.pieces)
        if d.op == "delete":
            assert d.new is None and all(p.op == "delete" for p in d.pieces)
        if d.op == "equal":
            assert d.old == d.new
            assert all(p.op == "equal" for p in d.pieces)
            assert all(i.op == "equal" for i in d.items) and all(r.op == "equal" for r in d.rows)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@HYPOTHESIS
@given(edited_documents())
def test_each_side_reads_as_its_text_blocks(pair: tuple[str, str]) -> None:
    _check(*pair)


@HYPOTHESIS
@given(documents.map("\n\n".join), documents.map("\n\n".join))
def test_each_side_reads_as_its_text_blocks_for_unrelated_texts(old: str, new: str) -> None:
    _check(old, new)


@HYPOTHESIS
@given(st.text(), st.text())
def test_each_side_reads_as_its_text_blocks_for_any_text(old: str, new: str) -> None:
    _check(old, new)


@HYPOTHESIS
@given(documents.map("\n\n".join))
def test_a_text_compared_with_itself_is_all_equal(text: str) -> None:
    diffs = compare(text, text)
    assert all(d.op == "equal" for d in diffs)
    assert excerpt(diffs) == []


@HYPOTHESIS
@given(edited_documents())
def test_an_excerpt_keeps_every_change(pair: tuple[str, str]) -> None:
    diffs = compare(*pair)

    def changed_words(ds: list) -> list[Piece]:
        found = []
        for d in ds:
            found.extend(p for p in d.pieces if p.op != "equal")
            for i in d.items:
                found.extend(p for p in i.pieces if p.op != "equal")
            for r in d.rows:
                found.extend(p for c in r.cells for p in c if p.op != "equal")
        return found

    assert changed_words(excerpt(diffs)) == changed_words(diffs)
    if any(d.op != "equal" for d in diffs):
        assert describe(excerpt(diffs))


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------


def _marked(pieces: tuple[Piece, ...]) -> str:
    marks = {"equal": "{}", "insert": "[+{}]", "delete": "[-{}]"}
    return "".join(marks[p.op].format(p.run.text) for p in pieces)


def test_a_heading_a_list_item_and_a_cell_changed_in_place() -> None:
    old = "## Patrimoine\n\n- Enquête ;\n- astreinte.\n\n| Année | Logements |\n|---|---|\n| 2025 | 120 |"
    new = "## Patrimoine bâti\n\n- Enquête ;\n- délai de 15 jours ;\n- astreinte.\n\n| Année | Logements |\n|---|---|\n| 2025 | 125 |"
    heading, items, table = compare(old, new)
    assert (heading.kind, heading.op, _marked(heading.pieces)) == (
        "heading",
        "change",
        "Patrimoine[+ bâti]",
    )
    assert [(i.op, _marked(i.pieces)) for i in items.items] == [
        ("equal", "Enquête ;"),
        ("insert", "[+délai de 15 jours ;]"),
        ("equal", "astreinte."),
    ]
    header, row = table.rows
    assert header.header and header.op == "equal"
    assert [_marked(c) for c in row.cells] == ["2025", "[-120][+125]"]


def test_formatting_changes_show_old_and_new_form() -> None:
    (d,) = compare("Un mot important.", "Un mot **important**.")
    assert [(p.op, p.run.text, p.run.bold) for p in d.pieces if p.op != "equal"] == [
        ("delete", "important", False),
        ("insert", "important", True),
    ]
    assert describe(excerpt([d])) == "Change la mise en forme de « important »"


def test_unrelated_paragraphs_are_removed_and_added_but_lists_are_compared_item_by_item() -> None:
    diffs = compare("Un paragraphe.\n\n- a\n- b", "Tout autre chose ici.\n\n- c\n- d")
    assert [(d.op, d.kind) for d in diffs] == [
        ("delete", "paragraph"),
        ("insert", "paragraph"),
        ("change", "list"),
    ]


def test_excerpt_keeps_the_sentence_of_the_change() -> None:
    old = "Première phrase. Le parc compte 8 400 logements. Dernière phrase."
    (d,) = excerpt(compare(old, old.replace("8 400", "8 412")))
    assert _marked(d.pieces) == "Le parc compte [-8 400][+8 412] logements."
    assert d.cut_before and d.cut_after


def test_descriptions() -> None:
    def said(old: str, new: str) -> str:
        return describe(excerpt(compare(old, new)))

    assert said("Sur 46 communes.", "Sur 47 communes.") == "Remplace « 46 » par « 47 »"
    assert said("Sur 46 communes rurales.", "Sur 46 communes.") == "Supprime « rurales »"
    assert said("", "Un paragraphe ajouté.") == "Ajoute le paragraphe « Un paragraphe ajouté. »"
    assert said("- a ;\n- b.", "- a ;\n- c ;\n- b.") == "Ajoute l'élément de liste « c ; »"
    assert (
        said("- premier ;\n- second.", "- second.") == "Supprime l'élément de liste « premier ; »"
    )
    table = "| Année | Logements |\n|---|---|\n| 2025 | 120 |"
    assert said(table, table + "\n| 2026 | 130 |") == "Ajoute une ligne au tableau (« 2026 | 130 »)"
    assert said(table, table.replace("120", "125")) == (
        "Remplace « 120 » par « 125 » (tableau, ligne « 2025 », colonne « Logements »)"
    )
    assert said("## Patrimoine", "### Patrimoine") == "Met le titre « Patrimoine » au niveau 3"
    long = "mot " * 40
    assert said("", long).endswith("mot… »")


def test_runs_keep_their_formatting_in_pieces() -> None:
    (d,) = compare("Voir [le site](https://a.example).", "Voir [le site](https://b.example).")
    links = {(p.op, p.run.link) for p in d.pieces if p.op != "equal"}
    assert links == {("delete", "https://a.example"), ("insert", "https://b.example")}
    assert side([d], "new")[0].runs[1] == Run("le site", link="https://b.example")


@HYPOTHESIS
@given(edited_documents())
def test_a_change_alone_is_the_paragraph_with_that_hunk_applied(pair: tuple[str, str]) -> None:
    old, new = pair
    base = paragraphs_of(old, assign_paragraph_ids("", None, old))
    proposal = align_proposal(base, new)
    hunks = compute_hunks(base, proposal)
    for hunk in hunks:
        before, after = hunk_change(base, hunk)
        partial = apply_hunks(base, proposal, hunks, {hunk.id})
        if hunk.kind == "insert":
            assert (before, after) == ("", hunk.new_text)
        elif hunk.kind == "delete":
            assert (before, after) == (hunk.old_text, "")
        else:
            (paragraph,) = [p for p in partial if p.id == hunk.paragraph_id]
            assert after == paragraph.text
            assert before == next(p.text for p in base if p.id == hunk.paragraph_id)
        assert describe(excerpt(compare(before, after)))
