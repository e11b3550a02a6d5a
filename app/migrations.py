"""Alembic driven from Cosigne's own engine: `flask --app app db upgrade|revision|check`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from app.models import Base
from knowledge.search.backends.postgres import TABLES as SEARCH_TABLES

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# Tables a search backend manages itself (a rebuildable projection, not the models').
PROJECTION_TABLES = frozenset(SEARCH_TABLES)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name in PROJECTION_TABLES)


@contextmanager
def alembic_config(engine: Engine) -> Iterator[Config]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        yield config


def upgrade(engine: Engine, target: str = "head") -> None:
    with alembic_config(engine) as config:
        command.upgrade(config, target)


def revision(engine: Engine, message: str) -> None:
    with alembic_config(engine) as config:
        command.revision(config, message=message, autogenerate=True)


def differences(engine: Engine) -> list:
    """What the models have that the migrated database does not (empty when in step)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, Base.metadata)
