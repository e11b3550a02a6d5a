"""Each event, done through its page (CSRF on), tells exactly the people it concerns:
never the actor, an observateur only of what they chose, with a link to the place."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.db import db_session
from app.models import Meeting, Notification, OutboxMail, User
from app.notifications.operations import set_preferences
from tests.conftest import csrf_token, edit_section, logged_in, post_form
from tests.factories import add_member, make_user, set_state
from tests.integration.word.helpers import partner_document
from workflows.conventions import OrganisationKind
from workflows.lifecycle import ConventionState
from workflows.notifications import Delivery, Kind
from workflows.permissions import Role

EMAILS = {
    "redacteur": "redac@oph.test",
    "signataire": "sign@epci.test",
    "associe": "asso@dep.test",
    "observateur": "obs@obs.test",
}


def _last_id(app) -> int:
    with app.app_context():
        return db_session().scalar(select(func.max(Notification.id))) or 0


def _told(app, since: int, kind: Kind) -> dict[str, list[Notification]]:
    """The notifications of ``kind`` written after id ``since``, by reader's e-mail."""
    with app.app_context():
        rows = db_session().execute(
            select(User.email, Notification)
            .join(User, User.id == Notification.user_id)
            .where(Notification.id > since, Notification.kind == kind.value)
        )
        result: dict[str, list[Notification]] = {}
        for email, notification in rows:
            result.setdefault(email, []).append(notification)
        return result


def test_a_contribution_filed_tells_the_drafters_and_its_decision_tells_its_author(app, world):
    start = _last_id(app)
    partner = logged_in(app, EMAILS["associe"])
    response = post_form(
        partner,
        f"/sections/{world.section_id}/contributions/new",
        {"base_revision": "1", "body": "Premier texte, précisé.", "rationale": "Plus clair."},
    )
    assert response.status_code in (302, 303)
    filed = _told(app, start, Kind.CONTRIBUTION_FILED)
    assert set(filed) == {EMAILS["redacteur"]}
    (notice,) = filed[EMAILS["redacteur"]]
    assert notice.link.startswith("/contributions/")
    assert "à examiner" in notice.text
    contribution_id = int(notice.link.rsplit("/", 1)[1])

    start = _last_id(app)
    drafter = logged_in(app, EMAILS["redacteur"])
    response = post_form(
        drafter, f"/contributions/{contribution_id}/reject", {"reason": "Hors du sujet."}
    )
    assert response.status_code in (302, 303)
    decided = _told(app, start, Kind.CONTRIBUTION_DECIDED)
    assert set(decided) == {EMAILS["associe"]}
    assert "Hors du sujet." in decided[EMAILS["associe"]][0].text
    assert decided[EMAILS["associe"]][0].link == f"/contributions/{contribution_id}"


def test_treated_and_partly_accepted_contributions_tell_their_author_with_the_note(app, world):
    drafter = logged_in(app, EMAILS["redacteur"])
    start = _last_id(app)
    post_form(drafter, f"/contributions/{world.contribution_id}/treat", {"note": "Repris en 3.2."})
    decided = _told(app, start, Kind.CONTRIBUTION_DECIDED)
    assert set(decided) == {EMAILS["associe"]}
    assert "Repris en 3.2." in decided[EMAILS["associe"]][0].text


