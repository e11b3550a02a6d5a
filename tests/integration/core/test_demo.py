"""`flask demo`: the demonstration data, loaded once and usable, refused in production."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.access import conventions_for
from app.accounts import queries as accounts
from app.db import db_session
from app.models import (
    AssociationDecision,
    Contribution,
    Convention,
    Event,
    Meeting,
    RegisterProof,
    ReviewPosition,
)
from app.register.queries import findings
from app.sections import queries
from tests.conftest import login
from workflows.register import ADOPTION_MISSING


def test_demo_loads_once_and_is_usable(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "redaction@oph.demo" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "déjà présentes" in second.output
    with app.app_context():
        users = accounts.users()
        assert len(users) == 7
        assert [u.email for u in users if u.is_admin] == ["admin@cosigne.demo"]
        drafter = next(u for u in users if u.email == "redaction@oph.demo")
        conventions = conventions_for(drafter)
        assert sorted(c.kind.value for c, _ in conventions) == ["contractualisation_cadre", "cus"]
        observer = next(u for u in users if u.email == "lecture@observatoire.demo")
        assert [c.kind.value for c, _ in conventions_for(observer)] == ["cus"]
        cus = next(c for c, _ in conventions if c.kind.value == "cus")
        sections = queries.sections_with_current(cus.id)
        assert sum(1 for s in sections if s.current_revision and s.current_revision.number > 1) >= 2
        # The tenants' representatives take part in the CUS, on its classement.
        tenant = next(u for u in users if u.email == "locataires@association.demo")
        assert tenant.organisation.kind == "association_locataires"
        assert [(c.kind.value, role.value) for c, role in conventions_for(tenant)] == [
            ("cus", "associe")
        ]
        assert [s.title for s in sections if s.concertation] == ["Classement des immeubles"]
        cus_id = cus.id
    client = app.test_client()
    assert login(client, "habitat@epci.demo", "demo").status_code == 302
    tenants = app.test_client()
    assert login(tenants, "locataires@association.demo", "demo").status_code == 302
    page = tenants.get(f"/conventions/{cus_id}").get_data(as_text=True)
    assert "soumises à la concertation locative : Classement des immeubles" in page


def test_production_profile_refuses_the_demo(app):
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert accounts.users() == []


def test_the_demo_tells_its_story_in_order(app):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        session = db_session()
        examined = session.scalar(
            select(Meeting).where(Meeting.title == "Réunion d'examen des contributions")
        )
        decided = session.scalars(
            select(Contribution).where(Contribution.decided_at.is_not(None))
        ).all()
        assert decided
        for contribution in decided:
            # Written before the meeting that examined them, decided on its day.
            assert contribution.created_at.date() < examined.meeting_on
            assert contribution.decided_at.date() == examined.meeting_on
        positions = session.scalars(select(ReviewPosition)).all()
        negotiation = session.scalar(
            select(Event).where(Event.action == "transition").order_by(Event.id.desc())
        )
        assert positions and all(p.created_at > negotiation.created_at for p in positions)
        # The journal reads in the order things happened, all of it in the past.
        moments = [e.created_at for e in session.scalars(select(Event).order_by(Event.id))]
        assert moments == sorted(moments)
        assert moments[-1] <= datetime.now(UTC)
        assert (datetime.now(UTC) - moments[0]).days >= 90
        # The board's decision opened the drafting before the association, was sent to
        # everyone, and the register proves the association but for one late document.
        cus = session.scalar(select(Convention).where(Convention.title.like("CUS 2025-2030%")))
        opening = session.scalar(select(AssociationDecision))
        assert opening.decided_on < min(m.meeting_on for m in session.scalars(select(Meeting)))
        assert opening.created_at.date() == opening.decided_on
        assert len(opening.notices) == 4 and session.scalars(select(RegisterProof)).all()
        found = findings(cus.id)
        # Still in negotiation, its text not final: the board has not adopted it yet.
        assert len(found) == 2 and "moins d'un mois" in found[0]
        assert found[1] == ADOPTION_MISSING


def test_the_demo_contract_shows_one_party_deliberated_and_one_to_come(app):
    """The organisme's board approved the contract (its extract attached); the
    communauté's council has yet to deliberate, which the signature will wait for."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        cadre = db_session().scalar(
            select(Convention).where(Convention.kind == "contractualisation_cadre")
        )
        cadre_id, organisme_id = cadre.id, cadre.organisme_id
    client = app.test_client()
    assert login(client, "habitat@epci.demo", "demo").status_code == 302
    page = client.get(f"/conventions/{cadre_id}/deliberations").get_data(as_text=True)
    assert f'id="statut-{organisme_id}">Délibéré sur le texte actuel<' in page
    assert ">À délibérer<" in page
    assert "extrait-deliberation-ca.pdf" in page


def test_the_demo_ties_propose_the_agglomeration_and_the_departement(app):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        cus = db_session().scalar(select(Convention).where(Convention.kind == "cus"))
        cus_id = cus.id
    client = app.test_client()
    login(client, "redaction@oph.demo", "demo")
    page = client.get(f"/conventions/{cus_id}/members").get_data(as_text=True)
    block = page[page.index("Proposé d'après les liens des parties") :]
    assert "Communauté d&#39;agglomération du Val de Loire (démo)" in block
    assert "signataire de droit (collectivité de rattachement)" in block
    assert "Département du Val de Loire (démo)" in block and "associée de droit" in block
    assert "Toutes les collectivités que les liens désignent" in block
    assert "Montargis" in page
