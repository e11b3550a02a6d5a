"""The limits of a section's text: each refused past its limit, with the limit named,
and a body at every limit at once still accepted."""

from __future__ import annotations

from datetime import datetime

import pytest

from workflows.errors import InvalidInput, TooLarge
from workflows.limits import (
    MAX_BODY_BYTES,
    MAX_EMPHASIS_RUNS,
    MAX_HUNKS,
    MAX_LINK_MARKS,
    MAX_NESTING,
    MAX_OTHER_MARKS,
    MAX_PARAGRAPHS,
    MAX_TABLE_CELLS,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    check_body,
    check_hunks,
    number,
)
from workflows.revisions import clean_body
from workflows.word.export import ConventionDoc, SectionDoc, export_docx
from workflows.word.importer import Target, plan_import
from workflows.word.reader import read_docx


def table(columns: int, rows: int = 1) -> str:
    header = "|" + "".join(f" c{k} |" for k in range(columns))
    delimiter = "|" + "---|" * columns
    return "\n".join([header, delimiter] + ["|" + " x |" * columns] * rows)


def nested_list(levels: int) -> str:
    return "\n".join("  " * k + f"- niveau {k + 1}" for k in range(levels))


def test_the_reproductions_are_refused_naming_their_limit():
    with pytest.raises(TooLarge, match=f"{number(MAX_PARAGRAPHS)} par section"):
        clean_body("p\n\n" * 330_000)
    with pytest.raises(TooLarge, match=f"{number(MAX_EMPHASIS_RUNS)} par section"):
        clean_body("_*" * 499_000)
    with pytest.raises(TooLarge, match=f"{MAX_TABLE_COLUMNS} colonnes"):
        clean_body("|" + "a|" * 100_000 + "\n|" + "-|" * 100_000)


@pytest.mark.parametrize(
    ("under", "over", "refusal", "said"),
    [
        ("p\n\n" * MAX_PARAGRAPHS, "p\n\n" * (MAX_PARAGRAPHS + 1), TooLarge, "paragraphes"),
        ("*a* " * (MAX_EMPHASIS_RUNS // 2), "*a* " * (MAX_EMPHASIS_RUNS // 2 + 1), TooLarge,
         "marques de mise en forme"),
        ("[" * MAX_LINK_MARKS, "[" * (MAX_LINK_MARKS + 1), TooLarge, "crochets"),
        ("\\&" * (MAX_OTHER_MARKS // 2), "\\&" * (MAX_OTHER_MARKS // 2 + 1), TooLarge,
         "balisage"),
        (table(MAX_TABLE_COLUMNS), table(MAX_TABLE_COLUMNS + 1), TooLarge, "colonnes"),
        (table(1, MAX_TABLE_ROWS - 1), table(1, MAX_TABLE_ROWS), TooLarge, "lignes"),
        (table(50, MAX_TABLE_CELLS // 50 - 1), table(50, MAX_TABLE_CELLS // 50), TooLarge,
         "cellules"),
        (nested_list(MAX_NESTING), nested_list(MAX_NESTING + 1), InvalidInput, "niveaux"),
        ("> " * MAX_NESTING + "x", "> " * (MAX_NESTING + 1) + "x", InvalidInput, "niveaux"),
        ("a" * MAX_BODY_BYTES, "é" * (MAX_BODY_BYTES // 2 + 1), TooLarge, "1 Mo"),
    ],
)  # fmt: skip
def test_each_limit_is_refused_past_it_and_kept_at_it(under, over, refusal, said):
    check_body(under)
    with pytest.raises(refusal, match=said) as refused:
        check_body(over)
    # Structure is bad input (400); every count is too large (413).
    assert refused.value.status == (400 if refusal is InvalidInput else 413)


def test_the_table_limits_apply_to_each_table_and_lists_count_with_quotes():
    check_body("\n\n".join([table(50, MAX_TABLE_CELLS // 50 - 1)] * 2))
    with pytest.raises(InvalidInput, match="niveaux"):
        check_body("> " * (MAX_NESTING - 1) + "- x\n" + "> " * (MAX_NESTING - 1) + "  - y")


def test_a_long_delimiter_like_line_is_read_once():
    # Not a table (no header), however long: accepted, and without reading it again
    # and again (a backtracking pattern would take minutes here).
    check_body("-|" * 400_000 + "x")


def test_ordinary_text_of_one_megabyte_and_every_word_bold_pass():
    sentence = "Le bailleur réhabilite 1 200 logements d'ici 2030, avec l'EPCI. "
    paragraph = sentence * 8
    check_body("\n\n".join([paragraph] * (MAX_BODY_BYTES // (len(paragraph.encode()) + 2))))
    check_body(" ".join(f"**m{k}**" for k in range(90_000)))


def test_the_hunks_of_a_contribution():
    check_hunks(MAX_HUNKS)
    with pytest.raises(TooLarge, match=f"{number(MAX_HUNKS)} par contribution"):
        check_hunks(MAX_HUNKS + 1)


def test_the_section_is_named_when_given():
    with pytest.raises(InvalidInput, match="La section « Patrimoine » du document imbrique"):
        check_body(nested_list(MAX_NESTING + 1), "La section « Patrimoine » du document")


def test_a_word_document_past_the_limits_is_refused_naming_its_section():
    wide = table(MAX_TABLE_COLUMNS + 1)
    convention = ConventionDoc(
        id=7,
        kind="Convention d'utilité sociale",
        title="CUS test",
        organisme="OPH test",
        period="2025-2030",
        state="Négociation",
        exported_at=datetime(2026, 11, 22, 10, 0),
        signatories=("EPCI test",),
        associated=(),
        sections=(SectionDoc(1, "Patrimoine", wide, 1),),
    )
    document = read_docx(export_docx(convention))
    with pytest.raises(TooLarge, match="tableau de la section « Patrimoine » du document"):
        plan_import(document, [Target(1, "Patrimoine", "Texte court.", 1)])
