"""Tests for workflows.text.diff (word-level tracked changes between Markdown texts)."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.text import diff as diff_module
from workflows.text.diff import (
    DiffStats,
    ParagraphDiff,
    Span,
    diff_paragraph,
    diff_stats,
    split_paragraphs,
    tokenize,
    word_diff,
)

# ---------------------------------------------------------------------------
# Strategies: French-ish texts made of words, punctuation and separators.
# ---------------------------------------------------------------------------

_WORD_LIST = (
    "le la les de des du et à en un une bailleur collectivité réhabilitation logement"
    " logements convention utilité sociale article engagement loyer aujourd'hui l'office"
    " d'État où être prévu énergétique 2024 12 CUS OPH Œuvre ça naïf"
)
WORDS = _WORD_LIST.split()
PUNCT = [",", ".", ";", ":", "!", "?", "«", "»", "-", "*", "#", "(", ")", "|"]
SEPARATORS = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", "\n \n", "\t"]

pieces = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS),
    st.sampled_from(PUNCT),
    st.sampled_from(SEPARATORS),
)
piece_lists = st.lists(pieces, max_size=80)


def _text(parts: list[str]) -> str:
    return "".join(parts)


@st.composite
def edited_pair(draw: st.DrawFn) -> tuple[str, str]:
    """An old text and a new text derived from it by random local edits."""
    old = draw(piece_lists)
    new = list(old)
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        pos = draw(st.integers(min_value=0, max_value=len(new)))
        if kind == "insert" or not new:
            new[pos:pos] = draw(st.lists(pieces, min_size=1, max_size=8))
        else:
            pos = min(pos, len(new) - 1)
            end = pos + draw(st.integers(min_value=1, max_value=8))
            if kind == "delete":
                del new[pos:end]
            else:
                new[pos:end] = draw(st.lists(pieces, min_size=1, max_size=8))
    return _text(old), _text(new)


text_pairs = st.one_of(
    edited_pair(),
    st.tuples(piece_lists.map(_text), piece_lists.map(_text)),
)

HYPOTHESIS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _side(diffs: list[ParagraphDiff], index_attr: str, ops: set[str]) -> list[tuple[int, str]]:
    return [
        (getattr(d, index_attr), "".join(s.text for s in d.spans if s.op in ops))
        for d in diffs
        if getattr(d, index_attr) is not None
    ]


def _check_invariants(old: str, new: str, diffs: list[ParagraphDiff]) -> None:
    old_pars = split_paragraphs(old)
    new_pars = split_paragraphs(new)

    old_side = _side(diffs, "old_index", {"equal", "delete"})
    assert [i for i, _ in old_side] == list(range(len(old_pars)))
    assert [text for _, text in old_side] == old_pars

    new_side = _side(diffs, "new_index", {"equal", "insert"})
    assert [j for j, _ in new_side] == list(range(len(new_pars)))
    assert [text for _, text in new_side] == new_pars

    for d in diffs:
        assert d.spans, d
        assert all(s.text for s in d.spans), d
        # Adjacent spans are merged when they share an op.
        assert all(a.op != b.op for a, b in zip(d.spans, d.spans[1:], strict=False)), d
        if d.op in ("equal", "insert", "delete"):
            assert len(d.spans) == 1 and d.spans[0].op == d.op, d
        if d.op == "insert":
            assert d.old_index is None and d.new_index is not None
        elif d.op == "delete":
            assert d.new_index is None and d.old_index is not None
        else:
            assert d.old_index is not None and d.new_index is not None
        if d.op == "change":
            assert any(s.op != "equal" for s in d.spans), d


# ---------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------


@HYPOTHESIS
@given(piece_lists.map(_text))
def test_tokenize_is_lossless(text: str) -> None:
    assert "".join(tokenize(text)) == text


@HYPOTHESIS
@given(st.text())
def test_tokenize_is_lossless_on_arbitrary_unicode(text: str) -> None:
    assert "".join(tokenize(text)) == text


@HYPOTHESIS
@given(st.one_of(piece_lists.map(_text), st.text()))
def test_split_paragraphs_shape(text: str) -> None:
    for paragraph in split_paragraphs(text):
        assert paragraph.strip()
        assert paragraph == paragraph.rstrip()
        assert "\r" not in paragraph
        assert all(line.strip() for line in paragraph.split("\n"))


@HYPOTHESIS
@given(text_pairs)
def test_word_diff_recovers_both_texts(pair: tuple[str, str]) -> None:
    old, new = pair
    _check_invariants(old, new, word_diff(old, new))


@HYPOTHESIS
@given(st.text(), st.text())
def test_word_diff_recovers_arbitrary_unicode(old: str, new: str) -> None:
    _check_invariants(old, new, word_diff(old, new))


@HYPOTHESIS
@given(text_pairs)
def test_diff_paragraph_recovers_both_paragraphs(pair: tuple[str, str]) -> None:
    old, new = pair
    spans = diff_paragraph(old, new)
    assert "".join(s.text for s in spans if s.op in ("equal", "delete")) == old
    assert "".join(s.text for s in spans if s.op in ("equal", "insert")) == new
    assert all(s.text for s in spans)
    assert all(a.op != b.op for a, b in zip(spans, spans[1:], strict=False))


@HYPOTHESIS
@given(text_pairs)
def test_invariants_hold_on_the_fallback_paths(pair: tuple[str, str]) -> None:
    # The chunk-level pre-alignment and the positional pairing only kick in
    # on large inputs; force them so that random small inputs exercise them.
    old, new = pair
    with (
        patch.object(diff_module, "CHUNK_LEVEL_CELLS", 0),
        patch.object(diff_module, "MAX_PAIRING_CELLS", 0),
    ):
        _check_invariants(old, new, word_diff(old, new))
        spans = diff_paragraph(old, new)
    assert "".join(s.text for s in spans if s.op in ("equal", "delete")) == old
    assert "".join(s.text for s in spans if s.op in ("equal", "insert")) == new


@HYPOTHESIS
@given(piece_lists.map(_text))
def test_identical_texts_are_all_equal(text: str) -> None:
    diffs = word_diff(text, text)
    assert all(d.op == "equal" for d in diffs)
    assert len(diffs) == len(split_paragraphs(text))
    assert diff_stats(diffs) == DiffStats(0, 0, 0)


@HYPOTHESIS
@given(text_pairs)
def test_stats_count_non_equal_paragraphs(pair: tuple[str, str]) -> None:
    old, new = pair
    diffs = word_diff(old, new)
    stats = diff_stats(diffs)
    assert stats.changed_paragraphs == sum(d.op != "equal" for d in diffs)
    assert stats.inserted_words >= 0 and stats.deleted_words >= 0
    if stats.changed_paragraphs == 0:
        assert split_paragraphs(old) == split_paragraphs(new)


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------

P1 = "Le bailleur s'engage à réhabiliter les logements."
P2 = "La collectivité garantit les emprunts contractés par l'office."
P3 = "La présente convention est conclue pour une durée de six ans."


def test_split_paragraphs_rules() -> None:
    text = "\r\n\n  \nPremier\r\nparagraphe  \n \t \n\n# Titre\rdeux\n\n\n- a\n- b\n\n"
    assert split_paragraphs(text) == ["Premier\nparagraphe", "# Titre\ndeux", "- a\n- b"]
    assert split_paragraphs("") == []
    assert split_paragraphs(" \n\n\t\n") == []


def test_tokenize_keeps_accented_words_whole() -> None:
    tokens = tokenize("La réhabilitation énergétique, prévue en 2024.")
    assert "réhabilitation" in tokens
    assert "énergétique" in tokens
    assert tokens[-1] == "."
    # Decomposed accents (NFD) also stay inside the word.
    assert "re\u0301habilitation" in tokenize("une re\u0301habilitation")


def test_single_word_change_in_one_of_three_paragraphs() -> None:
    old = "\n\n".join([P1, P2, P3])
    new = "\n\n".join([P1, P2, P3.replace("six", "neuf")])
    diffs = word_diff(old, new)

    assert [d.op for d in diffs] == ["equal", "equal", "change"]
    change = diffs[2]
    assert (change.old_index, change.new_index) == (2, 2)
    assert [s for s in change.spans if s.op != "equal"] == [
        Span("delete", "six"),
        Span("insert", "neuf"),
    ]
    assert change.spans[0] == Span("equal", "La présente convention est conclue pour une durée de ")
    assert diff_stats(diffs) == DiffStats(inserted_words=1, deleted_words=1, changed_paragraphs=1)


def test_accented_word_change_is_a_whole_word() -> None:
    spans = diff_paragraph("la réhabilitation du parc", "la rénovation du parc")
    assert spans == (
        Span("equal", "la "),
        Span("delete", "réhabilitation"),
        Span("insert", "rénovation"),
        Span("equal", " du parc"),
    )


def test_inserted_paragraph() -> None:
    new_par = "Un nouvel article est ajouté."
    diffs = word_diff("\n\n".join([P1, P3]), "\n\n".join([P1, new_par, P3]))
    assert [d.op for d in diffs] == ["equal", "insert", "equal"]
    assert diffs[1] == ParagraphDiff("insert", (Span("insert", new_par),), None, 1)
    assert diff_stats(diffs) == DiffStats(inserted_words=5, deleted_words=0, changed_paragraphs=1)


def test_deleted_paragraph() -> None:
    diffs = word_diff("\n\n".join([P1, P2, P3]), "\n\n".join([P1, P3]))
    assert [d.op for d in diffs] == ["equal", "delete", "equal"]
    assert diffs[1] == ParagraphDiff("delete", (Span("delete", P2),), 1, None)


def test_unrelated_replacement_is_delete_then_insert() -> None:
    other = "Annexe : tableau des loyers maximaux par typologie."
    diffs = word_diff("\n\n".join([P1, P2, P3]), "\n\n".join([P1, other, P3]))
    assert [d.op for d in diffs] == ["equal", "delete", "insert", "equal"]


def test_replace_block_pairs_similar_paragraphs_in_order() -> None:
    old = "\n\n".join([P1, P2, P3])
    new = "\n\n".join(
        [
            P1.replace("réhabiliter", "rénover"),
            "Paragraphe sans aucun rapport avec le reste.",
            P2.replace("garantit", "cautionne"),
            P3.replace("six", "neuf"),
        ]
    )
    diffs = word_diff(old, new)
    assert [(d.op, d.old_index, d.new_index) for d in diffs] == [
        ("change", 0, 0),
        ("insert", None, 1),
        ("change", 1, 2),
        ("change", 2, 3),
    ]
    _check_invariants(old, new, diffs)


def test_whitespace_between_changes_is_folded() -> None:
    spans = diff_paragraph("un deux trois quatre", "un zwei drei quatre")
    assert spans == (
        Span("equal", "un "),
        Span("delete", "deux trois"),
        Span("insert", "zwei drei"),
        Span("equal", " quatre"),
    )


def test_pure_insertion_keeps_spaces_equal() -> None:
    spans = diff_paragraph("a b c", "a x b y c")
    assert "".join(s.text for s in spans if s.op == "delete") == ""
    assert "".join(s.text for s in spans if s.op in ("equal", "insert")) == "a x b y c"


def test_empty_texts() -> None:
    assert word_diff("", "") == []
    assert word_diff("", "Bonjour.") == [
        ParagraphDiff("insert", (Span("insert", "Bonjour."),), None, 0)
    ]
    assert word_diff("Bonjour.", "  \n") == [
        ParagraphDiff("delete", (Span("delete", "Bonjour."),), 0, None)
    ]
    assert diff_paragraph("", "") == ()
    assert diff_stats([]) == DiffStats(0, 0, 0)


def test_long_table_is_diffed_row_by_row() -> None:
    rows = [f"| T{k % 5} | {k} m² | {300 + k},50 € |" for k in range(300)]
    new_rows = list(rows)
    new_rows[10] = new_rows[10].replace("310,50", "315,00")
    new_rows[200] = new_rows[200].replace("T0", "T1")
    spans = diff_paragraph("\n".join(rows), "\n".join(new_rows))
    assert [s.text for s in spans if s.op == "delete"] == ["310", "50", "T0"]
    assert [s.text for s in spans if s.op == "insert"] == ["315", "00", "T1"]


def test_large_replace_block_falls_back_to_positional_pairing() -> None:
    # 30 x 30 paragraphs exceeds the pairing cap; similar positional pairs
    # must still be diffed word by word and the invariants must hold.
    old_pars = [f"Article {k} : le bailleur réalise {k} logements sociaux." for k in range(30)]
    new_pars = [p.replace("réalise", "construit") for p in old_pars]
    old, new = "\n\n".join(old_pars), "\n\n".join(new_pars)
    diffs = word_diff(old, new)
    assert [d.op for d in diffs] == ["change"] * 30
    _check_invariants(old, new, diffs)
