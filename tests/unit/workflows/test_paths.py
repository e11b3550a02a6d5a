"""Each kind's path as data (workflows/paths.py), and the guards of workflows/lifecycle.py
answering for each path."""

import itertools
from dataclasses import FrozenInstanceError, replace
from datetime import date

import pytest

from workflows.conventions import ConventionKind
from workflows.errors import InvalidInput
from workflows.lifecycle import (
    CUS_LIFECYCLE,
    LIFECYCLES,
    STATE_LABELS,
    ConventionFacts,
    ConventionState,
    OpenContribution,
    SectionFacts,
    blockers,
    check_signature_date,
    check_transition,
    comments_open,
    contributions_closed_reason,
    contributions_open,
    deadline_done,
    deadlines_of_path,
    lifecycle_of,
    review_open,
    signed,
    signing_open,
    text_editable,
    text_frozen_reason,
)
from workflows.paths import CONTRACT_LIFECYCLE
from workflows.targets import phase_refusal

S = ConventionState
CONTRACT = CONTRACT_LIFECYCLE

# Written out by hand: any change to the module's table fails here.
CONTRACT_TRANSITIONS = {
    S.BROUILLON: {S.NEGOCIATION},
    S.NEGOCIATION: {S.DELIBERATIONS},
    S.DELIBERATIONS: {S.SIGNEE, S.NEGOCIATION},
    S.SIGNEE: {S.SUIVI_ANNUEL},
    S.SUIVI_ANNUEL: {S.SUIVI_ANNUEL, S.TERMINEE, S.RENOUVELEE},
    S.TERMINEE: set(),
    S.RENOUVELEE: set(),
}
CUS_ONLY = {S.ASSOCIATION, S.TRANSMISE, S.BILAN_2, S.BILAN_4, S.BILAN_6}


def contract_facts(state=S.BROUILLON, **changes) -> ConventionFacts:
    """A contract whose every guard is satisfied, so only the step itself is refused."""
    base = ConventionFacts(
        state=state,
        sections=(SectionFacts("Orientations et objectifs", True, "validee"),),
        signatories=("Communauté d'agglomération",),
        signed_by=frozenset({"Communauté d'agglomération", "Office"}),
        organisme="Office",
        start_year=2025,
        today=date(2026, 6, 1),
        lifecycle=CONTRACT,
    )
    return replace(base, **changes)


def test_each_kind_has_its_path_and_an_avenant_follows_the_amended_one():
    assert LIFECYCLES[ConventionKind.CUS] is CUS_LIFECYCLE
    assert LIFECYCLES[ConventionKind.CADRE] is CONTRACT
    assert LIFECYCLES[ConventionKind.APPLICATION] is CONTRACT
    assert lifecycle_of("cus") is CUS_LIFECYCLE
    assert lifecycle_of("contractualisation_cadre") is CONTRACT
    assert lifecycle_of("avenant", "convention_application") is CONTRACT
    assert lifecycle_of("avenant", "cus") is CUS_LIFECYCLE
    with pytest.raises(FrozenInstanceError):
        CONTRACT.signing = S.TRANSMISE  # type: ignore[misc]


def test_the_contract_path_as_data():
    assert [s.value for s in CONTRACT.states] == [
        "brouillon",
        "negociation",
        "deliberations",
        "signee",
        "suivi_annuel",
        "terminee",
        "renouvelee",
    ]
    assert [STATE_LABELS[s] for s in CONTRACT.states] == [
        "Brouillon",
        "Négociation",
        "Délibérations",
        "Signée",
        "Suivi annuel",
        "Terminée",
        "Renouvelée",
    ]
    assert {k: set(v) for k, v in CONTRACT.transitions.items()} == CONTRACT_TRANSITIONS
    assert set(CONTRACT.transitions) == set(CONTRACT.states)
    # No préfet, no association, no State procedure on the contract's path.
    assert not CUS_ONLY & set(CONTRACT.states)
    assert not any(CUS_ONLY & set(v) for v in CONTRACT.transitions.values())
    assert (
        CONTRACT.deliberations_before_signature and not CUS_LIFECYCLE.deliberations_before_signature
    )
    assert not CONTRACT.prefect_proposal and not CONTRACT.association_register
    assert CONTRACT.yearly is S.SUIVI_ANNUEL and CONTRACT.renewal is S.RENOUVELEE
    assert dict(CONTRACT.evaluation_years) == {}
    assert deadlines_of_path(CONTRACT) == {"signature": "Signature"}
    assert list(deadlines_of_path(CUS_LIFECYCLE)) == ["association", "transmission", "signature"]


