"""Rules of the editor pages: what a draft is for, and who counts as present.

A draft is the unsaved text of one user on one section, for one of the two pages that
edit a text (the section's edit page, or a proposal); it is kept from the revision it
started from. Presence is who has one of those pages open: the page says so every
``HEARTBEAT_SECONDS`` while it is open, and someone not heard from for
``PRESENCE_TIMEOUT`` is gone (a closed laptop says nothing when it leaves).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

HEARTBEAT_SECONDS = 30
PRESENCE_TIMEOUT = timedelta(minutes=2)
# A draft is saved this long after the last keystroke (and when the page is hidden).
AUTOSAVE_SECONDS = 3


class Purpose(StrEnum):
    """Which page a draft or a presence belongs to."""

    REVISION = "revision"  # the section's edit page: the draft becomes a revision
    PROPOSAL = "proposition"  # a partner's proposal: the draft becomes a contribution


PURPOSE_LABELS = {
    Purpose.REVISION: "modifie la section",
    Purpose.PROPOSAL: "rédige une proposition",
}


def present_since(now: datetime) -> datetime:
    """Presences last seen before this moment are gone."""
    return now - PRESENCE_TIMEOUT
