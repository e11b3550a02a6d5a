"""The one way the API reads a JSON body: bounded in size and nesting, then typed fields.

``payload()`` refuses (400) a body that is not a JSON object, one nested deeper than
``MAX_DEPTH`` (checked on the bytes before any parser recurses into it) or larger than
``MAX_BYTES`` (413); the field readers refuse a value of the wrong type, naming the field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import request

from workflows.conventions import parse_id
from workflows.errors import InvalidInput, TooLarge
from workflows.register import parse_date
from workflows.text.editor import MAX_DEPTH as EDITOR_NODE_DEPTH

# As MAX_CONTENT_LENGTH: a 1 MB section body may take four times that once escaped in JSON.
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 20
# The editor's document of a 1 MB section whose every word is bold or a link: about six
# times its Markdown (the page's request limit is EDITOR_MAX_CONTENT_LENGTH, 16 MB).
EDITOR_MAX_BYTES = 12 * 1024 * 1024

Payload = Mapping[str, Any]


def payload(example: str = "", optional: bool = False) -> Payload:
    """The request's JSON object, sent as application/json.

    ``optional``: a call whose body may be left out (accepting every change of a
    contribution) takes a body that is not JSON, or empty, as ``{}``, as it always has."""
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BYTES:
        raise TooLarge(f"Corps JSON trop volumineux : {MAX_BYTES // 1_048_576} Mo au plus.")
    expected = f"Corps JSON attendu : {example}." if example else "Corps JSON attendu (un objet)."
    if not request.is_json:
        if optional:
            return {}
        raise InvalidInput(expected)
    if _depth(raw) > MAX_DEPTH:
        raise InvalidInput(f"Corps JSON trop imbriqué ({MAX_DEPTH} niveaux au plus).")
    try:
        data = json.loads(raw, parse_constant=_not_json, parse_float=_finite_float)
    except NotFinite:
        raise InvalidInput("Corps JSON invalide : les nombres doivent être finis.") from None
    except ValueError:
        if optional:
            return {}
        raise InvalidInput(expected) from None
    if _SURROGATE_ESCAPE.search(raw):
        data = _without_lone_surrogates(data)
    if optional and not data:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(expected)
    return data


# "\ud800" alone decodes to a lone surrogate, which no UTF-8 text can hold: the rules
# that count a body's bytes or hash it would fail on it. A pair ("\ud83d\ude00") is
# one character already; what is left alone is dropped, as the stored texts drop it
# (workflows.text.clean).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _without_lone_surrogates(key): _without_lone_surrogates(item)
            for key, item in value.items()
        }
    return value


class NotFinite(ValueError):
    """NaN, Infinity or a figure beyond a float: no JSON standard reads them, Python's
    parser does unless told."""


def _not_json(constant: str) -> float:
    raise NotFinite(constant)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise NotFinite(text)
    return value


def _depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects, strings skipped: one linear pass."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def string(data: Payload, key: str, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"Le champ {key} doit être une chaîne.")
    if required and not value.strip():
        raise InvalidInput(f"Le champ {key} est obligatoire.")
    return value


def flag(data: Payload, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"Le champ {key} doit valoir true ou false.")
    return value


def optional_id(data: Payload, key: str) -> int | None:
    raw = data.get(key)
    if raw is None or raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        raise InvalidInput(f"{key} doit être un identifiant entier positif.")
    return value


def whole_number(data: Payload, key: str, required: bool = False) -> int | None:
    """An integer sent as a JSON number (not a string, not true/false); None when absent,
    unless ``required``. Its range is the rules' to check."""
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**31) < value < 2**31:
        raise InvalidInput(f"Le champ {key} doit être un nombre entier.")
    return value


def day(data: Payload, key: str, what: str) -> date | None:
    """A date sent as ``"2026-03-20"`` (or ``"20/03/2026"``, as the pages take it); None
    when absent or empty, for the rules to say it is missing. ``what`` names it in the
    message ("La date de la réunion")."""
    value = string(data, key)
    return parse_date(value, what) if value.strip() else None


def id_list(data: Payload, key: str) -> list[int]:
    """A list of positive integer ids (numbers, not strings); an absent field is []."""
    value = data.get(key)
    if value is None:
        return []
    message = f"Le champ {key} doit être une liste d'identifiants entiers positifs."
    if not isinstance(value, list):
        raise InvalidInput(message)
    ids = []
    for item in value:
        found = parse_id(item) if isinstance(item, int) else None
        if found is None:
            raise InvalidInput(message)
        ids.append(found)
    return ids


def string_list(data: Payload, key: str, message: str) -> list[str] | None:
    """A list of strings, or None when the field is absent."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(message)
    return value


def int_mapping(raw: str, message: str) -> dict[str, int]:
    """A JSON object of integers sent as a form field (the Word import's authors)."""
    if _depth(raw.encode()) > MAX_DEPTH:
        raise InvalidInput(message)
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        raise InvalidInput(message) from None
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise InvalidInput(message)
    return value


# The editor's document nests two JSON levels per node (the node, its content) and a
# few more for a text's marks; workflows.text.editor bounds the nodes themselves.
EDITOR_MAX_DEPTH = 2 * EDITOR_NODE_DEPTH + 8


def editor_document(raw: str) -> object:
    """The rich-text editor's document, sent as JSON in a form field: bounded in size
    and nesting before it is parsed (``workflows.text.editor`` checks what it holds)."""
    data = raw.encode()
    if len(data) > EDITOR_MAX_BYTES:
        raise TooLarge(
            f"Document de l'éditeur trop volumineux : {EDITOR_MAX_BYTES // 1_048_576} Mo au plus."
        )
    if _depth(data) > EDITOR_MAX_DEPTH:
        raise InvalidInput(
            f"Document de l'éditeur trop imbriqué ({EDITOR_MAX_DEPTH} niveaux au plus)."
        )
    try:
        return json.loads(data)
    except ValueError:
        raise InvalidInput(
            "Document de l'éditeur illisible (JSON attendu) : rien n'a été enregistré."
        ) from None
