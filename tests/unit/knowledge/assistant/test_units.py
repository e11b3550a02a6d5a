"""Whole units: what an answer quotes must read alone."""

from __future__ import annotations

from knowledge.assistant.units import (
    ELLIPSIS_ITEM,
    MAX_UNIT_CHARS,
    split_units,
    whole_units,
)
from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages
from knowledge.ingest.tables import pipe_table
from tests.corpus import CORPUS

FICHES = CORPUS / "circulaire-cus-fiches-indicateurs.txt"


def test_a_dependent_sentence_is_quoted_with_the_one_it_leans_on() -> None:
    units = whole_units(
        "Le bailleur propose des segments de patrimoine. Ils regroupent des immeubles "
        "comparables. Toutefois le préfet peut les refuser.\n\nLa convention dure six ans."
    )
    assert [u.text for u in units] == [
        "Le bailleur propose des segments de patrimoine. Ils regroupent des immeubles "
        "comparables. Toutefois le préfet peut les refuser.",
        "La convention dure six ans.",
    ]
    assert units[0].lead == "Le bailleur propose des segments de patrimoine."
    assert units[0].body.startswith("Ils regroupent")


def test_a_list_whose_lead_in_leans_on_a_sentence_is_read_with_it() -> None:
    units = split_units(
        "La loi impose cette concertation. Ses modalités sont fixées par le plan. "
        "Elle a lieu avec :\n\n- les associations de locataires ;\n\n- les administrateurs élus."
    )
    # « Elle » is the concertation: the list keeps the sentence that says so.
    assert units[-1] == (
        "Ses modalités sont fixées par le plan. Elle a lieu avec :\n"
        "- les associations de locataires ;\n- les administrateurs élus."
    )
    # A lead-in that stands alone keeps no sentence before it.
    alone = split_units("Une phrase.\n\nLes atouts des offices :\n\n- la proximité")
    assert alone == ["Une phrase.", "Les atouts des offices :\n- la proximité"]


def test_every_connector_of_the_brief_joins() -> None:
    for opening in ("Il", "Elle", "Ils", "Elles", "Ces", "Cette", "Ce", "Celle-ci"):
        assert len(split_units(f"Une phrase. {opening} suit la phrase.")) == 1, opening
    for opening in ("En outre", "Toutefois", "À ce titre", "Dans ce cas"):
        assert len(split_units(f"Une phrase.\n\n{opening}, une autre suit.")) == 1, opening
    assert len(split_units("Une phrase. Le préfet signe.")) == 2


def test_an_item_is_never_cut_in_half() -> None:
    units = split_units(
        "Le dossier comprend :\n\n- un plan. Il est daté.\n\n- un devis.\n\nFin du passage."
    )
    assert units == [
        "Le dossier comprend :\n- un plan. Il est daté.\n- un devis.",
        "Fin du passage.",
    ]


def test_a_long_list_is_cut_between_items_with_its_lead_in_each_time() -> None:
    items = [f"- pièce numéro {n} à joindre au dossier de financement" for n in range(25)]
    units = whole_units("La liste des pièces est la suivante :\n\n" + "\n\n".join(items))
    assert len(units) >= 3
    for index, unit in enumerate(units):
        lines = unit.text.splitlines()
        assert lines[0] == "La liste des pièces est la suivante :"
        assert len(unit.text) <= MAX_UNIT_CHARS
        assert all(line in items or line == ELLIPSIS_ITEM for line in lines[1:])
        assert (lines[1] == ELLIPSIS_ITEM) == (index > 0)
        assert (lines[-1] == ELLIPSIS_ITEM) == (index < len(units) - 1)
    quoted = [line for u in units for line in u.text.splitlines()[1:] if line != ELLIPSIS_ITEM]
    assert quoted == items  # every item once, whole, in order


def test_a_table_row_is_quoted_with_its_column_headers() -> None:
    table = pipe_table(
        [["Année", "Logements", "Taux"], ["2025", "40", "10 %"], ["2026", "", "12 %"]]
    )
    units = whole_units("Les cibles retenues :\n\n" + table)
    rows = [u for u in units if u.kind == "row"]
    assert [u.text for u in rows] == [
        "Année : 2025 ; Logements : 40 ; Taux : 10 %",
        "Année : 2026 ; Taux : 12 %",
    ]
    assert all("|" not in u.text for u in units)


def test_fiche_rows_are_quoted_together_never_as_a_lone_label() -> None:
    passages = split_passages(extract(FICHES.name, FICHES.read_bytes()))
    fiche = [p for p in passages if p.indicator == "A.I"]
    units = [u for p in fiche for u in whole_units(p.text, p.heading_path)]
    unit = next(u for u in units if u.text.startswith("Unité de mesure"))
    assert unit.kind == "record"
    assert "Périodicité de la mesure :" in unit.text  # with the rows around it
    assert unit.context and "A.I" in unit.context[-1]
    for u in units:  # no unit is a label alone ("Commentaires", "Description de…")
        assert len(u.text.split()) > 3 or ":" in u.text, u.text


def test_a_label_line_heads_what_follows_it() -> None:
    units = split_units(
        "Commentaires\n\n• Le préfet évalue tous les deux ans.\n\n• Une autre remarque."
    )
    assert units == ["Commentaires :\n- Le préfet évalue tous les deux ans.\n- Une autre remarque."]
    assert split_units("Description de l’indicateur\n\nLe nombre de logements livrés.") == [
        "Description de l’indicateur : Le nombre de logements livrés."
    ]
