"""The Word round trip without a database: Markdown ↔ blocks, the export, the reading of
revision marks (on the two real documents of ../shared/docx as well as on our own), and
the plan of an import."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import datetime

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.corpus import DOCX
from workflows.text.blocks import Block, Run, canonical, parse_markdown, to_markdown
from workflows.word.export import ConventionDoc, Discussion, Proposal, SectionDoc, export_docx
from workflows.word.importer import Target, normalise_title, plan_import, restore
from workflows.word.reader import (
    accept_all,
    accept_author,
    accept_none,
    read_docx,
    to_blocks,
    version,
)
from workflows.word.writer import Writer

WORD2016 = DOCX / "word2016-two-authors-paragraphs.docx"
LIBREOFFICE = DOCX / "libreoffice-two-authors-comments.docx"
needs_docx = pytest.mark.skipif(
    not WORD2016.exists(), reason=f"real .docx files not found at {DOCX}"
)

VARIED = """## Patrimoine

Val de Loire Habitat gère **8 400 logements** locatifs
sociaux, dont *quelques* foyers et du ~~vieux~~ parc ; voir [le site](https://example.org/a).

* un
* deux
    * deux point un
* trois

3) troisième
4) quatrième

| Indicateur | 2025 | 2026 |
|:---|---:|---|
| F.VI | 2,5 % | 2 % |

> Une citation du PLH.

```
V1 / V2 × 100
```

---

### Un sous-titre

