"""The Alembic migrations build the schema the models describe, and carry the data
they reshape."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.migrations import differences, upgrade
from app.models import Base


@contextmanager
def _scratch_database(app, tmp_path) -> Iterator[Engine]:
    """An empty database of the test's kind (SQLite file, or a PostgreSQL schema)."""
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
        yield engine
    finally:
        engine.dispose()
        if cleanup:
            cleanup()


def test_migrations_build_the_schema_the_models_describe(app, tmp_path):
    """Upgrade a brand-new database with Alembic and compare it with the models."""
    with _scratch_database(app, tmp_path) as engine:
        upgrade(engine)
        assert differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        upgrade(engine)  # a second upgrade is a no-op


def test_transmitted_conventions_take_their_transmission_from_the_journal(app, tmp_path):
    """A convention transmitted before the moment was kept takes it from its last
    transition event into « Transmise au préfet »; its signatures name the user who
    recorded them."""
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with _scratch_database(app, tmp_path) as engine:
        upgrade(engine, "090124966560")
        with engine.begin() as conn:
            run = conn.execute
            run(
                text(
                    "INSERT INTO organisation (id, name, kind, created_at) "
                    "VALUES (1, 'Office', 'oph', :at)"
                ),
                {"at": at},
            )
            run(
                text(
                    "INSERT INTO user_account (id, email, name, password_hash, organisation_id,"
                    " is_admin, active, session_epoch, created_at) "
                    "VALUES (1, 'a@b.test', 'Claire', 'x', 1, false, true, 0, :at)"
                ),
                {"at": at},
            )
            for cid, state in ((1, "transmise"), (2, "signee"), (3, "negociation")):
                run(
                    text(
                        "INSERT INTO convention (id, kind, title, organisme_id, start_year,"
                        " end_year, state, created_at) "
                        "VALUES (:id, 'cus', :title, 1, 2025, 2030, :state, :at)"
                    ),
                    {"id": cid, "title": f"CUS {cid}", "state": state, "at": at},
                )
            run(
                text(
                    "INSERT INTO membership (id, convention_id, organisation_id, role, created_at)"
                    " VALUES (1, 2, 1, 'redacteur', :at)"
                ),
                {"at": at},
            )
            run(
                text(
                    "INSERT INTO signature (id, convention_id, membership_id, recorded_by_id,"
                    " signed_on, created_at) VALUES (1, 2, 1, 1, '2026-11-25', :at)"
                ),
                {"at": at},
            )
            events = [
                (1, "« Négociation » → « Transmise au préfet »", datetime(2026, 10, 1, tzinfo=UTC)),
                (1, "« Transmise au préfet » → « Négociation »", datetime(2026, 10, 5, tzinfo=UTC)),
                (1, "« Négociation » → « Transmise au préfet »", at),
                (3, "« Association » → « Négociation »", at),
            ]
            for cid, summary, when in events:
                run(
                    text(
                        "INSERT INTO event (convention_id, action, target_type, summary,"
                        " created_at) VALUES (:cid, 'transition', 'convention', :s, :at)"
                    ),
                    {"cid": cid, "s": summary, "at": when},
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, transmitted_at FROM convention ORDER BY id"))
            found = {cid: moment for cid, moment in rows}
            signer = conn.execute(text("SELECT signer FROM signature")).scalar_one()
        moment = found[1]
        if isinstance(moment, str):  # SQLite gives the stored text back
            moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        assert moment == at  # the last transmission, not the first
        assert found[2] is None and found[3] is None  # no transmission in their journal
        assert signer == "Claire"


def test_the_cus_classement_sections_come_under_the_tenants_concertation(app, tmp_path):
    """The existing CUS's « Classement des immeubles » is put under the concertation the
    law requires; its other sections, and a section of that title in a contractualisation,
    are not."""
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with _scratch_database(app, tmp_path) as engine:
        upgrade(engine, "f7a8b9c0d1e2")
        with engine.begin() as conn:
            run = conn.execute
            run(
                text(
                    "INSERT INTO organisation (id, name, kind, created_at) "
                    "VALUES (1, 'Office', 'oph', :at)"
                ),
                {"at": at},
            )
            for cid, kind in ((1, "cus"), (2, "contractualisation_cadre")):
                run(
                    text(
                        "INSERT INTO convention (id, kind, title, organisme_id, start_year,"
                        " end_year, state, created_at) "
                        "VALUES (:id, :kind, :title, 1, 2025, 2030, 'negociation', :at)"
                    ),
                    {"id": cid, "kind": kind, "title": f"Convention {cid}", "at": at},
                )
            sections = (
                (1, 1, "État des lieux"),
                (2, 1, "Classement des immeubles"),
                (3, 2, "Classement des immeubles"),
            )
            for sid, cid, title in sections:
                run(
                    text(
                        "INSERT INTO section (id, convention_id, position, title, mandatory,"
                        " state, created_at) VALUES (:id, :cid, :id, :title, true,"
                        " 'brouillon', :at)"
                    ),
                    {"id": sid, "cid": cid, "title": title, "at": at},
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, concertation FROM section ORDER BY id"))
            flags = {sid: bool(on) for sid, on in rows}
        assert flags == {1: False, 2: True, 3: False}


def test_contracts_on_the_cus_stages_move_to_their_own_path(app, tmp_path):
    """A contract (or its avenant) left on a stage of the CUS's path takes the nearest
    stage of its own; a CUS keeps its stage."""
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with _scratch_database(app, tmp_path) as engine:
        upgrade(engine, "586f20fef5cd")
        with engine.begin() as conn:
            run = conn.execute
            run(
                text(
                    "INSERT INTO organisation (id, name, kind, created_at) "
                    "VALUES (1, 'Office', 'oph', :at)"
                ),
                {"at": at},
            )
            rows = (
                (1, "cus", "transmise", None),
                (2, "contractualisation_cadre", "transmise", None),
                (3, "convention_application", "association", None),
                (4, "contractualisation_cadre", "bilan_4ans", None),
                (5, "avenant", "transmise", 4),
                (6, "avenant", "transmise", 1),
            )
            for cid, kind, state, amends in rows:
                run(
                    text(
                        "INSERT INTO convention (id, kind, title, organisme_id, start_year,"
                        " end_year, state, amends_id, transmitted_at, created_at) "
                        "VALUES (:id, :kind, :title, 1, 2025, 2027, :state, :amends, :at, :at)"
                    ),
                    {
                        "id": cid,
                        "kind": kind,
                        "title": f"C {cid}",
                        "state": state,
                        "amends": amends,
                        "at": at,
                    },
                )
        upgrade(engine)
        with engine.connect() as conn:
            found = dict(conn.execute(text("SELECT id, state FROM convention")).all())
            moved = conn.execute(
                text("SELECT deliberations_at FROM convention WHERE id = 2")
            ).scalar()
    assert found == {
        1: "transmise",
        2: "deliberations",
        3: "negociation",
        4: "suivi_annuel",
        5: "deliberations",
        6: "transmise",
    }
    assert moved is not None
