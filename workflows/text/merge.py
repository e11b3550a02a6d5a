"""Per-change acceptance and three-way merge of contributions.

A contribution is a full proposed text for a section, written against a
named revision (its *base*). The drafter reviews it like tracked changes in
a word processor: each change ("hunk") can be accepted or rejected on its
own. Meanwhile the section may have moved on (its *current* revision), so
accepted changes must be merged three ways (base, current, proposal).

Design notes
------------
* Paragraphs carry stable ids (see ``workflows.text.paragraphs``). Hunks are
  anchored to a paragraph id plus a token range *inside that paragraph*,
  never to offsets in the whole text, so edits elsewhere in the section do
  not invalidate them.
* The merge works at two levels, like the word diff: first over the
  sequence of paragraphs, by id (cheap, and immune to paragraphs inserted
  or deleted elsewhere); then, only for a paragraph that both sides
  changed, word by word over ``tokenize()``. Hence edits to neighbouring
  paragraphs, or to different sentences of one paragraph, do not conflict,
  unlike the line-based diff3 of version control tools where a paragraph is
  one long line.
* Overlapping changes are reported as conflicts rather than resolved by a
  heuristic: nothing is applied blindly, and wherever there is a conflict
  the current (live) text is kept, so accepted text is never lost.

Pure Python: stdlib ``difflib`` and ``workflows.text.diff`` only (the ``merge3``
package on PyPI is GPL, hence this small implementation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from workflows.text.diff import (
    Region,
    change_regions,
    is_space,
    settle_edges,
    split_paragraphs,
    tokenize,
)
from workflows.text.paragraphs import assign_paragraph_ids

__all__ = [
    "Hunk",
    "HunkStatus",
    "MergeConflict",
    "MergeResult",
    "Para",
    "align_proposal",
    "apply_hunks",
    "compute_hunks",
    "hunk_statuses",
    "join",
    "merge3",
    "merge_words",
    "paragraphs_of",
]

HunkStatus = Literal["applicable", "applied", "conflict", "paragraph_gone"]
ConflictKind = Literal["both_modified", "deleted_in_current", "deleted_in_proposal", "anchor_lost"]

CONFLICT_MESSAGES: dict[str, str] = {
    "both_modified": (
        "Ce paragraphe a été modifié depuis la révision de base de la contribution, "
        "aux mêmes endroits que la proposition."
    ),
    "deleted_in_current": (
        "Ce paragraphe a été supprimé depuis la révision de base de la contribution."
    ),
    "deleted_in_proposal": (
        "La contribution supprime ce paragraphe, qui a été modifié depuis sa révision de base."
    ),
    "anchor_lost": (
        "Le paragraphe après lequel la contribution ajoute ce texte a été supprimé depuis "
        "sa révision de base : l'emplacement de l'ajout ne peut pas être déterminé."
    ),
}


# ---------------------------------------------------------------------------
# Paragraphs with ids
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    """A paragraph and its stable id."""

    id: str
    text: str


def paragraphs_of(text: str, ids: list[str]) -> list[Para]:
    """Pair ``split_paragraphs(text)`` with ``ids`` (ValueError if the lengths differ)."""
    texts = split_paragraphs(text)
    if len(texts) != len(ids):
        raise ValueError(f"{len(ids)} ids for {len(texts)} paragraphs")
    return [Para(paragraph_id, t) for paragraph_id, t in zip(ids, texts, strict=True)]


def join(paragraphs: Iterable[Para]) -> str:
    """The Markdown text of a list of paragraphs (blank line between them)."""
    return "\n\n".join(p.text for p in paragraphs)


def _by_id(paragraphs: Sequence[Para], what: str) -> dict[str, Para]:
    by_id = {p.id: p for p in paragraphs}
    if len(by_id) != len(paragraphs):
        raise ValueError(f"duplicate paragraph ids in {what}")
    return by_id


def align_proposal(base: list[Para], proposal_text: str) -> list[Para]:
    """The paragraphs of a proposed text, with ids carried over from ``base``.

    A proposal paragraph paired with a base paragraph by ``word_diff`` gets
    that base paragraph's id; the others get fresh ids.
    """
    ids = assign_paragraph_ids(join(base), [p.id for p in base], proposal_text)
    return paragraphs_of(proposal_text, ids)


# ---------------------------------------------------------------------------
# Word-level change regions
# ---------------------------------------------------------------------------

# Change regions (``workflows.text.diff.Region``): between two lies a run of equal
# tokens of the same length in a and b, never empty once coalesced (see _coalesce).


def _coalesce(regions: list[Region], a: Sequence[str], *, across_spaces: bool) -> list[Region]:
    """Merge regions that touch, or (optionally) are separated only by spaces.

    Touching regions can come out of the chunked diff (two rows changed at
    their junction); merging them guarantees a non-empty equal run between
    regions, so that "two changes at the same point" cannot happen within
    one side. The equal run between two regions has the same length in both
    sequences, so merging keeps the b indices consistent.
    """
    merged: list[Region] = []
    for region in regions:
        if merged:
            i1, i2, j1, j2 = merged[-1]
            gap = a[i2 : region[0]]
            if not gap or (across_spaces and all(is_space(t) for t in gap)):
                merged[-1] = (i1, region[1], j1, region[3])
                continue
        merged.append(region)
    return merged


def _change_regions(a: Sequence[str], b: Sequence[str]) -> list[Region]:
    """The non-equal regions turning tokens ``a`` into tokens ``b``, in canonical form."""
    return _coalesce(_slide_left(change_regions(a, b), a, b), a, across_spaces=False)


def _slide_left(regions: list[Region], a: Sequence[str], b: Sequence[str]) -> list[Region]:
    """Move pure insertions and deletions as far left as they can go.

    Inserting " varéla" after "savogé" or "varéla " before the next word is
    the same change, and which one difflib reports depends on the rest of
    the text (the common prefix trimming alone favours the right-most one).
    The merge compares regions of two different diffs, so the same change
    must always be described the same way, or a change made on both sides
    would not be recognised as identical and would be applied twice.
    Sliding left while the token before the region equals its last token is
    the usual canonical form; a region never slides into the previous one.
    """
    slid: list[Region] = []
    floor = 0
    for i1, i2, j1, j2 in regions:
        if i1 == i2:
            while i1 > floor and a[i1 - 1] == b[j2 - 1]:
                i1, i2, j1, j2 = i1 - 1, i2 - 1, j1 - 1, j2 - 1
        elif j1 == j2:
            while i1 > floor and a[i1 - 1] == a[i2 - 1]:
                i1, i2, j1, j2 = i1 - 1, i2 - 1, j1 - 1, j2 - 1
        slid.append((i1, i2, j1, j2))
        floor = i2
    return slid


# ---------------------------------------------------------------------------
# Hunks: accept / reject change by change
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hunk:
    """One acceptable change of a proposal relative to its base.

    ``id`` is "h1", "h2", ... in document order; it is deterministic for a
    given (base, proposal) pair, so it can be recomputed rather than stored.
    ``paragraph_id`` is the base paragraph's id for "modify" and "delete",
    the new paragraph's id (from the proposal) for "insert".
    ``anchor_after`` (insert only) is the id of the nearest preceding base
    paragraph, None for an insertion at the very start.
    ``start``/``end`` (modify only) delimit the replaced tokens in
    ``tokenize(base paragraph text)``.
    """

    id: str
    kind: Literal["modify", "insert", "delete"]
    paragraph_id: str
    anchor_after: str | None
    start: int
    end: int
    old_text: str
    new_text: str


def compute_hunks(base: list[Para], proposal: list[Para]) -> list[Hunk]:
    """The changes turning ``base`` into ``proposal``, in document order.

    * One "modify" hunk per word-level change region inside each paragraph
      present on both sides with a different text. Regions separated only
      by whitespace form a single hunk, so that "80 €" -> "45 euros" is one
      readable change rather than two; regions separated by at least one
      word or punctuation mark stay separate hunks.
    * One "delete" hunk per base paragraph missing from the proposal.
    * One "insert" hunk per proposal paragraph whose id is not in base.

    Where a proposal replaces paragraphs (deletion and insertion at the same
    place), deletions come first and the insertions are anchored after the
    last of the deleted paragraphs, as tracked changes show them: accepting
    only the insertion then keeps the old paragraph followed by the new one.

    Raises ValueError on duplicate ids, or if the proposal reorders base
    paragraphs (moves cannot be expressed as hunks; ``align_proposal`` never
    produces them).
    """
    base_at = {p.id: k for k, p in enumerate(base)}
    if len(base_at) != len(base):
        raise ValueError("duplicate paragraph ids in base")
    _by_id(proposal, "proposal")

    hunks: list[Hunk] = []

    def add(
        kind: Literal["modify", "insert", "delete"],
        paragraph_id: str,
        anchor: str | None = None,
        start: int = 0,
        end: int = 0,
        old: str = "",
        new: str = "",
    ) -> None:
        hunks.append(Hunk(f"h{len(hunks) + 1}", kind, paragraph_id, anchor, start, end, old, new))

    def close_gap(first: int, stop: int, inserted: list[Para]) -> None:
        # base[first:stop] are absent from the proposal; ``inserted`` are the
        # proposal paragraphs placed before base[stop].
        for deleted in base[first:stop]:
            add("delete", deleted.id, old=deleted.text)
        anchor = base[stop - 1].id if stop > 0 else None
        for paragraph in inserted:
            add("insert", paragraph.id, anchor, new=paragraph.text)
        inserted.clear()

    next_base = 0
    inserted: list[Para] = []
    for paragraph in proposal:
        k = base_at.get(paragraph.id)
        if k is None:
            inserted.append(paragraph)
            continue
        if k < next_base:
            raise ValueError("the proposal reorders base paragraphs")
        close_gap(next_base, k, inserted)
        old = base[k].text
        if paragraph.text != old:
            a, b = tokenize(old), tokenize(paragraph.text)
            # Shown to the drafter one by one: placed where their edges are cleanest
            # (which changes no text that accepting them gives).
            regions = _coalesce(_change_regions(a, b), a, across_spaces=True)
            for i1, i2, j1, j2 in settle_edges(regions, a, b):
                add(
                    "modify",
                    paragraph.id,
                    start=i1,
                    end=i2,
                    old="".join(a[i1:i2]),
                    new="".join(b[j1:j2]),
                )
        next_base = k + 1
    close_gap(next_base, len(base), inserted)
    return hunks


def _apply_modifications(text: str, hunks: list[Hunk]) -> str:
    tokens = tokenize(text)
    pieces: list[str] = []
    pos = 0
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        if hunk.start < pos or hunk.end > len(tokens):
            raise ValueError(f"hunk {hunk.id} does not fit its paragraph")
        if "".join(tokens[hunk.start : hunk.end]) != hunk.old_text:
            raise ValueError(f"hunk {hunk.id} does not match its base paragraph")
        pieces.extend(tokens[pos : hunk.start])
        pieces.append(hunk.new_text)
        pos = hunk.end
    pieces.extend(tokens[pos:])
    return "".join(pieces)


def apply_hunks(
    base: list[Para], proposal: list[Para], hunks: list[Hunk], selected: set[str]
) -> list[Para]:
    """The "partial proposal": ``base`` with only the selected hunks applied.

    Inserted paragraphs keep their ids and go right after their anchor, in
    proposal order. With every hunk id of ``compute_hunks(base, proposal)``
    the result equals ``proposal``; with none it equals ``base``.

    Raises ValueError if ``selected`` names a hunk not in ``hunks``, or if a
    hunk does not belong to this base and proposal (stale hunks).
    """
    unknown = selected - {h.id for h in hunks}
    if unknown:
        raise ValueError(f"unknown hunks: {sorted(unknown)}")
    base_by_id = _by_id(base, "base")
    proposal_at = {p.id: k for k, p in enumerate(proposal)}

    modified: dict[str, list[Hunk]] = {}
    deleted: set[str] = set()
    inserted: dict[str | None, list[Hunk]] = {}
    for hunk in hunks:
        if hunk.id not in selected:
            continue
        if hunk.kind == "insert":
            if hunk.anchor_after is not None and hunk.anchor_after not in base_by_id:
                raise ValueError(f"hunk {hunk.id}: unknown anchor paragraph")
            if hunk.paragraph_id not in proposal_at:
                raise ValueError(f"hunk {hunk.id}: paragraph not in the proposal")
            inserted.setdefault(hunk.anchor_after, []).append(hunk)
            continue
        if hunk.paragraph_id not in base_by_id:
            raise ValueError(f"hunk {hunk.id}: paragraph not in the base")
        if hunk.kind == "delete":
            deleted.add(hunk.paragraph_id)
        else:
            modified.setdefault(hunk.paragraph_id, []).append(hunk)
    for group in inserted.values():
        group.sort(key=lambda h: proposal_at[h.paragraph_id])

    def insertions_after(anchor: str | None) -> list[Para]:
        return [Para(h.paragraph_id, h.new_text) for h in inserted.get(anchor, ())]

    result = insertions_after(None)
    for paragraph in base:
        if paragraph.id not in deleted:
            if paragraph.id in modified:
                text = _apply_modifications(paragraph.text, modified[paragraph.id])
                paragraph = Para(paragraph.id, text)
            result.append(paragraph)
        result.extend(insertions_after(paragraph.id))
    return result


# ---------------------------------------------------------------------------
# Three-way merge
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeConflict:
    """A place where the proposal cannot be merged into the current text.

    ``base``, ``current`` and ``proposal`` hold the paragraph's text on each
    side (None where it does not exist); ``message`` is for the user.
    """

    paragraph_id: str
    kind: ConflictKind
    base: str | None
    current: str | None
    proposal: str | None
    message: str


@dataclass(frozen=True)
class MergeResult:
    """A merged document. Where a conflict is, the current text is kept."""

    paragraphs: list[Para]
    conflicts: list[MergeConflict]

    @property
    def clean(self) -> bool:
        """True when the merge met no conflict."""
        return not self.conflicts

    def text(self) -> str:
        """The merged Markdown text."""
        return join(self.paragraphs)


def _overlap(r: Region, s: Region) -> bool:
    """Whether two regions of different sides compete for the same tokens.

    Two replaced ranges overlap when they share a token; two insertions when
    they are at the same point; an insertion and a range when the insertion
    falls strictly inside the range. Touching regions do not overlap: an
    insertion at the edge of a replaced range goes on that side of it.
    """
    r1, r2, s1, s2 = r[0], r[1], s[0], s[1]
    if r1 == r2 and s1 == s2:
        return r1 == s1
    if r1 == r2:
        return s1 < r1 < s2
    if s1 == s2:
        return r1 < s1 < r2
    return r1 < s2 and s1 < r2


def _side_version(
    a: Sequence[str], lo: int, hi: int, regions: list[Region], b: Sequence[str]
) -> list[str]:
    """Tokens a[lo:hi] with one side's regions (all inside it) applied."""
    out: list[str] = []
    pos = lo
    for i1, i2, j1, j2 in regions:
        out.extend(a[pos:i1])
        out.extend(b[j1:j2])
        pos = i2
    out.extend(a[pos:hi])
    return out


