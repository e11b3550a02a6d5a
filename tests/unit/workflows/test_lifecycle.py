import hashlib
import itertools
import unicodedata
from dataclasses import FrozenInstanceError, replace
from datetime import date

import pytest

from workflows.errors import InvalidInput
from workflows.lifecycle import (
    CARRY_NOTE_MAX,
    DEADLINE_LABELS,
    ORDER,
    STATE_LABELS,
    TRANSITIONS,
    ConventionFacts,
    ConventionState,
    Deadline,
    OpenContribution,
    OpenPoint,
    SectionFacts,
    blockers,
    carried_points,
    check_signature_date,
    check_transition,
    clean_carry_note,
    contributions_closed_reason,
    contributions_open,
    deadline_done,
    deadline_status,
    fingerprint,
    review_open,
    signing_open,
    text_editable,
    text_frozen_reason,
)

S = ConventionState

# Written out by hand so that any change to the module's table fails here.
EXPECTED_TRANSITIONS = {
    S.BROUILLON: {S.ASSOCIATION},
    S.ASSOCIATION: {S.NEGOCIATION},
    S.NEGOCIATION: {S.TRANSMISE, S.ASSOCIATION},
    S.TRANSMISE: {S.SIGNEE, S.NEGOCIATION},
    S.SIGNEE: {S.BILAN_2},
    S.BILAN_2: {S.BILAN_4},
    S.BILAN_4: {S.BILAN_6},
    S.BILAN_6: set(),
}


def facts(state=S.BROUILLON, **changes) -> ConventionFacts:
    """Facts that satisfy every guard, so only the step itself can be refused."""
    base = ConventionFacts(
        state=state,
        sections=(
            SectionFacts("État des lieux", True, "validee"),
            SectionFacts("Objectifs facultatifs", False, "brouillon"),
        ),
        signatories=("Préfecture de région", "EPCI Grand Lyon"),
        signed_by=frozenset({"Préfecture de région", "EPCI Grand Lyon"}),
        start_year=2020,
        today=date(2030, 6, 1),
    )
    return replace(base, **changes)


def test_order_and_labels():
    assert [s.value for s in ORDER] == [
        "brouillon",
        "association",
        "negociation",
        "transmise",
        "signee",
        "bilan_2ans",
        "bilan_4ans",
        "bilan_6ans",
    ]
    # The CUS's stages keep their labels (the contract's own are in test_paths.py).
    assert {s: STATE_LABELS[s] for s in ORDER} == {
        S.BROUILLON: "Brouillon",
        S.ASSOCIATION: "Association",
        S.NEGOCIATION: "Négociation",
        S.TRANSMISE: "Transmise au préfet",
        S.SIGNEE: "Signée",
        S.BILAN_2: "Évaluation à 2 ans",
        S.BILAN_4: "Évaluation à 4 ans",
        S.BILAN_6: "Évaluation à 6 ans",
    }


def test_transition_table_is_the_expected_one():
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED_TRANSITIONS
    # Each target listed once: the "next steps" message would repeat it otherwise.
    assert all(len(v) == len(set(v)) for v in TRANSITIONS.values())


# The CUS path's stages (a contract's stage on a CUS: tests/unit/workflows/test_paths.py).
@pytest.mark.parametrize(("start", "to"), list(itertools.product(ORDER, ORDER)))
def test_every_transition_of_the_grid(start, to):
    reasons = check_transition(facts(start), to)
    if to in EXPECTED_TRANSITIONS[start]:
        assert reasons == []
    else:
        assert len(reasons) == 1
        assert reasons[0].startswith(
            f"Passage de « {STATE_LABELS[start]} » à « {STATE_LABELS[to]} » impossible"
        )


def test_refused_step_lists_the_possible_next_steps():
    assert check_transition(facts(S.BROUILLON), S.SIGNEE) == [
        "Passage de « Brouillon » à « Signée » impossible : étapes suivantes possibles : "
        "Association."
    ]
    assert check_transition(facts(S.TRANSMISE), S.BROUILLON) == [
        "Passage de « Transmise au préfet » à « Brouillon » impossible : étapes suivantes "
        "possibles : Signée, Négociation."
    ]


