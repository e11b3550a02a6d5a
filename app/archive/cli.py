"""`flask --app app archive make|status CONVENTION_ID`: a signed convention's PDF/A
archive made now, in the command's process (a failed one starts over), or its state."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from app.archive import operations, queries
from app.db import db_session
from app.models import Convention
from workflows.errors import NotFound


@click.group("archive", cls=AppGroup, help="Archive PDF/A des conventions signées.")
def archive_group() -> None:
    pass


def _convention(convention_id: int) -> Convention:
    convention = db_session().get(Convention, convention_id)
    if convention is None:
        raise NotFound(f"Convention {convention_id} introuvable.")
    return convention


def _say(convention: Convention) -> dict:
    found = queries.shown(convention)
    assert found is not None
    click.echo(f"Archive PDF/A de « {convention.title} » : {found.label}.")
    click.echo(f"  Empreinte SHA-256 du texte signé : {found.text_sha256}")
    if found.ready:
        click.echo(f"  Empreinte SHA-256 du PDF : {found.pdf_sha256} ({found.size} octets)")
    if found.error:
        click.echo(f"  Erreur : {found.error}", err=True)
    return {"state": found.state.value, "ready": found.ready}


@archive_group.command(
    "make",
    help=(
        "Fait tout de suite l'archive PDF/A d'une convention signée (LibreOffice), dans "
        "ce processus ; une archive en échec repart de zéro. Code de sortie 1 si elle échoue."
    ),
)
@click.argument("convention_id", type=int)
def make(convention_id: int) -> None:
    convention = _convention(convention_id)
    operations.make(convention_id)
    db_session().expire_all()
    if not _say(convention)["ready"]:
        raise SystemExit(1)


@archive_group.command("status", help="L'état de l'archive PDF/A d'une convention signée.")
@click.argument("convention_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="En JSON, comme l'API.")
def status(convention_id: int, as_json: bool) -> None:
    convention = _convention(convention_id)
    if as_json:
        data = queries.archive_json(convention)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if queries.shown(convention) is None:
        raise NotFound("Cette convention n'est pas signée : elle n'a pas d'archive PDF/A.")
    _say(convention)
