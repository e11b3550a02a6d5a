"""`flask --app app kb ingest|list|remove|reindex|search`: thin doors onto the knowledge
base's operations and queries."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import inspect

from app import migrations
from app.db import engine
from app.kb import operations, queries
from knowledge.types import DocumentKind, DocumentStatus
from workflows.errors import InvalidInput

kb_group = AppGroup("kb", help="Base documentaire : textes de référence et recherche.")

SUFFIXES = {".txt", ".md", ".docx", ".pdf"}


def _files(paths: tuple[str, ...]) -> list[tuple[Path, dict[str, str]]]:
    """Files to ingest with their manifest entry (kind, title) when a folder has one."""
    found: list[tuple[Path, dict[str, str]]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            manifest: dict[str, dict[str, str]] = {}
            manifest_path = path / "manifest.json"
            if manifest_path.exists():
                data = json.loads(manifest_path.read_text(encoding="utf-8"))
                manifest = {entry["file"]: entry for entry in data.get("documents", [])}
            for child in sorted(path.iterdir()):
                if child.is_file() and (child.suffix.lower() in SUFFIXES or child.name in manifest):
                    found.append((child, manifest.get(child.name, {})))
        elif path.exists():
            found.append((path, {}))
        else:
            raise click.ClickException(f"{raw} : fichier ou dossier introuvable.")
    return found


def _ensure_schema() -> None:
    """A brand-new data directory (as ../shared/eval/score.py makes) gets its schema
    first, so that `kb ingest` works on it directly."""
    if not inspect(engine()).has_table("kb_document"):
        migrations.upgrade(engine())


@kb_group.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DocumentKind]),
    default=None,
    help="Type des documents (sinon : manifest.json, sinon « autre »).",
)
@click.option(
    "--status",
    type=click.Choice([s.value for s in DocumentStatus]),
    default=DocumentStatus.EN_VIGUEUR.value,
    show_default=True,
)
def ingest(paths: tuple[str, ...], kind: str | None, status: str) -> None:
    """Ajoute des fichiers (.txt, .md, .docx, .pdf) ou des dossiers à la base."""
    _ensure_schema()
    files = _files(paths)
    report = operations.IngestReport()
    with click.progressbar(
        files, label="Documents", item_show_func=lambda f: f[0].name if f else "", file=sys.stderr
    ) as bar:
        for path, entry in bar:
            try:
                document, created = operations.ingest(
                    path.name,
                    path.read_bytes(),
                    kind or entry.get("kind") or "autre",
                    title=entry.get("title"),
                    status=status,
                    in_child=False,  # a command of its own: nobody else waits on it
                )
            except InvalidInput as exc:  # one refused file does not stop the others
                report.refused.append((path.name, str(exc)))
                continue
            if created:
                report.added.append(path.name)
                report.passages += len(document.passages)
            else:
                report.unchanged.append(path.name)
    click.echo(f"Résumé : {report.summary()}.")
    for name, reason in report.refused:
        click.echo(f"  refusé : {name} — {reason}", err=True)
    if report.refused and not (report.added or report.unchanged):
        raise SystemExit(1)


@kb_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_documents(as_json: bool) -> None:
    """Liste les documents de la base."""
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "kind": d.kind.value,
            "status": d.status.value,
            "passages": n,
            "filename": d.filename,
        }
        for d, n in queries.documents()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>4}  {row['kind']:<10} {row['status']:<11} {row['passages']:>5} passages  {row['title']}"
        )


@kb_group.command("remove")
@click.argument("document_id", type=int)
def remove(document_id: int) -> None:
    """Retire un document (et ses passages de l'index)."""
    title = operations.remove(document_id)
    click.echo(f"Document retiré : {title}")


@kb_group.command("reindex")
def reindex() -> None:
    """Reconstruit l'index de recherche depuis la base de données."""
    total = queries.passage_count()
    with click.progressbar(length=total, label="Passages", file=sys.stderr) as bar:
        count = operations.reindex(progress=bar.update)
    click.echo(f"Index reconstruit : {count} passages.")


@kb_group.command("search")
@click.argument("question")
@click.option("--kind", type=click.Choice([k.value for k in DocumentKind]), default=None)
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def search(question: str, kind: str | None, limit: int, as_json: bool) -> None:
    """Cherche dans la base documentaire."""
    result = queries.search(question, kind=kind, limit=limit)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "hits": [queries.hit_json(h) for h in result.hits],
                    "total": result.total,
                    "took_ms": result.took_ms,
                },
                ensure_ascii=False,
            )
        )
        return
    for hit in result.hits:
        click.echo(
            f"[{hit.score:6.2f}] {hit.title} — {hit.locator}"
            + (f" ({hit.indicator})" if hit.indicator else "")
        )
        click.echo("         " + hit.text[:200].replace("\n", " "))
    click.echo(f"{result.total} résultat(s) en {result.took_ms} ms")
