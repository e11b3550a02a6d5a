"""A contract between the office and its collectivité on its own path, through the pages
(CSRF on) and the API: négociation, délibérations, signature, yearly follow-up and
renewal, never "Transmise au préfet"; a CUS still waits for its transmission to sign."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.contributions.operations import mark_treated
from app.db import db_session, write_transaction
from app.lifecycle.operations import carry_point
from app.lifecycle.queries import local_today, open_contributions, open_points
from app.models import Convention, Membership, Section
from app.sections import queries
from tests.conftest import api_headers, edit_section, logged_in, post_form
from tests.factories import write
from tests.integration.api_answers import call
from workflows.conventions import ConventionKind
from workflows.lifecycle import ConventionState

DRAFTER, SIGNER = "redac@oph.test", "sign@epci.test"


def _as_contract(app, world) -> None:
    """The world's convention becomes a document cadre, at its first stage."""
    with write_transaction() as session:
        convention = session.get(Convention, world.convention_id)
        convention.kind = ConventionKind.CADRE
        convention.state = ConventionState.BROUILLON


def _ready_for_deliberations(app, world) -> None:
    with app.app_context():
        drafter = world.user("redacteur")
        for section in queries.sections_with_current(world.convention_id):
            if section.mandatory and section.current_revision is None:
                write(section.id, drafter, f"Texte de « {section.title} ».")
        convention = db_session().get(Convention, world.convention_id)
        for contribution in open_contributions(db_session(), convention):
            mark_treated(contribution.ref, drafter, "Examinée en réunion.")
        for point in open_points(db_session(), convention):
            kind = "discussion" if point.kind == "discussion" else "position"
            carry_point(world.convention_id, drafter, kind, point.ref, "Reste ouvert.")


def _convention(app, world) -> Convention:
    with app.app_context():
        convention = db_session().get(Convention, world.convention_id)
        db_session().expunge(convention)
        return convention


def _page(client, world) -> str:
    return client.get(f"/conventions/{world.convention_id}").get_data(as_text=True)


def test_a_contract_walks_its_own_path_without_the_prefet(app, world):
    with app.app_context():
        _as_contract(app, world)
    drafter = logged_in(app, DRAFTER)
    url = f"/conventions/{world.convention_id}/transition"
    api = app.test_client()
    transition_api = f"/api/conventions/{world.convention_id}/transition"

    page = _page(drafter, world)
    assert "Transmise au préfet" not in page
    # The State's procedure and the tenants' concertation are a CUS's, not a contract's;
    # its parties' deliberations are.
    assert "Note d'enjeux du préfet" not in page and "concertation-hint" not in page
    assert 'id="deliberations-link"' in page
    assert "Passer à « Négociation »" in page
    assert "Brouillon → Négociation → Délibérations → Signée → Suivi annuel" in page
    # Its deadlines are the contract's: no association, no transmission.
    assert 'name="signature"' in page and 'name="transmission"' not in page

    assert post_form(drafter, url, {"to": "negociation"}).status_code == 303
    assert _convention(app, world).state is ConventionState.NEGOCIATION
    # The API refuses the préfet's step, and says why, and nothing changes.
    refused = call(
        api, "POST", transition_api, api_headers(app, DRAFTER), 409, json={"to": "transmise"}
    )
    assert any(
        "« Transmise au préfet » n'existe pas pour cette convention" in r
        for r in refused["reasons"]
    )
    assert _convention(app, world).state is ConventionState.NEGOCIATION
    # Nor is a deadline of the préfet's step taken.
    bad = call(
        api,
        "POST",
        f"/api/conventions/{world.convention_id}/deadlines",
        api_headers(app, DRAFTER),
        400,
        json={"transmission": "2030-01-01"},
    )
    assert "Échéance inconnue pour cette convention" in bad["error"]

    _ready_for_deliberations(app, world)
    page = _page(drafter, world)
    assert "Avant les délibérations" in page and "Transmise au préfet" not in page
    assert post_form(drafter, url, {"to": "deliberations"}).status_code == 303
    contract = _convention(app, world)
    assert contract.state is ConventionState.DELIBERATIONS
    assert contract.deliberations_at is not None and contract.transmitted_at is None
    # The text is frozen while the assemblies deliberate.
    assert edit_section(drafter, world.section_id, 2, "Changement tardif.").status_code == 409

    with app.app_context():
        today = local_today()
    signer = logged_in(app, SIGNER)
    sign_url = f"/conventions/{world.convention_id}/sign"
    # Not before the entry into délibérations: the error beside the date, nothing recorded.
    early = post_form(signer, sign_url, {"signed_on": (today - timedelta(days=1)).isoformat()})
    assert early.status_code == 400
    assert "entrée de la convention en délibérations" in early.get_data(as_text=True)
    assert post_form(signer, sign_url, {"signed_on": today.isoformat()}).status_code == 303
    assert post_form(drafter, sign_url, {"signed_on": today.isoformat()}).status_code == 303
    # Signed by all, but each party's assembly has still to approve the text.
    assert post_form(drafter, url, {"to": "signee"}).status_code == 303
    assert _convention(app, world).state is ConventionState.DELIBERATIONS
    assert "la délibération de son assemblée" in _page(drafter, world)
    page = f"/conventions/{world.convention_id}/deliberations"
    with app.app_context():
        parties = {
            m.organisation.kind: m.organisation_id
            for m in db_session().scalars(
                select(Membership).where(Membership.convention_id == world.convention_id)
            )
            if m.organisation is not None
        }
    for client, kind, instance in (
        (drafter, "oph", "conseil_administration"),
        (signer, "epci", "conseil_communautaire"),  # the EPCI records its own
    ):
        fields = {
            "party": parties[kind],
            "instance": instance,
            "decided_on": today.isoformat(),
            "decision": "approuve",
        }
        assert post_form(client, page, fields, page).status_code == 303
    assert post_form(drafter, url, {"to": "signee"}).status_code == 303
    contract = _convention(app, world)
    assert contract.state is ConventionState.SIGNEE and contract.signed_sha256

    assert post_form(drafter, url, {"to": "suivi_annuel"}).status_code == 303
    contract = _convention(app, world)
    assert contract.state is ConventionState.SUIVI_ANNUEL
    assert contract.followup_year == today.year
    page = _page(drafter, world)
    assert "Transmise au préfet" not in page
    # A signed text takes no new section: the forms that would be refused are not offered.
    assert 'id="ajout-section"' not in page and "Soumettre « " not in page
    # The next year's follow-up waits for next year.
    assert f"ne peut être ouvert avant le 1er janvier {today.year + 1}" in page


