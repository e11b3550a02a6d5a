"""The organisme's adoption of the projet ends the association (workflows.register): its
checks field by field, and what the register then finds missing — the adoption itself,
a working meeting held after it (which no longer counts), a text changed since; and the
transmission's guard, which each of them stops (workflows.lifecycle)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from workflows.errors import InvalidInput
from workflows.lifecycle import ConventionFacts, ConventionState, blockers, fingerprint
from workflows.register import (
    ADOPTION_MISSING,
    PREFET,
    AdoptionFacts,
    DecisionFacts,
    MeetingFacts,
    PartyFacts,
    adoption_findings,
    association_findings,
    clean_adoption,
)

TODAY = date(2026, 6, 1)
DECIDED = date(2026, 1, 10)
DEP = PartyFacts(20, "Département", associated=True)
DECISION = DecisionFacts("conseil_administration", DECIDED, notified={PREFET: DECIDED, 20: DECIDED})
_, TEXT = fingerprint("CUS", [("Patrimoine", "Le parc compte 8 400 logements.")])
_, CHANGED = fingerprint("CUS", [("Patrimoine", "Le parc compte 8 500 logements.")])


def _meeting(day: date, title: str = "Réunion de travail") -> MeetingFacts:
    return MeetingFacts(title, day, frozenset({20}))


def _adopted(on: date = date(2026, 4, 1), sha256: str = TEXT) -> AdoptionFacts:
    return AdoptionFacts("conseil_administration", on, sha256)


def test_without_an_adoption_the_register_says_so_and_nothing_else():
    assert adoption_findings(None, [_meeting(date(2026, 3, 5))], TEXT) == [ADOPTION_MISSING]
    assert ADOPTION_MISSING.startswith("L'adoption du projet par l'organisme n'est pas enregistrée")


def test_the_text_adopted_unchanged_and_no_meeting_after_it_is_no_finding():
    meetings = [_meeting(date(2026, 3, 5)), _meeting(date(2026, 4, 1), "Le jour même")]
    assert adoption_findings(_adopted(), meetings, TEXT) == []


def test_a_meeting_after_the_adoption_is_flagged_and_no_longer_counts():
    late = _meeting(date(2026, 4, 20), "Réunion tardive")
    [flag] = adoption_findings(_adopted(), [late], TEXT)
    assert "« Réunion tardive » du 20/04/2026" in flag
    assert "après l'adoption du projet le 01/04/2026" in flag
    assert "l'association avait pris fin" in flag
    # The only meeting with the Département came after the end: it was invited to none.
    counted = association_findings(DECISION, [DEP], [late], TODAY, ended_on=date(2026, 4, 1))
    assert counted == [
        "Département n'a été invité à aucune réunion de travail tenue depuis la décision ; "
        "il en faut une au moins."
    ]
    # Without the adoption's end, the same meeting counts.
    assert association_findings(DECISION, [DEP], [late], TODAY) == []


def test_a_text_changed_since_its_adoption_is_to_be_adopted_anew():
    [found] = adoption_findings(_adopted(), [], CHANGED, ["Patrimoine"])
    assert found.startswith("Le texte a changé depuis son adoption par l'organisme le 01/04/2026")
    assert "(« Patrimoine »)" in found
    assert TEXT[:12] in found and CHANGED[:12] in found
    assert found.endswith("le projet est à adopter à nouveau.")
    # Adopted anew on the current text: nothing left.
    assert adoption_findings(_adopted(date(2026, 5, 2), CHANGED), [], CHANGED) == []


def test_each_finding_stops_the_transmission_as_an_adoption_blocker():
    facts = ConventionFacts(
        state=ConventionState.NEGOCIATION,
        sections=(),
        signatories=("EPCI",),
        signed_by=frozenset(),
        start_year=2025,
        today=TODAY,
        adoption_findings=(ADOPTION_MISSING,),
    )
    [blocker] = blockers(facts, "transmise")
    assert blocker.kind == "adoption"
    assert blocker.text == f"Registre de l'association : {ADOPTION_MISSING}"
    assert blockers(replace(facts, adoption_findings=()), "transmise") == []


@pytest.mark.parametrize(
    ("instance", "adopted_on", "previous", "field", "words"),
    [
        ("", date(2026, 4, 1), None, "instance", "conseil d'administration ou directoire"),
        ("assemblee", date(2026, 4, 1), None, "instance", "Instance inconnue"),
        ("directoire", None, None, "adopted_on", "obligatoire"),
        ("directoire", date(2026, 6, 2), None, "adopted_on", "dans le futur"),
        ("directoire", date(2026, 1, 9), None, "adopted_on", "précède la décision"),
        ("directoire", date(2026, 3, 1), date(2026, 4, 1), "adopted_on", "déjà enregistrée"),
    ],
)
def test_the_adoption_is_checked_field_by_field(instance, adopted_on, previous, field, words):
    with pytest.raises(InvalidInput) as refused:
        clean_adoption(instance, adopted_on, DECIDED, previous, TODAY)
    assert refused.value.field == field
    assert words in refused.value.message


def test_an_adoption_needs_the_decision_and_may_fall_on_its_day_or_today():
    with pytest.raises(InvalidInput, match="décision d'engagement"):
        clean_adoption("directoire", date(2026, 4, 1), None, None, TODAY)
    assert clean_adoption("directoire", DECIDED, DECIDED, None, TODAY) == ("directoire", DECIDED)
    assert clean_adoption("directoire", TODAY, DECIDED, TODAY, TODAY) == ("directoire", TODAY)
