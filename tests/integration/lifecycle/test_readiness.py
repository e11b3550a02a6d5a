"""Ready to transmit: what the circulaire and good faith require, shown before the
click and said again on a refusal, each item linking to where it is resolved; a
disagreement goes with the project to the préfet instead of stopping it."""

from __future__ import annotations

import io
import re

import docx

from app.contributions.operations import mark_treated
from app.db import db_session
from app.lifecycle.operations import carry_point
from app.lifecycle.queries import open_points
from app.models import CarriedPoint, Convention, Event
from app.review.operations import ask_for_review, record_position
from app.sections import queries
from app.word.queries import export_bytes
from tests.conftest import api_headers, logged_in, post_form
from tests.factories import write
from tests.integration.conventions.helpers import prove_association

DISAGREEMENT = "Les chiffres du parc datent de 2019 : l'EPCI ne peut les approuver."


def _written_and_reviewed(app, world, position="accord", text=""):
    """Every mandatory section written and under review; the signatory's position on
    the first section is ``position``, on the others an agreement."""
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        for section in queries.sections_with_current(world.convention_id):
            if not section.mandatory:
                continue
            if section.current_revision is None:
                write(section.id, drafter, f"Texte de « {section.title} ».")
            ask_for_review(section.id, drafter)
            first = section.id == world.section_id
            record_position(section.id, signer, position if first else "accord", text)


def _state(app, world) -> str:
    with app.app_context():
        return db_session().get(Convention, world.convention_id).state.value


def _page(client, world) -> str:
    return client.get(f"/conventions/{world.convention_id}").get_data(as_text=True)


def _block(page: str) -> str:
    start = page.index('id="preparation"')
    return page[start : page.index('id="etapes"', start)]


def test_a_disagreement_carried_with_a_note_goes_to_the_prefet(app, world):
    _written_and_reviewed(app, world, "desaccord", DISAGREEMENT)
    prove_association(app, world)
    with app.app_context():
        mark_treated(world.contribution_id, world.user("redacteur"), "Vue en réunion.")
    drafter = logged_in(app, "redac@oph.test")
    url = f"/conventions/{world.convention_id}/transition"

    # Before any click, the page says what still blocks, with links.
    block = _block(_page(drafter, world))
    assert "Désaccord de EPCI Test sur" in block
    assert f'href="/sections/{world.section_id}#revue"' in block
    assert f'href="/sections/{world.section_id}#fil-{world.thread_id}"' in block

    # Refused, the page comes back to that block and says so there.
    refused = post_form(drafter, url, {"to": "transmise"})
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith("#preparation")
    block = _block(drafter.get(refused.headers["Location"]).get_data(as_text=True))
    assert 'id="transition-error"' in block
    assert "2 points à régler" in block
    assert _state(app, world) == "negociation"

    # A carry without its note is refused beside its field, nothing written.
    with app.app_context():
        assert db_session().query(CarriedPoint).count() == 0
        points = open_points(db_session(), db_session().get(Convention, world.convention_id))
    desaccord = next(p for p in points if p.kind == "desaccord")
    carry = f"/conventions/{world.convention_id}/points/position/{desaccord.ref}/carry"
    empty = post_form(drafter, carry, {"note": "  "})
    assert empty.headers["Location"].endswith(f"#point-position-{desaccord.ref}")
    page = drafter.get(empty.headers["Location"]).get_data(as_text=True)
    assert f'id="carry-position-{desaccord.ref}-error"' in page
    assert "Écrivez la note" in page
    with app.app_context():
        assert db_session().query(CarriedPoint).count() == 0

    # A signatory cannot carry the organisme's points.
    signer = logged_in(app, "sign@epci.test")
    assert post_form(signer, carry, {"note": "Non."}).status_code == 403

    note = "Désaccord maintenu : les chiffres 2024 seront joints à la transmission."
    assert post_form(drafter, carry, {"note": note}).status_code == 303
    discussion = f"/conventions/{world.convention_id}/points/discussion/{world.thread_id}/carry"
    assert (
        post_form(drafter, discussion, {"note": "Question restée sans réponse."}).status_code == 303
    )
    # Carried twice: refused, the first note stands.
    post_form(drafter, carry, {"note": "Autre note."})
    with app.app_context():
        assert [c.note for c in db_session().query(CarriedPoint).order_by(CarriedPoint.id)] == [
            note,
            "Question restée sans réponse.",
        ]
        assert db_session().query(Event).filter(Event.action == "point_reporte").count() == 2

    block = _block(_page(drafter, world))
    assert 'id="ready"' in block
    assert note in block
    # The register of reserves, the negotiation's agenda, says what was carried.
    reserves = drafter.get(f"/conventions/{world.convention_id}/reserves").get_data(as_text=True)
    assert note in reserves
    # The disagreement stands, and does not stop the transmission (circulaire CUS, IV).
    assert post_form(drafter, url, {"to": "transmise"}).status_code == 303
    assert _state(app, world) == "transmise"

    # The transmitted file lists the disagreement with the organisme's note.
    with app.app_context():
        document = docx.Document(io.BytesIO(export_bytes(world.convention_id)))
        text = "\n".join(p.text for p in document.paragraphs)
    assert "Réserves, désaccords et discussions restés ouverts" in text
    assert f"Désaccord — EPCI Test, « {desaccord.section} » : {DISAGREEMENT}" in text
    assert f"Note de l'organisme : {note}" in text


