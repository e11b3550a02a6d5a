"""``hunk_statuses`` gives, in one pass, exactly the statuses the former per-hunk
computation gave: the partial proposal of each hunk alone (``apply_hunks``) merged three
ways into the whole current text (``merge3``). That computation is kept here as the
oracle, and compared on many generated sections, with repetitive vocabulary so that
both sides often touch the same words (conflicts, identical changes, clean merges)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.workflows.text.test_merge import scenarios
from workflows.text.merge import (
    Hunk,
    HunkStatus,
    Para,
    apply_hunks,
    compute_hunks,
    hunk_statuses,
    merge3,
)

MANY = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def oracle(base: list[Para], current: list[Para], proposal: list[Para], hunk: Hunk) -> HunkStatus:
    """The former ``hunk_status``: one merge of the whole section per hunk."""
    current_by_id = {p.id: p for p in current}
    if hunk.kind == "insert":
        base_ids = {p.id for p in base}
        if hunk.paragraph_id in current_by_id or any(
            p.id not in base_ids and p.text == hunk.new_text for p in current
        ):
            return "applied"
    elif hunk.paragraph_id not in current_by_id:
        return "paragraph_gone"

    partial = apply_hunks(base, proposal, [hunk], {hunk.id})
    merged = merge3(base, current, partial)
    if not merged.clean:
        if any(c.kind == "anchor_lost" for c in merged.conflicts):
            return "paragraph_gone"
        return "conflict"
    return "applied" if merged.paragraphs == list(current) else "applicable"


def assert_same_statuses(base: list[Para], current: list[Para], proposal: list[Para]) -> None:
    hunks = compute_hunks(base, proposal)
    expected = [oracle(base, current, proposal, h) for h in hunks]
    assert hunk_statuses(base, current, proposal, hunks) == expected
    # One at a time, or any subset, gives each hunk the same status.
    for hunk, status in zip(hunks, expected, strict=True):
        assert hunk_statuses(base, current, proposal, [hunk]) == [status]


# Few words, often repeated: edits of the two sides land on the same words.
VOCABULARY = ["le", "la", "de", "loyer", "bailleur", "logement", "80", "45", "€", ",", "."]
VOCABULARY += ["1", "050"]  # "1 050" is one figure, "1" and "050" apart two
words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8)


@dataclass
class Case:
    base: list[Para]
    current: list[Para]
    proposal: list[Para]


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few words replaced, deleted or inserted (or rewritten whole)."""
    if draw(st.integers(0, 5)) == 0:
        return " ".join(draw(words))
    tokens = text.split(" ")
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(0, len(tokens)))
        kind = draw(st.sampled_from(["replace", "delete", "insert"]))
        if kind == "insert" or k == len(tokens):
            tokens.insert(k, draw(st.sampled_from(VOCABULARY)))
        elif kind == "replace":
            tokens[k] = draw(st.sampled_from(VOCABULARY))
        elif len(tokens) > 1:
            del tokens[k]
    return " ".join(tokens)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A base, a proposal edited from it in order, and a current text edited from it
    too: paragraphs kept, edited, deleted, inserted (current sometimes holding the
    proposal's insertions, by id or by text alone), in any order."""
    base = [Para(f"b{k}", " ".join(draw(words))) for k in range(draw(st.integers(0, 7)))]
    fresh = iter(range(10_000))

    def inserted(prefix: str) -> list[Para]:
        count = draw(st.sampled_from([0, 0, 0, 1, 2]))
        return [Para(f"{prefix}{next(fresh)}", " ".join(draw(words))) for _ in range(count)]

    proposal: list[Para] = inserted("p")
    for paragraph in base:
        fate = draw(st.sampled_from(["keep", "keep", "edit", "edit", "delete"]))
        if fate == "edit":
            proposal.append(Para(paragraph.id, draw(edited(paragraph.text))))
        elif fate == "keep":
            proposal.append(paragraph)
        proposal.extend(inserted("p"))

    proposal_insertions = [p for p in proposal if not p.id.startswith("b")]
    current: list[Para] = inserted("c")
    for paragraph in base:
        fate = draw(st.sampled_from(["keep", "keep", "edit", "same", "delete"]))
        if fate == "edit":
            current.append(Para(paragraph.id, draw(edited(paragraph.text))))
        elif fate == "same":  # the proposal's own text, when it has one
            current.append(next((p for p in proposal if p.id == paragraph.id), paragraph))
        elif fate == "keep":
            current.append(paragraph)
        current.extend(inserted("c"))
        if proposal_insertions and draw(st.integers(0, 3)) == 0:
            taken = draw(st.sampled_from(proposal_insertions))
            if draw(st.booleans()):
                if all(p.id != taken.id for p in current):
                    current.append(taken)  # accepted already, under its own id
            else:
                current.append(Para(f"c{next(fresh)}", taken.text))  # the same text typed
    if draw(st.integers(0, 4)) == 0:
        current = draw(st.permutations(current))
    return Case(base, list(current), proposal)


@MANY
@given(cases())
def test_statuses_are_those_of_merging_each_hunk_alone(case: Case) -> None:
    assert_same_statuses(case.base, case.current, case.proposal)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.sampled_from(["A", "B"]))
