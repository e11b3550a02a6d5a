"""Mentions in a comment: "@" followed by a member's name.

The page offers the convention's members after "@" and writes "@Sophie Lefèvre"; typed by
hand the same words count, accents and case aside. The longest name wins, so that
"@Marie Dupont-Martin" is not read as "@Marie Dupont"; a name must end at a word's end.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_MENTIONS = 20  # a comment naming more is a list, not a call to each


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def find_mentions(text: str, members: Iterable[tuple[int, str]]) -> list[int]:
    """The ids of the members ``text`` mentions, in order of first mention, each once."""
    names = sorted(
        ((user_id, _fold(" ".join(name.split()))) for user_id, name in members if name.strip()),
        key=lambda pair: -len(pair[1]),
    )
    folded = _fold(text)
    found: list[int] = []
    start = folded.find("@")
    while start >= 0 and len(found) < MAX_MENTIONS:
        after = " ".join(folded[start + 1 : start + 200].split())
        for user_id, name in names:
            end = len(name)
            if after.startswith(name) and (end == len(after) or not after[end].isalnum()):
                if user_id not in found:
                    found.append(user_id)
                break
        start = folded.find("@", start + 1)
    return found
