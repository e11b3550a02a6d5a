"""Alembic environment: runs on the connection Cosigne hands it (see app/migrations.py)."""

from alembic import context

from app.migrations import include_object
from app.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
