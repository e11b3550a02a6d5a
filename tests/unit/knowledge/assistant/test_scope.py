"""Whether the base answers, and how an answer is laid out: slips of the pen read as the
corpus spells them, years and names a passage must hold, an indicator's keyword no
longer enough, the answer first and short, only cited sources, dated statements said
to be dated."""

from __future__ import annotations

import re
from datetime import date

import pytest
from langchain_core.documents import Document

from knowledge.assistant.dating import dated_year, dated_years
from knowledge.assistant.extractive import (
    MAX_ANSWER_CHARS,
    NOT_FOUND,
    cite_only_cited,
    compose_extractive,
)
from knowledge.assistant.particulars import focus, names, years
from knowledge.assistant.retrieval import CorpusStats, Evidence, Ranked, Unit, rank
from knowledge.assistant.scope import asked_figure, corrected, correction, decide
from knowledge.assistant.understanding import spelled_out, terms, understand
from tests.corpus import corpus_available

needs_corpus = pytest.mark.skipif(not corpus_available(), reason="shared corpus not found")


# --- reading the question against the corpus -----------------------------------------------


def _stats(*texts: str) -> CorpusStats:
    return CorpusStats.from_texts(texts)


def test_a_slip_is_read_as_the_corpus_word_it_is_close_to():
    stats = _stats("La vacance technique des logements.", "Les organismes Hlm.")
    (technique,) = terms("technique")
    (organismes,) = terms("organismes")
    assert correction(terms("technik")[0], stats) == technique
    # Compared as written: "organismes" stems to "organ", far from "orgnism".
    assert correction(terms("orgnismes")[0], stats, "orgnismes") == organismes
    assert correction(technique, stats) is None  # known words stay as they are


def test_a_word_of_the_language_is_not_read_as_a_slip_for_a_corpus_word():
    stats = _stats("Le débat au conseil.", "Les détenteurs de titres.", "L'envoi du projet.")
    # "dégât" and "détecteurs" are words: the corpus has nothing on them, and says so.
    reading = corrected(understand("Comment déclarer un dégât des eaux ?"), stats)
    assert terms("dégât")[0] in reading.terms and terms("débat")[0] not in reading.terms
    reading = corrected(understand("Les détecteurs de fumée sont-ils obligatoires ?"), stats)
    assert terms("détenteurs")[0] not in reading.terms
    # Another form of a corpus word is still read as it: only the ending differs.
    reading = corrected(understand("Quand faut-il avoir envoyé le projet ?"), stats)
    assert terms("envoi")[0] in reading.terms
    # And a slip that is no word stays a slip.
    reading = corrected(understand("Que dit le texte sur le débbat ?"), stats)
    assert terms("débat")[0] in reading.terms


def test_what_a_question_asks_about_must_be_what_a_passage_speaks_of():
    def about(question: str) -> tuple[str, ...]:
        return focus(understand(question))

    assert about("Comment calculer la taxe foncière due par un organisme ?") == tuple(terms("taxe"))
    assert about("Quel est le salaire d'un directeur général d'OPH ?") == tuple(terms("salaire"))
    assert about("Les détecteurs de fumée sont-ils obligatoires ?") == tuple(terms("détecteurs"))
    # The kind of answer wanted is not in the answer: what it is of is.
    assert about("Quels sont les horaires du numéro vert ?") == tuple(terms("numéro"))
    assert about("Quels sont les quatre éléments d'une CUS ?") == tuple(terms("éléments"))
    assert about("Pourquoi contractualiser ?") == ()  # no noun it leads to
    assert spelled_out("ya quoi sur la vente ?") == "il y a quoi sur la vente ?"

    stats = _stats("Le directeur général de l'office signe.", "Le salaire minimum.")
    passages = [Document(page_content="Le directeur général de l'office signe la convention.")]
    question = "Quel est le salaire d'un directeur général d'office ?"
    reading = understand(question)
    verdict = decide(reading, rank(reading, passages, stats), stats)
    assert verdict.found is False and verdict.missing == tuple(terms("salaire"))
    passages.append(Document(page_content="Le salaire du directeur général de l'office."))
    assert decide(reading, rank(reading, passages, stats), stats).found is True
    # An acronym asked about is spoken of by the words it abbreviates.
    text = "Les offices publics de l'habitat sont anciens : créés en 1912."
    stats = _stats(text, "Autre chose.", "Les anciens locataires.")
    reading = understand("Les OPH sont-ils anciens ?")
    assert focus(reading) == tuple(terms("OPH"))
    passages = [Document(page_content=text)]
    assert decide(reading, rank(reading, passages, stats), stats).found is True


