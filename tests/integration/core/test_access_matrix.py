"""Every route, every role (anonymous included): the access matrix is complete and holds."""

from __future__ import annotations

import pytest

from app.access import ACCESS
from app.sections.queries import history
from tests.conftest import api_headers, csrf_token, logged_in
from tests.factories import add_member, make_user, url_for_rule
from workflows.conventions import OrganisationKind
from workflows.permissions import (
    Role,
    can,
    may_choose_for,
    may_record_note,
    may_record_proposal,
    may_resolve,
    may_take_part,
    may_withdraw,
)

# "locataires": a tenants' association taking part as associée (added by the test).
ROLES = ["anonymous", "redacteur", "signataire", "associe", "observateur", "outsider", "locataires"]


def test_every_route_is_in_the_access_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ACCESS.keys())
    assert not missing, f"routes missing from app.access.ACCESS (deny by default): {missing}"
    stale = sorted(ACCESS.keys() - endpoints)
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"


def test_an_endpoint_missing_from_the_matrix_is_refused(app, world):
    app.add_url_rule("/oubli", "forgotten", lambda: "secret")
    client = logged_in(app, "redac@oph.test")
    assert client.get("/oubli").status_code == 403


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


# Rules on one object (workflows.permissions' predicates), on the world's objects: the
# contribution and the discussion were opened by the associé.
STATE_ONLY = {
    "opinions.add",
    "opinions.page",
    "opinions_api.index",
    "opinions_api.add",
    "evaluation.assess",
    "evaluation_api.assess",
}


def _object_allows(endpoint: str, role: str, world) -> bool:
    actor, author = world.users[role], world.users["associe"]
    if endpoint in ("contributions.withdraw", "contributions_api.withdraw"):
        return may_withdraw(actor, author)
    if endpoint in (
        "contributions.thread_resolve",
        "contributions_api.thread_resolve",
        "contributions_api.thread_reopen",
    ):
        return may_resolve(Role(_ROLE_OF.get(role, role)), actor, author)
    if endpoint in (
        "enjeux.save",
        "enjeux_api.save",
        "enjeux_api.file_set",
        "enjeux_api.file_remove",
    ):
        # The note is recorded by the State's signatories and the organisme's drafters:
        # this world's signataire is an EPCI.
        return may_record_note(
            Role(_ROLE_OF.get(role, role)), _KINDS[role], recorded_by_state=False
        )
    if endpoint in ("lifecycle.proposal", "lifecycle_api.proposal"):
        # The préfet de département's proposal: the State's signatories and the
        # organisme's drafters (from the letter); this world's signataire is an EPCI.
        return may_record_proposal(
            Role(_ROLE_OF.get(role, role)), _KINDS[role], recorded_by_state=False
        )
    if endpoint in ("conventions.choice", "conventions_api.choice"):
        # The URL names the last membership: the EPCI signataire's own line.
        return may_choose_for(Role(_ROLE_OF.get(role, role)), speaks_for_party=role == "signataire")
    if endpoint in TAKING_PART:
        # Proposing or commenting on the world's section (the état des lieux), which is
        # not under the tenants' concertation: refused before its input is read.
        return may_take_part(_KINDS[role], concertation=False)
    # The State's services alone: nobody in this world is one (the signataire is an
    # EPCI), so each is refused before its input is read.
    return endpoint not in STATE_ONLY


# A proposal or a comment on the section the URL points to (may_take_part).
TAKING_PART = {
    "contributions.new",
    "contributions.thread_new",
    "contributions.thread_reply",
    "contributions_api.create",
    "contributions_api.thread_create",
    "contributions_api.thread_reply",
    "assistant.propose",
    "editing.proposal_draft",
    "editing.proposal_presence",
    "editing.proposal_preview",
}


_KINDS = {
    "redacteur": "oph",
    "signataire": "epci",
    "associe": "departement",
    "observateur": "autre",
    "outsider": "esh",
    "locataires": "association_locataires",
}

# The role each test user acts with (the tenants' association is associée).
_ROLE_OF = {"locataires": "associe"}


