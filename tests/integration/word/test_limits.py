"""Hostile Word files (issue 13) at every door of the import: read in a child process,
refused with the limit named and nothing written; and the quota of the previews waiting
for their confirmation (pending_import)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from app import create_app
from app.db import db_session, write_transaction
from app.models import Convention, PendingImport, Section, User, utcnow
from tests.conftest import api_headers, csrf_token, logged_in
from tests.factories import make_convention
from tests.hostile import docx_paragraphs
from tests.integration.word.helpers import counts, draft, import_docx, partner_document
from workflows.permissions import Role


def _title(app, world) -> str:
    with app.app_context():
        return db_session().get(Section, world.section_id).title


def _pending(app) -> list[tuple[int, int, str]]:
    with app.app_context():
        return [
            (row.user_id, row.convention_id, row.filename)
            for row in db_session().scalars(
                select(PendingImport).order_by(PendingImport.created_at)
            )
        ]


def _conventions(app) -> int:
    with app.app_context():
        return db_session().scalar(select(func.count()).select_from(Convention))


def test_the_hostile_documents_of_the_issue_are_refused_at_the_api_preview(app, world):
    headers = api_headers(app, "asso@dep.test")
    client = app.test_client()
    before = counts(app)
    long = docx_paragraphs(_title(app, world), 300_000, 40)
    response = import_docx(client, headers, world.convention_id, long, "long.docx", dry_run="1")
    assert response.status_code == 413
    assert "« long.docx »" in response.json["error"]
    assert "plus de 20\u202f000 paragraphes" in response.json["error"]
    big = docx_paragraphs(_title(app, world), 60_000, 400)
    assert len(big) > 10 * 1024 * 1024
    response = import_docx(client, headers, world.convention_id, big, "gros.docx", dry_run="1")
    assert response.status_code == 413
    assert "dépasse 2\u202f000\u202f000 caractères" in response.json["error"]
    # Not a dry run either: refused before anything is written.
    response = import_docx(client, headers, world.convention_id, long, "long.docx")
    assert response.status_code == 413
    assert counts(app) == before and _pending(app) == []


def test_the_web_preview_of_a_hostile_document_keeps_nothing(app, world):
    client = logged_in(app, "asso@dep.test")
    page = f"/conventions/{world.convention_id}/import"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "file": (io.BytesIO(docx_paragraphs(_title(app, world), 300_000, 40)), "long.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "plus de 20\u202f000 paragraphes" in html
    assert _pending(app) == []


def test_a_new_convention_from_a_hostile_draft_is_refused_and_none_created(app, world):
    headers = api_headers(app, "redac@oph.test")
    client = app.test_client()
    before = _conventions(app)
    long = docx_paragraphs("État des lieux", 300_000, 40)
    for dry_run in ("1", "0"):
        response = client.post(
            "/api/conventions/import.docx",
            data={
                "file": (io.BytesIO(long), "projet.docx"),
                "kind": "cus",
                "title": "CUS hostile",
                "start_year": "2025",
                "dry_run": dry_run,
            },
            headers=headers,
            content_type="multipart/form-data",
        )
        assert response.status_code == 413, response.json
        assert "paragraphes" in response.json["error"]
    assert _conventions(app) == before


def _new_from_draft(client, data: bytes):
    return client.post(
        "/conventions/new",
        data={
            "csrf_token": csrf_token(client, "/conventions/new"),
            "kind": "cus",
            "title": "CUS du formulaire",
            "start_year": "2025",
            "cadre_id": "",
            "document": (io.BytesIO(data), "projet.docx"),
        },
        content_type="multipart/form-data",
    )


def test_a_draft_over_the_time_limit_is_killed_and_no_convention_created(app, world):
    # Without the content caps the 300,000 paragraphs take seconds: killed at 0.5 s.
    app.config.update(
        PARSE_TIMEOUT_SECONDS=0.5, PARSE_MAX_PARAGRAPHS=10**7, PARSE_MAX_CHARACTERS=10**9
    )
    client = logged_in(app, "redac@oph.test")
    before = _conventions(app)
    response = _new_from_draft(client, docx_paragraphs("État des lieux", 300_000, 40))
    assert "a dépassé la limite de 0,5 s" in response.get_data(as_text=True)
    assert _conventions(app) == before
    # A real draft within the same limits: created.
    response = _new_from_draft(client, draft())
    assert response.status_code == 302 and _conventions(app) == before + 1


def _preview(client, convention_id: int, data: bytes, name: str):
    page = f"/conventions/{convention_id}/import"
    return client.post(
        page,
        data={"csrf_token": csrf_token(client, page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _second_convention(app, world) -> int:
    with app.app_context():
        session = db_session()
        drafter, partner = (
            session.get(User, world.users["redacteur"]),
            session.get(User, world.users["associe"]),
        )
        return make_convention(drafter, title="CUS bis", members={Role.ASSOCIE: [partner]}).id


def test_a_new_preview_replaces_the_users_older_one_of_the_convention(app, world):
    data = partner_document(
        app, world, "Asso", "Premier texte, amendé.", "Premier texte de la section."
    )
    partner = logged_in(app, "asso@dep.test")
    drafter = logged_in(app, "redac@oph.test")
    for _ in range(5):
        assert _preview(partner, world.convention_id, data, "retour.docx").status_code == 200
    latest = _preview(partner, world.convention_id, data, "dernier.docx")
    assert latest.status_code == 200
    assert _preview(drafter, world.convention_id, data, "autre.docx").status_code == 200
    asso, redac = world.users["associe"], world.users["redacteur"]
    assert sorted(_pending(app)) == sorted(
        [(asso, world.convention_id, "dernier.docx"), (redac, world.convention_id, "autre.docx")]
    )
    # The latest preview is the one that is confirmed.
    token = re.search(r'name="token" value="([^"]+)"', latest.get_data(as_text=True)).group(1)
    page = f"/conventions/{world.convention_id}/import"
    done = partner.post(
        page,
        data={
            "csrf_token": csrf_token(partner, page),
            "token": token,
            "author-Asso": str(asso),
        },
    )
    assert done.status_code == 303
    assert _pending(app) == [(redac, world.convention_id, "autre.docx")]


def test_a_users_previews_across_conventions_are_capped_with_a_clear_refusal(app, world):
    data = partner_document(
        app, world, "Asso", "Premier texte, amendé.", "Premier texte de la section."
    )
    other = _second_convention(app, world)
    app.config["PENDING_IMPORT_MAX_BYTES_PER_USER"] = len(data) * 3 // 2
    partner = logged_in(app, "asso@dep.test")
    assert _preview(partner, world.convention_id, data, "retour.docx").status_code == 200
    refused = _preview(partner, other, data, "bis.docx")
    assert refused.status_code == 303
    html = partner.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Vos aperçus d&#39;import en attente occupent déjà" in html
    assert "« bis.docx »" in html and "par personne" in html
    asso = world.users["associe"]
    assert _pending(app) == [(asso, world.convention_id, "retour.docx")]
    # Another user has a quota of their own.
    drafter = logged_in(app, "redac@oph.test")
    assert _preview(drafter, other, data, "redac.docx").status_code == 200
    # The same convention again replaces the preview, within the quota.
    assert _preview(partner, world.convention_id, data, "encore.docx").status_code == 200
    assert (asso, world.convention_id, "encore.docx") in _pending(app)


def _age_all(app, hours: float) -> None:
    with app.app_context(), write_transaction() as session:
        for row in session.scalars(select(PendingImport)):
            row.created_at = utcnow() - timedelta(hours=hours)


def test_expired_previews_are_purged_at_start_on_a_preview_and_by_the_command(app, world):
    data = partner_document(
        app, world, "Asso", "Premier texte, amendé.", "Premier texte de la section."
    )
    partner = logged_in(app, "asso@dep.test")
    assert _preview(partner, world.convention_id, data, "retour.docx").status_code == 200
    _age_all(app, 2)
    # Someone else's preview purges it.
    drafter = logged_in(app, "redac@oph.test")
    assert _preview(drafter, world.convention_id, data, "redac.docx").status_code == 200
    assert _pending(app) == [(world.users["redacteur"], world.convention_id, "redac.docx")]
    # The command a cron calls.
    _age_all(app, 2)
    result = app.test_cli_runner().invoke(args=["maintenance", "purge-imports"])
    assert result.exit_code == 0 and "1 aperçu(s) d'import expiré(s) supprimé(s)" in result.output
    assert _pending(app) == []
    # At a process's first request (a fresh application on the same database).
    assert _preview(drafter, world.convention_id, data, "redac.docx").status_code == 200
    _age_all(app, 0.5)
    _first_request(app)
    assert len(_pending(app)) == 1  # younger than the hour: kept
    _age_all(app, 2)
    _first_request(app)
    assert _pending(app) == []


def _first_request(app) -> None:
    fresh = _fresh_app(app)
    try:
        assert fresh.test_client().get("/healthz").status_code == 200
    finally:
        fresh.extensions["cosigne_engine"].dispose()


def _fresh_app(app):
    fresh = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SEARCH_CATCH_UP": False,
        }
    )
    return fresh


def test_the_background_worker_purges_expired_previews_every_hour(app, world):
    from app.jobs import tasks  # noqa: PLC0415 (the worker's tasks, called as it calls them)

    data = partner_document(
        app, world, "Asso", "Premier texte, amendé.", "Premier texte de la section."
    )
    partner = logged_in(app, "asso@dep.test")
    assert _preview(partner, world.convention_id, data, "retour.docx").status_code == 200
    tasks.bind(app)
    tasks.purge_import_previews.call_local()
    assert len(_pending(app)) == 1  # younger than the hour: kept
    _age_all(app, 2)
    tasks.purge_import_previews.call_local()
    assert _pending(app) == []
