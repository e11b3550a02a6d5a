"""The parties' ties on the web: the administrator sets an office's rattachement, an
EPCI's PLH and the territories; the organisme records its housing; the participants page
proposes the collectivités, one click adds them; the readiness warns until they take part."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import db_session, write_transaction
from app.models import Membership, Organisation, OrganisationTerritory, OrganismePatrimoine
from tests.conftest import api_client, logged_in, post_form
from tests.factories import add_member, make_user
from workflows.conventions import OrganisationKind
from workflows.permissions import Role


def _org(name: str) -> Organisation:
    return db_session().scalar(select(Organisation).where(Organisation.name == name))


def _admin(app):
    with app.app_context():
        make_user("admin@cosigne.test", "Cosigne", OrganisationKind.AUTRE, is_admin=True)
        ids = {n: _org(n).id for n in ("OPH Test", "EPCI Test", "Département Test")}
    return logged_in(app, "admin@cosigne.test"), ids


def test_the_administrator_sets_the_ties_and_the_cus_proposes_them(app, world):
    admin, ids = _admin(app)
    assert "OPH Test" in admin.get("/admin/organisations").get_data(as_text=True)
    sheet = f"/admin/organisations/{ids['OPH Test']}"
    response = post_form(
        admin, sheet, {"kind": "oph", "rattachement_id": str(ids["EPCI Test"])}, page=sheet
    )
    assert response.status_code == 302
    epci = f"/admin/organisations/{ids['EPCI Test']}"
    assert (
        post_form(admin, epci, {"kind": "epci", "plh_executoire": "1"}, page=epci).status_code
        == 302
    )
    for url, level, code in (
        (epci, "epci", "200030385"),
        (epci, "commune", "41018"),
        (f"/admin/organisations/{ids['Département Test']}", "departement", "41"),
    ):
        assert (
            post_form(
                admin, url + "/territory", {"level": level, "code": code}, page=url
            ).status_code
            == 302
        )
    with app.app_context():
        oph = db_session().get(Organisation, ids["OPH Test"])
        assert oph.rattachement_id == ids["EPCI Test"]
        assert db_session().get(Organisation, ids["EPCI Test"]).plh_executoire is True

    # The drafter records the housing, then sees the proposal; the world's EPCI is signataire
    # and the département associée: nothing to warn of.
    drafter = logged_in(app, "redac@oph.test")
    members_url = f"/conventions/{world.convention_id}/members"
    assert (
        post_form(
            drafter,
            f"/conventions/{world.convention_id}/patrimoine",
            {"level": "commune", "code": "41018", "name": "Blois", "logements": "1 200"},
            page=members_url,
        ).status_code
        == 302
    )
    page = drafter.get(members_url).get_data(as_text=True)
    assert "Proposé d'après les liens des parties" in page
    assert "Toutes les collectivités que les liens désignent" in page
    show = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    assert "À vérifier avant la transmission" not in show

    # Without the département, the readiness warns and the page proposes it, one click away.
    with app.app_context(), write_transaction() as session:
        session.execute(
            Membership.__table__.delete().where(
                Membership.convention_id == world.convention_id,
                Membership.organisation_id == ids["Département Test"],
            )
        )
    show = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    assert "À vérifier avant la transmission" in show
    assert "Département Test (l&#39;organisme possède des logements" in show
    page = drafter.get(members_url).get_data(as_text=True)
    assert f'name="organisation_id" value="{ids["Département Test"]}"' in page
    response = post_form(
        drafter,
        f"/conventions/{world.convention_id}/members/add",
        {"organisation_id": str(ids["Département Test"]), "user_email": "", "role": "associe"},
        page=members_url,
    )
    assert response.status_code == 302
    with app.app_context():
        role = db_session().scalar(
            select(Membership.role).where(
                Membership.convention_id == world.convention_id,
                Membership.organisation_id == ids["Département Test"],
            )
        )
        assert role is Role.ASSOCIE
    show = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    assert "À vérifier avant la transmission" not in show


def test_the_signatory_of_right_is_proposed_and_warned_of(app, world):
    admin, ids = _admin(app)
    with app.app_context():
        make_user("vp@agglo.test", "Agglo Autre", OrganisationKind.EPCI)
        agglo = _org("Agglo Autre").id
    sheet = f"/admin/organisations/{ids['OPH Test']}"
    post_form(admin, sheet, {"kind": "oph", "rattachement_id": str(agglo)}, page=sheet)
    drafter = logged_in(app, "redac@oph.test")
    show = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    assert "Agglo Autre, collectivité de rattachement de l&#39;office" in show
    assert "n&#39;est pas renseigné" in show  # the housing is not said either
    client, headers = api_client(app, "redac@oph.test")
    readiness = f"/api/conventions/{world.convention_id}/readiness"
    warned = client.get(readiness, headers=headers).get_json()["warnings"]
    assert any(w.startswith("Agglo Autre, collectivité de rattachement") for w in warned)
    members_url = f"/conventions/{world.convention_id}/members"
    page = drafter.get(members_url).get_data(as_text=True)
    assert "Ajouter comme signataire" in page
    post_form(
        drafter,
        f"/conventions/{world.convention_id}/members/add",
        {"organisation_id": str(agglo), "user_email": "", "role": "signataire"},
        page=members_url,
    )
    show = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    assert "collectivité de rattachement de l&#39;office" not in show
    warned = client.get(readiness, headers=headers).get_json()["warnings"]
    assert not any("rattachement" in w for w in warned)
    with app.app_context():
        role = db_session().scalar(
            select(Membership.role).where(
                Membership.convention_id == world.convention_id, Membership.organisation_id == agglo
            )
        )
        assert role is Role.SIGNATAIRE


def test_refused_input_is_said_beside_its_field_and_kept(app, world):
    admin, ids = _admin(app)
    sheet = f"/admin/organisations/{ids['OPH Test']}"
    # A rattachement to an organisme HLM is refused beside its field.
    with app.app_context():
        esh = _org("ESH Ailleurs").id
    response = post_form(admin, sheet, {"kind": "oph", "rattachement_id": str(esh)}, page=sheet)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="org-rattachement_id-error"' in html and "n&#39;est pas une collectivité" in html
    # A PLH on a département is refused.
    dep = f"/admin/organisations/{ids['Département Test']}"
    response = post_form(admin, dep, {"kind": "departement", "plh_executoire": "1"}, page=dep)
    assert response.status_code == 400 and 'id="org-plh_executoire-error"' in response.get_data(
        as_text=True
    )
    # A bad code is refused beside the code, what was typed kept.
    response = post_form(
        admin, dep + "/territory", {"level": "departement", "code": "4X", "name": "Val"}, page=dep
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="place-code-error"' in html
    assert 'value="4X"' in html and 'value="Val"' in html
    drafter = logged_in(app, "redac@oph.test")
    members_url = f"/conventions/{world.convention_id}/members"
    response = post_form(
        drafter,
        f"/conventions/{world.convention_id}/patrimoine",
        {"level": "commune", "code": "41018", "logements": "beaucoup"},
        page=members_url,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="patrimoine-logements-error"' in html
    assert 'value="beaucoup"' in html
    with app.app_context():
        session = db_session()
        assert session.get(Organisation, ids["OPH Test"]).rattachement_id is None
        assert session.get(Organisation, ids["Département Test"]).plh_executoire is None
        assert session.scalar(select(func.count(OrganisationTerritory.id))) == 0
        assert session.scalar(select(func.count(OrganismePatrimoine.id))) == 0


def test_others_are_refused(app, world):
    drafter = logged_in(app, "redac@oph.test")
    with app.app_context():
        oph = _org("OPH Test").id
    assert drafter.get("/admin/organisations").status_code == 403
    sheet = f"/admin/organisations/{oph}"
    response = post_form(drafter, sheet, {"kind": "esh"})
    assert response.status_code == 403
    associe = logged_in(app, "asso@dep.test")
    response = post_form(
        associe,
        f"/conventions/{world.convention_id}/patrimoine",
        {"level": "commune", "code": "41018"},
    )
    assert response.status_code == 403
    # A collectivité drafting with the organisme does not say where the organisme owns
    # housing: that holds for all of the organisme's conventions.
    with app.app_context():
        other = make_user("redac@agglo.test", "Agglo Test", OrganisationKind.EPCI)
        add_member(world.convention_id, Role.REDACTEUR, other, personal=True)
    response = post_form(
        logged_in(app, "redac@agglo.test"),
        f"/conventions/{world.convention_id}/patrimoine",
        {"level": "commune", "code": "41018", "name": "Blois"},
    )
    assert response.status_code == 403
    assert "Seuls les rédacteurs de l&#39;organisme" in response.get_data(as_text=True)
    with app.app_context():
        assert db_session().get(Organisation, oph).kind is OrganisationKind.OPH
        assert db_session().scalar(select(func.count(OrganismePatrimoine.id))) == 0
