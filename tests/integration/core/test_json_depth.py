"""Every API endpoint that takes a body answers a JSON nested too deep with a 400, never
a RecursionError's 500: each reads its body through app.json_input.payload, which
measures the nesting on the bytes before any parser recurses into it."""

from __future__ import annotations

import pytest

from app import create_app
from app.access import members
from tests.conftest import api_headers
from tests.factories import add_member, make_user
from workflows.conventions import OrganisationKind
from workflows.permissions import Role

DEEP = "[" * 100_000


def _api_posts() -> list[tuple[str, str]]:
    application = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    found = [
        (rule.endpoint, rule.rule)
        for rule in application.url_map.iter_rules()
        if rule.rule.startswith("/api/") and {"POST", "PUT", "PATCH"} & (rule.methods or set())
    ]
    application.extensions["cosigne_engine"].dispose()
    return sorted(found)


ENDPOINTS = _api_posts()

# Who may call each endpoint (the permission table answers 403 before the body is read).
CALLERS = {
    "contributions_api.withdraw": "asso@dep.test",
    "contributions_api.create": "asso@dep.test",
    "review_api.position": "sign@epci.test",
}
# Endpoints of the State's services alone: called by a DDT signatory added for them.
STATE_ENDPOINTS = {"evaluation_api.assess", "opinions_api.add"}


def test_the_api_takes_bodies_on_the_endpoints_this_test_knows():
    # A new endpoint that takes a body is in the list below by construction; this says
    # the enumeration found the ones named in issue 13.
    names = {endpoint for endpoint, _ in ENDPOINTS}
    assert {
        "sections_api.revision_create",
        "assistant_api.ask",
        "kb_api.compute",
        "lifecycle_api.transition",
        "contributions_api.accept",
    } <= names


@pytest.mark.parametrize(("endpoint", "rule"), ENDPOINTS, ids=[e for e, _ in ENDPOINTS])
def test_a_body_nested_too_deep_is_a_400(app, world, endpoint, rule):
    with app.app_context():
        membership_id = members(world.convention_id)[0].id  # the associée, first by role
    url = (
        rule.replace("<int:section_id>", str(world.section_id))
        .replace("<int:convention_id>", str(world.convention_id))
        .replace("<int:contribution_id>", str(world.contribution_id))
        .replace("<int:thread_id>", str(world.thread_id))
        .replace("<int:meeting_id>", str(world.meeting_id))
        .replace("<int:user_id>", str(world.users["associe"]))
        .replace("<int:number>", "1")
        .replace("<int:membership_id>", str(membership_id))
        .replace("<code>", "F.VI")
        .replace("<int:years>", "2")
        .replace("<kind>", "discussion")
        .replace("<int:ref>", str(world.thread_id))
    )
    assert "<" not in url, url
    caller = CALLERS.get(endpoint, "redac@oph.test")
    if endpoint in STATE_ENDPOINTS:
        with app.app_context():
            agent = make_user("etat@ddt.test", "DDT Test", OrganisationKind.DDT)
            add_member(world.convention_id, Role.SIGNATAIRE, agent)
        caller = "etat@ddt.test"
    headers = api_headers(app, caller)
    response = app.test_client().post(
        url, data=DEEP, content_type="application/json", headers=headers
    )
    assert response.status_code == 400, (response.status_code, response.get_json())
    assert "error" in response.get_json()
