"""The tenants' representatives take part in the concertation: they read the whole
convention, propose and comment on the sections under concertation only (by default the
classement des immeubles; the drafters widen or narrow it), and are never drafters nor
signatories."""

from __future__ import annotations

import html
import json
from datetime import datetime

from sqlalchemy import func, select

from app.conventions.operations import create_convention, set_membership
from app.db import db_session
from app.models import Comment, CommentThread, Contribution, Event, Membership, Section, User
from tests.conftest import api_headers, csrf_token, logged_in, post_form
from tests.factories import make_user, write
from tests.integration.word.helpers import counts, import_docx, partner_document
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.permissions import Role
from workflows.word.export import ConventionDoc, Proposal, SectionDoc, export_docx

TENANT = "locataires@amicale.test"
REFUSAL = (
    "Les représentants des locataires participent aux sections soumises à la concertation : "
    "Classement des immeubles."
)


def _tenants(app, world) -> int:
    """The tenants' association takes part as associée; returns the classement's id."""
    with app.app_context():
        tenant = make_user(
            TENANT, "Amicale des locataires Test", OrganisationKind.ASSOCIATION_LOCATAIRES
        )
        set_membership(world.convention_id, Role.ASSOCIE, organisation_id=tenant.organisation_id)
        return db_session().scalar(
            select(Section.id).where(
                Section.convention_id == world.convention_id,
                Section.title == "Classement des immeubles",
            )
        )


def _count(app, model) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def test_a_new_cus_puts_the_classement_under_concertation_and_nothing_else(app, world):
    with app.app_context():
        drafter = world.user("redacteur")
        cus = create_convention(drafter, ConventionKind.CUS, "CUS neuve", 2025)
        cadre = create_convention(drafter, ConventionKind.CADRE, "Cadre", 2025, 2027)
        flags = {
            s.title: s.concertation
            for s in db_session().scalars(select(Section).where(Section.convention_id == cus.id))
        }
        assert [t for t, on in flags.items() if on] == ["Classement des immeubles"]
        assert len(flags) == 8
        assert not any(
            db_session().scalars(
                select(Section.concertation).where(Section.convention_id == cadre.id)
            )
        )


def test_a_tenant_proposes_and_comments_on_the_classement_only(app, world):
    classement = _tenants(app, world)
    tenant = logged_in(app, TENANT)

    # The convention's list says which sections are theirs.
    listing = html.unescape(
        tenant.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    )
    assert 'id="concertation-locative"' in listing
    assert (
        "sur les sections soumises à la concertation locative : Classement des immeubles" in listing
    )
    assert listing.count('<span class="state concertation">Concertation locative</span>') == 1

    # On the classement: propose a first text, comment.
    page = html.unescape(tenant.get(f"/sections/{classement}").get_data(as_text=True))
    assert "Proposer un premier texte" in page and "Concertation locative" in page
    assert "vous pouvez y proposer des modifications" in page
    proposed = post_form(
        tenant,
        f"/sections/{classement}/contributions/new",
        {"base_revision": "0", "body": "Trois catégories de résidences.", "rationale": ""},
    )
    assert proposed.status_code == 303 and "/contributions/" in proposed.headers["Location"]
    commented = post_form(
        tenant, f"/sections/{classement}/threads", {"body": "Et l'accessibilité ?"}
    )
    assert commented.status_code == 303
    with app.app_context():
        tenant_id = db_session().scalar(select(User.id).where(User.email == TENANT))
        mine = (
            db_session()
            .scalars(select(Contribution.section_id).where(Contribution.author_id == tenant_id))
            .all()
        )
        assert mine == [classement]

    # Elsewhere: read, but no button, no commentable text, and the URLs refused.
    etat = world.section_id
    other = html.unescape(tenant.get(f"/sections/{etat}").get_data(as_text=True))
    assert "Premier texte de la section." in other
    assert "Proposer une modification" not in other
    assert 'data-commentable=""' in other
    assert 'action="/threads/' not in other  # no reply form under the world's discussion
    assert "n'est pas soumise à la concertation locative" in other
    refused = tenant.get(f"/sections/{etat}/contributions/new")
    assert refused.status_code == 403 and REFUSAL in html.unescape(refused.get_data(as_text=True))
    contributions, threads, comments = (
        _count(app, Contribution),
        _count(app, CommentThread),
        _count(app, Comment),
    )
    for url, data in (
        (f"/sections/{etat}/contributions/new", {"base_revision": "1", "body": "Autre."}),
        (f"/sections/{etat}/threads", {"body": "Une remarque."}),
        (f"/threads/{world.thread_id}/reply", {"body": "Une réponse."}),
        (f"/sections/{etat}/contributions/new/draft", {"base_revision": "1", "body": "Autre."}),
        (f"/sections/{etat}/assistant/proposition", {"text": "Texte.", "question": "Q"}),
    ):
        answer = post_form(tenant, url, data)
        assert answer.status_code == 403, url
        assert REFUSAL in html.unescape(answer.get_data(as_text=True)), url
    assert (_count(app, Contribution), _count(app, CommentThread), _count(app, Comment)) == (
        contributions,
        threads,
        comments,
    )
    # The associé département, whose organisation is no tenants' association, still may.
    partner = logged_in(app, "asso@dep.test")
    assert "Proposer une modification" in partner.get(f"/sections/{etat}").get_data(as_text=True)
    assert post_form(partner, f"/sections/{etat}/threads", {"body": "Oui."}).status_code == 303


