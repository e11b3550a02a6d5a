"""The forms of the organisations' ties. Their values are read by ``workflows.ties``
(which says what is wrong, beside the field): the form checks the CSRF token only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


class OrganisationForm(FlaskForm):
    kind = StringField("Nature")
    rattachement_id = StringField("Collectivité de rattachement")
    plh_executoire = StringField("PLH approuvé et exécutoire")


class PlaceForm(FlaskForm):
    level = StringField("Niveau")
    code = StringField("Code")
    name = StringField("Nom")
    logements = StringField("Nombre de logements (facultatif)")
