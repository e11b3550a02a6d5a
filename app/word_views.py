"""Word files on the web, in the API and on the command line: thin doors onto app.word.

- ``GET /conventions/<id>/export.docx`` and ``GET /api/conventions/<id>/export.docx``
  (``?tracked=1``: open contributions as revision marks; ``?comments=1``: discussions as
  comments); ``flask --app app export ID OUT.docx [--tracked] [--comments]``.
- ``/conventions/<id>/import``: upload, preview (sections matched, proposals by author,
  comments, authors to attribute), then confirm; ``POST /api/conventions/<id>/import.docx``
  (multipart ``file``, ``dry_run=1`` for the preview, ``mode``, ``authors`` as JSON
  {"author": user id}); ``flask --app app import-docx FILE --convention ID --as EMAIL
  [--dry-run] [--json] [--map "Author=email"] [--mode revisions]``.

Between the preview and the confirmation the web page keeps the upload in the database
(``pending_import``), under a random token bound to the user and the convention, for an
hour: any application server can confirm what another previewed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.cli import with_appcontext
from sqlalchemy import select

from app import word
from app.db import db_session
from app.models import Convention, User
from app.operations import NotFound, StateRefused
from app.webutil import back, require_csrf
from workflows.errors import InvalidInput
from workflows.text.diff import word_diff

bp = Blueprint("word", __name__)
api_bp = Blueprint("word_api", __name__)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _flag(name: str) -> bool:
    return request.args.get(name, "") in ("1", "true", "oui", "on")


def _export_response(convention_id: int) -> Response:
    data = word.export_bytes(convention_id, tracked=_flag("tracked"), comments=_flag("comments"))
    convention = db_session().get(Convention, convention_id)
    response = Response(data, mimetype=DOCX_MIME)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{word.filename_of(convention)}"'
    )
    return response


@bp.get("/conventions/<int:convention_id>/export.docx")
def export(convention_id: int):  # type: ignore[no-untyped-def]
    return _export_response(convention_id)


@api_bp.get("/conventions/<int:convention_id>/export.docx")
def api_export(convention_id: int):  # type: ignore[no-untyped-def]
    return _export_response(convention_id)


# --- the preview as data -----------------------------------------------------------------


def preview_json(found: word.Preview) -> dict:
    plan = found.plan
    sections = []
    for part in plan.sections:
        proposals = {}
        for author, text in part.by_author.items():
            proposals[author] = _changes(part.original, text)  # the author's marks
        if part.unmarked is not None and not part.by_author:
            proposals["(sans marques de révision)"] = _changes(part.base, part.unmarked)
        sections.append(
            {
                "heading": part.heading,
                "section_id": part.section_id,
                "matched_by": part.matched_by or None,
                "base_revision": part.base_revision,
                "changed": part.changed,
                "proposals": proposals,
                "comments": [
                    {
                        "author": c.author,
                        "text": c.text,
                        "quote": c.quote,
                        "date": c.date,
                        "reply_to": c.reply_to,
                        "done": c.done,
                        "id": c.id,
                    }
                    for c in part.comments
                ],
            }
        )
    return {
        "convention_id": found.convention_id,
        "file": found.filename,
        "sections": sections,
        "unmatched_headings": plan.unmatched_headings,
        "missing_sections": plan.missing_sections,
        "authors": {
            author: (
                {"user_id": user_id, "name": found.member_names.get(user_id)}
                if user_id is not None
                else None
            )
            for author, user_id in found.authors.items()
        },
        "comments_outside_sections": [
            {"author": c.author, "text": c.text} for c in plan.comments_outside
        ],
        "warnings": plan.warnings,
    }


def _changes(before: str, text: str) -> dict:
    """What a proposal inserts and deletes, word by word."""
    insertions, deletions = [], []
    for paragraph in word_diff(before, text):
        for span in paragraph.spans:
            if span.op == "insert" and span.text.strip():
                insertions.append(span.text.strip())
            elif span.op == "delete" and span.text.strip():
                deletions.append(span.text.strip())
    return {"insertions": insertions, "deletions": deletions}


def written_json(written: word.Written) -> dict:
    return {
        "contributions": written.contributions,
        "threads": written.threads,
        "revisions": [{"section_id": s, "number": n} for s, n in written.revisions],
        "already_open": written.unchanged,
    }


# --- the API -----------------------------------------------------------------------------


@api_bp.post("/conventions/<int:convention_id>/import.docx")
def api_import(convention_id: int):  # type: ignore[no-untyped-def]
    upload = request.files.get("file")
    if upload is None:
        abort(400, "Joignez le document dans le champ « file » (multipart/form-data).")
    try:
        mapping = json.loads(request.form.get("authors") or "{}")
    except ValueError:
        abort(400, 'Le champ « authors » doit être un objet JSON {"auteur": id}.')
    if not isinstance(mapping, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in mapping.values()
    ):
        abort(400, 'Le champ « authors » doit être un objet JSON {"auteur": id}.')
    dry_run = request.form.get("dry_run", "") in ("1", "true", "oui")
    mode = request.form.get("mode") or "contributions"
    try:
        found = word.preview(convention_id, upload.filename or "", upload.read())
        result = preview_json(found)
        if not dry_run:
            result["written"] = written_json(word.apply(found, g.user, mapping, mode))
    except (InvalidInput, StateRefused) as error:
        return jsonify({"error": str(error)}), 400 if isinstance(error, InvalidInput) else 409
    except NotFound as error:
        abort(404, str(error))
    result["dry_run"] = dry_run
    return jsonify(result), 200 if dry_run else 201


def _int_field(name: str, required: bool) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            abort(400, f"Le champ « {name} » est obligatoire.")
        return None
    if not raw.isascii() or not raw.isdigit():
        abort(400, f"Le champ « {name} » doit être un nombre.")
    return int(raw)


def new_plan_json(plan) -> dict:  # type: ignore[no-untyped-def]
    """The preview of a new convention: each heading, a standard section's or added."""
    return {
        "dry_run": True,
        "sections": [
            {"title": part.heading, "standard": part.section_id is not None}
            for part in plan.sections
        ],
        "warnings": plan.warnings,
    }


