"""Exports opened by LibreOffice, as a préfecture or a collectivité would open them.

``make test`` installs LibreOffice Writer from Debian's packages (``make office``); where it
cannot be installed these tests are skipped and say why. Each run of soffice gets its own
profile directory (two at once would share and lock one), and since soffice exits 0 even
when it could not load a file, every test checks that the output exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.corpus import DOCX
from workflows.word.export import ConventionDoc, Discussion, Proposal, SectionDoc, export_docx
from workflows.word.importer import Target, plan_import
from workflows.word.reader import read_docx

pytestmark = pytest.mark.office
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None:
    pytest.skip(
        "LibreOffice (soffice) is not installed: `make office` installs it "
        "(Debian package libreoffice-writer-nogui)",
        allow_module_level=True,
    )

BODY = """## Patrimoine

Le parc compte **8 400 logements** locatifs sociaux.

- réhabilitations lourdes ;
  - toitures ;
  - façades ;
- démolitions.

1. loger ;
   1. les familles ;
   2. les jeunes ;
2. entretenir :
   1. les parties communes.

| Indicateur | 2025 |
|---|---|
| F.VI | 2,5 % |"""
PROPOSAL = BODY.replace("8 400", "8 450") + "\n\nUn paragraphe ajouté par l'EPCI."


def _convention() -> ConventionDoc:
    return ConventionDoc(
        id=3,
        kind="Convention d'utilité sociale",
        title="CUS 2025-2030",
        organisme="Val de Loire Habitat",
        period="2025-2030",
        state="Négociation",
        exported_at=datetime(2026, 11, 22, 9, 0),
        signatories=("EPCI du Val",),
        sections=(
            SectionDoc(
                1,
                "État des lieux",
                BODY,
                2,
                proposals=(Proposal(4, "Karim Benali", datetime(2026, 3, 1, 9, 0), PROPOSAL),),
                discussions=(
                    Discussion("Sophie Lefèvre", datetime(2026, 3, 2), "Source ?", quote="8 400"),
                ),
            ),
            SectionDoc(2, "Orientations", "Un texte court.", 1),
        ),
    )


def _convert(source: Path, target: str, out: Path, profile: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    extension = target.split(":")[0]
    produced = out / f"{source.stem}.{extension}"
    assert produced.exists() and produced.stat().st_size > 0, (
        f"LibreOffice produced nothing (exit {result.returncode}): {result.stdout} {result.stderr}"
    )
    return produced


def test_a_tracked_export_opens_in_libreoffice_as_a_pdf(tmp_path):
    source = tmp_path / "cus.docx"
    source.write_bytes(export_docx(_convention(), tracked=True, comments=True))
    pdf = _convert(source, "pdf", tmp_path / "pdf", tmp_path / "profile")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "État des lieux" in text and "Orientations" in text
    # The revision marks are shown: the figure deleted and inserted whole ("8 400", then
    # "8 450"), the new paragraph.
    assert "84008450" in text.replace(" ", "") and "Un paragraphe ajouté par l'EPCI." in text


def test_an_untouched_export_saved_by_libreoffice_imports_unchanged(tmp_path):
    """Lists (nested, numbered, restarted) and tables as LibreOffice writes them back."""
    source = tmp_path / "cus.docx"
    convention = _convention()
    source.write_bytes(export_docx(convention))
    again = _convert(source, "docx:MS Word 2007 XML", tmp_path / "docx", tmp_path / "profile")
    targets = [Target(s.id, s.title, s.body, s.revision) for s in convention.sections]
    plan = plan_import(read_docx(again.read_bytes()), targets)
    assert {s.section_id: s.original for s in plan.sections} == {1: BODY, 2: "Un texte court."}
    assert not any(s.changed or s.unmarked or s.by_author for s in plan.sections)
    assert not plan.unmatched_headings  # the annexes keep their bookmarks


def test_nested_numbered_lists_start_again_in_libreoffice(tmp_path):
    source = tmp_path / "listes.docx"
    source.write_bytes(export_docx(_convention()))
    pdf = _convert(source, "pdf", tmp_path / "pdf", tmp_path / "profile")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    # The second nested list starts at 1 again, not at 3.
    assert re.search(r"1\.\s*les parties communes", text), text


def test_a_pass_through_libreoffice_keeps_the_authors_and_the_proposals(tmp_path):
    source = tmp_path / "cus.docx"
    convention = _convention()
    source.write_bytes(export_docx(convention, tracked=True, comments=True))
    again = _convert(source, "docx:MS Word 2007 XML", tmp_path / "docx", tmp_path / "profile")
    document = read_docx(again.read_bytes())
    assert "Karim Benali" in document.authors()
    assert {c.author for c in document.comments} >= {"Sophie Lefèvre"}
    targets = [Target(s.id, s.title, s.body, s.revision) for s in convention.sections]
    plan = plan_import(document, targets)
    by_id = {s.section_id: s for s in plan.sections}
    assert by_id[1].original == BODY and by_id[2].original == "Un texte court."
    assert "8 450" in by_id[1].by_author["Karim Benali"]
    assert "Un paragraphe ajouté par l'EPCI." in by_id[1].by_author["Karim Benali"]


@pytest.mark.skipif(not DOCX.exists(), reason=f"real .docx files not found at {DOCX}")
def test_the_real_word_document_keeps_its_authors_through_libreoffice(tmp_path):
    source = tmp_path / "word2016.docx"
    source.write_bytes((DOCX / "word2016-two-authors-paragraphs.docx").read_bytes())
    again = _convert(source, "docx:MS Word 2007 XML", tmp_path / "out", tmp_path / "profile")
    assert read_docx(again.read_bytes()).authors() == ["Eric White", "Test User"]


DRAFT_HTML = """<html><body>
<h1>Convention cadre entre l'OPH et la commune</h1>
<p>Préambule avant les titres.</p>
<h2>1. Objet</h2>
<p>Elle fixe les <b>engagements</b> réciproques, voir <a href="https://exemple.fr">le site</a>.</p>
<ul><li>premier point</li><li>second point<ul><li>sous-point</li></ul></li></ul>
<h2>2. Engagements de la commune</h2>
<ol><li>garantir les emprunts</li><li>céder le foncier</li></ol>
<table border="1"><tr><th>Année</th><th>Logements</th></tr><tr><td>2025</td><td>40</td></tr></table>
<h2>3. Durée</h2>
<p>Trois ans.<br>Renouvelable une fois.</p>
<blockquote>Citation du PLH.</blockquote>
</body></html>"""


def test_a_draft_written_by_libreoffice_comes_in_section_by_section(tmp_path):
    """Not our export: LibreOffice's own styles, the title in Heading 1, the parts in
    Heading 2 and numbered by hand, lists, a table, a link, a line break, a quotation."""
    source = tmp_path / "projet.html"
    source.write_text(DRAFT_HTML, encoding="utf-8")
    document = _convert(source, "docx:MS Word 2007 XML", tmp_path / "docx", tmp_path / "profile")
    targets = [Target(1, "Objet", "", 0), Target(2, "Engagements de la commune", "", 0)]
    plan = plan_import(read_docx(document.read_bytes()), targets)
    assert [(s.heading, s.section_id) for s in plan.sections] == [
        ("1. Objet", 1),
        ("2. Engagements de la commune", 2),
        ("3. Durée", None),
    ]
    by_id = {s.section_id: s.accepted for s in plan.sections}
    assert by_id[1] == (
        "Elle fixe les **engagements** réciproques, voir [le site](https://exemple.fr/).\n\n"
        "- premier point\n- second point\n  - sous-point"
    )
    assert by_id[2] == (
        "1. garantir les emprunts\n2. céder le foncier\n\n"
        "| Année | Logements |\n| --- | --- |\n| 2025 | 40 |"
    )
    assert by_id[None] == "Trois ans.\\\nRenouvelable une fois.\n\n> Citation du PLH."
    assert any("avant le premier titre" in warning for warning in plan.warnings)
