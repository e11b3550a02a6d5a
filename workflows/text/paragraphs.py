"""Stable paragraph identities across the revisions of a section.

A section's revisions are immutable Markdown texts. Open contributions are
anchored to *paragraphs*, not to character offsets, so that they survive new
revisions of the section: each paragraph carries an id that it keeps from one
revision to the next as long as the word diff still recognises it as "the
same paragraph, edited" (see ``workflows.text.diff.word_diff``, which pairs old
and new paragraphs by similarity). A paragraph rewritten beyond recognition,
or a new one, gets a fresh id; a deleted paragraph's id simply disappears.

The module is pure Python (stdlib and ``workflows.text.diff`` only).
"""

from __future__ import annotations

import uuid

from workflows.text.diff import split_paragraphs, word_diff

__all__ = ["assign_paragraph_ids", "new_paragraph_id"]


def new_paragraph_id() -> str:
    """Return a fresh paragraph id: 12 hexadecimal characters (48 random bits).

    Ids only need to be unique within one section's history, so 48 bits keep
    them short in URLs, HTML anchors and JSON while making collisions
    practically impossible.
    """
    return uuid.uuid4().hex[:12]


def _fresh_id(reserved: set[str]) -> str:
    # A collision is astronomically unlikely, but checking is free and a
    # duplicate id would silently merge two paragraphs' histories.
    while True:
        candidate = new_paragraph_id()
        if candidate not in reserved:
            reserved.add(candidate)
            return candidate


def assign_paragraph_ids(old_text: str, old_ids: list[str] | None, new_text: str) -> list[str]:
    """Ids for the paragraphs of ``new_text``, carried over from ``old_text``.

    Returns one id per paragraph of ``split_paragraphs(new_text)``. A new
    paragraph that ``word_diff`` pairs with an old one (op "equal" or
    "change": both ``old_index`` and ``new_index`` set) keeps that old
    paragraph's id; any other paragraph gets a fresh ``new_paragraph_id()``.

    ``old_ids`` is None when there is no previous revision: every paragraph
    then gets a fresh id and ``old_text`` is ignored. Otherwise it must hold
    one id per paragraph of ``old_text`` (ValueError if not).

    The returned ids are always distinct: should the pairing ever map two new
    paragraphs to the same old id (or ``old_ids`` hold a duplicate), only the
    first keeps it. Fresh ids never reuse an id of ``old_ids`` either, so a
    deleted paragraph cannot appear to come back.
    """
    new_count = len(split_paragraphs(new_text))
    if old_ids is None:
        reserved: set[str] = set()
        return [_fresh_id(reserved) for _ in range(new_count)]

    old_count = len(split_paragraphs(old_text))
    if len(old_ids) != old_count:
        raise ValueError(
            f"old_ids has {len(old_ids)} ids but the old text has {old_count} paragraphs"
        )

    ids: list[str | None] = [None] * new_count
    taken: set[str] = set()
    for paragraph in word_diff(old_text, new_text):
        if paragraph.old_index is None or paragraph.new_index is None:
            continue
        old_id = old_ids[paragraph.old_index]
        if old_id in taken:
            continue
        ids[paragraph.new_index] = old_id
        taken.add(old_id)

    reserved = taken | set(old_ids)
    return [paragraph_id or _fresh_id(reserved) for paragraph_id in ids]
