"""The forms of the register: a meeting, a document sent, minutes, a letter received."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField


class MeetingForm(FlaskForm):
    title = StringField("Objet")
    meeting_on = StringField("Date")
    place = StringField("Lieu")
    invited = SelectMultipleField("Organisations invitées", choices=[], validate_choice=False)


class DocumentForm(FlaskForm):
    title = StringField("Document")
    sent_on = StringField("Envoyé le")


class MinutesForm(FlaskForm):
    minutes = TextAreaField("Compte rendu")


class LetterForm(FlaskForm):
    sender = StringField("Expéditeur")
    received_on = StringField("Reçu le")
    subject = StringField("Objet")
    summary = TextAreaField("Ce qu'il dit")


class ConcertationForm(FlaskForm):
    held_on = StringField("Date")
    subject = StringField("Objet")
    association_cnc = TextAreaField("Associations affiliées à la CNC")
    association_10 = TextAreaField("Associations de plus de 10 %")
    administrateur = TextAreaField("Administrateurs élus")
    impossible = BooleanField("Formalité impossible")
    reason = TextAreaField("Motif")
    minutes = TextAreaField("Compte rendu")


class DecisionForm(FlaskForm):
    """The organisme's decision opening the drafting; the day it was sent to each
    recipient comes in ``notified_<key>`` fields, one per recipient the page lists."""

    instance = StringField("Instance")
    decided_on = StringField("Date de la décision")
    min_meetings = StringField("Réunions de travail au moins")
    notice_days = StringField("Délai d'envoi des documents (jours)")


class ProofForm(FlaskForm):
    kind = StringField("Nature de la pièce")


class AdoptionForm(FlaskForm):
    """The organisme's adoption of the projet; the deliberation, optional, comes as the
    ``file`` upload."""

    instance = StringField("Instance")
    adopted_on = StringField("Date de l'adoption")
