"""The forms of accounts: login, password change, an administrator's new account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired

from app.forms import choices
from workflows.conventions import ORGANISATION_KIND_LABELS


class LoginForm(FlaskForm):
    email = StringField("Adresse électronique", validators=[DataRequired()])
    password = PasswordField("Mot de passe", validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired()])
    new = PasswordField("Nouveau mot de passe", validators=[DataRequired()])
    confirm = PasswordField("Confirmation", validators=[DataRequired()])


class UserForm(FlaskForm):
    email = StringField("Adresse électronique", validators=[DataRequired()])
    name = StringField("Nom", validators=[DataRequired()])
    organisation = StringField(
        "Organisation (créée si elle n'existe pas)", validators=[DataRequired()]
    )
    organisation_kind = SelectField(
        "Type d'organisation (si elle est créée)",
        choices=choices(ORGANISATION_KIND_LABELS.items()),
    )
    password = PasswordField(
        "Mot de passe initial (8 caractères au moins)", validators=[DataRequired()]
    )
    is_admin = BooleanField("Administrateur de l'instance")


class ActiveForm(FlaskForm):
    active = HiddenField()