Texte avec * étoile, _soulignés_, `code` et un retour\\
forcé. Dernier paragraphe."""

SIMPLE = "Premier paragraphe.\n\nSecond paragraphe avec **gras**."


def _convention(*sections: SectionDoc) -> ConventionDoc:
    return ConventionDoc(
        id=7,
        kind="Convention d'utilité sociale",
        title="CUS test",
        organisme="OPH test",
        period="2025-2030",
        state="Négociation",
        exported_at=datetime(2026, 11, 22, 10, 0),
        signatories=("EPCI test",),
        associated=("Département test",),
        sections=sections,
    )


def _targets(convention: ConventionDoc) -> list[Target]:
    return [Target(s.id, s.title, s.body, s.revision) for s in convention.sections]


# --- Markdown ↔ blocks --------------------------------------------------------------------


def test_the_canonical_markdown_is_stable_and_keeps_the_structure():
    once = canonical(VARIED)
    assert canonical(once) == once
    kinds = [block.kind for block in parse_markdown(VARIED)]
    assert kinds == [
        "heading", "paragraph", "list", "list", "table", "quote", "code", "rule",
        "heading", "paragraph",
    ]  # fmt: skip
    assert "**8 400 logements**" in once and "*quelques*" in once and "~~vieux~~" in once
    assert "[le site](https://example.org/a)" in once
    assert "  - deux point un" in once and "3. troisième\n4. quatrième" in once
    assert "\\* étoile" in once  # a literal star stays literal


def test_restore_keeps_the_authors_spelling_of_unchanged_paragraphs():
    assert restore(VARIED, canonical(VARIED)) == VARIED
    edited = canonical(VARIED).replace("Une citation du PLH.", "Une citation du PLH révisé.")
    restored = restore(VARIED, edited)
    assert "Une citation du PLH révisé." in restored
    assert "* un\n* deux" in restored  # the untouched list as written


# --- export -------------------------------------------------------------------------------


def test_export_then_import_gives_back_every_section():
    convention = _convention(
        SectionDoc(1, "État des lieux", VARIED, 3),
        SectionDoc(2, "Orientations", SIMPLE, 1),
        SectionDoc(3, "Section vide", "", 0),
    )
    for tracked in (False, True):
        plan = plan_import(
            read_docx(export_docx(convention, tracked=tracked)), _targets(convention)
        )
        assert not plan.unmatched_headings and not plan.missing_sections
        assert {s.section_id: s.original for s in plan.sections} == {1: VARIED, 2: SIMPLE, 3: ""}
        assert not any(s.changed or s.by_author or s.unmarked for s in plan.sections)


def test_a_long_convention_comes_back_whole_and_in_order():
    # Writer.long_body keeps python-docx's body short while writing (each paragraph was
    # placed by a search through the whole body): far more blocks than it keeps, with a
    # table and comments on early sections, must come back exactly, in order.
    sections = tuple(
        SectionDoc(
            number,
            f"Section {number}",
            VARIED if number % 7 == 0 else f"{SIMPLE}\n\nParagraphe {number}.",
            1,
            discussions=(Discussion("Asso", datetime(2026, 1, 2), "Pourquoi ?", "Second"),),
        )
        for number in range(1, 60)
    )
    convention = _convention(*sections)
    data = export_docx(convention, comments=True)
    plan = plan_import(read_docx(data), _targets(convention))
    assert [s.section_id for s in plan.sections] == list(range(1, 60))
    assert {s.section_id: s.original for s in plan.sections} == {s.id: s.body for s in sections}
    body = docx.Document(io.BytesIO(data)).element.body
    assert body[-1].tag == qn("w:sectPr")  # the closing section properties stay last
    comments = zipfile.ZipFile(io.BytesIO(data)).read("word/comments.xml").decode()
    assert comments.count("Pourquoi ?") == 59


def test_the_contents_show_the_titles_before_any_update_and_the_signed_fingerprint():
    convention = _convention(
        SectionDoc(1, "État des lieux", SIMPLE, 1), SectionDoc(2, "Orientations", SIMPLE, 1)
    )
    signed = dataclasses.replace(convention, signed_sha256="ab" * 32)
    body = docx.Document(io.BytesIO(export_docx(signed))).element.body
    contents = next(
        p
        for p in body.iter(qn("w:p"))
        if "TOC" in "".join(p.itertext()) and p.findall(f".//{qn('w:instrText')}")
    )
    shown = [t.text for t in contents.iter(qn("w:t"))]
    assert shown == ["État des lieux", "Orientations"]
    assert len(contents.findall(f".//{qn('w:br')}")) == 1
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(export_docx(signed))).paragraphs)
    assert "Empreinte SHA-256 du texte signé : " + "ab" * 32 in text
    assert "Empreinte" not in "".join(
        p.text for p in docx.Document(io.BytesIO(export_docx(convention))).paragraphs
    )


def test_tracked_export_holds_native_revision_marks_by_their_authors():
    proposal = SIMPLE.replace("Second paragraphe", "Deuxième paragraphe") + "\n\nAjout."
    other = SIMPLE.replace("Premier", "Tout premier")
    clash = SIMPLE.replace("Premier paragraphe.", "Autre début.")
    convention = _convention(
        SectionDoc(
            2,
            "Orientations",
            SIMPLE,
            4,
            proposals=(
                Proposal(11, "Karim Benali", datetime(2026, 3, 1, 9, 0), proposal),
                Proposal(12, "Sophie Lefèvre", datetime(2026, 3, 2, 9, 0), other),
                Proposal(13, "Jean Moreau", datetime(2026, 3, 3, 9, 0), clash),
            ),
            discussions=(
                Discussion("Sophie Lefèvre", datetime(2026, 3, 4), "Pourquoi ?", quote="gras"),
            ),
        )
    )
    data = export_docx(convention, tracked=True, comments=True)
    archive = zipfile.ZipFile(io.BytesIO(data))
    xml = archive.read("word/document.xml").decode()
    marks = re.findall(
        r"<w:(ins|del) w:id=\"(\d+)\" w:author=\"([^\"]+)\" w:date=\"([^\"]+)\"", xml
    )
    assert {author for _k, _i, author, _d in marks} == {"Karim Benali", "Sophie Lefèvre"}
    ids = [mark_id for _k, mark_id, _a, _d in marks]
    assert len(ids) == len(set(ids))  # unique revision ids
    assert ("ins", "2026-03-01T09:00:00Z") in {
        (k, d) for k, _i, a, d in marks if a == "Karim Benali"
    }
    assert "<w:delText" in xml and "Second" in xml and "Deuxième" in xml
    assert "<w:trackRevisions/>" in archive.read("word/settings.xml").decode()
    comments = archive.read("word/comments.xml").decode()
    assert "Pourquoi ?" in comments and 'w:author="Sophie Lefèvre"' in comments
    # Jean Moreau's change touches the paragraph Sophie's changes: listed, not marked.
    assert "Contribution n° 13 de Jean Moreau" in comments
    # Read back: each author's version is that author's proposal.
    plan = plan_import(read_docx(data), _targets(convention))
    (section,) = plan.sections
    assert section.original == SIMPLE
    assert section.by_author == {"Karim Benali": proposal, "Sophie Lefèvre": other}
    # The export's own note (Jean Moreau's contribution) does not come back as a comment.
    assert [c.author for c in section.comments] == ["Sophie Lefèvre"]


# --- reading real documents -----------------------------------------------------------------


@needs_docx
def test_word_2016_paragraph_marks_and_two_authors():
    document = read_docx(WORD2016.read_bytes())
    assert document.authors() == ["Eric White", "Test User"]
    original = to_markdown(to_blocks(version(document.items, accept_none)))
    accepted = to_markdown(to_blocks(version(document.items, accept_all)))
    assert "You can also type a keyword" in original
    assert "This is an inserted paragraph." not in original
    assert "This is an inserted paragraph.\n\nAnd another one." in accepted
    assert "You can also type a keyword" not in accepted
    assert "complement each other" not in accepted  # a deletion around a bookmark
    eric = to_markdown(to_blocks(version(document.items, accept_author("Eric White"))))
    assert "This is an inserted paragraph." in eric and "You can also type" in eric
    user = to_markdown(to_blocks(version(document.items, accept_author("Test User"))))
    assert "This is an inserted paragraph." not in user and "You can also type" not in user
    assert "| 1 | 2 | 3 |" in accepted  # the table comes through


@needs_docx
def test_libreoffice_moves_hidden_text_unknown_author_and_comments():
    document = read_docx(LIBREOFFICE.read_bytes())
    assert document.authors() == ["Kyle Reese", "Unknown Author"]
    assert document.hidden_runs == 2  # "inceptos " and another hidden run, left out
    accepted = to_markdown(to_blocks(version(document.items, accept_all)))
    original = to_markdown(to_blocks(version(document.items, accept_none)))
    assert "insert this fringilla" in accepted and "bibendum" not in accepted
    assert "bibendum" in original and "insert this" not in original
    assert "inceptos" not in accepted
    kyle = to_markdown(to_blocks(version(document.items, accept_author("Kyle Reese"))))
    # The move: "ad litora" leaves "sociosqu ad litora torquent" for an earlier place.
    assert "urna.ad litora" in kyle and "sociosquad litora" not in kyle.replace(" ", "")
    assert "bibendum" in kyle  # Unknown Author's deletion is not Kyle's
    comments = {c.author: c for c in document.comments}
    assert set(comments) == {"Kyle Reese", "Unknown Author"}
    assert comments["Kyle Reese"].text == "This is another comment"
    assert comments["Kyle Reese"].quote == "apibus"
    assert comments["Unknown Author"].quote == "himenaeos."


@needs_docx
def test_a_document_without_headings_is_said_so():
    plan = plan_import(read_docx(WORD2016.read_bytes()), [Target(1, "Orientations", SIMPLE, 1)])
    assert not plan.matched
    assert any("aucun titre" in warning for warning in plan.warnings)
    assert plan.missing_sections == ["Orientations"]


def test_titles_match_without_accents_case_or_numbering():
    assert normalise_title("1. État des lieux") == normalise_title("ETAT DES LIEUX")
    assert normalise_title("Article 3 : Engagements") == "engagements"
    assert normalise_title("II - Qualité du service") == "qualite du service"


def test_a_changed_list_is_marked_item_by_item():
    body = "Engagements :\n\n- enquête tous les deux ans ;\n- astreinte le week-end ;\n- réclamations en 15 jours."
    proposal = body.replace("15 jours", "10 jours") + "\n- un nouvel engagement."
    convention = _convention(
        SectionDoc(
            4,
            "Qualité de service",
            body,
            2,
            proposals=(Proposal(5, "Sophie Lefèvre", datetime(2026, 3, 1), proposal),),
        )
    )
    data = export_docx(convention, tracked=True)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    # The untouched items carry no mark: only "15"/"10" and the new item do.
    assert "astreinte le week-end" in xml
    deleted = re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", xml)
    assert "".join(deleted).strip() == "15"
    (section,) = plan_import(read_docx(data), _targets(convention)).sections
    assert section.original == body
    assert section.by_author == {"Sophie Lefèvre": proposal}


def test_table_rows_and_header_revisions_from_the_field():
    document = docx.Document()
    writer = Writer(document)
    document.add_paragraph("Orientations", style="Heading 1")
    header_row = ((Run("Indicateur"),), (Run("Cible"),))
    writer.block(Block("table", rows=(header_row, ((Run("F.VI"),), (Run("2,5 %"),)))))
    table = document.tables[0]
    # One row inserted by Karim, one deleted by Sophie (no date: some tools write none).
    added = table.add_row()
    added.cells[0].text, added.cells[1].text = "G.III", "40 %"
    mark = OxmlElement("w:ins")
    mark.set(qn("w:id"), "1"), mark.set(qn("w:author"), "Karim")
    added._tr.get_or_add_trPr().append(mark)
    removed = table.rows[1]._tr
    gone = OxmlElement("w:del")
    gone.set(qn("w:id"), "2"), gone.set(qn("w:author"), "Sophie")
    removed.get_or_add_trPr().append(gone)
    # A revision in the header: reported, never imported.
    header = document.sections[0].header
    header.is_linked_to_previous = False
    inserted = OxmlElement("w:ins")
    inserted.set(qn("w:id"), "3"), inserted.set(qn("w:author"), "Karim")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "Projet"
    run.append(text), inserted.append(run)
    header.paragraphs[0]._p.append(inserted)
    out = io.BytesIO()
    document.save(out)

    read = read_docx(out.getvalue())
    assert {(c.kind, c.author, c.date) for c in read.changes()} >= {
        ("ins", "Karim", None),
        ("del", "Sophie", None),
    }
    assert read.elsewhere == {"en-tête": 1}
    original = to_markdown(to_blocks(version(read.items, accept_none)))
    accepted = to_markdown(to_blocks(version(read.items, accept_all)))
    assert "F.VI" in original and "G.III" not in original
    assert "G.III" in accepted and "F.VI" not in accepted
    plan = plan_import(read, [Target(1, "Orientations", "", 0)])
    assert any("en-tête" in warning for warning in plan.warnings)
    assert set(plan.sections[0].by_author) == {"Karim", "Sophie"}


def _document_xml(body_xml: str) -> bytes:
    """A .docx whose section "Orientations" holds ``body_xml`` (WordprocessingML), as
    field documents hold what no exporter of ours writes."""
    document = docx.Document()
    document.add_paragraph("Orientations", style="Heading 1")
    document.add_paragraph("MARKER")
    out = io.BytesIO()
    document.save(out)
    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    xml = archive.read("word/document.xml").decode()
    xml = re.sub(r"<w:p>(?:(?!<w:p>).)*?MARKER.*?</w:p>", body_xml, xml, count=1, flags=re.S)
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for item in archive.infolist():
            data = xml.encode() if item.filename == "word/document.xml" else archive.read(item)
            target.writestr(item, data)
    return rebuilt.getvalue()


def _run(text: str, deleted: bool = False) -> str:
    tag = "w:delText" if deleted else "w:t"
    return f'<w:r><{tag} xml:space="preserve">{text}</{tag}></w:r>'


def test_a_deletion_inside_another_authors_insertion():
    body = (
        "<w:p>"
        + _run("Texte reçu ")
        + '<w:ins w:id="1" w:author="Asso" w:date="2026-03-01T10:00:00Z">'
        + _run("nouveau ")
        + '<w:del w:id="2" w:author="Sign" w:date="2026-03-02T10:00:00Z">'
        + _run("mot ", deleted=True)
        + "</w:del></w:ins>"
        + _run("fin.")
        + "</w:p>"
    )
    document = read_docx(_document_xml(body))
    assert document.authors() == ["Asso", "Sign"]
    (section,) = plan_import(document, [Target(1, "Orientations", "Texte reçu fin.", 1)]).sections
    assert section.original == "Texte reçu fin."
    assert section.accepted == "Texte reçu nouveau fin."
    # Asso's proposal holds all Asso inserted; Sign's alone changes nothing received.
    assert section.by_author == {"Asso": "Texte reçu nouveau mot fin."}


def test_a_comment_after_a_table_stays_in_its_section():
    table = (
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid>"
        + "".join(
            f"<w:tr><w:tc><w:p>{_run(f'ligne {i}')}</w:p><w:p>{_run('suite')}</w:p></w:tc></w:tr>"
            for i in range(3)
        )
        + "</w:tbl>"
    )
    body = (
        table
        + "<w:p>"
        + '<w:commentRangeStart w:id="0"/>'
        + _run("Après le tableau.")
        + '<w:commentRangeEnd w:id="0"/>'
        + "</w:p>"
    )
    data = _document_xml(body)
    # A comments part, as Word writes it.
    document = docx.Document(io.BytesIO(data))
    paragraph = next(p for p in document.paragraphs if p.text == "Après le tableau.")
    document.add_comment(paragraph.runs, text="Pourquoi ?", author="Sophie", initials="S")
    out = io.BytesIO()
    document.save(out)
    plan = plan_import(read_docx(out.getvalue()), [Target(1, "Orientations", "", 0)])
    (section,) = plan.sections
    assert [c.text for c in section.comments] == ["Pourquoi ?"]
    assert not plan.comments_outside


def test_headings_inserted_or_deleted_with_marks_move_no_text():
    mark = '<w:rPr><w:{kind} w:id="{id}" w:author="{who}"/></w:rPr>'
    inserted_heading = (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/>'
        + mark.format(kind="ins", id=5, who="Alice")
        + '</w:pPr><w:ins w:id="6" w:author="Alice">'
        + _run("Nouvelle partie")
        + "</w:ins></w:p>"
    )
    deleted_heading = (
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:del w:id="7" w:author="Bob">'
        + _run("Durée", deleted=True)
        + "</w:del></w:p>"
    )
    body = (
        f"<w:p>{_run('Un.')}</w:p>"
        + inserted_heading
        + f"<w:p>{_run('Deux.')}</w:p>"
        + deleted_heading
        + f"<w:p>{_run('Six ans.')}</w:p>"
    )
    targets = [Target(1, "Orientations", "Un.\n\nDeux.", 1), Target(2, "Durée", "Six ans.", 1)]
    plan = plan_import(read_docx(_document_xml(body)), targets)
    by_id = {s.section_id: s for s in plan.sections}
    assert by_id[1].original == "Un.\n\nDeux." and by_id[2].original == "Six ans."
    assert by_id[1].unmarked is None and not plan.missing_sections
    assert "Nouvelle partie" in by_id[1].by_author["Alice"]
    assert any("« Nouvelle partie » ajouté" in w for w in plan.warnings)
    assert any("« Durée » supprimé" in w for w in plan.warnings)


def test_a_new_link_or_lost_emphasis_is_marked_too():
    body = "Voir [le site](https://example.org/a) et le loyer **plafonné**."
    proposal = "Voir [le site](https://example.org/b) et le loyer plafonné."
    convention = _convention(
        SectionDoc(
            1, "Orientations", body, 1,
            proposals=(Proposal(2, "Karim", datetime(2026, 3, 1), proposal),),
        )
    )  # fmt: skip
    data = export_docx(convention, tracked=True)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count('w:author="Karim"') >= 4  # old link and bold deleted, new ones inserted
    (section,) = plan_import(read_docx(data), _targets(convention)).sections
    assert section.original == body
    assert section.by_author == {"Karim": proposal}


def test_sections_in_heading_2_under_a_document_title_in_heading_1():
    document = docx.Document()
    document.add_paragraph("Contrat entre l'OPH et la métropole", style="Heading 1")
    for title in ("Objet", "Engagements réciproques", "Durée"):
        document.add_paragraph(title, style="Heading 2")
        document.add_paragraph(f"Texte de la partie {title.lower()}.")
    out = io.BytesIO()
    document.save(out)
    plan = plan_import(read_docx(out.getvalue()), [Target(1, "Orientations", "", 0)])
    assert [s.heading for s in plan.sections] == ["Objet", "Engagements réciproques", "Durée"]
    assert plan.sections[2].accepted == "Texte de la partie durée."