def test_a_word_is_not_corrected_into_another_word():
    stats = _stats("La carte des loyers.", "Les recettes de l'organisme.")
    # "tarte" is one letter from "carte", but the first letter is rarely the slip.
    assert correction(terms("tarte")[0], stats) is None
    assert correction(terms("tatin")[0], stats) is None
    assert correction("loy", stats) is None  # too short to tell
    # Two letters off only when it sounds the same: "notaire" is not "notable".
    stats = _stats("Une évolution notable.", "La vacance technique.")
    assert correction(terms("notaire")[0], stats, "notaire") is None
    assert correction(terms("technik")[0], stats, "technik") == terms("technique")[0]


def test_an_unknown_verb_weighs_nothing_but_an_unknown_noun_does():
    stats = _stats("Les signataires de la convention.", "Le calendrier des conventions.")
    reading = corrected(understand("Que déplorent les signataires à propos du calendrier ?"), stats)
    assert reading.terms == tuple(terms("signataires calendrier"))
    reading = corrected(understand("Les frais de notaire des signataires ?"), stats)
    assert terms("notaire")[0] in reading.terms


def test_names_and_years_a_passage_must_hold():
    assert names("Combien de logements sociaux compte la ville de Lyon ?") == ("lyon",)
    # An acronym of the glossary, an indicator code, a capital at the start: not names.
    assert names("Quelle est la valeur de G.III dans la CUS ?") == ()
    assert names("Marseille ou Lille, quel OPH ?") == ("lille",)
    assert years(understand("Que prévoit la circulaire de 2010 ?")) == ("2010",)
    # A calculation's years label its values.
    assert years(understand("En 2021, 30 plans d'apurement pour 200 ménages : G.III ?")) == ()


def _units(question: str, passages: list[tuple[str, str]], stats: CorpusStats) -> list[str]:
    """The units of ``passages`` (heading, text), best first, as ``rank`` scores them."""
    documents = [Document(page_content=t, metadata={"locator": h}) for h, t in passages]
    ranked = rank(understand(question), documents, stats)
    units = [(u.score, u.text) for item in ranked for u in item.units]
    return [text for _score, text in sorted(units, key=lambda pair: -pair[0])]


def test_a_subtitle_weighs_less_than_the_sentence_that_says_the_same():
    stats = _stats("La contractualisation entre offices et collectivités.", "Autre chose.")
    subtitle = "Contractualiser entre offices et collectivités, en quelques mots"
    sentence = "Contractualiser entre offices et collectivités précise leurs relations."
    units = _units(
        "Pourquoi contractualiser entre offices et collectivités ?",
        [("", subtitle), ("", sentence)],  # the subtitle's passage found first
        stats,
    )
    assert units[:2] == [sentence, subtitle]


def test_a_figure_asked_for_is_asked_of_what_follows_it():
    def of(question: str) -> tuple[str, ...] | None:
        return asked_figure(understand(question))

    assert of("Quel est le taux du livret A ?") == tuple(terms("livret"))
    # The figure's own word is seldom beside it ("61 % des organismes"); a sum's is.
    assert of("Quel pourcentage des organismes a un CCL ?") == tuple(terms("organismes"))
    assert of("Quel est le budget annuel de la régie ?") == tuple(terms("budget régie"))
    assert of("Combien de temps dure la CUS ?") == ()
    assert of("Qui signe la CUS ?") is None


