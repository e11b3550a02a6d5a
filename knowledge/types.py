"""Plain values shared by ingestion, search and the assistant (no Flask, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DocumentKind(StrEnum):
    CIRCULAIRE = "circulaire"
    FICHE = "fiche"  # fiche indicateur or presentation sheet
    GUIDE = "guide"  # practice guide
    AUTRE = "autre"


class DocumentStatus(StrEnum):
    EN_VIGUEUR = "en_vigueur"
    ABROGE = "abroge"
    HISTORIQUE = "historique"


KIND_LABELS = {
    DocumentKind.CIRCULAIRE: "Circulaire",
    DocumentKind.FICHE: "Fiche",
    DocumentKind.GUIDE: "Guide pratique",
    DocumentKind.AUTRE: "Autre",
}
STATUS_LABELS = {
    DocumentStatus.EN_VIGUEUR: "En vigueur",
    DocumentStatus.ABROGE: "Abrogé",
    DocumentStatus.HISTORIQUE: "Historique",
}


class BlockKind(StrEnum):
    TEXT = "text"
    TABLE = "table"


@dataclass(frozen=True)
class Block:
    """One unit of extracted text: a heading (level 1-6) or a paragraph (level 0),
    with the page it was found on when the format has pages. A table (kind TABLE, level
    0) is one block whose text is a Markdown pipe table: its first row the column
    headers, then the separator row, then one line per row."""

    text: str
    level: int = 0
    page: int | None = None
    kind: BlockKind = BlockKind.TEXT


@dataclass(frozen=True)
class Passage:
    """A searchable piece of a document: never spans two headings."""

    ordinal: int  # position in the document, from 0
    text: str
    heading_path: tuple[str, ...] = ()
    locator: str = ""  # "p. 29" or the nearest heading
    indicator: str | None = None  # "F.VI" when the passage belongs to that fiche


@dataclass(frozen=True)
class SearchDocument:
    """What the index stores about one passage (a projection of the database rows)."""

    passage_id: int
    document_id: int
    title: str
    kind: str
    status: str
    locator: str
    heading: str
    text: str
    indicator: str | None = None


@dataclass(frozen=True)
class Hit:
    passage_id: int
    document_id: int
    title: str
    kind: str
    status: str
    locator: str
    text: str
    excerpt: str  # HTML-safe, matched terms wrapped in <mark>
    score: float
    indicator: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
