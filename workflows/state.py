"""The State in a convention: it speaks with one voice.

The circulaire (IV) asks the State's services concerned by one convention to agree among
themselves and to give the organisme a single interlocutor, the service the préfet de
région designates to negotiate; the other services are consulted on the part of the
convention that concerns their territory. So a convention has at most one State
signatory (the negotiator); the others take part as consulted services whose opinions
stay inside the State, visible to its services alone, for the negotiator to gather into
the State's one position.
"""

from __future__ import annotations

from collections.abc import Sequence

from workflows.conventions import STATE_KINDS
from workflows.errors import InvalidInput

OPINION_MAX = 5000
TERRITORY_MAX = 200


def is_state(kind: str) -> bool:
    return kind in STATE_KINDS


def one_voice_refusal(negotiators: Sequence[str], newcomer: str) -> str | None:
    """Why ``newcomer`` (a State service) cannot become a signatory when ``negotiators``
    already negotiate for the State; None when it can."""
    others = [name for name in negotiators if name != newcomer]
    if not others:
        return None
    return (
        f"L'État parle d'une seule voix : {others[0]} négocie déjà pour l'État. Ajoutez "
        f"{newcomer} comme observateur : ses avis internes, visibles des seuls services de "
        "l'État, sont réunis par le négociateur dans la position de l'État."
    )


def clean_opinion(body: str | None, territory: str | None) -> tuple[str, str]:
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        raise InvalidInput("Écrivez l'avis.", field="body")
    if len(text) > OPINION_MAX:
        raise InvalidInput(
            f"L'avis tient en {OPINION_MAX} caractères ({len(text)} saisis).", field="body"
        )
    place = " ".join((territory or "").split())
    if len(place) > TERRITORY_MAX:
        raise InvalidInput(f"Le territoire tient en {TERRITORY_MAX} caractères.", field="territory")
    return text, place