def _expected(rule_kind: str, action, role: str, is_api: bool, app_rule, world=None) -> set[int]:
    if rule_kind == "public":
        return {200, 302, 400, 401, 404}  # a login form may answer 400/401 to an empty post
    if role == "anonymous":
        return {401} if is_api else {302}
    if rule_kind == "admin":
        return {403}  # nobody in this world holds the admin flag (see accounts/test_views.py)
    if rule_kind == "login":
        return {200, 302, 303, 400, 404}
    if rule_kind == "organisme":
        # Users of an organisme HLM (the OPH drafter, the ESH outsider) create conventions.
        return {200, 302, 303, 400} if role in ("redacteur", "outsider") else {403}
    if role == "outsider":
        return {403}
    allowed = can(Role(_ROLE_OF.get(role, role)), action) and (
        world is None or _object_allows(app_rule.endpoint, role, world)
    )
    # Allowed: the page renders, the action redirects, or the (empty) input is refused
    # for what it is (400, 409; 404 for the signed text of an unsigned convention;
    # 503 for the PDF on a machine without LibreOffice): never 403. Refused: exactly 403.
    if not allowed:
        return {403}
    if app_rule is not None and app_rule.endpoint == "conventions.document_pdf":
        return {200, 503}
    return {200, 201, 204, 302, 303, 400, 404, 409}


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    if role == "anonymous":
        client = app.test_client()
        headers: dict[str, str] = {}
    else:
        email = {
            "redacteur": "redac@oph.test",
            "signataire": "sign@epci.test",
            "associe": "asso@dep.test",
            "observateur": "obs@obs.test",
            "outsider": "autre@esh.test",
            "locataires": "locataires@amicale.test",
        }[role]
        if role == "locataires":
            with app.app_context():
                tenant = make_user(email, "Amicale Test", OrganisationKind.ASSOCIATION_LOCATAIRES)
                add_member(world.convention_id, Role.ASSOCIE, tenant)
                world.users[role] = tenant.id
        client = logged_in(app, email)
        headers = api_headers(app, email)
    failures = []
    for rule, method in _routes(app):
        if rule.endpoint in ("accounts.logout", "accounts.login"):
            continue  # logging out or in would change the client under test; tested apart
        access = ACCESS[rule.endpoint]
        is_api = rule.endpoint.startswith(("api.", "kb_api.")) or rule.rule.startswith("/api/")
        with app.app_context():
            url = url_for_rule(rule, world)
        if method == "GET":
            response = client.get(url, headers=headers if is_api else {})
        elif method == "DELETE":
            response = client.delete(url, headers=headers)
        elif is_api:
            response = client.post(url, json={}, headers=headers)
        else:
            token = csrf_token(client) if role != "anonymous" else csrf_token(client, "/login")
            response = client.post(url, data={"csrf_token": token})
        expected = _expected(access.kind, access.action, role, is_api, rule, world)
        if response.status_code not in expected:
            failures.append(
                f"{method} {url} as {role}: {response.status_code}, expected {expected}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["redacteur", "signataire", "observateur"])
def test_objects_of_another_convention_are_forbidden(app, world, role):
    email = {
        "redacteur": "redac@oph.test",
        "signataire": "sign@epci.test",
        "observateur": "obs@obs.test",
    }[role]
    client = logged_in(app, email)
    headers = api_headers(app, email)
    checked = 0
    for rule, method in _routes(app):
        if ACCESS[rule.endpoint].kind != "member":
            continue
        with app.app_context():
            url = url_for_rule(rule, world, own=False)
        is_api = rule.endpoint.startswith(("api.", "kb_api.")) or rule.rule.startswith("/api/")
        if method == "GET":
            response = client.get(url, headers=headers if is_api else {})
        elif method == "DELETE":
            response = client.delete(url, headers=headers)
        elif is_api:
            response = client.post(url, json={"base_revision": 1, "body": "x"}, headers=headers)
        else:
            response = client.post(
                url,
                data={
                    "csrf_token": csrf_token(client),
                    "body": "pirate",
                    "base_revision": "1",
                    "title": "pirate",
                },
            )
        assert response.status_code == 403, f"{method} {url} as {role}: {response.status_code}"
        checked += 1
    assert checked >= 20
    with app.app_context():
        assert [r.body for r in history(world.other_section_id)] == ["Texte ailleurs."]


def test_unknown_ids_are_404_for_web_and_api(app, world):
    client = logged_in(app, "redac@oph.test")
    headers = api_headers(app, "redac@oph.test")
    for url in (
        "/conventions/9999",
        "/sections/9999",
        "/sections/9999/history",
        f"/sections/{world.section_id}/revisions/99",
        "/sections/9999/diff",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/api/conventions/9999",
        "/api/sections/9999",
        f"/api/sections/{world.section_id}/revisions/99",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and "error" in response.get_json(), url
    assert client.get("/nulle-part").status_code == 404