def test_a_sentence_every_fiche_opens_with_says_little():
    header = "Aspect de la politique : qualité du service rendu avec les signataires de la CUS."
    passages = [
        ("Fiche H.I", f"{header} Le traitement des réclamations."),
        ("Fiche H.II", f"{header} Les réclamations traitées en moins de 30 jours."),
        ("Fiche H.VI", f"{header} La propreté des parties communes."),
        ("Signature", "La CUS est signée par l'organisme et le préfet, ses deux signataires."),
    ]
    stats = _stats(*(t for _h, t in passages), "Les loyers.", "Les charges.")
    best = _units("Qui sont les signataires de la CUS ?", passages, stats)
    assert best[0].startswith("La CUS est signée")


def test_the_sentence_holding_the_year_asked_about_comes_first():
    passages = [
        ("Enquête", "En 2005, 180 bailleurs ont répondu à l'enquête sur la concertation."),
        ("Enquête", "En 2009, 337 bailleurs ont répondu à l'enquête sur la concertation."),
    ]
    stats = _stats(*(t for _h, t in passages), "Les loyers.", "Les charges.")
    best = _units("Combien de bailleurs ont répondu à l'enquête en 2009 ?", passages, stats)
    assert "337" in best[0]
    best = _units("Combien de bailleurs ont répondu à l'enquête en 2005 ?", passages, stats)
    assert "180" in best[0]


# --- the verdict on the corpus -------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize(
    "question",
    [
        "Combien de logements sociaux compte la ville de Lyon ?",
        "Quel est le taux de TVA sur les travaux de rénovation en 2024 ?",
        "Quel est le montant de l'APL pour un couple avec deux enfants ?",
        "Quelle est la procédure d'expulsion devant le tribunal judiciaire ?",
        # Named by its code, an indicator is known; its value for one office is not.
        "Quel était l'indicateur G.III de l'office de Grenoble en 2021 ?",
        # A figure asked for: the words are in the corpus, no figure of that is.
        "Quel est le budget annuel de Paris Habitat ?",
        "Quel est le taux de TVA applicable aux travaux d'un office ?",
    ],
)
def test_questions_sharing_words_with_the_corpus_but_not_answered_find_nothing(
    extractive, question
):
    answer = extractive.ask(question)
    assert (answer["found"], answer["sources"], answer["answer"]) == (False, [], NOT_FOUND)


@needs_corpus
def test_a_word_of_the_language_is_never_read_as_a_slip(extractive):
    # The corpus's statistics leave out stop words: "pendant" is unknown to them, and
    # was read as a slip for the stem of "pendante".
    question = "Que fournit l'organisme pendant l'élaboration de la CUS ?"
    assert "pendant" in corrected(understand(question), extractive.stats()).question


@needs_corpus
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("c koi la vacance technik", "rehabilitation"),
        ("cest quoi la vacance technique", "rehabilitation"),
        ("combien d'orgnismes disent que les CCL ont abouti a des projets concrets", "61"),
        # The sentence holding the year asked about is the one quoted.
        ("combien de bailleurs ont repondu a l'enquete de 2009 sur la concertation", "337"),
        # The heading says what the items of its list are.
        ("quels atouts ont les offices publics de l'habitat", "proximite"),
        ("quel budget moyen les bailleurs donnent-ils aux associations de locataires", "10 000"),
        # The term defined, not what qualifies it ("selon la circulaire").
        ("C'est quoi une chaudière collective selon la circulaire ?", "plusieurs logements"),
    ],
)
def test_informal_questions_with_slips_are_answered(extractive, question, expected):
    answer = extractive.ask(question)
    assert answer["found"] is True
    folded = answer["answer"].lower().replace("é", "e")
    assert expected in folded, answer["answer"]


# --- the answer's layout -------------------------------------------------------------------


def _cited(text: str) -> list[int]:
    return [int(n) for group in re.findall(r"\[([\d, ]+)\]", text) for n in group.split(",")]


