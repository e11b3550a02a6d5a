"""The Word round trip on the web: the export (also from the API and the command line)
and all it holds, the import's preview then its writing, a new convention from a Word
draft (from the page and the command line)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
from sqlalchemy import event, select

from app.contributions.operations import create_contribution, open_thread
from app.db import db_session
from app.models import Contribution
from app.sections import queries
from app.targets.operations import save_value
from app.word.queries import export_bytes
from tests.conftest import api_headers, csrf_token, logged_in
from tests.factories import write
from tests.integration.word.helpers import counts, draft, partner_document, sections_of

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- export ------------------------------------------------------------------------------


def test_export_on_the_web_in_the_api_and_on_the_command_line(app, world, tmp_path):
    observer = logged_in(app, "obs@obs.test")
    response = observer.get(f"/conventions/{world.convention_id}/export.docx")
    assert response.status_code == 200 and response.mimetype == MIME
    assert "attachment" in response.headers["Content-Disposition"]
    plain = zipfile.ZipFile(io.BytesIO(response.data)).read("word/document.xml").decode()
    assert "Premier texte de la section." in plain and "<w:ins " not in plain

    tracked = observer.get(f"/conventions/{world.convention_id}/export.docx?tracked=1&comments=1")
    archive = zipfile.ZipFile(io.BytesIO(tracked.data))
    xml = archive.read("word/document.xml").decode()
    # The partner's open contribution (", amendé") as an insertion by its author.
    assert re.search(r'<w:ins w:id="\d+" w:author="Asso" w:date="[^"]+">', xml)
    assert "amendé" in xml
    assert "<w:trackRevisions/>" in archive.read("word/settings.xml").decode()
    assert "Une question sur ce passage." in archive.read("word/comments.xml").decode()

    headers = api_headers(app, "sign@epci.test")
    api = app.test_client().get(
        f"/api/conventions/{world.convention_id}/export.docx", headers=headers
    )
    assert api.status_code == 200 and api.mimetype == MIME
    assert (
        app.test_client().get(f"/api/conventions/{world.convention_id}/export.docx").status_code
        == 401
    )
    outsider = logged_in(app, "autre@esh.test")
    assert outsider.get(f"/conventions/{world.convention_id}/export.docx").status_code == 403

    out = tmp_path / "cus.docx"
    result = app.test_cli_runner().invoke(
        args=["export", str(world.convention_id), str(out), "--tracked"]
    )
    assert result.exit_code == 0, result.output
    assert "Asso" in zipfile.ZipFile(out).read("word/document.xml").decode()


def test_the_export_holds_the_whole_convention(app, world):
    with app.app_context():
        drafter = world.user("redacteur")
        save_value(
            world.convention_id, drafter, "F.VI", "Loiret", 2025, "cible", {"V1": 30, "V2": 1200}
        )
    client = logged_in(app, "redac@oph.test")
    before = datetime.now(ZoneInfo("Europe/Paris"))
    data = client.get(f"/conventions/{world.convention_id}/export.docx").data
    after = datetime.now(ZoneInfo("Europe/Paris"))
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    with app.app_context():
        titles = [s.title for s in queries.sections_with_current(world.convention_id)]
    # Title page, contents, every section in order, then the annexes.
    assert texts[1] == "CUS test" and "Organisme : OPH Test" in texts
    assert any(t.startswith("Signataires : EPCI Test") for t in texts)
    assert any(t.startswith("Partenaires associés : Département Test") for t in texts)
    assert "Période : 2025-2030" in texts and "État : Négociation" in texts
    # Exported "now", said in the readers' time (Paris, one or two hours from UTC), as
    # the interface says it.
    exported = next(t for t in texts if t.startswith("Exporté le : "))
    moments = {f"Exporté le : {m:%d/%m/%Y à %H:%M}" for m in (before, after)}
    assert exported in moments
    assert 'TOC \\o "1-3"' in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert headings == [
        *titles,
        "Tableau des engagements chiffrés",
        "Signatures",
        "Annexe — Registre de l'association",
    ]
    assert "Premier texte de la section." in texts
    # The target table, a signature block per signatory, the register's meeting.
    assert "Loiret" in cells and "2,5 %" in cells
    assert any(c.startswith("Pour OPH Test") for c in cells)
    assert any(c.startswith("Pour EPCI Test") for c in cells)
    assert any("Réunion d'association" in t for t in texts)
    # The footer: page numbers and the day; the revision each section was exported
    # from is in its heading's bookmark, not a row of figures under every page.
    footer = zipfile.ZipFile(io.BytesIO(data)).read("word/footer1.xml").decode()
    assert "PAGE" in footer and "NUMPAGES" in footer and "exportée de Cosigne le" in footer
    assert "révision" not in footer and " · " not in footer


def test_the_web_import_shows_a_preview_then_writes(app, world):
    data = partner_document(
        app,
        world,
        "Unknown Author",
        "Premier texte, vu par la DDT.",
        "Premier texte de la section.",
    )
    client = logged_in(app, "redac@oph.test")
    page = f"/conventions/{world.convention_id}/import"
    token = csrf_token(client, page)
    before = counts(app)
    preview = client.post(
        page,
        data={"csrf_token": token, "file": (io.BytesIO(data), "ddt.docx")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Aperçu de « ddt.docx »" in html
    assert "« Unknown Author »" in html and "vu par" in html and "DDT" in html
    assert counts(app) == before
    import_token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    # Without CSRF, or with another user's token: refused, nothing written.
    assert client.post(page, data={"token": import_token}).status_code == 400
    other = logged_in(app, "asso@dep.test")
    stolen = other.post(page, data={"csrf_token": csrf_token(other, page), "token": import_token})
    assert stolen.status_code == 303 and counts(app) == before
    assert "n&#39;est plus disponible" in other.get(page).get_data(as_text=True)
    done = client.post(
        page,
        data={
            "csrf_token": token,
            "token": import_token,
            "author-Unknown Author": str(world.users["signataire"]),
        },
    )
    assert done.status_code == 303
    # The kept upload went with the import: the same confirmation again finds nothing.
    again = client.post(page, data={"csrf_token": token, "token": import_token})
    assert again.status_code == 303 and "n&#39;est plus disponible" in client.get(page).get_data(
        as_text=True
    )
    with app.app_context():
        latest = db_session().scalar(select(Contribution).order_by(Contribution.id.desc()))
        assert latest.author_id == world.users["signataire"]
        assert latest.body == "Premier texte, vu par la DDT."


def test_the_new_convention_page_and_the_command_line_take_a_draft(app, world, tmp_path):
    client = logged_in(app, "redac@oph.test")
    token = csrf_token(client, "/conventions/new")
    response = client.post(
        "/conventions/new",
        data={
            "csrf_token": token,
            "kind": "cus",
            "title": "CUS du formulaire",
            "start_year": "2025",
            "cadre_id": "",
            "document": (io.BytesIO(draft()), "projet.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    convention_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert sections_of(app, convention_id)["Annexe locale"] == "Un engagement propre au territoire."

    path = tmp_path / "projet.docx"
    path.write_bytes(draft())
    args = ["import-docx", str(path), "--as", "redac@oph.test", "--kind", "cus", "--year", "2026"]
    dry = app.test_cli_runner().invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0 and "Annexe locale (section ajoutée)" in dry.output
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Annexe locale (ajoutée)" in result.output


def _export_queries(app, convention_id: int) -> int:
    engine = app.extensions["cosigne_engine"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        event.listen(engine, "before_cursor_execute", count)
        try:
            export_bytes(convention_id, tracked=True, comments=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_tracked_export_costs_the_same_queries_whatever_the_number_of_contributions(app, world):
    # Each open contribution's base revision and author, each section's discussions,
    # were read one query at a time: 3,207 queries for 400 sections.
    before = _export_queries(app, world.convention_id)
    with app.app_context():
        drafter, partner = world.user("redacteur"), world.user("associe")
        for section in queries.sections_with_current(world.convention_id)[1:4]:
            revision = write(section.id, drafter, "Un texte.\n\nUn autre paragraphe.")
            for number in range(2):
                create_contribution(
                    section.id, partner, revision.number, f"Un texte {number}.\n\nUn autre.", ""
                )
            open_thread(section.id, partner, "Pourquoi ?", quote="texte")
    assert _export_queries(app, world.convention_id) == before
    with app.app_context():
        xml = zipfile.ZipFile(
            io.BytesIO(export_bytes(world.convention_id, tracked=True, comments=True))
        )
        document = xml.read("word/document.xml").decode()
        assert (
            document.count('w:author="Asso"') >= 6
            and "Pourquoi ?" in xml.read("word/comments.xml").decode()
        )