def test_every_path_is_consistent():
    for path in (CUS_LIFECYCLE, CONTRACT):
        states = set(path.states)
        for group in (path.contributions, path.editable, path.signed):
            assert group <= states
        assert path.signing in states and path.submission in states
        assert path.signing not in path.editable and path.signing not in path.signed
        assert all(set(v) <= states for v in path.transitions.values())
        assert set(path.deadlines.values()) <= states


@pytest.mark.parametrize(("start", "to"), list(itertools.product(CONTRACT.states, S)))
def test_every_transition_of_the_contract_grid(start, to):
    reasons = check_transition(contract_facts(start, followup_year=2025), to)
    if to in CONTRACT_TRANSITIONS[start]:
        assert reasons == []
    elif to in CUS_ONLY:
        assert len(reasons) == 1
        assert reasons[0].startswith(f"L'étape « {STATE_LABELS[to]} » n'existe pas")
    else:
        assert len(reasons) == 1
        assert reasons[0].startswith(
            f"Passage de « {STATE_LABELS[start]} » à « {STATE_LABELS[to]} » impossible"
        )


def test_a_contract_is_never_transmitted_to_the_prefet():
    reasons = check_transition(contract_facts(S.NEGOCIATION), "transmise")
    assert reasons == [
        "L'étape « Transmise au préfet » n'existe pas pour cette convention (Contrat "
        "librement négocié, suivi chaque année) : étapes suivantes possibles : Délibérations."
    ]


def test_a_cus_has_no_deliberations_stage():
    reasons = check_transition(
        replace(contract_facts(S.NEGOCIATION), lifecycle=CUS_LIFECYCLE), "deliberations"
    )
    assert reasons[0].startswith("L'étape « Délibérations » n'existe pas pour cette convention")


def test_a_convention_at_a_stage_of_another_path_is_refused():
    with pytest.raises(InvalidInput):
        check_transition(contract_facts(S.TRANSMISE), "signee")


def test_entering_deliberations_checks_the_file_without_the_register():
    found = blockers(
        contract_facts(
            S.NEGOCIATION,
            sections=(
                SectionFacts("Orientations et objectifs", True, "brouillon", written=False, ref=3),
            ),
            open_contributions=(OpenContribution(7, "Orientations et objectifs", "EPCI", 3),),
            association_findings=("ignored for a contract",),
        ),
        "deliberations",
    )
    assert [b.kind for b in found] == ["section", "contribution"]
    assert "assemblées délibèrent" in found[0].text
    assert all("préfet" not in b.text for b in found)


def test_signing_a_contract_waits_for_every_signature_and_each_deliberation():
    found = blockers(
        contract_facts(
            S.DELIBERATIONS,
            signed_by=frozenset({"Office"}),
            deliberation_findings=("Communauté d'agglomération : à délibérer.",),
        ),
        "signee",
    )
    assert [(b.kind, b.party) for b in found] == [
        ("signature", "Communauté d'agglomération"),
        ("deliberation", None),
    ]
    # The same missing deliberation does not block a CUS (its flag is off).
    cus = replace(
        contract_facts(S.TRANSMISE, deliberation_findings=("X",)), lifecycle=CUS_LIFECYCLE
    )
    assert blockers(cus, "signee") == []


def test_the_yearly_follow_up_opens_once_a_year():
    assert check_transition(contract_facts(S.SIGNEE, today=date(2024, 12, 31)), "suivi_annuel") == [
        "Le suivi annuel ne peut être ouvert avant le 1er janvier 2025, première année de la "
        "convention."
    ]
    assert check_transition(contract_facts(S.SIGNEE), "suivi_annuel") == []
    again = contract_facts(S.SUIVI_ANNUEL, followup_year=2026, today=date(2026, 12, 31))
    assert check_transition(again, "suivi_annuel") == [
        "Le suivi annuel de 2026 est en cours : celui de 2027 ne peut être ouvert avant le "
        "1er janvier 2027."
    ]
    assert check_transition(replace(again, today=date(2027, 1, 1)), "suivi_annuel") == []
    # Ending or renewing is not held by the calendar.
    assert check_transition(again, "renouvelee") == []
    assert check_transition(again, "terminee") == []


