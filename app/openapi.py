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
from workflows.archive import ArchiveState
from workflows.concertation import PARTICIPANT_KINDS
from workflows.conventions import ConventionKind
from workflows.deliberations import INSTANCE_LABELS as DELIBERATION_INSTANCES
from workflows.deliberations import Decision
from workflows.deliberations import Status as DeliberationStatus
from workflows.enjeux import PointKind
from workflows.lifecycle import CUS_LIFECYCLE, DEADLINE_LABELS, ConventionState, Lifecycle
from workflows.limits import MAX_NOTE_POINTS, NOTE_POINT_MAX_CHARS
from workflows.notifications import Delivery, Kind
from workflows.paths import CONTRACT_LIFECYCLE
from workflows.permissions import Role
from workflows.proofs import ENTRY_KINDS, PROOF_KINDS
from workflows.proofs import TYPES as PROOF_TYPES
from workflows.register import INSTANCES
from workflows.review import POSITION_TEXT_MAX_LENGTH, SectionState
from workflows.signatory_choice import Choice

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


def _answers(
    ok: int = 200,
    description: str = "Réussi",
    media: str = "application/json",
    schema: Schema | None = None,
) -> Schema:
    refusal = {"application/json": {"schema": _ERROR}}
    answers: Schema = {
        str(ok): {
            "description": description,
            "content": {media: {"schema": schema} if schema else {}},
        }
    }
    if ok == 204:
        answers[str(ok)] = {"description": description}  # no body
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


def _path_line(path: Lifecycle) -> str:
    return f"- {path.label} : " + " → ".join(f"`{s.value}`" for s in path.states)


# Each kind's stages (workflows/paths.py): a stage of another path is refused (409).
_PATHS_DESCRIPTION = "\n".join(
    [
        "Chaque type de convention suit son parcours ; une étape d'un autre parcours est "
        "refusée (409, avec la raison). Un avenant suit le parcours de la convention qu'il "
        "modifie.",
        f"{_path_line(CUS_LIFECYCLE)} (CUS).",
        f"{_path_line(CONTRACT_LIFECYCLE)} (document cadre, convention d'application ; "
        "`suivi_annuel` se répète une fois par an ; `renouvelee` ouvre la convention "
        "suivante).",
    ]
)


def _operation(
    summary: str,
    ok: int = 200,
    media: str = "application/json",
    schema: Schema | None = None,
    ok_too: tuple[int, ...] = (),
    **rest: Any,
) -> Schema:
    """One call; ``schema``: what a success answers; ``ok_too``: other success statuses
    answering the same (a member added, 201, or changed, 200)."""
    answers = _answers(ok, media=media, schema=schema)
    for status in ok_too:
        answers[str(status)] = answers[str(ok)]
    return {"summary": summary, "responses": answers, **rest}


# --- what the answers hold ------------------------------------------------------------------


