"""What every form shares: CSRF (Flask-WTF), select options, and one way to read a post.

Each feature keeps its own forms (``app/<feature>/forms.py``); the rules on the values
live in ``workflows/``, so fields here parse and carry, they do not judge. ``submitted``
reads a posted form and refuses it as bad input, naming the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.fields.choices import SelectChoice

from app.errors import CSRF_MESSAGE
from workflows.errors import InvalidInput
from workflows.numbers import read_integer

F = TypeVar("F", bound=FlaskForm)


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class WholeNumberField(IntegerField):
    """A whole number as a French user types it (``workflows.numbers``): WTForms'
    IntegerField reads with int(), which takes other scripts' digits ("٢٠٢٦")."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = read_integer(valuelist[0])
        if self.data is None:
            raise ValueError("un nombre entier est attendu (chiffres de 0 à 9).")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""

    confirm = BooleanField(default=True)


def form_errors(form: FlaskForm) -> str:
    """The form's errors in one French sentence per field."""
    messages = []
    for name, errors in form.errors.items():
        if name == "csrf_token":
            return CSRF_MESSAGE
        label = getattr(getattr(form, name, None), "label", None)
        messages.append(f"{label.text if label else name} : {' '.join(errors)}")
    return " ".join(messages) or "Formulaire invalide."


def submitted(form: F) -> F:
    """The posted form once its CSRF token and fields are valid; InvalidInput otherwise."""
    if not form.validate_on_submit():
        raise InvalidInput(form_errors(form))
    return form
