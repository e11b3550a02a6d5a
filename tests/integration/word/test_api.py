"""The Word import through the API: an unchanged export changes nothing, partners'
revision marks become their contributions, unknown authors are asked for, drafters
import as revisions, comments become discussions; bad files refused with nothing
written; a new convention from a Word draft."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import docx
import pytest
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from app.contributions.operations import create_contribution, withdraw
from app.db import db_session
from app.models import CommentThread, Contribution, Convention
from app.sections import queries
from tests.conftest import api_headers
from tests.corpus import DOCX
from tests.factories import set_state, write
from tests.integration.word.helpers import (
    count,
    counts,
    draft,
    import_docx,
    partner_document,
    section_title,
    sections_of,
)
from workflows.lifecycle import ConventionState


def test_an_export_imported_back_unchanged_changes_nothing(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    data = client.get(f"/api/conventions/{world.convention_id}/export.docx", headers=headers).data
    before = counts(app)
    response = import_docx(client, headers, world.convention_id, data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    matched = [s for s in body["sections"] if s["section_id"]]
    assert len(matched) >= 5 and not body["missing_sections"]
    assert all(s["matched_by"] == "signet" and not s["changed"] for s in matched)
    assert all(not s["proposals"] for s in body["sections"])
    assert body["written"] == {
        "contributions": [],
        "threads": [],
        "revisions": [],
        "already_open": [],
    }
    assert counts(app)[0] == before[0] and counts(app)[2] == before[2]


def test_a_partners_revision_marks_become_their_contribution(app, world):
    proposal = "Premier texte de la section, revu par l'EPCI.\n\nUn ajout de l'EPCI."
    data = partner_document(app, world, "Sign", proposal, "Premier texte de la section.")
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    before = counts(app)
    preview = import_docx(client, headers, world.convention_id, data, dry_run="1")
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["authors"]["Sign"]["user_id"] == world.users["signataire"]
    (section,) = [s for s in body["sections"] if s["section_id"] == world.section_id]
    changes = section["proposals"]["Sign"]
    assert any("revu par l'EPCI" in text for text in changes["insertions"])
    assert "Un ajout de l'EPCI." in changes["insertions"]
    assert counts(app) == before  # a dry run writes nothing

    written = import_docx(client, headers, world.convention_id, data).get_json()["written"]
    (contribution_id,) = written["contributions"]
    with app.app_context():
        contribution = db_session().get(Contribution, contribution_id)
        assert contribution.author_id == world.users["signataire"]
        assert contribution.base_number == 1 and contribution.body == proposal
        assert "retour.docx" in contribution.rationale and "Sign" in contribution.rationale
    # The same document again: that proposal is open already, nothing is doubled.
    again = import_docx(client, headers, world.convention_id, data).get_json()["written"]
    assert again["contributions"] == [] and again["already_open"] == ["Sign"]


def test_unknown_authors_are_asked_for_and_partners_attribute_only_to_themselves(app, world):
    data = partner_document(
        app, world, "Unknown Author", "Premier texte, autrement.", "Premier texte de la section."
    )
    client = app.test_client()
    drafter = api_headers(app, "redac@oph.test")
    before = counts(app)
    refused = import_docx(client, drafter, world.convention_id, data)
    assert refused.status_code == 400
    assert "« Unknown Author »" in refused.get_json()["error"]
    assert counts(app) == before
    mapping = json.dumps({"Unknown Author": world.users["associe"]})
    done = import_docx(client, drafter, world.convention_id, data, authors=mapping)
    assert done.status_code == 201 and len(done.get_json()["written"]["contributions"]) == 1
    # A partner may not put words in another member's mouth.
    partner = api_headers(app, "asso@dep.test")
    other = json.dumps({"Unknown Author": world.users["signataire"]})
    assert import_docx(client, partner, world.convention_id, data, authors=other).status_code == 403
    mine = json.dumps({"Unknown Author": world.users["associe"]})
    assert import_docx(client, partner, world.convention_id, data, authors=mine).status_code == 201
    # Someone outside the convention is no member to attribute to.
    outsider = json.dumps({"Unknown Author": world.users["outsider"]})
    assert (
        import_docx(client, drafter, world.convention_id, data, authors=outsider).status_code == 400
    )


def test_a_document_edited_without_marks_is_compared_with_its_exported_revision(app, world):
    client = app.test_client()
    headers = api_headers(app, "sign@epci.test")
    data = client.get(f"/api/conventions/{world.convention_id}/export.docx", headers=headers).data
    document = docx.Document(io.BytesIO(data))
    paragraph = next(p for p in document.paragraphs if p.text == "Premier texte de la section.")
    paragraph.runs[0].text = "Premier texte de la section, corrigé sans suivi."
    edited = io.BytesIO()
    document.save(edited)
    with app.app_context():  # the section moves on after the export
        write(world.section_id, world.users["redacteur"], "Texte plus récent.", "v2")
    response = import_docx(client, headers, world.convention_id, edited.getvalue())
    assert response.status_code == 201, response.get_json()
    (contribution_id,) = response.get_json()["written"]["contributions"]
    with app.app_context():
        contribution = db_session().get(Contribution, contribution_id)
        assert contribution.author_id == world.users["signataire"]
        assert contribution.base_number == 1  # the revision it was exported from
        assert contribution.body == "Premier texte de la section, corrigé sans suivi."


def test_drafters_may_import_as_new_revisions(app, world):
    data = partner_document(
        app,
        world,
        "Redac",
        "Premier texte de la section, version finale.",
        "Premier texte de la section.",
    )
    client = app.test_client()
    partner = api_headers(app, "asso@dep.test")
    mine = json.dumps({"Redac": world.users["associe"]})
    refused = import_docx(
        client, partner, world.convention_id, data, mode="revisions", authors=mine
    )
    assert refused.status_code == 403  # may_import_as_revisions: the drafters
    drafter = api_headers(app, "redac@oph.test")
    done = import_docx(client, drafter, world.convention_id, data, mode="revisions")
    assert done.status_code == 201
    assert done.get_json()["written"]["revisions"] == [
        {"section_id": world.section_id, "number": 2}
    ]
    with app.app_context():
        assert (
            queries.revision(world.section_id, 2).body
            == "Premier texte de la section, version finale."
        )


def test_comments_become_discussions_on_their_passage(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    data = client.get(
        f"/api/conventions/{world.convention_id}/export.docx?comments=1", headers=headers
    ).data
    # The discussion the export wrote comes back as itself: nothing doubled.
    same = import_docx(client, headers, world.convention_id, data, name="commentaires.docx")
    assert same.status_code == 201 and same.get_json()["written"]["threads"] == []
    # Attributed to someone else, the same words are another discussion, on their passage.
    other = json.dumps({"Asso": world.users["signataire"]})
    response = import_docx(
        client, headers, world.convention_id, data, name="commentaires.docx", authors=other
    )
    assert response.status_code == 201, response.get_json()
    (thread_id,) = response.get_json()["written"]["threads"]
    with app.app_context():
        thread = db_session().get(CommentThread, thread_id)
        assert thread.section_id == world.section_id and thread.quote == "texte"
        assert thread.comments[0].body == "Une question sur ce passage."
        assert thread.author_id == world.users["signataire"]


# --- bad input ---------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def _bad_files(app, world) -> dict[str, tuple[str, bytes, str]]:
    good = (
        app.test_client()
        .get(
            f"/api/conventions/{world.convention_id}/export.docx",
            headers=api_headers(app, "redac@oph.test"),
        )
        .data
    )
    parts = {
        name: zipfile.ZipFile(io.BytesIO(good)).read(name)
        for name in zipfile.ZipFile(io.BytesIO(good)).namelist()
    }
    doctype = dict(parts)
    doctype["word/document.xml"] = parts["word/document.xml"].replace(
        b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1
    )
    macro = dict(parts)
    macro["word/vbaProject.bin"] = b"\x00" * 100
    no_headings = docx.Document()
    no_headings.add_paragraph("Un texte sans aucun titre.")
    plain = io.BytesIO()
    no_headings.save(plain)
    return {
        "not a zip": ("retour.docx", b"ceci n'est pas une archive", "archive ZIP"),
        "empty": ("retour.docx", b"", "vide"),
        "zip bomb": ("retour.docx", _zip({"word/document.xml": b"a" * 50_000_000}), "anormal"),
        "macros by name": ("retour.docm", good, "macros"),
        "macros inside": ("retour.docx", _zip(macro), "macros"),
        "doctype": ("retour.docx", _zip(doctype), "DOCTYPE"),
        "old word": ("retour.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "ancien"),
        "not docx": ("retour.pdf", good, ".docx"),
        "no headings": ("retour.docx", plain.getvalue(), "aucun titre"),
    }


def test_bad_files_get_a_clear_error_and_nothing_is_written(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    before = counts(app)
    for case, (name, data, expected) in _bad_files(app, world).items():
        response = import_docx(client, headers, world.convention_id, data, name=name)
        body = response.get_json()
        assert response.status_code == 400, (case, body)
        assert expected in body["error"] and name in body["error"], (case, body)
    huge = import_docx(client, headers, world.convention_id, b"0" * (100 * 1024 * 1024))
    assert huge.status_code == 413 and "error" in huge.get_json()
    assert counts(app) == before


def test_import_is_refused_once_contributions_are_closed(app, world):
    data = partner_document(app, world, "Sign", "Autre texte.", "Premier texte de la section.")
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    before = counts(app)
    response = import_docx(
        app.test_client(), api_headers(app, "redac@oph.test"), world.convention_id, data
    )
    assert response.status_code == 409 and "error" in response.get_json()
    assert counts(app) == before


@pytest.mark.skipif(not DOCX.exists(), reason=f"real .docx files not found at {DOCX}")
def test_real_documents_without_sections_get_a_clear_error(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    before = counts(app)
    for name in ("word2016-two-authors-paragraphs.docx", "libreoffice-two-authors-comments.docx"):
        data = (DOCX / name).read_bytes()
        response = import_docx(client, headers, world.convention_id, data, name=name)
        assert response.status_code == 400
        assert (
            "aucun titre" in response.get_json()["error"] and name in response.get_json()["error"]
        )
    assert counts(app) == before


def test_a_word_draft_becomes_a_new_convention(app, world):
    client = app.test_client()
    drafter = api_headers(app, "redac@oph.test")
    form = {"kind": "cus", "title": "CUS depuis Word", "start_year": "2025"}
    conventions = count(app, Convention)
    dry = client.post(
        "/api/conventions/import.docx",
        data={**form, "dry_run": "1", "file": (io.BytesIO(draft()), "projet.docx")},
        headers=drafter,
        content_type="multipart/form-data",
    )
    assert dry.status_code == 200 and count(app, Convention) == conventions
    assert [(s["title"], s["standard"]) for s in dry.get_json()["sections"]] == [
        ("1. État des lieux", True),
        ("Qualité du service rendu aux locataires", True),
        ("Annexe locale", False),
    ]
    response = client.post(
        "/api/conventions/import.docx",
        data={**form, "file": (io.BytesIO(draft()), "projet.docx")},
        headers=drafter,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    sections = sections_of(app, created["convention_id"])
    assert sections["État des lieux"] == "Le parc compte 8 400 logements."
    assert sections["Qualité du service rendu aux locataires"] == (
        "- Enquête tous les deux ans ;\n- astreinte le week-end."
    )
    assert sections["Annexe locale"] == "Un engagement propre au territoire."
    assert [s["title"] for s in created["sections"] if s["added"]] == ["Annexe locale"]
    assert "Classement des immeubles" in sections  # the standard sections stay

    partner = api_headers(app, "sign@epci.test")  # an EPCI creates no convention
    refused = client.post(
        "/api/conventions/import.docx",
        data={**form, "file": (io.BytesIO(draft()), "projet.docx")},
        headers=partner,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    plain = docx.Document()
    plain.add_paragraph("Aucun titre ici.")
    empty = io.BytesIO()
    plain.save(empty)
    no_headings = client.post(
        "/api/conventions/import.docx",
        data={**form, "file": (io.BytesIO(empty.getvalue()), "plat.docx")},
        headers=drafter,
        content_type="multipart/form-data",
    )
    assert no_headings.status_code == 400 and "aucun titre" in no_headings.get_json()["error"]
    assert count(app, Convention) == conventions + 1  # the draft above; nothing half-created


def test_revisions_from_an_older_export_keep_what_was_saved_since(app, world):
    base = "Premier texte de la section."
    data = partner_document(app, world, "Redac", "Premier texte de la section, repris.", base)
    with app.app_context():  # the drafter goes on after the export
        write(world.section_id, world.users["redacteur"], base + "\n\nAjouté en r2.", "r2")
    drafter = api_headers(app, "redac@oph.test")
    done = import_docx(app.test_client(), drafter, world.convention_id, data, mode="revisions")
    assert done.status_code == 201, done.get_json()
    with app.app_context():
        body = queries.revision(world.section_id, 3).body
    assert body == "Premier texte de la section, repris.\n\nAjouté en r2."
    # Where the document and the newer revision change the same words: refused, not lost.
    clash = partner_document(app, world, "Redac", "Autre premier texte.", base)
    with app.app_context():
        write(world.section_id, world.users["redacteur"], "Texte réécrit.", "r4")
    before = counts(app)
    refused = import_docx(app.test_client(), drafter, world.convention_id, clash, mode="revisions")
    assert refused.status_code == 400 and "contributions" in refused.get_json()["error"]
    assert counts(app) == before


def test_an_open_proposal_written_otherwise_is_recognised_when_it_comes_back(app, world):
    with app.app_context():
        associe = world.user("associe")
        # One open proposal of theirs on the section: Word knows authors, not proposals,
        # so an author's several proposals on one section come back as one.
        withdraw(world.contribution_id, associe)
        create_contribution(
            world.section_id, associe, 1, "Premier texte de la section.\n\n* un\n* __deux__", "x"
        )
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    data = client.get(
        f"/api/conventions/{world.convention_id}/export.docx?tracked=1", headers=headers
    ).data
    written = import_docx(client, headers, world.convention_id, data).get_json()["written"]
    assert written["contributions"] == []
    assert written["already_open"] == ["Asso"]


def _with_replies(app, world, reply_first: bool = False) -> bytes:
    """A document as Word 2013+ writes a discussion: a comment, a reply to it (linked in
    commentsExtended.xml) marked done, and an outline-numbered heading inside."""
    title = section_title(app, world.section_id)
    document = docx.Document()
    heading = document.add_paragraph(title, style="Heading 1")
    numbering = OxmlElement("w:numPr")  # numbered headings, as administrations number them
    for tag, value in (("w:ilvl", "0"), ("w:numId", "1")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        numbering.append(element)
    heading._p.get_or_add_pPr().append(numbering)
    paragraph = document.add_paragraph("Premier texte de la section.")
    if reply_first:  # some files list a reply before the comment it answers
        second = document.add_comment(paragraph.runs, text="Oui, chiffres 2024.", author="Redac")
        first = document.add_comment(paragraph.runs, text="Est-ce à jour ?", author="Asso")
    else:
        first = document.add_comment(paragraph.runs, text="Est-ce à jour ?", author="Asso")
        second = document.add_comment(paragraph.runs, text="Oui, chiffres 2024.", author="Redac")
    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}paraId"
    first._comment_elm.findall(qn("w:p"))[-1].set(w14, "0000AAAA")
    second._comment_elm.findall(qn("w:p"))[-1].set(w14, "0000BBBB")
    extended = (
        b'<w15:commentsEx xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        + (
            b'<w15:commentEx w15:paraId="0000AAAA"/>'
            if reply_first
            else b'<w15:commentEx w15:paraId="0000AAAA" w15:done="1"/>'
        )
        + b'<w15:commentEx w15:paraId="0000BBBB" w15:paraIdParent="0000AAAA" w15:done="1"/>'
        b"</w15:commentsEx>"
    )
    part = Part(
        PackURI("/word/commentsExtended.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
        extended,
        document.part.package,
    )
    document.part.relate_to(
        part, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
    )
    document.add_paragraph("Détail", style="Heading 2")._p.get_or_add_pPr().append(
        copy.deepcopy(numbering)
    )
    document.add_paragraph("Un paragraphe sous un titre numéroté.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_replies_in_word_stay_in_one_discussion(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    data = _with_replies(app, world)
    preview = import_docx(client, headers, world.convention_id, data, dry_run="1").get_json()
    (section,) = [s for s in preview["sections"] if s["section_id"] == world.section_id]
    first, second = section["comments"]
    assert second["reply_to"] == first["id"] and first["done"]
    # The numbered "Détail" is a heading of the section, not a list item.
    inserted = section["proposals"]["(sans marques de révision)"]["insertions"]
    assert "# Détail" in inserted and not any(text.startswith(("1.", "-")) for text in inserted)
    written = import_docx(client, headers, world.convention_id, data).get_json()["written"]
    (thread_id,) = written["threads"]
    with app.app_context():
        thread = db_session().get(CommentThread, thread_id)
        assert [c.body for c in thread.comments] == ["Est-ce à jour ?", "Oui, chiffres 2024."]
        assert [c.author_id for c in thread.comments] == [
            world.users["associe"],
            world.users["redacteur"],
        ]
        assert thread.resolved


def test_a_reply_listed_before_its_comment_and_done_alone_resolves_nothing(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    data = _with_replies(app, world, reply_first=True)
    written = import_docx(client, headers, world.convention_id, data).get_json()["written"]
    (thread_id,) = written["threads"]  # one discussion, not one per comment
    with app.app_context():
        thread = db_session().get(CommentThread, thread_id)
        assert [c.body for c in thread.comments] == ["Est-ce à jour ?", "Oui, chiffres 2024."]
        assert not thread.resolved  # only the discussion's first comment says it is done


def test_an_upload_without_a_file_name_is_read_as_a_word_document(app, world):
    client = app.test_client()
    headers = api_headers(app, "redac@oph.test")
    exported = client.get(
        f"/api/conventions/{world.convention_id}/export.docx", headers=headers
    ).data
    response = import_docx(client, headers, world.convention_id, exported, name="", dry_run="1")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sections"]
