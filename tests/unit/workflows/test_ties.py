"""The parties' real ties: the signatory of right, the collectivités to associate."""

import pytest

from workflows.conventions import OrganisationKind as K
from workflows.errors import InvalidInput
from workflows.permissions import Role
from workflows.ties import (
    Level,
    Party,
    Place,
    Tie,
    check_rattachement,
    departement_of_commune,
    plh_of,
    read_logements,
    read_place,
    ties,
)

D41 = Place(Level.DEPARTEMENT, "41")
D37 = Place(Level.DEPARTEMENT, "37")
BLOIS = Place(Level.COMMUNE, "41018")
TOURS = Place(Level.COMMUNE, "37261")
AGGLO = Place(Level.EPCI, "200030385")

OPH = Party(1, "Office", K.OPH)
ESH = Party(2, "Société", K.ESH)
EPCI = Party(10, "Agglo", K.EPCI, frozenset({AGGLO, BLOIS, D41}), plh_executoire=True)
DEP41 = Party(11, "Département 41", K.DEPARTEMENT, frozenset({D41}))
DEP37 = Party(12, "Département 37", K.DEPARTEMENT, frozenset({D37}))
COMMUNE = Party(13, "Blois", K.COMMUNE, frozenset({BLOIS}))
PARTIES = [EPCI, DEP41, DEP37, COMMUNE]


def by_party(result):
    return {p.party.id: p for p in result.proposals}


def test_the_collectivite_of_an_office_is_its_signatory_of_right():
    result = ties(OPH, EPCI, PARTIES, [BLOIS], {})
    first = result.proposals[0]
    assert (first.party, first.tie, first.role) == (EPCI, Tie.RATTACHEMENT, Role.SIGNATAIRE)
    assert any("signataire de droit" in w and "ne participe pas" in w for w in result.warnings)


def test_the_signatory_of_right_as_associee_is_not_at_its_role():
    result = ties(OPH, EPCI, PARTIES, [BLOIS], {10: Role.ASSOCIE, 11: Role.ASSOCIE})
    assert not by_party(result)[10].fulfilled
    assert result.warnings == (
        "Agglo, collectivité de rattachement de l'office et signataire de droit de sa CUS, "
        "y participe comme « associé », pas comme signataire.",
    )
    done = ties(OPH, EPCI, PARTIES, [BLOIS], {10: Role.SIGNATAIRE, 11: Role.ASSOCIE})
    assert done.warnings == () and [p.party.id for p in done.pending] == [13]


def test_an_office_without_rattachement_is_warned():
    result = ties(OPH, None, PARTIES, [BLOIS], {})
    assert "rattachement" in result.warnings[0] and "n'est pas renseignée" in result.warnings[0]


def test_an_esh_has_no_rattachement_nor_signatory_of_right():
    result = ties(ESH, None, PARTIES, [BLOIS], {})
    assert all(p.tie is not Tie.RATTACHEMENT for p in result.proposals)
    assert not any("rattachement" in w for w in result.warnings)
    with pytest.raises(InvalidInput) as refused:
        check_rattachement(K.ESH, EPCI, ESH.id)
    assert refused.value.field == "rattachement_id"


def test_a_rattachement_is_a_collectivite():
    check_rattachement(K.OPH, EPCI, OPH.id)
    check_rattachement(K.OPH, Party(14, "EPT", K.EPT), OPH.id)
    check_rattachement(K.OPH, None, OPH.id)
    for other in (ESH, Party(15, "DDT", K.DDT), Party(16, "AR", K.AR_HLM), OPH):
        with pytest.raises(InvalidInput):
            check_rattachement(K.OPH, other, OPH.id)


def test_the_departements_and_the_epci_with_plh_where_it_owns_housing_are_required():
    result = ties(ESH, None, PARTIES, [BLOIS], {})
    found = by_party(result)
    assert found[11].tie is Tie.DE_DROIT and found[11].role is Role.ASSOCIE
    assert found[10].tie is Tie.DE_DROIT
    assert 12 not in found  # no housing in the other département
    assert found[13].tie is Tie.FACULTATIVE  # a commune may ask
    required = [w for w in result.warnings if "doit être associée" in w]
    assert len(required) == 2
    assert not any("Blois" in w for w in result.warnings)


def test_an_associated_collectivite_that_chose_to_sign_fulfils_its_association():
    result = ties(ESH, None, PARTIES, [BLOIS], {10: Role.SIGNATAIRE, 11: Role.ASSOCIE})
    assert result.warnings == ()
    assert [p.party.id for p in result.pending] == [13]  # the commune, a faculty


