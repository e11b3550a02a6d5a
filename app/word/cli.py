"""`flask --app app export` and `import-docx`: the Word round trip on the command line.

- ``export ID OUT.docx [--tracked] [--comments]``;
- ``import-docx FILE --convention ID --as EMAIL [--dry-run] [--json] [--map "Author=email"]
  [--mode revisions]``; without ``--convention``, a new convention from the draft
  (``--kind``, ``--year``, ``--title``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from app.accounts.queries import user_by_email
from app.models import User
from app.word import operations, queries
from workflows.conventions import ConventionKind
from workflows.errors import Forbidden
from workflows.permissions import can_create_convention


@click.command("export", help="Exporte une convention en document Word (.docx).")
@with_appcontext
@click.argument("convention_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--tracked", is_flag=True, help="Contributions ouvertes en marques de révision.")
@click.option("--comments", is_flag=True, help="Discussions en commentaires Word.")
def export_command(convention_id: int, out: str, tracked: bool, comments: bool) -> None:
    data = queries.export_bytes(convention_id, tracked, comments)
    Path(out).write_bytes(data)
    click.echo(f"{out} : {len(data) // 1024} Ko")


@click.command("import-docx", help="Importe un document Word dans une convention.")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--convention", "convention_id", type=int, help="Sans elle : nouvelle convention.")
@click.option("--kind", help="Nouvelle convention : cus, contractualisation_cadre…")
@click.option("--year", type=int, help="Nouvelle convention : année de début.")
@click.option("--title", help="Nouvelle convention : intitulé (sinon celui du document).")
@click.option("--as", "email", required=True, help="Adresse de l'utilisateur qui importe.")
@click.option("--dry-run", is_flag=True, help="Montrer l'aperçu sans rien écrire.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--map", "maps", multiple=True, help='Attribuer un auteur : "Auteur=adresse".')
@click.option("--mode", type=click.Choice(queries.MODES), default="contributions")
def import_command(
    file: str,
    convention_id: int | None,
    kind: str | None,
    year: int | None,
    title: str | None,
    email: str,
    dry_run: bool,
    as_json: bool,
    maps: tuple[str, ...],
    mode: str,
) -> None:
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"Utilisateur inconnu : {email}")
    if convention_id is None:
        _create_command(user, Path(file), kind, year, title, dry_run, as_json)
        return
    mapping = {}
    for item in maps:
        author, _sep, address = item.rpartition("=")
        member = user_by_email(address)
        if not author or member is None:
            raise click.ClickException(f'--map « {item} » : attendu "Auteur=adresse" d\'un membre.')
        mapping[author.strip()] = member.id
    found = queries.preview(convention_id, Path(file).name, Path(file).read_bytes())
    result = queries.preview_json(found)
    if not dry_run:
        result["written"] = queries.written_json(operations.apply(found, user, mapping, mode))
    result["dry_run"] = dry_run
    if as_json:
        _print_json(result)
        return
    for section in result["sections"]:
        where = (
            f"→ section {section['section_id']}" if section["section_id"] else "(aucune section)"
        )
        click.echo(f"{section['heading']} {where}")
        for author, changes in section["proposals"].items():
            click.echo(
                f"  {author} : {len(changes['insertions'])} insertion(s), "
                f"{len(changes['deletions'])} suppression(s)"
            )
        for comment in section["comments"]:
            click.echo(f"  commentaire de {comment['author']} : {comment['text'][:60]}")
    for warning in result["warnings"]:
        click.echo(f"Attention : {warning}")
    if "written" in result:
        written = result["written"]
        click.echo(
            f"Écrit : {len(written['contributions'])} contribution(s), "
            f"{len(written['threads'])} commentaire(s), {len(written['revisions'])} révision(s), "
            f"{len(written['already_open'])} proposition(s) déjà ouverte(s)."
        )


def _create_command(
    user: User,
    path: Path,
    kind: str | None,
    year: int | None,
    title: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    if not kind or year is None:
        raise click.ClickException(
            "Sans --convention, le document crée une convention : précisez --kind et --year."
        )
    if kind not in {k.value for k in ConventionKind}:
        raise click.ClickException(f"Type de convention inconnu : {kind}")
    convention_kind = ConventionKind(kind)
    if not can_create_convention(user.organisation.kind, user.is_admin):
        raise Forbidden("Seul un organisme HLM peut créer une convention.")
    data = path.read_bytes()
    if dry_run:
        plan = queries.plan_new(path.name, data, convention_kind).plan
        if as_json:
            _print_json(queries.new_plan_json(plan))
            return
        for part in plan.sections:
            kind_of = "section type" if part.section_id is not None else "section ajoutée"
            click.echo(f"  {part.heading} ({kind_of})")
        for warning in plan.warnings:
            click.echo(f"Attention : {warning}")
        return
    created = operations.create_from_docx(
        user, path.name, data, convention_kind, title or None, year
    )
    result = queries.created_json(created)
    if as_json:
        _print_json(result)
        return
    click.echo(f"Convention {created.convention_id} créée : {len(created.sections)} section(s).")
    for _id, heading, added in created.sections:
        click.echo(f"  {heading}{' (ajoutée)' if added else ''}")
    for warning in created.plan.warnings:
        click.echo(f"Attention : {warning}")


def _print_json(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
