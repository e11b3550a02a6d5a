"""Discussions as in a word processor: a passage selected in the rendered text (no
Markdown markers in it) is anchored with the words around it, highlighted on the page,
and "@" names a member, whose mention is recorded."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from app.db import db_session
from app.models import CommentThread, Mention
from tests.conftest import logged_in, post_form
from tests.factories import write

BODY = (
    "## Occupation\n\n"
    "Le taux de **vacance** commerciale atteint 2,1 %.\n\n"
    "Le taux de vacance baisse depuis 2022."
)


def _section_with_markup(app, world) -> None:
    with app.app_context():
        write(world.section_id, world.users["redacteur"], BODY)


def test_a_selected_passage_is_anchored_without_its_markers_and_shown_on_the_page(app, world):
    _section_with_markup(app, world)
    partner = logged_in(app, "asso@dep.test")
    page = f"/sections/{world.section_id}"
    response = post_form(
        partner,
        f"{page}/threads",
        {
            "body": "D'où vient ce chiffre ?",
            "quote": "taux de vacance commerciale",
            "before": "Occupation Le ",
            "after": " atteint 2,1 %.",
            "revision_number": "2",
        },
        page=page,
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        thread = (
            db_session()
            .scalars(
                select(CommentThread).where(CommentThread.quote == "taux de vacance commerciale")
            )
            .one()
        )
        assert thread.suffix.startswith(" atteint 2,1 %") and "Occupation" in thread.prefix
    html = partner.get(page).get_data(as_text=True)
    # The page gives the script what it highlights, and the text the reader selects in.
    found = re.search(rf'id="fil-{thread.id}" data-quote="([^"]+)" data-prefix="([^"]*)"', html)
    assert found and unescape(found.group(1)) == "taux de vacance commerciale"
    assert 'data-commentable="nouveau-fil"' in html and 'id="quote-before"' in html
    assert "détaché" not in html.split(f'id="fil-{thread.id}"', 1)[1].split("</article>", 1)[0]


def test_a_repeated_passage_is_told_apart_by_the_words_around_the_selection(app, world):
    _section_with_markup(app, world)
    partner = logged_in(app, "asso@dep.test")
    page = f"/sections/{world.section_id}"
    post_form(
        partner,
        f"{page}/threads",
        {
            "body": "Depuis quand exactement ?",
            "quote": "taux de vacance",
            "before": "atteint 2,1 %. Le ",
            "after": " baisse depuis",
            "revision_number": "2",
        },
        page=page,
    )
    with app.app_context():
        thread = (
            db_session()
            .scalars(select(CommentThread).where(CommentThread.quote == "taux de vacance"))
            .one()
        )
        assert thread.suffix.startswith(" baisse depuis 2022")


def test_a_selection_that_is_not_in_the_text_is_refused_and_the_comment_kept(app, world):
    _section_with_markup(app, world)
    partner = logged_in(app, "asso@dep.test")
    page = f"/sections/{world.section_id}"
    response = post_form(
        partner,
        f"{page}/threads",
        {"body": "Mon commentaire", "quote": "taux de rotation", "revision_number": "2"},
        page=page,
    )
    assert response.status_code == 303
    html = unescape(partner.get(response.headers["Location"]).get_data(as_text=True))
    assert "ne figure pas dans cette révision" in html
    assert ">Mon commentaire</textarea>" in html and 'value="taux de rotation"' in html


def test_members_named_with_an_at_sign_are_recorded_and_offered_on_the_page(app, world):
    partner = logged_in(app, "asso@dep.test")
    page = f"/sections/{world.section_id}"
    html = partner.get(page).get_data(as_text=True)
    offered = re.search(r'id="membres-mentionnables">(.*?)</script>', html, re.S)
    assert offered and '"Sign"' in offered.group(1) and '"Autre"' not in offered.group(1)
    post_form(
        partner,
        f"{page}/threads",
        {"body": "@Sign peux-tu relire ? et @Autre, qui n'est pas membre", "revision_number": ""},
        page=page,
    )
    post_form(
        partner,
        f"/threads/{world.thread_id}/reply",
        {"body": "Je le signale à @redac et à @Sign."},
        page=page,
    )
    with app.app_context():
        named = [
            (m.comment.body[:5], m.user.email)
            for m in db_session().scalars(select(Mention).order_by(Mention.id))
        ]
    assert named == [
        ("@Sign", "sign@epci.test"),
        ("Je le", "redac@oph.test"),
        ("Je le", "sign@epci.test"),
    ]
