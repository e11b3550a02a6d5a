"""Typed SQLAlchemy 2 models. Rules about them live in workflows/; this is storage."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from knowledge.types import DocumentKind, DocumentStatus
from workflows.contributions import ContributionState
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.editing import Purpose
from workflows.enjeux import PointKind
from workflows.lifecycle import ConventionState, Lifecycle, lifecycle_of
from workflows.permissions import Role
from workflows.review import Position, SectionState
from workflows.signatory_choice import Choice
from workflows.text.clean import clean_text
from workflows.text.diff import split_paragraphs
from workflows.text.merge import Para, paragraphs_of
from workflows.ties import Level

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """A stored time as the API gives it (ISO 8601, UTC offset included)."""
    return value.isoformat() if value else None


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class CleanString(TypeDecorator[str]):
    """Every stored text, and every text compared with a column in a query, without the
    characters XML 1.0 forbids (``workflows.text.clean``): the one boundary that keeps
    them from the Word export and NUL from PostgreSQL, whichever form or API sent them.

    Its DDL is its ``impl``'s (a VARCHAR or a TEXT): no migration follows from it."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return clean_text(value) if isinstance(value, str) else value


class CleanText(CleanString):
    impl = Text
    cache_ok = True


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    # Stored as the values (what the API shows) in a VARCHAR, validated by SQLAlchemy on
    # every write; neither a native PostgreSQL enum nor a CHECK constraint, so that adding
    # a state later needs no table rebuild (SQLite cannot alter a CHECK in place).
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), str: CleanString()}


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An office's collectivité de rattachement, signataire de droit of its CUS (workflows.ties).
    rattachement_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # An EPCI's or an EPT's PLH approved and enforceable; None: not said, or no PLH kind.
    plh_executoire: Mapped[bool | None]

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    rattachement: Mapped[Organisation | None] = relationship(remote_side=[id])
    territory: Mapped[list[OrganisationTerritory]] = relationship(
        order_by="(OrganisationTerritory.level, OrganisationTerritory.code)"
    )


