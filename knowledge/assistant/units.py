"""Whole units of a passage, the pieces an answer quotes, each readable alone:

- a sentence, with the sentence it leans on when it opens with a pronoun or a connector
  ("Il", "Ces", "Toutefois", "Dans ce cas"…): the two are one unit;
- a list with its lead-in (a sentence ending in ":", or a label line such as
  "Commentaires"), its items whole; a long list is cut between items into several units,
  each with the lead-in again and "…" as an item where items were left out;
- a list item without a lead-in, whole (all its sentences);
- a row of a table (a pipe table) with its column headers: "Année : 2025 ; Taux : 10 %";
- consecutive "label : value" lines (the rows of a fiche indicateur read from a PDF)
  together, so that "Unité de mesure : %" is never quoted alone;
- a label line (short, no final punctuation) with the sentence it heads.

``split_units(text)`` gives their texts; ``whole_units(text, heading_path)`` gives them
with their kind, the part that introduces them (``lead``, inside the text) and the
passage's headings (``context``, outside the text), for a scorer that wants to weigh
the introduction or the headings apart. No unit is longer than ``MAX_UNIT_CHARS`` unless
one sentence or one item is: those are never cut here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.ingest.tables import parse_pipe_table, row_text

__all__ = ["MAX_LIST_ITEMS", "MAX_UNIT_CHARS", "WholeUnit", "split_units", "whole_units"]

MAX_UNIT_CHARS = 600  # below the answer's own cut (extractive.MAX_UNIT_CHARS)
MAX_LIST_ITEMS = 10
MAX_RECORD_LINES = 6
ELLIPSIS_ITEM = "- …"

# --- sentences -----------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[•·▪◦*]|[-–−—](?=\s)|\d{1,2}[.)](?=\s)|[a-z][.)](?=\s))\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bart|\bcf|\bex|\bn°|\bM|\bMme|\bp|\bal|\betc|\bnot)\.$")
# A sentence that leans on the one before it.
_DEPENDENT = re.compile(
    r"^(?:Ils?|Elles?|Ces|Cette|Cet|Ce|Cela|Ceci|C['’]est|Celle-ci|Celui-ci|Ceux-ci|"
    r"Celles-ci|En outre|Toutefois|Cependant|Néanmoins|En revanche|Par ailleurs|De plus|"
    r"De même|Dans ce cas|Dans ce cadre|[AÀ] ce titre|[AÀ] cet effet|Pour ce faire|"
    r"En effet|Ainsi|Sinon)\b"
)
# "Unité de mesure : Nombre de logements": a label and its value, a row of a fiche.
_RECORD = re.compile(r"^[A-ZÀ-Ý][^:.!?]{2,60}\s:\s\S")
_RECORD_MAX_WORDS = 25
_LABEL_MAX_WORDS = 10


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


def _is_label(line: str) -> bool:
    """A heading-like line: short, capitalised, without final punctuation."""
    words = line.split()
    return (
        0 < len(words) <= _LABEL_MAX_WORDS
        and line[0].isupper()
        and line[-1] not in ".!?;,:…"
        and not _RECORD.match(line)
    )


def _is_record(line: str) -> bool:
    return bool(_RECORD.match(line)) and len(line.split()) <= _RECORD_MAX_WORDS


# --- units -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WholeUnit:
    """A unit to quote. ``text`` is the whole quote; ``lead`` its introducing part (the
    sentence a dependent sentence leans on, a list's lead-in, a label; empty when none),
    always a prefix of ``text``; ``context`` the headings of the passage (not in text)."""

    text: str
    kind: str  # "sentence", "list", "item", "row", "record"
    lead: str = ""
    context: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        """The text without its lead: what the unit itself says."""
        return self.text[len(self.lead) :].strip() if self.lead else self.text


@dataclass
class _Atom:
    kind: str  # "sentence", "item", "row", "record", "label", "lead" (ends in ":")
    text: str
    lead: str = ""


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for paragraph in re.split(r"\n\s*\n", text or ""):
        table = parse_pipe_table(paragraph)
        if table is not None:
            header = " | ".join(h for h in table.headers if h)
            for row in table.rows:
                line = row_text(table.headers, row)
                if line:
                    atoms.append(_Atom("row", line, lead=header))
            continue
        for raw in paragraph.splitlines():
            line = " ".join(raw.split())
            if not line:
                continue
            bullet = _BULLET.match(line)
            if bullet and line[bullet.end() :]:
                # An item is whole, all its sentences; only a last sentence ending in ":"
                # (the lead-in of the next list, run into the item by the layout) leaves it.
                sentences = _sentences(line[bullet.end() :])
                if len(sentences) > 1 and sentences[-1].endswith(":"):
                    atoms.append(_Atom("item", " ".join(sentences[:-1])))
                    atoms.append(_Atom("lead", sentences[-1]))
                else:
                    atoms.append(_Atom("item", line[bullet.end() :]))
                continue
            if _is_record(line):
                atoms.append(_Atom("record", line))
                continue
            if _is_label(line):
                atoms.append(_Atom("label", line))
                continue
            for sentence in _sentences(line):
                atoms.append(_Atom("lead" if sentence.endswith(":") else "sentence", sentence))
    return atoms


def _list_units(lead: str, items: list[str]) -> list[WholeUnit]:
    """A list cut between items into units within the bounds, the lead-in in each, "…"
    standing for the items left out before or after."""
    shown = lead if lead.endswith(":") else f"{lead} :"
    units: list[WholeUnit] = []
    start = 0
    while start < len(items):
        lines = [shown] + ([ELLIPSIS_ITEM] if start else [])
        end = start
        while end < len(items) and end - start < MAX_LIST_ITEMS:
            candidate = "\n".join([*lines, f"- {items[end]}"])
            if end > start and len(candidate) + len(ELLIPSIS_ITEM) + 1 > MAX_UNIT_CHARS:
                break
            lines.append(f"- {items[end]}")
            end += 1
        if end < len(items):
            lines.append(ELLIPSIS_ITEM)
        units.append(WholeUnit("\n".join(lines), "list", lead=shown))
        start = end
    return units


def whole_units(text: str, heading_path: tuple[str, ...] = ()) -> list[WholeUnit]:
    """The whole units of a passage's text, in order (see the module's docstring)."""
    atoms = _atoms(text)
    units: list[WholeUnit] = []
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        following = atoms[index + 1] if index + 1 < len(atoms) else None
        if atom.kind in ("lead", "label") and following is not None and following.kind == "item":
            items: list[str] = []
            index += 1
            while index < len(atoms) and atoms[index].kind == "item":
                items.append(atoms[index].text)
                index += 1
            lead = atom.text
            previous = units[-1] if units else None
            if (
                _DEPENDENT.match(lead)
                and previous is not None
                and previous.kind == "sentence"
                and len(previous.text) + 1 + len(lead) <= MAX_UNIT_CHARS // 2
            ):
                # "Elle a lieu avec :" leans on the sentence before it, which says what
                # "elle" is: the list is read with both.
                units.pop()
                lead = f"{previous.text} {lead}"
            units.extend(_list_units(lead, items))
            continue
        if atom.kind == "label" and following is not None and following.kind == "sentence":
            # "Description de l'indicateur" heads the sentence after it.
            lead = f"{atom.text} :"
            units.append(WholeUnit(f"{lead} {following.text}", "sentence", lead=lead))
            index += 2
            continue
        if atom.kind == "record":
            lines = [atom.text]
            index += 1
            while (
                index < len(atoms)
                and atoms[index].kind == "record"
                and len(lines) < MAX_RECORD_LINES
                and len("\n".join([*lines, atoms[index].text])) <= MAX_UNIT_CHARS
            ):
                lines.append(atoms[index].text)
                index += 1
            units.append(WholeUnit("\n".join(lines), "record"))
            continue
        if atom.kind == "row":
            units.append(WholeUnit(atom.text, "row"))
            index += 1
            continue
        kind = "item" if atom.kind == "item" else "sentence"
        previous = units[-1] if units else None
        if (
            atom.kind in ("sentence", "lead")
            and _DEPENDENT.match(atom.text)
            and previous is not None
            and previous.kind in ("sentence", "item")
            and len(previous.text) + 1 + len(atom.text) <= MAX_UNIT_CHARS
        ):
            # "Il s'agit de…" is read with the sentence it speaks of.
            units[-1] = WholeUnit(
                f"{previous.text} {atom.text}", previous.kind, lead=previous.lead or previous.text
            )
        else:
            units.append(WholeUnit(atom.text, kind))
        index += 1
    if heading_path:
        units = [WholeUnit(u.text, u.kind, u.lead, heading_path) for u in units]
    return units


def split_units(text: str) -> list[str]:
    """The texts of the whole units of a passage (see ``whole_units``)."""
    return [unit.text for unit in whole_units(text)]
