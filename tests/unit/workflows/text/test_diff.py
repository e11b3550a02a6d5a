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
    _edge_penalty,
    change_regions,
    diff_paragraph,
    diff_stats,
    settle_edges,
    split_paragraphs,
    summary,
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
# Figures: numbers, percentages, amounts and dates are one token each
# ---------------------------------------------------------------------------

GAPS = [" ", "\u00a0", "\u202f"]  # space, no-break space, narrow no-break space
MONTHS = ["janvier", "février", "mars", "mai", "août", "décembre"]


@st.composite
def figures(draw: st.DrawFn) -> str:
    gap = draw(st.sampled_from(GAPS))
    groups = [f"{draw(st.integers(0, 999)):03d}" for _ in range(draw(st.integers(0, 3)))]
    number = gap.join([str(draw(st.integers(0, 999))), *groups])
    if draw(st.booleans()):
        number += f",{draw(st.integers(0, 99))}"
    unit = draw(st.sampled_from(["", "%", "€", "M€", "k€"]))
    if unit:
        number += draw(st.sampled_from(["", gap])) + unit
    day, month, year = (
        draw(st.integers(1, 31)),
        draw(st.integers(1, 12)),
        draw(st.integers(1900, 2100)),
    )
    name = draw(st.sampled_from(MONTHS))
    dates = [
        f"{day:02d}/{month:02d}/{year}",
        f"{year}-{month:02d}-{day:02d}",
        f"{day}{gap}{name}{gap}{year}",
        f"1er{gap}{name}{gap}{year}",
        f"{day}{gap}{name}",
    ]
    return draw(st.sampled_from([number, number, *dates]))


@HYPOTHESIS
@given(
    figures(),
    st.sampled_from(["le ", "(", "« ", "\n- ", ""]),
    st.sampled_from([" pour", ".", " ;", ")", ""]),
)
def test_a_figure_is_one_token(figure: str, before: str, after: str) -> None:
    assert tokenize(figure) == [figure]
    tokens = tokenize(before + figure + after)
    assert figure in tokens
    assert "".join(tokens) == before + figure + after


figure_pieces = st.one_of(pieces, figures(), figures())
figure_texts = st.lists(figure_pieces, max_size=60).map(_text)


@st.composite
def texts_with_figures(draw: st.DrawFn) -> tuple[str, str]:
    """A text with figures among its words, and an edit of it where figures change."""
    old = draw(st.lists(figure_pieces, max_size=60))
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(new)))
        new[pos : pos + draw(st.integers(0, 2))] = draw(st.lists(figure_pieces, max_size=3))
    return _text(old), _text(new)


def _boundaries(spans: tuple[Span, ...], ops: set[str]) -> set[int]:
    at, found = 0, {0}
    for span in spans:
        if span.op in ops:
            at += len(span.text)
            found.add(at)
    return found


def _token_boundaries(text: str) -> set[int]:
    at, found = 0, {0}
    for token in tokenize(text):
        at += len(token)
        found.add(at)
    return found


@HYPOTHESIS
@given(st.one_of(texts_with_figures(), st.tuples(figure_texts, figure_texts)))
def test_spans_never_cut_a_figure_and_give_back_each_text(pair: tuple[str, str]) -> None:
    old, new = pair
    _check_invariants(old, new, word_diff(old, new))
    spans = diff_paragraph(old, new)
    assert "".join(s.text for s in spans if s.op != "insert") == old
    assert "".join(s.text for s in spans if s.op != "delete") == new
    # Each span begins and ends between two tokens of its side: a figure is never
    # split between two spans.
    assert _boundaries(spans, {"equal", "delete"}) <= _token_boundaries(old)
    assert _boundaries(spans, {"equal", "insert"}) <= _token_boundaries(new)


@HYPOTHESIS
@given(st.one_of(texts_with_figures(), text_pairs))
def test_a_pure_change_has_the_cleanest_edges_it_can(pair: tuple[str, str]) -> None:
    # A pure insertion that could slide to a place with cleaner edges has been slid
    # there: sliding by one token either way never lowers its penalty.
    old, new = pair
    a, b = tokenize(old), tokenize(new)
    regions = settle_edges(change_regions(a, b), a, b)
    for k, (i1, i2, j1, j2) in enumerate(regions):
        if i1 != i2 or j1 == j2:
            continue
        here = _edge_penalty(b[j1:j2])
        floor = regions[k - 1][3] + 1 if k else 0
        ceiling = regions[k + 1][2] - 1 if k + 1 < len(regions) else len(b)
        if j1 - 1 >= floor and b[j1 - 1] == b[j2 - 1]:
            assert _edge_penalty(b[j1 - 1 : j2 - 1]) >= here
        if j2 + 1 <= ceiling and b[j2] == b[j1]:
            assert _edge_penalty(b[j1 + 1 : j2 + 1]) >= here


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
    assert diff_stats(diffs) == DiffStats(
        inserted_words=1, deleted_words=1, changed_paragraphs=1, modified_paragraphs=1
    )


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
    assert diff_stats(diffs) == DiffStats(
        inserted_words=5, deleted_words=0, changed_paragraphs=1, inserted_paragraphs=1
    )


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
    assert [s.text for s in spans if s.op == "delete"] == ["310,50 €", "T0"]
    assert [s.text for s in spans if s.op == "insert"] == ["315,00 €", "T1"]


