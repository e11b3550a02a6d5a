"""knowledge.ingest.cleaning on crafted text: page markers, cut words and broken lines,
doubled letters, headings, fiche codes."""

from __future__ import annotations

import pytest

from knowledge.ingest.cleaning import (
    clean_blocks,
    clean_text,
    indicator_code,
    is_page_marker,
    repair_doubled_letters,
)
from knowledge.types import Block, BlockKind

# --- cleaning: page markers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "page"),
    [
        (" Page 29 sur 78 ", 29),
        ("Page 9 sur 78", 9),
        ("page 3/10", 3),
        ("- Page 12 -", 12),
        ("Page 4", 4),
        ("La page 29 sur 78 du guide", None),
        ("Pages 2 et 3", None),
    ],
)
def test_page_marker(line: str, page: int | None) -> None:
    assert is_page_marker(line) == page


def test_page_markers_become_the_page_of_the_following_blocks() -> None:
    raw = (
        "Avant le premier repère.\n\n"
        " Page 9 sur 78 \n\n"
        "La concertation est obligatoire pour le classement.\n\n"
        "Page 10 sur 78\n"
        "Les loyers maximaux sont fixés par immeuble.\n"
    )
    assert clean_text(raw) == [
        Block("Avant le premier repère."),
        Block("La concertation est obligatoire pour le classement.", page=9),
        Block("Les loyers maximaux sont fixés par immeuble.", page=10),
    ]


def test_page_is_forgotten_at_the_next_page_break() -> None:
    # In the corpus a line starting with one space opens a new page of the original.
    raw = "Page 9 sur 78\nSur la page neuf.\n\n Sur une page suivante, inconnue.\n"
    blocks = clean_text(raw)
    assert [b.page for b in blocks] == [9, None]


def test_sentence_broken_by_a_page_marker_is_rejoined() -> None:
    raw = "Le cahier des charges doit également identifier les logements\n\n Page 9 sur 78 \n\nfinancés en PLAI.\n"
    assert clean_text(raw) == [
        Block("Le cahier des charges doit également identifier les logements financés en PLAI.")
    ]


# --- cleaning: cut words and broken lines ---------------------------------------------------------


def test_word_cut_at_line_end_is_joined() -> None:
    raw = "Les travaux de réhabi-\nlitation commencent.\nLa contractuali-\nsation est libre.\n"
    assert clean_text(raw) == [
        Block("Les travaux de réhabilitation commencent."),
        Block("La contractualisation est libre."),
    ]


def test_real_compounds_keep_their_hyphen() -> None:
    raw = (
        "Il faut peut-être consulter les logements-foyers du Centre-Val-de-Loire. Les\n"
        "logements-\nfoyers sont concernés, en Centre-Val-de-\nLoire aussi, et le non-\n"
        "respect des engagements est sanctionné, au-\ndelà de la valeur-cible ; voir BOLERO-\nWEB.\n"
    )
    (block,) = clean_text(raw)
    assert "peut-être" in block.text
    assert "Les logements-foyers sont concernés" in block.text
    assert "Centre-Val-de-Loire aussi" in block.text
    assert "le non-respect des engagements" in block.text
    assert "au-delà" in block.text
    assert "BOLERO-WEB" in block.text


def test_a_word_seen_whole_elsewhere_is_joined_even_with_a_capital() -> None:
    raw = "LES ORGANISMES\n\nLe rôle des ORGA-\nNISMES est central.\n"
    assert clean_text(raw)[-1].text == "Le rôle des ORGANISMES est central."


def test_numbers_cut_at_line_end_keep_the_hyphen() -> None:
    raw = "Les logements-foyers relèvent des articles L. 633-1 et R. 351-\n55 du CCH.\n"
    assert "R. 351-55 du CCH." in clean_text(raw)[0].text


def test_lines_are_rejoined_into_paragraphs_on_blank_lines() -> None:
    raw = (
        "La convention d’utilité sociale est signée pour une durée de six ans. Elle doit être\n"
        "renouvelée pour une période identique.\n"
        "\n"
        "Le classement du patrimoine va fonder la politique de remise en ordre des loyers.\n"
    )
    assert [b.text for b in clean_text(raw)] == [
        "La convention d’utilité sociale est signée pour une durée de six ans. Elle doit être "
        "renouvelée pour une période identique.",
        "Le classement du patrimoine va fonder la politique de remise en ordre des loyers.",
    ]


def test_list_items_stay_separate_and_lost_bullets_are_restored() -> None:
    raw = (
        "La contractualisation peut recouvrir des champs très différents :\n"
        "➜ produire, réhabiliter plus ou autrement.\n"
        "> \ufffdRestructurer le patrimoine (changement de typologie,\n\n"
        "d’usage, démolition, vente).\n"
        "- Définir des politiques de loyers.\n"
    )
    assert [b.text for b in clean_text(raw)] == [
        "La contractualisation peut recouvrir des champs très différents :",
        "• produire, réhabiliter plus ou autrement.",
        "• Restructurer le patrimoine (changement de typologie, d’usage, démolition, vente).",
        "- Définir des politiques de loyers.",
    ]


