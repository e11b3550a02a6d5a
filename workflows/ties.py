"""The parties' real ties: who must take part in an organisme's CUS, read from the
collectivités' territories and the organisme's housing.

Two rules of the law on the CUS (article L. 445-1 CCH; the Repères partagés, "Qui est
signataire ?"), and one faculty:

- An office public de l'habitat is always attached to one collectivité (an EPCI, an
  EPT, a département or a commune: the FOPH's presentation of the offices). That
  collectivité de rattachement signs its office's CUS as of right: it is proposed as
  signataire, and its absence is said before the transmission.
- The EPCI (and EPT) whose programme local de l'habitat is enforceable, and the
  départements, on whose territory the organisme owns housing, are associated with the
  drafting as of right; each may then choose to sign (``workflows.signatory_choice``).
- Other collectivités where the organisme owns housing (a commune, an EPCI without an
  enforceable PLH) may ask to be associated: proposed, never required.

Territories are rows of places (a département by its number, an EPCI by its SIREN, a
commune by its code INSEE). A collectivité's own places say what it covers (a
département its number; an EPCI its SIREN and its communes); an EPCI's départements say
where it lies. The organisme's housing is rows of the same places. Nothing is guessed
beyond what the rows say, except that a commune lies in the département its code INSEE
begins with.

Plain values in, plain values out: ``app/organisations`` loads the rows and shows them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workflows.conventions import COLLECTIVITES, OrganisationKind
from workflows.errors import InvalidInput
from workflows.permissions import ROLE_LABELS, Role


class Level(StrEnum):
    DEPARTEMENT = "departement"
    EPCI = "epci"
    COMMUNE = "commune"


LEVEL_LABELS = {
    Level.DEPARTEMENT: "Département",
    Level.EPCI: "EPCI ou EPT",
    Level.COMMUNE: "Commune",
}

CODE_LABELS = {
    Level.DEPARTEMENT: "numéro du département",
    Level.EPCI: "SIREN",
    Level.COMMUNE: "code INSEE",
}

# The collectivités a PLH belongs to (an EPT holds its own since the Grand Paris law).
PLH_KINDS = frozenset({OrganisationKind.EPCI, OrganisationKind.EPT})

# Who an office may be attached to.
RATTACHEMENT_KINDS = COLLECTIVITES

# The places a collectivité of each kind covers itself (its other rows say where it lies).
_OWN_LEVELS: dict[OrganisationKind, frozenset[Level]] = {
    OrganisationKind.DEPARTEMENT: frozenset({Level.DEPARTEMENT}),
    OrganisationKind.EPCI: frozenset({Level.EPCI, Level.COMMUNE}),
    OrganisationKind.EPT: frozenset({Level.EPCI, Level.COMMUNE}),
    OrganisationKind.COMMUNE: frozenset({Level.COMMUNE}),
}

_DEPARTEMENT = re.compile(r"(0[1-9]|1[0-9]|2[1-9]|[3-8][0-9]|9[0-5]|2A|2B|97[1-6])")
_COMMUNE = re.compile(r"([0-9]{5}|2[AB][0-9]{3})")
_SIREN = re.compile(r"[0-9]{9}")
NAME_MAX_LENGTH = 200
MAX_LOGEMENTS = 1_000_000


@dataclass(frozen=True)
class Place:
    level: Level
    code: str


@dataclass(frozen=True)
class Party:
    """An organisation as these rules see it: its kind, its places, its PLH."""

    id: int
    name: str
    kind: OrganisationKind
    places: frozenset[Place] = frozenset()
    plh_executoire: bool | None = None  # EPCI and EPT only; None: not said


class Tie(StrEnum):
    RATTACHEMENT = "rattachement"  # the office's collectivité: signataire de droit
    DE_DROIT = "de_droit"  # associated as of right, may choose to sign
    FACULTATIVE = "facultative"  # may ask to be associated


TIE_LABELS = {
    Tie.RATTACHEMENT: "signataire de droit (collectivité de rattachement)",
    Tie.DE_DROIT: "associée de droit",
    Tie.FACULTATIVE: "peut demander à être associée",
}

# The roles that fulfil each tie. A collectivité associated as of right that chose to
# sign, or that drafts with the organisme, takes part at least as much.
_FULFILLING: dict[Tie, frozenset[Role]] = {
    Tie.RATTACHEMENT: frozenset({Role.SIGNATAIRE}),
    Tie.DE_DROIT: frozenset({Role.ASSOCIE, Role.SIGNATAIRE, Role.REDACTEUR}),
    Tie.FACULTATIVE: frozenset({Role.ASSOCIE, Role.SIGNATAIRE, Role.REDACTEUR}),
}

_PROPOSED_ROLE = {
    Tie.RATTACHEMENT: Role.SIGNATAIRE,
    Tie.DE_DROIT: Role.ASSOCIE,
    Tie.FACULTATIVE: Role.ASSOCIE,
}


@dataclass(frozen=True)
class Proposal:
    """One collectivité Cosigne proposes, why, with which role, and where it stands."""

    party: Party
    tie: Tie
    reason: str
    current: Role | None  # its role in the convention today (None: not a member)

    @property
    def role(self) -> Role:
        """The role to give it (associée for a required one: it may then choose to sign)."""
        return _PROPOSED_ROLE[self.tie]

    @property
    def fulfilled(self) -> bool:
        return self.current in _FULFILLING[self.tie]

    @property
    def required(self) -> bool:
        return self.tie is not Tie.FACULTATIVE


@dataclass(frozen=True)
class Ties:
    proposals: tuple[Proposal, ...]
    warnings: tuple[str, ...]  # French, for the readiness of the transmission

    @property
    def pending(self) -> tuple[Proposal, ...]:
        """The proposals still to act on: those not fulfilled."""
        return tuple(p for p in self.proposals if not p.fulfilled)


# --- reading the rows ------------------------------------------------------------------


def read_level(raw: str | None) -> Level:
    try:
        return Level((raw or "").strip())
    except ValueError:
        raise InvalidInput(
            "Choisissez un niveau : département, EPCI ou EPT, commune.", field="level"
        ) from None


def read_place(level: Level, raw: str | None) -> Place:
    """A place from its typed code, checked for its level (a département's number, an
    EPCI's SIREN, a commune's code INSEE); InvalidInput on the ``code`` field otherwise."""
    code = re.sub(r"\s", "", raw or "").upper()
    if level is Level.DEPARTEMENT:
        if len(code) == 1 and code.isdigit():
            code = "0" + code
        ok = _DEPARTEMENT.fullmatch(code)
        hint = "un numéro de département (01 à 95, 2A, 2B, 971 à 976)"
    elif level is Level.EPCI:
        ok = _SIREN.fullmatch(code)
        hint = "le SIREN de l'EPCI ou de l'EPT (9 chiffres)"
    else:
        ok = _COMMUNE.fullmatch(code)
        hint = "le code INSEE de la commune (5 caractères, par exemple 41018 ou 2A004)"
    if not code:
        raise InvalidInput(f"Le code est obligatoire : {hint}.", field="code")
    if not ok:
        raise InvalidInput(f"« {raw} » n'est pas {hint}.", field="code")
    return Place(level, code)


def read_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"Le nom fait plus de {NAME_MAX_LENGTH} caractères.", field="name")
    return name


def read_logements(raw: str | None) -> int | None:
    """The number of dwellings at a place, optional; a whole number otherwise."""
    text = re.sub(r"\s", "", raw or "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_LOGEMENTS:
        raise InvalidInput(
            f"« {raw} » n'est pas un nombre de logements (un entier de 0 à {MAX_LOGEMENTS}).",
            field="logements",
        )
    return int(text)


def departement_of_commune(code: str) -> str:
    """The département a commune lies in, read from its code INSEE (97x overseas)."""
    return code[:3] if code.startswith("97") else code[:2]


# --- what an organisation may carry ----------------------------------------------------


def check_rattachement(
    organisme_kind: OrganisationKind, collectivite: Party | None, organisme_id: int
) -> None:
    """Refuse a rattachement that is not one: only an office has one, and it is a
    collectivité (EPCI, EPT, département, commune) other than the office itself."""
    if collectivite is None:
        return
    if organisme_kind is not OrganisationKind.OPH:
        raise InvalidInput(
            "Seul un office public de l'habitat (OPH) est rattaché à une collectivité.",
            field="rattachement_id",
        )
    if collectivite.id == organisme_id or collectivite.kind not in RATTACHEMENT_KINDS:
        raise InvalidInput(
            f"{collectivite.name} n'est pas une collectivité : un office est rattaché à un "
            "EPCI, un EPT, un département ou une commune.",
            field="rattachement_id",
        )


def plh_of(kind: OrganisationKind, raw: str | None) -> bool | None:
    """Whether an EPCI's or an EPT's PLH is approved and enforceable ("1", "0", or ""
    for not said); None for the other kinds, which hold no PLH."""
    if kind not in PLH_KINDS:
        if raw:
            raise InvalidInput(
                "Seuls un EPCI ou un EPT ont un programme local de l'habitat.",
                field="plh_executoire",
            )
        return None
    if raw in (None, ""):
        return None
    if raw not in ("0", "1"):
        raise InvalidInput("Choisissez oui, non ou non renseigné.", field="plh_executoire")
    return raw == "1"


# --- who must take part --------------------------------------------------------------


def _covered(footprint: Iterable[Place], parties: Sequence[Party]) -> frozenset[Place]:
    """The places where the organisme owns housing, with the départements they lie in:
    a commune's from its code, an EPCI's from that EPCI's own rows."""
    places = set(footprint)
    for place in list(places):
        if place.level is Level.COMMUNE:
            places.add(Place(Level.DEPARTEMENT, departement_of_commune(place.code)))
        elif place.level is Level.EPCI:
            for party in parties:
                if party.kind in PLH_KINDS and place in party.places:
                    places.update(p for p in party.places if p.level is Level.DEPARTEMENT)
    return frozenset(places)


