"""Word files on the web: the export of a convention, and the import page (upload,
preview of what will be written and by whom, then confirmation).

Between the preview and the confirmation the upload waits in the database
(``pending_import``) under a random token bound to the user and the convention, for an
hour: any application server can confirm what another previewed. A user's new preview
replaces their older one of the convention, and a user's waiting previews are capped in
size (``operations.keep_pending``). The file is read in a child process within the parse
limits (``app.parsing``), at the preview and again at the confirmation.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.forms import submitted
from app.webutil import back
from app.word import operations, queries
from app.word.forms import ImportForm
from workflows.errors import InvalidInput
from workflows.permissions import may_attribute_to_others

bp = Blueprint("word", __name__)


@bp.get("/conventions/<int:convention_id>/export.docx")
def export(convention_id: int) -> ResponseReturnValue:
    """``?tracked=1``: open contributions as revision marks; ``?comments=1``: discussions
    as comments."""
    data, filename = queries.export_file(g.convention, request.args)
    return Response(
        data,
        mimetype=queries.DOCX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/conventions/<int:convention_id>/import", methods=["GET", "POST"])
def import_page(convention_id: int) -> ResponseReturnValue:
    convention = g.convention
    if request.method == "GET":
        return render_template("word/import.html", convention=convention, found=None)
    form = submitted(ImportForm())
    errors.back_to(url_for("word.import_page", convention_id=convention_id))
    mode = form.mode.data or "contributions"
    token = form.token.data or ""
    if token:  # the confirmation of a preview
        kept = queries.pending(g.user, convention_id, token)
        if kept is None:
            raise InvalidInput("Cet aperçu n'est plus disponible : déposez le document à nouveau.")
        found = queries.preview(convention_id, kept.filename, kept.data)
        mapping = form.authors(list(found.authors))
        written = operations.apply(found, g.user, mapping, mode, pending_token=token)
        return back(
            url_for("conventions.show", convention_id=convention_id),
            f"Import de « {kept.filename} » : {len(written.contributions)} contribution(s), "
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
        raise InvalidInput("Choisissez un document Word (.docx).")
    data = upload.read()
    found = queries.preview(convention_id, upload.filename, data)
    token = operations.keep_pending(g.user, convention_id, upload.filename, data)
    return render_template(
        "word/import.html",
        convention=convention,
        found=found,
        preview=queries.preview_json(found),
        token=token,
        members=sorted(found.member_names.items(), key=lambda item: item[1].lower()),
        drafter=may_attribute_to_others(g.role),
    )