def test_statuses_on_non_overlapping_edits(s, side: str) -> None:
    other = "B" if side == "A" else "A"
    assert_same_statuses(s.base, s.sides[other], s.sides[side])
    assert_same_statuses(s.base, s.base, s.sides[side])
    assert_same_statuses(s.base, s.sides[side], s.sides[side])


def doc(*texts: str) -> list[Para]:
    return [Para(f"b{k}", t) for k, t in enumerate(texts)]


BASE = doc("Le loyer est de 80 €.", "La vacance est de 2 %.", "Fin.")


@pytest.mark.parametrize(
    ("current", "proposal", "statuses"),
    [
        # Untouched in current: applicable; made already: applied.
        (BASE, doc("Le loyer est de 45 €.", "La vacance est de 2 %.", "Fin."), ["applicable"]),
        (
            doc("Le loyer est de 45 €.", "La vacance est de 2 %.", "Fin."),
            doc("Le loyer est de 45 €.", "La vacance est de 2 %.", "Fin."),
            ["applied"],
        ),
        # Both sides on the same word: a conflict; on different words: applicable.
        (
            doc("Le loyer est de 90 €.", "La vacance est de 2 %.", "Fin."),
            doc("Le loyer est de 45 €.", "La vacance est de 2 %.", "Fin."),
            ["conflict"],
        ),
        (
            doc("Le loyer mensuel est de 80 €.", "La vacance est de 2 %.", "Fin."),
            doc("Le loyer est de 45 €.", "La vacance est de 2 %.", "Fin."),
            ["applicable"],
        ),
        # A deletion of a paragraph current edited conflicts; of one it deleted is gone.
        (
            doc("Le loyer est de 90 €.", "La vacance est de 2 %.", "Fin."),
            [BASE[1], BASE[2]],
            ["conflict"],
        ),
        ([BASE[1], BASE[2]], [BASE[1], BASE[2]], ["paragraph_gone"]),
        # An insertion after a paragraph current deleted, and the one after it too.
        ([BASE[0]], [*BASE[:2], Para("n", "Ajout."), BASE[2]], ["paragraph_gone"]),
        ([BASE[0], BASE[2]], [*BASE[:2], Para("n", "Ajout."), BASE[2]], ["applicable"]),
    ],
)
def test_statuses_by_example(current, proposal, statuses) -> None:
    hunks = compute_hunks(BASE, proposal)
    assert hunk_statuses(BASE, current, proposal, hunks) == statuses
    assert [oracle(BASE, current, proposal, h) for h in hunks] == statuses


def test_statuses_refuse_duplicate_ids_and_foreign_hunks() -> None:
    proposal = doc("Le loyer est de 45 €.", "La vacance est de 2 %.", "Fin.")
    hunks = compute_hunks(BASE, proposal)
    with pytest.raises(ValueError, match="duplicate"):
        hunk_statuses(BASE, [BASE[0], BASE[0]], proposal, hunks)
    foreign = Hunk("h9", "modify", "b0", None, 0, 1, "Autre", "Texte")
    with pytest.raises(ValueError, match="does not match"):
        hunk_statuses(BASE, BASE, proposal, [foreign])
    lost = Hunk("h9", "insert", "zz", "nowhere", 0, 0, "", "Texte")
    with pytest.raises(ValueError, match="anchor"):
        hunk_statuses(BASE, BASE, proposal, [lost])