def test_nothing_follows_the_last_evaluation():
    assert check_transition(facts(S.BILAN_6), S.SIGNEE) == [
        "Passage de « Évaluation à 6 ans » à « Signée » impossible : "
        "« Évaluation à 6 ans » est la dernière étape."
    ]


def test_staying_in_the_same_state_is_not_a_transition():
    assert check_transition(facts(S.NEGOCIATION), S.NEGOCIATION)


def test_states_may_be_given_as_strings():
    assert check_transition(facts("association"), "negociation") == []


def test_unknown_target_is_invalid_input():
    with pytest.raises(InvalidInput, match="inconnue"):
        check_transition(facts(S.BROUILLON), "archivee")


def test_transmission_needs_every_mandatory_section_written_and_a_signatory():
    f = facts(
        S.NEGOCIATION,
        sections=(
            SectionFacts("État des lieux", True, "en_revue"),
            SectionFacts("Classement des immeubles", True, "validee"),
            SectionFacts("Cahier des charges de gestion sociale", True, "brouillon", False, 7),
            SectionFacts("Objectifs facultatifs", False, "brouillon", False),
        ),
        signatories=(),
        signed_by=frozenset(),
    )
    assert check_transition(f, S.TRANSMISE) == [
        "La section obligatoire « Cahier des charges de gestion sociale » est à rédiger : le "
        "préfet reçoit le projet entier.",
        "Aucun signataire n'est désigné : ajoutez au moins un signataire.",
    ]
    found = blockers(f, S.TRANSMISE)
    assert [(b.kind, b.ref, b.section_ref) for b in found] == [
        ("section", 7, 7),
        ("signatories", None, None),
    ]


def test_a_disagreement_does_not_stop_the_transmission_once_carried():
    # Circulaire CUS, IV: a mandatory signatory's disagreement cannot stop the project
    # reaching the préfet. Under the former rule a section not validated (here under
    # review, one signatory disagreeing) blocked it.
    point = OpenPoint("desaccord", 31, "État des lieux", 4, "EPCI Grand Lyon", "Chiffres datés")
    f = facts(
        S.NEGOCIATION,
        sections=(SectionFacts("État des lieux", True, "en_revue", True, 4),),
        open_points=(point,),
    )
    assert [(b.kind, b.ref, b.point, b.party, b.section_ref) for b in blockers(f, S.TRANSMISE)] == [
        ("point", 31, "desaccord", "EPCI Grand Lyon", 4)
    ]
    carried = replace(point, carried="Maintenu : l'EPCI demande les chiffres de 2024.")
    assert check_transition(replace(f, open_points=(carried,)), S.TRANSMISE) == []
    assert carried_points((point, carried)) == [carried]


def test_every_contribution_must_be_decided_before_transmission():
    f = facts(
        S.NEGOCIATION,
        open_contributions=(
            OpenContribution(12, "État des lieux", "Département du Rhône", 4),
            OpenContribution(13, "Classement des immeubles", "EPCI Grand Lyon", 5),
        ),
    )
    found = blockers(f, S.TRANSMISE)
    assert [(b.kind, b.ref, b.party, b.section_ref) for b in found] == [
        ("contribution", 12, "Département du Rhône", 4),
        ("contribution", 13, "EPCI Grand Lyon", 5),
    ]
    assert "n° 12 de Département du Rhône sur « État des lieux »" in found[0].text


def test_reserves_and_open_discussions_are_lifted_or_carried():
    f = facts(
        S.NEGOCIATION,
        open_points=(
            OpenPoint("reserve", 1, "État des lieux", 4, "EPCI Grand Lyon", "Sous réserve…"),
            OpenPoint("discussion", 9, "État des lieux", 4, "Agent DDT", "Quelle source ?"),
        ),
    )
    assert check_transition(f, S.TRANSMISE) == [
        "Réserve de EPCI Grand Lyon sur « État des lieux » : à lever, ou à reporter dans le "
        "dossier transmis avec une note.",
        "Discussion ouverte par Agent DDT sur « État des lieux » : à clore, ou à "
        "reporter dans le dossier transmis avec une note.",
    ]


