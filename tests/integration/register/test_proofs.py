"""The association made provable in its register: the organisme's opening decision with
its terms and notices, proof files on the register's entries (taken by their content,
bounded, stored in the database, journaled, downloaded by members only), and the
findings of what the register does not prove yet, on the page and through the API."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, timedelta

from sqlalchemy import func, select

from app.activity.queries import events
from app.db import db_session
from app.models import AssociationDecision, DecisionNotice, Organisation, RegisterProof
from app.register.operations import add_document, add_meeting, record_decision
from app.register.queries import findings
from tests.conftest import api_client, csrf_token, logged_in, post_form
from tests.integration.api_answers import call
from workflows.proofs import PROOF_MAX_BYTES
from workflows.register import ADOPTION_MISSING

DRAFTER = "redac@oph.test"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _org(app, name: str) -> int:
    with app.app_context():
        return db_session().scalar(select(Organisation.id).where(Organisation.name == name))


def _count(app, model) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def _upload(client, url: str, name: str, data: bytes, kind: str = "accuse_reception"):
    token = csrf_token(client, "/account/password")
    return client.post(
        url,
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _decision_form(app, **fields) -> dict[str, str]:
    values = {
        "instance": "conseil_administration",
        "decided_on": "2026-01-15",
        "min_meetings": "1",
        "notice_days": "",
        "notified_prefet": "2026-01-20",
        f"notified_{_org(app, 'EPCI Test')}": "2026-01-20",
        f"notified_{_org(app, 'Département Test')}": "21/01/2026",
    }
    values.update(fields)
    return values


def test_the_drafter_records_the_decision_shown_first_on_the_register(app, world):
    client = logged_in(app, DRAFTER)
    url = f"/conventions/{world.convention_id}/association"
    page = client.get(url).get_data(as_text=True)
    assert "n&#39;est pas enregistrée" in page or "n'est pas enregistrée" in page
    response = post_form(client, f"{url}/decision", _decision_form(app, notice_days="45"))
    assert response.status_code == 303 and response.headers["Location"].endswith("#decision")
    page = client.get(url).get_data(as_text=True)
    # At the top of the register, before the parties and the meetings.
    assert page.index("Conseil d&#39;administration") < page.index("<h2>Parties</h2>")
    assert "décision du 15/01/2026" in page and "45 jours" in page
    assert "le 21/01/2026" in page
    with app.app_context():
        decision = db_session().scalar(select(AssociationDecision))
        assert decision.notice_days == 45 and decision.min_meetings == 1
        assert len(decision.notices) == 3
        journal = events(world.convention_id, "decision_association")
        assert journal and "Conseil d'administration du 15/01/2026" in journal[0].summary
    # Partners read it; they do not record it.
    refused = post_form(logged_in(app, "sign@epci.test"), f"{url}/decision", _decision_form(app))
    assert refused.status_code == 403


def test_bad_decisions_are_refused_next_to_their_field_and_write_nothing(app, world):
    client = logged_in(app, DRAFTER)
    url = f"/conventions/{world.convention_id}/association/decision"
    future = (date.today() + timedelta(days=40)).isoformat()
    cases = (
        ({"decided_on": future}, "decision-date-error", "dans le futur"),
        ({"instance": ""}, "decision-instance-error", "conseil d&#39;administration"),
        ({"min_meetings": "0"}, "decision-meetings-error", "minimum"),
        ({"notified_prefet": "2026-01-02"}, "decision-notified_prefet-error", "avant d&#39;avoir"),
        ({"decided_on": "31/02/2026"}, "decision-date-error", "n&#39;existe pas"),
    )
    for fields, error_id, words in cases:
        response = post_form(client, url, _decision_form(app, **fields))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, fields
        match = re.search(rf'<p class="flash error field-error" id="{error_id}"[^>]*>([^<]*)', page)
        assert match and words in match.group(1), (fields, page[:200])
        assert 'aria-invalid="true"' in page
        # What was typed is kept in the form.
        assert 'value="2026-01-20"' in page
    assert _count(app, AssociationDecision) == 0 and _count(app, DecisionNotice) == 0
    with app.app_context():
        assert events(world.convention_id, "decision_association") == []


def test_proofs_are_attached_journaled_and_downloaded_by_members_only(app, world):
    client = logged_in(app, DRAFTER)
    base = f"/conventions/{world.convention_id}/association"
    response = _upload(
        client, f"{base}/meeting/{world.meeting_id}/preuves", "pv.pdf", PDF, "proces_verbal"
    )
    assert response.status_code == 303
    with app.app_context():
        proof = db_session().scalar(select(RegisterProof))
        assert proof.content_type == "application/pdf" and proof.size == len(PDF)
        assert proof.sha256 == hashlib.sha256(PDF).hexdigest()
        proof_id = proof.id
        journal = events(world.convention_id, "piece_justificative")
        assert journal and "Procès-verbal « pv.pdf »" in journal[0].summary
    page = client.get(base).get_data(as_text=True)
    link = f"{base}/preuves/{proof_id}"
    assert link in page and "pv.pdf" in page
    printable = client.get(f"{base}?impression=1").get_data(as_text=True)
    assert "Procès-verbal — pv.pdf" in printable
    for email in ("obs@obs.test", "asso@dep.test"):
        got = logged_in(app, email).get(link)
        assert got.status_code == 200 and got.data == PDF
        assert got.mimetype == "application/pdf"
        assert got.headers["Content-Disposition"].startswith("attachment")
    assert logged_in(app, "autre@esh.test").get(link).status_code == 403
    # Another convention's address for the proof finds nothing.
    outsider = logged_in(app, "autre@esh.test")
    assert (
        outsider.get(
            f"/conventions/{world.other_convention_id}/association/preuves/{proof_id}"
        ).status_code
        == 404
    )
    # Only the drafters attach proofs.
    refused = _upload(
        logged_in(app, "sign@epci.test"), f"{base}/meeting/{world.meeting_id}/preuves", "x.pdf", PDF
    )
    assert refused.status_code == 403
    # The Word export's annex lists it.
    data = client.get(f"/conventions/{world.convention_id}/export.docx").data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Pièces justificatives" in xml and "pv.pdf" in xml


def test_a_disallowed_or_oversize_file_is_refused_and_nothing_is_written(app, world):
    client = logged_in(app, DRAFTER)
    base = f"/conventions/{world.convention_id}/association"
    url = f"{base}/meeting/{world.meeting_id}/preuves"
    for name, data, words in (
        ("programme.exe", b"MZ\x90\x00binary", "n&#39;est pas pris en charge"),
        ("faux.pdf", b"MZ\x90\x00binary", "n&#39;est pas celui d&#39;un PDF"),
        ("page.png", b"<svg onload=alert(1)>", "n&#39;est pas celui d&#39;un image PNG"),
        ("gros.pdf", b"%PDF-" + b"0" * PROOF_MAX_BYTES, "trop volumineux"),
    ):
        response = _upload(client, url, name, data)
        assert response.status_code == 303, name
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        # The refusal shows inside the form it refused.
        match = re.search(
            r'class="flash error field-error" id="proof-error-meeting-\d+"[^>]*>([^<]*)', page
        )
        assert match and words in match.group(1), (name, match and match.group(1))
    # A proof on an entry of another convention, or on an unknown one, is no proof.
    assert (
        _upload(
            client, f"{base}/meeting/{world.other_meeting_id}/preuves", "a.pdf", PDF
        ).status_code
        == 404
    )
    assert _upload(client, f"{base}/decision/999/preuves", "a.pdf", PDF).status_code == 404
    assert _count(app, RegisterProof) == 0
    with app.app_context():
        assert events(world.convention_id, "piece_justificative") == []


def test_the_findings_change_as_the_register_fills(app, world):
    epci, dep = _org(app, "EPCI Test"), _org(app, "Département Test")
    with app.app_context():
        drafter = world.user("redacteur")
        first = findings(world.convention_id)
        assert any("décision" in f and "n'est pas enregistrée" in f for f in first)
        # The world's meeting invited nobody: the associated Département was at none.
        assert any(f.startswith("Département Test n'a été invité à aucune") for f in first)
        record_decision(
            world.convention_id,
            drafter,
            "directoire",
            date(2026, 1, 15),
            2,
            None,
            {"prefet": date(2026, 1, 20), str(epci): date(2026, 1, 20)},
        )
        second = findings(world.convention_id)
        assert not any("n'est pas enregistrée" in f and "engageant" in f for f in second)
        assert any("Département Test" in f and "transmission" in f for f in second)
        meeting = add_meeting(
            world.convention_id, drafter, "Réunion de travail", date(2026, 4, 2), "", [dep, epci]
        )
        add_document(world.convention_id, meeting.id, drafter, "Diagnostic", date(2026, 3, 20))
        third = findings(world.convention_id)
        # One meeting of the two the decision set; its document went out late.
        assert any("n'a été invité qu'à 1 réunion(s)" in f and "il en faut 2" in f for f in third)
        assert any("« Diagnostic »" in f and "moins d'un mois" in f for f in third)
        second_meeting = add_meeting(
            world.convention_id, drafter, "Réunion 2", date(2026, 5, 4), "", [dep]
        )
        add_document(world.convention_id, second_meeting.id, drafter, "Projet", date(2026, 3, 30))
        record_decision(
            world.convention_id,
            drafter,
            "directoire",
            date(2026, 1, 15),
            2,
            None,
            {
                "prefet": date(2026, 1, 20),
                str(epci): date(2026, 1, 20),
                str(dep): date(2026, 1, 22),
            },
        )
        assert findings(world.convention_id) == [
            "« Diagnostic » (réunion « Réunion de travail ») : Envoyé le 20/03/2026, moins d'un "
            "mois avant la réunion du 02/04/2026 (au plus tard le 02/03/2026).",
            # The concertation with the tenants' representatives is a finding of its own
            # (tests/integration/register/test_concertation.py).
            "La concertation avec les représentants des locataires sur le classement des "
            "immeubles n'est pas inscrite (ni la formalité impossible constatée).",
            # The association ends with the projet's adoption (test_adoption.py).
            ADOPTION_MISSING,
        ]
    page = logged_in(app, DRAFTER).get(f"/conventions/{world.convention_id}/association")
    assert "Ce que le registre ne prouve pas encore" in page.get_data(as_text=True)
    assert "« Diagnostic » (réunion « Réunion de travail »)" in page.get_data(as_text=True)


def test_the_api_records_the_decision_attaches_proofs_and_gives_the_findings(app, world):
    client, drafter = api_client(app, DRAFTER)
    base = f"/api/conventions/{world.convention_id}"
    epci, dep = _org(app, "EPCI Test"), _org(app, "Département Test")
    register = call(client, "GET", f"{base}/register", drafter, 200)
    assert register["decision"] is None and register["proofs"] == []
    assert any("n'est pas enregistrée" in f for f in register["findings"])
    decision = call(
        client,
        "POST",
        f"{base}/association-decision",
        drafter,
        201,
        json={
            "instance": "conseil_administration",
            "decided_on": "2026-01-15",
            "min_meetings": 1,
            "notified": {"prefet": "2026-01-20", str(epci): "2026-01-20", str(dep): "2026-01-21"},
        },
    )
    assert decision["notice_days"] is None and len(decision["notified"]) == 3
    assert (
        call(
            client,
            "POST",
            f"{base}/association-decision",
            drafter,
            200,
            json={"instance": "directoire", "decided_on": "2026-01-15"},
        )["notified"]
        == []
    )
    for body in (
        {"instance": "conseil_administration", "decided_on": "2099-01-01"},
        {"decided_on": "2026-01-15"},
        {"instance": "directoire", "decided_on": "2026-01-15", "notified": {"9999": "2026-01-20"}},
        {"instance": "directoire", "decided_on": "2026-01-15", "notified": ["prefet"]},
    ):
        call(client, "POST", f"{base}/association-decision", drafter, 400, json=body)
    decision_id = decision["id"]
    proof = call(
        client,
        "POST",
        f"{base}/proofs",
        drafter,
        201,
        data={
            "entry": "decision",
            "entry_id": str(decision_id),
            "kind": "accuse_reception",
            "file": (io.BytesIO(PDF), "ar-prefet.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert proof["entry"] == "decision" and proof["content_type"] == "application/pdf"
    call(
        client,
        "POST",
        f"{base}/proofs",
        drafter,
        400,
        data={
            "entry": "decision",
            "entry_id": str(decision_id),
            "kind": "accuse_reception",
            "file": (io.BytesIO(b"MZ"), "ar.exe"),
        },
        content_type="multipart/form-data",
    )
    got = client.get(proof["download_url"], headers=drafter)
    assert got.status_code == 200 and got.data == PDF
    _other, observer = api_client(app, "obs@obs.test")
    assert client.get(proof["download_url"], headers=observer).status_code == 200
    _outsider, outsider = api_client(app, "autre@esh.test")
    assert client.get(proof["download_url"], headers=outsider).status_code == 403
    register = call(client, "GET", f"{base}/register", drafter, 200)
    assert register["decision"]["instance"] == "directoire"
    assert [p["filename"] for p in register["proofs"]] == ["ar-prefet.pdf"]
    assert any("au préfet" in f for f in register["findings"])
