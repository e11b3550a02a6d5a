from workflows.conventions import OrganisationKind
from workflows.permissions import (
    ROLE_ACTIONS,
    Action,
    Role,
    can,
    can_create_convention,
    effective_role,
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
    assert ROLE_ACTIONS[Role.OBSERVATEUR] == {Action.VIEW}


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
