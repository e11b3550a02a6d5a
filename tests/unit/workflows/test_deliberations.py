"""The parties' deliberations: who deliberates, with which instance, the checks of an
entry, and what the signature of a contract still waits for."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.deliberations import (
    DeliberationFacts,
    Party,
    Status,
    clean_deliberation,
    deliberates,
    deliberation_findings,
    instances_for,
    must_deliberate,
    party_statuses,
)
from workflows.errors import InvalidInput
from workflows.lifecycle import ConventionFacts, ConventionState, blockers
from workflows.paths import CONTRACT_LIFECYCLE, CUS_LIFECYCLE, Lifecycle, lifecycle_of
from workflows.permissions import Role, may_record_deliberation_for

TODAY = date(2027, 3, 20)
OPH = Party(1, "Val Habitat", "oph")
EPCI = Party(2, "Agglo", "epci")
DDT = Party(3, "DDT du Loiret", "ddt")
PERSON = Party(None, "Jeanne Maire", "")
TEXT, OTHER = "a" * 64, "b" * 64


def _d(org: int, decision: str = "approuve", sha: str = TEXT, day: date = date(2027, 3, 1)):
    instance = "conseil_administration" if org == 1 else "conseil_communautaire"
    return DeliberationFacts(org, instance, day, decision, sha)


def test_the_organismes_and_the_collectivites_deliberate_not_the_state_nor_tenants():
    assert all(deliberates(k) for k in ("oph", "esh", "sem", "epci", "departement", "commune"))
    assert not any(deliberates(k) for k in ("ddt", "dreal", "prefecture"))
    assert not deliberates("association_locataires") and not deliberates("autre")
    assert instances_for("oph") == ("conseil_administration", "conseil_surveillance")
    assert instances_for("epci") == ("conseil_communautaire", "bureau_communautaire")
    assert instances_for("departement") == ("conseil_departemental", "commission_permanente")
    assert instances_for("commune") == ("conseil_municipal",)
    assert instances_for("ddt") == ()


def test_only_the_organisme_and_the_deliberating_signatories_must_deliberate():
    assert must_deliberate([OPH, EPCI, DDT, PERSON, EPCI]) == [OPH, EPCI]


def test_the_contracts_require_deliberations_before_signature_not_the_cus():
    def required(kind: str, amends: str | None = None) -> bool:
        return lifecycle_of(kind, amends).deliberations_before_signature

    assert required("contractualisation_cadre")
    assert required("convention_application")
    assert required("avenant", "contractualisation_cadre")
    assert not required("avenant", "cus")
    assert not required("cus")


def test_a_valid_entry_is_cleaned():
    assert clean_deliberation(
        "epci", "Agglo", "bureau_communautaire", date(2027, 3, 1), "approuve", "  ", TODAY
    ) == ("bureau_communautaire", date(2027, 3, 1), "approuve", "")


@pytest.mark.parametrize(
    ("kind", "instance", "day", "decision", "note", "field", "words"),
    [
        ("ddt", "conseil_municipal", TODAY, "approuve", "", "party", "ne délibère pas"),
        ("epci", "", TODAY, "approuve", "", "instance", "Indiquez l'instance"),
        (
            "epci",
            "conseil_administration",
            TODAY,
            "approuve",
            "",
            "instance",
            "n'est pas une instance",
        ),
        ("epci", "conseil_communautaire", None, "approuve", "", "decided_on", "obligatoire"),
        ("epci", "conseil_communautaire", date(2027, 3, 21), "approuve", "", "decided_on", "futur"),
        (
            "epci",
            "conseil_communautaire",
            date(1999, 1, 1),
            "approuve",
            "",
            "decided_on",
            "ancienne",
        ),
        ("epci", "conseil_communautaire", TODAY, "", "", "decision", "Indiquez la décision"),
        ("epci", "conseil_communautaire", TODAY, "valide", "", "decision", "inconnue"),
        ("epci", "conseil_communautaire", TODAY, "approuve_reserves", " ", "note", "réserves"),
        ("epci", "conseil_communautaire", TODAY, "approuve", "x" * 2001, "note", "2000"),
    ],
)
def test_a_bad_entry_is_refused_on_its_field(kind, instance, day, decision, note, field, words):
    with pytest.raises(InvalidInput) as refused:
        clean_deliberation(kind, "Agglo", instance, day, decision, note, TODAY)
    assert refused.value.field == field
    assert words in refused.value.message


def test_each_party_without_a_deliberation_on_the_current_text_is_a_finding():
    assert deliberation_findings([OPH, EPCI, DDT], [], TEXT) == [
        "Val Habitat : la délibération de son assemblée sur la convention n'est pas enregistrée.",
        "Agglo : la délibération de son assemblée sur la convention n'est pas enregistrée.",
    ]
    assert deliberation_findings([OPH, EPCI, DDT], [_d(1), _d(2)], TEXT) == []


def test_an_approval_with_reserves_counts_as_an_approval():
    assert deliberation_findings([EPCI], [_d(2, "approuve_reserves")], TEXT) == []


def test_a_rejection_or_an_adjournment_blocks_and_the_latest_counts():
    rejected = deliberation_findings([EPCI], [_d(2, "rejette")], TEXT)
    assert rejected == [
        "Agglo : la délibération du 01/03/2027 (conseil communautaire) rejette la convention ; "
        "une nouvelle délibération doit l'approuver."
    ]
    adjourned = deliberation_findings([EPCI], [_d(2, "ajourne")], TEXT)
    assert "ajourne la décision" in adjourned[0]
    # Approved later: the latest counts, whatever the order of recording.
    later = _d(2, "approuve", day=date(2027, 3, 10))
    assert deliberation_findings([EPCI], [later, _d(2, "rejette")], TEXT) == []
    assert deliberation_findings([EPCI], [_d(2, "rejette", day=date(2027, 3, 11)), later], TEXT)


def test_an_approval_of_a_text_changed_since_is_to_be_deliberated_again():
    found = deliberation_findings([OPH], [_d(1, sha=OTHER)], TEXT)
    assert len(found) == 1
    assert "le texte a changé depuis la délibération du 01/03/2027" in found[0]
    assert "bbbbbbbbbbbb…" in found[0] and "aaaaaaaaaaaa…" in found[0]
    statuses = party_statuses([OPH, EPCI], [_d(1, sha=OTHER)], TEXT)
    assert [s.status for s in statuses] == [Status.CHANGED, Status.MISSING]


def _facts(
    state: ConventionState, findings: tuple[str, ...], path: Lifecycle = CONTRACT_LIFECYCLE
) -> ConventionFacts:
    return ConventionFacts(
        lifecycle=path,
        state=state,
        sections=(),
        signatories=("Agglo",),
        signed_by=frozenset({"Agglo", "Val Habitat"}),
        start_year=2027,
        today=TODAY,
        organisme="Val Habitat",
        deliberation_findings=findings,
    )


def test_each_finding_blocks_the_signature_only():
    finding = "Agglo : la délibération de son assemblée sur la convention n'est pas enregistrée."
    to_sign = blockers(_facts(ConventionState.DELIBERATIONS, (finding,)), "signee")
    assert [(b.kind, b.text) for b in to_sign] == [("deliberation", f"Délibérations : {finding}")]
    assert blockers(_facts(ConventionState.DELIBERATIONS, ()), "signee") == []
    to_send = blockers(_facts(ConventionState.NEGOCIATION, (finding,)), "deliberations")
    assert not [b for b in to_send if b.kind == "deliberation"]
    # A path signed without deliberations (a CUS) is not held by them.
    cus = _facts(ConventionState.TRANSMISE, (finding,), CUS_LIFECYCLE)
    assert blockers(cus, "signee") == []


def test_a_signatory_records_its_own_deliberation_the_drafters_any():
    assert may_record_deliberation_for(Role.REDACTEUR, speaks_for_party=False)
    assert may_record_deliberation_for(Role.SIGNATAIRE, speaks_for_party=True)
    assert not may_record_deliberation_for(Role.SIGNATAIRE, speaks_for_party=False)
    assert not may_record_deliberation_for(Role.ASSOCIE, speaks_for_party=True)
    assert not may_record_deliberation_for(Role.OBSERVATEUR, speaks_for_party=True)
    assert not may_record_deliberation_for(None, speaks_for_party=True)
