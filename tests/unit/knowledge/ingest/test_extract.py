"""Tests for knowledge.ingest.extract: formats, and the defences run before any parser."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from pypdf import PdfWriter

from knowledge.ingest import extract as extract_module
from knowledge.ingest.extract import checksum, decode_text, extract
from knowledge.types import Block, BlockKind
from tests.corpus import CORPUS, DOCX
from tests.hostile import docx_paragraphs, pdf_shared_stream, text_ops
from workflows import files as files_module
from workflows.files import ContentLimits, ContentTooLarge, FileRefused

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "manifest.json").is_file(),
    reason=f"reference corpus not found at {CORPUS} (shared/ is not next to the repository)",
)
needs_docx = pytest.mark.skipif(
    not DOCX.is_dir(),
    reason=f"real .docx samples not found at {DOCX} (shared/ is not next to the repository)",
)


# --- builders -----------------------------------------------------------------------------


def make_docx(build=None) -> bytes:
    """A small real .docx written by python-docx."""
    document = docx.Document()
    if build is None:
        document.add_paragraph("Convention d'utilité sociale", style="Heading 1")
        document.add_paragraph("Le bailleur s'engage à réhabiliter 120 logements.")
        document.styles.add_style("Titre 2", WD_STYLE_TYPE.PARAGRAPH)
        document.add_paragraph("Engagements du bailleur", style="Titre 2")
        document.add_paragraph("Le loyer maximal est fixé par immeuble.")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Indicateur"
        table.cell(0, 1).text = "Valeur cible"
        table.cell(1, 0).text = "F.VI"
        table.cell(1, 1).text = "3 %"
    else:
        build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add=None) -> bytes:
    """Copy a ZIP archive, replacing or adding entries."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF, one line of Helvetica text per string."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for lines in pages:
        content = b"BT /F1 11 Tf 14 TL 60 780 Td\n"
        content += b"".join(_pdf_string(line) + b" Tj T*\n" for line in lines) + b"ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_number
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def assert_refused(filename: str, data: bytes, *fragments: str, **kwargs) -> str:
    with pytest.raises(FileRefused) as caught:
        extract(filename, data, **kwargs)
    message = str(caught.value)
    assert Path(filename).name in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- checksum and generic defences ----------------------------------------------------------


