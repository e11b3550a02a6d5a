"""The Word export's signature blocks, read back with python-docx: one per party, the
organisme first; filled once a signature is recorded (who signed, for which party, on
which day, recorded by whom and when, in Paris time as the interface shows it); blank
for a party that has not signed yet, to be signed on paper."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
from sqlalchemy import select

from app.db import write_transaction
from app.lifecycle.operations import sign
from app.lifecycle.queries import local_today
from app.models import Signature
from tests.conftest import logged_in
from tests.factories import add_member, make_user, set_state
from tests.integration.conventions.helpers import sign_convention
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.permissions import Role


def _signature_rows(data: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(data))
    table = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Pour "))
    return [(row.cells[0].text, row.cells[1].text) for row in table.rows]


def _export(app, world) -> bytes:
    response = logged_in(app, "obs@obs.test").get(f"/conventions/{world.convention_id}/export.docx")
    assert response.status_code == 200
    return response.get_data()


def test_blocks_are_filled_with_who_signed_for_whom_and_when(app, world):
    sign_convention(app, world)
    with app.app_context():
        # Recorded at 23:30 UTC on 21 November: 00:30 on the 22nd in Paris.
        with write_transaction() as session:
            for signature in session.scalars(select(Signature)):
                signature.created_at = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
        day = local_today().strftime("%d/%m/%Y")
    rows = _signature_rows(_export(app, world))
    assert [party.split("\n")[0] for party, _ in rows] == [
        "Pour OPH Test (organisme)",
        "Pour EPCI Test (signataire)",
    ]
    organisme, epci = rows
    assert organisme[0].split("\n")[1:] == ["Nom, qualité : Redac", f"Signé le {day}"]
    assert epci[0].split("\n")[1:] == ["Nom, qualité : Sign", f"Signé le {day}"]
    assert epci[1] == (
        f"Signé le {day} par Sign\n"
        "Signature enregistrée dans Cosigne par Sign le 22/11/2026 à 00:30."
    )


def test_a_party_that_has_not_signed_keeps_a_blank_block(app, world):
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, ddt)
        set_state(world.convention_id, ConventionState.TRANSMISE)
        drafter = world.user("redacteur")
        sign(world.convention_id, drafter, None, local_today())
    rows = _signature_rows(_export(app, world))
    assert [party.split("\n")[0] for party, _ in rows] == [
        "Pour OPH Test (organisme)",
        "Pour EPCI Test",
        "Pour DDT Test",
    ]
    assert rows[0][0].split("\n")[1] == "Nom, qualité : Redac"
    for party, text in rows[1:]:
        assert party.endswith("Nom, qualité :\n\nFait à                      , le")
        assert text == "Signature :\n\n\n"
