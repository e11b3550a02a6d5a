"""The concertation with the tenants' representatives, which the law requires for the
classement des immeubles (circulaire CUS, IV): with the tenants' associations present
in the organisme's stock and affiliated to an organisation sitting at the Commission
nationale de concertation, the representatives of associations that won more than 10 %
of the votes at the last elections, and the elected tenant administrators. Where none
of them exists, the obligation falls ("formalité impossible"), which the register
records with its reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from workflows.errors import InvalidInput

PARTICIPANT_KINDS: dict[str, str] = {
    "association_cnc": "Association de locataires affiliée à une organisation siégeant à la CNC",
    "association_10": "Association ayant obtenu plus de 10 % des suffrages aux dernières élections",
    "administrateur": "Administrateur élu représentant des locataires",
}

DEFAULT_SUBJECT = "Classement des immeubles et ensembles immobiliers"
PARTICIPANTS_MAX = 50
NAME_MAX = 200
TEXT_MAX = 5000


@dataclass(frozen=True)
class Concertation:
    held_on: date
    subject: str
    participants: tuple[tuple[str, str], ...]  # (kind, name)
    impossible: bool
    reason: str


def _text(raw: str | None, what: str, field: str, limit: int = TEXT_MAX) -> str:
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} tient en {limit} caractères ({len(text)} saisis).", field=field)
    return text


def clean_concertation(
    held_on: date | None,
    subject: str | None,
    names: Mapping[str, str | None],
    impossible: bool,
    reason: str | None,
    today: date,
) -> Concertation:
    """A concertation as the register records it: held (a date not in the future, at
    least one representative named, one per line under its kind), or found impossible
    (its reason: why none of the three kinds of representative exists)."""
    if held_on is None:
        raise InvalidInput("Indiquez la date de la concertation (ou du constat).", field="held_on")
    if held_on > today:
        raise InvalidInput(
            f"La date ({held_on:%d/%m/%Y}) est dans le futur : le registre inscrit ce qui a eu "
            "lieu.",
            field="held_on",
        )
    topic = " ".join((subject or "").split()) or DEFAULT_SUBJECT
    if len(topic) > NAME_MAX:
        raise InvalidInput(f"L'objet tient en {NAME_MAX} caractères.", field="subject")
    participants: list[tuple[str, str]] = []
    for kind in PARTICIPANT_KINDS:
        for line in (names.get(kind) or "").splitlines():
            name = " ".join(line.split())
            if not name:
                continue
            if len(name) > NAME_MAX:
                raise InvalidInput(f"Un nom tient en {NAME_MAX} caractères.", field=kind)
            participants.append((kind, name))
    if len(participants) > PARTICIPANTS_MAX:
        raise InvalidInput(
            f"Au plus {PARTICIPANTS_MAX} participants par concertation.", field="association_cnc"
        )
    why = _text(reason, "Le motif", "reason")
    if impossible:
        if participants:
            raise InvalidInput(
                "Une formalité impossible ne nomme aucun représentant : il n'en existe aucun. "
                "Retirez les noms, ou décochez la formalité impossible.",
                field="impossible",
            )
        if not why:
            raise InvalidInput(
                "Dites pourquoi la concertation est impossible : aucune association affiliée, "
                "aucune ayant plus de 10 % des suffrages, aucun administrateur élu.",
                field="reason",
            )
    elif not participants:
        raise InvalidInput(
            "Nommez au moins un représentant des locataires qui a pris part à la concertation "
            "(ou constatez la formalité impossible).",
            field="association_cnc",
        )
    return Concertation(held_on, topic, tuple(participants), impossible, why)


def concertation_findings(records: Sequence[Concertation], today: date) -> list[str]:
    """What the register does not yet prove of the concertation (empty: proven)."""
    if any(r.held_on <= today for r in records):
        return []
    return [
        "La concertation avec les représentants des locataires sur le classement des "
        "immeubles n'est pas inscrite (ni la formalité impossible constatée)."
    ]