@needs_corpus
@pytest.mark.parametrize(
    "question",
    [
        "comment calculer le taux de vacance ?",
        "Qui sont les signataires obligatoires de la CUS ?",
        "Quels sont les champs possibles d'une contractualisation entre un OPH et sa "
        "collectivité ?",
        "Nous avons 30 plans d'apurement amiable pour 200 ménages en impayés de plus de "
        "trois mois : valeur de G.III ?",
        "Quel est le rôle du conseil de concertation locative ?",
    ],
)
def test_answers_are_short_and_list_only_the_sources_they_cite(extractive, question):
    answer = extractive.ask(question)
    assert answer["found"] is True
    assert len(answer["answer"]) <= MAX_ANSWER_CHARS
    cited = _cited(answer["answer"])
    numbers = [s["n"] for s in answer["sources"]]
    assert set(cited) == set(numbers), answer["answer"]
    assert numbers == list(range(1, len(numbers) + 1))
    assert list(dict.fromkeys(cited)) == numbers  # numbered as the reader meets them


@needs_corpus
def test_a_calculation_says_its_result_first(extractive):
    answer = extractive.ask(
        "Nous avons 30 plans d'apurement amiable pour 200 ménages en impayés de plus de "
        "trois mois : valeur de G.III ?"
    )
    assert answer["answer"].startswith("Valeur de G.III : 15,0 %.")


def _evidence(*texts: str) -> Evidence:
    ranked = [Ranked(Document(page_content=t, metadata={"kind": "guide"}), 1.0) for t in texts]
    evidence = Evidence("q", understand("q"), ranked, True)
    evidence.sources = list(ranked)
    return evidence


def test_uncited_sources_are_dropped_and_citations_renumbered():
    evidence = _evidence("un", "deux", "trois", "quatre")
    third, first = evidence.sources[2], evidence.sources[0]
    text = cite_only_cited(evidence, "Une phrase. [3]\n\nUne autre. [1, 3]")
    assert text == "Une phrase. [1]\n\nUne autre. [2, 1]"
    assert evidence.sources == [third, first]


def _passage(text: str, relevance: float, locator: str) -> Ranked:
    meta = {"kind": "guide", "locator": locator, "title": "Guide"}
    return Ranked(Document(page_content=text, metadata=meta), relevance)


def test_a_passage_nearly_as_relevant_but_not_quoted_is_pointed_to():
    quoted = _passage("La réponse est ici.", 0.9, "Qui signe ?")
    close = _passage("Une autre page en parle.", 0.8, "Les signataires")
    suite = _passage("La suite du même chapitre.", 0.7, "Qui signe ?")
    far = _passage("Presque rien à voir.", 0.4, "Annexe")
    evidence = Evidence("qui signe", understand("qui signe"), [quoted, close, suite, far], True)
    evidence.sources = [quoted, close, suite, far]
    evidence.chosen = [(quoted, Unit("La réponse est ici.", 0, ("repons",), 1.0))]
    answer = compose_extractive(evidence)
    assert answer.startswith("La réponse est ici. [1]")
    see_also = answer.splitlines()[-1]
    # Close enough to the quoted one: named by its place, a continuation said to be one;
    # the far one is neither pointed to nor listed.
    assert see_also == "Voir aussi : « Les signataires » [2] ; « Qui signe ? », plus loin [3]."
    assert evidence.sources == [quoted, close, suite]


def test_two_passages_of_one_part_are_pointed_to_once():
    quoted = _passage("La réponse est ici.", 0.9, "Qui signe ?")
    one, two = _passage("Un.", 0.8, "Les signataires"), _passage("Deux.", 0.8, "Les signataires")
    evidence = Evidence("qui signe", understand("qui signe"), [quoted, one, two], True)
    evidence.sources = [quoted, one, two]
    evidence.chosen = [(quoted, Unit("La réponse est ici.", 0, ("repons",), 1.0))]
    assert compose_extractive(evidence).endswith("Voir aussi : « Les signataires » [2, 3].")


def test_a_statement_dated_long_ago_is_dated_but_a_text_reference_is_not():
    today = date(2026, 12, 3)
    assert dated_year("à conclure avant le 31 décembre 2010", today) == 2010
    assert dated_year("En 2013, 61 % des organismes", today) == 2013
    assert dated_year("la loi n° 2009-323 du 25 mars 2009 « de mobilisation »", today) is None
    assert dated_year("le décret n° 2009-1486 fixe le cadre", today) is None
    assert dated_year("une convention conclue en 2024", today) is None  # still current
    # A law cited by its date alone is a reference too, for answers as for drafts.
    assert dated_year("la loi du 13 décembre 2000 a créé les plans de concertation", today) is None
    assert dated_years("la loi du 13 décembre 2000 a créé les plans de concertation", 2025) == []


