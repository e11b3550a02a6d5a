"""The forms of the review: a signatory's position on a section."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class PositionForm(FlaskForm):
    position = StringField("Position")
    text = TextAreaField("Réserves ou motif du désaccord")
    revision_number = HiddenField()
