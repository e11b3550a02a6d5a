"""A spreadsheet of indicator values (.csv or .xlsx) read into plain rows, and the template
to fill in. Pure: bytes in, rows of strings out; what the rows mean (which cell, whether
the calculator takes its variables) is the application's planning (app/targets/grid.py).

The layout, one row per value (a target or an achieved value of one indicator, one
scope, one year):

========== ===========================================================================
Column     Holds
========== ===========================================================================
indicateur the catalogue code (« G.III », « g3 », « F.VI »…)
annee      a year of the convention (2025)
perimetre  the département or segment of stock, as on the page
nature     « cible » or « réalisé »
V1, V2…    the indicator's variables, as its fiche names them (V1.a, V1.b… for H.III);
           the columns an indicator does not use stay empty
========== ===========================================================================

A value is its variables, not a bare figure: the calculator computes it from them (a
rate from its numerator and denominator), as it does on the page, so that a target is
always the result of its own figures. Headers are matched without case or accents;
columns may come in any order and unknown ones are refused (a typo would otherwise drop
a variable silently).

CSV: UTF-8 (with or without BOM) or, failing that, Windows-1252 as Excel writes it in
France; ``;`` or ``,`` between fields, guessed from the header line; decimal commas
(« 15,5 ») are read by the calculator as it reads the form.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

from openpyxl import Workbook, load_workbook

from workflows.files import FileRefused, check_upload

EXTENSIONS = (".csv", ".xlsx")
# A full CUS is some 312 values (26 indicators × 6 years × 2 kinds), a few times more
# with several scopes: a file of 2,000 rows is far above that, and its planning (one
# calculator call per row) stays within a request. 1 MB holds 2,000 rows many times.
MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2_000
# Lines read at most, blank ones included (a sheet may carry thousands of empty rows).
MAX_LINES = 5 * MAX_ROWS
# A cell longer than a scope is no value of ours.
MAX_CELL_CHARS = 200
# An .xlsx is a ZIP archive: bounded before openpyxl inflates it (a few KB of sheet
# may claim gigabytes once decompressed).
XLSX_MAX_ENTRIES = 200
XLSX_MAX_INFLATED_BYTES = 30 * 1024 * 1024

KEY_COLUMNS = ("indicateur", "annee", "perimetre", "nature")
VARIABLE_COLUMNS = ("V1", "V2", "V1.a", "V1.b", "V1.c")
HEADER = (*KEY_COLUMNS, *VARIABLE_COLUMNS)


@dataclass(frozen=True)
class FileRow:
    """One row of the file as typed: its line number (the header is line 1)."""

    line: int
    code: str
    year: str
    scope: str
    kind: str
    variables: dict[str, str]  # the filled-in variable columns only


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


_COLUMN_BY_PLAIN = {_plain(name): name for name in HEADER} | {
    # What people naturally write for the key columns.
    "code": "indicateur",
    "annee": "annee",
    "scope": "perimetre",
    "segment": "perimetre",
    "kind": "nature",
    "year": "annee",
}


def _columns(header: Sequence[str], name: str) -> list[str]:
    columns = []
    for raw in header:
        column = _COLUMN_BY_PLAIN.get(_plain(raw))
        if column is None:
            raise FileRefused(
                f"Le fichier « {name} » a une colonne inconnue « {raw.strip()[:40]} » : "
                f"les colonnes attendues sont {', '.join(HEADER)} (téléchargez le modèle)."
            )
        if column in columns:
            raise FileRefused(f"Le fichier « {name} » a deux colonnes « {column} ».")
        columns.append(column)
    missing = [c for c in KEY_COLUMNS if c not in columns]
    if missing:
        raise FileRefused(
            f"Il manque au fichier « {name} » la ou les colonnes {', '.join(missing)} "
            "(téléchargez le modèle)."
        )
    return columns


def _rows(name: str, lines: Iterable[Sequence[str]]) -> list[FileRow]:
    iterator = iter(lines)
    header = next(iterator, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(iterator, None)
    if header is None:
        raise FileRefused(f"Le fichier « {name} » ne contient aucune ligne.")
    while header and not header[-1].strip():  # trailing empty cells of a spreadsheet
        header = header[:-1]
    columns = _columns(header, name)
    rows: list[FileRow] = []
    for number, cells in enumerate(iterator, start=2):
        if number > MAX_LINES:
            raise FileRefused(
                f"Le fichier « {name} » compte plus de {MAX_LINES} lignes, vides comprises."
            )
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(rows) >= MAX_ROWS:
            raise FileRefused(
                f"Le fichier « {name} » compte plus de {MAX_ROWS} lignes de valeurs : "
                "importez-le en plusieurs fois."
            )
        extra = [c for c in cells[len(columns) :] if c.strip()]
        if extra:
            raise FileRefused(
                f"Ligne {number} du fichier « {name} » : plus de cellules que de colonnes."
            )
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise FileRefused(
                    f"Ligne {number} du fichier « {name} » : une cellule dépasse "
                    f"{MAX_CELL_CHARS} caractères."
                )
        by_column = {column: cells[i].strip() for i, column in enumerate(columns) if i < len(cells)}
        rows.append(
            FileRow(
                line=number,
                code=by_column.get("indicateur", ""),
                year=by_column.get("annee", ""),
                scope=by_column.get("perimetre", ""),
                kind=by_column.get("nature", ""),
                variables={v: by_column[v] for v in VARIABLE_COLUMNS if by_column.get(v, "") != ""},
            )
        )
    return rows


# --- CSV ----------------------------------------------------------------------------------


def _decoded(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un texte lisible (UTF-8 ou Windows-1252)."
        ) from None


def _delimiter(text: str) -> str:
    """``;`` (Excel in French, whose decimal separator is the comma) or ``,``: whichever
    the header line holds more of, outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside = first.split('"')[::2]
    semicolons = sum(part.count(";") for part in outside)
    commas = sum(part.count(",") for part in outside)
    return ";" if semicolons >= commas else ","