def created_json(created: word.Created) -> dict:
    return {
        "convention_id": created.convention_id,
        "sections": [
            {"id": section_id, "title": title, "added": added}
            for section_id, title, added in created.sections
        ],
        "written": written_json(created.written),
        "warnings": created.plan.warnings,
    }


@api_bp.post("/conventions/import.docx")
def api_create():  # type: ignore[no-untyped-def]
    """A new convention from a Word draft (multipart: file, kind, title, start_year,
    end_year?, cadre_id?)."""
    from workflows.conventions import ConventionKind

    upload = request.files.get("file")
    if upload is None:
        abort(400, "Joignez le document dans le champ « file » (multipart/form-data).")
    try:
        kind = ConventionKind(request.form.get("kind", ""))
    except ValueError:
        abort(
            400,
            "Type de convention inconnu (cus, contractualisation_cadre, convention_application).",
        )
    data = upload.read()
    if request.form.get("dry_run", "") in ("1", "true", "oui"):
        try:
            plan = word.plan_new(upload.filename or "", data, kind)
        except InvalidInput as error:
            return jsonify({"error": str(error)}), 400
        return jsonify(new_plan_json(plan))
    try:
        created = word.create_from_docx(
            g.user,
            upload.filename or "",
            data,
            kind,
            request.form.get("title", ""),
            _int_field("start_year", required=True),  # type: ignore[arg-type]
            _int_field("end_year", required=False),
            _int_field("cadre_id", required=False),
        )
    except InvalidInput as error:
        return jsonify({"error": str(error)}), 400
    return jsonify(created_json(created)), 201


# --- the web page ------------------------------------------------------------------------


