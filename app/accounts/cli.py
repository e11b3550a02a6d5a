"""`flask --app app users create|list|token`: thin doors onto the account operations."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.accounts import operations, queries
from workflows.conventions import OrganisationKind

users_group = AppGroup("users", help="Comptes utilisateurs.")


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
    user = operations.create_user(
        email, name, password, organisation, OrganisationKind(kind), admin
    )
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
    click.echo(operations.create_api_token(email, label))