def test_what_the_register_does_not_prove_blocks_the_transmission():
    gap = "Département Test n'a été invité à aucune réunion de travail tenue."
    f = facts(S.NEGOCIATION, association_findings=(gap,))
    found = blockers(f, S.TRANSMISE)
    assert [(b.kind, b.text) for b in found] == [
        ("association", f"Registre de l'association : {gap}")
    ]
    assert check_transition(replace(f, association_findings=()), S.TRANSMISE) == []


def test_the_carry_note_is_required_and_bounded():
    with pytest.raises(InvalidInput) as empty:
        clean_carry_note("   ")
    assert empty.value.field == "note"
    with pytest.raises(InvalidInput):
        clean_carry_note("x" * (CARRY_NOTE_MAX + 1))
    assert clean_carry_note("  Maintenu\r\npar l'EPCI ") == "Maintenu\npar l'EPCI"


def test_optional_sections_do_not_block_transmission():
    f = facts(S.NEGOCIATION, sections=(SectionFacts("Objectifs facultatifs", False, "en_revue"),))
    assert check_transition(f, S.TRANSMISE) == []


def test_transmission_does_not_need_signatures_yet():
    assert check_transition(facts(S.NEGOCIATION, signed_by=frozenset()), S.TRANSMISE) == []


def test_signature_names_every_missing_signatory():
    f = facts(
        S.TRANSMISE,
        signatories=("Préfecture de région", "EPCI Grand Lyon", "Département du Rhône"),
        signed_by=frozenset({"EPCI Grand Lyon", "Quelqu'un d'autre"}),
    )
    # One item per party: the page lists what waits on each.
    assert check_transition(f, S.SIGNEE) == [
        "Signature manquante : Préfecture de région.",
        "Signature manquante : Département du Rhône.",
    ]
    assert [b.party for b in blockers(f, S.SIGNEE)] == [
        "Préfecture de région",
        "Département du Rhône",
    ]
    one_missing = replace(f, signed_by=frozenset({"EPCI Grand Lyon", "Préfecture de région"}))
    assert check_transition(one_missing, S.SIGNEE) == [
        "Signature manquante : Département du Rhône."
    ]


def test_signature_without_any_signatory_is_refused():
    f = facts(S.TRANSMISE, signatories=(), signed_by=frozenset())
    assert check_transition(f, S.SIGNEE) == [
        "Aucun signataire n'est désigné : la convention ne peut être signée."
    ]


@pytest.mark.parametrize(
    ("target", "previous", "years"),
    [(S.BILAN_2, S.SIGNEE, 2), (S.BILAN_4, S.BILAN_2, 4), (S.BILAN_6, S.BILAN_4, 6)],
)
def test_evaluations_open_on_first_january_of_their_year(target, previous, years):
    opening = date(2025 + years, 1, 1)
    eve = facts(previous, start_year=2025, today=date(opening.year - 1, 12, 31))
    assert check_transition(eve, target) == [
        f"L'évaluation à {years} ans ne peut être ouverte avant le 1er janvier {opening.year}."
    ]
    assert check_transition(replace(eve, today=opening), target) == []


def test_all_reasons_are_given_together():
    # A wrong step and the target's own conditions are reported at once.
    f = facts(S.ASSOCIATION, signed_by=frozenset({"EPCI Grand Lyon"}))
    assert check_transition(f, S.SIGNEE) == [
        "Passage de « Association » à « Signée » impossible : étapes suivantes possibles : "
        "Négociation.",
        "Signature manquante : Préfecture de région.",
    ]
    early = facts(S.BROUILLON, start_year=2026, today=date(2026, 5, 1))
    assert check_transition(early, S.BILAN_2) == [
        "Passage de « Brouillon » à « Évaluation à 2 ans » impossible : étapes suivantes "
        "possibles : Association.",
        "L'évaluation à 2 ans ne peut être ouverte avant le 1er janvier 2028.",
    ]


