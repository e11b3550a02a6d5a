"""Lifecycle of a convention: the guards of its steps, from draft to signature, then
its evaluations or yearly follow-up.

Each kind's path is data in workflows/paths.py (``lifecycle_of``): a CUS is drafted by
the organisme with the collectivités associated, negotiated with the State and the
signatories, sent to the préfet, signed and evaluated every two years; a contract with
the collectivités is negotiated, deliberated by each party's assembly, signed, followed
up every year, then ended or renewed. The functions here read the path they are given
(the CUS's by default, as before paths existed). An avenant is a separate convention on
the path of the convention it amends, from ``brouillon``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from workflows.errors import InvalidInput
from workflows.paths import (
    CUS_LIFECYCLE,
    DEADLINE_LABELS,
    LIFECYCLES,
    STATE_LABELS,
    ConventionState,
    Lifecycle,
    lifecycle_of,
)

__all__ = [
    "CUS_LIFECYCLE",
    "DEADLINE_LABELS",
    "LIFECYCLES",
    "STATE_LABELS",
    "ConventionState",
    "Lifecycle",
    "lifecycle_of",
]


# The paths as data (workflows/paths.py); the CUS's names stay here for its own code.
ORDER: tuple[ConventionState, ...] = CUS_LIFECYCLE.states
TRANSITIONS = CUS_LIFECYCLE.transitions
EVALUATION_YEARS = CUS_LIFECYCLE.evaluation_years


@dataclass(frozen=True)
class SectionFacts:
    title: str
    mandatory: bool
    state: str  # "brouillon" | "en_revue" | "validee"
    written: bool = True  # False while the section has no text at all
    ref: int | None = None  # the section's id, for a blocker to say where it is resolved


@dataclass(frozen=True)
class OpenContribution:
    """A contribution nobody has decided on yet."""

    ref: int  # the contribution's id
    section: str  # the section's title
    party: str  # the organisation that proposed it
    section_ref: int | None = None  # the section's id


# An open point: a signatory's reserve or disagreement on a section's current text, or a
# discussion nobody marked resolved.
PointKind = Literal["reserve", "desaccord", "discussion"]

POINT_LABELS: dict[str, str] = {
    "reserve": "Réserve",
    "desaccord": "Désaccord",
    "discussion": "Discussion ouverte",
}


@dataclass(frozen=True)
class OpenPoint:
    kind: PointKind
    ref: int  # the position's id (reserve, désaccord) or the thread's (discussion)
    section: str
    section_ref: int
    party: str  # who holds it: the signatory, or the discussion's author
    text: str  # the reserve's or disagreement's text, the discussion's first words
    carried: str | None = None  # the note carrying it into the transmitted file, if any


@dataclass(frozen=True)
class ConventionFacts:
    state: ConventionState
    sections: tuple[SectionFacts, ...]
    signatories: tuple[str, ...]  # names of the signatory parties (organisations or persons)
    signed_by: frozenset[str]  # names of those whose signature is recorded
    start_year: int
    today: date
    # The organisme, a party that signs too (its name); None: facts without it.
    organisme: str | None = None
    open_contributions: tuple[OpenContribution, ...] = ()
    open_points: tuple[OpenPoint, ...] = ()
    # A CUS is drafted with the collectivités associated: what its register does not
    # yet prove of it (workflows.register.association_findings), each a blocker.
    association_findings: tuple[str, ...] = ()
    # The organisme's adoption of the projet, which ends the association, as the
    # register records it (workflows.register.adoption_findings): each a blocker too.
    adoption_findings: tuple[str, ...] = ()
    # A CUS is signed for the State by the préfet de région on the proposal of the
    # préfet de département: the State signatories whose signature still awaits that
    # proposal (none once it is recorded for the text transmitted, or for another kind).
    awaiting_proposal: tuple[str, ...] = ()
    # The convention's path (workflows.paths.lifecycle_of its kind).
    lifecycle: Lifecycle = CUS_LIFECYCLE
    # A contract's yearly follow-up: the year of the last one opened (None: none yet).
    followup_year: int | None = None
    # Signature requires each party's deliberation (``deliberations_before_signature``):
    # what is missing of them on the text as it stands, each a blocker of the signature
    # (workflows.deliberations.deliberation_findings: none recorded, rejected, adjourned,
    # or on a text changed since).
    deliberation_findings: tuple[str, ...] = ()


BlockerKind = Literal[
    "step",
    "section",
    "contribution",
    "point",
    "signatories",
    "association",
    "adoption",
    "signature",
    "proposal",
    "calendar",
    "deliberation",
]


@dataclass(frozen=True)
class Blocker:
    """One reason a step is refused, with where it is resolved: ``kind`` and ``ref`` (the
    section, contribution, position or thread id) for the page to link to it."""

    kind: BlockerKind
    text: str  # French, complete on its own
    ref: int | None = None
    section: str | None = None  # the section it concerns, for the page to group by
    party: str | None = None  # the party it waits on
    point: str | None = None  # for an open point: its kind (reserve, desaccord, discussion)
    section_ref: int | None = None  # the section's id


def _state(value: str) -> ConventionState:
    try:
        return ConventionState(value)
    except ValueError:
        raise InvalidInput(f"Étape de convention inconnue : « {value} ».") from None


def _label(state: ConventionState) -> str:
    return f"« {STATE_LABELS[state]} »"


def _on_path(value: str, path: Lifecycle) -> ConventionState:
    """The stage ``value`` of ``path``; a stage of another path is refused by name."""
    state = _state(value)
    if not path.allows(state):
        raise InvalidInput(
            f"L'étape {_label(state)} n'existe pas pour cette convention : ses étapes sont "
            + ", ".join(STATE_LABELS[s] for s in path.states)
            + "."
        )
    return state


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    # A party listed twice is still one party to name.
    return tuple(dict.fromkeys(names))


def check_transition(facts: ConventionFacts, to: str) -> list[str]:
    """French reasons why the convention cannot move to ``to``; [] when it can (the
    texts of ``blockers``)."""
    return [b.text for b in blockers(facts, to)]


def blockers(facts: ConventionFacts, to: str) -> list[Blocker]:
    """Everything that stops the convention moving to ``to``; [] when it can.

    Every applicable reason is given at once, so that users fix everything in one go:
    the step itself, then the conditions of entering the target stage. Before the
    transmission to the préfet, what the law and good faith require: the mandatory
    sections written, every contribution decided, each reserve, disagreement and open
    discussion lifted or carried into the transmitted file with a note, the association
    carried out as the register proves (the organisme's decision and its notices, the
    working meetings it set) and ended by the organisme's adoption of the text as it
    stands, a signatory. Not an agreement: a signatory's
    disagreement cannot stop the project reaching the préfet (circulaire CUS, IV), it
    goes with it. Before ``signee``, every party's signature, the organisme's included,
    and for a contract its parties' deliberations on the text as it stands; before an
    evaluation, the calendar.
    """
    path = facts.lifecycle
    current = _on_path(facts.state, path)
    target = _state(to)
    found: list[Blocker] = []
    if not path.allows(target):
        # Another path's stage (« Transmise au préfet » for a contract): no guard of it
        # applies, and the reason names the stages this convention has.
        nexts = ", ".join(STATE_LABELS[s] for s in path.transitions[current])
        return [
            Blocker(
                "step",
                f"L'étape {_label(target)} n'existe pas pour cette convention ("
                f"{path.label}) : étapes suivantes possibles : {nexts or 'aucune'}.",
            )
        ]

    allowed = path.transitions[current]
    if target not in allowed:
        if allowed:
            nexts = ", ".join(STATE_LABELS[s] for s in allowed)
            text = (
                f"Passage de {_label(current)} à {_label(target)} impossible : "
                f"étapes suivantes possibles : {nexts}."
            )
        else:
            text = (
                f"Passage de {_label(current)} à {_label(target)} impossible : "
                f"{_label(current)} est la dernière étape."
            )
        found.append(Blocker("step", text))

    if target is path.submission:
        found.extend(_transmission_blockers(facts))

    if target is ConventionState.SIGNEE:
        # The organisme concludes its convention: a party, it signs it too.
        parties = (facts.organisme, *facts.signatories) if facts.organisme else facts.signatories
        if not facts.signatories:
            # Without a signatory, "every signature recorded" would be vacuously true.
            found.append(
                Blocker(
                    "signatories",
                    "Aucun signataire n'est désigné : la convention ne peut être signée.",
                )
            )
        else:
            for name in _unique(facts.awaiting_proposal):
                if name not in facts.signed_by:
                    found.append(Blocker("proposal", PROPOSAL_MISSING, party=name))
            for name in _unique(name for name in parties if name not in facts.signed_by):
                found.append(Blocker("signature", f"Signature manquante : {name}.", party=name))
        if path.deliberations_before_signature:
            for finding in facts.deliberation_findings:
                found.append(Blocker("deliberation", f"Délibérations : {finding}"))

    if target is path.yearly:
        found.extend(_yearly_blockers(facts, current))

    if target in path.evaluation_years:
        years = path.evaluation_years[target]
        opening = date(facts.start_year + years, 1, 1)
        if facts.today < opening:
            found.append(
                Blocker(
                    "calendar",
                    f"L'évaluation à {years} ans ne peut être ouverte avant le 1er janvier "
                    f"{opening.year}.",
                )
            )

    return found


def _yearly_blockers(facts: ConventionFacts, current: ConventionState) -> list[Blocker]:
    """A contract's yearly follow-up opens once a year: the first not before its first
    year starts, each next one not before the year after the last."""
    if current is facts.lifecycle.yearly and facts.followup_year is not None:
        opening = facts.followup_year + 1
        if facts.today.year < opening:
            return [
                Blocker(
                    "calendar",
                    f"Le suivi annuel de {facts.followup_year} est en cours : celui de "
                    f"{opening} ne peut être ouvert avant le 1er janvier {opening}.",
                )
            ]
        return []
    if facts.today.year < facts.start_year:
        return [
            Blocker(
                "calendar",
                f"Le suivi annuel ne peut être ouvert avant le 1er janvier {facts.start_year}, "
                "première année de la convention.",
            )
        ]
    return []


def _transmission_blockers(facts: ConventionFacts) -> list[Blocker]:
    """What the file must hold before the text goes to those who sign: the préfet for a
    CUS, the parties' assemblies for a contract."""
    path = facts.lifecycle
    receiver = (
        "le préfet reçoit le projet entier"
        if path.prefect_proposal
        else "les assemblées délibèrent sur le texte entier"
    )
    carry = "dans le dossier transmis" if path.prefect_proposal else "dans le dossier soumis"
    found: list[Blocker] = []
    for section in facts.sections:
        if section.mandatory and not section.written:
            found.append(
                Blocker(
                    "section",
                    f"La section obligatoire « {section.title} » est à rédiger : {receiver}.",
                    section.ref,
                    section.title,
                    section_ref=section.ref,
                )
            )
    for contribution in facts.open_contributions:
        found.append(
            Blocker(
                "contribution",
                f"La contribution n° {contribution.ref} de {contribution.party} sur "
                f"« {contribution.section} » attend une décision (acceptée, refusée avec "
                "motif ou traitée), ou son retrait.",
                contribution.ref,
                contribution.section,
                contribution.party,
                section_ref=contribution.section_ref,
            )
        )
    for point in facts.open_points:
        if point.carried is not None:
            continue
        discussion = point.kind == "discussion"
        what = "Discussion ouverte par" if discussion else f"{POINT_LABELS[point.kind]} de"
        settle = "à clore" if discussion else "à lever"
        found.append(
            Blocker(
                "point",
                f"{what} {point.party} sur « {point.section} » : "
                f"{settle}, ou à reporter {carry} avec une note.",
                point.ref,
                point.section,
                point.party,
                point.kind,
                point.section_ref,
            )
        )
    if path.association_register:  # a CUS's: a contract has no association
        for finding in facts.association_findings:
            found.append(Blocker("association", f"Registre de l'association : {finding}"))
        for finding in facts.adoption_findings:
            found.append(Blocker("adoption", f"Registre de l'association : {finding}"))
    if not facts.signatories:
        found.append(
            Blocker(
                "signatories", "Aucun signataire n'est désigné : ajoutez au moins un signataire."
            )
        )
    return found


