"""Rules of contributions that need no database: a drafted passage added to a section."""

from __future__ import annotations

import pytest

from workflows.contributions import (
    ASSISTED_QUESTION_MAX,
    assisted_rationale,
    clean_text,
    with_addition,
)
from workflows.errors import InvalidInput
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
