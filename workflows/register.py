"""Register of the association: meetings, documents sent, minutes and letters received.

The préfet may check that the association really took place by asking for the
invitations, the documents sent and the minutes of the meetings; working documents
must be sent at least one month before the meeting (circulaire CUS, IV).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

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


def sending_warning(sent_on: date, meeting_on: date) -> str | None:
    """French warning when documents were sent after the meeting or less than one month
    before it; None when they were sent on time."""
    if sent_on > meeting_on:
        return f"Envoyé le {_fr(sent_on)}, après la réunion du {_fr(meeting_on)}."
    latest = minimum_sending_date(meeting_on)
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
