"""Pages of the organisations' ties: the administrator's list and sheet of each
organisation (nature, collectivité de rattachement, PLH, territory). Where an organisme
owns housing is recorded by its drafters on a CUS's participants page
(app/conventions/views.py, through this feature's operations).

Access was checked before any view runs (app.access)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app import errors
from app.db import db_session
from app.forms import EmptyForm, submitted
from app.models import Organisation
from app.organisations import operations, queries
from app.organisations.forms import OrganisationForm, PlaceForm
from workflows.errors import CosigneError, NotFound
from workflows.ties import LEVEL_LABELS, PLH_KINDS, RATTACHEMENT_KINDS

bp = Blueprint("organisations", __name__)


@bp.get("/admin/organisations")
def admin_list() -> ResponseReturnValue:
    return render_template("organisations/admin_list.html", organisations=queries.organisations())


def _sheet(
    organisation_id: int,
    form: OrganisationForm | None = None,
    place_form: PlaceForm | None = None,
    error: CosigneError | None = None,
    place_error: CosigneError | None = None,
) -> ResponseReturnValue:
    organisation = db_session().get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Organisation introuvable.")
    if form is None:
        form = OrganisationForm(
            formdata=None,
            kind=organisation.kind.value,
            rattachement_id=str(organisation.rattachement_id or ""),
            plh_executoire=""
            if organisation.plh_executoire is None
            else ("1" if organisation.plh_executoire else "0"),
        )
    shown = error or place_error
    return render_template(
        "organisations/admin_sheet.html",
        organisation=organisation,
        territory=organisation.territory,
        patrimoine=queries.patrimoine(organisation.id),
        collectivites=queries.collectivites(but=organisation.id),
        form=form,
        place_form=place_form or PlaceForm(formdata=None),
        remove_form=EmptyForm(formdata=None),
        error=error,
        place_error=place_error,
        LEVEL_LABELS=LEVEL_LABELS,
        PLH_KINDS=PLH_KINDS,
        RATTACHEMENT_KINDS=RATTACHEMENT_KINDS,
    ), (shown.status if shown else 200)


@bp.get("/admin/organisations/<int:organisation_id>")
def admin_sheet(organisation_id: int) -> ResponseReturnValue:
    return _sheet(organisation_id)


@bp.post("/admin/organisations/<int:organisation_id>")
def admin_save(organisation_id: int) -> ResponseReturnValue:
    form = OrganisationForm()
    errors.on_error(lambda error: _sheet(organisation_id, form=form, error=error))
    submitted(form)
    organisation = operations.save_organisation(
        organisation_id, form.kind.data, form.rattachement_id.data, form.plh_executoire.data, g.user
    )
    flash(f"{organisation.name} : fiche enregistrée.", "success")
    return redirect(url_for("organisations.admin_sheet", organisation_id=organisation_id))


@bp.post("/admin/organisations/<int:organisation_id>/territory")
def territory_add(organisation_id: int) -> ResponseReturnValue:
    form = PlaceForm()
    errors.on_error(lambda error: _sheet(organisation_id, place_form=form, place_error=error))
    submitted(form)
    operations.add_territory(
        organisation_id, form.level.data, form.code.data, form.name.data, g.user
    )
    flash("Lieu ajouté au territoire.", "success")
    return redirect(
        url_for("organisations.admin_sheet", organisation_id=organisation_id, _anchor="territoire")
    )


@bp.post("/admin/organisations/<int:organisation_id>/territory/<int:place_id>/remove")
def territory_remove(organisation_id: int, place_id: int) -> ResponseReturnValue:
    errors.on_error(lambda error: _sheet(organisation_id, place_error=error))
    submitted(EmptyForm())
    operations.remove_territory(organisation_id, place_id, g.user)
    flash("Lieu retiré du territoire.", "success")
    return redirect(
        url_for("organisations.admin_sheet", organisation_id=organisation_id, _anchor="territoire")
    )
