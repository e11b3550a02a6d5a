"""Tests for workflows.text.paragraphs (stable paragraph ids across revisions)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.text import paragraphs as paragraphs_module
from workflows.text.diff import ParagraphDiff, Span, split_paragraphs, word_diff
from workflows.text.paragraphs import assign_paragraph_ids, new_paragraph_id

HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

REV1 = (
    "Article 1. Le bailleur s'engage à réhabiliter 120 logements.\n\n"
    "Article 2. Le loyer maximal est fixé à 80 € par mois.\n\n"
    "Article 3. La convention est conclue pour six ans."
)


def test_new_paragraph_id_is_12_hex_chars_and_random() -> None:
    ids = {new_paragraph_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{12}", i) for i in ids)


def test_first_revision_gets_fresh_distinct_ids() -> None:
    ids = assign_paragraph_ids("", None, REV1)
    assert len(ids) == 3
    assert len(set(ids)) == 3


def test_old_text_is_ignored_without_old_ids() -> None:
    assert len(assign_paragraph_ids("un\n\ndeux\n\ntrois\n\nquatre", None, "a\n\nb")) == 2


def test_empty_texts() -> None:
    assert assign_paragraph_ids("", None, "") == []
    assert assign_paragraph_ids("", [], "") == []
    assert len(assign_paragraph_ids("", [], "Un paragraphe.")) == 1
    assert assign_paragraph_ids("Un paragraphe.", ["p1"], "  \n\n ") == []


def test_unchanged_text_keeps_every_id() -> None:
    ids = ["p1", "p2", "p3"]
    assert assign_paragraph_ids(REV1, ids, REV1) == ids


def test_edited_paragraph_keeps_its_id_inserted_one_gets_a_fresh_id() -> None:
    rev2 = (
        "Article 1. Le bailleur s'engage à réhabiliter 120 logements.\n\n"
        "Article 1 bis. Les travaux commencent en 2025.\n\n"
        "Article 2. Le loyer maximal est fixé à 45 € par mois.\n\n"
        "Article 3. La convention est conclue pour six ans."
    )
    ids = assign_paragraph_ids(REV1, ["p1", "p2", "p3"], rev2)
    assert ids[0] == "p1"
    assert ids[2] == "p2"
    assert ids[3] == "p3"
    assert ids[1] not in {"p1", "p2", "p3"}
    assert re.fullmatch(r"[0-9a-f]{12}", ids[1])


def test_deleted_paragraph_id_disappears() -> None:
    rev2 = (
        "Article 1. Le bailleur s'engage à réhabiliter 120 logements.\n\n"
        "Article 3. La convention est conclue pour six ans."
    )
    assert assign_paragraph_ids(REV1, ["p1", "p2", "p3"], rev2) == ["p1", "p3"]


def test_paragraph_rewritten_beyond_recognition_gets_a_fresh_id() -> None:
    rev2 = (
        "Article 1. Le bailleur s'engage à réhabiliter 120 logements.\n\n"
        "Toute somme due au titre de la présente sera versée sous trente jours.\n\n"
        "Article 3. La convention est conclue pour six ans."
    )
    ids = assign_paragraph_ids(REV1, ["p1", "p2", "p3"], rev2)
    assert ids[0] == "p1" and ids[2] == "p3"
    assert ids[1] not in {"p1", "p2", "p3"}


def test_ids_survive_several_revisions() -> None:
    rev2 = REV1.replace("120 logements", "150 logements")
    rev3 = "Préambule.\n\n" + rev2.replace("six ans", "neuf ans")
    ids1 = assign_paragraph_ids("", None, REV1)
    ids2 = assign_paragraph_ids(REV1, ids1, rev2)
    ids3 = assign_paragraph_ids(rev2, ids2, rev3)
    assert ids2 == ids1
    assert ids3[1:] == ids1
    assert ids3[0] not in ids1


def test_wrong_number_of_old_ids_is_refused() -> None:
    with pytest.raises(ValueError):
        assign_paragraph_ids(REV1, ["p1", "p2"], REV1)
    with pytest.raises(ValueError):
        assign_paragraph_ids(REV1, ["p1", "p2", "p3", "p4"], REV1)


def test_an_old_id_is_never_given_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    # word_diff never pairs two new paragraphs with one old paragraph, but
    # assign_paragraph_ids must not rely on it: fake such a pairing.
    def fake_word_diff(old: str, new: str) -> list[ParagraphDiff]:
        span = (Span("equal", ""),)
        return [ParagraphDiff("change", span, 0, 0), ParagraphDiff("change", span, 0, 1)]

    monkeypatch.setattr(paragraphs_module, "word_diff", fake_word_diff)
    ids = assign_paragraph_ids("a", ["p1"], "a\n\nb")
    assert ids[0] == "p1"
    assert ids[1] != "p1"


def test_duplicate_old_ids_are_not_duplicated() -> None:
    ids = assign_paragraph_ids("a b c\n\nd e f", ["p1", "p1"], "a b c\n\nd e f")
    assert ids[0] == "p1"
    assert ids[1] != "p1"


def test_fresh_ids_never_reuse_an_old_id(monkeypatch: pytest.MonkeyPatch) -> None:
    generated = iter(["p2", "p2", "fresh"])
    monkeypatch.setattr(paragraphs_module, "new_paragraph_id", lambda: next(generated))
    # "p2" is the id of the deleted paragraph: the new one must not get it.
    assert assign_paragraph_ids(
        "un deux trois\n\nquatre", ["p1", "p2"], "un deux trois\n\nzut"
    ) == [
        "p1",
        "fresh",
    ]


# ---------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------

_WORD_LIST = (
    "le la les de du et à bailleur collectivité logement logements convention loyer"
    " engagement réhabilitation aujourd'hui l'office État énergétique 2024 CUS OPH"
)
WORDS = _WORD_LIST.split()
paragraph_texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
documents = st.lists(paragraph_texts, max_size=8)


@st.composite
def revision_pairs(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    old = draw(documents)
    new = list(old)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        kind = draw(st.sampled_from(["insert", "delete", "edit"]))
        if kind == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(paragraph_texts))
        elif kind == "delete":
            del new[draw(st.integers(0, len(new) - 1))]
        else:
            k = draw(st.integers(0, len(new) - 1))
            new[k] = new[k] + " " + draw(st.sampled_from(WORDS))
    return old, new


@HYPOTHESIS
@given(revision_pairs())
def test_ids_follow_the_word_diff_pairing(pair: tuple[list[str], list[str]]) -> None:
    old_pars, new_pars = pair
    old, new = "\n\n".join(old_pars), "\n\n".join(new_pars)
    old_ids = [f"old{k}" for k in range(len(split_paragraphs(old)))]
    ids = assign_paragraph_ids(old, old_ids, new)

    assert len(ids) == len(split_paragraphs(new))
    assert len(set(ids)) == len(ids)
    paired = {
        d.new_index: d.old_index
        for d in word_diff(old, new)
        if d.old_index is not None and d.new_index is not None
    }
    for j, paragraph_id in enumerate(ids):
        if j in paired:
            assert paragraph_id == old_ids[paired[j]]
        else:
            assert paragraph_id not in old_ids
