"""An associated collectivité's choice to sign the convention, or to stay associated.

The EPCI and départements associated for the buildings on their territory (and the other
collectivités an organisme chooses to associate) may become signatories of the
convention (article L. 445-1 CCH). It is a faculty: one that says nothing stays
associated, and its silence never stands in the way of the conclusion, since only the
signatories' signatures are awaited (``workflows.lifecycle.check_transition``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from workflows.conventions import COLLECTIVITES
from workflows.errors import Conflict, InvalidInput
from workflows.lifecycle import STATE_LABELS, ConventionState
from workflows.permissions import Role


class Choice(StrEnum):
    SIGNATAIRE = "signataire"  # becomes a signatory
    ASSOCIEE = "associee"  # stays associated


CHOICE_LABELS = {
    Choice.SIGNATAIRE: "Devenir signataire",
    Choice.ASSOCIEE: "Rester associée",
}
CHOSEN_LABELS = {
    Choice.SIGNATAIRE: "devenue signataire",
    Choice.ASSOCIEE: "reste associée",
}
NO_CHOICE_LABEL = "pas de choix exprimé"

ROLE_OF_CHOICE = {Choice.SIGNATAIRE: Role.SIGNATAIRE, Choice.ASSOCIEE: Role.ASSOCIE}

# The parties are settled when the project goes to the préfet: a collectivité that wants
# to sign afterwards does so through an avenant.
CHOOSING_STATES = frozenset(
    {ConventionState.BROUILLON, ConventionState.ASSOCIATION, ConventionState.NEGOCIATION}
)


def is_associated_collectivite(
    organisation_kind: str | None, role: Role, chose_to_sign: bool
) -> bool:
    """A membership that has this choice to make: a collectivité (an organisation, not a
    person) taking part as associée, or one that became signataire by choosing to.
    A signatory from the start (the collectivité de rattachement) has no choice here."""
    if organisation_kind not in COLLECTIVITES:
        return False
    return role is Role.ASSOCIE or (role is Role.SIGNATAIRE and chose_to_sign)


def read_choice(raw: str | None) -> Choice:
    try:
        return Choice((raw or "").strip())
    except ValueError:
        raise InvalidInput(
            "Choisissez « devenir signataire » ou « rester associée ».", field="choice"
        ) from None


def check_choice(
    state: ConventionState,
    party: str,
    eligible: bool,
    from_letter: bool,
    letter_on: date | None,
    today: date,
) -> None:
    """Refuse a choice the convention cannot take now: after the transmission to the
    préfet, for a party that is no associated collectivité, or recorded by the organisme
    without the date of the collectivité's letter (or with a date to come)."""
    if not eligible:
        raise InvalidInput(
            f"{party} n'est pas une collectivité associée : elle n'a pas ce choix à faire."
        )
    if state not in CHOOSING_STATES:
        raise Conflict(
            f"La convention est au stade « {STATE_LABELS[state]} » : ses signataires sont "
            "arrêtés depuis sa transmission au préfet. Une collectivité qui souhaite la "
            "signer le fera par avenant."
        )
    if from_letter:
        if letter_on is None:
            raise InvalidInput(
                f"La date du courrier de {party} est obligatoire : le choix est enregistré "
                "d'après ce courrier.",
                field="letter_on",
            )
        if letter_on > today:
            raise InvalidInput(
                f"La date du courrier ({letter_on:%d/%m/%Y}) est dans le futur.",
                field="letter_on",
            )