def test_large_replace_block_falls_back_to_positional_pairing() -> None:
    # 30 x 30 paragraphs exceeds the pairing cap; similar positional pairs
    # must still be diffed word by word and the invariants must hold.
    old_pars = [f"Article {k} : le bailleur réalise {k} logements sociaux." for k in range(30)]
    new_pars = [p.replace("réalise", "construit") for p in old_pars]
    old, new = "\n\n".join(old_pars), "\n\n".join(new_pars)
    diffs = word_diff(old, new)
    assert [d.op for d in diffs] == ["change"] * 30
    _check_invariants(old, new, diffs)


def test_a_french_number_changes_as_a_whole() -> None:
    spans = diff_paragraph("pour 1 050 attributions par an", "pour 1 080 attributions par an")
    assert [s for s in spans if s.op != "equal"] == [
        Span("delete", "1 050"),
        Span("insert", "1 080"),
    ]
    for gap in ("\u00a0", "\u202f"):
        spans = diff_paragraph(
            f"soit 1{gap}800{gap}000 € et 2,1{gap}%", f"soit 1{gap}900{gap}000 € et 2,4{gap}%"
        )
        assert [s.text for s in spans if s.op == "delete"] == [f"1{gap}800{gap}000 €", f"2,1{gap}%"]


def test_dates_and_amounts_are_whole_tokens() -> None:
    text = "le 12/03/2026, le 2026-03-12, le 12 mars 2026, le 1er janvier 2027 : 12,50 € et 3 M€"
    tokens = tokenize(text)
    for figure in (
        "12/03/2026",
        "2026-03-12",
        "12 mars 2026",
        "1er janvier 2027",
        "12,50 €",
        "3 M€",
    ):
        assert figure in tokens
    # Glued to letters, digits stay part of the word; "12 maisons" is not a date.
    assert "2024abc" in tokenize("en 2024abc")
    assert tokenize("12 maisons") == ["12", " ", "maisons"]
    # A year is not the head of a grouped number.
    assert tokenize("en 2024 120 logements")[:5] == ["en", " ", "2024", " ", "120"]


def test_an_inserted_sentence_does_not_start_with_stray_punctuation() -> None:
    spans = diff_paragraph(
        "Premier point. Dernier point.", "Premier point. Point ajouté. Dernier point."
    )
    assert Span("insert", "Point ajouté. ") in spans
    spans = diff_paragraph(
        "- Enquête ;\n- astreinte.", "- Enquête ;\n- délai de 15 jours ;\n- astreinte."
    )
    assert Span("insert", "- délai de 15 jours ;\n") in spans


def test_stats_count_list_items_and_table_rows() -> None:
    old = "- a ;\n- b.\n\n| Année | Logements |\n|---|---|\n| 2025 | 120 |\n| 2026 | 130 |"
    new = "- a ;\n- b ;\n- c.\n\n| Année | Logements |\n|---|---|\n| 2025 | 125 |"
    stats = diff_stats(word_diff(old, new))
    assert stats.changed_paragraphs == 2
    assert (stats.inserted_items, stats.modified_items, stats.deleted_items) == (1, 1, 0)
    assert (stats.inserted_rows, stats.modified_rows, stats.deleted_rows) == (0, 1, 1)
    assert stats.modified_paragraphs == 0
    assert summary(stats) == [
        "1 élément de liste ajouté",
        "1 élément de liste modifié",
        "1 ligne de tableau supprimée",
        "1 ligne de tableau modifiée",
    ]
    added = diff_stats(word_diff("- a.", "- a.\n\n- b ;\n- c."))
    assert added.inserted_items == 2 and added.inserted_paragraphs == 0
    assert summary(diff_stats(word_diff("Un.\n\nDeux.", "Un, modifié.\n\n## Titre"))) == [
        "1 paragraphe ajouté",
        "1 paragraphe supprimé",
        "1 paragraphe modifié",
    ]
