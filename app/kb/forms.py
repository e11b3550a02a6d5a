"""The forms of the knowledge base: a document uploaded, an indicator computed."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField

from knowledge.indicators.catalogue import Indicator
from knowledge.types import DocumentKind, DocumentStatus


class UploadForm(FlaskForm):
    file = FileField("Fichier (.txt, .md, .docx, .pdf ; 50 Mo au plus)")
    title = StringField("Titre (facultatif)")
    kind = StringField("Type", default=DocumentKind.AUTRE.value)
    status = StringField("Statut", default=DocumentStatus.EN_VIGUEUR.value)
    published_on = StringField("Date du texte (facultative)")


class ComputeForm(FlaskForm):
    year = StringField("Année", default="2025")

    def values(self, indicator: Indicator) -> dict[str, str]:
        """The indicator's variables as typed, one field each, named as the variable."""
        return {v.name: request.form.get(v.name, "").strip() for v in indicator.variables}