CARRY_NOTE_MAX = 2000


def clean_carry_note(raw: str | None) -> str:
    """The organisme's note carrying an open point into the transmitted file: required
    (the préfet reads why the point stays open and what was done about it), bounded."""
    note = (raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not note:
        raise InvalidInput(
            "Écrivez la note qui accompagne ce point dans le dossier transmis : ce qui a été "
            "fait et pourquoi il reste ouvert.",
            field="note",
        )
    if len(note) > CARRY_NOTE_MAX:
        raise InvalidInput(
            f"La note tient en {CARRY_NOTE_MAX} caractères ({len(note)} saisis).", field="note"
        )
    return note


def carried_points(points: Iterable[OpenPoint]) -> list[OpenPoint]:
    """The open points carried into the transmitted file, in the order of the sections."""
    return [p for p in points if p.carried is not None]


def contributions_open(state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """Contributions are received while the parties draft together: association and
    negotiation for a CUS, negotiation for a contract."""
    return _state(state) in path.contributions


def contributions_closed_reason(state: str, path: Lifecycle = CUS_LIFECYCLE) -> str | None:
    """Why contributions are closed at this stage, in French; None when they are open."""
    current = _state(state)
    if current in path.contributions:
        return None
    advice = path.closed_advice.get(current, "proposez un avenant.")
    return (
        f"Les contributions sont ouvertes {path.contributions_words} ; la convention est au "
        f"stade {_label(current)} : {advice}"
    )


def text_editable(state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """The text may change until it goes to those who sign (the préfet, the assemblies)."""
    return _state(state) in path.editable


def text_frozen_reason(state: str, path: Lifecycle = CUS_LIFECYCLE) -> str | None:
    """Why the text cannot be edited at this stage, in French; None when it can."""
    current = _state(state)
    if current in path.editable:
        return None
    if current in path.frozen_reasons:
        return path.frozen_reasons[current]
    return (
        f"Le texte signé est figé (stade {_label(current)}) : "
        "toute modification passe par un avenant."
    )


def review_open(state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """Sections may be put under review and positions recorded while contributions are
    received."""
    return _state(state) in path.contributions


def signing_open(state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """Signatures are recorded at one stage: once the CUS is with the préfet, while a
    contract's assemblies deliberate."""
    return _state(state) is path.signing


def check_signature_date(
    signed_on: date,
    transmitted_on: date | None,
    today: date,
    path: Lifecycle = CUS_LIFECYCLE,
) -> str | None:
    """Why a signature cannot bear the date ``signed_on``, in French; None when it can.

    The parties sign the text as it went to those who sign: not before the day it went
    (``transmitted_on``: the transmission to the préfet, or a contract's entry into
    délibérations; where the users are; None when unknown), and not in the future
    (``today``, likewise where the users are).
    """
    if signed_on > today:
        return (
            f"La date de signature ({signed_on:%d/%m/%Y}) ne peut être dans le futur : "
            f"nous sommes le {today:%d/%m/%Y}."
        )
    if transmitted_on is not None and signed_on < transmitted_on:
        what = "transmis" if path.prefect_proposal else "soumis aux délibérations"
        return (
            f"La date de signature ({signed_on:%d/%m/%Y}) précède {path.submitted_words}, "
            f"le {transmitted_on:%d/%m/%Y} : on ne signe que le texte {what}."
        )
    return None


PROPOSAL_MISSING = (
    "Proposition de signature du préfet de département au préfet de région à "
    "enregistrer : l'État ne signe la convention que sur cette proposition."
)
PROPOSER_MAX = 200
PROPOSAL_NOTE_MAX = 2000


def check_proposal_date(
    proposed_on: date | None, transmitted_on: date | None, today: date
) -> str | None:
    """Why the préfet de département's proposal cannot bear the date ``proposed_on``, in
    French; None when it can: it proposes the text transmitted to him, so neither before
    its transmission (``transmitted_on``, where the users are) nor in the future."""
    if proposed_on is None:
        return "Indiquez la date de la proposition du préfet de département."
    if proposed_on > today:
        return (
            f"La date de la proposition ({proposed_on:%d/%m/%Y}) ne peut être dans le futur : "
            f"nous sommes le {today:%d/%m/%Y}."
        )
    if transmitted_on is not None and proposed_on < transmitted_on:
        return (
            f"La date de la proposition ({proposed_on:%d/%m/%Y}) précède la transmission de la "
            f"convention au préfet, le {transmitted_on:%d/%m/%Y} : le préfet de département "
            "propose la signature du texte qui lui a été transmis."
        )
    return None


def clean_proposal(proposer: str | None, note: str | None) -> tuple[str, str]:
    """Who proposed (« préfet de département du Loiret »: one line) and the note (free
    text), both optional and bounded; the field at fault is named."""
    who = " ".join((proposer or "").replace("\x00", "").split())
    if len(who) > PROPOSER_MAX:
        raise InvalidInput(
            f"L'auteur de la proposition tient en {PROPOSER_MAX} caractères ({len(who)} saisis).",
            field="proposer",
        )
    text = (note or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > PROPOSAL_NOTE_MAX:
        raise InvalidInput(
            f"La note tient en {PROPOSAL_NOTE_MAX} caractères ({len(text)} saisis).",
            field="note",
        )
    return who, text


def check_state_signature(signed_on: date, proposed_on: date | None) -> str | None:
    """Why the State's signature of a CUS cannot be recorded with the date ``signed_on``,
    in French; None when it can. The préfet de région signs on the proposal of the
    préfet de département (circulaire CUS, IV): not without it, not before it."""
    if proposed_on is None:
        return (
            "L'État signe sur proposition du préfet de département au préfet de région : "
            "enregistrez d'abord cette proposition (bloc « Signatures »)."
        )
    if signed_on < proposed_on:
        return (
            f"La date de signature ({signed_on:%d/%m/%Y}) précède la proposition du préfet de "
            f"département, le {proposed_on:%d/%m/%Y} : l'État signe sur cette proposition."
        )
    return None


def signed(state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """The convention is signed, and from then on evaluated: it runs on a final text."""
    return _state(state) in path.signed


def _canonical(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def fingerprint(title: str, sections: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The canonical signed text and its SHA-256 hex digest.

    The text is the title, then each section as ``## <title>\\n\\n<body>`` in order,
    joined by blank lines and ending with a newline. Line endings and Unicode forms
    are normalised (NFC) so that the same words always give the same digest, whatever
    the browser or database did to them; any other change gives another digest.
    """
    parts = [_canonical(title)]
    parts.extend(f"## {_canonical(name)}\n\n{_canonical(body)}" for name, body in sections)
    text = "\n\n".join(parts) + "\n"
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Deadline:
    key: str  # "association" | "transmission" | "signature" (or any)
    label: str  # "Fin de l'association" ...
    due: date
    done: bool  # the phase it closes is already past


DeadlineStatus = Literal["done", "late", "soon", "later"]


def deadline_status(deadline: Deadline, today: date, soon_days: int = 30) -> DeadlineStatus:
    """Where a deadline stands: done, late (due date passed), soon (within
    ``soon_days`` days, the due day included) or later."""
    if deadline.done:
        return "done"
    if deadline.due < today:
        return "late"
    if (deadline.due - today).days <= soon_days:
        return "soon"
    return "later"


# "done" whatever the date: the step a deadline closes is accomplished (a future
# deadline of a step already done is not "franchie", and a passed one not done is late).
UNWRITTEN_LABEL = "À rédiger"  # a section without any text, wherever its state is shown

DEADLINE_STATUS_LABELS: dict[str, str] = {
    "done": "étape accomplie",
    "late": "en retard",
    "soon": "dans moins de 30 jours",
    "later": "à venir",
}


def deadlines_of_path(path: Lifecycle = CUS_LIFECYCLE) -> dict[str, str]:
    """The deadlines that apply on ``path`` (key: label), in the order of DEADLINE_LABELS:
    a contract has no association nor transmission to the préfet."""
    return {key: label for key, label in DEADLINE_LABELS.items() if key in path.deadlines}


def deadline_done(key: str, state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """True when the phase the deadline closes is past at stage ``state``.

    A convention sent back (négociation → association) meets its association deadline
    again only when it leaves association anew. Unknown keys, and keys of another path,
    are never done.
    """
    reached_at = path.deadlines.get(key)
    if reached_at is None:
        return False
    current = _state(state)
    if not path.allows(current):
        return False
    return path.states.index(current) >= path.states.index(reached_at)


def comments_open(state: str, path: Lifecycle = CUS_LIFECYCLE) -> bool:
    """Discussion goes on until signature (the préfet's services, an assembly, may still
    ask questions on a frozen text); a signed text is discussed in its avenant."""
    return _state(state) not in path.signed
