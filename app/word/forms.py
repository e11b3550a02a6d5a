"""The forms of the Word import: the upload, then its confirmation."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField

from workflows.conventions import parse_id


class ImportForm(FlaskForm):
    file = FileField("Document Word (.docx)")
    token = HiddenField()  # set: the confirmation of the preview it names
    mode = StringField("Mode")

    # One choice per author of the document the preview could not match: a field named
    # "author-" + the author's name, whose value is a member's user id.
    AUTHOR_PREFIX = "author-"

    def authors(self, names: list[str]) -> dict[str, int]:
        chosen = {}
        for name in names:
            user_id = parse_id(request.form.get(self.AUTHOR_PREFIX + name, ""))
            if user_id is not None:
                chosen[name] = user_id
        return chosen
