"""Who is told of what, and how: the kinds of notification, the delivery a reader chose
for each kind, the rules on recipients, the deadline reminders' stages, the retry delays
of a mail and the periods of the digests. Plain values in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Kind(StrEnum):
    """What a notification tells of (stored; the preferences are per kind)."""

    CONTRIBUTION_FILED = "contribution_deposee"
    CONTRIBUTION_DECIDED = "contribution_decidee"
    POSITION = "position"
    DISCUSSION_OPENED = "discussion_ouverte"
    REPLY = "reponse"
    MENTION = "mention"
    DISCUSSION_RESOLVED = "discussion_resolue"
    REVIEW_REQUESTED = "relecture_demandee"
    SECTION_REVIEWED = "section_relue"
    TRANSITION = "etape"
    SIGNATURE = "signature"
    AVENANT = "avenant"
    DEADLINE = "echeance"
    MEMBERSHIP = "participation"
    WORD_IMPORT = "import_word"
    MEETING_DOCUMENTS = "documents_reunion"
    MEETING_INVITED = "reunion_convoquee"
    ASSOCIATION_OPENED = "association_engagee"
    NOTE_ENJEUX = "note_enjeux"
    STATE_OPINION = "avis_etat"  # told to the State's services alone


KIND_LABELS: dict[Kind, str] = {
    Kind.CONTRIBUTION_FILED: "Contribution déposée",
    Kind.CONTRIBUTION_DECIDED: "Décision sur votre contribution",
    Kind.POSITION: "Position d'un signataire",
    Kind.DISCUSSION_OPENED: "Discussion ouverte",
    Kind.REPLY: "Réponse dans une discussion",
    Kind.MENTION: "Mention (@)",
    Kind.DISCUSSION_RESOLVED: "Discussion résolue",
    Kind.REVIEW_REQUESTED: "Relecture demandée",
    Kind.SECTION_REVIEWED: "Section validée ou renvoyée en rédaction",
    Kind.TRANSITION: "Changement d'étape de la convention",
    Kind.SIGNATURE: "Signature",
    Kind.AVENANT: "Avenant ouvert",
    Kind.DEADLINE: "Échéance (30 jours, 7 jours, dépassée)",
    Kind.MEMBERSHIP: "Participation à une convention",
    Kind.WORD_IMPORT: "Import Word en votre nom",
    Kind.MEETING_DOCUMENTS: "Documents envoyés avant une réunion",
    Kind.MEETING_INVITED: "Réunion de travail où votre organisation est invitée",
    Kind.ASSOCIATION_OPENED: "Élaboration engagée par l'organisme et modalités de l'association",
    Kind.NOTE_ENJEUX: "Note d'enjeux et d'objectifs du préfet",
    Kind.STATE_OPINION: "Avis interne d'un service de l'État (services de l'État seulement)",
}

# Kinds an observateur is told of without choosing them: the State's services consulted
# on a convention take part as observers, and a fellow service's internal opinion is
# what they are there for (the negotiator gathers them all into the State's position).
OBSERVERS_TOLD: frozenset[Kind] = frozenset({Kind.STATE_OPINION})

# What asks the reader to do something: sent at once by default, and listed first in
# a digest ("ce qui vous attend"). The rest informs, and goes to the daily digest.
AWAITING: frozenset[Kind] = frozenset(
    {
        Kind.CONTRIBUTION_FILED,
        Kind.DISCUSSION_OPENED,  # a question put to the drafters
        Kind.REVIEW_REQUESTED,
        Kind.MENTION,
        Kind.DEADLINE,
        Kind.MEETING_DOCUMENTS,
        Kind.MEETING_INVITED,  # a meeting to attend, its documents to read before
        Kind.MEMBERSHIP,
    }
)


# Sent at once by default too: the answer or the decision someone is waiting for.
IMMEDIATE_BY_DEFAULT: frozenset[Kind] = AWAITING | {
    Kind.REPLY,
    Kind.CONTRIBUTION_DECIDED,
    Kind.WORD_IMPORT,  # words written in your name: you hear of it at once
    # What opens the work the partners will be asked for, and the State's expectations
    # that frame the negotiation: read before the first meeting, not in a digest.
    Kind.ASSOCIATION_OPENED,
    Kind.NOTE_ENJEUX,
}


class Delivery(StrEnum):
    """How a reader receives one kind by e-mail (the inbox always shows it)."""

    IMMEDIATE = "immediat"
    DAILY = "quotidien"
    WEEKLY = "hebdomadaire"
    OFF = "aucun"


DELIVERY_LABELS: dict[Delivery, str] = {
    Delivery.IMMEDIATE: "Immédiatement",
    Delivery.DAILY: "Résumé quotidien",
    Delivery.WEEKLY: "Résumé hebdomadaire",
    Delivery.OFF: "Pas d'e-mail",
}

DIGESTS: tuple[Delivery, ...] = (Delivery.DAILY, Delivery.WEEKLY)


def default_delivery(kind: Kind) -> Delivery:
    """Before a reader chooses: what awaits them, or what they wait for, at once; the
    rest in the daily digest (someone who opens Cosigne only when an e-mail tells her to
    is told of what needs her, and is not flooded with what does not)."""
    return Delivery.IMMEDIATE if kind in IMMEDIATE_BY_DEFAULT else Delivery.DAILY


def delivery_for(kind: Kind, chosen: Mapping[Kind, Delivery]) -> Delivery:
    return chosen.get(kind, default_delivery(kind))


def recipients(
    candidates: Iterable[int],
    actor_id: int | None,
    observers: Iterable[int] = (),
    opted_in: Iterable[int] = (),
) -> set[int]:
    """Who is told: the candidates but the actor (nobody is told of their own action),
    and an observateur only when they chose this kind (``opted_in``: the observers who
    set a delivery for it, e-mail or not)."""
    left_out = set(observers) - set(opted_in)
    return {uid for uid in candidates if uid != actor_id and uid not in left_out}


# --- deadlines ----------------------------------------------------------------------------

REMINDER_DAYS: tuple[int, ...] = (30, 7, 0)


def reminder_stage(due: date, today: date) -> int | None:
    """The reminder a deadline has reached today: 30 (due within 30 days), 7 (within 7),
    0 (due today or passed), None (further than 30 days). Each stage is sent once; a
    deadline set 5 days ahead gets the 7-day reminder, not a stale 30-day one."""
    left = (due - today).days
    if left <= 0:
        return 0
    if left <= 7:
        return 7
    if left <= 30:
        return 30
    return None


def reminder_text(label: str, due: date, stage: int, today: date) -> str:
    day = due.strftime("%d/%m/%Y")
    if stage == 0:
        return (
            f"Échéance dépassée : {label} ({day})"
            if due < today
            else f"Échéance aujourd'hui : {label}"
        )
    return f"Échéance dans {(due - today).days} jours : {label} ({day})"


# --- mail delivery ------------------------------------------------------------------------

# Seconds before each new try after a refusal or an unreachable server: the last try
# comes about a day after the first; then the mail is marked failed for administrators.
RETRY_DELAYS: tuple[int, ...] = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries, None when it was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=RETRY_DELAYS[max(attempts, 1) - 1])


# --- digests ------------------------------------------------------------------------------

DIGEST_HOUR = 7  # local time: read with the morning's mail
DIGEST_WEEKDAY = 0  # Monday


def digest_period(delivery: Delivery, local_now: datetime) -> str | None:
    """The digest period that is due at ``local_now`` (local time), as a key that names
    it once: "2026-12-03" for a day, "2026-W49" for a week. A period is due from its
    sending hour on, so a worker that was down at 7:00 still sends it when it starts; the
    key makes it go once however many workers ask."""
    if local_now.hour < DIGEST_HOUR:
        local_now -= timedelta(days=1)
    if delivery is Delivery.DAILY:
        return local_now.date().isoformat()
    if delivery is Delivery.WEEKLY:
        monday = local_now.date() - timedelta(days=(local_now.weekday() - DIGEST_WEEKDAY) % 7)
        year, week, _ = monday.isocalendar()
        return f"{year}-W{week:02d}"
    return None


@dataclass(frozen=True)
class DigestItem:
    convention: str  # its title ("" for what concerns no convention)
    kind: Kind
    summary: str
    url: str
    created_at: datetime


@dataclass(frozen=True)
class DigestGroup:
    convention: str
    awaiting: list[DigestItem]
    other: list[DigestItem]


def digest_groups(items: Iterable[DigestItem]) -> list[DigestGroup]:
    """A digest's content: by convention, those where something awaits the reader first
    (then by title); in each, what awaits before what informs, oldest first."""
    by_convention: dict[str, list[DigestItem]] = {}
    for item in sorted(items, key=lambda i: i.created_at):
        by_convention.setdefault(item.convention, []).append(item)
    groups = [
        DigestGroup(
            title,
            [i for i in rows if i.kind in AWAITING],
            [i for i in rows if i.kind not in AWAITING],
        )
        for title, rows in by_convention.items()
    ]
    return sorted(groups, key=lambda g: (not g.awaiting, g.convention.casefold()))
