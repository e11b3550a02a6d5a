"""An API answer checked against the OpenAPI document (app/openapi.py): the status the
test expects, and a body in the shape the document gives for that status. Feature tests
of the API read their answers through ``answer`` so that the document cannot drift from
what the calls return."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs

from app.openapi import description

_DOCUMENT = description()


def _operation(method: str, url: str) -> dict[str, Any]:
    path = url.split("?", 1)[0]
    for template, operations in _DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\{[a-z_]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


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
        # (jsonschema_rs: the validator schemathesis itself uses)
        validator = jsonschema_rs.Draft202012Validator(
            {**schema, "components": _DOCUMENT["components"]}, validate_formats=True
        )
        validator.validate(body)
    return body


def call(client, method: str, url: str, headers: dict[str, str], status: int, **kwargs) -> Any:
    """Send one API call and return its checked answer (see ``answer``)."""
    response = client.open(url, method=method, headers=headers, **kwargs)
    return answer(response, status, method, url)