def test_the_api_applies_the_same_rule(app, world):
    classement = _tenants(app, world)
    client, headers = app.test_client(), api_headers(app, TENANT)
    etat = world.section_id
    refused = client.post(
        f"/api/sections/{etat}/contributions",
        json={"base_revision": 1, "body": "Autre texte."},
        headers=headers,
    )
    assert refused.status_code == 403 and refused.get_json()["error"] == REFUSAL
    for url in (f"/api/sections/{etat}/threads", f"/api/threads/{world.thread_id}/replies"):
        answer = client.post(url, json={"body": "Une remarque."}, headers=headers)
        assert answer.status_code == 403 and answer.get_json()["error"] == REFUSAL
    # Reading stays open.
    assert client.get(f"/api/sections/{etat}", headers=headers).status_code == 200
    listed = client.get(f"/api/conventions/{world.convention_id}/sections", headers=headers)
    assert [s["title"] for s in listed.get_json()["sections"] if s["concertation"]] == [
        "Classement des immeubles"
    ]
    created = client.post(
        f"/api/sections/{classement}/contributions",
        json={"base_revision": 0, "body": "Trois catégories."},
        headers=headers,
    )
    assert created.status_code == 201
    thread = client.post(
        f"/api/sections/{classement}/threads", json={"body": "Une question."}, headers=headers
    )
    assert thread.status_code == 201


def test_drafters_widen_and_narrow_the_concertation(app, world):
    classement = _tenants(app, world)
    etat = world.section_id
    drafter = logged_in(app, "redac@oph.test")
    page = html.unescape(drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True))
    assert 'aria-label="Soumettre « État des lieux » à la concertation locative"' in page
    assert 'aria-label="Retirer « Classement des immeubles » de la concertation locative"' in page

    # Partners may not change the scope, web or API, and nothing changes.
    partner = logged_in(app, "asso@dep.test")
    assert (
        post_form(partner, f"/sections/{etat}/concertation", {"concertation": "1"}).status_code
        == 403
    )
    tenant_api = api_headers(app, TENANT)
    assert (
        app.test_client()
        .post(f"/api/sections/{etat}/concertation", json={"concertation": True}, headers=tenant_api)
        .status_code
        == 403
    )
    # A value that is neither in nor out changes nothing either.
    odd = post_form(drafter, f"/sections/{etat}/concertation", {"concertation": "oui"})
    assert odd.status_code == 303
    with app.app_context():
        assert db_session().get(Section, etat).concertation is False

    # Widened: the tenant now proposes on the état des lieux.
    widened = post_form(drafter, f"/sections/{etat}/concertation", {"concertation": "1"})
    assert widened.status_code == 303 and widened.headers["Location"].endswith(f"#s{etat}")
    with app.app_context():
        assert db_session().get(Section, etat).concertation is True
        summaries = (
            db_session()
            .scalars(select(Event.summary).where(Event.action == "section_concertation"))
            .all()
        )
        assert summaries == ["« État des lieux » soumise à la concertation locative"]
    tenant = logged_in(app, TENANT)
    assert "Proposer une modification" in tenant.get(f"/sections/{etat}").get_data(as_text=True)
    assert post_form(tenant, f"/sections/{etat}/threads", {"body": "Merci."}).status_code == 303

    # Narrowed through the API: the classement is out, and the refusal names what is left.
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    answer = client.post(
        f"/api/sections/{classement}/concertation", json={"concertation": False}, headers=headers
    )
    assert answer.status_code == 200 and answer.get_json()["concertation"] is False
    assert (
        client.post(
            f"/api/sections/{classement}/concertation", json={}, headers=headers
        ).status_code
        == 400
    )
    refused = client.post(
        f"/api/sections/{classement}/threads", json={"body": "Et nous ?"}, headers=tenant_api
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"] == (
        "Les représentants des locataires participent aux sections soumises à la "
        "concertation : État des lieux."
    )