def merge_words(base: str, current: str, proposal: str) -> str | None:
    """Word-level three-way merge of one paragraph, or None on conflict.

    The change regions of current and of proposal relative to base (over
    ``tokenize()``) are computed separately. Regions of the two sides that
    overlap (see ``_overlap``) form a cluster; a cluster is accepted only if
    both sides turn its base tokens into the same tokens (the same change
    made twice), otherwise the paragraph conflicts. Non-overlapping regions,
    even adjacent ones, are all applied.
    """
    return _WordMerge(base, current).merge(proposal)


class _WordMerge:
    """``merge_words(base, current, ·)`` of one paragraph for several proposals.

    The statuses of a contribution's changes merge each change of a paragraph alone
    into the same current text: the base and current tokens, and the regions between
    them (the costly diff), are worked out once for all of them, lazily.
    """

    def __init__(self, base: str, current: str) -> None:
        self.base = base
        self.current = current
        self._prepared: tuple[list[str], list[str], list[Region]] | None = None

    def _current_side(self) -> tuple[list[str], list[str], list[Region]]:
        if self._prepared is None:
            a, c = tokenize(self.base), tokenize(self.current)
            self._prepared = (a, c, _change_regions(a, c))
        return self._prepared

    def merge(self, proposal: str) -> str | None:
        base, current = self.base, self.current
        if current == proposal or proposal == base:
            return current
        if current == base:
            return proposal
        a, c, current_regions = self._current_side()
        p = tokenize(proposal)
        sides = (c, p)
        items = [(r, 0) for r in current_regions] + [(r, 1) for r in _change_regions(a, p)]
        # Sorted by start; at the same start an insertion (empty range) comes
        # before a range, since it goes before the range's tokens. With this
        # order, a region can only overlap the cluster being built, never an
        # earlier one, which keeps the sweep linear.
        items.sort(key=lambda item: (item[0][0], item[0][1] > item[0][0]))

        clusters: list[list[tuple[Region, int]]] = []
        for region, side in items:
            if clusters and any(s != side and _overlap(region, m) for m, s in clusters[-1]):
                clusters[-1].append((region, side))
            else:
                clusters.append([(region, side)])

        out: list[str] = []
        pos = 0
        for cluster in clusters:
            lo = min(r[0] for r, _ in cluster)
            hi = max(r[1] for r, _ in cluster)
            out.extend(a[pos:lo])
            versions = [
                _side_version(a, lo, hi, [r for r, s in cluster if s == side], sides[side])
                for side in sorted({s for _, s in cluster})
            ]
            if any(v != versions[0] for v in versions[1:]):
                return None
            out.extend(versions[0])
            pos = hi
        out.extend(a[pos:])
        merged = "".join(out)
        # Gluing tokens from both sides could in theory create a blank line or
        # trailing whitespace, i.e. text that would not come back as this one
        # paragraph once the document is joined and split again: refuse it.
        if merged not in (current, proposal) and split_paragraphs(merged) != [merged]:
            return None
        return merged


