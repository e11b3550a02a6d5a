"""Register of the association: meetings, documents sent, minutes and letters received.

The préfet may check that the association really took place by asking for the
invitations, the documents sent and the minutes of the meetings; working documents
must be sent at least one month before the meeting (circulaire CUS, IV).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from workflows.conventions import clean_title
from workflows.errors import InvalidInput
from workflows.text.clean import clean_text

NOTICE_MONTHS = 1
PLACE_MAX_LENGTH = 200

# ASCII digits only: \d would also accept other scripts' digits.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def _months_before(day: date, months: int) -> date:
    # Same day of an earlier month, clamped to that month's last day (31 March -> 28 or
    # 29 February) so that the month of notice is never cut short.
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def minimum_sending_date(meeting_on: date) -> date:
    """Latest date on which the documents for a meeting on ``meeting_on`` may be sent."""
    return _months_before(meeting_on, NOTICE_MONTHS)


def _fr(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def sending_warning(sent_on: date, meeting_on: date, notice_days: int | None = None) -> str | None:
    """French warning when documents were sent after the meeting or less than the notice
    before it (one month, or ``notice_days`` when the organisme's decision set more);
    None when they were sent on time."""
    if sent_on > meeting_on:
        return f"Envoyé le {_fr(sent_on)}, après la réunion du {_fr(meeting_on)}."
    latest = minimum_sending_date(meeting_on)
    if notice_days and sent_on <= latest:
        # The decision's notice holds on top of the legal month, never instead of it.
        set_latest = meeting_on - timedelta(days=notice_days)
        if sent_on > set_latest:
            return (
                f"Envoyé le {_fr(sent_on)}, moins de {notice_days} jours avant la réunion du "
                f"{_fr(meeting_on)}, délai fixé par la décision de l'organisme (au plus tard "
                f"le {_fr(set_latest)})."
            )
    if sent_on > latest:
        return (
            f"Envoyé le {_fr(sent_on)}, moins d'un mois avant la réunion du "
            f"{_fr(meeting_on)} (au plus tard le {_fr(latest)})."
        )
    return None


def clean_meeting(
    title: str | None, meeting_on: date | None, place: str | None
) -> tuple[str, date, str]:
    """Check a meeting before it is recorded: title (required, at most 200 characters),
    date (required) and place (optional, at most 200 characters)."""
    cleaned_title = clean_title(title, "L'intitulé de la réunion")
    if meeting_on is None:
        raise InvalidInput("La date de la réunion est obligatoire.")
    cleaned_place = " ".join((place or "").split())
    if len(cleaned_place) > PLACE_MAX_LENGTH:
        raise InvalidInput(f"Le lieu de la réunion dépasse {PLACE_MAX_LENGTH} caractères.")
    return cleaned_title, meeting_on, cleaned_place


def clean_document(title: str | None, sent_on: date | None) -> tuple[str, date]:
    """Check a document sent to the associated collectivités: title and sending date."""
    cleaned_title = clean_title(title, "L'intitulé du document")
    if sent_on is None:
        raise InvalidInput("La date d'envoi du document est obligatoire.")
    return cleaned_title, sent_on


SUMMARY_MAX_LENGTH = 10_000
EARLIEST_YEAR = 2000  # the CUS date from 2009; conventions before 2000 are not kept here


def clean_letter(
    sender: str | None,
    received_on: date | None,
    subject: str | None,
    summary: str | None,
    today: date,
) -> tuple[str, date, str, str]:
    """Check a letter or an opinion received outside Cosigne (a collectivité's avis sent
    by mail, the préfet's observations): who sent it, when it arrived (not later than
    today), its subject, and optionally what it says."""
    cleaned_sender = clean_title(sender, "L'expéditeur")
    if received_on is None:
        raise InvalidInput("La date de réception est obligatoire.")
    if received_on > today:
        raise InvalidInput(f"La date de réception ({_fr(received_on)}) est dans le futur.")
    if received_on.year < EARLIEST_YEAR:
        raise InvalidInput(f"La date de réception ({_fr(received_on)}) est trop ancienne.")
    cleaned_subject = clean_title(subject, "L'objet du courrier")
    cleaned_summary = clean_text(summary or "").strip()
    if len(cleaned_summary) > SUMMARY_MAX_LENGTH:
        raise InvalidInput(f"Le résumé dépasse {SUMMARY_MAX_LENGTH} caractères.")
    return cleaned_sender, received_on, cleaned_subject, cleaned_summary


def parse_date(raw: str | None, what: str) -> date:
    """Read a date typed as ``2026-03-20`` (ISO, from date inputs) or ``20/03/2026``.

    ``what`` names the field and starts the error message, e.g. "La date de la réunion".
    Only these two forms are accepted: a lenient parser would read 03/04 the American
    way or accept ISO week dates nobody meant.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(f"{what} est obligatoire.")
    iso = _ISO_DATE.fullmatch(text)
    french = _FRENCH_DATE.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if french:
            return date(int(french[3]), int(french[2]), int(french[1]))
    except ValueError:
        raise InvalidInput(f"{what} n'existe pas : « {text} ».") from None
    raise InvalidInput(
        f"{what} n'est pas une date valide : « {text} » (attendu : JJ/MM/AAAA, par exemple "
        "20/03/2026)."
    )


# --- the organisme's opening decision ------------------------------------------------------

# The body of the organisme that opens the drafting and sets the association's terms
# (circulaire CUS, IV): its board, or its directoire where it has one.
INSTANCES = {
    "conseil_administration": "Conseil d'administration",
    "directoire": "Directoire",
}
# The legal minimum the decision may raise but not lower: one working meeting with the
# associated public persons, working documents a month before it.
LEGAL_MIN_MEETINGS = 1
MAX_MEETINGS = 50
# A notice set in days counts only above the legal month: 31 days is at least a month
# whatever the month (a month back from any day is 28 to 31 days), so fewer would let
# some documents go out under the month.
MIN_NOTICE_DAYS = 31
MAX_NOTICE_DAYS = 365
PREFET = "prefet"  # the préfet among the recipients of the decision


def _whole(raw: str | int | None, what: str, field: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise InvalidInput(f"{what} doit être un nombre entier.", field=field)
    if isinstance(raw, int):
        return raw
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise InvalidInput(f"{what} doit être un nombre entier (chiffres de 0 à 9).", field=field)
    return int(text)


def clean_decision(
    instance: str | None,
    decided_on: date | None,
    min_meetings: str | int | None,
    notice_days: str | int | None,
    today: date,
) -> tuple[str, date, int, int | None]:
    """Check the organisme's decision opening the drafting: the body that took it, its
    date (not to come), and the terms it set, which may raise the legal minimum but not
    lower it. Returns (instance, date, meetings, notice in days or None for the legal
    month). Each refusal names its field (``InvalidInput.field``)."""
    if not instance:
        raise InvalidInput(
            "Indiquez l'instance qui a pris la décision (conseil d'administration ou directoire).",
            field="instance",
        )
    if instance not in INSTANCES:
        raise InvalidInput(f"Instance inconnue : « {instance} ».", field="instance")
    if decided_on is None:
        raise InvalidInput("La date de la décision est obligatoire.", field="decided_on")
    if decided_on > today:
        raise InvalidInput(
            f"La date de la décision ({_fr(decided_on)}) est dans le futur : une décision "
            "s'enregistre une fois prise.",
            field="decided_on",
        )
    if decided_on.year < EARLIEST_YEAR:
        raise InvalidInput(
            f"La date de la décision ({_fr(decided_on)}) est trop ancienne.", field="decided_on"
        )
    meetings = _whole(min_meetings, "Le nombre de réunions", "min_meetings")
    if meetings is None:
        meetings = LEGAL_MIN_MEETINGS
    if not LEGAL_MIN_MEETINGS <= meetings <= MAX_MEETINGS:
        raise InvalidInput(
            f"Le nombre de réunions de travail fixé va de {LEGAL_MIN_MEETINGS} (le minimum "
            f"légal) à {MAX_MEETINGS}.",
            field="min_meetings",
        )
    notice = _whole(notice_days, "Le délai d'envoi des documents", "notice_days")
    if notice is not None and not MIN_NOTICE_DAYS <= notice <= MAX_NOTICE_DAYS:
        raise InvalidInput(
            f"Le délai d'envoi des documents fixé va de {MIN_NOTICE_DAYS} à "
            f"{MAX_NOTICE_DAYS} jours ; laissez-le vide pour s'en tenir au mois légal.",
            field="notice_days",
        )
    return instance, decided_on, meetings, notice


def clean_notification(
    name: str, notified_on: date | None, decided_on: date, today: date, field: str
) -> None:
    """A day the decision was sent to ``name``: not before the decision, not to come."""
    if notified_on is None:
        return
    if notified_on < decided_on:
        raise InvalidInput(
            f"La décision ne peut pas avoir été transmise à {name} le {_fr(notified_on)}, "
            f"avant d'avoir été prise (le {_fr(decided_on)}).",
            field=field,
        )
    if notified_on > today:
        raise InvalidInput(
            f"La date de transmission à {name} ({_fr(notified_on)}) est dans le futur.",
            field=field,
        )


def notice_summary(min_meetings: int, notice_days: int | None) -> str:
    """The terms of association as the register states them."""
    meetings = (
        "une réunion de travail au moins"
        if min_meetings == 1
        else f"{min_meetings} réunions de travail au moins"
    )
    notice = f"{notice_days} jours" if notice_days else "un mois (minimum légal)"
    return f"{meetings} ; documents envoyés {notice} avant chaque réunion"


# --- what the register proves, and what it still lacks -------------------------------------


@dataclass(frozen=True)
class DecisionFacts:
    """The opening decision as the checks read it. ``notified``: organisation id (or
    ``PREFET``) -> the day the decision was sent to it."""

    instance: str
    decided_on: date
    min_meetings: int = LEGAL_MIN_MEETINGS
    notice_days: int | None = None
    notified: Mapping[int | str, date] = field(default_factory=dict)


@dataclass(frozen=True)
class PartyFacts:
    """A party the decision must reach: a mandatory signatory (``associated`` False) or
    an associated collectivité (``associated`` True, also to be invited to meetings)."""

    organisation_id: int
    name: str
    associated: bool


@dataclass(frozen=True)
class MeetingFacts:
    title: str
    meeting_on: date
    invited: frozenset[int] = frozenset()
    documents: tuple[tuple[str, date], ...] = ()  # (title, sent on)


def association_findings(
    decision: DecisionFacts | None,
    parties: Sequence[PartyFacts],
    meetings: Sequence[MeetingFacts],
    today: date,
    ended_on: date | None = None,
) -> list[str]:
    """What the register does not yet prove of the association, in French, one finding
    per gap (empty: nothing missing). Checked: the decision opening the drafting is
    recorded and was sent to the préfet and to every party; each associated collectivité
    was invited to the number of working meetings the decision set (one at least), held
    after the decision and before today, and not after ``ended_on`` (the day the
    organisme adopted the projet, which ends the association; ``adoption_findings``
    flags the meetings held later); the documents of every meeting were sent the notice
    before it (the legal month, or the decision's days when longer)."""
    findings: list[str] = []
    min_meetings = LEGAL_MIN_MEETINGS
    notice_days: int | None = None
    opened_on: date | None = None
    if decision is None:
        findings.append(
            "La décision de l'organisme engageant l'élaboration et fixant les modalités de "
            "l'association (conseil d'administration ou directoire) n'est pas enregistrée."
        )
    else:
        min_meetings = max(decision.min_meetings, LEGAL_MIN_MEETINGS)
        notice_days = decision.notice_days
        opened_on = decision.decided_on
        missing = [] if PREFET in decision.notified else ["au préfet"]
        missing += [p.name for p in parties if p.organisation_id not in decision.notified]
        if missing:
            findings.append(
                "La transmission de la décision du "
                f"{_fr(decision.decided_on)} n'est pas enregistrée : {', '.join(missing)}."
            )
    held = [
        m
        for m in meetings
        if m.meeting_on < today
        and (opened_on is None or m.meeting_on >= opened_on)
        and (ended_on is None or m.meeting_on <= ended_on)
    ]
    wanted = "une" if min_meetings == 1 else str(min_meetings)
    since = " depuis la décision" if opened_on is not None else ""
    associated = [p for p in parties if p.associated]
    if not associated and len(held) < min_meetings:
        findings.append(
            f"{len(held)} réunion(s) de travail tenue(s){since} : il en faut {wanted} au moins "
            "avec les collectivités associées."
        )
    for party in associated:
        # Each collectivité on its own: one common meeting or one per territory both do.
        count = sum(1 for m in held if party.organisation_id in m.invited)
        if count < min_meetings:
            findings.append(
                f"{party.name} n'a été invité qu'à {count} réunion(s) de travail tenue(s){since} "
                f"; il en faut {wanted} au moins."
                if count
                else f"{party.name} n'a été invité à aucune réunion de travail tenue{since} ; "
                f"il en faut {wanted} au moins."
            )
    for meeting in meetings:
        for title, sent_on in meeting.documents:
            warning = sending_warning(sent_on, meeting.meeting_on, notice_days)
            if warning:
                findings.append(f"« {title} » (réunion « {meeting.title} ») : {warning}")
    return findings


# --- the adoption of the projet, which ends the association -------------------------------

ADOPTION_MISSING = (
    "L'adoption du projet par l'organisme n'est pas enregistrée : elle clôt l'association "
    "et précède l'envoi du projet au préfet."
)


@dataclass(frozen=True)
class AdoptionFacts:
    """The organisme's latest adoption of the projet: the body that adopted it, the day,
    and the SHA-256 of the text it adopted (``workflows.lifecycle.fingerprint``)."""

    instance: str
    adopted_on: date
    sha256: str


def clean_adoption(
    instance: str | None,
    adopted_on: date | None,
    decided_on: date | None,
    previous_on: date | None,
    today: date,
) -> tuple[str, date]:
    """Check an adoption of the projet by the organisme before it is recorded: the body
    (as for the opening decision: its board or its directoire) and the day, neither
    before the decision that opened the drafting (``decided_on``; None: not recorded,
    which refuses the adoption) nor before the adoption last recorded
    (``previous_on``), nor to come. Each refusal names its field."""
    if decided_on is None:
        raise InvalidInput(
            "La décision d'engagement de l'élaboration n'est pas enregistrée : l'adoption "
            "du projet clôt l'association que cette décision a ouverte ; enregistrez-la "
            "d'abord."
        )
    if not instance:
        raise InvalidInput(
            "Indiquez l'instance qui a adopté le projet (conseil d'administration ou directoire).",
            field="instance",
        )
    if instance not in INSTANCES:
        raise InvalidInput(f"Instance inconnue : « {instance} ».", field="instance")
    if adopted_on is None:
        raise InvalidInput("La date de l'adoption est obligatoire.", field="adopted_on")
    if adopted_on > today:
        raise InvalidInput(
            f"La date de l'adoption ({_fr(adopted_on)}) est dans le futur : une adoption "
            "s'enregistre une fois votée.",
            field="adopted_on",
        )
    if adopted_on < decided_on:
        raise InvalidInput(
            f"La date de l'adoption ({_fr(adopted_on)}) précède la décision d'engagement "
            f"du {_fr(decided_on)} : le projet s'adopte au terme de son élaboration.",
            field="adopted_on",
        )
    if previous_on is not None and adopted_on < previous_on:
        raise InvalidInput(
            f"La date de l'adoption ({_fr(adopted_on)}) précède l'adoption déjà enregistrée "
            f"du {_fr(previous_on)} : une nouvelle adoption la suit.",
            field="adopted_on",
        )
    return instance, adopted_on


def short_sha(digest: str) -> str:
    """A fingerprint as the pages show it: its first twelve hexadecimal digits."""
    return f"{digest[:12]}…"


def adoption_findings(
    adoption: AdoptionFacts | None,
    meetings: Sequence[MeetingFacts],
    current_sha256: str,
    changed_sections: Sequence[str] = (),
) -> list[str]:
    """What the register does not yet prove of the end of the association, in French:
    the organisme's adoption of the projet is recorded; no working meeting took place
    after it (the association had ended: such a meeting does not count, and if the
    association went on, the projet is to be adopted anew); the text is still the one
    adopted (``current_sha256`` against the adoption's; ``changed_sections``: the titles
    of the sections changed since, when known)."""
    if adoption is None:
        return [ADOPTION_MISSING]
    findings: list[str] = []
    adopted = _fr(adoption.adopted_on)
    for meeting in meetings:
        if meeting.meeting_on > adoption.adopted_on:
            findings.append(
                f"La réunion « {meeting.title} » du {_fr(meeting.meeting_on)} a lieu après "
                f"l'adoption du projet le {adopted} : l'association avait pris fin, elle ne "
                "compte pas parmi les réunions de travail ; si l'association s'est "
                "poursuivie, le projet est à adopter à nouveau."
            )
    if current_sha256 != adoption.sha256:
        which = (
            " (" + ", ".join(f"« {title} »" for title in changed_sections) + ")"
            if changed_sections
            else ""
        )
        findings.append(
            f"Le texte a changé depuis son adoption par l'organisme le {adopted}{which} "
            f"(empreinte adoptée {short_sha(adoption.sha256)}, texte actuel "
            f"{short_sha(current_sha256)}) : le projet est à adopter à nouveau."
        )
    return findings
