"""Database engine, session and the one place where transactions begin and end.

No Flask-SQLAlchemy: a plain SQLAlchemy 2 engine per application and a session per
request (``db_session()``), closed at teardown. Writes go through ``write_transaction``,
which takes the database's write lock up front on SQLite (``BEGIN IMMEDIATE``), because
a deferred transaction that reads and then writes fails with 'database is locked'
instead of waiting when another process wrote in between, even in WAL mode.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from workflows.errors import NotFound

SQLITE_BUSY_TIMEOUT_MS = 10_000
IMMEDIATE = "cosigne_sqlite_immediate"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["cosigne_engine"] = engine
    app.extensions["cosigne_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def engine() -> Engine:
    return current_app.extensions["cosigne_engine"]


def db_session() -> Session:
    """The session of the current request or CLI command."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["cosigne_sessionmaker"]()
    return g.db_session


def is_sqlite() -> bool:
    return engine().dialect.name == "sqlite"


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run a unit of work: commit when the block ends normally, roll back otherwise.

    Any read transaction the request already holds is ended first, so that the write
    transaction starts fresh; on SQLite it starts with BEGIN IMMEDIATE and so waits
    (busy timeout) for other writers instead of failing.
    """
    session = db_session()
    session.rollback()
    session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def within(session: Session | None) -> Iterator[Session]:
    """The caller's transaction when it passes one (several operations written at once,
    as an import does), else a unit of work of its own."""
    if session is not None:
        yield session
        return
    with write_transaction() as own:
        yield own


T = TypeVar("T")


def reloaded(session: Session, row: T) -> T:
    """``row`` as ``session`` has it: the caller's object (the logged-in user, say) may
    belong to the request's session and the operation writes in its own."""
    found = session.get(type(row), inspect(row).identity)
    if found is None:
        raise NotFound("Élément introuvable.")
    return found
