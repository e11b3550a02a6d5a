"""knowledge.ingest.passages on crafted text, and the whole ingestion (extraction,
cleaning, passages) on the reference corpus."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from knowledge.ingest.cleaning import (
    indicator_code,
)
from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages, split_sentences
from knowledge.ingest.tables import parse_pipe_table, pipe_table
from knowledge.types import Block, BlockKind, Passage
from tests.corpus import CORPUS

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


# --- tables and the lines that head a passage ---------------------------------------------


def test_a_table_stays_a_table_and_a_long_one_is_cut_between_rows() -> None:
    rows = [["Année", "Segment", "Logements mis en service"]]
    rows += [[str(2020 + n), f"segment {n} du patrimoine", str(10 * n)] for n in range(60)]
    table = pipe_table(rows)
    blocks = [Block("Cibles", level=1), Block(table, kind=BlockKind.TABLE)]
    passages = split_passages(blocks, target_words=60, max_words=80)
    assert len(passages) > 3
    seen: list[tuple[str, ...]] = []
    for passage in passages:
        parsed = parse_pipe_table(passage.text)
        assert parsed is not None, passage.text  # each piece is a whole pipe table
        assert parsed.headers == tuple(rows[0])  # with its header row
        assert all(len(row) == 3 for row in parsed.rows)  # no row cut
        seen.extend(parsed.rows)
    assert seen == [tuple(r) for r in rows[1:]]


def test_a_heading_like_line_opens_the_passage_it_heads() -> None:
    long = " ".join(["Le bailleur présente son patrimoine en détail."] * 13)
    blocks = [
        Block("Titre", level=1),
        Block(long),
        Block("Qui est signataire"),
        Block("Les signataires sont le bailleur et le préfet."),
        Block(long),
    ]
    passages = split_passages(blocks, target_words=100, max_words=120)
    assert len(passages) == 2
    assert passages[0].text == long  # the heading left the passage it would have closed
    for passage in passages:
        assert not passage.text.endswith("Qui est signataire")
    heading = next(p for p in passages if "Qui est signataire" in p.text)
    assert heading.text.startswith("Qui est signataire\n\nLes signataires")
