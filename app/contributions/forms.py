"""The forms of contributions and discussions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields import SelectMultipleField


class ContributionForm(FlaskForm):
    base_revision = HiddenField()
    body = TextAreaField("Texte proposé")
    document = HiddenField()  # the rich-text editor's document, as on the edit page
    rationale = TextAreaField("Justification")


class AcceptForm(FlaskForm):
    # The changes chosen ("h1", "h3"...), or every one with "all".
    hunk = SelectMultipleField(choices=[], validate_choice=False)
    all = HiddenField()


class RejectForm(FlaskForm):
    reason = TextAreaField("Motif du rejet")


class TreatForm(FlaskForm):
    note = TextAreaField("Note")


class ThreadForm(FlaskForm):
    body = TextAreaField("Commentaire")
    quote = StringField("Passage commenté")
    # The words around a passage selected on the page (set by app/static/comments.js).
    before = HiddenField()
    after = HiddenField()
    revision_number = HiddenField()
    contribution_id = HiddenField()


class ReplyForm(FlaskForm):
    body = TextAreaField("Réponse")


class ResolveForm(FlaskForm):
    resolved = HiddenField()
