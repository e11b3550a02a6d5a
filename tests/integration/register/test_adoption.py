"""The organisme's adoption of the projet, which ends the association, in the register:
recorded by the drafters on the page (CSRF, the refusal beside its field, what was typed
kept, nothing written) and through the API, with the fingerprint of the text adopted and
its deliberation as a proof; the latest counts, the earlier ones stay; shown on the
register and in the Word export's annex; and the transmission waits for it, then for a
new one once the text changed."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from app.activity.queries import events
from app.db import db_session
from app.lifecycle.queries import local_today
from app.models import Convention, Event, ProjectAdoption, RegisterProof
from app.register.operations import add_meeting
from app.register.queries import current_text, findings
from tests.conftest import api_client, csrf_token, logged_in, post_form
from tests.factories import set_state, write
from tests.integration.api_answers import call
from tests.integration.conventions.helpers import (
    adopt_projet,
    prove_association,
    settle_for_transmission,
)
from tests.integration.lifecycle.test_readiness import _written_and_reviewed
from workflows.lifecycle import ConventionState
from workflows.register import ADOPTION_MISSING

DRAFTER = "redac@oph.test"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(app, model) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(model))


def _register(world) -> str:
    return f"/conventions/{world.convention_id}/association"


def _post(client, world, fields: dict, file: tuple[str, bytes] | None = None):
    data = {"csrf_token": csrf_token(client, "/account/password"), **fields}
    if file is not None:
        data["file"] = (io.BytesIO(file[1]), file[0])
    return client.post(
        f"{_register(world)}/adoption", data=data, content_type="multipart/form-data"
    )


def _today(app):
    with app.app_context():
        return local_today()


def _sha(app, world) -> str:
    with app.app_context():
        return current_text(db_session(), world.convention_id)[0]


def _opened(app, world) -> None:
    """The decision and the rest of the association: the register lacks the adoption."""
    prove_association(app, world, adopt=False)


def test_the_drafter_records_the_adoption_with_its_deliberation(app, world):
    _opened(app, world)
    client = logged_in(app, DRAFTER)
    page = client.get(_register(world)).get_data(as_text=True)
    assert 'id="adoption-missing"' in page
    assert "L&#39;adoption du projet par l&#39;organisme n&#39;est pas enregistrée" in page
    today, digest = _today(app), _sha(app, world)
    response = _post(
        client,
        world,
        {"instance": "directoire", "adopted_on": today.isoformat()},
        ("deliberation-ca.pdf", PDF),
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#adoption")
    page = client.get(_register(world)).get_data(as_text=True)
    ended = re.search(r'<p id="association-ended">(.*?)</p>', page, re.S)
    assert ended and f"{today:%d/%m/%Y}" in ended.group(1) and "directoire" in ended.group(1)
    # The fingerprint of the text adopted, shortened, the whole in its title.
    assert f'<code id="adopted-sha256" title="{digest}">{digest[:12]}…</code>' in page
    assert "le texte actuel est celui adopté" in page
    assert ADOPTION_MISSING.replace("'", "&#39;") not in page
    with app.app_context():
        adoption = db_session().scalar(select(ProjectAdoption))
        assert adoption.instance == "directoire" and adoption.adopted_on == today
        assert adoption.sha256 == digest
        proof = db_session().scalar(select(RegisterProof))
        assert (proof.entry_kind, proof.entry_id, proof.kind) == (
            "adoption",
            adoption.id,
            "deliberation",
        )
        journal = events(world.convention_id, "adoption_projet")
        assert journal and f"le {today:%d/%m/%Y}" in journal[0].summary
        assert digest[:12] in journal[0].summary
    assert "deliberation-ca.pdf" in page
    # The Word export's annex says when the association ended, and the whole fingerprint.
    data = client.get(f"/conventions/{world.convention_id}/export.docx").data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Fin de l&apos;association : adoption du projet" in xml or (
        "Fin de l'association : adoption du projet" in xml
    )
    assert digest in xml and f"a pris fin le {today:%d/%m/%Y}" in xml
    assert "adoption du projet le" in xml  # the deliberation, among the proofs


def test_bad_adoptions_are_refused_beside_their_field_and_write_nothing(app, world):
    _opened(app, world)
    client = logged_in(app, DRAFTER)
    today = _today(app)
    before = (today - timedelta(days=61)).isoformat()  # the decision is of today - 60
    cases = (
        ({"adopted_on": (today + timedelta(days=1)).isoformat()}, None, "date", "dans le futur"),
        ({"adopted_on": before}, None, "date", "précède la décision"),
        ({"adopted_on": "31/02/2026"}, None, "date", "n&#39;existe pas"),
        ({"adopted_on": ""}, None, "date", "obligatoire"),
        ({"instance": ""}, None, "instance", "conseil d&#39;administration ou directoire"),
        ({}, ("deliberation.exe", b"MZ\x90\x00"), "file", "n&#39;est pas pris en charge"),
        ({}, ("faux.pdf", b"MZ\x90\x00"), "file", "n&#39;est pas celui d&#39;un PDF"),
    )
    for fields, file, error, words in cases:
        values = {"instance": "directoire", "adopted_on": today.isoformat(), **fields}
        response = _post(client, world, values, file)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, fields
        match = re.search(
            rf'<p class="flash error field-error" id="adoption-{error}-error"[^>]*>([^<]*)', page
        )
        assert match and words in match.group(1), (fields, match and match.group(1))
        assert 'aria-invalid="true"' in page
        # What was typed is kept in the form.
        if values["adopted_on"]:
            assert f'value="{values["adopted_on"]}"' in page
        if values["instance"]:
            assert 'value="directoire" checked' in page
    # Without the CSRF token: refused, nothing written.
    bare = client.post(
        f"{_register(world)}/adoption",
        data={"instance": "directoire", "adopted_on": today.isoformat()},
    )
    assert bare.status_code == 400
    # A signatory and the associé read the register; they do not record the adoption.
    for email in ("sign@epci.test", "asso@dep.test"):
        other = logged_in(app, email)
        refused = _post(other, world, {"instance": "directoire", "adopted_on": today.isoformat()})
        assert refused.status_code == 403
    assert _count(app, ProjectAdoption) == 0 and _count(app, RegisterProof) == 0
    with app.app_context():
        assert events(world.convention_id, "adoption_projet") == []
        assert events(world.convention_id, "piece_justificative") == []


def test_no_adoption_before_the_opening_decision_nor_after_the_transmission(app, world):
    client = logged_in(app, DRAFTER)
    today = _today(app).isoformat()
    response = _post(client, world, {"instance": "directoire", "adopted_on": today})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="adoption-error"' in page and "enregistrez-la" in page
    _opened(app, world)
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    late = _post(client, world, {"instance": "directoire", "adopted_on": today})
    assert late.status_code == 409
    assert re.search(
        r'id="adoption-error"[^>]*>[^<]*avant sa transmission', late.get_data(as_text=True)
    )
    api, headers = api_client(app, DRAFTER)
    answer = api.post(
        f"/api/conventions/{world.convention_id}/adoptions",
        json={"instance": "directoire", "adopted_on": today},
        headers=headers,
    )
    assert answer.status_code == 409 and "avant sa transmission" in answer.get_json()["error"]
    # The transmitted register offers no adoption form.
    assert f"{_register(world)}/adoption" not in client.get(_register(world)).get_data(as_text=True)
    assert _count(app, ProjectAdoption) == 0


def test_the_api_records_adoptions_the_latest_counting_the_history_kept(app, world):
    _opened(app, world)
    client, drafter = api_client(app, DRAFTER)
    base = f"/api/conventions/{world.convention_id}"
    today = _today(app)
    earlier = (today - timedelta(days=10)).isoformat()
    for body in (
        {"instance": "directoire", "adopted_on": (today + timedelta(days=3)).isoformat()},
        {"adopted_on": earlier},
        {"instance": "directoire"},
        {"instance": "directoire", "adopted_on": "hier"},
        {"instance": 3, "adopted_on": earlier},
    ):
        call(client, "POST", f"{base}/adoptions", drafter, 400, json=body)
    assert _count(app, ProjectAdoption) == 0
    _obs, observer = api_client(app, "obs@obs.test")
    call(
        client,
        "POST",
        f"{base}/adoptions",
        observer,
        403,
        json={"instance": "directoire", "adopted_on": earlier},
    )
    first = call(
        client,
        "POST",
        f"{base}/adoptions",
        drafter,
        201,
        json={"instance": "conseil_administration", "adopted_on": earlier},
    )
    assert first["sha256"] == _sha(app, world) and first["current"] is True
    assert first["sha256_short"] == first["sha256"][:12] + "…"
    # The deliberation is attached to the adoption as any proof of the register.
    proof = call(
        client,
        "POST",
        f"{base}/proofs",
        drafter,
        201,
        data={
            "entry": "adoption",
            "entry_id": str(first["id"]),
            "kind": "deliberation",
            "file": (io.BytesIO(PDF), "deliberation.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert proof["entry"] == "adoption" and proof["kind_label"] == "Délibération"
    # An adoption dated before the one recorded is refused; the text changes, and the
    # board adopts it anew.
    before = (today - timedelta(days=11)).isoformat()
    call(
        client,
        "POST",
        f"{base}/adoptions",
        drafter,
        400,
        json={"instance": "directoire", "adopted_on": before},
    )
    with app.app_context():
        write(world.section_id, world.user("redacteur"), "Texte revu après l'adoption.")
    register = call(client, "GET", f"{base}/register", drafter, 200)
    assert register["adoptions"][-1]["current"] is False
    changed = [f for f in register["findings"] if f.startswith("Le texte a changé")]
    assert changed and f"le {today - timedelta(days=10):%d/%m/%Y}" in changed[0]
    second = call(
        client,
        "POST",
        f"{base}/adoptions",
        drafter,
        201,
        json={"instance": "directoire", "adopted_on": today.isoformat()},
    )
    assert second["sha256"] != first["sha256"]
    register = call(client, "GET", f"{base}/register", drafter, 200)
    assert [a["id"] for a in register["adoptions"]] == [first["id"], second["id"]]
    assert register["association_ended_on"] == today.isoformat()
    assert register["current_sha256"] == second["sha256"]
    assert not any("adopt" in f for f in register["findings"])
    page = logged_in(app, DRAFTER).get(_register(world)).get_data(as_text=True)
    history = re.search(r'<ul id="adoption-history">(.*?)</ul>', page, re.S)
    assert history and first["sha256"][:12] in history.group(1)
    assert "deliberation.pdf" in history.group(1)


def test_the_transmission_waits_for_the_adoption_of_the_text_as_it_stands(app, world):
    _written_and_reviewed(app, world)
    settle_for_transmission(app, world, adopt=False)  # all but the adoption
    client, headers = api_client(app, DRAFTER)
    base = f"/api/conventions/{world.convention_id}"
    readiness = client.get(f"{base}/readiness", headers=headers).get_json()
    assert [(b["kind"], b["text"]) for b in readiness["blockers"]] == [
        ("adoption", f"Registre de l'association : {ADOPTION_MISSING}")
    ]
    # The page links it to the adoption form.
    drafter = logged_in(app, DRAFTER)
    page = drafter.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
    block = page[page.index('id="preparation"') : page.index('id="etapes"')]
    assert '<li class="blocker-adoption">' in block
    assert f'href="/conventions/{world.convention_id}/association#adoption"' in block
    refused = client.post(f"{base}/transition", json={"to": "transmise"}, headers=headers)
    assert refused.status_code == 409
    assert any(ADOPTION_MISSING in r for r in refused.get_json()["reasons"])

    # Adopted, then a working meeting held after it: flagged, and it blocks.
    adopt_projet(app, world)
    with app.app_context():
        day = local_today()
        add_meeting(world.convention_id, world.user("redacteur"), "Réunion de trop", day, "", [])
        # Held the day after the adoption: move the adoption back a day.
        adoption = db_session().scalar(select(ProjectAdoption))
        adoption.adopted_on = day - timedelta(days=1)
        db_session().commit()
        found = findings(world.convention_id)
    assert any("« Réunion de trop »" in f and "l'association avait pris fin" in f for f in found)
    texts = [
        b["text"]
        for b in client.get(f"{base}/readiness", headers=headers).get_json()["blockers"]
        if b["kind"] == "adoption"
    ]
    assert any("Réunion de trop" in t for t in texts)
    adopt_projet(app, world)  # the board adopts it anew, after that meeting

    # The text changes after the adoption: to be adopted anew before it goes.
    with app.app_context():
        write(world.section_id, world.user("redacteur"), "Un dernier changement.")
    refused = client.post(f"{base}/transition", json={"to": "transmise"}, headers=headers)
    assert refused.status_code == 409
    [reason] = refused.get_json()["reasons"]
    assert "Le texte a changé depuis son adoption" in reason and "à adopter à nouveau" in reason
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "negociation"
    adopt_projet(app, world)
    assert (
        post_form(
            drafter, f"/conventions/{world.convention_id}/transition", {"to": "transmise"}
        ).status_code
        == 303
    )
    with app.app_context():
        assert db_session().get(Convention, world.convention_id).state.value == "transmise"
        assert (
            db_session().scalar(
                select(func.count()).select_from(Event).where(Event.action == "adoption_projet")
            )
            == 3
        )