def _own_places(party: Party) -> frozenset[Place]:
    levels = _OWN_LEVELS.get(party.kind, frozenset())
    return frozenset(p for p in party.places if p.level in levels)


def _tie_of(party: Party) -> tuple[Tie, str]:
    if party.kind is OrganisationKind.DEPARTEMENT:
        return Tie.DE_DROIT, "l'organisme possède des logements sur son territoire"
    if party.kind in PLH_KINDS:
        if party.plh_executoire:
            return (
                Tie.DE_DROIT,
                "PLH exécutoire, l'organisme possède des logements sur son territoire",
            )
        if party.plh_executoire is None:
            return Tie.FACULTATIVE, "logements sur son territoire ; PLH : non renseigné"
        return Tie.FACULTATIVE, "logements sur son territoire ; pas de PLH exécutoire"
    return Tie.FACULTATIVE, "logements sur son territoire"


_ORDER = {Tie.RATTACHEMENT: 0, Tie.DE_DROIT: 1, Tie.FACULTATIVE: 2}
_KIND_ORDER = {
    OrganisationKind.DEPARTEMENT: 0,
    OrganisationKind.EPCI: 1,
    OrganisationKind.EPT: 1,
    OrganisationKind.COMMUNE: 2,
}


def ties(
    organisme: Party,
    rattachement: Party | None,
    parties: Sequence[Party],
    footprint: Iterable[Place],
    members: Mapping[int, Role],
) -> Ties:
    """The collectivités to propose for ``organisme``'s CUS and the warnings for its
    transmission.

    ``parties``: the collectivités known (any kind; the others are ignored);
    ``footprint``: where the organisme owns housing; ``members``: the convention's
    organisations by id with their role."""
    footprint = frozenset(footprint)
    proposals: list[Proposal] = []
    warnings: list[str] = []
    if organisme.kind is OrganisationKind.OPH:
        if rattachement is None:
            warnings.append(
                f"La collectivité de rattachement de {organisme.name} n'est pas renseignée : "
                "signataire de droit de la CUS d'un office, elle ne peut pas être proposée "
                "(l'administrateur la renseigne dans la fiche de l'organisation)."
            )
        else:
            proposals.append(
                Proposal(
                    rattachement,
                    Tie.RATTACHEMENT,
                    "l'office lui est rattaché",
                    members.get(rattachement.id),
                )
            )
    if not footprint and organisme.kind in (
        OrganisationKind.OPH,
        OrganisationKind.ESH,
        OrganisationKind.SEM,
    ):
        warnings.append(
            f"Le patrimoine de {organisme.name} n'est pas renseigné : Cosigne ne peut pas "
            "dire quels départements et quels EPCI dotés d'un PLH exécutoire associer."
        )
    covered = _covered(footprint, parties)
    taken = {p.party.id for p in proposals} | {organisme.id}
    for party in parties:
        if party.id in taken or party.kind not in COLLECTIVITES:
            continue
        if not _own_places(party) & covered:
            continue
        tie, reason = _tie_of(party)
        proposals.append(Proposal(party, tie, reason, members.get(party.id)))
        taken.add(party.id)
    proposals.sort(key=lambda p: (_ORDER[p.tie], _KIND_ORDER.get(p.party.kind, 9), p.party.name))
    for p in proposals:
        if p.fulfilled:
            continue
        if p.tie is Tie.RATTACHEMENT:
            where = (
                "ne participe pas à la convention"
                if p.current is None
                else f"y participe comme « {ROLE_LABELS[p.current].lower()} », pas comme signataire"
            )
            warnings.append(
                f"{p.party.name}, collectivité de rattachement de l'office et signataire de "
                f"droit de sa CUS, {where}."
            )
        elif p.tie is Tie.DE_DROIT:
            where = (
                "n'est pas associée"
                if p.current is None
                else f"n'y est qu'« {ROLE_LABELS[p.current].lower()} », sans y être associée"
            )
            warnings.append(
                f"{p.party.name} ({p.reason}) doit être associée à l'élaboration de la "
                f"convention et {where}."
            )
        elif p.party.kind in PLH_KINDS and p.party.plh_executoire is None and p.current is None:
            warnings.append(
                f"On ne sait pas si le PLH de {p.party.name} est exécutoire : s'il l'est, "
                "son association est obligatoire (l'administrateur le renseigne)."
            )
    return Ties(tuple(proposals), tuple(warnings))
