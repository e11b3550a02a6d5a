"""The forms of the lifecycle: a step, the deadlines, a signature, an avenant."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class TransitionForm(FlaskForm):
    to = HiddenField()


class CarryForm(FlaskForm):
    note = TextAreaField("Note pour le dossier transmis")


class UncarryForm(FlaskForm):
    """Nothing but the CSRF token: the point is in the address."""


class DeadlinesForm(FlaskForm):
    # One date each, named as workflows.lifecycle.DEADLINE_LABELS; empty: no deadline.
    association = StringField("Fin de l'association")
    transmission = StringField("Transmission au préfet")
    signature = StringField("Signature")


class SignForm(FlaskForm):
    membership_id = StringField("Signataire")
    signed_on = StringField("Date de signature")
    signer = StringField("Nom et qualité du signataire")


class ProposalForm(FlaskForm):
    proposed_on = StringField("Date de la proposition")
    proposer = StringField("Auteur de la proposition")
    note = TextAreaField("Note")


class AvenantForm(FlaskForm):
    title = StringField("Intitulé de l'avenant")