def test_an_open_contribution_stops_the_transmission_with_a_link(app, world):
    _written_and_reviewed(app, world)
    prove_association(app, world)
    drafter = logged_in(app, "redac@oph.test")
    with app.app_context():
        carry_point(
            world.convention_id, world.user("redacteur"), "discussion", world.thread_id, "Ouverte."
        )
    block = _block(_page(drafter, world))
    assert f'href="/contributions/{world.contribution_id}"' in block
    assert "Département Test (1)" in block  # what waits, by party
    assert (
        post_form(
            drafter, f"/conventions/{world.convention_id}/transition", {"to": "transmise"}
        ).status_code
        == 303
    )
    assert _state(app, world) == "negociation"
    with app.app_context():
        mark_treated(world.contribution_id, world.user("redacteur"), "Intégrée ailleurs.")
    assert (
        post_form(
            drafter, f"/conventions/{world.convention_id}/transition", {"to": "transmise"}
        ).status_code
        == 303
    )
    assert _state(app, world) == "transmise"
    # Once transmitted, the page says what the signature still waits for.
    block = _block(_page(drafter, world))
    assert "Avant la signature" in block
    assert "Signature manquante : OPH Test." in block
    assert "Signature manquante : EPCI Test." in block
    assert 'href="#signatures"' in block


def test_a_cus_whose_register_does_not_prove_the_association_is_not_ready(app, world):
    _written_and_reviewed(app, world)
    with app.app_context():
        mark_treated(world.contribution_id, world.user("redacteur"), "Vue.")
        carry_point(
            world.convention_id, world.user("redacteur"), "discussion", world.thread_id, "Ouverte."
        )
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    data = client.get(
        f"/api/conventions/{world.convention_id}/readiness", headers=headers
    ).get_json()
    assert data["target"] == "transmise"
    assert data["ready"] is False
    texts = [b["text"] for b in data["blockers"] if b["kind"] == "association"]
    # No board decision, and the associated Département invited to no working meeting.
    assert any("décision de l'organisme" in t for t in texts)
    assert any("Département Test n'a été invité à aucune réunion" in t for t in texts)
    url = f"/api/conventions/{world.convention_id}/transition"
    refused = client.post(url, json={"to": "transmise"}, headers=headers)
    assert refused.status_code == 409
    assert any("Registre de l'association" in r for r in refused.get_json()["reasons"])
    # The page links each to the register.
    drafter = logged_in(app, "redac@oph.test")
    block = _block(_page(drafter, world))
    assert f'href="/conventions/{world.convention_id}/association"' in block
    prove_association(app, world)
    assert client.post(url, json={"to": "transmise"}, headers=headers).status_code == 200


def test_the_readiness_api_and_carrying_through_it(app, world):
    _written_and_reviewed(app, world, "accord_avec_reserves", "Sous réserve du calendrier.")
    prove_association(app, world)
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    url = f"/api/conventions/{world.convention_id}/readiness"
    data = client.get(url, headers=headers).get_json()
    kinds = sorted((b["kind"], b.get("point") or "") for b in data["blockers"])
    assert kinds == [("contribution", ""), ("point", "discussion"), ("point", "reserve")]
    reserve = next(p for p in data["open_points"] if p["kind"] == "reserve")
    assert reserve["carried_note"] is None
    assert reserve["section_id"] == world.section_id
    carry = f"/api/conventions/{world.convention_id}/points/position/{reserve['id']}/carry"
    assert client.post(carry, json={}, headers=headers).status_code == 400
    assert client.post(carry, json={"note": "x" * 2001}, headers=headers).status_code == 400
    wrong = f"/api/conventions/{world.convention_id}/points/position/{world.thread_id + 999}/carry"
    assert client.post(wrong, json={"note": "Note."}, headers=headers).status_code == 400
    observer = api_headers(app, "obs@obs.test")
    assert client.get(url, headers=observer).status_code == 200
    assert client.post(carry, json={"note": "Note."}, headers=observer).status_code == 403
    done = client.post(carry, json={"note": "Réserve acceptée pour 2026."}, headers=headers)
    assert done.status_code == 201
    after = done.get_json()
    assert [p["carried_note"] for p in after["open_points"] if p["kind"] == "reserve"] == [
        "Réserve acceptée pour 2026."
    ]
    assert ("point", "reserve") not in {(b["kind"], b.get("point")) for b in after["blockers"]}
    # Another convention's position is not a point of this one.
    other = api_headers(app, "autre@esh.test")
    assert client.get(url, headers=other).status_code in (403, 404)


