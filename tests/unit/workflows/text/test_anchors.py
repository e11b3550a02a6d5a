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


MARKDOWN = (
    "## Occupation\n\n"
    "Le taux de **vacance** commerciale atteint 2,1 %.\n\n"
    "- le taux de *vacance* technique\n"
    "- la vacance de plus de trois mois\n\n"
    "Le taux de vacance baisse depuis 2022."
)


def test_a_quote_selected_in_the_rendered_text_is_found_without_its_markers():
    anchor = make_anchor(MARKDOWN, "taux de vacance commerciale")
    assert anchor.quote == "taux de vacance commerciale"
    assert "Occupation" in anchor.prefix and anchor.suffix.startswith(" atteint")
    assert locate(MARKDOWN, anchor) is not None


def test_a_selection_across_blocks_is_found_with_its_white_space_folded():
    quote = "atteint 2,1 %.\nle taux de vacance technique"
    anchor = make_anchor(MARKDOWN, quote)
    assert anchor.quote == "atteint 2,1 %. le taux de vacance technique"
    assert locate(MARKDOWN, anchor) is not None


def test_the_words_around_a_selection_tell_which_appearance_is_meant():
    # "taux de vacance" appears three times once the markers are gone; the page's
    # context around the selection picks the last one, not the first.
    anchor = make_anchor(MARKDOWN, "taux de vacance", before="mois Le ", after=" baisse depuis")
    assert anchor.suffix.startswith(" baisse depuis 2022")
    first = make_anchor(MARKDOWN, "taux de vacance", before="## Occupation Le ", after=" comm")
    assert first.suffix.startswith(" commerciale")


def test_an_anchor_on_the_text_as_read_is_detached_when_its_passage_goes():
    anchor = make_anchor(MARKDOWN, "taux de vacance commerciale")
    edited = MARKDOWN.replace("**vacance** commerciale", "occupation")
    assert locate(edited, anchor) is None
