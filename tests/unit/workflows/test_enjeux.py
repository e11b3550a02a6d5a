"""The rules of the préfet's note d'enjeux: every fault of a note reported at once beside
its field, blank rows ignored, and what an amendment changes said for the journal; the
files it takes, checked by their first bytes; who records it."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest

from workflows.enjeux import NoteRefused, Point, PointInput, PointKind, changes, clean_note
from workflows.files import FileRefused, check_attachment
from workflows.limits import MAX_NOTE_POINTS
from workflows.permissions import Role, may_record_note

TODAY = date(2026, 12, 4)


def test_a_note_is_cleaned_and_blank_rows_are_no_points():
    day, points = clean_note(
        date(2026, 3, 1),
        [
            PointInput(0, "enjeu", "  Produire   des PLAI. ", (2, 1, 2)),
            PointInput(1, "objectif", "", ()),
        ],
        {1, 2, 3},
        TODAY,
    )
    assert day == date(2026, 3, 1)
    assert points == [Point(PointKind.ENJEU, "Produire des PLAI.", (2, 1))]


def test_every_fault_is_reported_at_once_beside_its_field():
    with pytest.raises(NoteRefused) as refused:
        clean_note(
            date(2027, 1, 1),
            [
                PointInput(0, "vœu", "x", (1,)),
                PointInput(1, "enjeu", "", (1,)),
                PointInput(2, "enjeu", "y" * 501, (1,)),
                PointInput(3, "objectif", "Sans section", ()),
                PointInput(4, "objectif", "Ailleurs", (99,)),
            ],
            {1},
            TODAY,
        )
    assert set(refused.value.fields) == {
        "noted_on",
        "points-0-kind",
        "points-1-text",
        "points-2-text",
        "points-3-sections",
        "points-4-sections",
    }
    assert refused.value.field == "noted_on" and refused.value.status == 400
    with pytest.raises(NoteRefused) as missing:
        clean_note(None, [], {1}, TODAY)
    assert missing.value.fields == {"noted_on": "La date de la note est obligatoire."}
    many = [PointInput(i, "enjeu", f"Point {i}", (1,)) for i in range(MAX_NOTE_POINTS + 1)]
    with pytest.raises(NoteRefused) as too_many:
        clean_note(TODAY, many, {1}, TODAY)
    assert list(too_many.value.fields) == ["points"]
    assert clean_note(TODAY, many[:MAX_NOTE_POINTS], {1}, TODAY)[0] == TODAY


def test_changes_say_what_an_amendment_does():
    a, b, c = (Point(PointKind.ENJEU, t, (1,)) for t in "abc")
    found = changes(date(2026, 1, 1), date(2026, 1, 2), [a, b], [b, a, c], "remplacé")
    assert found.details == [
        "date 01/01/2026 → 02/01/2026",
        "1 point ajouté",
        "2 points modifiés",
        "fichier remplacé",
    ]
    assert not changes(date(2026, 1, 1), date(2026, 1, 1), [a], [a]).any


def _docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


ODT = [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]


def test_attachments_are_judged_by_their_first_bytes_not_their_name():
    assert check_attachment("C:\\\\Docs\\\\note.PDF", b"%PDF-1.7\n...", 1000) == (
        "note.PDF",
        "application/pdf",
    )
    assert check_attachment("note.docx", _docx(), 10**7)[1].endswith("wordprocessingml.document")
    assert check_attachment("note.odt", _zip(ODT), 10**6)[1] == (
        "application/vnd.oasis.opendocument.text"
    )
    for name, data, words in (
        ("note.pdf", _docx(), "n'est pas un PDF"),
        ("note.docx", b"%PDF-1.7", "n'est pas un document .docx"),
        ("note.docx", _zip(ODT), "n'est pas un document Word"),
        ("note.odt", _docx(), "n'est pas un texte OpenDocument"),
        ("note.odt", _zip([*ODT, ("Basic/Standard/Module1.xml", b"<m/>")]), "macros"),
        (
            "note.odt",
            _zip([*ODT, ("META-INF/manifest.xml", b"<manifest:encryption-data/>")]),
            "chiffré",
        ),
        ("note.docm", _docx(), "macros"),
        ("note.txt", b"%PDF-1.7", "formats acceptés"),
        ("note.pdf", b"", "vide"),
        ("note.pdf", b"%PDF-" + b"x" * 2000, "trop volumineux"),
    ):
        with pytest.raises(FileRefused) as refused:
            check_attachment(name, data, 1000 if words == "trop volumineux" else 10**7)
        assert words in refused.value.message, (name, refused.value.message)


def test_who_records_the_note():
    # The State's signatories always; the organisme from the paper copy, until the State
    # writes it itself; nobody else.
    assert may_record_note(Role.SIGNATAIRE, "ddt", recorded_by_state=True)
    assert may_record_note(Role.SIGNATAIRE, "prefecture", recorded_by_state=False)
    assert may_record_note(Role.REDACTEUR, "oph", recorded_by_state=False)
    assert not may_record_note(Role.REDACTEUR, "oph", recorded_by_state=True)
    assert not may_record_note(Role.SIGNATAIRE, "epci", recorded_by_state=False)
    assert not may_record_note(Role.OBSERVATEUR, "dreal", recorded_by_state=False)
    assert not may_record_note(Role.ASSOCIE, "ddt", recorded_by_state=False)
    assert not may_record_note(None, "ddt", recorded_by_state=False)