def test_a_tenants_association_is_never_drafter_nor_signatory(app, world):
    _tenants(app, world)
    with app.app_context():
        organisation_id = db_session().scalar(
            select(Membership.organisation_id)
            .join(Membership.organisation)
            .where(Membership.role == Role.ASSOCIE)
            .order_by(Membership.id.desc())
        )
    drafter = logged_in(app, "redac@oph.test")
    members = f"/conventions/{world.convention_id}/members"
    for role, fields in (
        ("redacteur", {"organisation_id": str(organisation_id), "user_email": ""}),
        ("signataire", {"organisation_id": "", "user_email": TENANT}),
    ):
        token = csrf_token(drafter, members)
        answer = drafter.post(f"{members}/add", data={"csrf_token": token, "role": role, **fields})
        assert answer.status_code == 400
        page = html.unescape(answer.get_data(as_text=True))
        # Next to the role's field, with what was chosen kept.
        assert 'id="member-role-error"' in page
        assert 'aria-describedby="member-role-error"' in page
        assert "Une association de locataires ne peut pas être" in page
        assert f'<option selected value="{role}">' in page
    with app.app_context():
        roles = (
            db_session()
            .scalars(
                select(Membership.role).where(
                    Membership.convention_id == world.convention_id,
                    (Membership.organisation_id == organisation_id)
                    | Membership.user_id.is_not(None),
                )
            )
            .all()
        )
        assert sorted(roles) == [Role.ASSOCIE, Role.OBSERVATEUR]  # theirs, the world's observer
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    answer = client.post(
        f"/api/conventions/{world.convention_id}/members",
        json={"organisation_id": organisation_id, "role": "signataire"},
        headers=headers,
    )
    assert answer.status_code == 400
    assert "Une association de locataires ne peut pas être signataire" in answer.get_json()["error"]
    # Observateur is allowed.
    answer = client.post(
        f"/api/conventions/{world.convention_id}/members",
        json={"organisation_id": organisation_id, "role": "observateur"},
        headers=headers,
    )
    assert answer.status_code == 200


def _document(world, section_id: int, title: str, author: str, base: str, proposal: str) -> bytes:
    return export_docx(
        ConventionDoc(
            id=world.convention_id,
            kind="Convention d'utilité sociale",
            title="CUS test",
            organisme="OPH Test",
            period="2025-2030",
            state="Négociation",
            exported_at=datetime(2026, 11, 1),
            sections=(
                SectionDoc(
                    section_id,
                    title,
                    base,
                    1,
                    proposals=(Proposal(0, author, datetime(2026, 11, 2, 14, 0), proposal),),
                ),
            ),
        ),
        tracked=True,
    )


def test_a_word_import_attributes_to_a_tenant_on_the_concertation_only(app, world):
    classement = _tenants(app, world)
    with app.app_context():
        tenant_id = db_session().scalar(select(User.id).where(User.email == TENANT))
        write(classement, world.users["redacteur"], "Classement en trois catégories.", "v1")
    client, drafter = app.test_client(), api_headers(app, "redac@oph.test")
    mapping = json.dumps({"Amicale": tenant_id})
    # On the état des lieux, in the tenant's name: refused, nothing written.
    data = partner_document(
        app, world, "Amicale", "Premier texte, vu par l'amicale.", "Premier texte de la section."
    )
    before = counts(app)
    refused = import_docx(client, drafter, world.convention_id, data, authors=mapping)
    assert refused.status_code == 403 and refused.get_json()["error"] == REFUSAL
    assert counts(app) == before
    # On the classement: their contribution.
    data = _document(
        world,
        classement,
        "Classement des immeubles",
        "Amicale",
        "Classement en trois catégories.",
        "Classement en trois catégories, ascenseurs compris.",
    )
    done = import_docx(client, drafter, world.convention_id, data, authors=mapping)
    assert done.status_code == 201, done.get_json()
    (contribution_id,) = done.get_json()["written"]["contributions"]
    with app.app_context():
        contribution = db_session().get(Contribution, contribution_id)
        assert contribution.author_id == tenant_id and contribution.section_id == classement
