"""The forms of sections: a title, an edit, a restore, a move, the concertation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class SectionForm(FlaskForm):
    title = StringField("Titre de la section")


class EditForm(FlaskForm):
    base_revision = HiddenField()
    body = TextAreaField("Texte (Markdown)")
    # The rich-text editor's document (JSON), when it ran: then it is the text, and
    # ``body`` the Markdown it was opened on (app.editing.queries.submitted_text).
    document = HiddenField()
    message = StringField("Résumé de la modification (facultatif)")


class RestoreForm(FlaskForm):
    base_revision = HiddenField()


class MoveForm(FlaskForm):
    direction = HiddenField()


class ConcertationForm(FlaskForm):
    # "1": put the section under the tenants' concertation; "0": take it out.
    concertation = HiddenField()