def _conflict(
    kind: ConflictKind,
    paragraph_id: str,
    base: Para | None,
    current: Para | None,
    proposal: Para | None,
) -> MergeConflict:
    return MergeConflict(
        paragraph_id=paragraph_id,
        kind=kind,
        base=base.text if base else None,
        current=current.text if current else None,
        proposal=proposal.text if proposal else None,
        message=CONFLICT_MESSAGES[kind],
    )


def merge3(base: list[Para], current: list[Para], proposal: list[Para]) -> MergeResult:
    """Merge a proposal written against ``base`` into ``current``, by paragraph id.

    The result follows current's paragraph order. For each base paragraph:

    * unchanged in the proposal: current's version (or its absence) stands;
    * modified in the proposal: the proposal's text if current did not
      touch the paragraph (or made the same change), else a word-level
      merge (``merge_words``); a "both_modified" conflict if that fails;
      a "deleted_in_current" conflict if current deleted it;
    * deleted in the proposal: dropped if current did not touch it, a
      "deleted_in_proposal" conflict if current modified it, nothing if it
      is already gone.

    A paragraph inserted by the proposal goes after its anchor (the nearest
    preceding proposal paragraph that exists in base), after any paragraphs
    current inserted right after that anchor, i.e. just before the next
    base paragraph of current. With no anchor (insertion at the start) it
    goes before the first base paragraph of current, again after current's
    own insertions there. If current deleted the anchor, it goes right
    before the following base paragraph of the proposal if current still
    has it, otherwise it is left out with an "anchor_lost" conflict.
    Paragraphs inserted by current are kept; an id inserted by both sides
    (not expected) is kept once, with current's text.

    Wherever there is a conflict, current's text is kept, so nothing of the
    live text is lost. Conflicts are listed in base document order.
    """
    base_by_id = _by_id(base, "base")
    current_by_id = _by_id(current, "current")
    proposal_by_id = _by_id(proposal, "proposal")
    base_at = {p.id: k for k, p in enumerate(base)}
    conflicts: list[tuple[float, MergeConflict]] = []

    # Where the proposal's new paragraphs go: each one lies between an anchor
    # and a follower, the base paragraphs around it in the proposal (None at
    # the start or end of the document).
    anchors: list[str | None] = []
    anchor: str | None = None
    for paragraph in proposal:
        anchors.append(anchor)
        if paragraph.id in base_by_id:
            anchor = paragraph.id
    followers: list[str | None] = []
    follower: str | None = None
    for paragraph in reversed(proposal):
        followers.append(follower)
        if paragraph.id in base_by_id:
            follower = paragraph.id
    followers.reverse()

    at_start: list[Para] = []
    after: dict[str, list[Para]] = {}
    before: dict[str, list[Para]] = {}
    for paragraph, anchor_id, follower_id in zip(proposal, anchors, followers, strict=True):
        if paragraph.id in base_by_id or paragraph.id in current_by_id:
            continue
        if anchor_id is None:
            at_start.append(paragraph)
        elif anchor_id in current_by_id:
            after.setdefault(anchor_id, []).append(paragraph)
        elif follower_id is not None and follower_id in current_by_id:
            before.setdefault(follower_id, []).append(paragraph)
        else:
            conflict = _conflict("anchor_lost", paragraph.id, None, None, paragraph)
            conflicts.append((base_at[anchor_id] + 0.5, conflict))

    result: list[Para] = []
    pending = at_start
    for cur in current:
        old = base_by_id.get(cur.id)
        if old is None:
            # Inserted by current since the base: not the proposal's business.
            result.append(cur)
            continue
        result.extend(pending)
        result.extend(before.get(cur.id, ()))
        pending = after.get(cur.id, [])
        new = proposal_by_id.get(cur.id)
        key = float(base_at[cur.id])
        if new is None:
            if cur.text == old.text:
                continue  # deleted by the proposal
            conflicts.append((key, _conflict("deleted_in_proposal", cur.id, old, cur, None)))
            result.append(cur)
        elif new.text == old.text or cur.text == new.text:
            result.append(cur)
        elif cur.text == old.text:
            result.append(new)
        else:
            merged = merge_words(old.text, cur.text, new.text)
            if merged is None:
                conflicts.append((key, _conflict("both_modified", cur.id, old, cur, new)))
                result.append(cur)
            else:
                result.append(Para(cur.id, merged))
    result.extend(pending)

    for old in base:
        if old.id in current_by_id:
            continue
        new = proposal_by_id.get(old.id)
        if new is not None and new.text != old.text:
            key = float(base_at[old.id])
            conflicts.append((key, _conflict("deleted_in_current", old.id, old, None, new)))

    conflicts.sort(key=lambda pair: pair[0])
    return MergeResult(paragraphs=result, conflicts=[c for _, c in conflicts])


