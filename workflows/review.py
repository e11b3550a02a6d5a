"""Review of sections by the signatories: section states, positions and the register.

A section is drafted (``brouillon``), put under review (``en_revue``) and becomes
``validee`` once every signatory agrees with its current revision. Positions always
concern one revision: a new revision makes earlier agreements moot.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workflows.errors import InvalidInput


class SectionState(StrEnum):
    BROUILLON = "brouillon"
    EN_REVUE = "en_revue"
    VALIDEE = "validee"


SECTION_STATE_LABELS = {
    SectionState.BROUILLON: "Brouillon",
    SectionState.EN_REVUE: "En revue",
    SectionState.VALIDEE: "Validée",
}


class Position(StrEnum):
    ACCORD = "accord"
    RESERVES = "accord_avec_reserves"
    DESACCORD = "desaccord"


POSITION_LABELS = {
    Position.ACCORD: "Accord",
    Position.RESERVES: "Accord avec réserves",
    Position.DESACCORD: "Désaccord",
}

POSITION_TEXT_MAX_LENGTH = 5000

# Reserves are an agreement with conditions: they count towards validation, and the
# conditions stay open in the register until the negotiation settles them.
AGREEING_POSITIONS = frozenset({Position.ACCORD, Position.RESERVES})
OPEN_POSITIONS = frozenset({Position.RESERVES, Position.DESACCORD})


def _section_state(state: str) -> SectionState:
    try:
        return SectionState(state)
    except ValueError:
        raise InvalidInput(f"État de section inconnu : « {state} ».") from None


def clean_position(position: str, text: str | None) -> tuple[Position, str]:
    """Check a signatory's position and its text before it is recorded.

    Reserves must be written out and a disagreement must be explained: both become
    items of the negotiation's agenda, which is useless without their substance. The
    text is trimmed and limited to POSITION_TEXT_MAX_LENGTH characters.
    """
    try:
        chosen = Position((position or "").strip())
    except ValueError:
        raise InvalidInput(
            f"Position inconnue : « {position} ». Choisissez accord, accord avec réserves "
            "ou désaccord."
        ) from None
    # Same line-ending normalisation as section bodies, so the length is counted alike.
    cleaned = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(cleaned) > POSITION_TEXT_MAX_LENGTH:
        raise InvalidInput(
            f"Le texte de la position dépasse {POSITION_TEXT_MAX_LENGTH} caractères."
        )
    if chosen is Position.RESERVES and not cleaned:
        raise InvalidInput("Un accord avec réserves doit énoncer les réserves : précisez-les.")
    if chosen is Position.DESACCORD and not cleaned:
        raise InvalidInput("Un désaccord doit être motivé : expliquez-en la raison.")
    return chosen, cleaned


def request_review(state: str, has_revision: bool) -> SectionState:
    """Put a draft section under review and return its new state (``en_revue``).

    Refused when the section is already under review or validated, or when it has no
    revision yet: signatories cannot take a position on an empty text.
    """
    current = _section_state(state)
    if current is SectionState.EN_REVUE:
        raise InvalidInput("La section est déjà en revue.")
    if current is SectionState.VALIDEE:
        raise InvalidInput(
            "La section est déjà validée : une nouvelle révision la renverra en brouillon."
        )
    if not has_revision:
        raise InvalidInput("La section est vide : rien à relire.")
    return SectionState.EN_REVUE


def _agreed(signatories: Sequence[str], positions: Mapping[str, str]) -> bool:
    # Nobody to agree means no agreement: a section is never validated by default.
    return bool(signatories) and all(
        positions.get(name) in AGREEING_POSITIONS for name in signatories
    )


def state_after_positions(
    state: str, signatories: Sequence[str], positions: Mapping[str, str]
) -> SectionState:
    """The section's state once the signatories' positions are taken into account.

    ``positions`` holds the latest position of each signatory on the current revision
    (positions of non-signatories are ignored). A section under review is validated
    when every signatory agrees, with or without reserves. A validated section whose
    agreement is withdrawn on the same revision goes back under review. A draft stays
    a draft: positions only count under review.
    """
    current = _section_state(state)
    if current is SectionState.BROUILLON:
        return current
    return SectionState.VALIDEE if _agreed(signatories, positions) else SectionState.EN_REVUE


@dataclass(frozen=True)
class AfterRevision:
    state: SectionState
    lost_agreements: tuple[str, ...]  # signatories whose agreement no longer applies
    message: str | None  # French, shown to the person who saved the revision


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def after_new_revision(state: str, agreed_by: Sequence[str], previous_number: int) -> AfterRevision:
    """What a new revision does to a section under review or validated.

    Agreements were given on revision ``previous_number``; the new text has not been
    agreed by anyone, so the section goes back to draft and the message names whose
    agreement was lost. A draft section stays a draft with nothing lost.
    """
    current = _section_state(state)
    if current is SectionState.BROUILLON:
        return AfterRevision(SectionState.BROUILLON, (), None)
    lost = _unique(agreed_by)
    which = "validée" if current is SectionState.VALIDEE else "en revue"
    if not lost:
        detail = "aucun accord n'avait encore été donné, la revue devra être relancée."
    elif len(lost) == 1:
        detail = f"l'accord de {lost[0]} portait sur la révision {previous_number}."
    else:
        detail = f"les accords de {', '.join(lost)} portaient sur la révision {previous_number}."
    return AfterRevision(
        SectionState.BROUILLON, lost, f"La section {which} repasse en brouillon : {detail}"
    )


@dataclass(frozen=True)
class RegisterItem:
    party: str
    section: str
    position: Position
    text: str
    revision: int
    # The organisme's note carrying it into the file transmitted to the préfet, if any.
    carried: str = ""


def _sort_key(value: str) -> str:
    # French readers expect "État" next to "Etat", not after "Z": compare without
    # accents or case.
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def open_items(items: Iterable[RegisterItem]) -> list[RegisterItem]:
    """Reserves and disagreements, sorted by party then section: the negotiation's agenda.

    Sorting ignores case and accents; ties keep their original order.
    """
    return sorted(
        (item for item in items if item.position in OPEN_POSITIONS),
        key=lambda item: (_sort_key(item.party), _sort_key(item.section)),
    )
