"""The form of the note d'enjeux: its date, its file, and one row per point (WTForms'
FieldList, bounded: rows past the limit are not read)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from app.forms import choices
from workflows.enjeux import POINT_KIND_LABELS
from workflows.limits import MAX_NOTE_POINTS

# Empty rows offered below the points, to add some; a row more than the limit lets the
# rule say the limit rather than drop a point silently.
BLANK_ROWS = 3


class PointForm(Form):
    # The rules judge the values (workflows.enjeux.clean_note), beside each field.
    kind = SelectField("Nature", choices=choices(POINT_KIND_LABELS.items()), validate_choice=False)
    text = TextAreaField("Point")
    sections = SelectMultipleField("Sections concernées", choices=[], validate_choice=False)
    remove = BooleanField("Retirer ce point")


class NoteForm(FlaskForm):
    noted_on = StringField("Date de la note")
    version = HiddenField()
    file = FileField("Fichier de la note (PDF, Word ou OpenDocument, facultatif)")
    remove_file = BooleanField("Retirer le fichier enregistré")
    points = FieldList(FormField(PointForm), max_entries=MAX_NOTE_POINTS + BLANK_ROWS + 1)
