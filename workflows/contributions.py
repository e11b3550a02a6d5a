"""Contribution states and the rules of deciding on them."""

from __future__ import annotations

from enum import StrEnum

from workflows.errors import InvalidInput


class ContributionState(StrEnum):
    OUVERTE = "ouverte"
    ACCEPTEE = "acceptee"
    PARTIELLEMENT_ACCEPTEE = "partiellement_acceptee"
    REJETEE = "rejetee"
    RETIREE = "retiree"
    TRAITEE = "traitee"  # taken into account without changing the text, with a note


STATE_LABELS = {
    ContributionState.OUVERTE: "Ouverte",
    ContributionState.ACCEPTEE: "Acceptée",
    ContributionState.PARTIELLEMENT_ACCEPTEE: "Partiellement acceptée",
    ContributionState.REJETEE: "Rejetée",
    ContributionState.RETIREE: "Retirée",
    ContributionState.TRAITEE: "Traitée",
}

RATIONALE_MAX = 5000
NOTE_MAX = 5000


def require_open(state: ContributionState) -> None:
    """Every decision applies to an open contribution only."""
    if state is not ContributionState.OUVERTE:
        raise InvalidInput(
            f"Cette contribution est déjà « {STATE_LABELS[state]} » : plus aucune décision n'est possible."
        )


def clean_text(raw: str | None, what: str, required: bool, limit: int = NOTE_MAX) -> str:
    text = (raw or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(f"{what} est obligatoire.")
    if len(text) > limit:
        raise InvalidInput(f"{what} dépasse {limit} caractères.")
    return text


ASSISTED_QUESTION_MAX = 300


def with_addition(body: str, addition: str | None) -> str:
    """A section's text with a drafted passage added at its end, as new paragraphs."""
    addition = (addition or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    addition = addition.strip()
    if not addition:
        raise InvalidInput("Le texte à proposer est vide.")
    body = body.rstrip()
    return f"{body}\n\n{addition}" if body else addition


def assisted_rationale(question: str | None) -> str:
    """The justification of a contribution drafted with the assistant: the question."""
    question = " ".join((question or "").split())
    if len(question) > ASSISTED_QUESTION_MAX:
        question = question[: ASSISTED_QUESTION_MAX - 1].rstrip() + "…"
    if not question:
        return "Rédigée avec l'assistant de Cosigne."
    return f"Rédigée avec l'assistant de Cosigne, en réponse à : « {question} »."


def state_after_acceptance(accepted: set[str], all_hunks: set[str]) -> ContributionState:
    """Accepting every change is an acceptance; some of them, a partial one."""
    if not accepted:
        raise InvalidInput(
            "Choisissez au moins une modification à accepter, ou rejetez la contribution."
        )
    unknown = accepted - all_hunks
    if unknown:
        raise InvalidInput(f"Modifications inconnues : {', '.join(sorted(unknown))}.")
    if accepted == all_hunks:
        return ContributionState.ACCEPTEE
    return ContributionState.PARTIELLEMENT_ACCEPTEE