def test_facts_are_frozen():
    with pytest.raises(FrozenInstanceError):
        facts().state = S.SIGNEE


CONTRIBUTIONS = {S.ASSOCIATION, S.NEGOCIATION}
EDITABLE = {S.BROUILLON, S.ASSOCIATION, S.NEGOCIATION}


@pytest.mark.parametrize("state", list(S))
def test_what_each_stage_allows(state):
    assert contributions_open(state) is (state in CONTRIBUTIONS)
    assert (contributions_closed_reason(state) is None) is (state in CONTRIBUTIONS)
    assert text_editable(state) is (state in EDITABLE)
    assert (text_frozen_reason(state) is None) is (state in EDITABLE)
    assert review_open(state) is (state in CONTRIBUTIONS)
    assert signing_open(state) is (state is S.TRANSMISE)


def test_closed_contributions_explain_the_stage_and_the_way_forward():
    assert contributions_closed_reason(S.SIGNEE) == (
        "Les contributions sont ouvertes pendant les phases d'association et de négociation ; "
        "la convention est au stade « Signée » : proposez un avenant."
    )
    assert "« Évaluation à 4 ans »" in contributions_closed_reason(S.BILAN_4)
    assert "avenant" in contributions_closed_reason(S.BILAN_4)
    assert "« Brouillon »" in contributions_closed_reason(S.BROUILLON)
    assert "avenant" not in contributions_closed_reason(S.BROUILLON)
    assert "renvoyer en négociation" in contributions_closed_reason(S.TRANSMISE)


def test_frozen_text_reasons():
    assert "transmission au préfet" in text_frozen_reason(S.TRANSMISE)
    assert "avenant" in text_frozen_reason(S.SIGNEE)
    assert "« Évaluation à 6 ans »" in text_frozen_reason(S.BILAN_6)


def test_stage_predicates_take_strings_and_refuse_unknown_states():
    assert contributions_open("association")
    with pytest.raises(InvalidInput):
        text_editable("archivee")


SECTIONS = [("État des lieux", "Le parc compte 1 200 logements."), ("Classement", "Trois classes.")]


def test_fingerprint_canonical_text_and_digest():
    text, digest = fingerprint("CUS 2026-2031", SECTIONS)
    assert text == (
        "CUS 2026-2031\n\n"
        "## État des lieux\n\nLe parc compte 1 200 logements.\n\n"
        "## Classement\n\nTrois classes.\n"
    )
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert len(digest) == 64


def test_fingerprint_without_sections():
    assert fingerprint("Titre", [])[0] == "Titre\n"


def test_fingerprint_is_stable():
    assert fingerprint("CUS", SECTIONS) == fingerprint("CUS", list(SECTIONS))
    assert fingerprint("CUS", SECTIONS) == fingerprint("CUS", tuple(SECTIONS))


def test_fingerprint_ignores_line_endings_and_unicode_forms():
    crlf = [("A", "ligne 1\r\nligne 2")]
    assert fingerprint("T", crlf) == fingerprint("T", [("A", "ligne 1\nligne 2")])
    decomposed = unicodedata.normalize("NFD", "État des lieux")
    assert decomposed != "État des lieux"
    assert fingerprint(decomposed, [(decomposed, decomposed)]) == fingerprint(
        "État des lieux", [("État des lieux", "État des lieux")]
    )


