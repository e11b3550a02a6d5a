"""The API's OpenAPI description (app/openapi.py) lists every route of /api/, and a fuzz
of the API from it (schemathesis) finds no 500: whatever a client sends, it gets an
answer that says what was wrong, or the work done.

The fuzz runs as the drafter and as a partner, on the test world's own objects and
another convention's (path parameters are drawn from those ids and a few unknown
ones), with valid and invalid bodies and parameters. ``COSIGNE_FUZZ_EXAMPLES`` sets the
cases per operation (each sent as both roles) (25 by default; the figure in the README comes from a
longer run).
"""

from __future__ import annotations

import copy
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import response_schema_conformance, status_code_conformance

from app.access import members
from app.openapi import description
from tests.conftest import api_headers

EXAMPLES = int(os.environ.get("COSIGNE_FUZZ_EXAMPLES", "25"))


def test_the_description_lists_every_route_of_the_api_and_no_other(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((method.lower(), path))
    described = {
        (method, path)
        for path, operations in description()["paths"].items()
        for method in operations
    }
    assert described == routes
    served = app.test_client().get("/api/openapi.json")  # public: no data in it
    assert served.status_code == 200 and served.get_json()["openapi"] == "3.1.0"


def test_every_json_answer_of_success_has_its_schema():
    # What a call answers is part of the description: a new call without it fails here
    # (and tests/conftest.py holds every API answer of the suite to that schema).
    missing = [
        f"{method.upper()} {path} {status}"
        for path, operations in description()["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2") and path != "/api/openapi.json"
        for media, content in answer.get("content", {}).items()
        if media == "application/json" and "schema" not in content
    ]
    assert not missing, missing


OPERATIONS = [
    (method, path)
    for path, operations in description()["paths"].items()
    for method in operations
    if path != "/api/openapi.json"
]


def _schema(app, world):
    """The description with path parameters drawn from the world's ids (its own, another
    convention's, unknown ones), so that cases reach real objects."""
    spec = copy.deepcopy(description())
    with app.app_context():
        memberships = members(world.convention_id) + members(world.other_convention_id)
    ids = {
        "convention_id": [world.convention_id, world.other_convention_id, 987_654],
        "section_id": [world.section_id, world.other_section_id, 987_654],
        "contribution_id": [world.contribution_id, world.other_contribution_id, 987_654],
        "thread_id": [world.thread_id, world.other_thread_id, 987_654],
        "meeting_id": [world.meeting_id, world.other_meeting_id, 987_654],
        "membership_id": [m.id for m in memberships] + [987_654],
        "user_id": [world.users["associe"], world.users["signataire"], 987_654],
        "number": [1, 2, 40],
        "code": ["F.VI", "PP-1", "C.I", "ZZ-9"],
        "years": [2, 4, 6, 3],
        "kind": ["position", "discussion", "autre"],
        "ref": [world.thread_id, world.other_thread_id, 987_654],
        "proof_id": [1, 2, 987_654],  # the world has none: 404, or 403 elsewhere
    }
    for operations in spec["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = {"enum": ids[parameter["name"]]}
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = app
    return schema


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_request_to_the_api_gets_a_500(app, world, method, path):
    strategy = _schema(app, world)[path][method.upper()].as_strategy()
    roles = [api_headers(app, email) for email in ("redac@oph.test", "asso@dep.test")]
    sent = []

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def each(case):
        for headers in roles:  # each case as the drafter, then as a partner
            response = case.call(headers=headers)
            sent.append(response.status_code)
            assert response.status_code < 500, (
                response.status_code,
                case.as_curl_command(headers),
            )
            if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith(
                "application/json"
            ):
                assert isinstance(response.json().get("error"), str)  # a refusal says why
            # The answer is one the description names, in the shape it gives.
            case.validate_response(
                response, checks=[status_code_conformance, response_schema_conformance]
            )

    each()
    assert sent  # the operation was exercised


def test_ids_beyond_the_databases_integers_are_not_found_not_errors(app, world):
    # Found by the fuzz on PostgreSQL: ?before=2147483648 reached the query (a 500).
    headers = api_headers(app, "redac@oph.test")
    client = app.test_client()
    events = f"/api/conventions/{world.convention_id}/events?before=2147483648"
    assert client.get(events, headers=headers).status_code == 200
    assert client.get("/api/conventions/2147483648", headers=headers).status_code == 404
    assert client.get("/api/sections/99999999999999/revisions", headers=headers).status_code == 404
    # Found by a longer run: query numbers too.
    diff = f"/api/sections/{world.section_id}/diff?from=2147483648&to=1"
    assert client.get(diff, headers=headers).status_code == 400
    listing = f"/api/sections/{world.section_id}/revisions?offset=99999999999"
    assert client.get(listing, headers=headers).status_code == 400
    huge = client.post(
        f"/api/sections/{world.section_id}/revisions",
        json={"base_revision": 2**40, "body": "Texte."},
        headers=headers,
    )
    assert huge.status_code == 400 and "révision de base" in huge.get_json()["error"]
    asked = client.post(
        "/api/assistant/ask", json={"question": "Le loyer ?", "section_id": 2**31}, headers=headers
    )
    assert asked.status_code == 400
