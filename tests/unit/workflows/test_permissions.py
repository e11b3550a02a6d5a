import pytest

from workflows.conventions import OrganisationKind
from workflows.errors import Conflict, InvalidInput
from workflows.permissions import (
    ROLE_ACTIONS,
    Action,
    Member,
    Person,
    Role,
    SigningParty,
    active_drafters,
    can,
    can_create_convention,
    check_drafters_remain,
    check_tenant_role,
    effective_role,
    may_take_part,
    outside_concertation,
    parties_to_sign_for,
    why_no_signature,
)


def test_only_redacteur_edits_and_decides():
    for action in (
        Action.EDIT_SECTION,
        Action.MANAGE_SECTIONS,
        Action.MANAGE_MEMBERS,
        Action.DECIDE,
        Action.TRANSITION,
        Action.REQUEST_REVIEW,
        Action.MANAGE_REGISTER,
    ):
        assert [r for r in Role if can(r, action)] == [Role.REDACTEUR]


def test_signataire_reviews_and_proposes_but_associe_does_not_review():
    assert can(Role.SIGNATAIRE, Action.REVIEW) and can(Role.SIGNATAIRE, Action.PROPOSE)
    assert can(Role.ASSOCIE, Action.PROPOSE) and not can(Role.ASSOCIE, Action.REVIEW)


def test_only_signatories_review():
    assert [r for r in Role if can(r, Action.REVIEW)] == [Role.SIGNATAIRE]


def test_observer_neither_proposes_nor_comments():
    assert not can(Role.OBSERVATEUR, Action.PROPOSE)
    assert not can(Role.OBSERVATEUR, Action.COMMENT)


def test_observateur_reads_only():
    # Reading, and keeping the signed copy (its PDF/A archive): nothing that writes.
    assert ROLE_ACTIONS[Role.OBSERVATEUR] == {Action.VIEW, Action.DOWNLOAD_ARCHIVE}


def test_every_member_downloads_the_signed_archive():
    assert all(can(role, Action.DOWNLOAD_ARCHIVE) for role in Role)


def test_non_member_is_denied_everything():
    assert not any(can(None, action) for action in Action)


def test_personal_membership_overrides_the_organisations():
    assert effective_role(Role.OBSERVATEUR, Role.REDACTEUR) is Role.OBSERVATEUR
    assert effective_role(None, Role.ASSOCIE) is Role.ASSOCIE
    assert effective_role(None, None) is None


def test_only_organismes_hlm_create_conventions():
    assert can_create_convention(OrganisationKind.OPH)
    assert can_create_convention(OrganisationKind.ESH)
    assert not can_create_convention(OrganisationKind.EPCI)
    assert not can_create_convention(OrganisationKind.DDT)
    assert can_create_convention(OrganisationKind.DDT, is_admin=True)


def _people(*rows: tuple[int, int, bool]) -> list[Person]:
    return [Person(*row) for row in rows]


def test_active_drafters_take_the_personal_role_first():
    members = [
        Member(Role.REDACTEUR, organisation_id=10),
        Member(Role.OBSERVATEUR, user_id=1),  # a drafter of org 10 made observer
        Member(Role.REDACTEUR, user_id=3),  # a person of org 20 made drafter
        Member(Role.SIGNATAIRE, organisation_id=20),
    ]
    people = _people((1, 10, True), (2, 10, True), (3, 20, True), (4, 20, True), (5, 10, False))
    assert active_drafters(members, people) == {2, 3}


def test_a_change_that_leaves_no_active_drafter_is_refused():
    check_drafters_remain("CUS", {1, 2}, {2})
    check_drafters_remain("CUS", set(), set())  # had none already: not this change's doing
    with pytest.raises(Conflict, match="« CUS » n'aurait plus aucun rédacteur actif"):
        check_drafters_remain("CUS", {1}, set())


# --- who signs for which party ------------------------------------------------------------


def _parties(own: str, signed: frozenset[str] = frozenset()) -> list[SigningParty]:
    names = ("Office", "EPCI", "DDT")
    return [
        SigningParty(i, name, i == 0, name == own, name in signed) for i, name in enumerate(names)
    ]


def test_a_signatory_signs_for_its_own_line_only():
    chosen = parties_to_sign_for(Role.SIGNATAIRE, _parties("DDT"))
    assert [p.name for p in chosen] == ["DDT"]
    assert parties_to_sign_for(Role.SIGNATAIRE, _parties("DDT", frozenset({"DDT"}))) == []
    reason = why_no_signature(Role.SIGNATAIRE, _parties("DDT", frozenset({"DDT"})))
    assert reason == "La signature de DDT est déjà enregistrée."


def test_the_drafters_sign_for_the_organisme_first_and_record_the_others():
    chosen = parties_to_sign_for(Role.REDACTEUR, _parties("Office", frozenset({"EPCI"})))
    assert [p.name for p in chosen] == ["Office", "DDT"]
    everyone = frozenset({"Office", "EPCI", "DDT"})
    assert why_no_signature(Role.REDACTEUR, _parties("Office", everyone)) == (
        "La signature de Office est déjà enregistrée."
    )


def test_who_may_not_sign_is_told_why():
    for role in (Role.ASSOCIE, Role.OBSERVATEUR, None):
        assert parties_to_sign_for(role, _parties("EPCI")) == []
        assert "ne comprend pas la signature" in why_no_signature(role, _parties("EPCI"))


def test_tenants_take_part_on_the_sections_under_concertation_only():
    tenants = OrganisationKind.ASSOCIATION_LOCATAIRES
    assert may_take_part(tenants, concertation=True)
    assert not may_take_part(tenants, concertation=False)
    for kind in (OrganisationKind.DEPARTEMENT, OrganisationKind.EPCI, OrganisationKind.OPH):
        assert may_take_part(kind, concertation=False)
    assert outside_concertation(["Classement des immeubles", "Qualité du service"]) == (
        "Les représentants des locataires participent aux sections soumises à la "
        "concertation : Classement des immeubles, Qualité du service."
    )
    assert "aucune ne l'est" in outside_concertation([])


def test_a_tenants_association_neither_drafts_nor_signs():
    tenants = OrganisationKind.ASSOCIATION_LOCATAIRES
    for role in (Role.REDACTEUR, Role.SIGNATAIRE):
        with pytest.raises(InvalidInput) as refused:
            check_tenant_role(tenants, role)
        assert refused.value.field == "role"
    for role in (Role.ASSOCIE, Role.OBSERVATEUR):
        check_tenant_role(tenants, role)
    check_tenant_role(OrganisationKind.EPCI, Role.SIGNATAIRE)  # others as before
