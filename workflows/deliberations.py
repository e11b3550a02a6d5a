"""The deliberations of the parties' assemblies on a convention's text.

A contract between an organisme and a collectivité commits each of them only once its
assembly has deliberated on it: the guide of the contractualisation wants the contract
shared by all the elected members within their instances (guide-contractualisation
lines 245-247), and the organisme's board decides for the organisme. Each party's
deliberation is recorded with its instance, its day, its decision and the SHA-256 of the
text it had before it (``workflows.lifecycle.fingerprint``); a text changed since must
be deliberated on again. The State does not deliberate, nor does a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workflows.conventions import COLLECTIVITES, ORGANISMES_HLM
from workflows.errors import InvalidInput
from workflows.text.clean import clean_text

# The assemblies that deliberate, by kind of organisation: an organisme's board (its
# conseil de surveillance when it has a directoire), an EPCI's council or its bureau by
# delegation, a département's council or its commission permanente by delegation, a
# commune's council.
INSTANCE_LABELS: dict[str, str] = {
    "conseil_administration": "Conseil d'administration",
    "conseil_surveillance": "Conseil de surveillance",
    "conseil_communautaire": "Conseil communautaire",
    "bureau_communautaire": "Bureau communautaire",
    "conseil_departemental": "Conseil départemental",
    "commission_permanente": "Commission permanente",
    "conseil_municipal": "Conseil municipal",
    "conseil_territoire": "Conseil de territoire",
}

_ORGANISME_INSTANCES = ("conseil_administration", "conseil_surveillance")
INSTANCES_BY_KIND: dict[str, tuple[str, ...]] = {
    **{kind.value: _ORGANISME_INSTANCES for kind in ORGANISMES_HLM},
    "epci": ("conseil_communautaire", "bureau_communautaire"),
    "departement": ("conseil_departemental", "commission_permanente"),
    "commune": ("conseil_municipal",),
    # An établissement public territorial (Grand Paris) deliberates in its conseil.
    "ept": ("conseil_territoire",),
}


class Decision(StrEnum):
    APPROUVE = "approuve"
    APPROUVE_RESERVES = "approuve_reserves"
    REJETTE = "rejette"
    AJOURNE = "ajourne"


DECISION_LABELS: dict[Decision, str] = {
    Decision.APPROUVE: "Approuve",
    Decision.APPROUVE_RESERVES: "Approuve avec réserves",
    Decision.REJETTE: "Rejette",
    Decision.AJOURNE: "Ajourne",
}
# An approval with reserves still authorises the signature: the reserves are said (and
# kept with the deliberation), the text is approved.
APPROVING = frozenset({Decision.APPROUVE, Decision.APPROUVE_RESERVES})

NOTE_MAX_LENGTH = 2000
EARLIEST_YEAR = 2000


class Status(StrEnum):
    CURRENT = "a_jour"  # the last deliberation approved the text as it stands
    CHANGED = "texte_modifie"  # it approved a text that has changed since
    REFUSED = "rejetee"  # the last deliberation rejects the text
    ADJOURNED = "ajournee"  # the last deliberation adjourns it
    MISSING = "a_deliberer"  # no deliberation recorded


STATUS_LABELS: dict[Status, str] = {
    Status.CURRENT: "Délibéré sur le texte actuel",
    Status.CHANGED: "Texte modifié depuis la délibération",
    Status.REFUSED: "Texte rejeté : à délibérer à nouveau",
    Status.ADJOURNED: "Délibération ajournée : à délibérer",
    Status.MISSING: "À délibérer",
}


def deliberates(organisation_kind: str) -> bool:
    """The organisation has an assembly that deliberates on its conventions: an
    organisme HLM or a collectivité; not the State's services, not a tenants'
    association, not another body."""
    return organisation_kind in ORGANISMES_HLM or organisation_kind in COLLECTIVITES


def instances_for(organisation_kind: str) -> tuple[str, ...]:
    """The instances that may deliberate for an organisation of this kind (none for
    those that do not deliberate)."""
    return INSTANCES_BY_KIND.get(str(organisation_kind), ())


def _fr(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def clean_deliberation(
    organisation_kind: str,
    party_name: str,
    instance: str | None,
    decided_on: date | None,
    decision: str | None,
    note: str | None,
    today: date,
) -> tuple[str, date, Decision, str]:
    """Check a deliberation before it is recorded: an instance of the party's kind, a
    day not to come, a decision among those an assembly takes, and the note (the
    reserves, required with an approval with reserves; otherwise optional), bounded.
    Each refusal names its field (``InvalidInput.field``)."""
    allowed = instances_for(organisation_kind)
    if not allowed:
        raise InvalidInput(
            f"{party_name} ne délibère pas sur la convention : seuls l'organisme et les "
            "collectivités signataires délibèrent (l'État signe sans délibération).",
            field="party",
        )
    if not instance:
        names = " ou ".join(INSTANCE_LABELS[i].lower() for i in allowed)
        raise InvalidInput(
            f"Indiquez l'instance qui a délibéré pour {party_name} ({names}).", field="instance"
        )
    if instance not in allowed:
        shown = INSTANCE_LABELS.get(instance, f"« {instance} »")
        names = ", ".join(INSTANCE_LABELS[i].lower() for i in allowed)
        raise InvalidInput(
            f"{shown} n'est pas une instance de {party_name} : {names}.", field="instance"
        )
    if decided_on is None:
        raise InvalidInput("La date de la délibération est obligatoire.", field="decided_on")
    if decided_on > today:
        raise InvalidInput(
            f"La date de la délibération ({_fr(decided_on)}) est dans le futur : une "
            "délibération s'enregistre une fois votée.",
            field="decided_on",
        )
    if decided_on.year < EARLIEST_YEAR:
        raise InvalidInput(
            f"La date de la délibération ({_fr(decided_on)}) est trop ancienne.",
            field="decided_on",
        )
    if not decision:
        raise InvalidInput(
            "Indiquez la décision de l'assemblée (approuve, approuve avec réserves, rejette "
            "ou ajourne).",
            field="decision",
        )
    try:
        chosen = Decision(decision)
    except ValueError:
        raise InvalidInput(f"Décision inconnue : « {decision} ».", field="decision") from None
    text = clean_text(note or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            f"La note tient en {NOTE_MAX_LENGTH} caractères ({len(text)} saisis).", field="note"
        )
    if chosen is Decision.APPROUVE_RESERVES and not text:
        raise InvalidInput(
            "Écrivez les réserves dont l'assemblée assortit son approbation.", field="note"
        )
    return instance, decided_on, chosen, text


@dataclass(frozen=True)
class Party:
    """A party of the convention as the findings see it: the organisme or a signatory
    organisation (a person takes part as a person: ``organisation_id`` None)."""

    organisation_id: int | None
    name: str
    kind: str


@dataclass(frozen=True)
class DeliberationFacts:
    organisation_id: int
    instance: str
    decided_on: date
    decision: str
    sha256: str  # of the text the assembly had before it


@dataclass(frozen=True)
class PartyStatus:
    party: Party
    status: Status
    last: DeliberationFacts | None  # the deliberation that counts (the latest)


def must_deliberate(parties: Sequence[Party]) -> list[Party]:
    """The parties whose assembly deliberates, in their order, each once."""
    seen: set[int] = set()
    found = []
    for party in parties:
        if party.organisation_id is None or not deliberates(party.kind):
            continue
        if party.organisation_id in seen:
            continue
        seen.add(party.organisation_id)
        found.append(party)
    return found


def _latest(deliberations: Sequence[DeliberationFacts]) -> dict[int, DeliberationFacts]:
    # The latest by day; of one day, the one recorded last (the given order).
    latest: dict[int, DeliberationFacts] = {}
    for d in deliberations:
        known = latest.get(d.organisation_id)
        if known is None or d.decided_on >= known.decided_on:
            latest[d.organisation_id] = d
    return latest


def party_statuses(
    parties: Sequence[Party],
    deliberations: Sequence[DeliberationFacts],
    current_fingerprint: str,
) -> list[PartyStatus]:
    """Where each party that must deliberate stands, by its latest deliberation
    (``deliberations`` in the order they were recorded)."""
    latest = _latest(deliberations)
    statuses = []
    for party in must_deliberate(parties):
        assert party.organisation_id is not None  # must_deliberate keeps organisations
        last = latest.get(party.organisation_id)
        if last is None:
            status = Status.MISSING
        elif last.decision == Decision.REJETTE:
            status = Status.REFUSED
        elif last.decision == Decision.AJOURNE:
            status = Status.ADJOURNED
        elif last.sha256 != current_fingerprint:
            status = Status.CHANGED
        else:
            status = Status.CURRENT
        statuses.append(PartyStatus(party, status, last))
    return statuses


def deliberation_findings(
    parties: Sequence[Party],
    deliberations: Sequence[DeliberationFacts],
    current_fingerprint: str,
) -> list[str]:
    """What is missing before the parties are committed, in French, one finding per
    party that must deliberate (the organisme and the signatories that are organismes
    or collectivités): no deliberation, the last one rejects or adjourns the text, or it
    approved a text that has changed since (its fingerprint is not the current one)."""
    findings = []
    for found in party_statuses(parties, deliberations, current_fingerprint):
        name, last = found.party.name, found.last
        if found.status is Status.CURRENT:
            continue
        if last is None:
            findings.append(
                f"{name} : la délibération de son assemblée sur la convention n'est pas "
                "enregistrée."
            )
            continue
        what = (
            f"la délibération du {_fr(last.decided_on)} "
            f"({INSTANCE_LABELS.get(last.instance, last.instance).lower()})"
        )
        if found.status is Status.REFUSED:
            findings.append(
                f"{name} : {what} rejette la convention ; une nouvelle délibération doit "
                "l'approuver."
            )
        elif found.status is Status.ADJOURNED:
            findings.append(
                f"{name} : {what} ajourne la décision ; la convention reste à approuver."
            )
        else:
            findings.append(
                f"{name} : le texte a changé depuis {what} qui l'a approuvé (empreinte "
                f"approuvée {last.sha256[:12]}…, texte actuel {current_fingerprint[:12]}…) ; "
                "il est à délibérer à nouveau."
            )
    return findings