def test_checksum_is_sha256_hex() -> None:
    assert checksum(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(checksum(b"")) == 64


def test_extraction_error_is_a_value_error() -> None:
    assert issubclass(FileRefused, ValueError)


def test_empty_file_is_refused() -> None:
    assert_refused("vide.txt", b"", "vide")


def test_file_over_the_size_limit_is_refused() -> None:
    assert_refused("gros.txt", b"x" * 2048, "trop volumineux", max_bytes=1024)
    assert extract("petit.txt", b"x" * 1000, max_bytes=1024)


def test_default_size_limit_is_50_mb() -> None:
    assert extract_module.DEFAULT_MAX_BYTES == 50 * 1024 * 1024
    data = b"%PDF" + b"\0" * (50 * 1024 * 1024)
    assert_refused("enorme.pdf", data, "50 Mo")


@pytest.mark.parametrize("name", ["notes.doc", "tableau.xlsx", "archive.zip", "sans-extension"])
def test_unsupported_extension_is_refused(name: str) -> None:
    assert_refused(name, b"quelque chose", "n'est pas pris en charge", ".docx")


def test_message_names_the_file_not_its_path() -> None:
    message = assert_refused("/tmp/secret/dossier/vide.md", b"")
    assert "/tmp/secret" not in message


def test_extension_is_case_insensitive() -> None:
    blocks = extract("NOTE.TXT", b"Le bailleur s'engage.")
    assert blocks == [Block("Le bailleur s'engage.")]


# --- text -------------------------------------------------------------------------------------


def test_txt_utf8_with_and_without_bom() -> None:
    text = "Réhabilitation des logements à Paris."
    assert extract("a.txt", text.encode("utf-8"))[0].text == text
    assert extract("b.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))[0].text == text


def test_txt_falls_back_to_cp1252() -> None:
    text = "Qualité du service rendu – « été » œuvre"
    assert decode_text("c.txt", text.encode("cp1252")) == text
    assert extract("c.txt", text.encode("cp1252"))[0].text == text


def test_txt_utf16_with_bom() -> None:
    assert decode_text("d.txt", "Équipe".encode("utf-16")) == "Équipe"


def test_binary_content_in_a_txt_is_refused() -> None:
    assert_refused("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binaire")


def test_bytes_undefined_in_cp1252_are_refused() -> None:
    assert_refused("bizarre.txt", b"caf\x81\xe9 \x8d\x90", "encodage")


def test_txt_is_cleaned_by_default_and_raw_on_request() -> None:
    data = "I – LE CONTENU\n\nLa réhabi-\nlitation des logements.\n\n Page 3 sur 9 \n".encode()
    assert extract("t.txt", data) == [
        Block("I – LE CONTENU", level=1),
        Block("La réhabilitation des logements."),
    ]
    raw = extract("t.txt", data, clean=False)
    assert [b.level for b in raw] == [0, 0, 0]
    assert "Page 3 sur 9" in raw[-1].text


def test_text_without_any_letter_is_refused() -> None:
    assert_refused("blanc.txt", b" \n\n \t \n", "aucun texte")


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_headings_become_levels() -> None:
    source = (
        "# Convention\n\nPréambule du texte.\n\n## Article 1\n\nLe **bailleur** s'engage "
        "à [réhabiliter](https://example.org) des logements.\n\n### Détail\n\n"
        "- premier point\n- second point\n\nTitre souligné\n---\n\nFin du texte.\n"
    )
    blocks = extract("c.md", source.encode())
    assert [(b.level, b.text) for b in blocks] == [
        (1, "Convention"),
        (0, "Préambule du texte."),
        (2, "Article 1"),
        (0, "Le bailleur s'engage à réhabiliter des logements."),
        (3, "Détail"),
        (0, "- premier point"),
        (0, "- second point"),
        (2, "Titre souligné"),
        (0, "Fin du texte."),
    ]


def test_markdown_soft_line_breaks_are_rejoined() -> None:
    blocks = extract(
        "m.md", "Une phrase coupée\nen deux lignes et un mot réha-\nbilité.\n".encode()
    )
    assert blocks == [Block("Une phrase coupée en deux lignes et un mot réhabilité.")]


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_text_and_page_numbers() -> None:
    data = make_pdf(
        [
            [
                "Guide pratique des conventions",
                "I - LES OBJECTIFS",
                "Le bailleur s'engage",
                "Page 1 sur 3",
            ],
            ["Guide pratique des conventions", "La qualité du service rendu.", "Page 2 sur 3"],
            ["Guide pratique des conventions", "Les loyers sont fixés.", "Page 3 sur 3"],
        ]
    )
    blocks = extract("guide.pdf", data)
    texts = [b.text for b in blocks]
    assert all("Page" not in t for t in texts)
    # The running title repeated on every page is removed.
    assert all("Guide pratique des conventions" not in t for t in texts)
    assert Block("I - LES OBJECTIFS", level=1, page=1) in blocks
    assert Block("La qualité du service rendu.", page=2) in blocks
    assert Block("Les loyers sont fixés.", page=3) in blocks


def test_pdf_sentence_cut_across_pages_is_rejoined_on_its_first_page() -> None:
    data = make_pdf(
        [["Il convient de fixer les termes de la contractuali-"], ["sation avec réalisme."]]
    )
    blocks = extract("p.pdf", data)
    assert blocks == [
        Block("Il convient de fixer les termes de la contractualisation avec réalisme.", page=1)
    ]


def test_fake_pdf_is_refused() -> None:
    assert_refused("faux.pdf", b"<html>ceci n'est pas un PDF</html>", "%PDF")
    assert_refused("faux2.pdf", make_docx(), "%PDF")


def test_damaged_pdf_is_refused() -> None:
    assert_refused("casse.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "endommagé")


def test_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert_refused("protege.pdf", buffer.getvalue(), "chiffré")


def test_pdf_without_text_is_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert_refused("scan.pdf", buffer.getvalue(), "aucun texte")


def test_pdf_page_limit() -> None:
    data = make_pdf([["un"], ["deux"], ["trois"]])
    message = assert_refused(
        "long.pdf", data, "trop de pages", "au plus 2", limits=ContentLimits(pdf_pages=2)
    )
    assert "3" in message
    assert len(extract("long.pdf", data, limits=ContentLimits(pdf_pages=3))) >= 1


# --- Word ----------------------------------------------------------------------------------------


def test_docx_headings_paragraphs_and_a_table() -> None:
    blocks = extract("convention.docx", make_docx())
    assert blocks == [
        Block("Convention d'utilité sociale", level=1),
        Block("Le bailleur s'engage à réhabiliter 120 logements."),
        Block("Engagements du bailleur", level=2),
        Block("Le loyer maximal est fixé par immeuble."),
        Block("| Indicateur | Valeur cible |\n| --- | --- |\n| F.VI | 3 % |", kind=BlockKind.TABLE),
    ]


def test_docx_table_keeps_merged_cells_and_layout_tables_give_paragraphs() -> None:
    def build(document) -> None:
        table = document.add_table(rows=3, cols=3)
        for column, header in enumerate(["Année", "Segment", "Logements"]):
            table.cell(0, column).text = header
        table.cell(1, 0).merge(table.cell(2, 0)).text = "2025"  # one year, two rows
        table.cell(1, 1).text = "Nord"
        table.cell(1, 2).text = "40 | 50"
        table.cell(2, 1).text = "Sud"
        table.cell(2, 2).text = "12"
        layout = document.add_table(rows=1, cols=2)  # a layout table: one row
        layout.cell(0, 0).text = "Le bailleur"
        layout.cell(0, 1).text = "Le préfet"

    blocks = extract("tableau.docx", make_docx(build))
    assert blocks[0].kind == BlockKind.TABLE
    assert blocks[0].text.splitlines() == [
        "| Année | Segment | Logements |",
        "| --- | --- | --- |",
        "| 2025 | Nord | 40 \\| 50 |",
        "| 2025 | Sud | 12 |",  # the merged cell's value on each of its rows
    ]
    assert blocks[1:] == [Block("Le bailleur"), Block("Le préfet")]


def test_markdown_table_is_one_table_block() -> None:
    text = (
        "# Cibles\n\nLes valeurs retenues :\n\n"
        "| Année | Taux |\n|:---|---:|\n| 2025 | 10 % |\n| 2026 | |\n\nFin."
    )
    blocks = extract("cibles.md", text.encode())
    assert blocks == [
        Block("Cibles", level=1),
        Block("Les valeurs retenues :"),
        Block(
            "| Année | Taux |\n| --- | --- |\n| 2025 | 10 % |\n| 2026 |  |",
            kind=BlockKind.TABLE,
        ),
        Block("Fin."),
    ]


def test_docx_tracked_changes_are_read_accepted() -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    data = make_docx(lambda d: d.add_paragraph("PLACEHOLDER"))
    document_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    revised = (
        "<w:r><w:t xml:space='preserve'>Le loyer est </w:t></w:r>"
        "<w:del w:id='1' w:author='A'><w:r><w:delText>libre</w:delText></w:r></w:del>"
        "<w:ins w:id='2' w:author='B'><w:r><w:t>plafonné</w:t></w:r></w:ins>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>caché</w:t></w:r>"
        "<w:r><w:t>.</w:t></w:r>"
    )
    assert f'xmlns:w="{w}"' in document_xml
    document_xml = document_xml.replace("<w:r><w:t>PLACEHOLDER</w:t></w:r>", revised)
    data = rezip(data, replace={"word/document.xml": document_xml.encode()})
    assert extract("rev.docx", data) == [Block("Le loyer est plafonné.")]


def test_docx_that_is_not_a_zip_is_refused() -> None:
    assert_refused("faux.docx", b"Ceci est un texte, pas un document Word.", "ZIP")


def test_old_or_encrypted_word_file_is_refused() -> None:
    assert_refused("ancien.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".doc")


def test_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    assert_refused("autre.docx", buffer.getvalue(), "document Word")


def test_zip_bomb_with_a_highly_compressible_entry_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100 * 1024
    assert_refused("bombe.docx", data, "taux de compression", "word/document.xml")


def test_zip_with_too_many_entries_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(files_module.ZIP_MAX_ENTRIES + 1):
            archive.writestr(f"word/media/{index}.txt", b"")
    assert_refused("nombreux.docx", buffer.getvalue(), "trop d'éléments")


def test_zip_whose_declared_total_is_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_docx()
    monkeypatch.setattr(files_module, "ZIP_MAX_TOTAL_BYTES", 10_000)
    assert_refused("lourd.docx", data, "décompressé")


def test_default_zip_limits() -> None:
    assert files_module.ZIP_MAX_ENTRIES == 2000
    assert files_module.ZIP_MAX_TOTAL_BYTES == 200 * 1024 * 1024
    assert files_module.ZIP_MAX_RATIO == 200


def _lie_about_size(data: bytes, declared: int) -> bytes:
    """Rewrite the uncompressed size of a one-entry archive in both of its headers."""
    patched = bytearray(data)
    local = patched.index(b"PK\x03\x04")
    struct.pack_into("<I", patched, local + 22, declared)
    central = patched.index(b"PK\x01\x02")
    struct.pack_into("<I", patched, central + 24, declared)
    return bytes(patched)


def test_entry_lying_about_its_size_is_refused_while_reading() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (3 * 1024 * 1024))
    data = _lie_about_size(buffer.getvalue(), 1000)
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert info.file_size == 1000  # the checks on declared sizes all pass
    assert_refused("menteur.docx", data)


def test_actual_decompressed_bytes_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The declared total passes; the bytes really produced while reading do not.
    data = make_docx()
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(files_module, "ZIP_MAX_TOTAL_BYTES", declared + 1)
    assert extract("ok.docx", data)
    calls = []
    original = files_module._read_entry

    def counting(name, archive, entry, total):
        calls.append(entry.filename)
        return original(name, archive, entry, total + declared)  # as if earlier parts lied

    monkeypatch.setattr(files_module, "_read_entry", counting)
    assert_refused("gonfle.docx", data, "dépasse")
    assert calls


def test_docx_with_macros_is_refused() -> None:
    data = rezip(make_docx(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    assert_refused("macro.docx", data, "macros", "vbaProject.bin")


def test_docx_declared_macro_enabled_is_refused() -> None:
    data = make_docx()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in types
    assert_refused("docm.docx", rezip(data, replace={"[Content_Types].xml": types}), "macros")


def test_docx_with_a_doctype_is_refused() -> None:
    data = make_docx()
    document_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    declaration_end = document_xml.index(b"?>") + 2
    evil = (
        document_xml[:declaration_end]
        + b'\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + document_xml[declaration_end:]
    )
    message = assert_refused(
        "xxe.docx", rezip(data, replace={"word/document.xml": evil}), "DOCTYPE"
    )
    assert "word/document.xml" in message


def test_doctype_in_any_xml_part_is_refused() -> None:
    data = rezip(make_docx(), add={"customXml/item9.xml": b"<!doctype x><x/>"})
    assert_refused("xxe2.docx", data, "customXml/item9.xml")


def test_doctype_split_across_read_chunks_is_found() -> None:
    padding = b" " * (files_module._CHUNK - 4)
    data = rezip(make_docx(), add={"word/glossary.xml": padding + b"<!DOCTYPE x><x/>"})
    assert_refused("xxe3.docx", data, "DOCTYPE")


@needs_docx
@pytest.mark.parametrize(
    ("filename", "expected", "absent"),
    [
        (
            "word2016-two-authors-paragraphs.docx",
            ["This is an inserted paragraph.", "And another one."],
            "You can also type a keyword",
        ),
        ("libreoffice-two-authors-comments.docx", ["Lorem ipsum dolor sit amet"], "bibendum"),
    ],
)
def test_real_docx_with_revision_marks(filename: str, expected: list[str], absent: str) -> None:
    blocks = extract(filename, (DOCX / filename).read_bytes())
    assert blocks
    assert all(isinstance(b, Block) and b.text.strip() for b in blocks)
    text = "\n".join(b.text for b in blocks)
    for fragment in expected:
        assert fragment in text
    assert absent not in text  # deleted text is not part of the document


# --- the reference corpus ------------------------------------------------------------------------


@needs_corpus
def test_every_corpus_document_extracts() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["documents"]) == 5
    for entry in manifest["documents"]:
        data = (CORPUS / entry["file"]).read_bytes()
        blocks = extract(entry["file"], data)
        assert sum(1 for b in blocks if b.level == 0) >= 3, entry["file"]
        assert any(b.level > 0 for b in blocks), entry["file"]
        assert all(b.text == b.text.strip() and b.text for b in blocks)


# --- content caps: the hostile files of issue 13 --------------------------------------------


def test_a_pdf_of_2900_pages_sharing_one_stream_is_refused_by_its_page_count() -> None:
    data = pdf_shared_stream(2_900, text_ops(40))
    assert len(data) < 500_000  # as small as the one of the issue
    message = assert_refused("pages.pdf", data, "trop de pages", "2\u202f900", "au plus 1\u202f000")
    with pytest.raises(ContentTooLarge) as caught:
        extract("pages.pdf", data)
    assert caught.value.status == 413
    assert "rien n'a été enregistré" in message


def test_a_pdf_with_a_70_mb_content_stream_is_refused_naming_the_content_limit() -> None:
    data = pdf_shared_stream(1, text_ops(1_500_000))
    assert len(data) < 300_000
    assert_refused("flux.pdf", data, "20 Mo une fois décompressé")


def test_a_stream_shared_by_many_pages_counts_on_each_page() -> None:
    data = pdf_shared_stream(30, text_ops(40))  # 1.8 KB decompressed, drawn 30 times
    limits = ContentLimits(pdf_content_bytes=20 * 1024)
    assert_refused("partage.pdf", data, "0 Mo une fois décompressé", limits=limits)
    assert extract("partage.pdf", data, limits=ContentLimits(pdf_content_bytes=64 * 1024))


def test_a_pdf_past_the_character_cap_is_refused() -> None:
    data = make_pdf([["Le plan de concertation locative."] * 10] * 3)
    assert_refused(
        "texte.pdf", data, "dépasse 500 caractères", limits=ContentLimits(characters=500)
    )
    assert extract("texte.pdf", data, limits=ContentLimits(characters=5_000))


def test_a_docx_of_300k_paragraphs_is_refused_by_its_paragraph_count() -> None:
    data = docx_paragraphs("Titre", 300_000, 40)
    assert_refused("long.docx", data, "plus de 20\u202f000 paragraphes")


def test_a_docx_of_60k_paragraphs_of_random_letters_is_refused_by_its_characters() -> None:
    data = docx_paragraphs("Titre", 60_000, 400)
    assert len(data) > 10 * 1024 * 1024  # passed the size and the archive checks
    assert_refused("gros.docx", data, "dépasse 2\u202f000\u202f000 caractères")


def test_docx_caps_count_table_cells_and_stop_at_the_first_limit() -> None:
    data = make_docx()  # 8 paragraphs with text, some in table cells
    assert_refused("c.docx", data, "plus de 3 paragraphes", limits=ContentLimits(paragraphs=3))
    assert_refused("c.docx", data, "dépasse 20 caractères", limits=ContentLimits(characters=20))


def test_a_text_file_past_the_character_cap_is_refused() -> None:
    data = ("Le plan de concertation locative.\n\n" * 100).encode()
    assert_refused(
        "long.txt", data, "dépasse 1\u202f000 caractères", limits=ContentLimits(characters=1_000)
    )
    assert_refused(
        "long.md", data, "dépasse 1\u202f000 caractères", limits=ContentLimits(characters=1_000)
    )
    assert_refused("long.txt", data, "plus de 10 paragraphes", limits=ContentLimits(paragraphs=10))


def test_the_whole_reference_corpus_is_far_below_the_default_caps() -> None:
    limits = ContentLimits(
        characters=ContentLimits().characters // 4, paragraphs=ContentLimits().paragraphs // 4
    )
    for path in CORPUS.iterdir():
        if path.suffix in (".txt", ".md"):
            assert extract(path.name, path.read_bytes(), limits=limits)
