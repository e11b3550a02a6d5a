"""The characters XML 1.0 forbids are dropped; every other one is kept."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from workflows.text.clean import clean_text, has_forbidden


def test_the_forbidden_characters_go_and_the_allowed_ones_stay():
    typed = "a\x00b\x01c\x08d\x0be\x0cf\x1bg\x1fh\ufffei\uffffj\ud800k\udfffl"
    assert clean_text(typed) == "abcdefghijkl"
    kept = "tab\there\nnew\r\nline é ☃ 𝄞 \x7f\x85\x9f\ufffd\ue000\U0010ffff"
    assert clean_text(kept) == kept
    assert not has_forbidden(kept) and has_forbidden("\x0c")


def _xml_accepts(text: str) -> bool:
    element = etree.Element("t")
    try:
        element.text = text
    except ValueError:
        return False
    return True


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=sys.maxunicode)))
def test_what_is_left_is_what_lxml_writes_into_a_word_document(text):
    # python-docx writes through lxml: what lxml accepts is what the export can write.
    cleaned = clean_text(text)
    assert _xml_accepts(cleaned)
    assert has_forbidden(text) == (cleaned != text)
    if _xml_accepts(text):
        assert cleaned == text


def test_every_code_point_agrees_with_lxml():
    refused = {chr(c) for c in range(0x110000) if not _xml_accepts(chr(c))}
    cleaned_away = {chr(c) for c in range(0x110000) if clean_text(chr(c)) == ""}
    assert cleaned_away == refused