@needs_corpus
def test_dated_wording_is_given_as_what_a_text_said_then(extractive):
    answer = extractive.ask(
        "Avant quelle date les organismes devaient-ils conclure leur convention d'utilité sociale ?"
    )
    assert answer["found"] is True
    dated = [p for p in answer["answer"].split("\n\n") if dated_year(p) is not None]
    assert dated, answer["answer"]
    for paragraph in dated:  # each one said to be what a text said then
        assert re.search(r"\(énoncé daté de (?:19|20)\d\d\) indiquait : «", paragraph), paragraph


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("la cus dure cmb de temps ?", "la cus quelle durée ?"),
        ("combien de temps dure la CUS ?", "quelle durée la CUS ?"),
        ("pk contractualiser avec son oph ?", "pourquoi contractualiser avec son oph ?"),
        ("c koi la CUS", "c'est quoi la CUS"),
        (
            "Tous les combien d'années évalue-t-on la CUS ?",
            "à quelle fréquence évalue-t-on la CUS ?",
        ),
        # Letters inside a word, a code or an elision are left alone.
        ("Le PSP de l'OPH, article L. 445-1 c)", "Le PSP de l'OPH, article L. 445-1 c)"),
        ("Combien de logements ?", "Combien de logements ?"),
    ],
)
def test_a_typed_question_is_read_as_if_written_in_full(typed, read):
    assert spelled_out(typed) == read


def test_how_long_typed_as_a_message_is_answered_with_the_duration(extractive):
    """ "cmb de temps" weighed "temps", a word the texts do not use for a duration, and
    the base said it did not know how long a CUS lasts."""
    answer = extractive.ask("la cus dure cmb de temps ?")
    assert answer["found"] is True
    assert "six ans" in answer["answer"] or "6 ans" in answer["answer"]


def test_current_wording_comes_before_what_a_text_said_then(extractive):
    """The dated statements of 2008 and 2010 came first, the current rule third."""
    answer = extractive.ask("combien de temps dure la CUS ?")
    paragraphs = answer["answer"].split("\n\n")
    assert dated_year(paragraphs[0]) is None, paragraphs[0]
    assert any(dated_year(p) is not None for p in paragraphs[1:])


def test_a_document_s_own_title_is_not_quoted_as_an_answer(extractive):
    """Asked why to contractualise, the answer quoted the guide's title, « La
    contractualisation entre les collectivités et les OPH en 7 questions »."""
    answer = extractive.ask("pk contractualiser avec son oph ?")
    assert answer["found"] is True
    # (« Voir aussi » may name a passage by its place, that title included.)
    quoted = answer["answer"].split("\nVoir aussi : ")[0]
    assert "en 7 questions" not in quoted, answer["answer"]


def test_an_indicator_asked_for_in_other_words_is_read_from_the_fiches_found(extractive):
    """No keyword of the catalogue says « impayer de plus de 3 mois »: the answer named
    no indicator, though the search's first passages were G.I's fiche."""
    answer = extractive.ask("indicateur des impayer de plus de 3 mois c lequel ?")
    assert answer["found"] is True
    assert (answer.get("indicator") or {}).get("code") == "G.I", answer["answer"]


def test_asked_what_something_costs_the_base_answers_with_a_sum_or_not_at_all(extractive):
    """« Combien coûte… » was answered with the first figure found, « 33 000 logements »."""
    answer = extractive.ask("Combien coûte la construction d'un logement PLAI en Île-de-France ?")
    assert answer["found"] is False, answer["answer"]
    # A sum the texts state is still given.
    answer = extractive.ask(
        "Quel budget moyen les bailleurs donnent-ils aux associations de locataires ?"
    )
    assert answer["found"] is True and "10 000" in answer["answer"], answer["answer"]
