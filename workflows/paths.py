"""Each kind of convention's path, as data: its stages in order, the steps between them,
what is open at each stage and the reasons given when something is closed.

Two paths today:

- the CUS, the State's procedure: the organisme drafts, associates the collectivités,
  negotiates with the State and the signatories, transmits to the préfet; the parties
  sign the transmitted text; it is evaluated at 2, 4 and 6 years (circulaire CUS, IV-V);
- the contract between an OPH and its collectivités (document cadre, conventions
  d'application annuelles): freely negotiated between the parties with no préfet and no
  preset frame (guide de la contractualisation, lines 98-100, 202); each party's
  assembly deliberates on the text, which is then signed, followed year by year and
  evaluated, then ended or renewed (lines 207-253).

An avenant follows the path of the convention it amends (``lifecycle_of``). The guards
that read these paths are in workflows/lifecycle.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from workflows.conventions import ConventionKind


class ConventionState(StrEnum):
    """Every stage of every path (stored as VARCHAR: the values never change)."""

    BROUILLON = "brouillon"
    ASSOCIATION = "association"
    NEGOCIATION = "negociation"
    TRANSMISE = "transmise"
    SIGNEE = "signee"
    BILAN_2 = "bilan_2ans"
    BILAN_4 = "bilan_4ans"
    BILAN_6 = "bilan_6ans"
    # The contract's own stages.
    DELIBERATIONS = "deliberations"
    SUIVI_ANNUEL = "suivi_annuel"
    TERMINEE = "terminee"
    RENOUVELEE = "renouvelee"


# One label per stage, whatever the path (a stage shared by two paths means the same).
STATE_LABELS: dict[ConventionState, str] = {
    ConventionState.BROUILLON: "Brouillon",
    ConventionState.ASSOCIATION: "Association",
    ConventionState.NEGOCIATION: "Négociation",
    ConventionState.TRANSMISE: "Transmise au préfet",
    ConventionState.SIGNEE: "Signée",
    ConventionState.BILAN_2: "Évaluation à 2 ans",
    ConventionState.BILAN_4: "Évaluation à 4 ans",
    ConventionState.BILAN_6: "Évaluation à 6 ans",
    ConventionState.DELIBERATIONS: "Délibérations",
    ConventionState.SUIVI_ANNUEL: "Suivi annuel",
    ConventionState.TERMINEE: "Terminée",
    ConventionState.RENOUVELEE: "Renouvelée",
}

DEADLINE_LABELS: dict[str, str] = {
    "association": "Fin de l'association",
    "transmission": "Transmission au préfet",
    "signature": "Signature",
}


@dataclass(frozen=True)
class Lifecycle:
    """One path. Every set names stages of ``states``; the French texts complete the
    sentences workflows/lifecycle.py builds, stage by stage."""

    name: str  # "cus" | "contrat"
    states: tuple[ConventionState, ...]  # in order (the stage bar, "before/after")
    transitions: Mapping[ConventionState, tuple[ConventionState, ...]]
    # Contributions received, sections put under review and positions recorded.
    contributions: frozenset[ConventionState]
    editable: frozenset[ConventionState]  # the text may change
    # The stage where the text goes to those who sign: its entry checks the file
    # (sections written, contributions decided, points settled) and freezes the text.
    submission: ConventionState
    signing: ConventionState  # the stage where signatures are recorded
    signing_words: str  # when signatures are recorded, in French
    signed: frozenset[ConventionState]  # the convention runs on a signed text
    # Evaluations at fixed years after the start (the CUS: 2, 4, 6).
    evaluation_years: Mapping[ConventionState, int]
    # A follow-up repeated once a year (the contract's yearly review), or None.
    yearly: ConventionState | None
    # The stage from which each deadline that applies to this path is met.
    deadlines: Mapping[str, ConventionState]
    contributions_words: str  # when contributions are open, in French
    review_words: str  # when sections are reviewed, in French
    # Why contributions are closed at a stage (the advice ending the sentence).
    closed_advice: Mapping[ConventionState, str]
    # Why the text is frozen at a stage that is neither editable nor signed.
    frozen_reasons: Mapping[ConventionState, str]
    # Before ``submission``: what the association register proves (a CUS only).
    association_register: bool
    # The State signs on the préfet de département's proposal (a CUS only).
    prefect_proposal: bool
    # Signing requires each party's deliberation (workflows.deliberations, the
    # ``deliberation_findings`` facts): the blocker is keyed on this flag.
    deliberations_before_signature: bool
    # The stage that ends the path by opening the next convention of the same kind.
    renewal: ConventionState | None
    # Where the dates of signature start: the text frozen and sent, in French.
    submitted_words: str  # "la transmission de la convention au préfet"

    @property
    def label(self) -> str:
        return PATH_LABELS[self.name]

    def allows(self, state: ConventionState) -> bool:
        return state in self.states


_S = ConventionState

CUS_LIFECYCLE = Lifecycle(
    name="cus",
    states=(
        _S.BROUILLON,
        _S.ASSOCIATION,
        _S.NEGOCIATION,
        _S.TRANSMISE,
        _S.SIGNEE,
        _S.BILAN_2,
        _S.BILAN_4,
        _S.BILAN_6,
    ),
    transitions={
        _S.BROUILLON: (_S.ASSOCIATION,),
        _S.ASSOCIATION: (_S.NEGOCIATION,),
        # Negotiation may show that the collectivités must be consulted again.
        _S.NEGOCIATION: (_S.TRANSMISE, _S.ASSOCIATION),
        # The préfet may send the project back for more negotiation.
        _S.TRANSMISE: (_S.SIGNEE, _S.NEGOCIATION),
        # A signed text never changes: amendments go through an avenant.
        _S.SIGNEE: (_S.BILAN_2,),
        _S.BILAN_2: (_S.BILAN_4,),
        _S.BILAN_4: (_S.BILAN_6,),
        _S.BILAN_6: (),
    },
    contributions=frozenset({_S.ASSOCIATION, _S.NEGOCIATION}),
    editable=frozenset({_S.BROUILLON, _S.ASSOCIATION, _S.NEGOCIATION}),
    submission=_S.TRANSMISE,
    signing=_S.TRANSMISE,
    signing_words="une fois la convention transmise au préfet",
    signed=frozenset({_S.SIGNEE, _S.BILAN_2, _S.BILAN_4, _S.BILAN_6}),
    # Evaluations take place every two years (circulaire CUS, V): years after the start.
    evaluation_years={_S.BILAN_2: 2, _S.BILAN_4: 4, _S.BILAN_6: 6},
    yearly=None,
    deadlines={
        "association": _S.NEGOCIATION,
        "transmission": _S.TRANSMISE,
        "signature": _S.SIGNEE,
    },
    contributions_words="pendant les phases d'association et de négociation",
    review_words="pendant l'association et la négociation",
    closed_advice={
        _S.BROUILLON: "elles s'ouvriront avec l'association des collectivités.",
        _S.TRANSMISE: "le préfet peut la renvoyer en négociation.",
    },
    frozen_reasons={
        _S.TRANSMISE: (
            "Le texte est figé depuis sa transmission au préfet : il ne peut être modifié "
            "que si la convention est renvoyée en négociation."
        ),
    },
    association_register=True,
    prefect_proposal=True,
    deliberations_before_signature=False,
    renewal=None,
    submitted_words="la transmission de la convention au préfet",
)

CONTRACT_LIFECYCLE = Lifecycle(
    name="contrat",
    states=(
        _S.BROUILLON,
        _S.NEGOCIATION,
        _S.DELIBERATIONS,
        _S.SIGNEE,
        _S.SUIVI_ANNUEL,
        _S.TERMINEE,
        _S.RENOUVELEE,
    ),
    transitions={
        # The initiator drafts (often jointly: guide, lines 196-197), then opens the
        # negotiation to every party; drafting goes on inside the negotiation, so there
        # is no way back to a draft nobody else may contribute to.
        _S.BROUILLON: (_S.NEGOCIATION,),
        _S.NEGOCIATION: (_S.DELIBERATIONS,),
        # An assembly may ask for changes before it adopts the text.
        _S.DELIBERATIONS: (_S.SIGNEE, _S.NEGOCIATION),
        _S.SIGNEE: (_S.SUIVI_ANNUEL,),
        # The yearly review of each objective (lines 231-234), repeated every year until
        # the contract ends or is renewed from what the reviews taught (lines 218-221).
        _S.SUIVI_ANNUEL: (_S.SUIVI_ANNUEL, _S.TERMINEE, _S.RENOUVELEE),
        _S.TERMINEE: (),
        _S.RENOUVELEE: (),
    },
    contributions=frozenset({_S.NEGOCIATION}),
    editable=frozenset({_S.BROUILLON, _S.NEGOCIATION}),
    submission=_S.DELIBERATIONS,
    signing=_S.DELIBERATIONS,
    signing_words="pendant les délibérations des assemblées des parties",
    signed=frozenset({_S.SIGNEE, _S.SUIVI_ANNUEL, _S.TERMINEE, _S.RENOUVELEE}),
    evaluation_years={},
    yearly=_S.SUIVI_ANNUEL,
    deadlines={"signature": _S.SIGNEE},
    contributions_words="pendant la négociation entre les parties",
    review_words="pendant la négociation",
    closed_advice={
        _S.BROUILLON: "elles s'ouvriront avec la négociation entre les parties.",
        _S.DELIBERATIONS: (
            "les assemblées délibèrent sur le texte ; une assemblée qui demande des "
            "changements le renvoie en négociation."
        ),
    },
    frozen_reasons={
        _S.DELIBERATIONS: (
            "Le texte est figé pendant les délibérations des assemblées des parties : il ne "
            "peut être modifié que si la convention est renvoyée en négociation."
        ),
    },
    association_register=False,
    prefect_proposal=False,
    deliberations_before_signature=True,
    renewal=_S.RENOUVELEE,
    submitted_words="l'entrée de la convention en délibérations",
)

PATH_LABELS: dict[str, str] = {
    "cus": "Procédure de la CUS (État)",
    "contrat": "Contrat librement négocié, suivi chaque année",
}

LIFECYCLES: dict[ConventionKind, Lifecycle] = {
    ConventionKind.CUS: CUS_LIFECYCLE,
    ConventionKind.CADRE: CONTRACT_LIFECYCLE,
    ConventionKind.APPLICATION: CONTRACT_LIFECYCLE,
}


def lifecycle_of(kind: str, amends_kind: str | None = None) -> Lifecycle:
    """The path of a convention of ``kind``; an avenant follows the path of the convention
    it amends (``amends_kind``; the CUS's when unknown, as before paths existed)."""
    if kind == ConventionKind.AVENANT:
        if amends_kind is None or amends_kind == ConventionKind.AVENANT:
            return CUS_LIFECYCLE
        return lifecycle_of(amends_kind)
    return LIFECYCLES[ConventionKind(kind)]
