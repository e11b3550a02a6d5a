"""The command line: `flask --app app db|demo|users|kb|assistant|export|import-docx|maintenance|jobs|archive`.

The database and demo commands are here; each feature brings its own (``cli.py``).
Every command is a thin door onto the operations: a refusal they raise is printed as
its message with exit status 1 (``_refusals_as_messages``), never as a traceback.
"""

from __future__ import annotations

import functools
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import demo as demo_data
from app import migrations
from app.accounts.cli import users_group
from app.archive.cli import archive_group
from app.assistant.cli import assistant_group
from app.db import engine
from app.jobs.cli import jobs_group
from app.kb.cli import kb_group
from app.word import operations as word_operations
from app.word.cli import export_command, import_command
from workflows.errors import CosigneError


def register_cli(app: Flask) -> None:
    for command in (db_group, demo, users_group, kb_group, assistant_group, maintenance_group):
        app.cli.add_command(command)
    app.cli.add_command(jobs_group)
    app.cli.add_command(archive_group)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    for command in app.cli.commands.values():
        _refusals_as_messages(command)


def _refusals_as_messages(command: click.Command) -> None:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _refusals_as_messages(sub)
        return
    callback = command.callback
    # Commands are module-level objects that every application (each test's) registers.
    if callback is None or command in _WRAPPED:
        return
    _WRAPPED.add(command)

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except CosigneError as error:
            raise click.ClickException(error.message) from None

    command.callback = run


_WRAPPED: set[click.Command] = set()


@click.group("db", cls=AppGroup, help="Schéma de la base de données (migrations Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Applique les migrations jusqu'à la dernière.")
def db_upgrade() -> None:
    migrations.upgrade(engine())
    click.echo("Base de données à jour.")


@db_group.command("revision", help="Génère une migration depuis les modèles (développeurs).")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    migrations.revision(engine(), message)


@db_group.command("check", help="Échoue si les modèles et les migrations divergent.")
def db_check() -> None:
    diffs = migrations.differences(engine())
    if diffs:
        for diff in diffs:
            click.echo(f"  {diff}", err=True)
        raise click.ClickException("Les modèles ne correspondent pas aux migrations.")
    click.echo("Modèles et migrations concordent.")


@click.group("maintenance", cls=AppGroup, help="Tâches d'entretien (pour une tâche cron).")
def maintenance_group() -> None:
    pass


@maintenance_group.command(
    "purge-imports", help="Supprime les aperçus d'import Word non confirmés depuis une heure."
)
def purge_imports() -> None:
    # The application purges at each process's first request and on each preview; a
    # cron calling this (say hourly: `flask --app app maintenance purge-imports`) keeps
    # the table small when nobody previews for days.
    purged = word_operations.purge_expired_pending()
    click.echo(f"{purged} aperçu(s) d'import expiré(s) supprimé(s).")


@click.command("demo", help="Charge les données de démonstration (une seule fois).")
@with_appcontext
def demo() -> None:
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Le profil de production refuse les données de démonstration.")
    loaded = demo_data.load_demo()
    click.echo(
        "Données de démonstration chargées."
        if loaded
        else "Données de démonstration déjà présentes."
    )
    click.echo(f"Comptes de démonstration (mot de passe « {demo_data.DEMO_PASSWORD} ») :")
    for email, name, _org, role in demo_data.USERS:
        click.echo(f"  {email:<28} {name:<16} {role}")
