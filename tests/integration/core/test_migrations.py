"""The Alembic migrations build the schema the models describe."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.migrations import differences, upgrade
from app.models import Base


def test_migrations_build_the_schema_the_models_describe(app, tmp_path):
    """Upgrade a brand-new database with Alembic and compare it with the models."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        cleanup = None
    else:
        schema = "cosigne_migrations_check"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(
            make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        )

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    try:
        upgrade(engine)
        assert differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        upgrade(engine)  # a second upgrade is a no-op
    finally:
        engine.dispose()
        if cleanup:
            cleanup()