@pytest.mark.parametrize(
    ("title", "sections"),
    [
        ("CUS 2026-2032", SECTIONS),  # title
        ("CUS 2026-2031", [SECTIONS[0], ("Classement", "Quatre classes.")]),  # body
        ("CUS 2026-2031", [SECTIONS[0], ("Classement", "Trois classes. ")]),  # whitespace
        ("CUS 2026-2031", [SECTIONS[0], ("Classement des immeubles", "Trois classes.")]),
        ("CUS 2026-2031", list(reversed(SECTIONS))),  # order
        ("CUS 2026-2031", SECTIONS[:1]),  # a section removed
        ("CUS 2026-2031", [*SECTIONS, ("Annexe", "")]),  # an empty section added
    ],
)
def test_fingerprint_changes_with_any_change(title, sections):
    _, reference = fingerprint("CUS 2026-2031", SECTIONS)
    assert fingerprint(title, sections)[1] != reference


def deadline(due, done=False):
    return Deadline("association", DEADLINE_LABELS["association"], due, done)


def test_deadline_status():
    today = date(2026, 3, 1)
    assert deadline_status(deadline(date(2026, 2, 28)), today) == "late"
    assert deadline_status(deadline(today), today) == "soon"
    assert deadline_status(deadline(date(2026, 3, 31)), today) == "soon"  # 30 days
    assert deadline_status(deadline(date(2026, 4, 1)), today) == "later"  # 31 days
    assert deadline_status(deadline(date(2026, 3, 8)), today, soon_days=7) == "soon"
    assert deadline_status(deadline(date(2026, 3, 9)), today, soon_days=7) == "later"


def test_a_done_deadline_is_never_late():
    assert deadline_status(deadline(date(2020, 1, 1), done=True), date(2026, 3, 1)) == "done"
    assert deadline_status(deadline(date(2030, 1, 1), done=True), date(2026, 3, 1)) == "done"


def test_deadline_labels():
    assert DEADLINE_LABELS == {
        "association": "Fin de l'association",
        "transmission": "Transmission au préfet",
        "signature": "Signature",
    }


DONE_FROM = {"association": S.NEGOCIATION, "transmission": S.TRANSMISE, "signature": S.SIGNEE}


@pytest.mark.parametrize(("key", "state"), list(itertools.product(DONE_FROM, ORDER)))
def test_deadline_done_once_its_phase_is_past(key, state):
    expected = ORDER.index(state) >= ORDER.index(DONE_FROM[key])
    assert deadline_done(key, state) is expected


def test_deadline_done_examples_and_unknown_key():
    assert not deadline_done("association", S.ASSOCIATION)
    assert deadline_done("association", S.NEGOCIATION)
    assert not deadline_done("transmission", S.NEGOCIATION)
    assert deadline_done("signature", S.BILAN_6)
    assert not deadline_done("autre", S.BILAN_6)


# --- signatures: the organisme's, and their dates -------------------------------------


def test_the_organisme_signs_too_before_the_convention_is_signed():
    everyone_but = facts(S.TRANSMISE, organisme="Office HLM")
    assert check_transition(everyone_but, "signee") == ["Signature manquante : Office HLM."]
    signed = replace(everyone_but, signed_by=everyone_but.signed_by | {"Office HLM"})
    assert check_transition(signed, "signee") == []
    # Nothing signed yet: the organisme is named first, as the page lists the parties.
    none = replace(everyone_but, signed_by=frozenset())
    assert check_transition(none, "signee") == [
        "Signature manquante : Office HLM.",
        "Signature manquante : Préfecture de région.",
        "Signature manquante : EPCI Grand Lyon.",
    ]


def test_a_signature_is_dated_from_the_transmission_to_today():
    transmitted, today = date(2026, 11, 21), date(2026, 12, 3)
    assert check_signature_date(transmitted, transmitted, today) is None
    assert check_signature_date(today, transmitted, today) is None
    before = check_signature_date(date(2026, 11, 20), transmitted, today)
    assert before is not None and "précède la transmission" in before and "21/11/2026" in before
    future = check_signature_date(date(2026, 12, 4), transmitted, today)
    assert future is not None and "futur" in future
    # The transmission's day unknown (transmitted before Cosigne kept it): only the future.
    assert check_signature_date(date(2020, 1, 1), None, today) is None
    assert check_signature_date(date(2026, 12, 4), None, today) is not None
