"""An API answer checked against the OpenAPI document (app/openapi.py): the status the
test expects, and a body in the shape the document gives for that status. Feature tests
of the API read their answers through ``answer`` so that the document cannot drift from
what the calls return."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
from flask import Response, request

from app.openapi import description

_DOCUMENT = description()


def _operation(method: str, url: str) -> dict[str, Any]:
    path = url.split("?", 1)[0]
    for template, operations in _DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\{[a-z_]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def _check(body: Any, schema: dict[str, Any]) -> None:
    # (jsonschema_rs: the validator schemathesis itself uses)
    validator = jsonschema_rs.Draft202012Validator(
        {**schema, "components": _DOCUMENT["components"]}, validate_formats=True
    )
    validator.validate(body)


def conforms(response: Response) -> Response:
    """An ``after_request`` hook for the tests: every answer of an /api/ route has a
    status its description names, and a JSON body in the shape it gives. Installed on
    every test application (tests/conftest.py), so that each API test checks the
    document as well."""
    rule = request.url_rule
    if rule is None or not rule.rule.startswith("/api/") or rule.endpoint == "openapi":
        return response
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
    method = request.method.lower()
    operation = _DOCUMENT["paths"].get(path, {}).get(method)
    assert operation is not None, f"{method} {path} is not in the OpenAPI document"
    described = operation["responses"].get(str(response.status_code))
    assert described is not None, (
        f"{method} {path} answered {response.status_code}, which its description does not name"
    )
    if response.mimetype == "application/json" and not response.is_streamed:
        schema = described.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            _check(response.get_json(), schema)
    return response


def answer(response, status: int, method: str, url: str) -> Any:
    """The JSON of ``response`` (None for a 204), once its status is ``status`` and its
    body matches the document's schema for the call and that status."""
    body = response.get_json(silent=True)
    assert response.status_code == status, (response.status_code, body)
    described = _operation(method, url)["responses"].get(str(status))
    assert described is not None, f"{method} {url}: {status} is not in the document"
    if status == 204:
        assert response.get_data() == b""
        return None
    schema = described["content"]["application/json"].get("schema")
    if schema is not None:
        _check(body, schema)
    return body


def call(client, method: str, url: str, headers: dict[str, str], status: int, **kwargs) -> Any:
    """Send one API call and return its checked answer (see ``answer``)."""
    response = client.open(url, method=method, headers=headers, **kwargs)
    return answer(response, status, method, url)
