import pytest

from workflows.errors import InvalidInput
from workflows.review import (
    POSITION_LABELS,
    SECTION_STATE_LABELS,
    AfterRevision,
    Position,
    RegisterItem,
    SectionState,
    after_new_revision,
    clean_position,
    open_items,
    request_review,
    state_after_positions,
)

BROUILLON, EN_REVUE, VALIDEE = SectionState
ACCORD, RESERVES, DESACCORD = Position
SIGNATORIES = ("Préfecture de région", "EPCI Grand Lyon", "Département du Rhône")


def test_values_and_labels():
    assert [s.value for s in SectionState] == ["brouillon", "en_revue", "validee"]
    assert SECTION_STATE_LABELS == {
        BROUILLON: "Brouillon",
        EN_REVUE: "En revue",
        VALIDEE: "Validée",
    }
    assert [p.value for p in Position] == ["accord", "accord_avec_reserves", "desaccord"]
    assert POSITION_LABELS == {
        ACCORD: "Accord",
        RESERVES: "Accord avec réserves",
        DESACCORD: "Désaccord",
    }


def test_accord_text_is_optional_and_trimmed():
    assert clean_position("accord", None) == (ACCORD, "")
    assert clean_position("accord", "  Très bien.\n") == (ACCORD, "Très bien.")
    assert clean_position(" accord ", "") == (ACCORD, "")


def test_reserves_and_disagreement_need_their_text():
    assert clean_position("accord_avec_reserves", " Revoir l'objectif 3. ") == (
        RESERVES,
        "Revoir l'objectif 3.",
    )
    assert clean_position("desaccord", "Objectif irréaliste.") == (
        DESACCORD,
        "Objectif irréaliste.",
    )
    with pytest.raises(InvalidInput, match="réserves"):
        clean_position("accord_avec_reserves", "  \n ")
    with pytest.raises(InvalidInput, match="désaccord doit être motivé"):
        clean_position("desaccord", None)


def test_unknown_position_is_refused():
    with pytest.raises(InvalidInput, match="Position inconnue : « peut-être »"):
        clean_position("peut-être", "texte")
    with pytest.raises(InvalidInput, match="Position inconnue"):
        clean_position("", "texte")


def test_position_text_is_limited_to_5000_characters():
    assert clean_position("desaccord", "x" * 5000)[1] == "x" * 5000
    # Surrounding whitespace is trimmed before counting.
    assert clean_position("desaccord", "  " + "x" * 5000 + "  ")[1] == "x" * 5000
    with pytest.raises(InvalidInput, match="5000"):
        clean_position("accord", "x" * 5001)


def test_position_text_line_endings_are_normalised():
    assert clean_position("desaccord", "a\r\nb")[1] == "a\nb"


def test_request_review():
    assert request_review(BROUILLON, has_revision=True) is EN_REVUE
    assert request_review("brouillon", True) is EN_REVUE
    with pytest.raises(InvalidInput, match="La section est vide : rien à relire."):
        request_review(BROUILLON, has_revision=False)
    with pytest.raises(InvalidInput, match="déjà en revue"):
        request_review(EN_REVUE, has_revision=True)
    with pytest.raises(InvalidInput, match="déjà validée"):
        request_review(VALIDEE, has_revision=True)
    with pytest.raises(InvalidInput, match="inconnu"):
        request_review("archivee", has_revision=True)


def everyone(position):
    return dict.fromkeys(SIGNATORIES, position)


def test_validated_when_every_signatory_agrees():
    assert state_after_positions(EN_REVUE, SIGNATORIES, everyone(ACCORD)) is VALIDEE


def test_reserves_count_as_agreement():
    positions = everyone(ACCORD) | {"EPCI Grand Lyon": RESERVES}
    assert state_after_positions(EN_REVUE, SIGNATORIES, positions) is VALIDEE
    assert state_after_positions(EN_REVUE, SIGNATORIES, everyone(RESERVES)) is VALIDEE


def test_one_disagreement_keeps_the_section_under_review():
    positions = everyone(ACCORD) | {"Département du Rhône": DESACCORD}
    assert state_after_positions(EN_REVUE, SIGNATORIES, positions) is EN_REVUE


