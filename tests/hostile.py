"""Hostile uploads of issue 13, built small in memory by the tests (no big file in the
repository): a PDF whose pages all draw one content stream, a PDF with one huge stream,
a .docx of very many paragraphs of random letters (an archive that compresses as a real
one does, so that it passes every archive check)."""

from __future__ import annotations

import io
import random
import re
import zipfile
import zlib

import docx

_LETTERS = b"abcdefghijklmnopqrstuvwxyz  "
# Random bytes → letters and spaces, at C speed (24 million characters in a blink).
_TO_LETTERS = bytes(_LETTERS[i % len(_LETTERS)] for i in range(256))


def text_ops(lines: int) -> bytes:
    """A content stream drawing ``lines`` lines of text (45 bytes each)."""
    return (
        b"BT /F1 10 Tf 40 800 Td "
        + b"(Le plan de concertation locative.) Tj 0 -12 Td " * lines
        + b"ET"
    )


def pdf_shared_stream(pages: int, content: bytes) -> bytes:
    """A PDF of ``pages`` pages all drawing one Flate-compressed content stream."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{5 + n} 0 R".encode() for n in range(pages))
        + f"] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
        + stream
        + b"\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>"
    )
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def docx_paragraphs(title: str, paragraphs: int, length: int, seed: int = 13) -> bytes:
    """A Word document: one Heading 1 (``title``) then ``paragraphs`` paragraphs of
    ``length`` random letters each."""
    base = io.BytesIO()
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph("MARKER")
    document.save(base)
    source = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    xml = source.read("word/document.xml").decode()
    marker = re.search(r"<w:p>(?:(?!<w:p>).)*?MARKER.*?</w:p>", xml, re.S)
    assert marker is not None
    letters = random.Random(seed).randbytes(paragraphs * length).translate(_TO_LETTERS).decode()
    body = "".join(
        f"<w:p><w:r><w:t>{letters[n * length : (n + 1) * length]}</w:t></w:r></w:p>"
        for n in range(paragraphs)
    )
    xml = xml[: marker.start()] + body + xml[marker.end() :]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = xml.encode() if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item.filename, data)
    return out.getvalue()