def test_spaces_around_elisions_and_before_periods_are_removed() -> None:
    (block,) = clean_text("LES ELEMENTS CONSTITUTIFS D ’UNE CONVENTION D ’UTILITE SOCIALE .\n")
    assert block.text == "LES ELEMENTS CONSTITUTIFS D’UNE CONVENTION D’UTILITE SOCIALE"


# --- cleaning: doubled letters and split words --------------------------------------------------


def test_repair_doubled_letters() -> None:
    assert (
        repair_doubled_letters(
            "LLEESS  CCOONNVVEENNTTII OONNSS  DD’’ UUTTII LLII TTEE  SSOOCCII AALLEE  "
        )
        == "LES CONVENTIONS D’UTILITE SOCIALE"
    )
    assert repair_doubled_letters("AA..II   àà  II ..II") == "A.I à I.I"
    assert repair_doubled_letters("LLEESS  CCOONNVVEENNTTIIOONNSS  X") is None


def test_doubled_letter_headings_are_repaired_or_dropped() -> None:
    raw = (
        "LLEESS  CCOONNVVEENNTTII OONNSS  DD’’ UUTTII LLII TTEE  SSOOCCII AALLEE  \n"
        "FFII CCHHEE  TTHHEEMM AATTII QQUUEE  NN°°  11  \n"
        "\n"
        "LLEESS  CCOONNVVEENNTTIIOONNSS  DDEE  SSOOCCIIAALLEESS  Q\n"
        "\n"
        "Au sein de la fiche thématique, toutes les fiches sont construites sur le même modèle.\n"
    )
    assert clean_text(raw) == [
        Block("LES CONVENTIONS D’UTILITE SOCIALE", level=2),
        Block("FICHE THEMATIQUE N° 1", level=2),
        Block(
            "Au sein de la fiche thématique, toutes les fiches sont construites sur le même modèle."
        ),
    ]


def test_words_split_by_spacing_in_a_heading_are_joined() -> None:
    raw = (
        "II – LA PRESENTATION GENERALE DE LA CONVENTION D’UT ILITE\n"
        "SOCIALE\n\n"
        "La convention d’utilité sociale est présentée ici, avec son utilité sociale et "
        "les charges de gestion sociale du logement.\n\n"
        "VI – LE ROLE DES SERVICES DE L’ETAT CHARGES DU LOGE MENT\n\n"
        "Les services de l’Etat accompagnent l’organisme.\n"
    )
    headings = [b.text for b in clean_text(raw) if b.level]
    assert headings == [
        "II – LA PRESENTATION GENERALE DE LA CONVENTION D’UTILITE SOCIALE",
        "VI – LE ROLE DES SERVICES DE L’ETAT CHARGES DU LOGEMENT",
    ]


def test_vertical_text_of_table_cells_is_dropped() -> None:
    raw = "Le numérateur est calculé ainsi.\n\nN\nU\n\nM\nÉ\n\nR\n\nLes charges récupérables.\n"
    assert [b.text for b in clean_text(raw)] == [
        "Le numérateur est calculé ainsi.",
        "Les charges récupérables.",
    ]


# --- cleaning: headings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("I – LES OBJECTIFS DU CONVENTIONNEMENT", 1),
        ("VIII- LES FICHES THEMATIQUES", 1),
        ("II. Le contenu de la convention", 1),
        ("1. Les engagements", 2),
        ("1.2 Les indicateurs de gestion", 3),
        ("2.3.1 Le calcul", 4),
        ("A) Les obligations de l’organisme", 3),
        ("LE SUPPLEMENT DE LOYER DE SOLIDARITE", 2),
        ("FICHE DE DOCUMENTATION DE L’INDICATEUR F.VI", 2),
    ],
)
def test_heading_detection(line: str, level: int) -> None:
    raw = f"Un paragraphe avant.\n\n{line}\n\nLe texte qui suit le titre, assez long pour être de la prose.\n"
    blocks = clean_text(raw)
    assert blocks[1] == Block(line, level=level)


@pytest.mark.parametrize(
    "line",
    [
        "HBM PLUS PLUS",  # a row of a table of acronyms
        "ANNÉES 2009 2010 2011 à 2020",  # mostly numbers
        "31 mai 2010 : date limite d’association des collectivités locales",
        "1. Le bailleur s'engage à réhabiliter 120 logements.",
        "2 Le plafond résulte des dispositions de la convention initiale",  # a footnote
    ],
)
def test_not_headings(line: str) -> None:
    raw = (
        f"Un paragraphe avant.\n\n{line}\n\nLe texte qui suit, assez long pour être de la prose.\n"
    )
    assert all(b.level == 0 for b in clean_text(raw))


