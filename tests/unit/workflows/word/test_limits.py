"""The content caps of the Word reader: a document over them is refused naming the limit
before its tree is built; a whole CUS, and the real documents, are far below them."""

from __future__ import annotations

import io

import docx
import pytest

from tests.corpus import CORPUS, DOCX
from tests.hostile import docx_paragraphs
from workflows.errors import TooLarge
from workflows.files import ContentLimits, FileRefused
from workflows.word.importer import Target, read_and_plan
from workflows.word.reader import read_docx

QUARTER = ContentLimits(
    characters=ContentLimits().characters // 4, paragraphs=ContentLimits().paragraphs // 4
)


def _whole_cus() -> bytes:
    """Every text of the reference corpus in one Word document, a heading per file and a
    paragraph per line: more than any one CUS holds."""
    document = docx.Document()
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".txt", ".md"):
            continue
        document.add_heading(path.stem, level=1)
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_whole_cus_is_read_and_planned_within_a_quarter_of_the_caps():
    data = _whole_cus()
    reading = read_and_plan(
        "cus.docx", data, [Target(1, "guide-concertation-locative", "", 1)], QUARTER
    )
    assert len(reading.plan.sections) >= 5
    assert reading.plan.matched[0].section_id == 1
    for path in DOCX.glob("*.docx"):
        assert read_docx(path.read_bytes(), QUARTER).items


def test_paragraphs_past_the_cap_are_refused_naming_it():
    data = docx_paragraphs("Titre", 50, 10)
    with pytest.raises(FileRefused) as refused:
        read_docx(data, ContentLimits(paragraphs=40), "long.docx")
    assert isinstance(refused.value, TooLarge) and refused.value.status == 413
    assert "« long.docx »" in str(refused.value) and "plus de 40 paragraphes" in str(refused.value)
    assert len(list(read_docx(data, ContentLimits(paragraphs=60)).paragraphs())) == 51


def test_characters_past_the_cap_are_refused_naming_it():
    data = docx_paragraphs("Titre", 10, 100)
    with pytest.raises(FileRefused, match="dépasse 900 caractères"):
        read_and_plan("gros.docx", data, [], ContentLimits(characters=900))
    assert read_and_plan("gros.docx", data, [], ContentLimits(characters=1_100)).plan.sections


def test_a_damaged_document_is_refused_as_such():
    with pytest.raises(FileRefused, match="n'est pas un document .docx valide"):
        read_and_plan("faux.docx", b"PK pas une archive", [], ContentLimits())
