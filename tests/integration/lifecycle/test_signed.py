"""The signed text's page: the sections formatted under their titles (a section's own
sub-headings below them), its fingerprint, and the signed text itself to download, byte
for byte what the fingerprint is computed on."""

from __future__ import annotations

import hashlib

from app.db import db_session
from app.lifecycle.operations import sign, transition
from app.lifecycle.queries import local_today
from app.models import Convention
from app.sections import queries
from tests.conftest import logged_in
from tests.factories import set_state, write
from workflows.lifecycle import ConventionState

BODY = (
    "## Patrimoine\n\nL'office gère 8 400 logements.\n\n- Enquête ;\n- astreinte.\n\n"
    "| Année | Logements |\n|---|---|\n| 2025 | 120 |"
)


def _signed(app, world) -> Convention:
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        write(world.section_id, drafter, BODY)
        set_state(world.convention_id, ConventionState.TRANSMISE)
        sign(world.convention_id, signer, None, local_today())
        sign(world.convention_id, drafter, None, local_today())  # the organisme signs too
        transition(world.convention_id, drafter, "signee")
        convention = db_session().get(Convention, world.convention_id)
        db_session().expunge(convention)
        return convention


def test_the_signed_text_reads_formatted_with_its_fingerprint(app, world):
    convention = _signed(app, world)
    with app.app_context():
        title = queries.sections_with_current(world.convention_id)[0].title
    html = logged_in(app, "obs@obs.test").get(f"/conventions/{world.convention_id}/signed")
    page = html.get_data(as_text=True)
    assert convention.signed_sha256 in page
    # The section's title is a heading of the page; its own "##" sits one level below.
    assert f'<h2 id="signe-1">{title}</h2>' in page
    assert '<h4 class="cmp-block cmp-equal">Patrimoine</h4>' in page
    assert "<li" in page and "<td>120</td>" in page
    main = page.split("<details")[0]
    assert "## Patrimoine" not in main and "| 2025" not in main and '<pre class="source' not in main
    # The signed text itself stays available, unformatted.
    assert "Texte signé, caractère pour caractère" in page and "## Patrimoine" in page


def test_the_signed_text_downloads_as_the_fingerprinted_bytes(app, world):
    convention = _signed(app, world)
    client = logged_in(app, "sign@epci.test")
    page = client.get(f"/conventions/{world.convention_id}/signed").get_data(as_text=True)
    assert f'href="/conventions/{world.convention_id}/signed.txt"' in page
    response = client.get(f"/conventions/{world.convention_id}/signed.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(response.get_data()).hexdigest() == convention.signed_sha256
    # Only members read it; anonymous visitors are sent to the login page.
    assert client.get(f"/conventions/{world.other_convention_id}/signed.txt").status_code == 403
    assert (
        app.test_client().get(f"/conventions/{world.convention_id}/signed.txt").status_code == 302
    )


def test_an_unsigned_convention_has_no_signed_text(app, world):
    client = logged_in(app, "redac@oph.test")
    assert client.get(f"/conventions/{world.convention_id}/signed.txt").status_code == 404
    assert client.get(f"/conventions/{world.convention_id}/signed").status_code == 404
