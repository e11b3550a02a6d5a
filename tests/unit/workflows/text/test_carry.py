"""carry_edits: what the editor did not change keeps the author's own Markdown.

Property-tested over bodies as authors and the Word import write them
(tests/unit/workflows/text/authored.py) and on the bodies the real Word and LibreOffice
documents of ../shared/docx give."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.corpus import DOCX
from tests.unit.workflows.text.authored import bodies
from workflows.text.blocks import canonical, parse_markdown, to_markdown
from workflows.text.carry import carry_edits
from workflows.text.diff import common_prefix_suffix, split_paragraphs, tokenize
from workflows.text.editor import from_editor, to_editor
from workflows.word.reader import accept_all, accept_none, read_docx, to_blocks, version

# A whole word as the carry reads words: not a piece of "aujourd'hui" (its tokenizer keeps
# an elided word whole, so changing a piece of it changes the whole token).
WORD = re.compile(r"(?<![\w'\u2019])[^\W\d_]{3,}(?![\w'\u2019])")
NEW_WORD = "zzmot"
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def changed_stretch(old: str, new: str) -> tuple[str, str]:
    """The one stretch that differs between two texts, token by token, once their
    common beginning and end are set aside: (old part, new part)."""
    a, b = tokenize(old), tokenize(new)
    prefix, suffix = common_prefix_suffix(a, b)
    return "".join(a[prefix : len(a) - suffix]), "".join(b[prefix : len(b) - suffix])


def word_docx_bodies() -> list[str]:
    """Sections' bodies as the Word import writes them from the real documents."""
    found = []
    for path in sorted(DOCX.glob("*.docx")):
        document = read_docx(path.read_bytes())
        for accept in (accept_all, accept_none):
            found.append(to_markdown(to_blocks(version(document.items, accept))))
    return found


# --- nothing edited ---------------------------------------------------------------------


@PROPERTY
@given(bodies())
def test_saving_without_a_change_gives_the_body_back(body):
    assert carry_edits(body, canonical(body)) == body
    # The editor's own round trip lands on the same canonical text.
    assert carry_edits(body, from_editor(to_editor(body))) == body


def test_examples_written_by_hand_come_back_exactly():
    body = (
        "Un paragraphe écrit\nsur plusieurs lignes, avec _emphase_ et __gras__.\n\n"
        "* premier point\n* second point\n  + détail\n\n"
        "1) un\n2) deux\n\n"
        "Nom | Valeur\n:-- | --:\nloyer | 5,20\n\n"
        "***\n\n> citation\nsur deux lignes"
    )
    assert canonical(body) != body
    assert carry_edits(body, canonical(body)) == body


# --- one word -----------------------------------------------------------------------------


@st.composite
def body_and_word(draw):
    body = draw(bodies())
    edited = canonical(body)
    words = list(WORD.finditer(edited))
    if not words:
        words = []
    match = draw(st.sampled_from(words)) if words else None
    return body, edited, match


@PROPERTY
@given(body_and_word())
def test_changing_one_word_changes_that_word_only(case):
    body, edited, match = case
    if match is None:
        return
    changed = edited[: match.start()] + NEW_WORD + edited[match.end() :]
    stored = carry_edits(body, changed)
    assert parse_markdown(stored) == parse_markdown(changed)
    old, new = changed_stretch(body, stored)
    # One stretch changed: the word, give or take the markers or escapes glued to it;
    # nothing around it was re-spelled (no re-wrapping, no marker changed elsewhere).
    assert old.strip() == match.group() or (
        match.group() in old and len(old) <= len(match.group()) + 8
    ), (old, new)
    assert new == old.replace(match.group(), NEW_WORD, 1) or len(new) <= len(NEW_WORD) + 8, (
        old,
        new,
    )


def test_a_word_among_repeated_words_beside_a_hard_break():
    # Found by the property above: matching the canonical form's gaps literally paired
    # the edited word with its twin on the next line, and the paragraph was re-spelled.
    body = "logement\nlogement  \nlogement\nlogement\n\n---"
    edited = canonical(body)
    assert edited == "logement logement\\\nlogement logement\n\n---"
    stored = carry_edits(body, edited.replace("logement\\", "zzmot\\", 1))
    assert stored == "logement\nzzmot  \nlogement\nlogement\n\n---"


def test_one_word_in_a_hard_wrapped_paragraph():
    body = "Le plan de mise en vente porte\nsur 60 logements individuels,\nproposés _d'abord_ aux locataires."
    edited = canonical(body).replace("60", "45").replace("individuels", "collectifs")
    stored = carry_edits(body, edited)
    assert stored == body.replace("60", "45").replace("individuels", "collectifs")


def test_a_word_in_the_first_of_two_identical_paragraphs():
    # The edited paragraph is the one at the edit's place: the blank lines the source
    # puts between the two stay as they are (found by the property test above).
    body = "Le parc compte 8 412 logements.\n\n\nLe parc compte 8 412 logements."
    edited = canonical(body).replace("8 412", "8 500", 1)
    assert carry_edits(body, edited) == body.replace("8 412", "8 500", 1)


def test_a_word_next_to_a_marker_spelled_differently():
    body = "* un _mot_ ici\n* un autre"
    stored = carry_edits(body, canonical(body).replace("mot", "terme"))
    assert stored == "* un _terme_ ici\n* un autre"


# --- any edit: what is stored reads as what was edited ----------------------------------


