"""Tests for knowledge.ingest.cleaning and knowledge.ingest.passages, on crafted text and on the corpus."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from knowledge.ingest.cleaning import (
    clean_blocks,
    clean_text,
    indicator_code,
    is_page_marker,
    repair_doubled_letters,
)
from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages, split_sentences
from knowledge.types import Block, Passage

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CIRCULAIRE = "circulaire-cus-fiches-indicateurs.txt"

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "manifest.json").is_file(),
    reason=f"reference corpus not found at {CORPUS} (shared/ is not next to the repository)",
)

PAGE_LINE_RE = re.compile(r"\bPage\s+\d+\s+sur\s+\d+\b", re.IGNORECASE)

INDICATORS = [
    "A.I", "A.II", "B.I", "B.II", "C.I", "C.II", "C.III", "C.IV", "D.I", "E.I",
    "F.I", "F.II", "F.III", "F.IV", "F.V", "F.VI", "G.I", "G.II", "G.III",
    "H.I", "H.II", "H.III", "H.IV", "H.V", "H.VI", "I.I",
]  # fmt: skip


def words(text: str) -> int:
    return len(text.split())


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


# --- passages -------------------------------------------------------------------------------------


def test_sentences() -> None:
    text = (
        "Le décret est pris en application de l’article L. 445-1 du CCH. Il fixe le contenu "
        "(art. R. 445-5). « Les organismes signent. » Ensuite, n. 3 s’applique ! Fin"
    )
    assert split_sentences(text) == [
        "Le décret est pris en application de l’article L. 445-1 du CCH.",
        "Il fixe le contenu (art. R. 445-5).",
        "« Les organismes signent. »",
        "Ensuite, n. 3 s’applique !",
        "Fin",
    ]


def test_a_heading_always_starts_a_new_passage() -> None:
    blocks = [
        Block("Premier titre", level=1),
        Block("Un court paragraphe."),
        Block("Second titre", level=1),
        Block("Un autre court paragraphe."),
    ]
    passages = split_passages(blocks)
    assert passages == [
        Passage(0, "Un court paragraphe.", ("Premier titre",), "Premier titre"),
        Passage(1, "Un autre court paragraphe.", ("Second titre",), "Second titre"),
    ]


def test_heading_path_is_the_stack_of_enclosing_headings() -> None:
    blocks = [
        Block("Avant tout titre."),
        Block("I – PARTIE", level=1),
        Block("A) Section", level=3),
        Block("Texte de la section."),
        Block("Sous-titre", level=2),
        Block("Texte du sous-titre."),
        Block("II – AUTRE PARTIE", level=1),
        Block("Texte de l’autre partie."),
    ]
    paths = [(p.text, p.heading_path, p.locator) for p in split_passages(blocks)]
    assert paths == [
        ("Avant tout titre.", (), ""),
        ("Texte de la section.", ("I – PARTIE", "A) Section"), "A) Section"),
        ("Texte du sous-titre.", ("I – PARTIE", "Sous-titre"), "Sous-titre"),
        ("Texte de l’autre partie.", ("II – AUTRE PARTIE",), "II – AUTRE PARTIE"),
    ]


def test_locator_is_the_page_when_known() -> None:
    blocks = [Block("Titre", level=1, page=3), Block("Texte.", page=4), Block("Suite.", page=5)]
    (passage,) = split_passages(blocks)
    assert passage.locator == "p. 4"
    assert passage.text == "Texte.\n\nSuite."


def test_paragraphs_are_packed_around_the_target() -> None:
    paragraph = " ".join(["mot"] * 60) + "."
    blocks = [Block("Titre", level=1)] + [Block(paragraph)] * 10  # 600 words
    passages = split_passages(blocks, target_words=220, max_words=400)
    counts = [words(p.text) for p in passages]
    assert sum(counts) == 600
    assert all(c <= 400 for c in counts), counts
    assert all(c >= 110 for c in counts[:-1]), counts
    assert [p.ordinal for p in passages] == list(range(len(passages)))


def test_a_long_paragraph_is_split_at_sentence_boundaries() -> None:
    sentence = "Le bailleur s’engage à " + " ".join(["réhabiliter"] * 25) + " des logements."
    paragraph = " ".join([sentence] * 40)
    passages = split_passages([Block(paragraph)], target_words=220, max_words=400)
    assert len(passages) >= 3
    for passage in passages:
        assert words(passage.text) <= 400
        assert passage.text.startswith("Le bailleur") and passage.text.endswith("logements.")
    assert sum(words(p.text) for p in passages) == words(paragraph)


def test_a_paragraph_without_any_sentence_end_still_respects_max_words() -> None:
    passages = split_passages([Block(" ".join(["cellule"] * 1000))], max_words=150)
    assert [words(p.text) for p in passages] == [150] * 6 + [100]


def test_fiche_passages_are_tagged_until_a_heading_of_the_same_level() -> None:
    blocks = [
        Block("VIII – ANNEXE", level=1),
        Block("FICHE DE DOCUMENTATION DE L’INDICATEUR A.I", level=2),
        Block("Aspect de la politique : développement de l’offre."),
        Block("Commentaires", level=3),
        Block("Cet indicateur concerne les logements ordinaires."),
        Block("Fiche de documentation de l'indicateur  f.vi", level=2),
        Block("Taux de vacance."),
        Block("AUTRE SECTION", level=2),
        Block("Hors fiche."),
    ]
    tagged = [(p.text, p.indicator) for p in split_passages(blocks)]
    assert tagged == [
        ("Aspect de la politique : développement de l’offre.", "A.I"),
        ("Cet indicateur concerne les logements ordinaires.", "A.I"),
        ("Taux de vacance.", "F.VI"),
        ("Hors fiche.", None),
    ]


def test_a_fiche_title_in_a_paragraph_opens_a_fiche() -> None:
    blocks = [
        Block("Introduction générale."),
        Block("FICHE DE DOCUMENTATION DE L’INDICATEUR G.II"),
        Block("Nombre de logements."),
    ]
    passages = split_passages(blocks)
    assert [(p.text, p.indicator, p.locator) for p in passages] == [
        ("Introduction générale.", None, ""),
        ("Nombre de logements.", "G.II", "FICHE DE DOCUMENTATION DE L’INDICATEUR G.II"),
    ]


def test_max_words_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_passages([Block("Texte.")], max_words=0)


def test_no_blocks_no_passages() -> None:
    assert split_passages([]) == []
    assert split_passages([Block("Titre seul", level=1)]) == []


# --- the reference corpus ---------------------------------------------------------------------------


@cache
def corpus_blocks(filename: str) -> list[Block]:
    return extract(filename, (CORPUS / filename).read_bytes())


@cache
def corpus_passages(filename: str, target: int = 220, maximum: int = 400) -> list[Passage]:
    return split_passages(corpus_blocks(filename), target_words=target, max_words=maximum)


def manifest_files() -> list[str]:
    if not (CORPUS / "manifest.json").is_file():
        return []
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [entry["file"] for entry in manifest["documents"]]


def all_text(passages: list[Passage]) -> str:
    return "\n".join([p.text for p in passages] + [" / ".join(p.heading_path) for p in passages])


@needs_corpus
def test_circulaire_has_exactly_26_fiches_each_tagged() -> None:
    passages = corpus_passages(CIRCULAIRE)
    fiche_titles = [b.text for b in corpus_blocks(CIRCULAIRE) if b.level and indicator_code(b.text)]
    assert len(fiche_titles) == 26
    assert [indicator_code(t) for t in fiche_titles] == INDICATORS
    tagged = {p.indicator for p in passages if p.indicator}
    assert tagged == set(INDICATORS)
    for passage in passages:
        if passage.indicator:
            assert any(indicator_code(h) == passage.indicator for h in passage.heading_path)


@needs_corpus
def test_fiche_f_vi_covers_its_own_text_only() -> None:
    passages = [p for p in corpus_passages(CIRCULAIRE) if p.indicator == "F.VI"]
    text = " ".join(p.text for p in passages)
    assert "vacance" in text
    assert "Objectif/Indicateur F.VI" in text
    assert "Objectif/Indicateur G.I" not in text


@needs_corpus
@pytest.mark.parametrize(("target", "maximum"), [(220, 400), (100, 150), (60, 80)])
def test_corpus_passages_never_exceed_max_words(target: int, maximum: int) -> None:
    for filename in manifest_files():
        passages = corpus_passages(filename, target, maximum)
        assert passages, filename
        assert max(words(p.text) for p in passages) <= maximum, filename


@needs_corpus
def test_no_page_marker_is_left() -> None:
    raw = (CORPUS / CIRCULAIRE).read_text(encoding="utf-8")
    assert len(PAGE_LINE_RE.findall(raw)) == 5  # the noise is there to begin with
    for filename in manifest_files():
        assert not PAGE_LINE_RE.search(all_text(corpus_passages(filename))), filename


@needs_corpus
def test_page_markers_give_page_locators() -> None:
    passages = corpus_passages(CIRCULAIRE)
    pages = {p.locator for p in passages if p.locator.startswith("p. ")}
    assert {"p. 9", "p. 29", "p. 41", "p. 62", "p. 66"} <= pages
    first_a_ii = next(p for p in passages if p.indicator == "A.II")
    assert first_a_ii.locator == "p. 29"


@needs_corpus
def test_doubled_letter_headings_are_repaired() -> None:
    raw = (CORPUS / CIRCULAIRE).read_text(encoding="utf-8")
    assert "LLEESS  CCOONNVVEENNTTII OONNSS" in raw
    headings = [b.text for b in corpus_blocks(CIRCULAIRE) if b.level]
    assert "LES CONVENTIONS D’UTILITE SOCIALE" in headings
    assert "FICHE THEMATIQUE N° 1" in headings
    assert "DEFINITION DES INDICATEURS A.I à I.I" in headings
    assert (
        "Tableau de correspondance entre le financement initial et le plafond de ressources "
        "selon que l’ensemble immobilier est conventionné ou non"
    ) in headings
    text = all_text(corpus_passages(CIRCULAIRE))
    for noise in ("LLEESS", "CCOONNVV", "FFII CCHHEE", "TTaabblleeaauu", "DDEEFFII"):
        assert noise not in text
    assert not any(_doubled(b.text) for b in corpus_blocks(CIRCULAIRE))


def _doubled(text: str) -> bool:
    letters = re.sub(r"\W", "", text)
    return len(letters) >= 8 and all(
        letters[i] == letters[i + 1] for i in range(0, len(letters) - 1, 2)
    )


@needs_corpus
def test_headings_split_by_spacing_are_repaired() -> None:
    headings = [b.text for b in corpus_blocks(CIRCULAIRE) if b.level]
    assert "I – LES OBJECTIFS DU « CONVENTIONNEMENT D’UTILITE SOCIALE »" in headings
    assert "II – LA PRESENTATION GENERALE DE LA CONVENTION D’UTILITE SOCIALE" in headings
    assert "IV – L’ELABORATION DE LA CONVENTION D’UTILITE SOCIALE" in headings
    assert "VI – LE ROLE DES SERVICES DE L’ETAT CHARGES DU LOGEMENT" in headings
    assert "VIII- LES FICHES THEMATIQUES ASSOCIEES A LA PRESENTE CIRCULAIRE" in headings
    assert "LES ELEMENTS CONSTITUTIFS D’UNE CONVENTION D’UTILITE SOCIALE" in headings
    joined = "\n".join(headings)
    for noise in ("S OCIALE", "D’UT ILITE", "SOCIA LE", "LOGE MENT", "PRESENT E", "D ’"):
        assert noise not in joined


@needs_corpus
@pytest.mark.parametrize(
    ("filename", "raw_fragment", "clean_fragment"),
    [
        ("guide-concertation-locative.txt", "face aux pro-\nblèmes", "face aux problèmes du « vivre ensemble »"),
        ("guide-concertation-locative.txt", "qui prennent pro-\ngressivement", "qui prennent progressivement conscience"),
        ("guide-contractualisation-oph-collectivites.txt", "de la contractuali-\nsation avec", "termes de la contractualisation avec réalisme"),
        ("reperes-partages-cus-collectivites.txt", "la loi de mobili-\nsation", "par la loi de mobilisation pour le logement"),
        ("reperes-partages-cus-collectivites.txt", "projet straté-\ngique global", "son projet stratégique global"),
    ],
)  # fmt: skip
def test_words_cut_at_line_end_are_joined(
    filename: str, raw_fragment: str, clean_fragment: str
) -> None:
    raw = (CORPUS / filename).read_text(encoding="utf-8")
    assert raw_fragment in raw
    assert clean_fragment in all_text(corpus_passages(filename))


@needs_corpus
def test_hyphenated_compounds_cut_at_line_end_keep_their_hyphen() -> None:
    raw = (CORPUS / CIRCULAIRE).read_text(encoding="utf-8")
    for fragment in ("logements-\nfoyers", "Le non-\nrespect", "BOLERO-\nWEB", "valeur-\ncible"):
        assert fragment in raw
    text = all_text(corpus_passages(CIRCULAIRE))
    assert "de logements-foyers, il sera tenu" in text
    assert "Le non-respect" in text
    assert "la base de données BOLERO-WEB pour les Offices publics" in text
    assert "Vérification de la faisabilité de la valeur-cible (notamment" in text
    for noise in ("logementsfoyers", "nonrespect", "BOLEROWEB", "valeurcible"):
        assert noise not in text


@needs_corpus
def test_no_line_is_left_broken_mid_sentence() -> None:
    raw = (CORPUS / "reperes-partages-cus-collectivites.txt").read_text(encoding="utf-8")
    assert "organismes Hlm\nremplissent" in raw
    text = all_text(corpus_passages("reperes-partages-cus-collectivites.txt"))
    assert "les organismes Hlm remplissent leur mission d’intérêt général." in text
    assert "\ufffd" not in all_text(corpus_passages("guide-concertation-locative.txt"))


@needs_corpus
def test_every_document_yields_passages_with_locators() -> None:
    files = manifest_files()
    assert len(files) == 5
    for filename in files:
        passages = corpus_passages(filename)
        assert passages, filename
        located = [p for p in passages if p.locator]
        assert len(located) >= 0.6 * len(passages), filename
        # Past the first heading, every passage can be cited.
        assert all(p.locator for p in passages if p.heading_path), filename
        for passage in passages:
            assert passage.text.strip()
            assert not passage.locator.startswith("p. ") or passage.locator[3:].isdigit()


@needs_corpus
def test_markdown_fiche_gets_its_sections() -> None:
    passages = corpus_passages("oph-role-missions-atouts.md")
    assert [p.locator for p in passages] == ["Rôle", "Missions", "Atouts"]
    assert "**" not in all_text(passages)
