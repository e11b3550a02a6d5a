"""What the register does not yet prove of the association (workflows.register): the
opening decision and its notices, the working meetings each associated collectivité was
invited to, the notice of documents (the legal month, or the decision's days); and the
proof files taken or refused by their content (workflows.proofs)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from workflows.errors import InvalidInput, TooLarge
from workflows.files import FileRefused
from workflows.proofs import (
    DOCX_TYPE,
    ODT_TYPE,
    PROOF_MAX_BYTES,
    check_proof_file,
    sniff,
)
from workflows.register import (
    PREFET,
    DecisionFacts,
    MeetingFacts,
    PartyFacts,
    association_findings,
    clean_decision,
    sending_warning,
)

TODAY = date(2026, 6, 1)
EPCI = PartyFacts(10, "EPCI", associated=False)
DEP = PartyFacts(20, "Département", associated=True)
PARTIES = [EPCI, DEP]


def _decision(**kw) -> DecisionFacts:
    values = {
        "instance": "conseil_administration",
        "decided_on": date(2026, 1, 10),
        "notified": {PREFET: date(2026, 1, 12), 10: date(2026, 1, 12), 20: date(2026, 1, 13)},
    }
    values.update(kw)
    return DecisionFacts(**values)


def _meeting(day: date, invited=(20,), sent: date | None = date(2026, 2, 1)) -> MeetingFacts:
    documents = (("Diagnostic", sent),) if sent else ()
    return MeetingFacts("Réunion de travail", day, frozenset(invited), documents)


def test_a_complete_register_has_no_finding():
    assert association_findings(_decision(), PARTIES, [_meeting(date(2026, 3, 5))], TODAY) == []


def test_no_decision_is_a_finding_and_meetings_still_count():
    found = association_findings(None, PARTIES, [_meeting(date(2026, 3, 5))], TODAY)
    assert len(found) == 1 and "décision" in found[0] and "n'est pas enregistrée" in found[0]


def test_each_recipient_not_notified_is_named():
    decision = _decision(notified={10: date(2026, 1, 12)})
    found = association_findings(decision, PARTIES, [_meeting(date(2026, 3, 5))], TODAY)
    assert len(found) == 1
    assert "au préfet" in found[0] and "Département" in found[0] and "EPCI" not in found[0]


def test_meetings_count_when_held_after_the_decision_before_today_with_the_collectivite():
    not_invited = _meeting(date(2026, 3, 5), invited=(10,))
    before_decision = _meeting(date(2026, 1, 5), sent=date(2025, 12, 1))
    to_come = _meeting(date(2026, 7, 1), sent=date(2026, 5, 1))
    for meetings in ([], [not_invited], [before_decision], [to_come]):
        found = association_findings(_decision(), PARTIES, meetings, TODAY)
        assert found == [
            "Département n'a été invité à aucune réunion de travail tenue depuis la décision ; "
            "il en faut une au moins."
        ], meetings


def test_the_decision_sets_more_meetings_and_the_register_holds_it_to_them():
    meetings = [_meeting(date(2026, 3, 5)), _meeting(date(2026, 4, 5), sent=date(2026, 3, 1))]
    assert association_findings(_decision(min_meetings=2), PARTIES, meetings, TODAY) == []
    found = association_findings(_decision(min_meetings=3), PARTIES, meetings, TODAY)
    assert found and "2 réunion(s)" in found[0] and "il en faut 3" in found[0]


def test_documents_sent_late_are_findings_with_the_decisions_notice():
    meeting = _meeting(date(2026, 3, 5), sent=date(2026, 2, 1))  # 32 days before
    assert association_findings(_decision(), PARTIES, [meeting], TODAY) == []
    found = association_findings(_decision(notice_days=45), PARTIES, [meeting], TODAY)
    assert len(found) == 1 and "45 jours" in found[0] and "Diagnostic" in found[0]
    late = _meeting(date(2026, 3, 5), sent=date(2026, 2, 20))
    found = association_findings(_decision(), PARTIES, [late], TODAY)
    assert len(found) == 1 and "moins d'un mois" in found[0]


def test_the_decisions_notice_never_lowers_the_legal_month():
    # A notice of days under the month would not excuse a document sent under a month.
    assert sending_warning(date(2026, 2, 20), date(2026, 3, 5), 31) is not None
    assert sending_warning(date(2026, 2, 1), date(2026, 3, 5), 31) is None
    assert "45 jours" in (sending_warning(date(2026, 2, 1), date(2026, 3, 5), 45) or "")


def test_the_decision_is_checked_field_by_field():
    assert clean_decision("directoire", date(2026, 1, 10), "", "", TODAY) == (
        "directoire",
        date(2026, 1, 10),
        1,
        None,
    )
    for args, field in (
        (("", date(2026, 1, 10), "1", ""), "instance"),
        (("bureau", date(2026, 1, 10), "1", ""), "instance"),
        (("directoire", None, "1", ""), "decided_on"),
        (("directoire", date(2026, 6, 2), "1", ""), "decided_on"),
        (("directoire", date(2026, 1, 10), "0", ""), "min_meetings"),
        (("directoire", date(2026, 1, 10), "deux", ""), "min_meetings"),
        (("directoire", date(2026, 1, 10), "1", "15"), "notice_days"),
    ):
        with pytest.raises(InvalidInput) as refused:
            clean_decision(*args, TODAY)
        assert refused.value.field == field, args


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": ODT_TYPE.encode(), "content.xml": b"<office:document-content/>"})


def test_files_are_taken_by_their_content():
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(DOCX) == DOCX_TYPE and sniff(ODT) == ODT_TYPE
    assert check_proof_file("ar.pdf", b"%PDF-1.4 ...") == ("ar.pdf", "application/pdf")
    assert check_proof_file("C:\\scans\\pv.docx", DOCX) == ("pv.docx", DOCX_TYPE)
    assert check_proof_file("pv.odt", ODT)[1] == ODT_TYPE
    assert check_proof_file("scan.JPG", b"\xff\xd8\xff\xe0rest")[1] == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("faux.pdf", b"MZ\x90\x00"),  # the name lies
        ("image.png", b"%PDF-1.4"),  # a PDF named .png
        ("page.pdf", b"<html><script>alert(1)</script>"),
        ("vide.pdf", b""),
        ("macro.docm", DOCX),
        ("macros.odt", _zip({"mimetype": ODT_TYPE.encode(), "Basic/Standard/m.xml": b"<x/>"})),
        ("pas-word.docx", _zip({"a.txt": b"x"})),
    ],
)
def test_files_refused(name, data):
    with pytest.raises(FileRefused):
        check_proof_file(name, data)


def test_an_oversize_file_is_refused_as_too_large():
    with pytest.raises(TooLarge):
        check_proof_file("gros.pdf", b"%PDF-" + b"0" * PROOF_MAX_BYTES)
