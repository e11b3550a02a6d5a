"""Who may do what in a convention: the one table that decides, and the rules on one
object that a role alone does not settle.

Every web route and API call names an Action (``app/access.py``); ``can(role, action)``
is the check. Roles come from a membership (of a user or of their organisation) in one
convention. The ``may_*`` predicates below say who, among those the role allows, may act
on a given object; the operations apply them and refuse with ``Forbidden`` (403).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workflows.conventions import ORGANISMES_HLM, STATE_KINDS, OrganisationKind
from workflows.errors import Conflict, InvalidInput


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
    # Download the signed convention's PDF/A archive: every party keeps the signed copy.
    DOWNLOAD_ARCHIVE = "download_archive"
    # The préfet's note d'enjeux et d'objectifs: the State's signatories record it, the
    # organisme transcribes the paper copy (may_record_note).
    RECORD_NOTE = "record_note"
    # An associated collectivité's choice to sign or to stay associated: its own, or the
    # organisme's drafters from its letter (may_choose_for).
    CHOOSE_SIGNATORY = "choose_signatory"
    # The préfet de département's proposal to the préfet de région to sign a CUS: the
    # State's signatory records it, the organisme transcribes the letter
    # (may_record_proposal).
    RECORD_PROPOSAL = "record_proposal"
    # A party's deliberation on the convention: a signatory records its own assembly's,
    # the organisme's drafters any party's from the extract of its register
    # (may_record_deliberation_for).
    RECORD_DELIBERATION = "record_deliberation"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    # The organisme drafts and decides; it does not review its own text.
    Role.REDACTEUR: frozenset(Action) - {Action.REVIEW},
    # A signatory that was an associated collectivité may go back to being associated
    # (CHOOSE_SIGNATORY, its own line only); the State's record the préfet's note.
    Role.SIGNATAIRE: frozenset(
        {
            Action.VIEW,
            Action.PROPOSE,
            Action.COMMENT,
            Action.REVIEW,
            Action.SIGN,
            Action.DOWNLOAD_ARCHIVE,
            Action.RECORD_NOTE,
            Action.CHOOSE_SIGNATORY,
            Action.RECORD_PROPOSAL,
            Action.RECORD_DELIBERATION,
        }
    ),
    Role.ASSOCIE: frozenset(
        {
            Action.VIEW,
            Action.PROPOSE,
            Action.COMMENT,
            Action.DOWNLOAD_ARCHIVE,
            Action.CHOOSE_SIGNATORY,
        }
    ),
    Role.OBSERVATEUR: frozenset({Action.VIEW, Action.DOWNLOAD_ARCHIVE}),
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


@dataclass(frozen=True)
class Member:
    """A membership as the rules see it: a role held by one user or one organisation."""

    role: Role
    user_id: int | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class Person:
    id: int
    organisation_id: int
    active: bool


def active_drafters(members: Iterable[Member], people: Iterable[Person]) -> frozenset[int]:
    """The active users who act as redacteur in a convention (personal role first)."""
    personal: dict[int, Role] = {}
    organisational: dict[int, Role] = {}
    for m in members:
        if m.user_id is not None:
            personal[m.user_id] = m.role
        elif m.organisation_id is not None:
            organisational[m.organisation_id] = m.role
    return frozenset(
        p.id
        for p in people
        if p.active
        and effective_role(personal.get(p.id), organisational.get(p.organisation_id))
        is Role.REDACTEUR
    )


def check_drafters_remain(title: str, before: Iterable[int], after: Iterable[int]) -> None:
    """Refuse a change (of a role, a removal, a deactivation) after which a convention
    that had an active drafter has none: nobody could then manage it from Cosigne (its
    members, its sections, its lifecycle). A convention that had none already (set up
    by the administrator before its organisme's accounts exist) is left alone."""
    if set(before) and not set(after):
        raise Conflict(
            f"« {title} » n'aurait plus aucun rédacteur actif : personne ne pourrait plus "
            "la gérer. Désignez d'abord un autre rédacteur."
        )


def can_create_convention(organisation_kind: str, is_admin: bool = False) -> bool:
    """Conventions are drafted by organismes HLM (OPH, ESH, SEM); the instance admin may
    set one up on their behalf."""
    return is_admin or organisation_kind in ORGANISMES_HLM


# --- rules on one object ------------------------------------------------------------------


def may_withdraw(actor_id: int, author_id: int) -> bool:
    """Only its author withdraws a contribution."""
    return actor_id == author_id


def may_resolve(role: Role | None, actor_id: int, thread_author_id: int) -> bool:
    """A discussion is closed (or reopened) by whoever opened it or by the drafters."""
    return role is Role.REDACTEUR or actor_id == thread_author_id


def may_sign_for(role: Role | None, speaks_for_party: bool) -> bool:
    """A signatory records its own party's signature; the organisme's drafters record any
    signatory's, from the signed paper copy."""
    return speaks_for_party or role is Role.REDACTEUR


@dataclass(frozen=True)
class SigningParty:
    """A party that signs the convention, as one user sees it."""

    id: int  # its membership
    name: str
    organisme: bool  # the organisme itself (the others are the signatories)
    own: bool  # the user speaks for it
    signed: bool  # its signature is recorded


def parties_to_sign_for(role: Role | None, parties: Iterable[SigningParty]) -> list[SigningParty]:
    """The parties whose signature this user may record now: not signed yet and allowed
    by ``may_sign_for`` (a signatory: its own line only), their own first."""
    if not can(role, Action.SIGN):
        return []
    found = [p for p in parties if not p.signed and may_sign_for(role, p.own)]
    return sorted(found, key=lambda p: not p.own)


def why_no_signature(role: Role | None, parties: Iterable[SigningParty]) -> str:
    """Why this user may record no signature (``parties_to_sign_for`` gave none), in
    French, for the page to say it instead of a form."""
    parties = list(parties)
    if not can(role, Action.SIGN):
        label = ROLE_LABELS[role].lower() if role is not None else "aucun"
        return (
            f"Votre rôle dans cette convention ({label}) ne comprend pas la signature : "
            "seuls l'organisme et les signataires signent."
        )
    own = [p for p in parties if p.own]
    if own and all(p.signed for p in own):
        names = ", ".join(p.name for p in own)
        return f"La signature de {names} est déjà enregistrée."
    if parties and all(p.signed for p in parties):
        return "Toutes les signatures sont enregistrées."
    return "Votre organisation n'est pas partie à cette convention : elle ne la signe pas."


def speaks_for_state(organisation_kind: str) -> bool:
    """The user's organisation is one of the State's services (DDT, DREAL, préfecture)."""
    return organisation_kind in STATE_KINDS


def may_record_note(role: Role | None, organisation_kind: str, recorded_by_state: bool) -> bool:
    """Who records and amends the préfet's note d'enjeux et d'objectifs.

    The note is the State's word: a signatory of the State (DDT, DREAL, préfecture) may
    always record and amend it. The organisme's drafters may record it from the paper
    copy, since the note usually comes by mail, often before any State account takes
    part, and the organisme must attach it when it transmits the documents of the
    association; but once a State member has written it in Cosigne, the organisme no
    longer rewrites what the State itself wrote (``recorded_by_state``)."""
    if not can(role, Action.RECORD_NOTE):
        return False
    if role is Role.REDACTEUR:
        return not recorded_by_state
    return speaks_for_state(organisation_kind)


def may_record_proposal(role: Role | None, organisation_kind: str, recorded_by_state: bool) -> bool:
    """Who records the préfet de département's proposal to the préfet de région to sign
    a CUS: as for the note d'enjeux (``may_record_note``), a signatory of the State, or
    the organisme's drafters from the letter they received, until a State member has
    recorded it in Cosigne (``recorded_by_state``)."""
    if not can(role, Action.RECORD_PROPOSAL):
        return False
    if role is Role.REDACTEUR:
        return not recorded_by_state
    return speaks_for_state(organisation_kind)


def may_record_deliberation_for(role: Role | None, speaks_for_party: bool) -> bool:
    """A signatory records its own assembly's deliberation; the organisme's drafters
    record any party's, transcribing the extract of the registre des délibérations."""
    return can(role, Action.RECORD_DELIBERATION) and (speaks_for_party or role is Role.REDACTEUR)


def may_record_patrimoine(role: Role | None, of_the_organisme: bool) -> bool:
    """Where the organisme owns housing is said by its own drafters: it holds for all of
    its conventions, so a collectivité drafting with it does not change it."""
    return can(role, Action.MANAGE_MEMBERS) and of_the_organisme


def may_choose_for(role: Role | None, speaks_for_party: bool) -> bool:
    """An associated collectivité records its own choice (to sign, or to stay associated);
    the organisme's drafters record any collectivité's, from the letter it sent."""
    return can(role, Action.CHOOSE_SIGNATORY) and (speaks_for_party or role is Role.REDACTEUR)


def may_attribute_to_others(role: Role | None) -> bool:
    """Who may write a Word document's changes in other members' names (one contribution
    per author of revision marks): the drafters. A partner attributes them to themself."""
    return can(role, Action.EDIT_SECTION)


def may_import_as_revisions(role: Role | None) -> bool:
    """Who may record a Word document's text as new revisions rather than contributions."""
    return can(role, Action.EDIT_SECTION)


# --- the tenants' representatives ---------------------------------------------------------

# The roles a tenants' association may hold: it takes part in the concertation (associé)
# or reads (observateur); it neither drafts the organisme's text nor signs the convention.
TENANT_ROLES = frozenset({Role.ASSOCIE, Role.OBSERVATEUR})


def represents_tenants(organisation_kind: str) -> bool:
    """The user's organisation is a tenants' association (its representatives)."""
    return organisation_kind == OrganisationKind.ASSOCIATION_LOCATAIRES


def may_take_part(organisation_kind: str, concertation: bool) -> bool:
    """Whether a member whose role allows proposing and commenting may do so on a
    section, as far as its subject goes. The tenants' representatives are consulted on
    the sections under the concertation (by law the classement des immeubles; the
    organisme may widen it, circulaire CUS, IV) and read the others; everyone else takes
    part wherever their role allows."""
    return concertation or not represents_tenants(organisation_kind)


def outside_concertation(concerned: Sequence[str]) -> str:
    """Why a tenants' representative may not propose or comment here, naming the
    sections they may (``concerned``: their titles, in order)."""
    if not concerned:
        return (
            "Les représentants des locataires participent aux sections soumises à la "
            "concertation : aucune ne l'est pour l'instant dans cette convention."
        )
    return (
        "Les représentants des locataires participent aux sections soumises à la "
        f"concertation : {', '.join(concerned)}."
    )


def check_tenant_role(organisation_kind: str, role: Role) -> None:
    """Refuse the roles a tenants' association may not hold (InvalidInput on ``role``)."""
    if represents_tenants(organisation_kind) and role not in TENANT_ROLES:
        raise InvalidInput(
            f"Une association de locataires ne peut pas être {ROLE_LABELS[role].lower()} : "
            "ses représentants participent à la concertation comme associés (ou lisent la "
            "convention comme observateurs), sans la rédiger ni la signer.",
            field="role",
        )