def test_a_position_tells_the_drafters_and_a_disagreement_the_other_signatories(app, world):
    with app.app_context():
        second = make_user("prefet@ddt.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, second)
    drafter = logged_in(app, EMAILS["redacteur"])
    post_form(drafter, f"/sections/{world.section_id}/review")
    signer = logged_in(app, EMAILS["signataire"])

    start = _last_id(app)
    post_form(signer, f"/sections/{world.section_id}/position", {"position": "accord"})
    assert set(_told(app, start, Kind.POSITION)) == {EMAILS["redacteur"]}

    start = _last_id(app)
    post_form(
        signer,
        f"/sections/{world.section_id}/position",
        {"position": "desaccord", "text": "Les objectifs sont trop faibles."},
    )
    told = _told(app, start, Kind.POSITION)
    assert set(told) == {EMAILS["redacteur"], "prefet@ddt.test"}
    assert "Les objectifs sont trop faibles." in told["prefet@ddt.test"][0].text
    assert told[EMAILS["redacteur"]][0].link == f"/sections/{world.section_id}#revue"


def test_a_review_request_tells_each_signatory_who_has_not_taken_position(app, world):
    with app.app_context():
        second = make_user("prefet@ddt.test", "DDT Test", OrganisationKind.DDT)
        add_member(world.convention_id, Role.SIGNATAIRE, second)
    drafter = logged_in(app, EMAILS["redacteur"])
    start = _last_id(app)
    post_form(drafter, f"/sections/{world.section_id}/review")
    asked = _told(app, start, Kind.REVIEW_REQUESTED)
    assert set(asked) == {EMAILS["signataire"], "prefet@ddt.test"}
    assert asked["prefet@ddt.test"][0].link == f"/sections/{world.section_id}#revue"


def test_validation_and_return_to_draft_tell_drafters_and_signatories(app, world):
    drafter = logged_in(app, EMAILS["redacteur"])
    post_form(drafter, f"/sections/{world.section_id}/review")
    signer = logged_in(app, EMAILS["signataire"])
    start = _last_id(app)
    post_form(signer, f"/sections/{world.section_id}/position", {"position": "accord"})
    validated = _told(app, start, Kind.SECTION_REVIEWED)
    assert set(validated) == {EMAILS["redacteur"]}  # the signatory validated it themselves
    assert "validée" in validated[EMAILS["redacteur"]][0].text

    start = _last_id(app)
    response = edit_section(drafter, world.section_id, 1, "Un autre texte.", "v2")
    assert response.status_code in (302, 303)
    back_to_draft = _told(app, start, Kind.SECTION_REVIEWED)
    assert set(back_to_draft) == {EMAILS["signataire"]}


def test_discussions_tell_their_participants_and_mentions_the_member_named(app, world):
    signer = logged_in(app, EMAILS["signataire"])
    start = _last_id(app)
    response = post_form(
        signer,
        f"/sections/{world.section_id}/threads",
        {"body": "D'où vient ce chiffre ? @Asso, vous l'avez ?", "quote": "Premier texte"},
    )
    assert response.status_code in (302, 303)
    opened = _told(app, start, Kind.DISCUSSION_OPENED)
    assert set(opened) == {EMAILS["redacteur"]}
    link = opened[EMAILS["redacteur"]][0].link
    assert link.startswith(f"/sections/{world.section_id}#fil-")
    mentioned = _told(app, start, Kind.MENTION)
    assert set(mentioned) == {EMAILS["associe"]}
    assert mentioned[EMAILS["associe"]][0].link == link
    thread_id = int(link.rsplit("-", 1)[1])

    drafter = logged_in(app, EMAILS["redacteur"])
    start = _last_id(app)
    post_form(drafter, f"/threads/{thread_id}/reply", {"body": "Du bilan 2024."})
    replied = _told(app, start, Kind.REPLY)
    assert set(replied) == {EMAILS["signataire"]}

    start = _last_id(app)
    post_form(drafter, f"/threads/{thread_id}/resolve", {"resolved": "1"})
    resolved = _told(app, start, Kind.DISCUSSION_RESOLVED)
    assert set(resolved) == {EMAILS["signataire"]}


def test_nobody_is_told_of_their_own_action(app, world):
    drafter = logged_in(app, EMAILS["redacteur"])
    start = _last_id(app)
    post_form(drafter, f"/sections/{world.section_id}/threads", {"body": "Note pour moi."})
    with app.app_context():
        mine = db_session().scalar(
            select(func.count(Notification.id)).where(
                Notification.id > start, Notification.user_id == world.users["redacteur"]
            )
        )
    assert mine == 0


def test_a_transition_tells_every_member_and_an_observateur_only_when_chosen(app, world):
    drafter = logged_in(app, EMAILS["redacteur"])
    # Back to association, then forward: two transitions the guards allow.
    with app.app_context():
        set_state(world.convention_id, ConventionState.NEGOCIATION)
    start = _last_id(app)
    response = post_form(
        drafter, f"/conventions/{world.convention_id}/transition", {"to": "association"}
    )
    assert response.status_code in (302, 303)
    told = _told(app, start, Kind.TRANSITION)
    assert set(told) == {EMAILS["signataire"], EMAILS["associe"]}

    with app.app_context():
        set_preferences(world.users["observateur"], {Kind.TRANSITION: Delivery.WEEKLY})
    start = _last_id(app)
    post_form(drafter, f"/conventions/{world.convention_id}/transition", {"to": "negociation"})
    told = _told(app, start, Kind.TRANSITION)
    assert set(told) == {EMAILS["signataire"], EMAILS["associe"], EMAILS["observateur"]}
    assert told[EMAILS["observateur"]][0].delivery == Delivery.WEEKLY.value


def test_a_signature_tells_the_drafters_and_the_signatories(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    signer = logged_in(app, EMAILS["signataire"])
    start = _last_id(app)
    response = post_form(
        signer,
        f"/conventions/{world.convention_id}/sign",
        {"signed_on": date.today().isoformat()},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    told = _told(app, start, Kind.SIGNATURE)
    assert set(told) == {EMAILS["redacteur"]}
    assert told[EMAILS["redacteur"]][0].link == f"/conventions/{world.convention_id}#signatures"


def test_a_member_added_is_told(app, world):
    with app.app_context():
        make_user("newcomer@commune.test", "Commune Test", OrganisationKind.COMMUNE)
    drafter = logged_in(app, EMAILS["redacteur"])
    start = _last_id(app)
    response = post_form(
        drafter,
        f"/conventions/{world.convention_id}/members/add",
        {"user_email": "newcomer@commune.test", "role": "associe", "organisation_id": ""},
    )
    assert response.status_code in (302, 303)
    told = _told(app, start, Kind.MEMBERSHIP)
    assert set(told) == {"newcomer@commune.test"}
    assert "associé" in told["newcomer@commune.test"][0].text


def test_documents_sent_for_a_meeting_tell_the_invited_organisations(app, world):
    drafter = logged_in(app, EMAILS["redacteur"])
    with app.app_context():
        epci = db_session().get(User, world.users["signataire"]).organisation_id
    response = post_form(
        drafter,
        f"/conventions/{world.convention_id}/meetings",
        {"title": "Comité de pilotage", "meeting_on": "2026-12-20", "place": "", "invited": epci},
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        meeting = db_session().scalar(select(Meeting).where(Meeting.title == "Comité de pilotage"))
    start = _last_id(app)
    post_form(
        drafter,
        f"/conventions/{world.convention_id}/meetings/{meeting.id}/documents",
        {"title": "Projet de CUS v3", "sent_on": "2026-12-01"},
    )
    told = _told(app, start, Kind.MEETING_DOCUMENTS)
    assert set(told) == {EMAILS["signataire"]}
    assert told[EMAILS["signataire"]][0].link.endswith(f"#reunion-{meeting.id}")


@pytest.mark.parametrize(
    ("delivery", "mails"), [(Delivery.IMMEDIATE, 1), (Delivery.DAILY, 0), (Delivery.OFF, 0)]
)
def test_each_reader_s_choice_decides_whether_the_mail_is_written_now(app, world, delivery, mails):
    with app.app_context():
        set_preferences(world.users["redacteur"], {Kind.DISCUSSION_OPENED: delivery})
        before = db_session().scalar(select(func.max(OutboxMail.id))) or 0
    signer = logged_in(app, EMAILS["signataire"])
    post_form(signer, f"/sections/{world.section_id}/threads", {"body": "Une question."})
    with app.app_context():
        written = list(db_session().scalars(select(OutboxMail).where(OutboxMail.id > before)))
        notice = db_session().scalar(
            select(Notification)
            .where(Notification.user_id == world.users["redacteur"])
            .order_by(Notification.id.desc())
        )
    assert len(written) == mails
    assert notice.delivery == delivery.value
    if mails:
        (mail,) = written
        assert "redac@oph.test" in mail.recipient
        assert "CUS test" in mail.subject
        assert f"/sections/{world.section_id}#fil-" in mail.text_body
        assert "/notifications/desabonnement/" in mail.headers["List-Unsubscribe"]
        assert mail.status == "pending"


def test_an_event_that_fails_writes_neither_notification_nor_mail(app, world):
    signer = logged_in(app, EMAILS["signataire"])
    with app.app_context():
        notices = db_session().scalar(select(func.count(Notification.id)))
        mails = db_session().scalar(select(func.count(OutboxMail.id)))
    response = post_form(signer, f"/sections/{world.section_id}/threads", {"body": "   "})
    assert response.status_code in (302, 303, 400)
    with app.app_context():
        assert db_session().scalar(select(func.count(Notification.id))) == notices
        assert db_session().scalar(select(func.count(OutboxMail.id))) == mails


def test_a_word_import_tells_the_person_it_writes_in_the_name_of(app, world):
    data = partner_document(
        app,
        world,
        "Unknown Author",
        "Premier texte, vu par l'EPCI.",
        "Premier texte de la section.",
    )
    client = logged_in(app, EMAILS["redacteur"])
    page = f"/conventions/{world.convention_id}/import"
    token = csrf_token(client, page)
    preview = client.post(
        page,
        data={"csrf_token": token, "file": (io.BytesIO(data), "epci.docx")},
        content_type="multipart/form-data",
    )
    import_token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True))
    start = _last_id(app)
    done = client.post(
        page,
        data={
            "csrf_token": token,
            "token": import_token.group(1),
            "author-Unknown Author": str(world.users["signataire"]),
        },
    )
    assert done.status_code == 303
    told = _told(app, start, Kind.WORD_IMPORT)
    assert set(told) == {EMAILS["signataire"]}
    assert "epci.docx" in told[EMAILS["signataire"]][0].text
    assert told[EMAILS["signataire"]][0].link.startswith("/contributions/")
    # The importer filed it: the drafters are not told of their own import.
    filed = _told(app, start, Kind.CONTRIBUTION_FILED)
    assert EMAILS["redacteur"] not in filed


def test_an_avenant_tells_every_party(app, world):
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
    signer = logged_in(app, EMAILS["signataire"])
    post_form(
        signer, f"/conventions/{world.convention_id}/sign", {"signed_on": date.today().isoformat()}
    )
    drafter = logged_in(app, EMAILS["redacteur"])
    post_form(
        drafter, f"/conventions/{world.convention_id}/sign", {"signed_on": date.today().isoformat()}
    )
    response = post_form(
        drafter, f"/conventions/{world.convention_id}/transition", {"to": "signee"}
    )
    assert response.status_code in (302, 303)
    start = _last_id(app)
    response = post_form(
        drafter, f"/conventions/{world.convention_id}/avenant", {"title": "Avenant n° 1"}
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    told = _told(app, start, Kind.AVENANT)
    assert set(told) == {EMAILS["signataire"], EMAILS["associe"]}
    assert "Avenant n° 1" in told[EMAILS["associe"]][0].text


def test_the_opening_decision_tells_the_partners_what_the_association_will_ask(app, world):
    """Partners were never told that the drafting was open nor on what terms."""
    with app.app_context():
        orgs = {
            email: db_session().scalar(select(User.organisation_id).where(User.email == email))
            for email in EMAILS.values()
        }
    drafter = logged_in(app, EMAILS["redacteur"])
    start = _last_id(app)
    form = {
        "instance": "conseil_administration",
        "decided_on": "2026-01-15",
        "min_meetings": "2",
        "notice_days": "",
        "notified_prefet": "2026-01-20",
        f"notified_{orgs[EMAILS['signataire']]}": "2026-01-20",
    }
    url = f"/conventions/{world.convention_id}/association/decision"
    assert post_form(drafter, url, form).status_code == 303
    told = _told(app, start, Kind.ASSOCIATION_OPENED)
    # The partners, not the organisme's people nor an observateur who did not ask.
    assert set(told) == {EMAILS["signataire"], EMAILS["associe"]}
    notice = told[EMAILS["associe"]][0]
    assert "15/01/2026" in notice.text and "2 réunions" in notice.text
    assert notice.link.endswith("/association#decision")
    # A correction is not a new opening: nobody is told twice.
    start = _last_id(app)
    assert post_form(drafter, url, {**form, "min_meetings": "3"}).status_code == 303
    assert _told(app, start, Kind.ASSOCIATION_OPENED) == {}


def test_a_meeting_to_come_convenes_the_invited_and_a_past_one_tells_nobody(app, world):
    with app.app_context():
        epci = db_session().get(User, world.users["signataire"]).organisation_id
    drafter = logged_in(app, EMAILS["redacteur"])
    url = f"/conventions/{world.convention_id}/meetings"
    start = _last_id(app)
    coming = (date.today() + timedelta(days=40)).isoformat()
    form = {"title": "Orientations", "meeting_on": coming, "place": "Blois", "invited": epci}
    assert post_form(drafter, url, form).status_code in (302, 303)
    told = _told(app, start, Kind.MEETING_INVITED)
    assert set(told) == {EMAILS["signataire"]}
    assert "Orientations" in told[EMAILS["signataire"]][0].text
    assert "(Blois)" in told[EMAILS["signataire"]][0].text
    assert "#reunion-" in told[EMAILS["signataire"]][0].link

    start = _last_id(app)
    past = (date.today() - timedelta(days=10)).isoformat()
    form = {"title": "État des lieux", "meeting_on": past, "place": "", "invited": epci}
    assert post_form(drafter, url, form).status_code in (302, 303)
    assert _told(app, start, Kind.MEETING_INVITED) == {}


def test_the_note_d_enjeux_tells_every_party(app, world):
    with app.app_context():
        add_member(
            world.convention_id,
            Role.SIGNATAIRE,
            make_user("ddt@etat.test", "DDT", OrganisationKind.DDT),
        )
    state = logged_in(app, "ddt@etat.test")
    start = _last_id(app)
    url = f"/conventions/{world.convention_id}/note-enjeux"
    response = state.post(
        url,
        data={
            "csrf_token": csrf_token(state, url),
            "noted_on": (date.today() - timedelta(days=2)).isoformat(),
            "points-0-kind": "enjeu",
            "points-0-text": "Produire des PLAI dans les communes déficitaires.",
            "points-0-sections": [str(world.section_id)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    told = _told(app, start, Kind.NOTE_ENJEUX)
    assert set(told) == {EMAILS["redacteur"], EMAILS["signataire"], EMAILS["associe"]}
    assert told[EMAILS["redacteur"]][0].link.endswith("#note-enjeux")
