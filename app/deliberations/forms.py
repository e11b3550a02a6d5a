"""The form of a deliberation; its extract, optional, comes as the ``file`` upload."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class DeliberationForm(FlaskForm):
    party = StringField("Partie")
    instance = StringField("Instance")
    decided_on = StringField("Date de la délibération")
    decision = StringField("Décision")
    note = TextAreaField("Réserves ou observations")
