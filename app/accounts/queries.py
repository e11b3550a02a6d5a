"""Reading accounts and organisations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import db_session
from app.models import Organisation, User


def organisations() -> list[Organisation]:
    return list(db_session().scalars(select(Organisation).order_by(Organisation.name)))


def users() -> list[User]:
    return list(
        db_session().scalars(
            select(User).options(joinedload(User.organisation)).order_by(User.email)
        )
    )


def user_by_email(email: str) -> User | None:
    return db_session().scalar(select(User).where(User.email == email.strip().lower()))
