"""The forms of the assistant: a question (from a section or not), a wording proposed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField


class QuestionForm(FlaskForm):
    question = TextAreaField("Votre question")
    section_id = HiddenField()


class ProposeForm(FlaskForm):
    text = TextAreaField("Texte proposé")
    question = HiddenField()
