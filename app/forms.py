"""WTForms: CSRF protection and field parsing. The rules on values live in workflows/."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from workflows.conventions import KIND_LABELS, ConventionKind
from workflows.permissions import ROLE_LABELS


def choices(pairs) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class LoginForm(FlaskForm):
    email = StringField("Adresse électronique", validators=[DataRequired()])
    password = PasswordField("Mot de passe", validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired()])
    new = PasswordField("Nouveau mot de passe", validators=[DataRequired()])
    confirm = PasswordField("Confirmation", validators=[DataRequired()])


class ConventionForm(FlaskForm):
    kind = SelectField(
        "Type",
        choices=choices((k, v) for k, v in KIND_LABELS.items() if k is not ConventionKind.AVENANT),
    )
    title = StringField("Intitulé")
    start_year = IntegerField("Année de début", validators=[DataRequired()])
    end_year = IntegerField("Année de fin (facultative)", validators=[Optional()])
    cadre_id = SelectField("Document cadre (convention d'application)", coerce=str, choices=[])


class SectionForm(FlaskForm):
    title = StringField("Titre de la section")


class EditForm(FlaskForm):
    base_revision = HiddenField()
    body = TextAreaField("Texte (Markdown)")
    message = StringField("Résumé de la modification (facultatif)")


class RestoreForm(FlaskForm):
    base_revision = HiddenField()


class MoveForm(FlaskForm):
    direction = HiddenField()


class MemberForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=str, choices=[])
    user_email = StringField("ou un utilisateur (adresse)")
    role = SelectField("Rôle", choices=choices(ROLE_LABELS.items()))


class UserForm(FlaskForm):
    email = StringField("Adresse électronique", validators=[DataRequired()])
    name = StringField("Nom", validators=[DataRequired()])
    organisation = StringField(
        "Organisation (créée si elle n'existe pas)", validators=[DataRequired()]
    )
    organisation_kind = SelectField("Type d'organisation (si elle est créée)", choices=[])
    password = PasswordField(
        "Mot de passe initial (8 caractères au moins)", validators=[DataRequired()]
    )
    is_admin = BooleanField("Administrateur de l'instance")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""

    confirm = BooleanField(default=True)