def hunk_statuses(
    base: list[Para], current: list[Para], proposal: list[Para], hunks: Sequence[Hunk]
) -> list[HunkStatus]:
    """Whether each hunk of a proposal can still be accepted into ``current``, alone.

    One status per hunk, in order:

    * "paragraph_gone": the hunk's paragraph (modify/delete) no longer
      exists in current, or, for an insertion, its anchor was deleted with
      no following paragraph to place it against;
    * "applied": current already contains the change (for an insertion: a
      paragraph with that id, or a paragraph added since the base with that
      exact text);
    * "conflict": merging the partial proposal made of this hunk alone
      (``apply_hunks`` with it selected) conflicts with current (``merge3``);
    * "applicable" otherwise.

    The statuses are those of that merge, but worked out in one pass: a partial
    proposal differs from base in one place only, so the merge of the whole section
    comes down to that place. The cost is linear in the paragraphs and the hunks,
    plus, for a paragraph changed on both sides since the base, one word merge
    (``merge_words``) of that paragraph per hunk in it; merging the whole section
    once per hunk was quadratic (hunks x paragraphs).

    Raises ValueError on duplicate ids, or on a hunk that does not belong to this
    base and proposal.
    """
    base_at = {p.id: k for k, p in enumerate(base)}
    if len(base_at) != len(base):
        raise ValueError("duplicate paragraph ids in base")
    current_by_id = _by_id(current, "current")
    proposal_ids = {p.id for p in proposal}
    # Texts of the paragraphs current added since the base: an insertion already made
    # under another id.
    added_in_current = {p.text for p in current if p.id not in base_at}
    tokens: dict[str, list[str]] = {}  # base paragraph id -> its tokens, once
    word_merges: dict[str, _WordMerge] = {}

    def insertion(hunk: Hunk) -> HunkStatus:
        if hunk.paragraph_id in current_by_id or hunk.new_text in added_in_current:
            return "applied"
        anchor = hunk.anchor_after
        if anchor is not None and anchor not in base_at:
            raise ValueError(f"hunk {hunk.id}: unknown anchor paragraph")
        if hunk.paragraph_id not in proposal_ids:
            raise ValueError(f"hunk {hunk.id}: paragraph not in the proposal")
        if hunk.paragraph_id in base_at:
            raise ValueError("duplicate paragraph ids in proposal")
        if anchor is None or anchor in current_by_id:
            return "applicable"
        # The merge places it before the base paragraph that follows its anchor.
        k = base_at[anchor] + 1
        if k < len(base) and base[k].id in current_by_id:
            return "applicable"
        return "paragraph_gone"

    def modification(hunk: Hunk, old: str, now: str) -> HunkStatus:
        paragraph_tokens = tokens.get(hunk.paragraph_id)
        if paragraph_tokens is None:
            paragraph_tokens = tokens[hunk.paragraph_id] = tokenize(old)
        fits = 0 <= hunk.start <= hunk.end <= len(paragraph_tokens)
        if now == old and fits:
            # Untouched in current: the merge takes the partial proposal's text, which
            # is the base text with old_text replaced by new_text: the same text
            # exactly when the two are equal.
            if "".join(paragraph_tokens[hunk.start : hunk.end]) != hunk.old_text:
                raise ValueError(f"hunk {hunk.id} does not match its base paragraph")
            return "applied" if hunk.new_text == hunk.old_text else "applicable"
        new = _apply_modifications(old, [hunk])
        if new == old or now == new:
            return "applied"
        if now == old:
            return "applicable"
        merger = word_merges.get(hunk.paragraph_id)
        if merger is None:
            merger = word_merges[hunk.paragraph_id] = _WordMerge(old, now)
        merged = merger.merge(new)
        if merged is None:
            return "conflict"
        return "applied" if merged == now else "applicable"

    statuses: list[HunkStatus] = []
    for hunk in hunks:
        if hunk.kind == "insert":
            statuses.append(insertion(hunk))
            continue
        now = current_by_id.get(hunk.paragraph_id)
        if now is None:
            statuses.append("paragraph_gone")
            continue
        k = base_at.get(hunk.paragraph_id)
        if k is None:
            raise ValueError(f"hunk {hunk.id}: paragraph not in the base")
        old = base[k].text
        if hunk.kind == "delete":
            # The merge drops a paragraph current left alone, and keeps one it edited.
            statuses.append("applicable" if now.text == old else "conflict")
        else:
            statuses.append(modification(hunk, old, now.text))
    return statuses