def test_a_contract_is_renewed_into_a_new_one_of_the_same_kind(app, world):
    with app.app_context():
        _as_contract(app, world)
        with write_transaction() as session:
            convention = session.get(Convention, world.convention_id)
            convention.state = ConventionState.SUIVI_ANNUEL
            convention.followup_year = local_today().year
        old_titles = [
            s.title
            for s in db_session().scalars(
                select(Section)
                .where(Section.convention_id == world.convention_id)
                .order_by(Section.position)
            )
        ]
        old_parties = {
            (m.organisation_id, m.user_id, m.role)
            for m in db_session().scalars(
                select(Membership).where(Membership.convention_id == world.convention_id)
            )
        }
    drafter = logged_in(app, DRAFTER)
    url = f"/conventions/{world.convention_id}/transition"
    assert post_form(drafter, url, {"to": "renouvelee"}).status_code == 303
    with app.app_context():
        session = db_session()
        old = session.get(Convention, world.convention_id)
        assert old.state is ConventionState.RENOUVELEE
        new = session.scalar(select(Convention).where(Convention.renews_id == old.id))
        assert new is not None
        assert new.kind is ConventionKind.CADRE and new.state is ConventionState.BROUILLON
        assert new.start_year == old.end_year + 1 or new.start_year == local_today().year
        assert new.end_year - new.start_year == old.end_year - old.start_year
        sections = list(
            session.scalars(
                select(Section).where(Section.convention_id == new.id).order_by(Section.position)
            )
        )
        assert [s.title for s in sections] == old_titles
        written = {s.title: s.current_revision.body for s in sections if s.current_revision}
        assert written  # the current text is the renewal's first draft
        assert {
            (m.organisation_id, m.user_id, m.role)
            for m in session.scalars(select(Membership).where(Membership.convention_id == new.id))
        } == old_parties


def test_a_cus_still_signs_only_once_transmitted(app, world):
    # The world's convention is a CUS in négociation: no signing, and the préfet's step
    # is offered (not the contract's délibérations).
    drafter = logged_in(app, DRAFTER)
    page = _page(drafter, world)
    assert "« Transmise au préfet »" in page and "Délibérations" not in page
    assert "Note d'enjeux du préfet" in page and 'id="concertation-hint"' in page
    refused = call(
        app.test_client(),
        "POST",
        f"/api/conventions/{world.convention_id}/signatures",
        api_headers(app, SIGNER),
        409,
        json={"signed_on": "2026-01-15"},
    )
    assert "une fois la convention transmise au préfet" in refused["error"]
    refused = call(
        app.test_client(),
        "POST",
        f"/api/conventions/{world.convention_id}/transition",
        api_headers(app, DRAFTER),
        409,
        json={"to": "deliberations"},
    )
    assert any(
        "« Délibérations » n'existe pas pour cette convention" in r for r in refused["reasons"]
    )