def test_a_missing_position_keeps_the_section_under_review():
    positions = everyone(ACCORD)
    del positions["Préfecture de région"]
    # Someone who is not a signatory cannot stand in for a missing signatory.
    positions["Observateur"] = ACCORD
    assert state_after_positions(EN_REVUE, SIGNATORIES, positions) is EN_REVUE


def test_no_signatory_never_validates():
    assert state_after_positions(EN_REVUE, (), {"Quelqu'un": ACCORD}) is EN_REVUE


def test_positions_do_not_count_on_a_draft():
    assert state_after_positions(BROUILLON, SIGNATORIES, everyone(ACCORD)) is BROUILLON


def test_positions_given_as_strings():
    positions = dict.fromkeys(SIGNATORIES, "accord")
    assert state_after_positions("en_revue", SIGNATORIES, positions) is VALIDEE


def test_validated_section_goes_back_under_review_when_agreement_is_withdrawn():
    assert state_after_positions(VALIDEE, SIGNATORIES, everyone(ACCORD)) is VALIDEE
    positions = everyone(ACCORD) | {"EPCI Grand Lyon": DESACCORD}
    assert state_after_positions(VALIDEE, SIGNATORIES, positions) is EN_REVUE


def test_new_revision_of_a_validated_section_names_lost_agreements():
    after = after_new_revision(VALIDEE, ["EPCI X", "DDT Y"], 3)
    assert after == AfterRevision(
        BROUILLON,
        ("EPCI X", "DDT Y"),
        "La section validée repasse en brouillon : les accords de EPCI X, DDT Y portaient "
        "sur la révision 3.",
    )


def test_new_revision_under_review():
    after = after_new_revision(EN_REVUE, ["DDT Y"], 7)
    assert after.state is BROUILLON
    assert after.lost_agreements == ("DDT Y",)
    assert after.message == (
        "La section en revue repasse en brouillon : l'accord de DDT Y portait sur la révision 7."
    )


def test_new_revision_under_review_without_any_agreement():
    after = after_new_revision("en_revue", [], 2)
    assert after.state is BROUILLON
    assert after.lost_agreements == ()
    assert after.message.startswith("La section en revue repasse en brouillon : ")


def test_new_revision_names_each_party_once():
    after = after_new_revision(VALIDEE, ["EPCI X", "DDT Y", "EPCI X"], 4)
    assert after.lost_agreements == ("EPCI X", "DDT Y")
    assert "EPCI X, DDT Y portaient" in after.message


def test_new_revision_of_a_draft_loses_nothing():
    assert after_new_revision(BROUILLON, ["EPCI X"], 1) == AfterRevision(BROUILLON, (), None)


def item(party, section, position, revision=1):
    return RegisterItem(party, section, position, f"{party} / {section}", revision)


def test_open_items_are_reserves_and_disagreements_sorted_by_party_then_section():
    items = [
        item("Préfecture", "État des lieux", DESACCORD),
        item("EPCI Grand Lyon", "Qualité du service", RESERVES),
        item("Département", "Classement", ACCORD),
        item("EPCI Grand Lyon", "Engagements", DESACCORD),
        item("département du Rhône", "Classement", RESERVES),
        item("Préfecture", "Classement", RESERVES),
    ]
    assert [(i.party, i.section) for i in open_items(items)] == [
        ("département du Rhône", "Classement"),
        ("EPCI Grand Lyon", "Engagements"),
        ("EPCI Grand Lyon", "Qualité du service"),
        ("Préfecture", "Classement"),
        ("Préfecture", "État des lieux"),
    ]


def test_open_items_ignore_accents_when_sorting():
    items = [
        item("EPCI", "Zonage", RESERVES),
        item("EPCI", "État des lieux", RESERVES),
        item("EPCI", "Engagements", RESERVES),
    ]
    assert [i.section for i in open_items(items)] == ["Engagements", "État des lieux", "Zonage"]


def test_open_items_accept_any_iterable_and_keep_the_items():
    source = (item("A", "S", RESERVES, revision=5) for _ in range(1))
    [only] = open_items(source)
    assert only == RegisterItem("A", "S", RESERVES, "A / S", 5)
    assert open_items([item("A", "S", ACCORD)]) == []
