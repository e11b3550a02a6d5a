"""An associated collectivité's choice to sign: who has it, who records it, until when,
and that the lifecycle's guards never wait for it."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.errors import Conflict, InvalidInput
from workflows.lifecycle import ConventionFacts, ConventionState, check_transition
from workflows.permissions import Role, may_choose_for
from workflows.signatory_choice import (
    Choice,
    check_choice,
    is_associated_collectivite,
    read_choice,
)

TODAY = date(2026, 12, 4)


def test_which_memberships_have_the_choice():
    for kind in ("epci", "departement", "commune"):
        assert is_associated_collectivite(kind, Role.ASSOCIE, chose_to_sign=False)
        assert is_associated_collectivite(kind, Role.SIGNATAIRE, chose_to_sign=True)
        # A signatory from the start (the collectivité de rattachement) has none.
        assert not is_associated_collectivite(kind, Role.SIGNATAIRE, chose_to_sign=False)
        assert not is_associated_collectivite(kind, Role.OBSERVATEUR, chose_to_sign=False)
    for kind in ("ddt", "oph", "autre", None):
        assert not is_associated_collectivite(kind, Role.ASSOCIE, chose_to_sign=False)


def test_who_records_it():
    assert may_choose_for(Role.ASSOCIE, speaks_for_party=True)
    assert may_choose_for(Role.SIGNATAIRE, speaks_for_party=True)
    assert may_choose_for(Role.REDACTEUR, speaks_for_party=False)
    assert not may_choose_for(Role.ASSOCIE, speaks_for_party=False)
    assert not may_choose_for(Role.SIGNATAIRE, speaks_for_party=False)
    assert not may_choose_for(Role.OBSERVATEUR, speaks_for_party=True)


def test_when_and_how_it_is_recorded():
    check_choice(ConventionState.NEGOCIATION, "EPCI", True, False, None, TODAY)
    check_choice(ConventionState.ASSOCIATION, "EPCI", True, True, date(2026, 11, 2), TODAY)
    with pytest.raises(InvalidInput) as no_date:
        check_choice(ConventionState.ASSOCIATION, "EPCI", True, True, None, TODAY)
    assert no_date.value.field == "letter_on"
    with pytest.raises(InvalidInput) as future:
        check_choice(ConventionState.ASSOCIATION, "EPCI", True, True, date(2026, 12, 5), TODAY)
    assert "futur" in future.value.message
    with pytest.raises(Conflict):
        check_choice(ConventionState.TRANSMISE, "EPCI", True, False, None, TODAY)
    with pytest.raises(InvalidInput):
        check_choice(ConventionState.NEGOCIATION, "DDT", False, False, None, TODAY)
    assert read_choice(" signataire ") is Choice.SIGNATAIRE
    with pytest.raises(InvalidInput):
        read_choice("peut-être")


def test_the_guards_wait_only_for_the_signatories():
    # An associée that has said nothing is no signatory: neither transmission nor
    # signature names it.
    facts = ConventionFacts(
        state=ConventionState.TRANSMISE,
        sections=(),
        signatories=("DDT",),
        signed_by=frozenset({"DDT", "OPH"}),
        start_year=2025,
        today=TODAY,
        organisme="OPH",
    )
    assert check_transition(facts, "signee") == []
