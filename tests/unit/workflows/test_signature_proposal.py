"""The préfet de département's proposal of signature, as rules: its date, its texts, the
State's signature on it, who records it, and the readiness item while it is missing."""

from dataclasses import replace
from datetime import date

import pytest

from tests.unit.workflows.test_lifecycle import facts
from workflows.errors import InvalidInput
from workflows.lifecycle import (
    PROPOSAL_NOTE_MAX,
    PROPOSER_MAX,
    ConventionState,
    blockers,
    check_proposal_date,
    check_state_signature,
    clean_proposal,
)
from workflows.permissions import Role, may_record_proposal

TRANSMITTED, TODAY = date(2026, 11, 21), date(2026, 12, 7)


def test_the_proposal_is_dated_between_the_transmission_and_today():
    assert check_proposal_date(TRANSMITTED, TRANSMITTED, TODAY) is None
    assert check_proposal_date(TODAY, TRANSMITTED, TODAY) is None
    assert "précède la transmission" in check_proposal_date(date(2026, 11, 20), TRANSMITTED, TODAY)
    assert "futur" in check_proposal_date(date(2026, 12, 8), TRANSMITTED, TODAY)
    assert "Indiquez la date" in check_proposal_date(None, TRANSMITTED, TODAY)
    # A transmission whose day is unknown bounds nothing but the future.
    assert check_proposal_date(date(2020, 1, 1), None, TODAY) is None


def test_its_texts_are_optional_and_bounded():
    assert clean_proposal("  préfet  du\nLoiret ", " Courrier\r\nn° 12 ") == (
        "préfet du Loiret",
        "Courrier\nn° 12",
    )
    assert clean_proposal(None, None) == ("", "")
    with pytest.raises(InvalidInput) as refused:
        clean_proposal("x" * (PROPOSER_MAX + 1), "")
    assert refused.value.field == "proposer"
    with pytest.raises(InvalidInput) as refused:
        clean_proposal("", "x" * (PROPOSAL_NOTE_MAX + 1))
    assert refused.value.field == "note"


def test_the_state_signs_on_the_proposal_never_before_it():
    assert "enregistrez d'abord" in check_state_signature(TODAY, None)
    assert "précède la proposition" in check_state_signature(
        date(2026, 11, 22), TRANSMITTED.replace(day=23)
    )
    assert check_state_signature(TODAY, TODAY) is None


def test_who_records_it_as_for_the_note_d_enjeux():
    assert may_record_proposal(Role.SIGNATAIRE, "ddt", recorded_by_state=True)
    assert may_record_proposal(Role.SIGNATAIRE, "dreal", recorded_by_state=False)
    assert may_record_proposal(Role.REDACTEUR, "oph", recorded_by_state=False)
    assert not may_record_proposal(Role.REDACTEUR, "oph", recorded_by_state=True)
    assert not may_record_proposal(Role.SIGNATAIRE, "epci", recorded_by_state=False)
    assert not may_record_proposal(Role.OBSERVATEUR, "prefecture", recorded_by_state=False)
    assert not may_record_proposal(Role.ASSOCIE, "ddt", recorded_by_state=False)
    assert not may_record_proposal(None, "ddt", recorded_by_state=False)


def test_the_signature_waits_for_it_while_the_state_has_not_signed():
    waiting = facts(
        ConventionState.TRANSMISE,
        signed_by=frozenset({"EPCI Grand Lyon"}),
        organisme=None,
        awaiting_proposal=("Préfecture de région",),
    )
    found = [(b.kind, b.party) for b in blockers(waiting, "signee")]
    assert found == [
        ("proposal", "Préfecture de région"),
        ("signature", "Préfecture de région"),
    ]
    assert [b.kind for b in blockers(replace(waiting, awaiting_proposal=()), "signee")] == [
        "signature"
    ]
    # Not before the transmission: it is no blocker of the transmission itself.
    negotiated = replace(waiting, state=ConventionState.NEGOCIATION)
    assert "proposal" not in [b.kind for b in blockers(negotiated, "transmise")]
