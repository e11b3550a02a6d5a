"""Tests for workflows.text.merge (hunks, partial acceptance, three-way merge)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.text.diff import tokenize
from workflows.text.merge import (
    Hunk,
    MergeResult,
    Para,
    align_proposal,
    apply_hunks,
    compute_hunks,
    hunk_statuses,
    join,
    merge3,
    merge_words,
    paragraphs_of,
)
from workflows.text.paragraphs import assign_paragraph_ids

HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def doc(*texts: str) -> list[Para]:
    """A base document with readable ids p0, p1, ..."""
    return [Para(f"p{k}", text) for k, text in enumerate(texts)]


def status_of(base: list[Para], current: list[Para], proposal: list[Para], hunk: Hunk) -> str:
    """The status of one hunk, as the contribution page works it out with the others."""
    return hunk_statuses(base, current, proposal, [hunk])[0]


def texts(paragraphs: list[Para]) -> list[str]:
    return [p.text for p in paragraphs]


S1 = "Le bailleur réhabilite 120 logements avant 2026."
S2 = "Le loyer maximal est fixé à 80 € par mois."
BASE = doc(
    "Article 1. Objet de la convention.",
    f"{S1} {S2}",
    "Article 3. La convention est conclue pour six ans.",
)


# ---------------------------------------------------------------------------
# Paragraph lists
# ---------------------------------------------------------------------------


def test_paragraphs_of_and_join_round_trip() -> None:
    text = "Un.\n\n\nDeux\ntrois.\n\n  Quatre."
    paragraphs = paragraphs_of(text, ["a", "b", "c"])
    assert paragraphs == [Para("a", "Un."), Para("b", "Deux\ntrois."), Para("c", "  Quatre.")]
    assert join(paragraphs) == "Un.\n\nDeux\ntrois.\n\n  Quatre."
    assert join([]) == ""


def test_paragraphs_of_refuses_a_length_mismatch() -> None:
    with pytest.raises(ValueError):
        paragraphs_of("Un.\n\nDeux.", ["a"])


def test_align_proposal_keeps_base_ids_of_paired_paragraphs() -> None:
    proposal = align_proposal(BASE, join(BASE).replace("six ans", "neuf ans") + "\n\nAnnexe.")
    assert [p.id for p in proposal[:3]] == ["p0", "p1", "p2"]
    assert proposal[2].text == "Article 3. La convention est conclue pour neuf ans."
    assert proposal[3].text == "Annexe."
    assert proposal[3].id not in {"p0", "p1", "p2"}


# ---------------------------------------------------------------------------
# Hunks
# ---------------------------------------------------------------------------


def test_hunks_are_numbered_in_document_order() -> None:
    proposal = [
        Para("new0", "Préambule."),
        Para("p0", "Article 1. Objet de la présente convention."),
        Para("p1", f"{S1} Le loyer maximal est fixé à 45 € par mois."),
        Para("new1", "Article 2 bis. Les charges sont récupérables."),
    ]
    hunks = compute_hunks(BASE, proposal)
    assert [h.id for h in hunks] == ["h1", "h2", "h3", "h4", "h5"]
    assert [(h.kind, h.paragraph_id) for h in hunks] == [
        ("insert", "new0"),
        ("modify", "p0"),
        ("modify", "p1"),
        ("delete", "p2"),
        ("insert", "new1"),
    ]
    assert hunks[0].anchor_after is None
    assert hunks[0].new_text == "Préambule." and hunks[0].old_text == ""
    # The inserted word is shown with the space after it, not before.
    assert (hunks[1].old_text, hunks[1].new_text) == ("", "présente ")
    # An amount is one token: the change is the whole amount.
    assert (hunks[2].old_text, hunks[2].new_text) == ("80 €", "45 €")
    assert hunks[3].old_text == BASE[2].text and hunks[3].new_text == ""
    # The deletion comes first; the insertion at the same place is anchored
    # after the deleted paragraph, as tracked changes display them.
    assert hunks[4].anchor_after == "p2"
    assert all(h.anchor_after is None for h in hunks[1:4])


def test_modify_hunk_token_range_points_into_the_base_paragraph() -> None:
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("120", "150")), BASE[2]]
    (hunk,) = compute_hunks(BASE, proposal)
    tokens = tokenize(BASE[1].text)
    assert hunk.kind == "modify" and hunk.paragraph_id == "p1"
    assert "".join(tokens[hunk.start : hunk.end]) == "120" == hunk.old_text
    assert hunk.new_text == "150"


def test_changes_separated_only_by_spaces_form_one_hunk() -> None:
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("80 €", "45 euros")), BASE[2]]
    (hunk,) = compute_hunks(BASE, proposal)
    assert (hunk.old_text, hunk.new_text) == ("80 €", "45 euros")


def test_changes_separated_by_a_word_are_separate_hunks() -> None:
    proposal = [
        BASE[0],
        Para("p1", BASE[1].text.replace("fixé à 80 €", "porté à 45 €")),
        BASE[2],
    ]
    hunks = compute_hunks(BASE, proposal)
    assert [(h.old_text, h.new_text) for h in hunks] == [("fixé", "porté"), ("80 €", "45 €")]


def test_no_hunks_for_an_identical_proposal() -> None:
    assert compute_hunks(BASE, list(BASE)) == []
    assert compute_hunks([], []) == []


def test_compute_hunks_refuses_reordered_or_duplicate_paragraphs() -> None:
    with pytest.raises(ValueError):
        compute_hunks(BASE, [BASE[1], BASE[0], BASE[2]])
    with pytest.raises(ValueError):
        compute_hunks(BASE, [BASE[0], BASE[0]])


def test_accepting_h1_but_not_h2() -> None:
    proposal = [
        BASE[0],
        Para(
            "p1",
            "Le bailleur réhabilite 150 logements avant 2026. Le loyer maximal est fixé à 45 € par mois.",
        ),
        BASE[2],
    ]
    hunks = compute_hunks(BASE, proposal)
    assert [(h.id, h.old_text, h.new_text) for h in hunks] == [
        ("h1", "120", "150"),
        ("h2", "80 €", "45 €"),
    ]
    partial = apply_hunks(BASE, proposal, hunks, {"h1"})
    assert partial == [
        BASE[0],
        Para("p1", "Le bailleur réhabilite 150 logements avant 2026. " + S2),
        BASE[2],
    ]
    assert join(apply_hunks(BASE, proposal, hunks, {"h2"})) == join(BASE).replace("80 €", "45 €")


def test_apply_hunks_all_gives_the_proposal_and_none_gives_the_base() -> None:
    proposal = [
        Para("new0", "Préambule."),
        Para("p1", BASE[1].text.replace("80", "45").replace("120", "150")),
        Para("new1", "Article 3. La convention est conclue pour neuf ans, renouvelable."),
    ]
    hunks = compute_hunks(BASE, proposal)
    assert apply_hunks(BASE, proposal, hunks, {h.id for h in hunks}) == proposal
    assert apply_hunks(BASE, proposal, hunks, set()) == BASE


def test_inserted_paragraph_accepted_without_the_deletion_goes_after_it() -> None:
    proposal = [BASE[0], BASE[1], Para("new", "Article 3. Nouvelle rédaction complète.")]
    hunks = compute_hunks(BASE, proposal)
    assert [h.kind for h in hunks] == ["delete", "insert"]
    partial = apply_hunks(BASE, proposal, hunks, {"h2"})
    assert partial == [*BASE, proposal[2]]


def test_insertions_keep_proposal_order_after_their_anchor() -> None:
    proposal = [BASE[0], Para("x", "X."), Para("y", "Y."), Para("z", "Z."), BASE[1], BASE[2]]
    hunks = compute_hunks(BASE, proposal)
    assert [h.anchor_after for h in hunks] == ["p0", "p0", "p0"]
    partial = apply_hunks(BASE, proposal, hunks, {"h1", "h3"})
    assert partial == [BASE[0], Para("x", "X."), Para("z", "Z."), BASE[1], BASE[2]]


def test_apply_hunks_refuses_unknown_or_stale_hunks() -> None:
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("80", "45")), BASE[2]]
    hunks = compute_hunks(BASE, proposal)
    with pytest.raises(ValueError):
        apply_hunks(BASE, proposal, hunks, {"h9"})
    other_base = [BASE[0], Para("p1", "Texte différent."), BASE[2]]
    with pytest.raises(ValueError):
        apply_hunks(other_base, proposal, hunks, {"h1"})
    ghost = Hunk("h1", "modify", "nowhere", None, 0, 1, "a", "b")
    with pytest.raises(ValueError):
        apply_hunks(BASE, proposal, [ghost], {"h1"})


# ---------------------------------------------------------------------------
# merge_words
# ---------------------------------------------------------------------------


def test_merge_words_different_sentences_merge() -> None:
    base = f"{S1} {S2}"
    current = base.replace("120", "150")
    proposal = base.replace("80 €", "45 €")
    assert merge_words(base, current, proposal) == (
        "Le bailleur réhabilite 150 logements avant 2026. "
        "Le loyer maximal est fixé à 45 € par mois."
    )


def test_merge_words_same_word_changed_differently_conflicts() -> None:
    base = "Le loyer est de 80 € par mois."
    assert merge_words(base, base.replace("80", "70"), base.replace("80", "45")) is None


def test_merge_words_identical_change_is_applied_once() -> None:
    base = "Le loyer est de 80 € par mois."
    current = "Le loyer est de 45 € par mois, charges comprises."
    proposal = "Le loyer est de 45 € par mois."
    assert merge_words(base, current, proposal) == current
    assert merge_words(base, proposal, current) == current


def test_merge_words_adjacent_words_both_apply() -> None:
    base = "un deux trois quatre"
    # "deux" and "trois" are neighbours: the regions touch without overlapping.
    assert (
        merge_words(base, "un DEUX trois quatre", "un deux TROIS quatre") == "un DEUX TROIS quatre"
    )


def test_merge_words_insertions_at_the_same_point_conflict() -> None:
    base = "un deux trois"
    assert merge_words(base, "un deux X trois", "un deux Y trois") is None
    assert merge_words(base, "un deux X trois", "un deux X trois") == "un deux X trois"


def test_merge_words_insertion_inside_a_replaced_range_conflicts() -> None:
    base = "un deux trois quatre cinq"
    current = "un six cinq"
    proposal = "un deux trois NOUVEAU quatre cinq"
    assert merge_words(base, current, proposal) is None
    assert merge_words(base, proposal, current) is None


def test_merge_words_works_word_by_word() -> None:
    # Three words replaced one by one are three changes, not one range: an
    # insertion between two of them touches both without overlapping.
    base = "un deux trois quatre cinq"
    current = "un DEUX TROIS QUATRE cinq"
    proposal = "un deux trois NOUVEAU quatre cinq"
    assert merge_words(base, current, proposal) == "un DEUX TROIS NOUVEAU QUATRE cinq"


def test_merge_words_recognises_the_same_insertion_aligned_differently() -> None:
    # difflib reports this insertion as " varéla" after "savogé" in one diff
    # and as "varéla " before "leralé" in the other.
    base = "savogé leralé nélaba."
    current = "dedofi savogé varéla leralé nélaba."
    proposal = "savogé varéla leralé nélaba."
    assert merge_words(base, current, proposal) == current


def test_merge_words_insertion_at_the_edge_of_a_replaced_range_applies() -> None:
    base = "un deux trois quatre"
    assert merge_words(base, "un DEUX trois quatre", "un deux trois AVANT quatre") == (
        "un DEUX trois AVANT quatre"
    )
    assert merge_words(base, "un deux TROIS quatre", "un deux très trois quatre") == (
        "un deux très TROIS quatre"
    )


def test_merge_words_with_an_unchanged_side() -> None:
    base = "Le loyer est de 80 € par mois."
    other = "Le loyer est de 45 € par an."
    assert merge_words(base, base, other) == other
    assert merge_words(base, other, base) == other
    assert merge_words(base, base, base) == base


def test_merge_words_on_a_long_table_paragraph() -> None:
    rows = [f"| {k} | logement {k} | {400 + k} € |" for k in range(300)]
    base = "\n".join(rows)
    current_rows = list(rows)
    current_rows[10] = "| 10 | logement 10 | 999 € |"
    proposal_rows = list(rows)
    proposal_rows[200] = "| 200 | maison 200 | 600 € |"
    proposal_rows.insert(250, "| 250 bis | logement neuf | 700 € |")
    merged = merge_words(base, "\n".join(current_rows), "\n".join(proposal_rows))
    expected_rows = list(proposal_rows)
    expected_rows[10] = current_rows[10]
    assert merged == "\n".join(expected_rows)


# ---------------------------------------------------------------------------
# merge3: examples
# ---------------------------------------------------------------------------


def test_different_sentences_of_one_paragraph_merge_cleanly() -> None:
    # The classic false conflict of line-based diff3: a Markdown paragraph
    # is one long line, so any two edits of it "overlap" line-wise.
    current = [BASE[0], Para("p1", BASE[1].text.replace("120", "150")), BASE[2]]
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("80 €", "45 €")), BASE[2]]
    result = merge3(BASE, current, proposal)
    assert result.clean
    assert result.paragraphs[1] == Para(
        "p1",
        "Le bailleur réhabilite 150 logements avant 2026. "
        "Le loyer maximal est fixé à 45 € par mois.",
    )
    assert result.text() == join(result.paragraphs)


def test_same_word_changed_differently_is_a_conflict_keeping_current() -> None:
    current = [BASE[0], Para("p1", BASE[1].text.replace("80", "70")), BASE[2]]
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("80", "45")), BASE[2]]
    result = merge3(BASE, current, proposal)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict.kind == "both_modified"
    assert conflict.paragraph_id == "p1"
    assert (conflict.base, conflict.current, conflict.proposal) == (
        BASE[1].text,
        current[1].text,
        proposal[1].text,
    )
    assert conflict.message
    assert result.paragraphs == current
    (hunk,) = compute_hunks(BASE, proposal)
    assert status_of(BASE, current, proposal, hunk) == "conflict"


def test_paragraph_deleted_in_current_but_modified_by_the_proposal() -> None:
    current = [BASE[0], BASE[2]]
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("80", "45")), BASE[2]]
    result = merge3(BASE, current, proposal)
    (conflict,) = result.conflicts
    assert conflict.kind == "deleted_in_current"
    assert conflict.current is None and conflict.proposal == proposal[1].text
    assert conflict.message == (
        "Ce paragraphe a été supprimé depuis la révision de base de la contribution."
    )
    assert result.paragraphs == current
    (hunk,) = compute_hunks(BASE, proposal)
    assert status_of(BASE, current, proposal, hunk) == "paragraph_gone"


def test_paragraph_deleted_by_the_proposal_but_modified_in_current() -> None:
    current = [BASE[0], BASE[1], Para("p2", BASE[2].text.replace("six", "neuf"))]
    proposal = [BASE[0], BASE[1]]
    result = merge3(BASE, current, proposal)
    (conflict,) = result.conflicts
    assert conflict.kind == "deleted_in_proposal"
    assert conflict.proposal is None and conflict.current == current[2].text
    assert result.paragraphs == current
    (hunk,) = compute_hunks(BASE, proposal)
    assert status_of(BASE, current, proposal, hunk) == "conflict"


def test_paragraph_deleted_on_both_sides_is_clean() -> None:
    result = merge3(BASE, [BASE[0], BASE[2]], [BASE[0], BASE[2]])
    assert result.clean and result.paragraphs == [BASE[0], BASE[2]]


def test_proposal_inserts_after_a_paragraph_current_edited() -> None:
    current = [BASE[0], Para("p1", BASE[1].text.replace("120", "150")), BASE[2]]
    new = Para("new", "Article 2 bis. Les charges sont récupérables.")
    proposal = [BASE[0], BASE[1], new, BASE[2]]
    result = merge3(BASE, current, proposal)
    assert result.clean
    assert result.paragraphs == [BASE[0], current[1], new, BASE[2]]
    (hunk,) = compute_hunks(BASE, proposal)
    assert status_of(BASE, current, proposal, hunk) == "applicable"


def test_proposal_insertion_goes_after_current_insertions_at_the_same_place() -> None:
    ours = Para("ours", "Ajout de la version courante.")
    theirs = Para("theirs", "Ajout de la contribution.")
    current = [BASE[0], ours, BASE[1], BASE[2]]
    proposal = [BASE[0], theirs, BASE[1], BASE[2]]
    result = merge3(BASE, current, proposal)
    assert result.clean
    assert result.paragraphs == [BASE[0], ours, theirs, BASE[1], BASE[2]]


def test_insertion_at_the_start() -> None:
    ours = Para("ours", "Préambule courant.")
    theirs = Para("theirs", "Préambule proposé.")
    result = merge3(BASE, [ours, *BASE], [theirs, *BASE])
    assert result.clean
    assert result.paragraphs == [ours, theirs, *BASE]
    assert merge3(BASE, BASE, [theirs, *BASE]).paragraphs == [theirs, *BASE]


def test_insertion_whose_anchor_current_deleted_goes_before_the_next_paragraph() -> None:
    new = Para("new", "Article 1 bis.")
    current = [BASE[1], BASE[2]]
    proposal = [BASE[0], new, BASE[1], BASE[2]]
    result = merge3(BASE, current, proposal)
    assert result.clean
    assert result.paragraphs == [new, BASE[1], BASE[2]]


def test_insertion_whose_context_current_deleted_is_anchor_lost() -> None:
    new = Para("new", "Annexe.")
    current = [BASE[0], BASE[1]]
    proposal = [*BASE, new]
    result = merge3(BASE, current, proposal)
    (conflict,) = result.conflicts
    assert conflict.kind == "anchor_lost"
    assert conflict.paragraph_id == "new" and conflict.proposal == "Annexe."
    assert result.paragraphs == current
    (hunk,) = compute_hunks(BASE, proposal)
    assert status_of(BASE, current, proposal, hunk) == "paragraph_gone"


def test_paragraphs_inserted_by_current_are_kept() -> None:
    ours = Para("ours", "Article 4. Nouveau.")
    current = [*BASE, ours]
    proposal = [BASE[0], Para("p1", BASE[1].text.replace("80", "45")), BASE[2]]
    result = merge3(BASE, current, proposal)
    assert result.clean
    assert result.paragraphs == [*proposal, ours]


def test_id_added_by_both_sides_is_kept_once_with_current_text() -> None:
    current = [*BASE, Para("same", "Version courante.")]
    proposal = [*BASE, Para("same", "Version proposée.")]
    result = merge3(BASE, current, proposal)
    assert result.paragraphs == current


def test_conflicts_are_listed_in_document_order() -> None:
    current = [Para("p0", "Article un."), Para("p1", BASE[1].text.replace("80", "70"))]
    proposal = [
        Para("p0", "Article premier."),
        Para("p1", BASE[1].text.replace("80", "45")),
        Para("p2", BASE[2].text.replace("six", "neuf")),
    ]
    result = merge3(BASE, current, proposal)
    assert [(c.paragraph_id, c.kind) for c in result.conflicts] == [
        ("p0", "both_modified"),
        ("p1", "both_modified"),
        ("p2", "deleted_in_current"),
    ]
    assert result.paragraphs == current


def test_merge_result_clean_and_text() -> None:
    result = MergeResult(paragraphs=[Para("a", "Un."), Para("b", "Deux.")], conflicts=[])
    assert result.clean
    assert result.text() == "Un.\n\nDeux."


def test_merge3_refuses_duplicate_ids() -> None:
    with pytest.raises(ValueError):
        merge3(BASE, [BASE[0], BASE[0]], BASE)


# ---------------------------------------------------------------------------
# hunk_statuses
# ---------------------------------------------------------------------------


def test_hunk_status_applicable_and_applied() -> None:
    proposal = [
        BASE[0],
        Para("p1", BASE[1].text.replace("120", "150").replace("80", "45")),
        BASE[2],
    ]
    h1, h2 = compute_hunks(BASE, proposal)
    # The drafter accepted h1 only: the next revision contains it.
    current = apply_hunks(BASE, proposal, [h1, h2], {"h1"})
    assert status_of(BASE, current, proposal, h1) == "applied"
    assert status_of(BASE, current, proposal, h2) == "applicable"


def test_hunk_status_of_an_insertion_already_made_with_another_id() -> None:
    new = Para("new", "Article 2 bis. Les charges sont récupérables.")
    proposal = [BASE[0], BASE[1], new, BASE[2]]
    (hunk,) = compute_hunks(BASE, proposal)
    current = [BASE[0], BASE[1], Para("other-id", new.text), BASE[2]]
    assert status_of(BASE, current, proposal, hunk) == "applied"
    assert status_of(BASE, proposal, proposal, hunk) == "applied"


def test_hunk_status_of_a_deletion() -> None:
    proposal = [BASE[0], BASE[2]]
    (hunk,) = compute_hunks(BASE, proposal)
    assert status_of(BASE, BASE, proposal, hunk) == "applicable"
    assert status_of(BASE, proposal, proposal, hunk) == "paragraph_gone"


def test_end_to_end_with_text_revisions() -> None:
    # The way the app chains things: ids assigned revision by revision.
    rev1 = join(BASE)
    ids1 = [p.id for p in BASE]
    rev2 = "Préambule.\n\n" + rev1.replace("120", "150")
    ids2 = assign_paragraph_ids(rev1, ids1, rev2)
    current = paragraphs_of(rev2, ids2)
    proposal = align_proposal(BASE, rev1.replace("80 €", "45 €").replace("six", "neuf"))
    hunks = compute_hunks(BASE, proposal)
    statuses = [status_of(BASE, current, proposal, h) for h in hunks]
    assert statuses == ["applicable", "applicable"]
    partial = apply_hunks(BASE, proposal, hunks, {"h1"})
    result = merge3(BASE, current, partial)
    assert result.clean
    assert result.text() == (
        "Préambule.\n\nArticle 1. Objet de la convention.\n\n"
        "Le bailleur réhabilite 150 logements avant 2026. "
        "Le loyer maximal est fixé à 45 € par mois.\n\n"
        "Article 3. La convention est conclue pour six ans."
    )
    assert [p.id for p in result.paragraphs] == ids2


# ---------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------

# French-sounding syllables, all of exactly two characters so that a word of
# three syllables decodes uniquely: distinct numbers give distinct words.
_SYLLABLE_LIST = (
    "ba be bi bo ca ce ci co da de di do fa fe fi fo la le li lo ma me mi mo na ne ni no"
    " pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo gé ré té lé né mé"
)
SYLLABLES = _SYLLABLE_LIST.split()
_N = len(SYLLABLES)


class Words:
    """Distinct pseudo-French words ("ribolé", "matégé"...).

    Every word of a generated scenario is distinct. With repeated words the
    difflib alignment is ambiguous (an inserted "de" may be matched with a
    neighbouring "de"), which can move a change into the other side's area
    and turn non-overlapping edits into overlapping ones: the example tests
    above cover realistic repeated vocabulary, these properties check the
    merge logic itself.

    With ``figures``, three words in four are figures is a figure the tokenizer keeps whole (an
    amount whose groups of digits are separated by one of the three spaces, a
    percentage, a date), as distinct as the words, and never one that would run into
    its neighbour ("1 050" before "120" would be one number).
    """

    def __init__(self, offset: int, figures: bool = False) -> None:
        self.offset = offset
        self.count = 0
        self.figures = figures

    def __call__(self) -> str:
        # 7919 is prime to _N ** 3, so k -> n is a bijection on [0, _N ** 3).
        n = (self.count * 7919 + self.offset) % _N**3
        self.count += 1
        if self.figures and n % 4 < 3:
            gap = " \u00a0\u202f"[n % 3]
            return [
                f"{n // 1000 + 1}{gap}{n % 1000:03d}{gap}€",
                f"{n},5{gap}%",
                f"{n % 28 + 1:02d}/{n // 28 % 12 + 1:02d}/{2000 + n // 336:04d}",
            ][n % 4]
        return SYLLABLES[n % _N] + SYLLABLES[n // _N % _N] + SYLLABLES[n // _N**2]


# Word operations, keyed by word index (index == len(words): at the end).
Op = tuple[str, tuple[str, ...]]  # ("replace" | "delete" | "insert", new words)


def render(words: list[str], ops: dict[int, Op]) -> str:
    out: list[str] = []
    for i in range(len(words) + 1):
        kind, new = ops.get(i, ("keep", ()))
        if kind == "insert":
            out.extend(new)
        if i == len(words):
            break
        if kind == "replace":
            out.extend(new)
        elif kind != "delete":
            out.append(words[i])
    return " ".join(out) + "."


@dataclass
class Scenario:
    base: list[Para]
    sides: dict[str, list[Para]]  # "A" and "B", both derived from base
    expected: dict[str, list[Para]]  # "AB": merge3(base, A, B); "BA": merge3(base, B, A)
    modes: dict[str, str]  # base paragraph id -> how it was edited


MODES = ["keep", "A", "B", "split", "same", "A_del", "B_del", "both_del"]


@st.composite
def scenarios(draw: st.DrawFn, figures: bool = False) -> Scenario:
    """A base document and two non-overlapping edits of it.

    Each base paragraph is left alone, edited by one side, edited by both
    sides on either side of an untouched word ("split"), edited identically
    by both ("same") or deleted. Each side also inserts up to three new
    paragraphs, never next to a deleted one (where the placement is
    legitimately ambiguous). Edits stay light enough for word_diff to keep
    pairing each paragraph with its base version.
    """
    new_word = Words(draw(st.integers(0, _N**3 - 1)), figures)
    n = draw(st.integers(3, 15))
    base_words = [[new_word() for _ in range(draw(st.integers(3, 10)))] for _ in range(n)]
    modes = [draw(st.sampled_from(MODES)) for _ in range(n)]

    def draw_ops(indices: list[int], length: int, budget: int) -> dict[int, Op]:
        chosen = draw(st.lists(st.sampled_from(indices), unique=True, max_size=budget))
        ops: dict[int, Op] = {}
        for i in chosen:
            kinds = ["insert"] if i == length else ["replace", "delete", "insert"]
            kind = draw(st.sampled_from(kinds))
            count = 0 if kind == "delete" else draw(st.integers(1, 2))
            ops[i] = (kind, tuple(new_word() for _ in range(count)))
        return ops

    ops: dict[str, list[dict[int, Op]]] = {"A": [], "B": []}
    deleted: dict[str, set[int]] = {"A": set(), "B": set()}
    for i, (words, mode) in enumerate(zip(base_words, modes, strict=True)):
        m = len(words)
        budget = max(1, m // 3)
        a_ops: dict[int, Op] = {}
        b_ops: dict[int, Op] = {}
        if mode in ("A", "same"):
            a_ops = draw_ops(list(range(m + 1)), m, budget)
        if mode == "same":
            b_ops = dict(a_ops)
        if mode == "B":
            b_ops = draw_ops(list(range(m + 1)), m, budget)
        if mode == "split":
            # Word h stays untouched between the two sides' edits.
            h = draw(st.integers(1, m - 2))
            a_ops = draw_ops(list(range(h)), m, budget)
            b_ops = draw_ops(list(range(h + 1, m + 1)), m, budget)
        ops["A"].append(a_ops)
        ops["B"].append(b_ops)
        if mode in ("A_del", "both_del"):
            deleted["A"].add(i)
        if mode in ("B_del", "both_del"):
            deleted["B"].add(i)

    near_deletion = {g for i in deleted["A"] | deleted["B"] for g in (i, i + 1)}
    free_gaps = [g for g in range(n + 1) if g not in near_deletion]
    inserts: dict[str, dict[int, list[str]]] = {"A": {}, "B": {}}
    for side in ("A", "B"):
        if not free_gaps:
            continue
        for g in draw(st.lists(st.sampled_from(free_gaps), max_size=3)):
            words = [new_word() for _ in range(draw(st.integers(3, 6)))]
            inserts[side].setdefault(g, []).append(" ".join(words) + ".")

    base_text = "\n\n".join(render(w, {}) for w in base_words)
    base_ids = assign_paragraph_ids("", None, base_text)
    base = paragraphs_of(base_text, base_ids)

    sides: dict[str, list[Para]] = {}
    new_ids: dict[str, dict[str, str]] = {}  # side -> inserted text -> id
    for side in ("A", "B"):
        plan: list[tuple[int | None, str]] = []
        for g in range(n + 1):
            plan.extend((None, t) for t in inserts[side].get(g, []))
            if g < n and g not in deleted[side]:
                plan.append((g, render(base_words[g], ops[side][g])))
        text = "\n\n".join(t for _, t in plan)
        paragraphs = paragraphs_of(text, assign_paragraph_ids(base_text, base_ids, text))
        for (g, _), paragraph in zip(plan, paragraphs, strict=True):
            if g is not None:
                # The edits are light: every surviving paragraph keeps its id.
                assert paragraph.id == base_ids[g], (side, g)
        sides[side] = paragraphs
        new_ids[side] = {
            p.text: p.id for (g, _), p in zip(plan, paragraphs, strict=True) if g is None
        }

    def expected(first: str, second: str) -> list[Para]:
        out: list[Para] = []
        for g in range(n + 1):
            for side in (first, second):
                out.extend(Para(new_ids[side][t], t) for t in inserts[side].get(g, []))
            if g < n and g not in deleted["A"] | deleted["B"]:
                merged_ops = {**ops["A"][g], **ops["B"][g]}
                out.append(Para(base_ids[g], render(base_words[g], merged_ops)))
        return out

    return Scenario(
        base=base,
        sides=sides,
        expected={"AB": expected("A", "B"), "BA": expected("B", "A")},
        modes=dict(zip(base_ids, modes, strict=True)),
    )


@HYPOTHESIS
@given(scenarios())
def test_non_overlapping_edits_merge_cleanly_in_both_directions(s: Scenario) -> None:
    check_clean_merge_both_ways(s)


def check_clean_merge_both_ways(s: Scenario) -> None:
    a, b = s.sides["A"], s.sides["B"]
    result = merge3(s.base, a, b)
    assert result.conflicts == []
    assert result.paragraphs == s.expected["AB"]
    result = merge3(s.base, b, a)
    assert result.conflicts == []
    assert result.paragraphs == s.expected["BA"]


@HYPOTHESIS
@given(scenarios())
def test_merging_with_an_unchanged_side_gives_the_other_side(s: Scenario) -> None:
    for side in s.sides.values():
        result = merge3(s.base, s.base, side)
        assert result.clean and result.paragraphs == side
        result = merge3(s.base, side, s.base)
        assert result.clean and result.paragraphs == side


@HYPOTHESIS
@given(scenarios())
def test_hunks_rebuild_the_proposal_and_apply_one_by_one(s: Scenario) -> None:
    check_hunks_rebuild_and_apply_one_by_one(s)


def check_hunks_rebuild_and_apply_one_by_one(s: Scenario) -> None:
    for name, proposal in s.sides.items():
        current = s.sides["B" if name == "A" else "A"]
        hunks = compute_hunks(s.base, proposal)
        assert [h.id for h in hunks] == [f"h{k}" for k in range(1, len(hunks) + 1)]
        assert apply_hunks(s.base, proposal, hunks, {h.id for h in hunks}) == proposal
        assert apply_hunks(s.base, proposal, hunks, set()) == s.base
        for hunk in hunks:
            partial = apply_hunks(s.base, proposal, hunks, {hunk.id})
            result = merge3(s.base, s.base, partial)
            assert result.clean and result.paragraphs == partial

            mode = s.modes.get(hunk.paragraph_id)
            expected_status = {"same": "applied", "both_del": "paragraph_gone"}.get(
                mode or "", "applicable"
            )
            assert status_of(s.base, current, proposal, hunk) == expected_status, hunk


@HYPOTHESIS
@given(scenarios())
def test_accepting_hunks_one_by_one_ends_like_the_whole_merge(s: Scenario) -> None:
    check_one_by_one_ends_like_whole_merge(s)


def check_one_by_one_ends_like_whole_merge(s: Scenario) -> None:
    # Accepting every hunk one at a time, merging each into the moving
    # current text, ends where merging the whole proposal at once does.
    a, b = s.sides["A"], s.sides["B"]
    hunks = compute_hunks(s.base, b)
    current = a
    for hunk in hunks:
        status = status_of(s.base, current, b, hunk)
        assert status in ("applicable", "applied", "paragraph_gone")
        if status == "applicable":
            result = merge3(s.base, current, apply_hunks(s.base, b, hunks, {hunk.id}))
            assert result.clean
            current = result.paragraphs
    assert current == s.expected["AB"]


_WORD_LIST = "le la de du et loyer bailleur logement convention 80 45 € , ."
WORDS = _WORD_LIST.split()
word_texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=15).map(" ".join)


@HYPOTHESIS
@given(word_texts, word_texts, word_texts)
def test_merge_words_laws_on_repetitive_vocabulary(base: str, x: str, y: str) -> None:
    assert merge_words(base, base, x) == x
    assert merge_words(base, x, base) == x
    assert merge_words(base, x, x) == x
    # Which side is "current" does not matter to the word-level merge.
    assert merge_words(base, x, y) == merge_words(base, y, x)


# The same laws when the words are figures the tokenizer keeps whole: a figure is one
# token, so changing it is one change, which the merge places and recognises as such.


@HYPOTHESIS
@given(scenarios(figures=True))
def test_edits_of_figures_merge_cleanly_in_both_directions(s: Scenario) -> None:
    check_clean_merge_both_ways(s)


@HYPOTHESIS
@given(scenarios(figures=True))
def test_hunks_of_figures_rebuild_the_proposal_and_apply_one_by_one(s: Scenario) -> None:
    check_hunks_rebuild_and_apply_one_by_one(s)
    base_tokens = tokens_of(s.base)
    for proposal in s.sides.values():
        for hunk in compute_hunks(s.base, proposal):
            # A figure is never cut: each hunk replaces whole tokens by whole tokens.
            assert set(tokenize(hunk.old_text)) <= base_tokens, hunk
            assert set(tokenize(hunk.new_text)) <= tokens_of(proposal), hunk


@HYPOTHESIS
@given(scenarios(figures=True))
def test_accepting_changes_of_figures_one_by_one_ends_like_the_whole_merge(s: Scenario) -> None:
    check_one_by_one_ends_like_whole_merge(s)


def tokens_of(paragraphs: list[Para]) -> set[str]:
    return {t for p in paragraphs for t in tokenize(p.text)}
