"""Rules of contributions that need no database: a drafted passage added to a section,
the decisions on their changes."""

from __future__ import annotations

import pytest

from workflows.contributions import (
    ASSISTED_QUESTION_MAX,
    ContributionState,
    assisted_rationale,
    change_number,
    check_decisions,
    clean_text,
    state_after_decisions,
    with_addition,
)
from workflows.errors import Conflict, InvalidInput
from workflows.revisions import clean_body


def test_an_addition_becomes_new_paragraphs_at_the_end():
    assert with_addition("Premier.\n\nSecond.\n\n", "  Ajout.\r\nSuite.  ") == (
        "Premier.\n\nSecond.\n\nAjout.\nSuite."
    )
    assert with_addition("", "Ajout.") == "Ajout."


@pytest.mark.parametrize("addition", [None, "", "  \n\t "])
def test_an_empty_addition_is_refused(addition):
    with pytest.raises(InvalidInput, match="vide"):
        with_addition("Texte.", addition)


def test_the_rationale_quotes_the_question_briefly():
    assert assisted_rationale("  Qu'est-ce que\nla vacance ?  ") == (
        "Rédigée avec l'assistant de Cosigne, en réponse à : « Qu'est-ce que la vacance ? »."
    )
    long = assisted_rationale("mot " * 500)
    assert len(long) < ASSISTED_QUESTION_MAX + 80 and "…" in long
    assert assisted_rationale(None) == "Rédigée avec l'assistant de Cosigne."


def test_nul_characters_are_dropped_not_stored():
    assert with_addition("Texte.", "A\x00jout.") == "Texte.\n\nAjout."
    assert clean_body("a\x00b") == "ab"
    assert clean_text("\x00note\x00", "La note", required=True) == "note"


def test_changes_are_numbered_as_users_see_them():
    assert [change_number(h) for h in ("h1", "h12", "x3", "h", "hx")] == [1, 12, 0, 0, 0]


ALL = {"h1", "h2", "h3"}


def test_a_contribution_stays_open_until_every_change_is_decided():
    assert state_after_decisions({"h1"}, {"h2"}, ALL) is ContributionState.OUVERTE
    assert state_after_decisions(ALL, set(), ALL) is ContributionState.ACCEPTEE
    assert state_after_decisions({"h2"}, {"h1", "h3"}, ALL) is (
        ContributionState.PARTIELLEMENT_ACCEPTEE
    )
    assert state_after_decisions(set(), ALL, ALL) is ContributionState.REJETEE


def test_each_change_is_decided_once_and_one_way():
    check_decisions(ALL, {"h1"}, set(), {"h2"}, {"h3"})
    with pytest.raises(InvalidInput, match="inconnues : h9"):
        check_decisions(ALL, set(), set(), {"h9"}, set())
    with pytest.raises(InvalidInput, match="à la fois"):
        check_decisions(ALL, set(), set(), {"h2"}, {"h2"})
    # Decided already (by another drafter, meanwhile): a conflict, saying which way.
    with pytest.raises(Conflict, match="modification 1 a déjà été acceptée"):
        check_decisions(ALL, {"h1"}, set(), set(), {"h1"})
    with pytest.raises(Conflict, match="modification 3 a déjà été rejetée"):
        check_decisions(ALL, set(), {"h3"}, {"h3"}, set())
