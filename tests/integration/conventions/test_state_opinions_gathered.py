"""The State's internal opinions gathered for its negotiator: one page lists them all, by
section in the document's order (the State's services alone: the others get 403 and no
link), the negotiator's position form of a section shows those on it, and a service's
opinion is told to the convention's other State members, never to anyone else."""

from __future__ import annotations

import html

from sqlalchemy import select

from app.conventions.operations import set_membership
from app.db import db_session
from app.models import Notification, OutboxMail, User
from app.opinions.operations import add_opinion
from app.review.operations import ask_for_review
from app.sections.queries import sections_with_current
from tests.conftest import api_headers, logged_in, post_form
from tests.factories import make_user, write
from workflows.conventions import OrganisationKind
from workflows.notifications import Kind
from workflows.permissions import Role

LOIR = "Pour le Loir-et-Cher, la cible de vente paraît haute au regard de la demande."
CHER = "Dans le Cher, les démolitions prévues sont cohérentes avec le PLH."
WHOLE = "Sur l'ensemble, l'effort de réhabilitation est à saluer."
NOT_STATE = ("redac@oph.test", "sign@epci.test", "asso@dep.test", "obs@obs.test")


def _state(app, world) -> None:
    """The DDT negotiates for the State; the DREAL and the préfecture are consulted
    (observateurs)."""
    with app.app_context():
        ddt = make_user("ddt@etat.test", "DDT Test", OrganisationKind.DDT)
        dreal = make_user("dreal@etat.test", "DREAL Test", OrganisationKind.DREAL)
        pref = make_user("pref@etat.test", "Préfecture Test", OrganisationKind.PREFECTURE)
        set_membership(world.convention_id, Role.SIGNATAIRE, organisation_id=ddt.organisation_id)
        for other in (dreal, pref):
            set_membership(
                world.convention_id, Role.OBSERVATEUR, organisation_id=other.organisation_id
            )


def _opinions(app, world) -> tuple[int, int]:
    """DREAL on the third section, préfecture on the first and on the whole; the ids of
    the first and third sections."""
    with app.app_context():
        sections = sections_with_current(world.convention_id)
        first, third = sections[0].id, sections[2].id
        dreal = db_session().scalar(select(User).where(User.email == "dreal@etat.test"))
        pref = db_session().scalar(select(User).where(User.email == "pref@etat.test"))
        add_opinion(world.convention_id, dreal, third, "Loir-et-Cher", LOIR)
        add_opinion(world.convention_id, pref, first, "Cher", CHER)
        add_opinion(world.convention_id, pref, None, "", WHOLE)
    return first, third


def test_the_state_reads_every_opinion_on_one_page_in_the_document_s_order(app, world):
    _state(app, world)
    first, third = _opinions(app, world)
    url = f"/conventions/{world.convention_id}/avis-etat"
    for email in ("ddt@etat.test", "dreal@etat.test"):
        client = logged_in(app, email)
        convention = html.unescape(
            client.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
        )
        assert f'href="{url}" id="state-opinions-link"' in convention
        page = client.get(url)
        assert page.status_code == 200
        text = html.unescape(page.get_data(as_text=True))
        # The whole first, then the first section, then the third, each with its service,
        # territory and author.
        assert text.index(WHOLE) < text.index(CHER) < text.index(LOIR)
        assert text.index('id="avis-convention"') < text.index(f'id="avis-{first}"')
        assert text.index(f'id="avis-{first}"') < text.index(f'id="avis-{third}"')
        assert "DREAL Test</strong> — territoire : Loir-et-Cher — Dreal" in text
        assert "3 avis internes" in text


def test_others_get_403_and_no_word_of_the_opinions(app, world):
    _state(app, world)
    _opinions(app, world)
    url = f"/conventions/{world.convention_id}/avis-etat"
    for email in NOT_STATE:
        client = logged_in(app, email)
        refused = client.get(url)
        assert refused.status_code == 403, email
        body = html.unescape(refused.get_data(as_text=True))
        assert LOIR not in body and CHER not in body and WHOLE not in body
        convention = html.unescape(
            client.get(f"/conventions/{world.convention_id}").get_data(as_text=True)
        )
        assert url not in convention and "Avis internes de l'État" not in convention
    api = f"/api/conventions/{world.convention_id}/state-opinions"
    client = app.test_client()
    assert client.get(api, headers=api_headers(app, "sign@epci.test")).status_code == 403


def test_the_negotiator_s_position_form_shows_the_opinions_to_gather(app, world):
    _state(app, world)
    first, third = _opinions(app, world)
    with app.app_context():
        drafter = world.user("redacteur")
        write(third, drafter, "Texte de la troisième section.")
        ask_for_review(third, drafter)
    page = html.unescape(
        logged_in(app, "ddt@etat.test").get(f"/sections/{third}").get_data(as_text=True)
    )
    start = page.index(f'action="/sections/{third}/position"')
    form = page[start : page.index("</form>", start)]
    assert "Avis des services de l'État à prendre en compte" in form
    assert LOIR in form and "DREAL Test" in form
    assert CHER not in form and WHOLE not in form  # those on other parts
    # The EPCI signatory's form carries none of them.
    epci = html.unescape(
        logged_in(app, "sign@epci.test").get(f"/sections/{third}").get_data(as_text=True)
    )
    start = epci.index(f'action="/sections/{third}/position"')
    assert "Avis des services de l'État" not in epci[start : epci.index("</form>", start)]
    assert LOIR not in epci


def test_an_opinion_is_told_to_the_other_state_members_alone(app, world):
    _state(app, world)
    client = logged_in(app, "dreal@etat.test")
    done = post_form(
        client,
        f"/sections/{world.section_id}/state-opinions",
        {"territory": "Loir-et-Cher", "body": LOIR},
    )
    assert done.status_code == 303
    with app.app_context():
        told = {
            email: (text, link)
            for email, text, link in db_session().execute(
                select(User.email, Notification.text, Notification.link)
                .join(User, User.id == Notification.user_id)
                .where(Notification.kind == Kind.STATE_OPINION.value)
            )
        }
        # The negotiator and the other consulted service (an observateur, told without
        # choosing it); not the author, nobody outside the State.
        assert set(told) == {"ddt@etat.test", "pref@etat.test"}
        text, link = told["ddt@etat.test"]
        assert "avis interne de DREAL Test (Loir-et-Cher)" in text
        assert link == f"/sections/{world.section_id}#avis-etat"
        assert LOIR not in text  # its content stays on the page
        mailed = set(db_session().scalars(select(OutboxMail.recipient)))
        assert not mailed & set(NOT_STATE)


def test_only_the_state_is_offered_the_choice_of_their_mails(app, world):
    _state(app, world)
    label = "Avis interne d'un service de l'État"
    state = logged_in(app, "dreal@etat.test").get("/notifications/preferences")
    assert label in html.unescape(state.get_data(as_text=True))
    for email in NOT_STATE:
        page = logged_in(app, email).get("/notifications/preferences")
        assert label not in html.unescape(page.get_data(as_text=True)), email
