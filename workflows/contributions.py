"""Contribution states and the rules of deciding on them."""

from __future__ import annotations

from enum import StrEnum

from workflows.errors import Conflict, InvalidInput


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


def change_number(hunk_id: str) -> int:
    """The number users see for a change: 2 for "h2" (0 for anything else)."""
    digits = hunk_id[1:]
    return int(digits) if hunk_id.startswith("h") and digits.isdigit() else 0


def check_decisions(
    all_hunks: set[str],
    accepted: set[str],
    rejected: set[str],
    accept: set[str],
    reject: set[str],
) -> None:
    """Deciding ``accept`` and ``reject`` on a contribution whose changes ``accepted`` and
    ``rejected`` are already decided: each change once, never both ways. A change
    decided already is a conflict, not bad input: another drafter may have decided it
    meanwhile."""
    unknown = (accept | reject) - all_hunks
    if unknown:
        raise InvalidInput(f"Modifications inconnues : {', '.join(sorted(unknown))}.")
    both = sorted(accept & reject, key=change_number)
    if both:
        raise InvalidInput(
            f"La modification {change_number(both[0])} ne peut être à la fois acceptée et rejetée."
        )
    decided = {**dict.fromkeys(accepted, "acceptée"), **dict.fromkeys(rejected, "rejetée")}
    again = sorted((accept | reject) & decided.keys(), key=change_number)
    if again:
        raise Conflict(
            f"La modification {change_number(again[0])} a déjà été {decided[again[0]]} "
            "(la page montre à présent où en est chaque modification)."
        )


def state_after_decisions(
    accepted: set[str], rejected: set[str], all_hunks: set[str]
) -> ContributionState:
    """Open while a change is undecided; then accepted (every change), partly accepted
    (some) or rejected (none)."""
    if all_hunks - accepted - rejected:
        return ContributionState.OUVERTE
    if accepted == all_hunks and accepted:
        return ContributionState.ACCEPTEE
    if accepted:
        return ContributionState.PARTIELLEMENT_ACCEPTEE
    return ContributionState.REJETEE
