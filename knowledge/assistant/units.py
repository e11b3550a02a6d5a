"""Whole units of a passage, the pieces an answer quotes: a sentence, or a sentence that
opens a list (ending in ":") with the items it opens."""

from __future__ import annotations

import re

# --- sentences -----------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[•·▪◦*]|[-–−](?=\s)|\d{1,2}[.)](?=\s)|[a-z][.)](?=\s))\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bart|\bcf|\bex|\bn°|\bM|\bMme|\bp|\bal|\betc|\bnot)\.$")


def _sentences(block: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(block):
        piece = block[start : match.start()]
        if _ABBREVIATION.search(piece):
            continue  # "L. 445-1", "art. 5": not the end of a sentence
        parts.append(piece)
        start = match.end()
    parts.append(block[start:])
    return [p.strip() for p in parts if p.strip()]


def split_units(text: str) -> list[str]:
    """Sentences of a passage; a sentence ending in ":" keeps the list items after it."""
    units: list[str] = []
    lead: str | None = None
    items: list[str] = []

    def close() -> None:
        nonlocal lead, items
        if lead is not None:
            if items:
                units.append(lead + "\n" + "\n".join(f"- {item}" for item in items))
            else:
                units.append(lead)
        lead, items = None, []

    for raw in re.split(r"\n+", text or ""):
        line = " ".join(raw.split())
        if not line:
            continue
        bullet = _BULLET.match(line)
        body = line[bullet.end() :] if bullet else line
        sentences = _sentences(body)
        if bullet and lead is not None and len(items) < 10:
            # The item's first sentence joins the list; what follows stands alone.
            items.append(sentences[0])
            rest = sentences[1:]
            if rest:
                close()
                units.extend(rest[:-1])
                if rest[-1].endswith(":"):
                    lead = rest[-1]
                else:
                    units.append(rest[-1])
            continue
        close()
        units.extend(sentences[:-1])
        last = sentences[-1]
        if last.endswith(":"):
            lead = last
        else:
            units.append(last)
    close()
    return units
