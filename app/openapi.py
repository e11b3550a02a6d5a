"""The JSON API described in OpenAPI 3.1, served at ``GET /api/openapi.json``.

Written by hand beside the routes, not generated from them: it says what each call
takes and answers as its users need to know it (French descriptions, the bounds the
server enforces). ``tests/integration/core/test_openapi.py`` checks that it lists every
route of ``/api/`` and nothing else, and fuzzes the API from it (schemathesis): whatever
is sent, the answer is never a 500.
"""

from __future__ import annotations

import copy
from typing import Any

from app.json_input import MAX_BYTES, MAX_DEPTH
from knowledge.assistant.limits import MAX_QUESTION_CHARS
from knowledge.types import DocumentKind
from workflows.conventions import ConventionKind
from workflows.lifecycle import ConventionState
from workflows.notifications import Delivery, Kind

Schema = dict[str, Any]

_ERROR: Schema = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string", "description": "Le motif, en français."}},
}
_ID: Schema = {"type": "integer", "minimum": 1}


def _path(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or _ID,
    }


def _query(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _json(properties: Schema, required: list[str] | None = None, optional: bool = False) -> Schema:
    return {
        "required": not optional,
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": properties, "required": required or []}
            }
        },
    }


def _answers(ok: int = 200, description: str = "Réussi", media: str = "application/json") -> Schema:
    refusal = {"application/json": {"schema": _ERROR}}
    answers: Schema = {str(ok): {"description": description, "content": {media: {}}}}
    for status, meaning in (
        (400, "Entrée invalide (le motif dit laquelle)"),
        (401, "Jeton absent ou invalide"),
        (403, "Action refusée à ce rôle ou à cette étape"),
        (404, "Introuvable, ou hors des conventions de l'utilisateur"),
        (409, "Conflit : la section ou la contribution a changé entre-temps"),
        (413, "Trop volumineux (la limite est nommée)"),
    ):
        answers[str(status)] = {"description": meaning, "content": refusal}
    return answers


def _operation(summary: str, ok: int = 200, media: str = "application/json", **rest: Any) -> Schema:
    return {"summary": summary, "responses": _answers(ok, media=media), **rest}


CONVENTION = _path("convention_id", "Identifiant de la convention")
SECTION = _path("section_id", "Identifiant de la section")
CONTRIBUTION = _path("contribution_id", "Identifiant de la contribution")
CHANGE = _path("number", "Numéro de la modification dans la contribution (h1 → 1)")
INDICATOR = _path("code", "Code de l'indicateur (« F.VI », « PP-1 »…)", {"type": "string"})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TEXT: Schema = {"type": "string"}
_REASON = {"reason": {"type": "string", "description": "Le motif, montré à l'auteur."}}
_UPLOAD: Schema = {"type": "string", "format": "binary", "description": "Le fichier .docx"}


def _multipart(properties: Schema, required: list[str]) -> Schema:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def _notification_paths() -> Schema:
    kinds = [k.value for k in Kind]
    deliveries = [d.value for d in Delivery]
    return {
        "/api/notifications": {
            "get": _operation(
                "Mes notifications, de la plus récente à la plus ancienne, et le nombre de "
                "non lues",
                parameters=[
                    _query(
                        "unread", "Les non lues seulement", {"type": "string", "enum": ["1", "0"]}
                    ),
                    _query("convention", "D'une convention", _ID),
                    _query("kind", "D'un type", {"type": "string", "enum": kinds}),
                    _query("before", "Celles d'avant cet identifiant (page suivante)", _ID),
                    _query("limit", "Combien (200 au plus, 50 par défaut)", _ID),
                ],
            )
        },
        "/api/notifications/read": {
            "post": _operation(
                "Marquer des notifications comme lues (ou toutes)",
                requestBody=_json(
                    {
                        "ids": {"type": "array", "items": _ID, "maxItems": 1000},
                        "all": {"type": "boolean"},
                    }
                ),
            )
        },
        "/api/notifications/preferences": {
            "get": _operation("Mes choix d'envoi par e-mail, type par type"),
            "post": _operation(
                "Changer mes choix d'envoi par e-mail",
                requestBody=_json(
                    {
                        "preferences": {
                            "type": "object",
                            "propertyNames": {"enum": kinds},
                            "additionalProperties": {"type": "string", "enum": deliveries},
                            "minProperties": 1,
                        }
                    },
                    ["preferences"],
                ),
            ),
        },
    }


