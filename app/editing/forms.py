"""The forms the editor pages post: the editor's fields, a draft, a heartbeat."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class EditorForm(FlaskForm):
    """What every editor page posts: the revision it started from, the textarea's
    Markdown and, when the rich-text editor ran, its document (JSON)."""

    base_revision = HiddenField()
    body = TextAreaField()
    document = HiddenField()


class DraftForm(EditorForm):
    message = StringField()  # the edit page's summary of the change
    rationale = TextAreaField()  # a proposal's rationale


class PresenceForm(FlaskForm):
    leaving = HiddenField()
