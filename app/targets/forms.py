"""The forms of targets: a value entered as its indicator's variables, a value removed."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class DeleteForm(FlaskForm):
    code = HiddenField()
    scope = HiddenField()
    year = HiddenField()
    kind = HiddenField()


class ValueForm(DeleteForm):
    scope = StringField("Périmètre")
    year = StringField("Année")
    kind = StringField("Cible ou réalisé")

    # The variables depend on the indicator chosen (V1, V2, V1.a...): each comes as a
    # field named VARIABLE_PREFIX + its name, read by ``variables``.
    VARIABLE_PREFIX = "var_"

    def variables(self) -> dict[str, str]:
        prefix = self.VARIABLE_PREFIX
        return {
            name[len(prefix) :]: value
            for name, value in request.form.items()
            if name.startswith(prefix)
        }