def description() -> Schema:
    """The whole description (a new dict each call)."""
    flag = {"type": "string", "enum": ["1", "0", "true", "oui"]}
    paths: Schema = {
        "/api/openapi.json": {
            "get": {
                "summary": "Cette description",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
        "/api/conventions": {"get": _operation("Les conventions de l'utilisateur et son rôle")},
        "/api/conventions/{convention_id}": {
            "get": _operation("Une convention, ses membres et son étape", parameters=[CONVENTION])
        },
        "/api/conventions/{convention_id}/sections": {
            "get": _operation("Les sections d'une convention", parameters=[CONVENTION])
        },
        "/api/conventions/{convention_id}/events": {
            "get": _operation(
                "Le journal, du plus récent au plus ancien (200 par page)",
                parameters=[
                    CONVENTION,
                    _query("action", "Ne garder qu'une action", _TEXT),
                    _query("organisation", "Ne garder qu'une organisation", _ID),
                    _query("before", "Les événements avant cet identifiant", _ID),
                ],
            )
        },
        "/api/conventions/{convention_id}/transition": {
            "post": _operation(
                "Faire passer la convention à l'étape suivante",
                parameters=[CONVENTION],
                requestBody=_json(
                    {"to": {"type": "string", "enum": [s.value for s in ConventionState]}},
                    ["to"],
                ),
            )
        },
        "/api/conventions/{convention_id}/export.docx": {
            "get": _operation(
                "La convention en Word",
                media=DOCX,
                parameters=[
                    CONVENTION,
                    _query("tracked", "Les contributions ouvertes en marques de révision", flag),
                    _query("comments", "Les discussions en commentaires Word", flag),
                ],
            )
        },
        "/api/conventions/{convention_id}/import.docx": {
            "post": _operation(
                "Importer un document Word revu (aperçu avec dry_run=1)",
                parameters=[CONVENTION],
                requestBody=_multipart(
                    {
                        "file": _UPLOAD,
                        "dry_run": flag,
                        "mode": {"type": "string", "enum": ["contributions", "revisions"]},
                        "authors": {
                            "type": "string",
                            "description": "JSON : auteur du document → identifiant du membre",
                        },
                    },
                    ["file"],
                ),
            )
        },
        "/api/conventions/import.docx": {
            "post": _operation(
                "Créer une convention depuis un projet Word",
                ok=201,
                requestBody=_multipart(
                    {
                        "file": _UPLOAD,
                        "kind": {"type": "string", "enum": [k.value for k in ConventionKind]},
                        "title": _TEXT,
                        "start_year": {"type": "string", "pattern": "^[0-9]{4}$"},
                        "end_year": {"type": "string", "pattern": "^[0-9]{4}$"},
                        "cadre_id": {"type": "string", "pattern": "^[0-9]+$"},
                        "dry_run": flag,
                    },
                    ["file", "kind"],
                ),
            )
        },
        "/api/sections/{section_id}": {
            "get": _operation("Une section et son texte courant", parameters=[SECTION])
        },
        "/api/sections/{section_id}/revisions": {
            "get": _operation(
                "L'historique des révisions, sans les textes",
                parameters=[
                    SECTION,
                    _query("limit", "Au plus (1 à 1000)", {"type": "integer"}),
                    _query("offset", "À partir de", {"type": "integer"}),
                ],
            ),
            "post": _operation(
                "Enregistrer une révision (rédacteurs)",
                ok=201,
                parameters=[SECTION],
                requestBody=_json(
                    {
                        "base_revision": {"type": "integer", "minimum": 0},
                        "body": {"type": "string", "description": "Le texte en Markdown"},
                        "message": _TEXT,
                    },
                    ["base_revision", "body"],
                ),
            ),
        },
        "/api/sections/{section_id}/revisions/{number}": {
            "get": _operation(
                "Une révision et son texte",
                parameters=[SECTION, _path("number", "Numéro de la révision")],
            )
        },
        "/api/sections/{section_id}/diff": {
            "get": _operation(
                "Les différences entre deux révisions, mot à mot",
                parameters=[
                    SECTION,
                    {
                        **_query(
                            "from", "Révision de départ (0 : texte vide)", {"type": "integer"}
                        ),
                        "required": True,
                    },
                    {**_query("to", "Révision d'arrivée", {"type": "integer"}), "required": True},
                ],
            )
        },
        "/api/sections/{section_id}/contributions": {
            "post": _operation(
                "Proposer une contribution sur une section",
                ok=201,
                parameters=[SECTION],
                requestBody=_json(
                    {
                        "base_revision": {"type": "integer", "minimum": 0},
                        "body": {"type": "string", "description": "Le texte proposé, entier"},
                        "rationale": _TEXT,
                        "assisted": {"type": "boolean"},
                    },
                    ["base_revision", "body"],
                ),
            )
        },
        "/api/contributions/{contribution_id}": {
            "get": _operation("Une contribution et ses modifications", parameters=[CONTRIBUTION])
        },
        "/api/contributions/{contribution_id}/accept": {
            "post": _operation(
                "Accepter une contribution, entière ou en partie",
                parameters=[CONTRIBUTION],
                requestBody=_json(
                    {"hunks": {"type": "array", "items": {"type": "string"}}}, optional=True
                ),
            )
        },
        "/api/contributions/{contribution_id}/reject": {
            "post": _operation(
                "Rejeter une contribution, avec son motif",
                parameters=[CONTRIBUTION],
                requestBody=_json(_REASON),
            )
        },
        "/api/contributions/{contribution_id}/withdraw": {
            "post": _operation("Retirer sa propre contribution", parameters=[CONTRIBUTION])
        },
        "/api/contributions/{contribution_id}/changes/{number}/accept": {
            "post": _operation(
                "Accepter une seule modification",
                parameters=[CONTRIBUTION, CHANGE],
                requestBody=_json({}, optional=True),
            )
        },
        "/api/contributions/{contribution_id}/changes/{number}/reject": {
            "post": _operation(
                "Rejeter une seule modification",
                parameters=[CONTRIBUTION, CHANGE],
                requestBody=_json(_REASON, optional=True),
            )
        },
        "/api/search": {
            "get": _operation(
                "Chercher dans la base documentaire",
                parameters=[
                    _query("q", "La question ou les mots", _TEXT),
                    _query(
                        "kind",
                        "Type de document",
                        {"type": "string", "enum": [k.value for k in DocumentKind]},
                    ),
                    _query("limit", "Au plus (1 à 100)", {"type": "integer"}),
                ],
            )
        },
        "/api/indicators": {"get": _operation("Les 26 indicateurs de la CUS")},
        "/api/indicators/{code}": {
            "get": _operation(
                "Un indicateur : définition, variables, formule", parameters=[INDICATOR]
            )
        },
        "/api/indicators/{code}/compute": {
            "post": _operation(
                "Calculer un indicateur à partir de ses variables, année par année",
                parameters=[INDICATOR],
                requestBody=_json(
                    {
                        "years": {
                            "type": "object",
                            "description": 'Par année, les variables : {"2025": {"V1": 120, "V2": 4000}}',
                            "additionalProperties": {
                                "type": "object",
                                "additionalProperties": {"type": ["number", "string"]},
                            },
                        }
                    },
                    ["years"],
                ),
            )
        },
        "/api/assistant/ask": {
            "post": _operation(
                "Poser une question à l'assistant de rédaction",
                requestBody=_json(
                    {
                        "question": {"type": "string", "maxLength": MAX_QUESTION_CHARS},
                        "convention_id": _ID,
                        "section_id": _ID,
                    },
                    ["question"],
                ),
            )
        },
    }
    paths.update(_notification_paths())
    # A deep copy: the parameters above are shared between operations.
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "API de Cosigne",
                "version": "1",
                "description": (
                    "Les mêmes opérations que les pages, derrière les mêmes droits. Un jeton "
                    "personnel (page « Mon compte ») dans l'en-tête Authorization: Bearer. "
                    f"Corps JSON : {MAX_BYTES // 1_048_576} Mo et {MAX_DEPTH} niveaux "
                    'd\'imbrication au plus ; toute erreur répond {"error": "…"}.'
                ),
            },
            "components": {
                "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"jeton": []}],
            "paths": paths,
        }
    )
