"""The parties' deliberations on a contract: the page lists each party that deliberates
with its status; the drafters record any party's, a signatory its own (CSRF on, a
refusal beside its field with what was typed kept, nothing written); the API does the
same; the signature of a contract waits for a deliberation of each party on the text as
it stands, and a CUS does not; the Word export's signature blocks mention them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from app.db import db_session
from app.deliberations.operations import record_deliberation
from app.lifecycle.operations import sign
from app.lifecycle.queries import facts, local_today
from app.models import Convention, Deliberation, Event, RegisterProof, User
from app.register.queries import current_text
from app.sections import queries as sections
from tests.conftest import api_client, csrf_token, logged_in, post_form
from tests.factories import make_convention, make_user, set_state, write
from tests.integration.api_answers import call
from workflows.conventions import ConventionKind, OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role

DRAFTER, SIGNER, ASSOCIATE, STATE = (
    "redac@oph.test",
    "sign@epci.test",
    "asso@dep.test",
    "ddt@etat.test",
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _contract(app, world) -> dict[str, int]:
    """A document cadre of the OPH with the EPCI and the DDT as signatories and the
    département associated, every section written: ids of the convention and parties."""
    with app.app_context():
        drafter = world.user("redacteur")
        ddt = make_user(STATE, "DDT Test", OrganisationKind.DDT)
        cadre = make_convention(
            drafter,
            ConventionKind.CADRE,
            "Contrat test",
            state=ConventionState.NEGOCIATION,
            members={
                Role.SIGNATAIRE: [world.user("signataire"), ddt],
                Role.ASSOCIE: [world.user("associe")],
            },
        )
        for section in sections.sections_with_current(cadre.id):
            write(section.id, drafter, f"Texte de « {section.title} ».")
        return {
            "id": cadre.id,
            "oph": drafter.organisation_id,
            "epci": world.user("signataire").organisation_id,
            "dep": world.user("associe").organisation_id,
            "ddt": ddt.organisation_id,
        }


def _page(c) -> str:
    return f"/conventions/{c['id']}/deliberations"


def _post(client, c, fields: dict, file: tuple[str, bytes] | None = None):
    data = {"csrf_token": csrf_token(client, _page(c)), **fields}
    if file is not None:
        data["file"] = (io.BytesIO(file[1]), file[0])
    return client.post(_page(c), data=data, content_type="multipart/form-data")


def _count(app, model=Deliberation) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def _today(app):
    with app.app_context():
        return local_today()


def _status(page: str, organisation_id: int) -> str:
    found = re.search(rf'id="statut-{organisation_id}">([^<]+)<', page)
    assert found, f"no status for {organisation_id}"
    return found.group(1)


def test_the_drafter_records_a_partys_deliberation_with_its_extract(app, world):
    c = _contract(app, world)
    client = logged_in(app, DRAFTER)
    show = client.get(f"/conventions/{c['id']}").get_data(as_text=True)
    assert f'href="{_page(c)}"' in show
    page = client.get(_page(c)).get_data(as_text=True)
    # The organisme and the EPCI deliberate; not the State, not the associated département.
    assert _status(page, c["oph"]) == "À délibérer" and _status(page, c["epci"]) == "À délibérer"
    assert f'id="statut-{c["ddt"]}"' not in page and f'id="statut-{c["dep"]}"' not in page
    assert "La signature de cette convention attend" in page
    # The instances offered are the EPCI's in the EPCI's form.
    epci_form = page[page.index(f'id="partie-{c["epci"]}"') :]
    epci_form = epci_form[: epci_form.index("</article>")]
    assert (
        'value="conseil_communautaire"' in epci_form and 'value="bureau_communautaire"' in epci_form
    )
    assert 'value="conseil_administration"' not in epci_form
    day = _today(app) - timedelta(days=2)
    response = _post(
        client,
        c,
        {
            "party": str(c["epci"]),
            "instance": "conseil_communautaire",
            "decided_on": day.isoformat(),
            "decision": "approuve",
            "note": "",
        },
        ("extrait.pdf", PDF),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        session = db_session()
        row = session.scalars(select(Deliberation)).one()
        assert (row.organisation_id, row.instance, row.decided_on, row.decision) == (
            c["epci"],
            "conseil_communautaire",
            day,
            "approuve",
        )
        assert row.sha256 == current_text(session, c["id"])[0]
        assert row.recorded_by_id == world.users["redacteur"]
        proof = session.scalars(select(RegisterProof)).one()
        assert (proof.entry_kind, proof.entry_id, proof.kind) == (
            "deliberation",
            row.id,
            "deliberation",
        )
        event = session.scalars(select(Event).where(Event.action == "deliberation")).one()
        assert "EPCI Test : conseil communautaire du" in event.summary
    page = client.get(_page(c)).get_data(as_text=True)
    assert _status(page, c["epci"]) == "Délibéré sur le texte actuel"
    assert _status(page, c["oph"]) == "À délibérer"
    assert "extrait.pdf" in page


def test_a_refused_deliberation_comes_back_beside_its_field_with_what_was_typed(app, world):
    c = _contract(app, world)
    client = logged_in(app, DRAFTER)
    future = (_today(app) + timedelta(days=3)).isoformat()
    response = _post(
        client,
        c,
        {
            "party": str(c["epci"]),
            "instance": "bureau_communautaire",
            "decided_on": future,
            "decision": "approuve_reserves",
            "note": "Sous réserve du calendrier foncier.",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    prefix = f"d{c['epci']}"
    error = re.search(rf'id="{prefix}-date-error" role="alert">([^<]+)<', page)
    assert error and "est dans le futur" in error.group(1)
    assert page.count("est dans le futur") == 1  # beside its field, not again on top
    assert f'value="{future}" aria-invalid="true"' in page
    assert "Sous réserve du calendrier foncier.</textarea>" in page
    assert 'value="bureau_communautaire" checked' in page
    assert 'value="approuve_reserves" checked' in page
    # The other party's form keeps nothing of it.
    oph_form = page[page.index(f'id="partie-{c["oph"]}"') :]
    assert "Sous réserve du calendrier" not in oph_form[: oph_form.index("</article>")]
    # An instance of another kind of organisation is refused on the instance.
    response = _post(
        client,
        c,
        {
            "party": str(c["epci"]),
            "instance": "conseil_administration",
            "decided_on": _today(app).isoformat(),
            "decision": "approuve",
        },
    )
    assert response.status_code == 400
    assert f'id="{prefix}-instance-error"' in response.get_data(as_text=True)
    # The State does not deliberate.
    response = _post(
        client,
        c,
        {"party": str(c["ddt"]), "instance": "conseil_municipal", "decision": "approuve"},
    )
    assert response.status_code == 400
    assert "ne délibère pas" in response.get_data(as_text=True)
    # A file that is not what its name says: refused beside the file input.
    response = _post(
        client,
        c,
        {
            "party": str(c["oph"]),
            "instance": "conseil_administration",
            "decided_on": _today(app).isoformat(),
            "decision": "approuve",
        },
        ("extrait.pdf", b"MZ not a pdf"),
    )
    assert response.status_code == 400
    assert f'id="d{c["oph"]}-file-error"' in response.get_data(as_text=True)
    assert _count(app) == 0 and _count(app, RegisterProof) == 0


def test_a_party_records_its_own_deliberation_and_no_other(app, world):
    c = _contract(app, world)
    signer = logged_in(app, SIGNER)
    page = signer.get(_page(c)).get_data(as_text=True)
    # Its own form only.
    assert f'name="party" value="{c["epci"]}"' in page
    assert f'name="party" value="{c["oph"]}"' not in page
    fields = {
        "instance": "conseil_administration",
        "decided_on": _today(app).isoformat(),
        "decision": "approuve",
    }
    response = _post(signer, c, {**fields, "party": str(c["oph"])})
    assert response.status_code == 403
    assert _count(app) == 0
    response = _post(
        signer, c, {**fields, "party": str(c["epci"]), "instance": "conseil_communautaire"}
    )
    assert response.status_code == 303
    # An associated collectivité does not sign the contract, nor record deliberations;
    # the State signs without deliberating: both read.
    associate = logged_in(app, ASSOCIATE)
    assert 'name="party"' not in associate.get(_page(c)).get_data(as_text=True)
    response = _post(associate, c, {**fields, "party": str(c["dep"])})
    assert response.status_code == 403
    state = logged_in(app, STATE)
    assert 'name="party"' not in state.get(_page(c)).get_data(as_text=True)
    assert _count(app) == 1


def test_the_api_reads_and_records_deliberations(app, world):
    c = _contract(app, world)
    client, headers = api_client(app, SIGNER)
    url = f"/api/conventions/{c['id']}/deliberations"
    listed = call(client, "GET", url, headers, 200)
    assert listed["required"] is True
    assert [(p["organisation_id"], p["status"]) for p in listed["parties"]] == [
        (c["oph"], "a_deliberer"),
        (c["epci"], "a_deliberer"),
    ]
    assert len(listed["findings"]) == 2
    body = {
        "organisation_id": c["epci"],
        "instance": "conseil_communautaire",
        "decided_on": _today(app).isoformat(),
        "decision": "approuve_reserves",
        "note": "Sous réserve du foncier.",
    }
    recorded = call(client, "POST", url, headers, 201, json=body)
    assert recorded["party"] == "EPCI Test" and recorded["current"] is True
    assert recorded["sha256"] == listed["current_sha256"]
    assert recorded["decision_label"] == "Approuve avec réserves"
    refused = call(client, "POST", url, headers, 403, json={**body, "organisation_id": c["oph"]})
    assert "conseil_administration" not in refused["error"]
    bad = call(client, "POST", url, headers, 400, json={**body, "decision": "peut-etre"})
    assert "Décision inconnue" in bad["error"]
    listed = call(client, "GET", url, headers, 200)
    assert [p["status"] for p in listed["parties"]] == ["a_deliberer", "a_jour"]
    assert len(listed["deliberations"]) == 1
    assert _count(app) == 1


def _submit_and_sign(app, c, world) -> None:
    with app.app_context():
        set_state(c["id"], ConventionState.DELIBERATIONS)
        today = local_today()
        ddt = db_session().scalar(select(User).where(User.email == STATE))
        for who in (world.user("signataire"), ddt, world.user("redacteur")):
            sign(c["id"], who, None, today)


def _deliberate(app, world, c, org_key: str, decision: str = "approuve") -> None:
    with app.app_context():
        record_deliberation(
            c["id"],
            world.user("redacteur"),
            Role.REDACTEUR,
            c[org_key],
            "conseil_administration" if org_key == "oph" else "conseil_communautaire",
            local_today(),
            decision,
        )


def test_a_contract_is_signed_once_its_parties_deliberated_on_the_current_text(app, world):
    c = _contract(app, world)
    # The organisme's board approves the text, which then changes; the EPCI rejects it.
    _deliberate(app, world, c, "oph")
    _deliberate(app, world, c, "epci", "rejette")
    with app.app_context():
        first = sections.sections_with_current(c["id"])[0]
        write(first.id, world.user("redacteur"), "Texte amendé après la délibération.")
    _submit_and_sign(app, c, world)
    client = logged_in(app, DRAFTER)
    show = client.get(f"/conventions/{c['id']}").get_data(as_text=True)
    assert "Avant la signature" in show
    assert f'href="{_page(c)}">Délibérations : OPH Test : le texte a changé depuis' in show
    assert "Délibérations : EPCI Test : la délibération du" in show
    response = post_form(client, f"/conventions/{c['id']}/transition", {"to": "signee"})
    assert response.status_code == 303
    with app.app_context():
        assert db_session().get(Convention, c["id"]).state is ConventionState.DELIBERATIONS
    page = client.get(_page(c)).get_data(as_text=True)
    assert _status(page, c["oph"]) == "Texte modifié depuis la délibération"
    assert _status(page, c["epci"]).startswith("Texte rejeté")
    # Both deliberate anew on the text submitted: the contract is signed.
    _deliberate(app, world, c, "oph")
    _deliberate(app, world, c, "epci")
    response = post_form(client, f"/conventions/{c['id']}/transition", {"to": "signee"})
    assert response.status_code == 303
    with app.app_context():
        assert db_session().get(Convention, c["id"]).state is ConventionState.SIGNEE
    # Once signed, no deliberation is recorded on its text any more.
    response = _post(
        client,
        c,
        {
            "party": str(c["oph"]),
            "instance": "conseil_administration",
            "decided_on": _today(app).isoformat(),
            "decision": "approuve",
        },
    )
    assert response.status_code == 409
    # The Word export's signature blocks name each party's deliberation.
    docx = client.get(f"/conventions/{c['id']}/export.docx")
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        xml = archive.read("word/document.xml").decode()
    day = _today(app).strftime("%d/%m/%Y")
    assert f"Vu la délibération du {day} (conseil d&apos;administration)." in xml or (
        f"Vu la délibération du {day} (conseil d'administration)." in xml
    )
    assert f"Vu la délibération du {day} (conseil communautaire)." in xml


def test_a_cus_is_signed_without_deliberations(app, world):
    with app.app_context():
        cus = db_session().get(Convention, world.convention_id)
        assert facts(db_session(), cus, local_today()).deliberation_findings == ()
    client = logged_in(app, DRAFTER)
    page = client.get(f"/conventions/{world.convention_id}/deliberations").get_data(as_text=True)
    assert "la signature ne les attend pas" in page
    assert "au registre de l'association" in page
