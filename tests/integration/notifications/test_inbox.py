"""The inbox as its reader uses it: the unread counter on every page, filters, marking
read one by one or all, following a notification; the same through the API; the e-mail
preferences; the unsubscribe link of a mail, without logging in."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.db import db_session
from app.models import Notification, NotificationPreference, OutboxMail
from tests.conftest import api_headers, logged_in, post_form
from workflows.notifications import Kind

DRAFTER = "redac@oph.test"


def _counter(html: str) -> int | None:
    found = re.search(r'class="counter" data-unread="(\d+)"', html)
    return int(found.group(1)) if found else None


def _unread(app, user_id: int) -> int:
    with app.app_context():
        return db_session().scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )


def _open_a_discussion(app, world, body: str = "Une question sur le texte.") -> None:
    signer = logged_in(app, "sign@epci.test")
    post_form(signer, f"/sections/{world.section_id}/threads", {"body": body})


def test_the_navigation_counts_the_unread_on_every_page(app, world):
    drafter = logged_in(app, DRAFTER)
    unread = _unread(app, world.users["redacteur"])
    assert unread >= 1  # the world's contribution and discussion told the drafter
    for page in ("/", f"/conventions/{world.convention_id}", f"/sections/{world.section_id}"):
        assert _counter(drafter.get(page).get_data(as_text=True)) == unread
    _open_a_discussion(app, world)
    assert _counter(drafter.get("/").get_data(as_text=True)) == unread + 1
    post_form(drafter, "/inbox/read")
    assert _counter(drafter.get("/").get_data(as_text=True)) is None


def test_the_inbox_filters_by_kind_convention_and_unread(app, world):
    _open_a_discussion(app, world, "Question filtrable.")
    drafter = logged_in(app, DRAFTER)
    html = drafter.get(f"/inbox?type={Kind.DISCUSSION_OPENED.value}").get_data(as_text=True)
    assert "a ouvert une discussion" in html
    assert "à examiner" not in html  # the contribution filed is another kind
    html = drafter.get(f"/inbox?type={Kind.CONTRIBUTION_FILED.value}").get_data(as_text=True)
    assert "à examiner" in html and "a ouvert une discussion" not in html
    html = drafter.get(f"/inbox?convention={world.other_convention_id}").get_data(as_text=True)
    assert "Aucune notification ne correspond" in html
    post_form(drafter, "/inbox/read")
    html = drafter.get("/inbox?non_lues=1").get_data(as_text=True)
    assert "Aucune notification ne correspond" in html


def test_one_notification_is_marked_read_or_followed_to_its_place(app, world):
    _open_a_discussion(app, world)
    drafter = logged_in(app, DRAFTER)
    with app.app_context():
        first, second = db_session().scalars(
            select(Notification)
            .where(Notification.user_id == world.users["redacteur"])
            .order_by(Notification.id.desc())
            .limit(2)
        )
        first_id, second_id, link = first.id, second.id, first.link
    before = _unread(app, world.users["redacteur"])
    response = post_form(drafter, f"/notifications/{second_id}/read")
    assert response.status_code == 303
    assert _unread(app, world.users["redacteur"]) == before - 1
    response = drafter.get(f"/notifications/{first_id}")
    assert response.status_code == 302 and response.headers["Location"] == link
    assert _unread(app, world.users["redacteur"]) == before - 2


def test_another_user_s_notification_is_out_of_reach(app, world):
    with app.app_context():
        theirs = db_session().scalar(
            select(Notification.id).where(Notification.user_id == world.users["redacteur"])
        )
    stranger = logged_in(app, "asso@dep.test")
    assert stranger.get(f"/notifications/{theirs}").status_code == 404
    assert post_form(stranger, f"/notifications/{theirs}/read").status_code == 404
    assert _unread(app, world.users["redacteur"]) >= 1


def test_the_api_lists_newest_first_and_marks_read(app, world):
    _open_a_discussion(app, world)
    client, headers = app.test_client(), api_headers(app, DRAFTER)
    body = client.get("/api/notifications", headers=headers).get_json()
    assert body["unread"] == _unread(app, world.users["redacteur"])
    ids = [n["id"] for n in body["notifications"]]
    assert ids == sorted(ids, reverse=True) and len(ids) >= 2
    first = body["notifications"][0]
    assert set(first) == {"id", "kind", "convention_id", "url", "summary", "read", "created_at"}
    assert first["kind"] == Kind.DISCUSSION_OPENED.value
    assert first["convention_id"] == world.convention_id
    assert first["url"].startswith("http://localhost/sections/")

    answer = client.post("/api/notifications/read", json={"ids": [ids[0]]}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["marked"] == 1
    unread = client.get("/api/notifications?unread=1", headers=headers).get_json()
    assert ids[0] not in [n["id"] for n in unread["notifications"]]
    assert unread["unread"] == body["unread"] - 1

    answer = client.post("/api/notifications/read", json={"all": True}, headers=headers)
    assert answer.get_json()["unread"] == 0


def test_the_api_refuses_bad_input_and_changes_nothing(app, world):
    client, headers = app.test_client(), api_headers(app, DRAFTER)
    before = _unread(app, world.users["redacteur"])
    for bad in ({}, {"ids": "1"}, {"ids": [1, "2"]}, {"ids": [True]}, {"all": True, "ids": [1]}):
        response = client.post("/api/notifications/read", json=bad, headers=headers)
        assert response.status_code == 400, bad
        assert "error" in response.get_json()
    assert client.get("/api/notifications?kind=nope", headers=headers).status_code == 400
    assert _unread(app, world.users["redacteur"]) == before
    # Someone else's ids are not marked (and not told apart from missing ones).
    with app.app_context():
        theirs = db_session().scalar(
            select(Notification.id).where(Notification.user_id == world.users["redacteur"])
        )
    other = api_headers(app, "asso@dep.test")
    answer = client.post("/api/notifications/read", json={"ids": [theirs]}, headers=other)
    assert answer.get_json()["marked"] == 0
    assert _unread(app, world.users["redacteur"]) == before


def test_preferences_are_kept_per_kind_on_the_page_and_through_the_api(app, world):
    drafter = logged_in(app, DRAFTER)
    html = drafter.get("/notifications/preferences").get_data(as_text=True)
    assert "Résumé hebdomadaire" in html
    post_form(
        drafter,
        "/notifications/preferences",
        {Kind.MENTION.value: "hebdomadaire", Kind.TRANSITION.value: "aucun"},
        page="/notifications/preferences",
    )
    client, headers = app.test_client(), api_headers(app, DRAFTER)
    listed = {
        p["kind"]: p
        for p in client.get("/api/notifications/preferences", headers=headers).get_json()[
            "preferences"
        ]
    }
    assert listed["mention"]["delivery"] == "hebdomadaire" and listed["mention"]["chosen"]
    assert listed["etape"]["delivery"] == "aucun"
    assert listed["contribution_deposee"]["delivery"] == "immediat"  # the default
    assert not listed["contribution_deposee"]["chosen"]

    answer = client.post(
        "/api/notifications/preferences",
        json={"preferences": {"mention": "quotidien"}},
        headers=headers,
    )
    assert answer.status_code == 200
    bad = client.post(
        "/api/notifications/preferences",
        json={"preferences": {"mention": "jamais"}},
        headers=headers,
    )
    assert bad.status_code == 400
    with app.app_context():
        stored = db_session().scalar(
            select(NotificationPreference.delivery).where(
                NotificationPreference.user_id == world.users["redacteur"],
                NotificationPreference.kind == "mention",
            )
        )
    assert stored == "quotidien"


def _mail_of_a_discussion(app, world) -> OutboxMail:
    _open_a_discussion(app, world)
    with app.app_context():
        return db_session().scalar(
            select(OutboxMail)
            .where(OutboxMail.user_id == world.users["redacteur"])
            .order_by(OutboxMail.id.desc())
        )


def _opted_out(app, world, kind: Kind) -> bool:
    with app.app_context():
        return (
            db_session().scalar(
                select(NotificationPreference.delivery).where(
                    NotificationPreference.user_id == world.users["redacteur"],
                    NotificationPreference.kind == kind.value,
                )
            )
            == "aucun"
        )


def test_the_unsubscribe_link_asks_then_turns_that_kind_off_without_login(app, world):
    mail = _mail_of_a_discussion(app, world)
    url = mail.headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")
    assert (
        url in mail.text_body
        and url.replace("&", "&amp;") in mail.html_body
        or url in mail.html_body
    )
    anonymous = app.test_client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Discussion ouverte" in page.get_data(as_text=True)
    assert not _opted_out(app, world, Kind.DISCUSSION_OPENED)  # a scanner's GET changes nothing
    assert 'name="csrf_token"' not in page.get_data(as_text=True)  # the token is the credential
    done = anonymous.post(url)
    assert done.status_code == 200 and "Désabonnement enregistré" in done.get_data(as_text=True)
    assert _opted_out(app, world, Kind.DISCUSSION_OPENED)
    assert not _opted_out(app, world, Kind.MENTION)  # only the kind of that mail


def test_a_mail_client_s_one_click_unsubscribe_needs_no_form(app, world):
    mail = _mail_of_a_discussion(app, world)
    url = mail.headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = app.test_client().post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _opted_out(app, world, Kind.DISCUSSION_OPENED)


def test_a_forged_unsubscribe_link_is_refused(app, world):
    mail = _mail_of_a_discussion(app, world)
    url = mail.headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert app.test_client().get(forged).status_code == 404
    assert app.test_client().post(forged).status_code == 404
    assert not _opted_out(app, world, Kind.DISCUSSION_OPENED)


def test_saving_the_page_leaves_untouched_kinds_at_their_default(app, world):
    observer = logged_in(app, "obs@obs.test")
    html = observer.get("/notifications/preferences").get_data(as_text=True)
    # The page as the browser posts it: every kind with its checked value, one changed.
    form = dict(re.findall(r'name="([a-z_]+)" value="([a-z]+)"[^>]*checked', html))
    # Every kind but the State's internal opinions, offered to the State's services alone.
    assert len(form) == len(Kind) - 1 and Kind.STATE_OPINION.value not in form
    form[Kind.TRANSITION.value] = "hebdomadaire"
    post_form(observer, "/notifications/preferences", form, page="/notifications/preferences")
    with app.app_context():
        stored = set(
            db_session().scalars(
                select(NotificationPreference.kind).where(
                    NotificationPreference.user_id == world.users["observateur"]
                )
            )
        )
    assert stored == {Kind.TRANSITION.value}  # the observateur opted in to that kind only
