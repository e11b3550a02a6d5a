"""Who may do what in a convention: the one table that decides.

Every web route and API call names an Action; ``can(role, action)`` is the only check.
Roles come from a membership (of a user or of their organisation) in one convention.
"""

from __future__ import annotations

from enum import StrEnum

from workflows.conventions import ORGANISMES_HLM


class Role(StrEnum):
    REDACTEUR = "redacteur"  # the organisme's drafters: edit, decide on contributions
    SIGNATAIRE = "signataire"  # collectivité de rattachement, the State: review, approve, propose
    ASSOCIE = "associe"  # EPCI with a PLH, département: propose, comment, read
    OBSERVATEUR = "observateur"  # read only


ROLE_LABELS = {
    Role.REDACTEUR: "Rédacteur",
    Role.SIGNATAIRE: "Signataire",
    Role.ASSOCIE: "Associé",
    Role.OBSERVATEUR: "Observateur",
}


class Action(StrEnum):
    VIEW = "view"  # read the convention, its sections, history and differences
    EDIT_SECTION = "edit_section"  # save a new revision, restore an old one
    MANAGE_SECTIONS = "manage_sections"  # add, rename, reorder sections
    MANAGE_MEMBERS = "manage_members"  # invite organisations and users, change roles
    PROPOSE = "propose"  # propose a contribution (tracked change)
    COMMENT = "comment"
    REVIEW = "review"  # record a position on a section under review (signatories)
    DECIDE = "decide"  # accept or reject contributions
    REQUEST_REVIEW = "request_review"  # put a section under review
    TRANSITION = "transition"  # move the convention through its lifecycle, set deadlines
    SIGN = "sign"  # record a signature (a signatory its own; the organisme any, from paper)
    MANAGE_REGISTER = "manage_register"  # meetings, documents sent, minutes


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    # The organisme drafts and decides; it does not review its own text.
    Role.REDACTEUR: frozenset(Action) - {Action.REVIEW},
    Role.SIGNATAIRE: frozenset(
        {Action.VIEW, Action.PROPOSE, Action.COMMENT, Action.REVIEW, Action.SIGN}
    ),
    Role.ASSOCIE: frozenset({Action.VIEW, Action.PROPOSE, Action.COMMENT}),
    Role.OBSERVATEUR: frozenset({Action.VIEW}),
}

# When a user holds a role both personally and through their organisation, the
# personal membership wins: it is how an organisme restricts or widens one person.


def can(role: Role | None, action: Action) -> bool:
    """True when ``role`` (None: not a member) allows ``action``. Deny by default."""
    if role is None:
        return False
    return action in ROLE_ACTIONS.get(role, frozenset())


def effective_role(user_role: Role | None, organisation_role: Role | None) -> Role | None:
    """The role a user acts with in a convention: personal membership first."""
    return user_role if user_role is not None else organisation_role


def can_create_convention(organisation_kind: str, is_admin: bool = False) -> bool:
    """Conventions are drafted by organismes HLM (OPH, ESH, SEM); the instance admin may
    set one up on their behalf."""
    return is_admin or organisation_kind in ORGANISMES_HLM
