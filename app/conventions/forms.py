"""The forms of conventions: a new convention (optionally from a Word draft), a member, an
associated collectivité's choice to sign."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Optional

from app.forms import WholeNumberField, choices
from workflows.conventions import KIND_LABELS, ConventionKind
from workflows.permissions import ROLE_LABELS


class ConventionForm(FlaskForm):
    kind = SelectField(
        "Type",
        choices=choices((k, v) for k, v in KIND_LABELS.items() if k is not ConventionKind.AVENANT),
    )
    title = StringField("Intitulé")
    # InputRequired, not DataRequired: the latter would replace the field's own message
    # (digits refused) with its English "This field is required.".
    start_year = WholeNumberField(
        "Année de début", validators=[InputRequired("l'année de début est obligatoire.")]
    )
    end_year = WholeNumberField("Année de fin (facultative)", validators=[Optional()])
    cadre_id = SelectField("Document cadre (convention d'application)", coerce=str, choices=[])
    document = FileField("Partir d'un document Word (facultatif)")


class MemberForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=str, choices=[])
    user_email = StringField("ou un utilisateur (adresse)")
    role = SelectField("Rôle", choices=choices(ROLE_LABELS.items()))


class ChoiceForm(FlaskForm):
    # The choice is read by workflows.signatory_choice.read_choice, the date by the view.
    choice = StringField("Choix")
    letter_on = StringField("Date du courrier de la collectivité")