def test_an_observer_is_not_associated():
    result = ties(ESH, None, PARTIES, [BLOIS], {10: Role.ASSOCIE, 11: Role.OBSERVATEUR})
    assert result.warnings == (
        "Département 41 (l'organisme possède des logements sur son territoire) doit être "
        "associée à l'élaboration de la convention et n'y est qu'« observateur », sans y "
        "être associée.",
    )


def test_an_epci_without_enforceable_plh_is_not_required():
    epci = Party(10, "Agglo", K.EPCI, frozenset({AGGLO, BLOIS}), plh_executoire=False)
    result = ties(ESH, None, [epci, DEP41], [BLOIS], {11: Role.ASSOCIE})
    assert by_party(result)[10].tie is Tie.FACULTATIVE
    assert result.warnings == ()


def test_an_epci_whose_plh_is_not_said_is_mentioned_not_required():
    epci = Party(10, "Agglo", K.EPCI, frozenset({AGGLO, BLOIS}), plh_executoire=None)
    result = ties(ESH, None, [epci, DEP41], [BLOIS], {11: Role.ASSOCIE})
    assert by_party(result)[10].tie is Tie.FACULTATIVE
    assert len(result.warnings) == 1 and "PLH de Agglo" in result.warnings[0]


def test_an_ept_counts_as_an_epci():
    ept = Party(20, "Est Ensemble", K.EPT, frozenset({Place(Level.EPCI, "200057875")}), True)
    result = ties(ESH, None, [ept], [Place(Level.EPCI, "200057875")], {})
    assert by_party(result)[20].tie is Tie.DE_DROIT


def test_a_footprint_at_the_epci_level_reaches_its_departements():
    result = ties(ESH, None, PARTIES, [AGGLO], {})
    found = by_party(result)
    assert found[10].tie is Tie.DE_DROIT and found[11].tie is Tie.DE_DROIT
    assert 13 not in found and 12 not in found  # the commune is not known to be concerned


def test_an_epci_lying_in_a_departement_is_not_required_for_housing_elsewhere_in_it():
    elsewhere = Place(Level.COMMUNE, "41269")  # Vendôme, outside the agglo
    found = by_party(ties(ESH, None, PARTIES, [elsewhere], {}))
    assert 10 not in found and found[11].tie is Tie.DE_DROIT


def test_an_unknown_footprint_is_said():
    result = ties(ESH, None, PARTIES, [], {})
    assert result.proposals == ()
    assert "patrimoine" in result.warnings[0]


def test_other_kinds_are_never_proposed():
    ar = Party(30, "AR Hlm", K.AR_HLM, frozenset({D41}))
    ddt = Party(31, "DDT", K.DDT, frozenset({D41}))
    assert ties(ESH, None, [ar, ddt], [BLOIS], {}).proposals == ()


def test_places_are_read_for_their_level():
    assert read_place(Level.DEPARTEMENT, " 1 ") == Place(Level.DEPARTEMENT, "01")
    assert read_place(Level.DEPARTEMENT, "2a").code == "2A"
    assert read_place(Level.EPCI, "200 030 385").code == "200030385"
    assert read_place(Level.COMMUNE, "2A004").code == "2A004"
    for level, bad in [
        (Level.DEPARTEMENT, "20"),
        (Level.DEPARTEMENT, "99"),
        (Level.EPCI, "12345"),
        (Level.COMMUNE, "4101"),
        (Level.COMMUNE, ""),
    ]:
        with pytest.raises(InvalidInput) as refused:
            read_place(level, bad)
        assert refused.value.field == "code"
    assert departement_of_commune("97411") == "974"
    assert departement_of_commune("2B033") == "2B"


def test_plh_and_logements():
    assert plh_of(K.EPCI, "1") is True and plh_of(K.EPT, "0") is False
    assert plh_of(K.EPCI, "") is None and plh_of(K.DEPARTEMENT, "") is None
    with pytest.raises(InvalidInput):
        plh_of(K.DEPARTEMENT, "1")
    with pytest.raises(InvalidInput):
        plh_of(K.EPCI, "peut-être")
    assert read_logements(" 1 200 ") == 1200 and read_logements("") is None
    for bad in ("-3", "douze", "1.5", "99999999"):
        with pytest.raises(InvalidInput):
            read_logements(bad)