class OrganisationTerritory(Base):
    """A place an organisation covers or lies in: a département, an EPCI, a commune."""

    __tablename__ = "organisation_territory"
    __table_args__ = (
        UniqueConstraint("organisation_id", "level", "code", name="uq_organisation_territory"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    level: Mapped[Level] = mapped_column(_enum(Level, "territory_level"))
    code: Mapped[str] = mapped_column(CleanString(9))
    name: Mapped[str] = mapped_column(CleanString(200), default="")


class OrganismePatrimoine(Base):
    """Where an organisme owns housing, and how many dwellings when it says."""

    __tablename__ = "organisme_patrimoine"
    __table_args__ = (
        UniqueConstraint("organisme_id", "level", "code", name="uq_organisme_patrimoine"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisme_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    level: Mapped[Level] = mapped_column(_enum(Level, "territory_level"))
    code: Mapped[str] = mapped_column(CleanString(9))
    name: Mapped[str] = mapped_column(CleanString(200), default="")
    logements: Mapped[int | None]


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(CleanString(254), unique=True)
    name: Mapped[str] = mapped_column(CleanString(200))
    password_hash: Mapped[str] = mapped_column(CleanString(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped at logout and password change: sessions signed with an older epoch stop
    # working on every worker at once, although the session cookie lives client-side.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Only the SHA-256 of the token is stored: a copy of the database grants nothing.
    token_hash: Mapped[str] = mapped_column(CleanString(64), unique=True)
    label: Mapped[str] = mapped_column(CleanString(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """Failed and successful logins, counted in the database so throttling holds
    across gunicorn workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(CleanString(254))
    address: Mapped[str] = mapped_column(CleanString(64))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Convention(Base):
    __tablename__ = "convention"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConventionKind] = mapped_column(_enum(ConventionKind, "convention_kind"))
    title: Mapped[str] = mapped_column(CleanString(200))
    organisme_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    start_year: Mapped[int]
    end_year: Mapped[int]
    state: Mapped[ConventionState] = mapped_column(
        _enum(ConventionState, "convention_state"), default=ConventionState.BROUILLON
    )
    # A convention d'application annuelle belongs to its document cadre.
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"), index=True)
    # An avenant amends a signed convention.
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    association_deadline: Mapped[date | None]
    transmission_deadline: Mapped[date | None]
    signature_deadline: Mapped[date | None]
    # When it was last sent to the préfet: no party signs before (workflows.lifecycle).
    transmitted_at: Mapped[datetime | None]
    # When a contract last entered délibérations: its parties sign from this day on.
    deliberations_at: Mapped[datetime | None]
    # The year of a contract's last yearly follow-up (workflows.lifecycle: once a year).
    followup_year: Mapped[int | None]
    # A contract renewed from another one (workflows/paths.py, ``renewal``).
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"), index=True)
    # Frozen at signature: the canonical text and its SHA-256, never edited afterwards.
    signed_text: Mapped[str | None] = mapped_column(CleanText)
    signed_sha256: Mapped[str | None] = mapped_column(CleanString(64))
    signed_at: Mapped[datetime | None]

    organisme: Mapped[Organisation] = relationship()
    cadre: Mapped[Convention | None] = relationship(remote_side=[id], foreign_keys=[cadre_id])
    amends: Mapped[Convention | None] = relationship(remote_side=[id], foreign_keys=[amends_id])
    renews: Mapped[Convention | None] = relationship(remote_side=[id], foreign_keys=[renews_id])
    sections: Mapped[list[Section]] = relationship(
        back_populates="convention", order_by="Section.position"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="convention")

    @property
    def lifecycle(self) -> Lifecycle:
        """The path this convention follows (workflows/paths.py): its kind's, an avenant
        the path of the convention it amends (through an avenant of an avenant)."""
        root: Convention = self
        while root.kind is ConventionKind.AVENANT and root.amends is not None:
            root = root.amends
        return lifecycle_of(self.kind, root.kind)


class Membership(Base):
    """An organisation, or one user, taking part in a convention with a role."""

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (user_id IS NULL)", name="one_member"),
        UniqueConstraint("convention_id", "organisation_id", name="uq_membership_organisation"),
        UniqueConstraint("convention_id", "user_id", name="uq_membership_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[Role] = mapped_column(_enum(Role, "member_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    convention: Mapped[Convention] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def party_name(self) -> str:
        """Who the member is, by name: its organisation, or the person."""
        if self.organisation is not None:
            return self.organisation.name
        assert self.user is not None  # one_member: an organisation or a user
        return self.user.name

    @property
    def party_label(self) -> str:
        """Who the member is in the journal: its organisation, or the person's address."""
        if self.organisation is not None:
            return self.organisation.name
        assert self.user is not None
        return self.user.email


class Section(Base):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(CleanString(200))
    mandatory: Mapped[bool] = mapped_column(default=True)
    # Under the concertation with the tenants' representatives, who propose and comment
    # on these sections only (workflows.permissions.may_take_part).
    concertation: Mapped[bool] = mapped_column(default=False)
    state: Mapped[SectionState] = mapped_column(
        _enum(SectionState, "section_state"), default=SectionState.BROUILLON
    )
    # The pointer moves with each save, under the section's row lock; revisions
    # themselves never change. use_alter: section and revision reference each other.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True, name="fk_section_current_revision_id_revision")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    convention: Mapped[Convention] = relationship(back_populates="sections")
    current_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )


class Revision(Base):
    """One immutable state of a section's text. No update or delete path exists."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("section_id", "number", name="uq_revision_section_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    number: Mapped[int]
    parent_number: Mapped[int | None]
    body: Mapped[str] = mapped_column(CleanText)
    message: Mapped[str] = mapped_column(CleanString(500), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the revision restores an older one, to say so in the history.
    restored_from: Mapped[int | None]
    # Stable identity of each paragraph (same order as the body's paragraphs): open
    # contributions anchor their changes to these, not to character offsets.
    paragraph_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set when the revision applies a contribution: its author is the co-author, the
    # revision's author is the drafter who accepted it.
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "contribution.id", use_alter=True, name="fk_revision_contribution_id_contribution"
        )
    )

    section: Mapped[Section] = relationship(foreign_keys=[section_id])
    author: Mapped[User] = relationship()
    contribution: Mapped[Contribution | None] = relationship(foreign_keys=[contribution_id])

    # Not stored: set by the save to tell the user that agreements were lost. (Declared
    # for the type checker; __allow_unmapped__ lets SQLAlchemy leave it unmapped.)
    __allow_unmapped__ = True
    review_notice: str | None = None

    def usable_paragraph_ids(self) -> list[str] | None:
        """Its paragraph ids, or None when they do not match its paragraphs (a revision
        stored before paragraphs had ids): then no previous identity carries over."""
        ids = list(self.paragraph_ids or [])
        return ids if len(ids) == len(split_paragraphs(self.body)) else None

    def paragraphs(self) -> list[Para]:
        """Its paragraphs with their ids; a revision without usable ids gets deterministic
        ones, so that every read of it agrees."""
        ids = self.usable_paragraph_ids()
        if ids is None:
            ids = [f"r{self.id}-{i}" for i in range(len(split_paragraphs(self.body)))]
        return paragraphs_of(self.body, ids)


class Contribution(Base):
    """A proposed wording for a section, based on a named revision (tracked changes)."""

    __tablename__ = "contribution"
    __table_args__ = (Index("ix_contribution_section_state", "section_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The organisation the author spoke for, kept even if they later change organisation.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    base_number: Mapped[int]
    body: Mapped[str] = mapped_column(CleanText)
    # Proposal paragraphs aligned to the base revision's paragraph ids at creation.
    paragraph_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    rationale: Mapped[str] = mapped_column(CleanText, default="")
    state: Mapped[ContributionState] = mapped_column(
        _enum(ContributionState, "contribution_state"), default=ContributionState.OUVERTE
    )
    assisted: Mapped[bool] = mapped_column(default=False)  # drafted with the assistant
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    # The rejection reason, or the note of a contribution marked "traitée".
    decision_note: Mapped[str] = mapped_column(CleanText, default="")
    accepted_hunks: Mapped[list[str]] = mapped_column(JSON, default=list)
    rejected_hunks: Mapped[list[str]] = mapped_column(JSON, default=list)
    result_number: Mapped[int | None]  # the revision that applied it

    section: Mapped[Section] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class CommentThread(Base):
    """A conversation on a section, or on a contribution, optionally anchored to a quoted
    passage of one revision (quote with a little context to find it again later)."""

    __tablename__ = "comment_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contribution.id"), index=True)
    revision_number: Mapped[int | None]
    quote: Mapped[str] = mapped_column(CleanText, default="")
    prefix: Mapped[str] = mapped_column(CleanString(200), default="")
    suffix: Mapped[str] = mapped_column(CleanString(200), default="")
    resolved: Mapped[bool] = mapped_column(default=False)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    comments: Mapped[list[Comment]] = relationship(back_populates="thread", order_by="Comment.id")


class Comment(Base):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("comment_thread.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    body: Mapped[str] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[CommentThread] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()
    mentions: Mapped[list[Mention]] = relationship(
        back_populates="comment", order_by="Mention.id", cascade="all, delete-orphan"
    )


class Mention(Base):
    """A member named with "@" in a comment: recorded when the comment is written, for the
    notifications to deliver."""

    __tablename__ = "mention"
    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_mention_comment_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="mentions")
    user: Mapped[User] = relationship()


class ReviewPosition(Base):
    """A signatory's position on one revision of a section under review."""

    __tablename__ = "review_position"
    __table_args__ = (Index("ix_review_position_section_rev", "section_id", "revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    revision_number: Mapped[int]
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    position: Mapped[Position] = mapped_column(_enum(Position, "review_position_kind"))
    text: Mapped[str] = mapped_column(CleanText, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    membership: Mapped[Membership] = relationship()
    author: Mapped[User] = relationship()


class Signature(Base):
    __tablename__ = "signature"
    __table_args__ = (
        UniqueConstraint("convention_id", "membership_id", name="uq_signature_party"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_on: Mapped[date]
    # Who signed for the party (name, and title when given): the person recording their
    # own party's signature, or the one named on the signed paper copy.
    signer: Mapped[str] = mapped_column(CleanString(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    membership: Mapped[Membership] = relationship()
    recorded_by: Mapped[User] = relationship()


class SignatureProposal(Base):
    """The préfet de département's proposal to the préfet de région to sign a CUS (the
    préfet de région signs for the State on it, circulaire CUS, IV): its date, who
    proposed, a note. Recorded after each transmission; the latest recorded since the
    convention was last transmitted is the one that counts."""

    __tablename__ = "signature_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    proposed_on: Mapped[date]
    proposer: Mapped[str] = mapped_column(CleanString(200), default="")
    note: Mapped[str] = mapped_column(CleanText, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # A State member wrote it (else the organisme, from the letter it received).
    by_state: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()


class CarriedPoint(Base):
    """An open point (a reserve, a disagreement, an open discussion) the organisme carries
    into the file transmitted to the préfet, with its note: what was done about it and why
    it stays open. A disagreement cannot stop the transmission; it goes with it, listed."""

    __tablename__ = "carried_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    # Exactly one of the two: the position (a new position is a new point) or the thread.
    position_id: Mapped[int | None] = mapped_column(ForeignKey("review_position.id"), unique=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("comment_thread.id"), unique=True)
    note: Mapped[str] = mapped_column(CleanText)
    carried_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    carried_by: Mapped[User] = relationship()


class StateOpinion(Base):
    """A State service's internal opinion on a convention (or one of its sections), on
    the part that concerns its territory: read by the State's services alone, for the
    negotiator to gather into the State's one position."""

    __tablename__ = "state_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    territory: Mapped[str] = mapped_column(CleanString(200), default="")
    body: Mapped[str] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User] = relationship()


class TenantConcertation(Base):
    """The concertation with the tenants' representatives on the classement des
    immeubles, as the register records it: its date, its participants by kind, or the
    "formalité impossible" with its reason (workflows/concertation.py)."""

    __tablename__ = "tenant_concertation"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    held_on: Mapped[date]
    subject: Mapped[str] = mapped_column(CleanString(200))
    # [[kind, name], ...]: kinds as workflows.concertation.PARTICIPANT_KINDS
    participants: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    impossible: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(CleanText, default="")
    minutes: Mapped[str] = mapped_column(CleanText, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()


class Meeting(Base):
    """An association or negotiation meeting, for the register of the association."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    title: Mapped[str] = mapped_column(CleanString(200))
    meeting_on: Mapped[date]
    place: Mapped[str] = mapped_column(CleanString(200), default="")
    invited: Mapped[list[int]] = mapped_column(JSON, default=list)  # organisation ids
    minutes: Mapped[str] = mapped_column(CleanText, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    documents: Mapped[list[SentDocument]] = relationship(
        back_populates="meeting", order_by="SentDocument.sent_on"
    )


class SentDocument(Base):
    __tablename__ = "sent_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str] = mapped_column(CleanString(200))
    sent_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="documents")


class AssociationDecision(Base):
    """The organisme's decision (its board or directoire) that opens the drafting of the
    convention and sets the terms of the association, at least the legal minimum: the
    working meetings to hold, the notice for documents (None: the legal month)."""

    __tablename__ = "association_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), unique=True)
    instance: Mapped[str] = mapped_column(CleanString(40))  # workflows.register.INSTANCES
    decided_on: Mapped[date]
    min_meetings: Mapped[int] = mapped_column(default=1)
    notice_days: Mapped[int | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()
    notices: Mapped[list[DecisionNotice]] = relationship(
        back_populates="decision", order_by="DecisionNotice.id", cascade="all, delete-orphan"
    )


class DecisionNotice(Base):
    """The day the decision was sent to one recipient: the préfet (no organisation), a
    mandatory signatory or an associated collectivité (by organisation: a participant
    removed later keeps the trace of what it was sent)."""

    __tablename__ = "decision_notice"
    __table_args__ = (
        UniqueConstraint("decision_id", "organisation_id", name="uq_decision_notice_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("association_decision.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    recipient: Mapped[str] = mapped_column(CleanString(200))  # as named when it was sent
    notified_on: Mapped[date]

    decision: Mapped[AssociationDecision] = relationship(back_populates="notices")


class ProjectAdoption(Base):
    """The organisme's adoption of the projet (its board or directoire), which ends the
    association; the projet is then sent to the préfet. ``sha256`` is the fingerprint of
    the text adopted (``workflows.lifecycle.fingerprint``), ``revisions`` the revision
    number of each section then (section id as text -> number, null: no text yet), to
    name the sections changed since. A new adoption adds a row: the latest counts, the
    earlier ones stay as the register's history."""

    __tablename__ = "project_adoption"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    instance: Mapped[str] = mapped_column(CleanString(40))  # workflows.register.INSTANCES
    adopted_on: Mapped[date]
    sha256: Mapped[str] = mapped_column(CleanString(64))
    revisions: Mapped[dict[str, int | None]] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()


class Deliberation(Base):
    """A party's assembly deliberating on the convention (workflows.deliberations): the
    organisme's board, a collectivité's council. ``sha256`` is the fingerprint of the
    text as it stood when the deliberation was recorded (``workflows.lifecycle
    .fingerprint``); the latest of a party counts, the earlier ones stay. Its extract,
    optional, is a ``RegisterProof`` with ``entry_kind`` "deliberation"."""

    __tablename__ = "deliberation"
    __table_args__ = (Index("ix_deliberation_party", "convention_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    party: Mapped[str] = mapped_column(CleanString(200))  # the party's name then
    instance: Mapped[str] = mapped_column(CleanString(40))  # workflows.deliberations
    decided_on: Mapped[date]
    decision: Mapped[str] = mapped_column(CleanString(20))  # workflows.deliberations.Decision
    note: Mapped[str] = mapped_column(CleanText, default="")
    sha256: Mapped[str] = mapped_column(CleanString(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    recorded_by: Mapped[User] = relationship()


class RegisterProof(Base):
    """A file attached to an entry of the register (the decision, a meeting, a document
    sent) as a proof the préfet may ask for: an acknowledgement of receipt, a
    convocation, official minutes. The bytes are in the database, the source of truth;
    the listing never loads them (``data`` is deferred)."""

    __tablename__ = "register_proof"
    __table_args__ = (Index("ix_register_proof_entry", "convention_id", "entry_kind", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"))
    entry_kind: Mapped[str] = mapped_column(CleanString(20))  # workflows.proofs.ENTRY_KINDS
    entry_id: Mapped[int]
    kind: Mapped[str] = mapped_column(CleanString(30))  # workflows.proofs.PROOF_KINDS
    filename: Mapped[str] = mapped_column(CleanString(255))
    content_type: Mapped[str] = mapped_column(CleanString(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(CleanString(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User] = relationship()


class Event(Base):
    """Append-only audit trail: who (and for which organisation) did what, on what, when."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_convention_id_at", "convention_id", "id"),
        # The journal's filter by action, and which actions a convention has: index probes
        # whatever the number of events.
        Index("ix_event_convention_action", "convention_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    action: Mapped[str] = mapped_column(CleanString(50))
    target_type: Mapped[str] = mapped_column(CleanString(30), default="")
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(CleanString(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class Notification(Base):
    """An inbox message for one user: what happened (``kind``, ``text``), where (``link``,
    a path in the application), and how its e-mail goes (``delivery``, the reader's
    choice when it was written; ``mailed_at`` once an e-mail or a digest carried it)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_id", "user_id", "id"),
        Index("ix_notification_digest", "delivery", "mailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    convention_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"))
    kind: Mapped[str] = mapped_column(CleanString(40), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(CleanString(1000))
    link: Mapped[str] = mapped_column(CleanString(300), default="")
    delivery: Mapped[str] = mapped_column(CleanString(20), default="aucun")
    mailed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    convention: Mapped[Convention | None] = relationship()


class NotificationPreference(Base):
    """A reader's choice of e-mail for one kind of notification (workflows.notifications:
    immediat, quotidien, hebdomadaire, aucun); a kind without a row has its default."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(CleanString(40))
    delivery: Mapped[str] = mapped_column(CleanString(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMail(Base):
    """An e-mail to send, written in the transaction of the event it tells of, so that
    none is lost: a worker claims it (``claimed_until``, a lease another worker may take
    over once it has passed), sends it, and marks it sent; a refusal or an unreachable
    server sets ``next_attempt_at`` further each time, and after the last try the mail
    is ``failed`` and shown to administrators."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(CleanString(20))  # notification, digest, ...
    recipient: Mapped[str] = mapped_column(CleanString(254))
    subject: Mapped[str] = mapped_column(CleanString(300))
    text_body: Mapped[str] = mapped_column(CleanText)
    html_body: Mapped[str] = mapped_column(CleanText)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(CleanString(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str] = mapped_column(CleanString(64), default="")
    last_error: Mapped[str] = mapped_column(CleanString(1000), default="")
    message_id: Mapped[str] = mapped_column(CleanString(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ScheduledRun(Base):
    """A scheduled job's run for one period (a digest for a day or a week, a deadline's
    reminder at one stage): the unique key makes it happen once, however many workers
    and schedulers ask for it."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_scheduled_run"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(CleanString(60))
    period: Mapped[str] = mapped_column(CleanString(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndicatorValue(Base):
    """A CUS indicator's target (cible) or achieved value (réalisé) for one year and one
    scope (a département or a segment of the stock), with the variables it came from."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint(
            "convention_id", "code", "scope", "year", "kind", name="uq_indicator_value_cell"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    code: Mapped[str] = mapped_column(CleanString(10))
    scope: Mapped[str] = mapped_column(CleanString(200))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(CleanString(10))  # "cible" | "realise"
    variables: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    value: Mapped[float]
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EvaluationFinding(Base):
    """What was written on one indicator and scope at one evaluation (2, 4 or 6 years):
    the organisme's explanation of a shortfall, then the State's assessment of whether it
    is the organisme's doing. The values themselves are read from IndicatorValue."""

    __tablename__ = "evaluation_finding"
    __table_args__ = (
        UniqueConstraint(
            "convention_id", "years", "code", "scope", name="uq_evaluation_finding_cell"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    years: Mapped[int]  # 2, 4 or 6
    code: Mapped[str] = mapped_column(CleanString(10))
    scope: Mapped[str] = mapped_column(CleanString(200))
    explanation: Mapped[str] = mapped_column(CleanText, default="")
    explained_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    explained_at: Mapped[datetime | None]
    assessment: Mapped[str] = mapped_column(CleanString(20), default="")
    assessment_note: Mapped[str] = mapped_column(CleanText, default="")
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime | None]

    explained_by: Mapped[User | None] = relationship(foreign_keys=[explained_by_id])
    assessed_by: Mapped[User | None] = relationship(foreign_keys=[assessed_by_id])


class PatrimonySegment(Base):
    """A segment of the organisme's stock for the convention: the scale at which some
    indicators are entered (its name is then a scope of IndicatorValue). Inside one
    département, with its number of dwellings, so that the engagements page can warn
    of a segment too large or holding a whole département (workflows.segments)."""

    __tablename__ = "patrimony_segment"
    __table_args__ = (UniqueConstraint("convention_id", "name", name="uq_patrimony_segment_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(
        ForeignKey("convention.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(CleanString(200))
    departement: Mapped[str] = mapped_column(CleanString(3))  # "59", "2A", "974"
    dwellings: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbDocument(Base):
    """A reference text of the knowledge base (circulaire, fiche, guide). The database is
    the source of truth; the search index is rebuilt from these rows."""

    __tablename__ = "kb_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(CleanString(300))
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind, "kb_document_kind"))
    status: Mapped[DocumentStatus] = mapped_column(
        _enum(DocumentStatus, "kb_document_status"), default=DocumentStatus.EN_VIGUEUR
    )
    published_on: Mapped[date | None]
    filename: Mapped[str] = mapped_column(CleanString(300))
    checksum: Mapped[str] = mapped_column(CleanString(64), unique=True)
    size: Mapped[int]
    text: Mapped[str] = mapped_column(CleanText)  # extracted and cleaned
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    passages: Mapped[list[KbPassage]] = relationship(
        back_populates="document", order_by="KbPassage.ordinal", cascade="all, delete-orphan"
    )


class KbPassage(Base):
    __tablename__ = "kb_passage"
    __table_args__ = (Index("ix_kb_passage_document_ordinal", "document_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_document.id", ondelete="CASCADE"))
    ordinal: Mapped[int]
    heading: Mapped[str] = mapped_column(CleanString(1000), default="")  # path joined with " › "
    locator: Mapped[str] = mapped_column(CleanString(200), default="")
    indicator: Mapped[str | None] = mapped_column(CleanString(10), index=True)
    text: Mapped[str] = mapped_column(CleanText)

    document: Mapped[KbDocument] = relationship(back_populates="passages")


class KbVector(Base):
    """A passage's dense vector (app/kb/vectors.py): a projection of the passage, like
    the search index, computed in the background and rebuilt by ``kb reindex``. The
    model's name says which model made it (vectors of two models are not comparable);
    ``data`` is ``dimension`` float32 values, L2-normalised, little-endian: no vector
    type needed of the database (no pgvector)."""

    __tablename__ = "kb_vector"

    passage_id: Mapped[int] = mapped_column(
        ForeignKey("kb_passage.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(CleanString(200), index=True)
    dimension: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class KbJob(Base):
    """Long work on the knowledge base, done by a background job (app/kb/background.py):
    a document uploaded on the web, kept here with its bytes until a worker has ingested
    it (``ajout``), or a rebuild of the search index (``reindexation``). The row is the
    truth, whatever became of the queue's message: a worker claims it with a lease
    (``claimed_until``), another takes it over once the lease has passed, and the
    minute's sweep picks up what no message brought. The partial unique index keeps at
    most one rebuild waiting or running."""

    __tablename__ = "kb_job"
    __table_args__ = (
        Index("ix_kb_job_state", "state", "created_at"),
        Index(
            "uq_kb_job_one_reindex",
            "action",
            unique=True,
            sqlite_where=text("action = 'reindexation' AND state IN ('en_attente', 'en_cours')"),
            postgresql_where=text(
                "action = 'reindexation' AND state IN ('en_attente', 'en_cours')"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(CleanString(20))  # ajout | reindexation
    state: Mapped[str] = mapped_column(CleanString(12), default="en_attente")
    filename: Mapped[str] = mapped_column(CleanString(300), default="")
    title: Mapped[str] = mapped_column(CleanString(300), default="")
    kind: Mapped[str] = mapped_column(CleanString(20), default="")
    doc_status: Mapped[str] = mapped_column(CleanString(20), default="")
    published_on: Mapped[date | None]
    # The upload until it is ingested or refused; emptied then (it lives on as the
    # document's text, or was not worth keeping).
    data: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    size: Mapped[int] = mapped_column(default=0)
    checksum: Mapped[str] = mapped_column(CleanString(64), default="", index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_document.id", ondelete="SET NULL")
    )
    attempts: Mapped[int] = mapped_column(default=0)
    claim_token: Mapped[str] = mapped_column(CleanString(64), default="")
    claimed_until: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(CleanString(300), default="")
    error: Mapped[str] = mapped_column(CleanString(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()


class AssistantExchange(Base):
    """One question to the assistant and its answer, in a user's conversation (the last
    few are kept). In the database, so every application server shows the same one."""

    __tablename__ = "assistant_exchange"
    __table_args__ = (Index("ix_assistant_exchange_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The exchange as the page shows it: question, answer, sources, suggestion...
    content: Mapped[dict] = mapped_column(JSON, default=dict)


class PendingImport(Base):
    """A Word document uploaded for an import, kept between its preview and the
    confirmation (an hour at most): in the database, so that any application server
    can confirm what another one previewed."""

    __tablename__ = "pending_import"

    token: Mapped[str] = mapped_column(CleanString(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(CleanString(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReceivedLetter(Base):
    """A letter or an opinion received outside Cosigne (a collectivité's avis by mail,
    the préfet's observations), recorded in the register of the association."""

    __tablename__ = "received_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    sender: Mapped[str] = mapped_column(CleanString(200))
    received_on: Mapped[date]
    subject: Mapped[str] = mapped_column(CleanString(200))
    summary: Mapped[str] = mapped_column(CleanText, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()


class NoteEnjeux(Base):
    """The préfet's note d'enjeux et d'objectifs of a convention (one at most): its date,
    the file it came as (kept as it is, to be downloaded), and its points. Amended in
    place, each change journaled; ``version`` moves with each save, so that an amendment
    based on an older reading is refused rather than silently undoing another's."""

    __tablename__ = "note_enjeux"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), unique=True)
    noted_on: Mapped[date]
    file_name: Mapped[str] = mapped_column(CleanString(255), default="")
    file_type: Mapped[str] = mapped_column(CleanString(100), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    file_sha256: Mapped[str] = mapped_column(CleanString(64), default="")
    # Read only when the file is downloaded.
    file_data: Mapped[bytes] = mapped_column(LargeBinary, default=b"", deferred=True)
    # A member of the State wrote it (or amended it): the organisme no longer rewrites it
    # (workflows.permissions.may_record_note).
    state_wrote: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    points: Mapped[list[NotePoint]] = relationship(
        back_populates="note", order_by="NotePoint.position", cascade="all, delete-orphan"
    )


class NotePoint(Base):
    """One stake or objective of the note, tied to the sections it concerns."""

    __tablename__ = "note_point"
    __table_args__ = (Index("ix_note_point_note_position", "note_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note_enjeux.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[PointKind] = mapped_column(_enum(PointKind, "note_point_kind"))
    text: Mapped[str] = mapped_column(CleanString(500))

    note: Mapped[NoteEnjeux] = relationship(back_populates="points")
    sections: Mapped[list[NotePointSection]] = relationship(
        cascade="all, delete-orphan", order_by="NotePointSection.section_id"
    )


class NotePointSection(Base):
    """A section a point of the note concerns (the section's page shows the point)."""

    __tablename__ = "note_point_section"

    point_id: Mapped[int] = mapped_column(
        ForeignKey("note_point.id", ondelete="CASCADE"), primary_key=True
    )
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), primary_key=True, index=True)


class SignatoryChoice(Base):
    """An associated collectivité's choice to sign the convention or to stay associated
    (workflows.signatory_choice), as last recorded: by one of its own people, or by the
    organisme's drafter from its letter (``letter_on``). Every choice is in the journal."""

    __tablename__ = "signatory_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), unique=True
    )
    choice: Mapped[Choice] = mapped_column(_enum(Choice, "signatory_choice_kind"))
    letter_on: Mapped[date | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship()


class Draft(Base):
    """What a user typed in a section's editor and has not saved yet, kept on the server
    so that a closed tab, a crash or a lost connection loses nothing: one per user,
    section and page (the edit page, a proposal), with the revision it started from.
    It goes when its text is saved."""

    __tablename__ = "draft"
    __table_args__ = (
        UniqueConstraint("user_id", "section_id", "purpose", name="uq_draft_user_section_purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "draft_purpose"))
    base_number: Mapped[int]
    body: Mapped[str] = mapped_column(CleanText)
    # The summary of the change (edit page) or the rationale (proposal) typed so far.
    note: Mapped[str] = mapped_column(CleanText, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class EditingPresence(Base):
    """Someone has a section's edit or proposal page open: the page's heartbeat moves
    ``seen_at``; a presence not seen for two minutes is gone (workflows.editing)."""

    __tablename__ = "editing_presence"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "section_id", "purpose", name="uq_editing_presence_user_section_purpose"
        ),
        Index("ix_editing_presence_section_seen", "section_id", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "editing_purpose"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ConventionArchive(Base):
    """The signed convention archived as PDF/A-2b (app/archive): its Word export converted
    by LibreOffice in a background job, the PDF's bytes kept here (the database is the
    truth, the queue only a hint) with their own SHA-256 beside the fingerprint of the
    signed text they were made from. One per convention, asked for at signing; a worker
    claims it with a lease, a failure keeps its error and is tried again by itself
    (``retry_at``) a few times, then on demand."""

    __tablename__ = "convention_archive"
    __table_args__ = (Index("ix_convention_archive_state", "state", "retry_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(
        ForeignKey("convention.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(CleanString(12), default="en_attente")
    # The convention's signed_sha256 when the archive was asked for: what it holds.
    text_sha256: Mapped[str] = mapped_column(CleanString(64))
    # Deferred: the pages and the API read the state and the digest, not the bytes.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, default=b"", deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(CleanString(64), default="")
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(CleanString(1000), default="")
    attempts: Mapped[int] = mapped_column(default=0)  # tries since it was last asked for
    retry_at: Mapped[datetime | None]
    claim_token: Mapped[str] = mapped_column(CleanString(64), default="")
    claimed_until: Mapped[datetime | None]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ImmutableRevisionError(RuntimeError):
    pass


@event.listens_for(Revision, "before_update")
def _refuse_revision_update(
    _mapper: Mapper[Revision], _connection: Connection, target: Revision
) -> None:
    raise ImmutableRevisionError(f"revision {target.id} is immutable")


@event.listens_for(Revision, "before_delete")
def _refuse_revision_delete(
    _mapper: Mapper[Revision], _connection: Connection, target: Revision
) -> None:
    raise ImmutableRevisionError(f"revision {target.id} cannot be deleted")


@event.listens_for(Event, "before_update")
def _refuse_event_update(_mapper: Mapper[Event], _connection: Connection, target: Event) -> None:
    raise ImmutableRevisionError(f"event {target.id} is append-only")


@event.listens_for(Event, "before_delete")
def _refuse_event_delete(_mapper: Mapper[Event], _connection: Connection, target: Event) -> None:
    raise ImmutableRevisionError(f"event {target.id} is append-only")
