import pytest

from workflows.errors import InvalidInput
from workflows.text.anchors import locate, make_anchor

TEXT = "Le taux de vacance est de 2 %. Le taux de rotation est de 9 %. Le taux de vacance baisse."


def test_anchor_keeps_context_and_finds_the_same_occurrence():
    anchor = make_anchor(TEXT, "taux de vacance", occurrence=1)
    assert TEXT[locate(TEXT, anchor) :].startswith("taux de vacance baisse")


def test_anchor_survives_edits_elsewhere():
    anchor = make_anchor(TEXT, "taux de rotation")
    edited = "Préambule ajouté. " + TEXT.replace("2 %", "3 %")
    assert edited[locate(edited, anchor) :].startswith("taux de rotation est de 9 %")


def test_anchor_is_detached_when_the_passage_is_gone_or_ambiguous():
    anchor = make_anchor(TEXT, "taux de rotation")
    assert locate(TEXT.replace("taux de rotation", "turn-over"), anchor) is None
    ambiguous = make_anchor(TEXT, "taux de vacance")
    rewritten = "Un taux de vacance monte ; ailleurs, un taux de vacance reste stable."
    assert locate(rewritten, ambiguous) is None


def test_bad_quotes_are_refused():
    with pytest.raises(InvalidInput):
        make_anchor(TEXT, "   ")
    with pytest.raises(InvalidInput, match="ne figure pas"):
        make_anchor(TEXT, "loyer")
