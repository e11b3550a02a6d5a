"""Typed SQLAlchemy 2 models. Rules about them live in workflows/; this is storage."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from workflows.conventions import ConventionKind, ConventionState, OrganisationKind
from workflows.permissions import Role

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    # Stored as the values (what the API shows), checked by a constraint, not a native
    # PostgreSQL enum type: adding a value later is then a plain migration.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
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
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
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
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Convention(Base):
    __tablename__ = "convention"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConventionKind] = mapped_column(_enum(ConventionKind, "convention_kind"))
    title: Mapped[str] = mapped_column(String(200))
    organisme_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    start_year: Mapped[int]
    end_year: Mapped[int]
    state: Mapped[ConventionState] = mapped_column(
        _enum(ConventionState, "convention_state"), default=ConventionState.BROUILLON
    )
    # A convention d'application annuelle belongs to its document cadre.
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisme: Mapped[Organisation] = relationship()
    cadre: Mapped[Convention | None] = relationship(remote_side=[id])
    sections: Mapped[list[Section]] = relationship(
        back_populates="convention", order_by="Section.position"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="convention")


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


class Section(Base):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    mandatory: Mapped[bool] = mapped_column(default=True)
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
    body: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the revision restores an older one, to say so in the history.
    restored_from: Mapped[int | None]

    section: Mapped[Section] = relationship(foreign_keys=[section_id])
    author: Mapped[User] = relationship()


class ImmutableRevisionError(RuntimeError):
    pass


@event.listens_for(Revision, "before_update")
def _refuse_revision_update(_mapper, _connection, target):  # type: ignore[no-untyped-def]
    raise ImmutableRevisionError(f"revision {target.id} is immutable")


@event.listens_for(Revision, "before_delete")
def _refuse_revision_delete(_mapper, _connection, target):  # type: ignore[no-untyped-def]
    raise ImmutableRevisionError(f"revision {target.id} cannot be deleted")