@bp.route("/conventions/<int:convention_id>/import", methods=["GET", "POST"])
def import_page(convention_id: int):  # type: ignore[no-untyped-def]
    convention = g.convention
    target = url_for("word.import_page", convention_id=convention_id)
    if request.method == "GET":
        return render_template("word_import.html", convention=convention, found=None)
    require_csrf()
    token = request.form.get("token", "")
    mode = request.form.get("mode") or "contributions"
    try:
        if token:  # the confirmation of a preview
            kept = word.pending(g.user, convention_id, token)
            if kept is None:
                return back(
                    target, "Cet aperçu n'est plus disponible : déposez le document à nouveau."
                )
            filename = kept.filename
            found = word.preview(convention_id, filename, kept.data)
            mapping = {}
            for author in found.authors:
                raw = request.form.get(f"author-{author}", "")
                if raw.isascii() and raw.isdigit():
                    mapping[author] = int(raw)
            written = word.apply(found, g.user, mapping, mode, pending_token=token)
            return back(
                url_for("web.convention", convention_id=convention_id),
                f"Import de « {filename} » : {len(written.contributions)} contribution(s), "
                f"{len(written.threads)} commentaire(s), {len(written.revisions)} révision(s)"
                + (
                    f" ; {len(written.unchanged)} proposition(s) déjà ouverte(s) laissée(s) telle(s)."
                    if written.unchanged
                    else "."
                ),
                "success",
            )
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return back(target, "Choisissez un document Word (.docx).")
        data = upload.read()
        found = word.preview(convention_id, upload.filename, data)
    except (InvalidInput, StateRefused) as error:
        return back(target, str(error))
    token = word.keep_pending(g.user, convention_id, upload.filename, data)
    members = sorted(found.member_names.items(), key=lambda item: item[1].lower())
    return render_template(
        "word_import.html",
        convention=convention,
        found=found,
        preview=preview_json(found),
        token=token,
        members=members,
        drafter=g.role is not None and g.role.value == "redacteur",
    )


# --- command line ------------------------------------------------------------------------


@click.command("export", help="Exporte une convention en document Word (.docx).")
@with_appcontext
@click.argument("convention_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--tracked", is_flag=True, help="Contributions ouvertes en marques de révision.")
@click.option("--comments", is_flag=True, help="Discussions en commentaires Word.")
def export_command(convention_id: int, out: str, tracked: bool, comments: bool) -> None:
    try:
        data = word.export_bytes(convention_id, tracked, comments)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
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
@click.option("--mode", type=click.Choice(word.MODES), default="contributions")
def import_command(  # noqa: PLR0913 - one option each, as the issue lists them
    file: str,
    convention_id: int | None,
    kind: str | None,
    year: int | None,
    title: str | None,
    email: str,
    dry_run: bool,
    as_json: bool,
    maps: tuple,
    mode: str,
) -> None:
    session = db_session()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"Utilisateur inconnu : {email}")
    if convention_id is None:
        _create_command(user, Path(file), kind, year, title, dry_run, as_json)
        return
    mapping = {}
    for item in maps:
        author, _sep, address = item.rpartition("=")
        member = session.scalar(select(User).where(User.email == address.strip().lower()))
        if not author or member is None:
            raise click.ClickException(f'--map « {item} » : attendu "Auteur=adresse" d\'un membre.')
        mapping[author.strip()] = member.id
    try:
        found = word.preview(convention_id, Path(file).name, Path(file).read_bytes())
        result = preview_json(found)
        if not dry_run:
            result["written"] = written_json(word.apply(found, user, mapping, mode))
    except (InvalidInput, StateRefused, NotFound) as error:
        raise click.ClickException(str(error)) from None
    result["dry_run"] = dry_run
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
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


def _create_command(user, path: Path, kind, year, title, dry_run: bool, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    from workflows.conventions import ConventionKind
    from workflows.permissions import can_create_convention

    if not kind or year is None:
        raise click.ClickException(
            "Sans --convention, le document crée une convention : précisez --kind et --year."
        )
    try:
        convention_kind = ConventionKind(kind)
    except ValueError:
        raise click.ClickException(f"Type de convention inconnu : {kind}") from None
    if not can_create_convention(user.organisation.kind, user.is_admin):
        raise click.ClickException("Seul un organisme HLM peut créer une convention.")
    try:
        if dry_run:
            plan = word.plan_new(path.name, path.read_bytes(), convention_kind)
            result = new_plan_json(plan)
            if as_json:
                sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
                return
            for part in plan.sections:
                kind_of = "section type" if part.section_id is not None else "section ajoutée"
                click.echo(f"  {part.heading} ({kind_of})")
            for warning in plan.warnings:
                click.echo(f"Attention : {warning}")
            return
        document = word._read(path.name, path.read_bytes())
        created = word.create_from_docx(
            user,
            path.name,
            path.read_bytes(),
            convention_kind,
            title or document.title or path.stem,
            year,
        )
    except InvalidInput as error:
        raise click.ClickException(str(error)) from None
    result = created_json(created)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    click.echo(f"Convention {created.convention_id} créée : {len(created.sections)} section(s).")
    for _id, heading, added in created.sections:
        click.echo(f"  {heading}{' (ajoutée)' if added else ''}")
    for warning in created.plan.warnings:
        click.echo(f"Attention : {warning}")