def read_csv(name: str, data: bytes) -> list[FileRow]:
    if b"\x00" in data:
        raise FileRefused(f"Le fichier « {name} » n'est pas un fichier texte CSV.")
    text = _decoded(name, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        return _rows(name, reader)
    except csv.Error as error:
        raise FileRefused(f"Le fichier « {name} » n'est pas un CSV lisible : {error}.") from None


# --- XLSX ---------------------------------------------------------------------------------


def _check_archive(name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un classeur Excel .xlsx valide."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > XLSX_MAX_ENTRIES or (
            sum(entry.file_size for entry in entries) > XLSX_MAX_INFLATED_BYTES
        ):
            raise FileRefused(f"Le classeur « {name} » est trop volumineux une fois décompressé.")
        if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
            raise FileRefused(f"Le classeur « {name} » contient des macros : il est refusé.")


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text the rules read: numbers in full ("0.1" rather than
    a rounding), OUI/NON for a boolean."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "OUI" if value else "NON"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()  # refused further on as no number nor year
    return str(value)


def read_xlsx(name: str, data: bytes) -> list[FileRow]:
    _check_archive(name, data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise FileRefused(
            f"Le fichier « {name} » n'est pas un classeur Excel .xlsx lisible."
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(f"Le classeur « {name} » n'a aucune feuille.")
        lines = (
            [_cell_text(value) for value in row]
            for row in sheet.iter_rows(values_only=True, max_col=len(HEADER) + 5)
        )
        return _rows(name, lines)
    finally:
        workbook.close()


def read_file(filename: str, data: bytes) -> tuple[str, list[FileRow]]:
    """The name to show and the rows of an uploaded .csv or .xlsx; FileRefused (nothing
    read) for an empty, too large or other kind of file, or a layout not ours."""
    name = check_upload(filename, data, EXTENSIONS, MAX_FILE_BYTES)
    if PurePath(name).suffix.lower() == ".xlsx":
        return name, read_xlsx(name, data)
    return name, read_csv(name, data)


# --- the template -------------------------------------------------------------------------

# Two example rows: a rate (numerator, denominator) and a count.
_EXAMPLES = (
    ("G.III", "{year}", "{scope}", "cible", "30", "200", "", "", ""),
    ("A.I", "{year}", "{scope}", "cible", "120", "", "", "", ""),
)


def template_rows(year: int, scope: str) -> list[tuple[str, ...]]:
    return [HEADER] + [
        tuple(cell.format(year=year, scope=scope) for cell in row) for row in _EXAMPLES
    ]


def template_csv(year: int, scope: str) -> bytes:
    """The template as Excel in France opens it: ``;`` between fields, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(template_rows(year, scope))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(year: int, scope: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "valeurs"
    for row in template_rows(year, scope):
        sheet.append([int(c) if c.isdigit() else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