def test_a_lifted_reserve_is_no_longer_a_point(app, world):
    _written_and_reviewed(app, world, "accord_avec_reserves", "Sous réserve du calendrier.")
    drafter = logged_in(app, "redac@oph.test")
    assert "Réserve de EPCI Test" in _block(_page(drafter, world))
    with app.app_context():
        record_position(world.section_id, world.user("signataire"), "accord", "")
    assert "Réserve de EPCI Test" not in _block(_page(drafter, world))
    assert re.search(r"Réserve de EPCI Test", _page(drafter, world)) is None


def test_a_carried_point_taken_back_stops_the_transmission_again(app, world):
    """Carried too soon, a point could not be taken back: it stayed in the transmitted
    file with its note, though the organisme meant to lift it."""
    _written_and_reviewed(app, world, "desaccord", DISAGREEMENT)
    prove_association(app, world)
    with app.app_context():
        drafter_user = world.user("redacteur")
        mark_treated(world.contribution_id, drafter_user, "Vue en réunion.")
        points = open_points(db_session(), db_session().get(Convention, world.convention_id))
        for point in points:
            kind = "discussion" if point.kind == "discussion" else "position"
            carry_point(world.convention_id, drafter_user, kind, point.ref, "Reste ouvert.")
    desaccord = next(p for p in points if p.kind == "desaccord")
    drafter = logged_in(app, "redac@oph.test")
    uncarry = f"/conventions/{world.convention_id}/points/position/{desaccord.ref}/uncarry"
    assert f'action="{uncarry}"' in _block(_page(drafter, world))

    # Not the signatory's to take back.
    signer = logged_in(app, "sign@epci.test")
    assert post_form(signer, uncarry, {}).status_code == 403
    with app.app_context():
        assert db_session().query(CarriedPoint).count() == 2

    taken = post_form(drafter, uncarry, {})
    assert taken.status_code == 303
    with app.app_context():
        assert db_session().query(CarriedPoint).count() == 1
        (taken_back,) = db_session().query(Event).filter(Event.action == "point_retire")
        # Said of the point taken back, the disagreement, not of a thread of the same id.
        assert taken_back.summary.startswith("Désaccord de EPCI Test"), taken_back.summary
    block = _block(drafter.get(taken.headers["Location"]).get_data(as_text=True))
    assert 'id="ready"' not in block
    assert f'id="point-position-{desaccord.ref}"' in block  # to carry or lift again
    assert post_form(drafter, f"/conventions/{world.convention_id}/transition", {"to": "transmise"})
    assert _state(app, world) == "negociation"

    # Taken back twice: refused where the list is, nothing else changes.
    again = post_form(drafter, uncarry, {})
    assert again.headers["Location"].endswith("#reportes")
    with app.app_context():
        assert db_session().query(CarriedPoint).count() == 1

    # Through the API: the discussion is taken back too; then nothing is carried.
    client, headers = app.test_client(), api_headers(app, "redac@oph.test")
    api = f"/api/conventions/{world.convention_id}/points/discussion/{world.thread_id}/carry"
    assert client.delete(api, headers=api_headers(app, "obs@obs.test")).status_code == 403
    done = client.delete(api, headers=headers)
    assert done.status_code == 200
    assert all(p["carried_note"] is None for p in done.get_json()["open_points"])
    assert client.delete(api, headers=headers).status_code == 400

    # Once transmitted, the file is closed: a carried point stays in it.
    with app.app_context():
        for point in points:
            kind = "discussion" if point.kind == "discussion" else "position"
            carry_point(world.convention_id, drafter_user, kind, point.ref, "Reste ouvert.")
    assert post_form(drafter, f"/conventions/{world.convention_id}/transition", {"to": "transmise"})
    assert _state(app, world) == "transmise"
    assert f'action="{uncarry}"' not in _page(drafter, world)
    assert client.delete(api, headers=headers).status_code in (400, 409)
    with app.app_context():
        assert db_session().query(CarriedPoint).count() == 2
