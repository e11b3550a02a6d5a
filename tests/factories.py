"""Factories that build, in one line each, exactly the world a test needs.

Each goes through the application's own operations (create_user, create_convention,
save_revision) where those exist, and writes straight to the database where a test
needs a state the operations only reach through many steps (a phase, a membership).
They run inside an application context, as the operations do:

    with app.app_context():
        drafter = make_user("redac@oph.test", "OPH Test", OrganisationKind.OPH)
        signer = make_user("sign@epci.test", "EPCI Test", OrganisationKind.EPCI)
        cus = make_convention(drafter, state=ConventionState.NEGOCIATION,
                              members={Role.SIGNATAIRE: [signer]})
        write(first_section(cus.id), drafter, "Premier texte.")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import func, select

from app.access import members
from app.accounts.operations import create_user
from app.conventions.operations import create_convention
from app.db import db_session, write_transaction
from app.models import Convention, Membership, Revision, User
from app.sections import queries
from app.sections.operations import save_revision
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

PASSWORD = "motdepasse-test"


def make_user(email: str, organisation: str, kind: OrganisationKind, **kw) -> User:
    """A user of ``organisation`` (created if new), named after the email, whose password
    is PASSWORD; ``kw`` goes to create_user (is_admin=True...)."""
    return create_user(email, email.split("@")[0].title(), PASSWORD, organisation, kind, **kw)


def add_member(convention_id: int, role: Role, user: User, personal: bool = False) -> None:
    """Give ``user``'s organisation (or, ``personal``, the user alone) ``role`` in the
    convention: straight into the table, without the operations' notices and review
    re-checks."""
    with write_transaction() as session:
        if personal:
            session.add(Membership(convention_id=convention_id, user_id=user.id, role=role))
        else:
            session.add(
                Membership(
                    convention_id=convention_id, organisation_id=user.organisation_id, role=role
                )
            )


def set_state(convention_id: int, state: ConventionState) -> None:
    """Put the convention in ``state`` directly, without the transitions' guards."""
    with write_transaction() as session:
        session.get(Convention, convention_id).state = state


def make_convention(
    owner: User,
    kind: ConventionKind = ConventionKind.CUS,
    title: str = "CUS test",
    start_year: int = 2025,
    *,
    state: ConventionState | None = None,
    members: Mapping[Role, Iterable[User]] | None = None,
    personal: Mapping[Role, Iterable[User]] | None = None,
) -> Convention:
    """A convention of ``owner``'s organisme (its redacteur), with its standard sections;
    ``members`` gives roles to users' organisations, ``personal`` to users in their own
    name; ``state`` puts it in that phase (brouillon otherwise)."""
    convention = create_convention(owner, kind, title, start_year)
    for grant, is_personal in ((members, False), (personal, True)):
        for role, users in (grant or {}).items():
            for user in users:
                add_member(convention.id, role, user, personal=is_personal)
    if state is not None:
        set_state(convention.id, state)
    return convention


def first_section(convention_id: int) -> int:
    """The id of the convention's first section."""
    return queries.sections_with_current(convention_id)[0].id


def write(
    section_id: int,
    author: User | int,
    body: str,
    message: str = "",
    *,
    base: int | None = None,
) -> Revision:
    """A new revision of the section by ``author``, based on its current revision unless
    ``base`` says otherwise."""
    if base is None:
        latest = select(func.max(Revision.number)).where(Revision.section_id == section_id)
        base = db_session().scalar(latest) or 0
    author_id = author if isinstance(author, int) else author.id
    return save_revision(section_id, author_id, base, body, message)


def url_for_rule(rule, world, own: bool = True) -> str:
    """A URL of ``rule`` on the world's objects (``own``) or another convention's: the
    access matrix and the page crawls open every route this way."""
    values = {}
    for arg in rule.arguments:
        if arg == "convention_id":
            values[arg] = world.convention_id if own else world.other_convention_id
        elif arg == "section_id":
            values[arg] = world.section_id if own else world.other_section_id
        elif arg == "number":
            values[arg] = 1
        elif arg == "membership_id":
            cid = world.convention_id if own else world.other_convention_id
            values[arg] = members(cid)[-1].id
        elif arg in ("contribution_id", "thread_id", "meeting_id"):
            values[arg] = getattr(world, arg if own else f"other_{arg}")
        elif arg == "mail_id":
            values[arg] = 1  # an outbox mail: none in this world, 404 once allowed
        elif arg == "document_id":
            values[arg] = 1  # no knowledge-base document in this world: 404 once allowed
        elif arg == "proof_id":
            values[arg] = 1  # no proof in this world: 404 once allowed
        elif arg == "entry":
            values[arg] = "meeting"
        elif arg == "entry_id":
            values[arg] = world.meeting_id if own else world.other_meeting_id
        elif arg == "code":
            values[arg] = "F.VI"
        elif arg == "user_id":
            values[arg] = world.users["signataire"]
        elif arg == "filename":
            values[arg] = "style.css"
        elif arg == "notification_id":
            values[arg] = 1  # someone's, or none: another user's answers 404 as a missing one
        elif arg == "years":
            values[arg] = 2  # the evaluation at two years: 404 until it is opened
        elif arg == "kind":
            values[arg] = "discussion"  # an open point: the world's discussion
        elif arg == "ref":
            values[arg] = world.thread_id if own else world.other_thread_id
        elif arg == "segment_id":
            values[arg] = 1  # no segment in this world: 404 once allowed
        elif arg == "year":
            values[arg] = 2026  # a year of the world's convention (2025-2030)
        elif arg == "fmt":
            values[arg] = "csv"
        elif arg == "place_id":
            values[arg] = 1  # no territory nor housing row in this world: 404 once allowed
        elif arg == "organisation_id":
            values[arg] = db_session().get(User, world.users["redacteur"]).organisation_id
        elif arg == "token":
            values[arg] = "lien-non-signe"  # an unsigned unsubscribe link: 404
        else:  # pragma: no cover
            raise AssertionError(f"no sample value for {arg} in {rule}")
    return rule.build(values, append_unknown=False)[1]