def _object(properties: Schema, optional: tuple[str, ...] = ()) -> Schema:
    """An object with these properties, all present but those named ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(key: str, name: str) -> Schema:
    return _object({key: {"type": "array", "items": _ref(name)}})


_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_NUMBER: Schema = {"type": "number"}
_BOOL: Schema = {"type": "boolean"}
_TIME: Schema = {"type": "string", "format": "date-time"}
_DAY: Schema = {"type": "string", "format": "date"}
_PERSON = _object({"id": _INT, "name": _STR})
_POSITIONS = ["accord", "reserves", "desaccord"]
_ROLES = [r.value for r in Role]
_SAVED = _object({"number": _INT, "review_notice": _nullable(_STR)})
_DECIDED = _object({"contribution": _ref("Contribution"), "revision": _nullable(_INT)})
# The Word import's answers: their parts are described in the README (« Word »).
_LOOSE_OBJECT: Schema = {"type": "object"}
_DECISIONS = _object(
    {
        "contributions": {"type": "array", "items": _ref("Contribution")},
        "revisions": {"type": "array", "items": _INT},
    }
)

SCHEMAS: Schema = {
    "Revision": _object(
        {
            "number": _INT,
            "parent_number": _nullable(_INT),
            "author": _PERSON,
            "created_at": _TIME,
            "message": _STR,
            "restored_from": _nullable(_INT),
            "body": _STR,
        },
        optional=("body",),
    ),
    "Section": _object(
        {
            "id": _INT,
            "convention_id": _INT,
            "position": _INT,
            "title": _STR,
            "mandatory": _BOOL,
            # Under the concertation with the tenants' representatives, who propose and
            # comment on these sections only.
            "concertation": _BOOL,
            "current_revision": _nullable(_ref("Revision")),
        }
    ),
    "Contribution": _object(
        {
            "id": _INT,
            "section_id": _INT,
            "author": _PERSON,
            "organisation": _STR,
            "base_revision": _INT,
            "body": _STR,
            "rationale": _STR,
            "state": _STR,
            "created_at": _TIME,
            "decided_at": _nullable(_TIME),
            "decided_by": _nullable(_STR),
            "decision_note": _nullable(_STR),
            "result_revision": _nullable(_INT),
            "assisted": _BOOL,
            "current_revision": _nullable(_INT),
            "hunks": {"type": "array", "items": {"type": "object"}},
        },
        optional=("current_revision", "hunks"),
    ),
    "Convention": _object(
        {
            "id": _INT,
            "kind": {"type": "string", "enum": [k.value for k in ConventionKind]},
            "title": _STR,
            "organisme": _PERSON,
            "start_year": _INT,
            "end_year": _INT,
            "state": {"type": "string", "enum": [s.value for s in ConventionState]},
            "cadre_id": _nullable(_INT),
            "created_at": _TIME,
            "role": {"type": "string", "enum": _ROLES},
        },
        optional=("role",),
    ),
    "Event": _object(
        {
            "id": _INT,
            "at": _TIME,
            "action": _STR,
            "actor": _nullable(_STR),
            "organisation": _nullable(_STR),
            "target": _object({"type": _STR, "id": _nullable(_INT)}),
            "summary": _STR,
        }
    ),
    "Member": _object(
        {
            "id": _INT,
            "role": {"type": "string", "enum": _ROLES},
            "party": _STR,
            "organisation": _nullable(_object({"id": _INT, "name": _STR, "kind": _STR})),
            "user": _nullable(_object({"id": _INT, "name": _STR, "email": _STR})),
            "created_at": _TIME,
        }
    ),
    "Choice": _object(
        {
            "membership_id": _INT,
            "party": _STR,
            "role": {"type": "string", "enum": _ROLES},
            "choice": _nullable({"type": "string", "enum": [c.value for c in Choice]}),
            "status": _STR,
            "letter_on": _nullable(_DAY),
            "recorded_by": _nullable(_STR),
            "recorded_at": _nullable(_TIME),
        }
    ),
    "NoteEnjeux": _object(
        {
            "id": _INT,
            "convention_id": _INT,
            "noted_on": _DAY,
            "version": _INT,
            "file": _nullable(_object({"name": _STR, "type": _STR, "size": _INT})),
            "recorded_by": _STR,
            "recorded_by_state": _BOOL,
            "created_at": _TIME,
            "updated_by": _STR,
            "updated_at": _TIME,
            "points": {
                "type": "array",
                "items": _object(
                    {
                        "id": _INT,
                        "kind": {"type": "string", "enum": [k.value for k in PointKind]},
                        "text": _STR,
                        "sections": {"type": "array", "items": _INT},
                    }
                ),
            },
        }
    ),
    "Thread": _object(
        {
            "id": _INT,
            "section_id": _INT,
            "contribution_id": _nullable(_INT),
            "revision_number": _nullable(_INT),
            "quote": _STR,
            "author": _PERSON,
            "created_at": _TIME,
            "resolved": _BOOL,
            "resolved_by": _nullable(_STR),
            "resolved_at": _nullable(_TIME),
            "comments": {
                "type": "array",
                "items": _object(
                    {
                        "id": _INT,
                        "author": _PERSON,
                        "body": _STR,
                        "created_at": _TIME,
                        "mentions": {"type": "array", "items": _INT},
                    }
                ),
            },
            "detached": {
                **_BOOL,
                "description": "Le passage cité n'est plus dans le texte (dans les listes)",
            },
        },
        optional=("detached",),
    ),
    "Review": _object(
        {
            "section_id": _INT,
            "state": {"type": "string", "enum": [s.value for s in SectionState]},
            "revision": _nullable(_INT),
            "positions": {
                "type": "array",
                "items": _object(
                    {
                        "membership_id": _INT,
                        "party": _STR,
                        "position": _nullable({"type": "string", "enum": _POSITIONS}),
                        "text": _STR,
                        "author": _nullable(_STR),
                        "created_at": _nullable(_TIME),
                    }
                ),
            },
        }
    ),
    "Reserve": _object(
        {
            "party": _STR,
            "section": _STR,
            "position": {"type": "string", "enum": ["reserves", "desaccord"]},
            "text": _STR,
            "revision": _INT,
            # The organisme's note carrying it into the transmitted file ("" if not).
            "carried_note": _STR,
        }
    ),
    "Meeting": _object(
        {
            "id": _INT,
            "title": _STR,
            "meeting_on": _DAY,
            "place": _STR,
            "invited": {"type": "array", "items": _INT},
            "minutes": _STR,
            "documents": {
                "type": "array",
                "items": _object(
                    {"id": _INT, "title": _STR, "sent_on": _DAY, "warning": _nullable(_STR)}
                ),
            },
        }
    ),
    "Letter": _object(
        {
            "id": _INT,
            "sender": _STR,
            "received_on": _DAY,
            "subject": _STR,
            "summary": _STR,
            "recorded_by": _STR,
            "created_at": _TIME,
        }
    ),
    "AssociationDecision": _object(
        {
            "id": _INT,
            "instance": {"type": "string", "enum": list(INSTANCES)},
            "instance_label": _STR,
            "decided_on": _DAY,
            "min_meetings": _INT,
            "notice_days": _nullable(_INT),
            "terms": _STR,
            "notified": {
                "type": "array",
                "items": _object({"recipient": _STR, "name": _STR, "notified_on": _DAY}),
            },
            "recorded_by": _STR,
            "updated_at": _TIME,
        }
    ),
    "Adoption": _object(
        {
            "id": _INT,
            "instance": {"type": "string", "enum": list(INSTANCES)},
            "instance_label": _STR,
            "adopted_on": _DAY,
            # The SHA-256 of the text adopted (title and sections, as signing takes it).
            "sha256": _STR,
            "sha256_short": _STR,
            "current": _BOOL,  # the text is still the one adopted
            "recorded_by": _STR,
            "created_at": _TIME,
        }
    ),
    "Deliberation": _object(
        {
            "id": _INT,
            "organisation_id": _INT,  # the party
            "party": _STR,
            "instance": {"type": "string", "enum": list(DELIBERATION_INSTANCES)},
            "instance_label": _STR,
            "decided_on": _DAY,
            "decision": {"type": "string", "enum": [d.value for d in Decision]},
            "decision_label": _STR,
            "note": _STR,  # the reserves, or observations
            # The SHA-256 of the text as it stood when the deliberation was recorded.
            "sha256": _STR,
            "sha256_short": _STR,
            "current": _BOOL,  # the text is still the one deliberated on
            "recorded_by": _STR,
            "created_at": _TIME,
            "proofs": {"type": "array", "items": _ref("Proof")},
        }
    ),
    "Deliberations": _object(
        {
            # The signature waits for them (a contract), or they are kept for the record.
            "required": _BOOL,
            "recording_open": _BOOL,  # until the signature
            "current_sha256": _STR,
            "findings": {
                "type": "array",
                "items": _STR,
                "description": "Ce qui manque encore des délibérations des parties",
            },
            "parties": {
                "type": "array",
                "items": _object(
                    {
                        "organisation_id": _INT,
                        "name": _STR,
                        "kind": _STR,
                        "status": {"type": "string", "enum": [v.value for v in DeliberationStatus]},
                        "status_label": _STR,
                        "instances": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(DELIBERATION_INSTANCES)},
                        },
                    }
                ),
            },
            "deliberations": {"type": "array", "items": _ref("Deliberation")},
        }
    ),
    "Proof": _object(
        {
            "id": _INT,
            "entry": {"type": "string", "enum": list(ENTRY_KINDS)},
            "entry_id": _INT,
            "kind": {"type": "string", "enum": list(PROOF_KINDS)},
            "kind_label": _STR,
            "filename": _STR,
            "content_type": {"type": "string", "enum": sorted(set(PROOF_TYPES.values()))},
            "size": _INT,
            "sha256": _STR,
            "uploaded_by": _STR,
            "created_at": _TIME,
            "download_url": _STR,
        }
    ),
    "Concertation": _object(
        {
            "id": _INT,
            "held_on": _DAY,
            "subject": _STR,
            "participants": {
                "type": "array",
                "items": _object(
                    {"kind": {"type": "string", "enum": list(PARTICIPANT_KINDS)}, "name": _STR}
                ),
            },
            "impossible": _BOOL,
            "reason": _STR,
            "minutes": _STR,
            "recorded_by": _STR,
        }
    ),
    "Register": _object(
        {
            "decision": _nullable(_ref("AssociationDecision")),
            # Every adoption of the projet by the organisme, the one that counts last.
            "adoptions": {"type": "array", "items": _ref("Adoption")},
            # The day of the latest adoption, which ended the association (null: none).
            "association_ended_on": _nullable(_DAY),
            "current_sha256": _STR,  # the fingerprint of the text as it stands
            "findings": {
                "type": "array",
                "items": _STR,
                "description": "Ce que le registre ne prouve pas encore de l'association",
            },
            "proofs": {"type": "array", "items": _ref("Proof")},
            "concertations": {"type": "array", "items": _ref("Concertation")},
            "meetings": {"type": "array", "items": _ref("Meeting")},
            "letters": {"type": "array", "items": _ref("Letter")},
            "contributions": {
                "type": "array",
                "items": _object(
                    {
                        "id": _INT,
                        "section_id": _INT,
                        "section": _STR,
                        "author": _STR,
                        "organisation": _STR,
                        "state": _STR,
                        "created_at": _TIME,
                    }
                ),
            },
        }
    ),
    "Signatures": _object(
        {
            "signing_open": _BOOL,
            # The day of the last transmission to the préfet: no signature before it.
            "transmitted_on": _nullable(_DAY),
            # A CUS: the State signs on the préfet de département's proposal to the
            # préfet de région (null until recorded since the last transmission).
            "proposal_required": _BOOL,
            "proposal": _nullable(_ref("SignatureProposal")),
            "signatures": {
                "type": "array",
                "items": _object(
                    {
                        "id": _INT,
                        "membership_id": _INT,
                        "party": _STR,
                        "signed_on": _DAY,
                        "signer": _STR,
                        "recorded_by": _STR,
                        "created_at": _TIME,
                    }
                ),
            },
            "signatories": {
                "type": "array",
                # Every party that signs: the organisme (``organisme``) first, then the
                # signatories.
                "items": _object(
                    {
                        "membership_id": _INT,
                        "party": _STR,
                        "organisme": _BOOL,
                        "state": _BOOL,
                        "signed": _BOOL,
                    }
                ),
            },
        }
    ),
    "SignatureProposal": _object(
        {
            "id": _INT,
            "proposed_on": _DAY,
            "proposer": _STR,
            "note": _STR,
            "recorded_by": _STR,
            # Recorded by a State member (false: by the organisme, from the letter).
            "by_state": _BOOL,
            "created_at": _TIME,
        }
    ),
    "Readiness": _object(
        {
            "state": _STR,
            # The next step forward it prepares: "transmise", "signee"; null once signed.
            "target": _nullable(_STR),
            "ready": _nullable(_BOOL),
            "blockers": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {
                            "type": "string",
                            "enum": [
                                "section",
                                "contribution",
                                "point",
                                "signatories",
                                "association",
                                "adoption",
                                "signature",
                                "proposal",
                                "calendar",
                                "deliberation",
                            ],
                        },
                        "text": _STR,
                        # Where it is resolved: the section, contribution, position or
                        # thread (``point`` says which kind of point).
                        "id": _nullable(_INT),
                        "section_id": _nullable(_INT),
                        "section": _nullable(_STR),
                        "party": _nullable(_STR),
                        "point": _nullable(
                            {"type": "string", "enum": ["reserve", "desaccord", "discussion"]}
                        ),
                    }
                ),
            },
            "open_points": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {"type": "string", "enum": ["reserve", "desaccord", "discussion"]},
                        "id": _INT,
                        "section_id": _INT,
                        "section": _STR,
                        "party": _STR,
                        "text": _STR,
                        # The organisme's note carrying it into the transmitted file.
                        "carried_note": _nullable(_STR),
                    }
                ),
            },
            # What to check before the transmission without it stopping it: the
            # signatory of right and the collectivités associated as of right that the
            # parties' ties say are missing (workflows.ties); empty once transmitted.
            "warnings": {"type": "array", "items": _STR},
        }
    ),
    "StateOpinion": _object(
        {
            "id": _INT,
            "section_id": _nullable(_INT),
            "organisation": _STR,
            "author": _STR,
            "territory": _STR,
            "body": _STR,
            "created_at": _TIME,
        }
    ),
    "Evaluation": _object(
        {
            "years": _INT,
            "evaluated_years": {"type": "array", "items": _INT},
            # Explanations and assessments are written while at the evaluation's stage.
            "writable": _BOOL,
            "complete": _BOOL,
            "outstanding": {"type": "array", "items": _STR},
            "findings": {
                "type": "array",
                "items": _object(
                    {
                        "code": _STR,
                        "title": _STR,
                        "scope": _STR,
                        "shortfall": _BOOL,
                        "missing_years": {"type": "array", "items": _INT},
                        "years": {
                            "type": "array",
                            "items": _object(
                                {
                                    "year": _INT,
                                    "target": _STR,
                                    "achieved": _STR,
                                    "gap": _STR,
                                    "status": {
                                        "type": "string",
                                        "enum": ["atteint", "ecart", "manquant", "sans_cible"],
                                    },
                                }
                            ),
                        },
                        "explanation": _STR,
                        "explained_by": _nullable(_STR),
                        "explained_at": _nullable(_TIME),
                        "assessment": _nullable(
                            {"type": "string", "enum": ["imputable", "non_imputable"]}
                        ),
                        "assessment_label": _nullable(_STR),
                        "assessment_note": _STR,
                        "assessed_by": _nullable(_STR),
                    }
                ),
            },
        }
    ),
    "Deadlines": _object(
        {
            "deadlines": {
                "type": "array",
                "items": _object(
                    {
                        "key": {"type": "string", "enum": list(DEADLINE_LABELS)},
                        "label": _STR,
                        "due": _nullable(_DAY),
                        "done": _BOOL,
                        "status": _nullable(
                            {"type": "string", "enum": ["done", "late", "soon", "later"]}
                        ),
                    }
                ),
            }
        }
    ),
    "Cell": _object(
        {
            "value": _NUMBER,
            "shown": _STR,
            "working": _STR,
            "variables": {"type": "object", "additionalProperties": _NUMBER},
            "entered_by": _STR,
            "updated_at": _TIME,
        }
    ),
    "Gap": _object(
        {
            "value": _NUMBER,
            "shown": _STR,
            "status": {"type": "string", "enum": ["favorable", "defavorable"]},
        }
    ),
    "IndicatorValues": _object(
        {
            "years": {"type": "array", "items": _INT},
            "refusals": _object({"cible": _nullable(_STR), "realise": _nullable(_STR)}),
            "indicators": {
                "type": "array",
                "items": _object(
                    {
                        "code": _STR,
                        "title": _STR,
                        "rule": _STR,
                        "direction": _STR,
                        "lower_is_better": _BOOL,
                        "scopes": {
                            "type": "array",
                            "items": _object(
                                {
                                    "scope": _STR,
                                    "years": {
                                        "type": "array",
                                        "items": _object(
                                            {
                                                "year": _INT,
                                                "target": _nullable(_ref("Cell")),
                                                "achieved": _nullable(_ref("Cell")),
                                                "gap": _nullable(_ref("Gap")),
                                            }
                                        ),
                                    },
                                    "aggregate": _object(
                                        {
                                            "target": _nullable(_NUMBER),
                                            "target_shown": _STR,
                                            "target_working": _STR,
                                            "achieved": _nullable(_NUMBER),
                                            "achieved_shown": _STR,
                                            "achieved_working": _STR,
                                            "compared_years": {"type": "array", "items": _INT},
                                            "gap": _nullable(_ref("Gap")),
                                            "gap_working": _STR,
                                            "warnings": {"type": "array", "items": _STR},
                                        }
                                    ),
                                }
                            ),
                        },
                    }
                ),
            },
        }
    ),
    "GridCells": _object(
        {
            "cells": {
                "type": "array",
                "items": _object(
                    {
                        "code": _STR,
                        "scope": _STR,
                        "year": {"type": ["integer", "string"]},
                        "kind": _STR,
                        "status": {
                            "type": "string",
                            "enum": ["nouveau", "modifie", "inchange", "supprime", "refuse"],
                        },
                        "value": _nullable(_NUMBER),
                        "shown": _STR,
                        "error": _STR,
                    }
                ),
            }
        }
    ),
    "IndicatorValue": _object(
        {
            "id": _INT,
            "code": _STR,
            "scope": _STR,
            "year": _INT,
            "kind": {"type": "string", "enum": ["cible", "realise"]},
            "variables": {"type": "object", "additionalProperties": _NUMBER},
            "value": _NUMBER,
            "shown": _STR,
            "warnings": {"type": "array", "items": _STR},
            "updated_at": _TIME,
        }
    ),
}


CONVENTION = _path("convention_id", "Identifiant de la convention")
YEARS = _path("years", "Évaluation : 2, 4 ou 6 (ans)")
SECTION = _path("section_id", "Identifiant de la section")
CONTRIBUTION = _path("contribution_id", "Identifiant de la contribution")
CHANGE = _path("number", "Numéro de la modification dans la contribution (h1 → 1)")
THREAD = _path("thread_id", "Identifiant du fil de discussion")
MEETING = _path("meeting_id", "Identifiant de la réunion")
AUTHOR = _path("user_id", "Identifiant de l'auteur des contributions")
MEMBERSHIP = _path("membership_id", "Identifiant de la participation (voir /members)")
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


def _proof_download() -> Schema:
    operation = _operation(
        "Télécharger une pièce justificative (en pièce jointe, du type lu à son dépôt)",
        parameters=[CONVENTION, _path("proof_id", "Identifiant de la pièce")],
    )
    operation["responses"]["200"]["content"] = {
        media: {} for media in sorted(set(PROOF_TYPES.values()))
    }
    return operation


def _notification_paths() -> Schema:
    kinds = [k.value for k in Kind]
    deliveries = [d.value for d in Delivery]
    preferences = _object(
        {
            "preferences": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {"type": "string", "enum": kinds},
                        "label": _STR,
                        "delivery": {"type": "string", "enum": deliveries},
                        "chosen": _BOOL,
                    }
                ),
            },
            "deliveries": {"type": "object", "additionalProperties": _STR},
        }
    )
    return {
        "/api/notifications": {
            "get": _operation(
                "Mes notifications, de la plus récente à la plus ancienne, et le nombre de "
                "non lues",
                schema=_object(
                    {
                        "notifications": {
                            "type": "array",
                            "items": _object(
                                {
                                    "id": _INT,
                                    "kind": _STR,
                                    "convention_id": _nullable(_INT),
                                    "url": _STR,
                                    "summary": _STR,
                                    "read": _BOOL,
                                    "created_at": _TIME,
                                }
                            ),
                        },
                        "unread": _INT,
                        "next_before": _nullable(_INT),
                    }
                ),
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
                schema=_object({"marked": _INT, "unread": _INT}),
                requestBody=_json(
                    {
                        "ids": {"type": "array", "items": _ID, "maxItems": 1000},
                        "all": {"type": "boolean"},
                    }
                ),
            )
        },
        "/api/notifications/preferences": {
            "get": _operation("Mes choix d'envoi par e-mail, type par type", schema=preferences),
            "post": _operation(
                "Changer mes choix d'envoi par e-mail",
                schema=preferences,
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


def _archive_paths() -> Schema:
    """The signed convention's PDF/A archive (app/archive)."""
    archive = _object(
        {
            "convention_id": _INT,
            "state": {"type": "string", "enum": [s.value for s in ArchiveState]},
            "label": _STR,
            "format": _STR,
            # The fingerprint of the signed text (the convention's), and the file's own.
            "text_sha256": _STR,
            "pdf_sha256": _nullable(_STR),
            "size": _nullable(_INT),
            "url": _nullable(_STR),
            "error": _nullable(_STR),
            "retry_at": _nullable(_TIME),
            "finished_at": _nullable(_TIME),
        }
    )
    return {
        "/api/conventions/{convention_id}/archive": {
            "get": _operation(
                "L'archive PDF/A-2b de la convention signée : son état (en_attente, en_cours, "
                "fait, echec), l'empreinte SHA-256 du texte signé et celle du PDF, sa taille "
                "et son adresse de téléchargement ; 404 avant la signature",
                parameters=[CONVENTION],
                schema=archive,
            )
        },
        "/api/conventions/{convention_id}/archive.pdf": {
            "get": _operation(
                "Le PDF/A de la convention signée (404 tant qu'il est en préparation ou en échec)",
                media="application/pdf",
                parameters=[CONVENTION],
            )
        },
        "/api/conventions/{convention_id}/archive/retry": {
            "post": _operation(
                "Relancer une archive en échec (rédacteurs) : elle repart en préparation (202) ; "
                "409 quand elle est faite ou déjà en préparation",
                ok=202,
                parameters=[CONVENTION],
                schema=archive,
            )
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
        "/api/conventions": {
            "get": _operation(
                "Les conventions de l'utilisateur et son rôle",
                schema=_list_of("conventions", "Convention"),
            ),
            "post": _operation(
                "Créer une convention de son organisme, avec ses sections types "
                "(utilisateurs d'un organisme HLM)",
                ok=201,
                schema=_ref("Convention"),
                requestBody=_json(
                    {
                        "kind": {
                            "type": "string",
                            "enum": [
                                k.value for k in ConventionKind if k is not ConventionKind.AVENANT
                            ],
                        },
                        "title": _TEXT,
                        "start_year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                        "end_year": {"type": "integer"},
                        "cadre_id": {**_ID, "description": "Le document cadre (application)"},
                    },
                    ["kind", "title", "start_year"],
                ),
            ),
        },
        "/api/conventions/{convention_id}": {
            "get": _operation(
                "Une convention, ses membres et son étape",
                parameters=[CONVENTION],
                schema={
                    "allOf": [
                        _ref("Convention"),
                        _object(
                            {
                                "members": {
                                    "type": "array",
                                    "items": _object(
                                        {
                                            "role": {"type": "string", "enum": _ROLES},
                                            "organisation": _nullable(_STR),
                                            "user": _nullable(_STR),
                                        }
                                    ),
                                }
                            }
                        ),
                    ]
                },
            )
        },
        "/api/conventions/{convention_id}/sections": {
            "get": _operation(
                "Les sections d'une convention",
                parameters=[CONVENTION],
                schema=_list_of("sections", "Section"),
            ),
            "post": _operation(
                "Ajouter une section à la fin (rédacteurs)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Section"),
                requestBody=_json({"title": _TEXT}, ["title"]),
            ),
        },
        "/api/conventions/{convention_id}/events": {
            "get": _operation(
                "Le journal, du plus récent au plus ancien (200 par page)",
                schema=_list_of("events", "Event"),
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
                schema=_ref("Convention"),
                description=_PATHS_DESCRIPTION,
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
                "Importer un document Word revu (aperçu avec dry_run=1, 200 ; écrit : 201)",
                ok_too=(201,),
                schema=_LOOSE_OBJECT,
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
                "Créer une convention depuis un projet Word (aperçu avec dry_run=1 : 200)",
                ok=201,
                ok_too=(200,),
                schema=_LOOSE_OBJECT,
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
            "get": _operation(
                "Une section et son texte courant", parameters=[SECTION], schema=_ref("Section")
            )
        },
        "/api/sections/{section_id}/revisions": {
            "get": _operation(
                "L'historique des révisions, sans les textes",
                schema=_object(
                    {
                        "total": _INT,
                        "limit": _INT,
                        "offset": _INT,
                        "revisions": {"type": "array", "items": _ref("Revision")},
                    }
                ),
                parameters=[
                    SECTION,
                    _query("limit", "Au plus (1 à 1000)", {"type": "integer"}),
                    _query("offset", "À partir de", {"type": "integer"}),
                ],
            ),
            "post": _operation(
                "Enregistrer une révision (rédacteurs)",
                schema=_SAVED,
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
                schema=_ref("Revision"),
                parameters=[SECTION, _path("number", "Numéro de la révision")],
            )
        },
        "/api/sections/{section_id}/diff": {
            "get": _operation(
                "Les différences entre deux révisions, mot à mot",
                schema=_object(
                    {
                        "from": _INT,
                        "to": _INT,
                        "stats": {"type": "object", "additionalProperties": _INT},
                        "paragraphs": {
                            "type": "array",
                            "items": _object(
                                {
                                    "op": {
                                        "type": "string",
                                        "enum": ["equal", "insert", "delete", "change"],
                                    },
                                    "old_index": _nullable(_INT),
                                    "new_index": _nullable(_INT),
                                    "spans": {
                                        "type": "array",
                                        "items": _object({"op": _STR, "text": _STR}),
                                    },
                                }
                            ),
                        },
                    }
                ),
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
                schema=_ref("Contribution"),
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
            "get": _operation(
                "Une contribution et ses modifications",
                parameters=[CONTRIBUTION],
                schema=_ref("Contribution"),
            )
        },
        "/api/contributions/{contribution_id}/accept": {
            "post": _operation(
                "Accepter une contribution, entière ou en partie",
                schema=_DECIDED,
                parameters=[CONTRIBUTION],
                requestBody=_json(
                    {"hunks": {"type": "array", "items": {"type": "string"}}}, optional=True
                ),
            )
        },
        "/api/contributions/{contribution_id}/reject": {
            "post": _operation(
                "Rejeter une contribution, avec son motif",
                schema=_ref("Contribution"),
                parameters=[CONTRIBUTION],
                requestBody=_json(_REASON),
            )
        },
        "/api/contributions/{contribution_id}/withdraw": {
            "post": _operation(
                "Retirer sa propre contribution",
                parameters=[CONTRIBUTION],
                schema=_ref("Contribution"),
            )
        },
        "/api/contributions/{contribution_id}/changes/{number}/accept": {
            "post": _operation(
                "Accepter une seule modification",
                schema=_DECIDED,
                parameters=[CONTRIBUTION, CHANGE],
                requestBody=_json({}, optional=True),
            )
        },
        "/api/contributions/{contribution_id}/changes/{number}/reject": {
            "post": _operation(
                "Rejeter une seule modification",
                schema=_object({"contribution": _ref("Contribution")}),
                parameters=[CONTRIBUTION, CHANGE],
                requestBody=_json(_REASON, optional=True),
            )
        },
        "/api/sections/{section_id}/rename": {
            "post": _operation(
                "Renommer une section (rédacteurs)",
                parameters=[SECTION],
                schema=_ref("Section"),
                requestBody=_json({"title": _TEXT}, ["title"]),
            )
        },
        "/api/sections/{section_id}/concertation": {
            "post": _operation(
                "Soumettre une section à la concertation avec les représentants des locataires "
                "(true) ou l'en retirer (false) (rédacteurs)",
                parameters=[SECTION],
                schema=_ref("Section"),
                requestBody=_json({"concertation": _BOOL}, ["concertation"]),
            )
        },
        "/api/sections/{section_id}/move": {
            "post": _operation(
                "Échanger une section avec sa voisine (rédacteurs) : les sections dans leur "
                "nouvel ordre",
                parameters=[SECTION],
                schema=_list_of("sections", "Section"),
                requestBody=_json(
                    {"direction": {"type": "string", "enum": ["up", "down"]}}, ["direction"]
                ),
            )
        },
        "/api/sections/{section_id}/revisions/{number}/restore": {
            "post": _operation(
                "Restaurer une révision : son texte devient une nouvelle révision (rédacteurs)",
                ok=201,
                parameters=[SECTION, _path("number", "Numéro de la révision à restaurer")],
                schema=_SAVED,
                requestBody=_json(
                    {"base_revision": {"type": "integer", "minimum": 0}}, ["base_revision"]
                ),
            )
        },
        "/api/contributions/{contribution_id}/treat": {
            "post": _operation(
                "Marquer une contribution comme prise en compte, sans changer le texte, "
                "avec une note",
                parameters=[CONTRIBUTION],
                schema=_ref("Contribution"),
                requestBody=_json({"note": _TEXT}, ["note"]),
            )
        },
        "/api/sections/{section_id}/authors/{user_id}/accept": {
            "post": _operation(
                "Accepter toutes les contributions ouvertes d'un auteur sur la section",
                parameters=[SECTION, AUTHOR],
                schema=_DECISIONS,
                requestBody=_json({}, optional=True),
            )
        },
        "/api/sections/{section_id}/authors/{user_id}/reject": {
            "post": _operation(
                "Rejeter toutes les contributions ouvertes d'un auteur sur la section, "
                "avec un motif",
                parameters=[SECTION, AUTHOR],
                schema=_DECISIONS,
                requestBody=_json(_REASON, ["reason"]),
            )
        },
        "/api/conventions/{convention_id}/members": {
            "get": _operation(
                "Les participants, organisations et personnes, avec leur rôle",
                parameters=[CONVENTION],
                schema=_list_of("members", "Member"),
            ),
            "post": _operation(
                "Ajouter un participant (organisation ou personne) ou changer son rôle "
                "(rédacteurs) : 201 ajouté, 200 rôle changé",
                ok=201,
                ok_too=(200,),
                parameters=[CONVENTION],
                schema=_ref("Member"),
                requestBody=_json(
                    {
                        "role": {"type": "string", "enum": _ROLES},
                        "organisation_id": _ID,
                        "user_email": {
                            "type": "string",
                            "description": "L'adresse d'un compte, à la place d'une organisation",
                        },
                    },
                    ["role"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/members/{membership_id}": {
            "delete": _operation(
                "Retirer un participant (rédacteurs ; pas celui qui a donné une position "
                "ou signé, ni le dernier rédacteur)",
                ok=204,
                parameters=[CONVENTION, MEMBERSHIP],
            )
        },
        "/api/conventions/{convention_id}/choices": {
            "get": _operation(
                "Les collectivités associées et leur choix de devenir signataires ou de rester "
                "associées (null : pas de choix exprimé, ce qui ne bloque rien)",
                parameters=[CONVENTION],
                schema=_list_of("choices", "Choice"),
            )
        },
        "/api/conventions/{convention_id}/members/{membership_id}/choice": {
            "post": _operation(
                "Enregistrer le choix d'une collectivité associée (art. L. 445-1 CCH) : le sien, "
                "ou pour un rédacteur d'après son courrier (letter_on obligatoire) ; "
                "jusqu'à la transmission au préfet",
                parameters=[CONVENTION, MEMBERSHIP],
                schema=_ref("Choice"),
                requestBody=_json(
                    {
                        "choice": {"type": "string", "enum": [c.value for c in Choice]},
                        "letter_on": {**_DAY, "description": "La date du courrier (rédacteurs)"},
                    },
                    ["choice"],
                ),
            )
        },
        "/api/conventions/{convention_id}/note-enjeux": {
            "get": _operation(
                "La note d'enjeux et d'objectifs du préfet (null : aucune)",
                parameters=[CONVENTION],
                schema=_object({"note": _nullable(_ref("NoteEnjeux"))}),
            ),
            "post": _operation(
                "Enregistrer (201) ou modifier (200) la note d'enjeux : sa date et ses points, "
                "chacun rattaché à une ou plusieurs sections (points absent : inchangés) ; "
                "services de l'État signataires, ou rédacteurs d'après le document reçu tant "
                "que l'État ne l'a pas écrite lui-même",
                ok=201,
                ok_too=(200,),
                parameters=[CONVENTION],
                schema=_ref("NoteEnjeux"),
                requestBody=_json(
                    {
                        "noted_on": _DAY,
                        "version": {
                            **_ID,
                            "description": "La version lue : refusé (409) si la note a changé",
                        },
                        "points": {
                            "type": "array",
                            "maxItems": MAX_NOTE_POINTS,
                            "items": {
                                "type": "object",
                                "properties": {
                                    "kind": {
                                        "type": "string",
                                        "enum": [k.value for k in PointKind],
                                    },
                                    "text": {"type": "string", "maxLength": NOTE_POINT_MAX_CHARS},
                                    "sections": {"type": "array", "items": _ID},
                                },
                                "required": ["kind", "text", "sections"],
                            },
                        },
                    },
                    ["noted_on"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/note-enjeux/file": {
            "get": _operation(
                "Le fichier de la note d'enjeux, tel qu'il a été déposé",
                media="application/octet-stream",
                parameters=[CONVENTION],
            ),
            "post": _operation(
                "Déposer ou remplacer le fichier de la note (PDF, .docx, .odt ; type vérifié "
                "sur son contenu) ; noted_on enregistre la note s'il n'y en a pas encore",
                ok=201,
                ok_too=(200,),
                parameters=[CONVENTION],
                schema=_ref("NoteEnjeux"),
                requestBody=_multipart(
                    {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "Le fichier de la note",
                        },
                        "noted_on": _DAY,
                        "version": _STR,
                    },
                    ["file"],
                ),
            ),
            "delete": _operation(
                "Retirer le fichier de la note (la note reste)",
                ok=204,
                parameters=[CONVENTION],
            ),
        },
        "/api/sections/{section_id}/threads": {
            "get": _operation(
                "Les discussions de la section (ou d'une de ses contributions), ouvertes d'abord",
                parameters=[
                    SECTION,
                    _query("contribution", "Celles d'une contribution de la section", _ID),
                ],
                schema=_list_of("threads", "Thread"),
            ),
            "post": _operation(
                "Ouvrir une discussion sur la section, un passage cité ou une contribution",
                ok=201,
                parameters=[SECTION],
                schema=_ref("Thread"),
                requestBody=_json(
                    {
                        "body": {
                            "type": "string",
                            "description": "Le commentaire ; @Nom mentionne",
                        },
                        "quote": {"type": "string", "description": "Le passage commenté"},
                        "revision_number": {**_ID, "description": "La révision citée (courante)"},
                        "contribution_id": {**_ID, "description": "Sur cette contribution"},
                        "before": {"type": "string", "description": "Les mots avant le passage"},
                        "after": {"type": "string", "description": "Les mots après le passage"},
                    },
                    ["body"],
                ),
            ),
        },
        "/api/threads/{thread_id}": {
            "get": _operation(
                "Une discussion et ses commentaires", parameters=[THREAD], schema=_ref("Thread")
            )
        },
        "/api/threads/{thread_id}/replies": {
            "post": _operation(
                "Répondre dans une discussion",
                ok=201,
                parameters=[THREAD],
                schema=_ref("Thread"),
                requestBody=_json({"body": _TEXT}, ["body"]),
            )
        },
        "/api/threads/{thread_id}/resolve": {
            "post": _operation(
                "Résoudre une discussion (son auteur ou un rédacteur)",
                parameters=[THREAD],
                schema=_ref("Thread"),
                requestBody=_json({}, optional=True),
            )
        },
        "/api/threads/{thread_id}/reopen": {
            "post": _operation(
                "Rouvrir une discussion résolue (son auteur ou un rédacteur)",
                parameters=[THREAD],
                schema=_ref("Thread"),
                requestBody=_json({}, optional=True),
            )
        },
        "/api/sections/{section_id}/review": {
            "get": _operation(
                "L'état de la relecture : chaque signataire et sa position sur la révision "
                "courante",
                parameters=[SECTION],
                schema=_ref("Review"),
            ),
            "post": _operation(
                "Demander la relecture de la section aux signataires (rédacteurs)",
                parameters=[SECTION],
                schema=_ref("Review"),
                requestBody=_json({}, optional=True),
            ),
        },
        "/api/sections/{section_id}/position": {
            "post": _operation(
                "Donner la position de son organisation sur la révision courante "
                "(signataires) ; réserves et désaccord se motivent",
                ok=201,
                parameters=[SECTION],
                schema=_ref("Review"),
                requestBody=_json(
                    {
                        "position": {"type": "string", "enum": _POSITIONS},
                        "text": {"type": "string", "maxLength": POSITION_TEXT_MAX_LENGTH},
                        "revision_number": {
                            **_ID,
                            "description": "La révision relue : refusé (409) si la section a changé",
                        },
                    },
                    ["position"],
                ),
            )
        },
        "/api/conventions/{convention_id}/reserves": {
            "get": _operation(
                "Le registre des réserves et désaccords ouverts",
                parameters=[CONVENTION],
                schema=_list_of("items", "Reserve"),
            )
        },
        "/api/conventions/{convention_id}/register": {
            "get": _operation(
                "Le registre de l'association : réunions et documents envoyés, courriers "
                "reçus, contributions reçues",
                parameters=[CONVENTION],
                schema=_ref("Register"),
            )
        },
        "/api/conventions/{convention_id}/association-decision": {
            "post": _operation(
                "Enregistrer (201) ou corriger (200) la décision de l'organisme engageant "
                "l'élaboration, ses modalités d'association et ses transmissions (rédacteurs)",
                ok=201,
                ok_too=(200,),
                parameters=[CONVENTION],
                schema=_ref("AssociationDecision"),
                requestBody=_json(
                    {
                        "instance": {"type": "string", "enum": list(INSTANCES)},
                        "decided_on": _DAY,
                        "min_meetings": {
                            "type": ["integer", "null"],
                            "description": "Réunions de travail au moins (1 par défaut)",
                        },
                        "notice_days": {
                            "type": ["integer", "null"],
                            "description": "Délai d'envoi des documents en jours (null : un mois)",
                        },
                        "notified": {
                            "type": "object",
                            "description": "Destinataire (« prefet » ou identifiant de "
                            "l'organisation) → date de transmission",
                            "additionalProperties": _DAY,
                        },
                    },
                    ["instance", "decided_on"],
                ),
            )
        },
        "/api/conventions/{convention_id}/adoptions": {
            "post": _operation(
                "Enregistrer l'adoption du projet par l'organisme (rédacteurs) : elle clôt "
                "l'association ; l'empreinte du texte tel qu'il est est enregistrée, la "
                "dernière adoption compte ; la délibération se joint par /proofs "
                "(entry « adoption »)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Adoption"),
                requestBody=_json(
                    {
                        "instance": {"type": "string", "enum": list(INSTANCES)},
                        "adopted_on": _DAY,
                    },
                    ["instance", "adopted_on"],
                ),
            )
        },
        "/api/conventions/{convention_id}/deliberations": {
            "get": _operation(
                "Les délibérations des parties : chaque partie qui délibère (l'organisme, "
                "les collectivités signataires) et où elle en est, sur le texte actuel",
                parameters=[CONVENTION],
                schema=_ref("Deliberations"),
            ),
            "post": _operation(
                "Enregistrer la délibération d'une partie (l'instance de son type, la date, "
                "la décision ; l'empreinte du texte tel qu'il est) : chaque signataire pour "
                "sa partie, les rédacteurs pour toute partie ; l'extrait se joint par "
                "/proofs (entry « deliberation »)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Deliberation"),
                requestBody=_json(
                    {
                        "organisation_id": _ID,
                        "instance": {"type": "string", "enum": list(DELIBERATION_INSTANCES)},
                        "decided_on": _DAY,
                        "decision": {"type": "string", "enum": [d.value for d in Decision]},
                        "note": {
                            "type": "string",
                            "description": "Les réserves (obligatoires avec approuve_reserves)",
                        },
                    },
                    ["organisation_id", "instance", "decided_on", "decision"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/proofs": {
            "post": _operation(
                "Joindre une pièce justificative à une entrée du registre (rédacteurs) : "
                "PDF, PNG, JPEG, .docx ou .odt, le type lu dans le contenu",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Proof"),
                requestBody=_multipart(
                    {
                        "file": {"type": "string", "format": "binary"},
                        "entry": {"type": "string", "enum": list(ENTRY_KINDS)},
                        "entry_id": {"type": "string", "description": "Identifiant de l'entrée"},
                        "kind": {"type": "string", "enum": list(PROOF_KINDS)},
                    },
                    ["file", "entry", "entry_id", "kind"],
                ),
            )
        },
        "/api/conventions/{convention_id}/proofs/{proof_id}": {
            "get": _proof_download(),
        },
        "/api/conventions/{convention_id}/meetings": {
            "post": _operation(
                "Enregistrer une réunion (rédacteurs)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Meeting"),
                requestBody=_json(
                    {
                        "title": _TEXT,
                        "meeting_on": _DAY,
                        "place": _TEXT,
                        "invited": {
                            "type": "array",
                            "items": _ID,
                            "description": "Les organisations invitées",
                        },
                    },
                    ["title", "meeting_on"],
                ),
            )
        },
        "/api/conventions/{convention_id}/meetings/{meeting_id}/documents": {
            "post": _operation(
                "Enregistrer un document envoyé pour une réunion (rédacteurs) ; "
                "warning : envoyé trop tard",
                ok=201,
                parameters=[CONVENTION, MEETING],
                schema=_object({"meeting": _ref("Meeting"), "warning": _nullable(_STR)}),
                requestBody=_json({"title": _TEXT, "sent_on": _DAY}, ["title", "sent_on"]),
            )
        },
        "/api/conventions/{convention_id}/meetings/{meeting_id}/minutes": {
            "post": _operation(
                "Enregistrer le compte rendu d'une réunion (rédacteurs)",
                parameters=[CONVENTION, MEETING],
                schema=_ref("Meeting"),
                requestBody=_json({"minutes": _TEXT}, ["minutes"]),
            )
        },
        "/api/conventions/{convention_id}/concertations": {
            "post": _operation(
                "Inscrire la concertation avec les représentants des locataires sur le "
                "classement des immeubles, ou la formalité impossible et son motif (rédacteurs)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Concertation"),
                requestBody=_json(
                    {
                        "held_on": _DAY,
                        "subject": _TEXT,
                        "participants": {
                            "type": "object",
                            "properties": {
                                kind: {"type": "array", "items": _TEXT}
                                for kind in PARTICIPANT_KINDS
                            },
                        },
                        "impossible": _BOOL,
                        "reason": _TEXT,
                        "minutes": _TEXT,
                    },
                    ["held_on"],
                ),
            )
        },
        "/api/conventions/{convention_id}/letters": {
            "post": _operation(
                "Enregistrer un courrier ou un avis reçu hors de Cosigne (rédacteurs)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Letter"),
                requestBody=_json(
                    {"sender": _TEXT, "received_on": _DAY, "subject": _TEXT, "summary": _TEXT},
                    ["sender", "received_on", "subject"],
                ),
            )
        },
        "/api/conventions/{convention_id}/indicator-values/grid": {
            "post": _operation(
                "Enregistrer plusieurs cases à la fois, comme une grille : toutes ou aucune "
                "(400 avec chaque case refusée et son motif dans cells) (rédacteurs)",
                parameters=[CONVENTION],
                schema=_ref("GridCells"),
                requestBody=_json(
                    {
                        "cells": {
                            "type": "array",
                            "maxItems": 2000,
                            "items": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "scope": {"type": "string"},
                                    "year": {"type": ["integer", "string"]},
                                    "kind": {"type": "string", "enum": ["cible", "realise"]},
                                    "variables": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "type": ["number", "string", "null"]
                                        },
                                    },
                                },
                                "required": ["code", "scope", "year", "kind", "variables"],
                            },
                        }
                    },
                    ["cells"],
                ),
            )
        },
        "/api/conventions/{convention_id}/indicator-values": {
            "get": _operation(
                "Cibles et réalisé : par indicateur et périmètre, chaque année, les écarts "
                "et les agrégats",
                parameters=[CONVENTION],
                schema=_ref("IndicatorValues"),
            ),
            "post": _operation(
                "Saisir ou corriger une cible ou un réalisé à partir de ses variables (rédacteurs)",
                parameters=[CONVENTION],
                schema=_ref("IndicatorValue"),
                requestBody=_json(
                    {
                        "code": {"type": "string", "description": "« F.VI », « g3 »…"},
                        "scope": {"type": "string", "description": "Département ou segment"},
                        "year": {"type": ["integer", "string"]},
                        "kind": {"type": "string", "enum": ["cible", "realise"]},
                        "variables": {
                            "type": "object",
                            "additionalProperties": {"type": ["number", "string"]},
                        },
                    },
                    ["code", "scope", "year", "kind", "variables"],
                ),
            ),
            "delete": _operation(
                "Supprimer une valeur (rédacteurs)",
                ok=204,
                parameters=[
                    CONVENTION,
                    {**_query("code", "Code de l'indicateur", _TEXT), "required": True},
                    {**_query("scope", "Périmètre", _TEXT), "required": True},
                    {**_query("year", "Année", {"type": "integer"}), "required": True},
                    {
                        **_query("kind", "cible ou realise", {"enum": ["cible", "realise"]}),
                        "required": True,
                    },
                ],
            ),
        },
        "/api/conventions/{convention_id}/signatures": {
            "get": _operation(
                "Les signatures enregistrées et chaque partie qui signe (l'organisme, puis "
                "les signataires), signée ou non",
                parameters=[CONVENTION],
                schema=_ref("Signatures"),
            ),
            "post": _operation(
                "Enregistrer une signature, datée au plus tôt du jour de la transmission au "
                "préfet et au plus tard d'aujourd'hui : la sienne, ou pour un rédacteur celle "
                "de toute partie d'après l'exemplaire papier",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Signatures"),
                requestBody=_json(
                    {
                        "membership_id": {
                            **_ID,
                            "description": "Le signataire (facultatif pour le sien propre)",
                        },
                        "signed_on": _DAY,
                        "signer": {
                            **_STR,
                            "description": "Nom et qualité de qui a signé (par défaut, "
                            "soi-même ; obligatoire d'après l'exemplaire papier)",
                        },
                    },
                    ["signed_on"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/signature-proposal": {
            "post": _operation(
                "Enregistrer (ou corriger, tant que l'État n'a pas signé) la proposition de "
                "signature du préfet de département au préfet de région, pour une CUS "
                "transmise : datée au plus tôt du jour de la transmission et au plus tard "
                "d'aujourd'hui (le service de l'État signataire, ou un rédacteur d'après le "
                "courrier reçu)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Signatures"),
                requestBody=_json(
                    {
                        "proposed_on": _DAY,
                        "proposer": {
                            **_STR,
                            "description": "Qui propose (« préfet de département du … »)",
                        },
                        "note": _STR,
                    },
                    ["proposed_on"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/evaluations/{years}": {
            "get": _operation(
                "L'évaluation à 2, 4 ou 6 ans : chaque indicateur et périmètre sur les années "
                "évaluées, ses écarts, l'explication de l'organisme et l'appréciation de l'État",
                parameters=[CONVENTION, YEARS],
                schema=_ref("Evaluation"),
            ),
        },
        "/api/conventions/{convention_id}/evaluations/{years}/explain": {
            "post": _operation(
                "Expliquer un écart (rédacteurs de l'organisme)",
                parameters=[CONVENTION, YEARS],
                schema=_ref("Evaluation"),
                requestBody=_json(
                    {"code": _STR, "scope": _STR, "explanation": _STR},
                    ["code", "scope", "explanation"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/evaluations/{years}/assess": {
            "post": _operation(
                "Apprécier si un écart expliqué est imputable à l'organisme (services de "
                "l'État signataires ; motivation obligatoire si imputable)",
                parameters=[CONVENTION, YEARS],
                schema=_ref("Evaluation"),
                requestBody=_json(
                    {
                        "code": _STR,
                        "scope": _STR,
                        "assessment": {"type": "string", "enum": ["imputable", "non_imputable"]},
                        "note": _STR,
                    },
                    ["code", "scope", "assessment"],
                ),
            ),
        },
        "/api/conventions/{convention_id}/state-opinions": {
            "get": _operation(
                "Les avis internes des services de l'État (lus par les seuls services de "
                "l'État ; 403 pour les autres)",
                parameters=[CONVENTION],
                schema=_list_of("items", "StateOpinion"),
            ),
            "post": _operation(
                "Donner un avis interne, sur la convention ou une section (services de l'État)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("StateOpinion"),
                requestBody=_json(
                    {"section_id": _nullable(_ID), "territory": _STR, "body": _STR}, ["body"]
                ),
            ),
        },
        "/api/conventions/{convention_id}/readiness": {
            "get": _operation(
                "Ce qui bloque encore la transmission au préfet (ou la signature, une fois "
                "transmise), point par point, et les points ouverts avec leur report",
                parameters=[CONVENTION],
                schema=_ref("Readiness"),
            ),
        },
        "/api/conventions/{convention_id}/points/{kind}/{ref}/carry": {
            "post": _operation(
                "Reporter une réserve, un désaccord (kind = position) ou une discussion "
                "ouverte (kind = discussion) dans le dossier transmis, avec une note "
                "(rédacteurs, avant la transmission)",
                ok=201,
                parameters=[
                    CONVENTION,
                    _path("kind", "position ou discussion", {"type": "string"}),
                    _path("ref", "Identifiant de la position ou du fil"),
                ],
                schema=_ref("Readiness"),
                requestBody=_json({"note": _STR}, ["note"]),
            ),
            "delete": _operation(
                "Retirer un point reporté du dossier transmis : il bloque de nouveau la "
                "transmission tant qu'il n'est ni levé ni reporté (rédacteurs, avant la "
                "transmission)",
                parameters=[
                    CONVENTION,
                    _path("kind", "position ou discussion", {"type": "string"}),
                    _path("ref", "Identifiant de la position ou du fil"),
                ],
                schema=_ref("Readiness"),
            ),
        },
        "/api/conventions/{convention_id}/deadlines": {
            "get": _operation(
                "Les échéances et où elles en sont",
                parameters=[CONVENTION],
                schema=_ref("Deadlines"),
            ),
            "post": _operation(
                "Fixer ou retirer (null) des échéances ; celles non nommées ne changent pas "
                "(rédacteurs)",
                parameters=[CONVENTION],
                schema=_ref("Deadlines"),
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {key: _nullable(_DAY) for key in DEADLINE_LABELS},
                                "additionalProperties": False,
                            }
                        }
                    },
                },
            ),
        },
        "/api/conventions/{convention_id}/avenant": {
            "post": _operation(
                "Ouvrir un avenant à une convention signée (rédacteurs)",
                ok=201,
                parameters=[CONVENTION],
                schema=_ref("Convention"),
                requestBody=_json({"title": _TEXT}, ["title"]),
            )
        },
        "/api/search": {
            "get": _operation(
                "Chercher dans la base documentaire",
                schema=_object(
                    {
                        "hits": {
                            "type": "array",
                            "items": _object(
                                {
                                    "document_id": _INT,
                                    "passage_id": _INT,
                                    "title": _STR,
                                    "kind": _STR,
                                    "status": _STR,
                                    "locator": _STR,
                                    "excerpt": _STR,
                                    "text": _STR,
                                    "score": _NUMBER,
                                    "indicator": _nullable(_STR),
                                }
                            ),
                        },
                        "total": _INT,
                        "took_ms": _NUMBER,
                    }
                ),
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
        "/api/indicators": {
            "get": _operation(
                "Les 26 indicateurs de la CUS",
                schema=_object(
                    {
                        "indicators": {
                            "type": "array",
                            "items": _object(
                                {"code": _STR, "title": _STR, "unit": _STR, "aspect": _STR}
                            ),
                        }
                    }
                ),
            )
        },
        "/api/indicators/{code}": {
            "get": _operation(
                "Un indicateur : définition, variables, formule",
                parameters=[INDICATOR],
                schema={
                    "type": "object",
                    "required": ["code", "title", "unit", "variables", "formula", "target"],
                },
            )
        },
        "/api/indicators/{code}/compute": {
            "post": _operation(
                "Calculer un indicateur à partir de ses variables, année par année",
                schema=_object(
                    {
                        "code": _STR,
                        "unit": _STR,
                        "years": {
                            "type": "array",
                            "items": _object({"year": _INT, "value": _NUMBER, "working": _STR}),
                        },
                        "aggregate": _nullable(_NUMBER),
                        "aggregate_working": _STR,
                        "warnings": {"type": "array", "items": _STR},
                    }
                ),
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
                schema={
                    "type": "object",
                    "required": ["answer", "found", "mode", "sources"],
                    "properties": {
                        "answer": _STR,
                        "found": _BOOL,
                        "mode": _STR,
                        "sources": {"type": "array"},
                    },
                },
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
    paths.update(_archive_paths())
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
                "schemas": SCHEMAS,
            },
            "security": [{"jeton": []}],
            "paths": paths,
        }
    )