def test_mixed_case_headings_between_prose() -> None:
    raw = (
        " Introduction\n"
        "Tous les acteurs de la ville soulignent les besoins de participation active des habitants.\n\n"
        "Les instances nationales et régionales\n\n"
        "La concertation repose sur des instances nationales mises en place dès 1982.\n\n"
        "Qui est signataire ?\n\n"
        "La convention d’utilité sociale est signée pour six ans entre chaque organisme et l’Etat.\n\n"
        "Thomas Quéro,\n"
        "Président de Nantes Métropole Habitat\n\n"
        "La contractualisation est librement négociée entre les parties, sans figure imposée.\n"
    )
    headings = [b.text for b in clean_text(raw) if b.level]
    assert headings == [
        "Introduction",
        "Les instances nationales et régionales",
        "Qui est signataire ?",
    ]


def test_wrapped_capital_heading_with_its_subtitle() -> None:
    raw = (
        "Il propose une lecture commune.\n"
        " LE CONVENTIONNEMENT\n"
        "D’UTILITE SOCIALE\n"
        "pour quoi faire\n"
        "Le conventionnement d’utilité sociale conforte pour les organismes le mandatement.\n"
    )
    assert clean_text(raw)[1] == Block(
        "LE CONVENTIONNEMENT D’UTILITE SOCIALE pour quoi faire", level=2
    )


def test_arrow_label_is_a_heading() -> None:
    blocks = clean_blocks(
        [Block("→ Rôle :"), Block("Les offices sont des établissements publics.")]
    )
    assert blocks[0] == Block("Rôle", level=3)


def test_clean_blocks_keeps_given_headings_and_pages() -> None:
    blocks = clean_blocks(
        [
            Block("Titre du document", level=1, page=1),
            Block("Une phrase coupée au milieu de la\nligne, et reprise.\nPage 1 sur 2", page=1),
            Block("Court titre sans point", page=2),
            Block("Un texte de la page deux, assez long pour être de la prose normale.", page=2),
        ]
    )
    assert blocks == [
        Block("Titre du document", level=1, page=1),
        Block("Une phrase coupée au milieu de la ligne, et reprise.", page=1),
        # The source has headings of its own: short lines are not guessed as headings.
        Block("Court titre sans point", page=2),
        Block("Un texte de la page deux, assez long pour être de la prose normale.", page=2),
    ]


def test_clean_blocks_is_stable_on_clean_blocks() -> None:
    raw = (
        "I – LES OBJECTIFS\n\nLe conventionnement répond à plusieurs objectifs :\n\n"
        "- Favoriser l’expression de projets.\n\n"
        "FICHE DE DOCUMENTATION DE L’INDICATEUR A.I\n\nAspect de la politique Développement.\n"
    )
    once = clean_text(raw)
    assert clean_blocks(once) == once


# --- fiche codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FICHE DE DOCUMENTATION DE L’INDICATEUR F.VI", "F.VI"),
        ("FICHE DE DOCUMENTATION DE L'INDICATEUR F.VI", "F.VI"),
        ("Fiche de documentation de l’ indicateur  f.vi", "F.VI"),
        ("FICHE  DE DOCUMENTATION DE L ’INDICATEUR A. II", "A.II"),
        ("FICHE DE DOCUMENTATION DE L’INDICATEUR H VI", "H.VI"),
        ("FICHE DE DOCUMENTATION DE L’INDICATEUR FVI", "F.VI"),
        ("FICHE DE DOCUMENTATION DE L’INDICATEUR ALF.I", "ALF.I"),
        ("Les fiches de documentation des indicateurs", None),
        ("Voir la FICHE DE DOCUMENTATION DE L’INDICATEUR A.I", None),
    ],
)
def test_indicator_code(text: str, code: str | None) -> None:
    assert indicator_code(text) == code


def test_fiche_rows_read_as_label_value_lines_are_written_label_colon_value() -> None:
    blocks = clean_text(
        "FICHE DE DOCUMENTATION DE L’INDICATEUR F.VI\n\n"
        "Unité de mesure %\n\n"
        "Déclinaison de l’indicateur Par type de financement : PLUS, PLS\n"
        "Définition des variables V1 = Nombre de logements\n"
    )
    texts = [b.text for b in blocks if b.level == 0]
    assert texts == [
        "Unité de mesure : %",
        "Déclinaison de l’indicateur : Par type de financement : PLUS, PLS",
        "Définition des variables : V1 = Nombre de logements",  # its own row again
    ]


def test_clean_blocks_passes_a_table_through() -> None:
    table = Block("| Année | Taux |\n| --- | --- |\n| 2025 | 10 % |", kind=BlockKind.TABLE)
    cleaned = clean_blocks([Block("Titre", level=1), Block("Les cibles :"), table])
    assert cleaned[-1] == table