@st.composite
def body_and_edit(draw):
    body = draw(bodies())
    edited = canonical(body)
    paragraphs = split_paragraphs(edited)
    kind = draw(st.sampled_from(["word", "insert", "delete", "add", "drop", "split", "bold"]))
    words = list(WORD.finditer(edited))
    if kind in ("word", "insert", "bold", "split") and words:
        match = draw(st.sampled_from(words))
        a, b = match.start(), match.end()
        if kind == "word":
            edited = edited[:a] + NEW_WORD + edited[b:]
        elif kind == "insert":
            edited = edited[:b] + " ajouté" + edited[b:]
        elif kind == "bold":
            edited = edited[:a] + "**" + match.group() + "**" + edited[b:]
        else:
            edited = edited[:b] + "\n\n" + "Nouveau paragraphe" + edited[b:]
    elif kind == "delete" and words:
        match = draw(st.sampled_from(words))
        edited = edited[: match.start()] + edited[match.end() :]
    elif kind == "add":
        at = draw(st.integers(min_value=0, max_value=len(paragraphs)))
        paragraphs.insert(
            at, draw(st.sampled_from(["## Ajout", "- point ajouté", "Texte ajouté."]))
        )
        edited = "\n\n".join(paragraphs)
    elif kind == "drop" and paragraphs:
        del paragraphs[draw(st.integers(min_value=0, max_value=len(paragraphs) - 1))]
        edited = "\n\n".join(paragraphs)
    # What the server receives is the editor's document read back (from_editor), always
    # canonical: an edit of the text is that. (Dropping the paragraph between two lists
    # of a kind makes one list of them, as it does in the editor.)
    edited = canonical(edited)
    # Deleting the word of "~~word~~" at a line's start leaves "~~~~", a fence that turns
    # the rest of the text into code: an edit of the Markdown no editor makes (an emptied
    # strike disappears from its document), so none of the properties below speaks of it.
    assume(edited.count("```") == canonical(body).count("```"))
    return body, edited


@PROPERTY
@given(body_and_edit())
def test_what_is_stored_reads_as_what_was_edited(case):
    body, edited = case
    stored = carry_edits(body, edited)
    assert parse_markdown(stored) == parse_markdown(edited)


@PROPERTY
@given(body_and_edit())
def test_paragraphs_not_edited_keep_their_text(case):
    body, edited = case
    stored = carry_edits(body, edited)
    before, after = split_paragraphs(canonical(body)), split_paragraphs(edited)
    # A paragraph of the source that is one block, found once before and once after the
    # edit, is stored as the source writes it.
    for paragraph in split_paragraphs(body):
        blocks = parse_markdown(paragraph)
        if len(blocks) != 1 or "```" in paragraph or "~~~" in paragraph:
            continue
        written = canonical(paragraph)
        if before.count(written) == 1 and after.count(written) == 1:
            assert paragraph in stored, (paragraph, stored)


# --- the bodies the Word import writes from real documents --------------------------------


@pytest.mark.skipif(not DOCX.exists(), reason=f"real .docx files not found at {DOCX}")
def test_bodies_of_real_word_documents():
    found = word_docx_bodies()
    assert found and all(found)
    for body in found:
        assert from_editor(to_editor(body)) == canonical(body)
        assert carry_edits(body, canonical(body)) == body
        for match in list(WORD.finditer(canonical(body)))[:40]:
            edited = canonical(body)
            changed = edited[: match.start()] + NEW_WORD + edited[match.end() :]
            stored = carry_edits(body, changed)
            assert parse_markdown(stored) == parse_markdown(changed)
            old, new = changed_stretch(body, stored)
            assert new == old.replace(match.group(), NEW_WORD, 1), (old, new)


# --- bounded work -------------------------------------------------------------------------


def test_a_twenty_page_section_is_carried_quickly():
    paragraph = (
        "L'office prévoit la réhabilitation thermique de 1 200 logements\n"
        "sur la période, en priorité les étiquettes _E, F et G_.\n"
    )
    table = "Année | Logements\n--- | ---\n" + "\n".join(f"{y} | {y % 97}" for y in range(400))
    body = "\n\n".join([paragraph] * 200 + [table] + ["* un\n* deux"] * 20)
    edited = canonical(body)
    edited = edited.replace("étiquettes", "classes", 3).replace("| 2 |", "| 3 |")
    started = time.perf_counter()
    stored = carry_edits(body, edited)
    elapsed = time.perf_counter() - started
    assert parse_markdown(stored) == parse_markdown(edited)
    assert elapsed < 2.0, elapsed
    rewritten = canonical(body).replace("sur la période", "pendant la période")
    started = time.perf_counter()
    assert parse_markdown(carry_edits(body, rewritten)) == parse_markdown(rewritten)
    assert time.perf_counter() - started < 5.0


def test_two_lists_of_a_kind_brought_together_by_an_edit_stay_two_lists():
    # Found by hypothesis: deleting the paragraph between an ordered list and a list
    # numbered "1)" used to write both with "1.", which CommonMark reads as one list.
    body = "1. un\n2. deux\n\nEntre les deux.\n\n1) autre\n   - détail"
    edited = canonical("1. un\n2. deux\n\n1) autre\n   - détail")
    assert edited == "1. un\n2. deux\n\n1) autre\n   - détail"
    assert carry_edits(body, edited) == edited
    for text in ("- a\n\n* b", "1. a\n\n1) b", "- a\n\n* b\n\n- c"):
        assert canonical(text) == text and len(parse_markdown(text)) == text.count("\n\n") + 1
