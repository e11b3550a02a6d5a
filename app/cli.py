"""Command line: `flask --app app db|demo|users ...`. Thin doors onto app.operations."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import queries
from app.db import engine
from app.operations import NotFound, create_api_token, create_user
from workflows.conventions import OrganisationKind
from workflows.errors import InvalidInput


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(users_group)
    app.cli.add_command(demo)
    from app.kb_cli import kb_group

    app.cli.add_command(kb_group)
    from app.assistant import assistant_group

    app.cli.add_command(assistant_group)
    from app.word_views import export_command, import_command

    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


@click.group("db", cls=AppGroup, help="Schéma de la base de données (migrations Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Applique les migrations jusqu'à la dernière.")
def db_upgrade() -> None:
    from app.migrations import upgrade

    upgrade(engine())
    click.echo("Base de données à jour.")


@db_group.command("revision", help="Génère une migration depuis les modèles (développeurs).")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    from app.migrations import revision

    revision(engine(), message)


@db_group.command("check", help="Échoue si les modèles et les migrations divergent.")
def db_check() -> None:
    from app.migrations import differences

    diffs = differences(engine())
    if diffs:
        for diff in diffs:
            click.echo(f"  {diff}", err=True)
        raise click.ClickException("Les modèles ne correspondent pas aux migrations.")
    click.echo("Modèles et migrations concordent.")


@click.command("demo", help="Charge les données de démonstration (une seule fois).")
@with_appcontext
def demo() -> None:
    from app.demo import DEMO_PASSWORD, USERS, load_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Le profil de production refuse les données de démonstration.")
    loaded = load_demo()
    click.echo(
        "Données de démonstration chargées."
        if loaded
        else "Données de démonstration déjà présentes."
    )
    click.echo(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
    for email, name, _org, role in USERS:
        click.echo(f"  {email:<28} {name:<16} {role}")


@click.group("users", cls=AppGroup, help="Comptes utilisateurs.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Nom affiché.")
@click.option("--organisation", required=True, help="Nom de l'organisation (créée si absente).")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in OrganisationKind]),
    default=OrganisationKind.OPH.value,
    show_default=True,
    help="Type de l'organisation, si elle est créée.",
)
@click.option("--admin", is_flag=True, help="Administrateur de l'instance.")
@click.password_option(help="Mot de passe (demandé s'il n'est pas donné).")
def users_create(
    email: str, name: str, organisation: str, kind: str, admin: bool, password: str
) -> None:
    """Crée un compte."""
    try:
        user = create_user(email, name, password, organisation, OrganisationKind(kind), admin)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Compte créé : {user.email} ({organisation}).")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """Liste les comptes."""
    rows = [
        {
            "email": u.email,
            "name": u.name,
            "organisation": u.organisation.name,
            "admin": u.is_admin,
            "active": u.active,
        }
        for u in queries.users()
    ]
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
        return
    for row in rows:
        flags = " [admin]" if row["admin"] else ""
        click.echo(f"{row['email']:<32} {row['name']:<24} {row['organisation']}{flags}")


@users_group.command("token")
@click.argument("email")
@click.option("--label", default="", help="À quoi sert ce jeton.")
def users_token(email: str, label: str) -> None:
    """Crée un jeton d'API pour EMAIL et l'affiche (une seule fois)."""
    try:
        click.echo(create_api_token(email, label))
    except (InvalidInput, NotFound) as exc:
        raise click.ClickException(str(exc)) from None
