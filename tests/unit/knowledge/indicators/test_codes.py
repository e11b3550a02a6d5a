"""Indicator codes in every spelling, in a sentence, and found by keywords."""

from __future__ import annotations

import pytest

from knowledge.indicators.codes import find_by_keywords, find_in_text, get, normalise_code


@pytest.mark.parametrize(
    "spelling",
    [
        "F.VI",
        "FVI",
        "f6",
        "F6",
        "F 6",
        "F-6",
        "f.vi",
        "f.6",
        "F VI",
        "indicateur F.6",
        "Indicateur F6",
        "l'indicateur F.VI",
        "l’indicateur f 6",
        "fiche F.VI",
        "  F.VI  ",
    ],
)
def test_spellings_of_f_vi(spelling):
    assert normalise_code(spelling) == "F.VI"
    assert get(spelling).code == "F.VI"


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("A.I", "A.I"),
        ("a1", "A.I"),
        ("AII", "A.II"),
        ("c.iv", "C.IV"),
        ("C4", "C.IV"),
        ("G3", "G.III"),
        ("h 5", "H.V"),
        ("I.I", "I.I"),
        ("i1", "I.I"),
        ("E1", "E.I"),
    ],
)
def test_other_spellings(spelling, code):
    assert normalise_code(spelling) == code


@pytest.mark.parametrize("text", ["", "a", "de", "F.VII", "A.III", "J.I", "F 7", "indicateur"])
def test_non_codes(text):
    assert normalise_code(text) is None
    with pytest.raises(KeyError, match="Indicateur inconnu"):
        get(text)


def test_get_refuses_non_strings():
    with pytest.raises(KeyError, match="Indicateur inconnu"):
        get(None)


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("Quelle cible pour F.II et G3 ?", ["F.II", "G.III"]),
        ("Comment calculer l'indicateur C 1 ?", ["C.I"]),
        ("Les indicateurs f1, f2 et h4 sont-ils obligatoires ?", ["F.I", "F.II", "H.IV"]),
        ("Le taux F.VI (vacance) et le GIII", ["F.VI", "G.III"]),
        ("Différence entre E1 et E.I ?", ["E.I"]),
        ("fiche de l'indicateur H.VI, puis h.iii", ["H.VI", "H.III"]),
        ("Que dit l'indicateur f.vi ?", ["F.VI"]),
        ("le CIV et le H VI", ["C.IV", "H.VI"]),
    ],
)
def test_find_in_text(question, codes):
    assert find_in_text(question) == codes


@pytest.mark.parametrize(
    "text",
    [
        "Il y a 2 ans, j'ai vu ceci à la page 3 de la fiche.",
        "A 2 ans de la fin de la convention, que faire ?",
        "celle-ci, ci-dessous, ci-après",
        "le titre II de la loi, chapitre IV",
        "les logements PLA-I, PLAI et PLA I",
        "en zones A, B1 et B2",
        "en zone B2",
        "un F3 ou un F4 en ZUS",
        "article R.331-12 et L. 441-2-3 du CCH",
        "a de i e b c d f g h",
        "Le ratio B8 de 1,5 et une valeur de a.",
    ],
)
def test_ordinary_words_are_not_codes(text):
    assert find_in_text(text) == []


def test_normalise_code_in_a_sentence_returns_the_first_code():
    assert normalise_code("Quelle différence entre G.II et G.III ?") == "G.II"
    assert normalise_code("Il y a 2 ans") is None


def test_find_by_keywords():
    assert find_by_keywords("Quel est notre taux de vacance ?")[0] == "F.VI"
    assert find_by_keywords("les mutations internes")[0] == "E.I"
    assert find_by_keywords("attributions aux ménages prioritaires")[0] == "F.II"
    assert find_by_keywords("le contingent préfectoral")[0] == "F.V"
    assert find_by_keywords("les plans d'apurement")[0] == "G.III"
    assert find_by_keywords("PROPRETE des parties communes")[0] == "H.VI"
    assert find_by_keywords("rien à voir") == []