# What is open at each stage, for each path: (contributions/review, editable, signing,
# signed, comments).
CONTRACT_OPEN = {
    S.BROUILLON: (False, True, False, False, True),
    S.NEGOCIATION: (True, True, False, False, True),
    S.DELIBERATIONS: (False, False, True, False, True),
    S.SIGNEE: (False, False, False, True, False),
    S.SUIVI_ANNUEL: (False, False, False, True, False),
    S.TERMINEE: (False, False, False, True, False),
    S.RENOUVELEE: (False, False, False, True, False),
}
CUS_OPEN = {
    S.BROUILLON: (False, True, False, False, True),
    S.ASSOCIATION: (True, True, False, False, True),
    S.NEGOCIATION: (True, True, False, False, True),
    S.TRANSMISE: (False, False, True, False, True),
    S.SIGNEE: (False, False, False, True, False),
    S.BILAN_2: (False, False, False, True, False),
    S.BILAN_4: (False, False, False, True, False),
    S.BILAN_6: (False, False, False, True, False),
}


@pytest.mark.parametrize(
    ("path", "state", "expected"),
    [(CONTRACT, s, e) for s, e in CONTRACT_OPEN.items()]
    + [(CUS_LIFECYCLE, s, e) for s, e in CUS_OPEN.items()],
)
def test_what_each_stage_allows_on_each_path(path, state, expected):
    contributions, editable, signing, is_signed, comments = expected
    assert contributions_open(state, path) is contributions
    assert review_open(state, path) is contributions
    assert text_editable(state, path) is editable
    assert signing_open(state, path) is signing
    assert signed(state, path) is is_signed
    assert comments_open(state, path) is comments
    assert (contributions_closed_reason(state, path) is None) is contributions
    assert (text_frozen_reason(state, path) is None) is editable
    if path is CONTRACT:
        for reason in (contributions_closed_reason(state, path), text_frozen_reason(state, path)):
            assert reason is None or "préfet" not in reason
        refusal = phase_refusal("cible", state, path)
        assert refusal is None or "préfet" not in refusal


def test_the_contract_reasons_speak_of_the_parties_and_their_assemblies():
    assert contributions_closed_reason(S.BROUILLON, CONTRACT) == (
        "Les contributions sont ouvertes pendant la négociation entre les parties ; la "
        "convention est au stade « Brouillon » : elles s'ouvriront avec la négociation entre "
        "les parties."
    )
    assert "délibérations des assemblées" in (text_frozen_reason(S.DELIBERATIONS, CONTRACT) or "")
    assert "avenant" in (text_frozen_reason(S.SUIVI_ANNUEL, CONTRACT) or "")
    # The CUS keeps its own words.
    assert "transmission au préfet" in (text_frozen_reason(S.TRANSMISE) or "")


def test_deadlines_per_path():
    assert deadline_done("signature", S.SUIVI_ANNUEL, CONTRACT)
    assert not deadline_done("signature", S.DELIBERATIONS, CONTRACT)
    # A deadline of another path is never done (nor shown) on a contract.
    assert not deadline_done("transmission", S.RENOUVELEE, CONTRACT)
    assert deadline_done("transmission", S.BILAN_2)


def test_a_contract_signature_is_dated_from_the_deliberations():
    assert check_signature_date(date(2026, 3, 1), date(2026, 3, 2), date(2026, 4, 1), CONTRACT) == (
        "La date de signature (01/03/2026) précède l'entrée de la convention en délibérations, "
        "le 02/03/2026 : on ne signe que le texte soumis aux délibérations."
    )
    assert (
        check_signature_date(date(2026, 3, 2), date(2026, 3, 2), date(2026, 4, 1), CONTRACT) is None
    )
    assert "futur" in (
        check_signature_date(date(2026, 4, 2), None, date(2026, 4, 1), CONTRACT) or ""
    )
