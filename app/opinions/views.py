"""The form of a State service's internal opinion, on a section's page."""

from __future__ import annotations

from flask import Blueprint, g, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from app import errors
from app.forms import submitted
from app.opinions import operations
from app.opinions.queries import gathered, reads_opinions
from app.webutil import back
from workflows.errors import Forbidden

bp = Blueprint("opinions", __name__)


class OpinionForm(FlaskForm):
    territory = StringField("Territoire")
    body = TextAreaField("Avis")


@bp.post("/sections/<int:section_id>/state-opinions")
def add(section_id: int) -> ResponseReturnValue:
    form = submitted(OpinionForm())
    operations.require_state(g.user)
    target = url_for("sections.show", section_id=section_id) + "#avis-etat"
    errors.back_to(target)
    operations.add_opinion(
        g.section.convention_id, g.user, section_id, form.territory.data or "", form.body.data or ""
    )
    return back(
        target, "Avis interne enregistré : seuls les services de l'État le lisent.", "success"
    )


@bp.get("/conventions/<int:convention_id>/avis-etat")
def page(convention_id: int) -> ResponseReturnValue:
    """Every internal opinion on the convention in one place, by section in the
    document's order: the State's services alone (403 for the others, as the API)."""
    if not reads_opinions(g.user):
        raise Forbidden("Les avis internes de l'État ne sont lus que par ses services.")
    groups = gathered(convention_id)
    return render_template(
        "opinions/page.html",
        convention=g.convention,
        groups=groups,
        count=sum(len(group.opinions) for group in groups),
    )
