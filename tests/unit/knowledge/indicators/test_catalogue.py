"""The indicator catalogue checked against the circulaire's fiches."""

from __future__ import annotations

import re
import unicodedata

import pytest

from knowledge.indicators.catalogue import CATALOGUE, CODES
from knowledge.indicators.codes import get
from tests.corpus import CORPUS

CIRCULAIRE = CORPUS / "circulaire-cus-fiches-indicateurs.txt"


FICHE_HEADING = re.compile(r"FICHE DE DOCUMENTATION DE L[’']INDICATEUR ([A-I]\.[IV]+)")


SHINGLE = 12  # a run of this many words shared with the corpus counts as copied


needs_corpus = pytest.mark.skipif(
    not CIRCULAIRE.is_file(),
    reason=f"corpus absent: {CIRCULAIRE} (catalogue not checked against it)",
)


def fold(text: str) -> str:
    """Lower case, no accents, typographic apostrophes made plain, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("\u00a0", " ").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


@pytest.fixture(scope="module")
def corpus() -> str:
    if not CIRCULAIRE.is_file():
        pytest.skip(f"corpus absent: {CIRCULAIRE}")
    return CIRCULAIRE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fiches(corpus: str) -> dict[str, str]:
    """Code -> text of its fiche (from its heading to the next heading)."""
    matches = list(FICHE_HEADING.finditer(corpus))
    sections = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(corpus)
        sections[match.group(1)] = corpus[match.end() : end]
    return sections


def field(fiche: str, start: str, end: str) -> str:
    """Folded text between two field labels of a fiche."""
    folded = fold(fiche)
    begin = folded.index(fold(start)) + len(fold(start))
    return folded[begin : folded.index(fold(end), begin)].strip()


# --- the catalogue against the fiches --------------------------------------------------


@needs_corpus
def test_every_fiche_has_an_entry_and_nothing_else(fiches):
    assert len(fiches) == 26
    assert list(fiches) == list(CATALOGUE)  # same codes, same order A.I ... I.I
    assert len(CATALOGUE) == 26


def normalise_unit(text: str) -> str:
    text = fold(text).replace("(hors taxe)", "hors taxe").replace("hors taxe", "ht")
    text = re.sub(r"\(.*?(\)|$)", "", text)  # "(calculés conformément au 4° du B ...)"
    text = text.replace("euros", "€").replace("nombres ", "nombre ")
    return " ".join(text.split())


# The fiche of H.III gives "Nombre d'arrêts" as unit, but its formula divides by the number
# of appliances: the catalogue states the unit of the computed value.
UNIT_REFINEMENTS = {"H.III": " par appareil"}


@needs_corpus
def test_units_match_the_fiches(fiches):
    for code, fiche in fiches.items():
        expected = normalise_unit(field(fiche, "Unité de mesure", "Périodicité de la mesure"))
        expected += UNIT_REFINEMENTS.get(code, "")
        assert normalise_unit(CATALOGUE[code].unit) == expected, code


@needs_corpus
def test_aspects_match_the_fiches(fiches):
    for code, fiche in fiches.items():
        expected = field(fiche, "Aspect de la politique", "Engagement")
        expected = expected.replace("qualite de service", "qualite du service")  # H.VI
        assert fold(CATALOGUE[code].aspect) == expected, code


@needs_corpus
def test_scales_match_the_fiches(fiches):
    for code, fiche in fiches.items():
        scale = field(fiche, "Echelle de l'indicateur", "Déclinaison de l'indicateur")
        expected = "département" if scale == "departement" else "segment de patrimoine"
        assert scale in {"departement", "segment", "par segment"}, code
        assert CATALOGUE[code].scale == expected, code


@needs_corpus
def test_periodicities_match_the_fiches(fiches):
    expected_by_fiche = {
        "annuelle et en cumule sur les 6 ans": "annuelle, avec cumul sur les 6 ans",
        "annuelle": "annuelle",
        "au bout de 2 ans, 4 ans et 6 ans": "tous les 2 ans (à 2, 4 et 6 ans)",
        "une fois, 18 mois apres la signature de la convention": (
            "une seule mesure, 18 mois après la signature"
        ),
    }
    for code, fiche in fiches.items():
        periodicity = field(fiche, "Périodicité de la mesure", "Echelle de l'indicateur")
        assert CATALOGUE[code].periodicity == expected_by_fiche[periodicity.rstrip(". ")], code


@needs_corpus
def test_variables_match_the_fiches(fiches):
    for code, fiche in fiches.items():
        region = field(fiche, "Déclinaison de l'indicateur", "Méthode de calcul")
        names = {
            f"V{number}" + (f".{letter}" if letter else "")
            for number, letter in re.findall(r"\bv(\d)(?:\.([a-c]))?\s*[=:]", region)
        }
        assert names == {v.name for v in CATALOGUE[code].variables}, code


@needs_corpus
def test_calculation_kind_matches_the_method_and_unit(fiches):
    for code, fiche in fiches.items():
        indicator = CATALOGUE[code]
        method = field(fiche, "Méthode de calcul", "Dernière valeur")
        unit = normalise_unit(field(fiche, "Unité de mesure", "Périodicité de la mesure"))
        divides = re.search(r"v1\s*/\s*v2", method) is not None
        assert divides == (indicator.kind not in ("count", "qualitative")), code
        if unit == "%":
            assert indicator.kind == "ratio_percent", code
        elif unit.startswith("€"):
            assert indicator.kind == "amount_per_unit", code
        elif unit == "qualitatif":
            assert indicator.kind == "qualitative", code
        elif divides:
            assert indicator.kind == "ratio", code  # H.III, H.V
        else:
            assert indicator.kind == "count", code


@needs_corpus
def test_target_kinds_match_the_fiches(fiches):
    for code, fiche in fiches.items():
        targets = field(fiche, "Dernière valeur", "Méthode de fixation")
        if "moyenne sur 6 ans" in targets:
            expected = "six_year_average"
        elif "cumule sur" in targets:
            expected = "cumulated"
        elif "derniere annee" in targets:
            expected = "last_year"
        elif "a terme" in targets or "a 18 mois" in targets:
            expected = "at_term"
        else:
            pytest.fail(f"{code}: no target type found in the fiche")
        assert CATALOGUE[code].target_kind == expected, code


@needs_corpus
def test_breakdowns_follow_the_fiches(fiches):
    for code, fiche in fiches.items():
        breakdown = field(fiche, "Déclinaison de l'indicateur", "Définition des variables")
        indicator = CATALOGUE[code]
        if breakdown.startswith("neant"):
            assert indicator.breakdown == (), code
        else:
            assert indicator.breakdown, code
        by_zus = "zus" in breakdown or "zone urbaine sensible" in breakdown
        assert by_zus == any("ZUS" in b for b in indicator.breakdown), code
        if "pla-i" in breakdown:
            assert indicator.breakdown == ("PLA-I", "PLUS", "PLS"), code


def catalogue_texts(indicator) -> list[tuple[str, str]]:
    texts = [
        ("engagement", indicator.engagement),
        ("title", indicator.title),
        ("cross_check", indicator.cross_check),
        ("applies_when", indicator.applies_when),
    ]
    texts += [(f"notes[{i}]", note) for i, note in enumerate(indicator.notes)]
    texts += [(f"exclusions[{i}]", text) for i, text in enumerate(indicator.exclusions)]
    for variable in indicator.variables:
        texts += [(f"{variable.name}.label", variable.label)]
        texts += [(f"{variable.name}.definition", variable.definition)]
    return texts


@needs_corpus
def test_no_catalogue_text_copies_the_corpus(corpus):
    corpus_words = words(corpus)
    shingles = {
        tuple(corpus_words[i : i + SHINGLE]) for i in range(len(corpus_words) - SHINGLE + 1)
    }
    copied = []
    for indicator in CATALOGUE.values():
        for name, text in catalogue_texts(indicator):
            own = words(text)
            for i in range(len(own) - SHINGLE + 1):
                if tuple(own[i : i + SHINGLE]) in shingles:
                    copied.append(f"{indicator.code} {name}: « {' '.join(own[i : i + SHINGLE])} »")
                    break
    assert not copied, "copied from the corpus:\n" + "\n".join(copied)


@needs_corpus
def test_the_copy_check_would_catch_a_copy(corpus, fiches):
    # Words taken from the corpus itself (never pasted here) must be flagged.
    corpus_words = words(corpus)
    shingles = {
        tuple(corpus_words[i : i + SHINGLE]) for i in range(len(corpus_words) - SHINGLE + 1)
    }
    borrowed = words(fiches["F.VI"])[40 : 40 + SHINGLE + 3]
    assert tuple(borrowed[:SHINGLE]) in shingles
    assert (
        tuple(
            words("Taux de vacance de plus de trois mois, hors vacance technique, au 31/12")[
                :SHINGLE
            ]
        )
        not in shingles
    )


# --- catalogue invariants -------------------------------------------------------------------


def test_catalogue_is_consistent():
    for code, indicator in CATALOGUE.items():
        assert indicator.code == code
        names = [v.name for v in indicator.variables]
        assert len(names) == len(set(names)), code
        assert names[0] == "V1", code
        has_denominator = "V2" in names
        assert has_denominator == (indicator.kind not in ("count", "qualitative")), code
        if indicator.kind == "ratio_percent":
            assert indicator.unit == "%" and indicator.formula == "V1 / V2 × 100", code
        if indicator.target_kind == "six_year_average":
            assert indicator.kind == "ratio_percent", code
        if indicator.target_kind == "cumulated":
            assert indicator.kind == "count", code
        assert indicator.mandatory == (not indicator.applies_when), code
        assert indicator.engagement and indicator.title and indicator.cross_check, code
        assert indicator.keywords, code
        for variable in indicator.variables:
            assert variable.label and variable.definition, (code, variable.name)


def test_known_facts():
    assert CODES[0] == "A.I" and CODES[-1] == "I.I"
    g3 = get("G.III")
    assert (g3.unit, g3.formula, g3.kind, g3.target_kind) == (
        "%",
        "V1 / V2 × 100",
        "ratio_percent",
        "at_term",
    )
    c1 = get("C.I")
    assert (c1.unit, c1.formula, c1.kind) == ("€ HT par logement", "V1 / V2", "amount_per_unit")
    f6 = get("F.VI")
    assert any("vacance technique" in e.lower() for e in f6.exclusions)
    assert f6.target_kind == "at_term"
    assert get("E.I").target_kind == "six_year_average"
    assert get("A.I").target_kind == "cumulated"
    assert get("H.II").target_kind == "last_year"
    assert not get("F.V").mandatory and "flux" in get("F.V").applies_when
    assert not get("F.I").mandatory and "zone tendue" in get("F.I").applies_when
    assert [v.name for v in get("H.III").variables if v.optional] == ["V1.a", "V1.b", "V1.c"]
