"""A convention worth reading whole: a section with headings, a list, a table and links,
under review with a reserve, an indicator target; and the way to its signature."""

from __future__ import annotations

from datetime import timedelta

from app.contributions.operations import mark_treated
from app.db import db_session
from app.lifecycle.operations import carry_point, record_proposal, sign, transition
from app.lifecycle.queries import local_today, open_contributions, open_points
from app.models import Convention
from app.register.operations import (
    add_concertation,
    add_meeting,
    record_adoption,
    record_decision,
)
from app.register.queries import decision_recipients
from app.review.operations import ask_for_review, record_position
from app.sections import queries
from app.targets.operations import save_value
from tests.factories import write
from workflows.conventions import ConventionKind
from workflows.register import PREFET

BODY = """## Patrimoine

Le parc compte **8 400 logements** locatifs sociaux, dont 1 200 à réhabiliter.

- réhabilitations thermiques ;
- démolitions ciblées.

| Commune | Logements |
|---|---|
| Orléans | 5 200 |

Voir [le plan stratégique](https://exemple.fr/quartier-prioritaire "Plan du quartier") de l'office."""
RESERVE = "Sous réserve d'un calendrier annuel des réhabilitations."


def furnish(app, world) -> None:
    """The world's first section gets BODY, is put under review and the signatory
    agrees with a reserve; F.VI gets a target for 2025 in the Loiret (2,5 %)."""
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        write(world.section_id, drafter, BODY, "état des lieux")
        ask_for_review(world.section_id, drafter)
        record_position(world.section_id, signer, "accord_avec_reserves", RESERVE)
        save_value(
            world.convention_id, drafter, "F.VI", "Loiret", 2025, "cible", {"V1": 30, "V2": 1200}
        )


def adopt_projet(app, world, convention_id: int | None = None) -> None:
    """The board adopts the projet as its text stands today, ending the association:
    call it after the last change of the text."""
    convention_id = convention_id or world.convention_id
    with app.app_context():
        record_adoption(
            convention_id, world.user("redacteur"), "conseil_administration", local_today()
        )


def prove_association(app, world, convention_id: int | None = None, *, adopt: bool = True) -> None:
    """The register proves the association: the board's decision, sent to the préfet and
    to every party, then a working meeting with every party invited; the concertation
    with the tenants' representatives; and the board's adoption of the projet as its text
    stands now (``adopt=False``: not yet; ``adopt_projet`` again after a later change of
    the text)."""
    convention_id = convention_id or world.convention_id
    with app.app_context():
        drafter = world.user("redacteur")
        today = local_today()
        parties = [
            key for key, _name, _associated in decision_recipients(db_session(), convention_id)
        ]
        opened = today - timedelta(days=60)
        record_decision(
            convention_id,
            drafter,
            "conseil_administration",
            opened,
            1,
            None,
            {str(key): opened for key in parties},
        )
        invited = [int(key) for key in parties if key != PREFET]
        add_meeting(
            convention_id, drafter, "Réunion de travail", today - timedelta(days=20), "", invited
        )
        add_concertation(
            convention_id,
            drafter,
            today - timedelta(days=15),
            "",
            {"administrateur": "Administrateur élu des locataires"},
            False,
            "",
        )
    if adopt:
        adopt_projet(app, world, convention_id)


def settle_for_transmission(
    app, world, convention_id: int | None = None, *, adopt: bool = True
) -> None:
    """What the transmission asks beyond written sections: the association proven and
    ended by the projet's adoption, every open contribution decided (marked treated),
    every open point carried (``adopt=False``: all but the adoption)."""
    convention_id = convention_id or world.convention_id
    prove_association(app, world, convention_id, adopt=adopt)
    with app.app_context():
        drafter = world.user("redacteur")
        convention = db_session().get(Convention, convention_id)
        for contribution in open_contributions(db_session(), convention):
            mark_treated(contribution.ref, drafter, "Examinée en réunion.")
        for point in open_points(db_session(), convention):
            if point.carried is None:
                kind = "discussion" if point.kind == "discussion" else "position"
                carry_point(convention_id, drafter, kind, point.ref, "Reste ouvert.")


def propose_signature(app, world, convention_id: int | None = None) -> None:
    """The préfet de département's proposal to the préfet de région, recorded today by
    the organisme from the letter (a transmitted CUS): the State may sign."""
    convention_id = convention_id or world.convention_id
    with app.app_context():
        record_proposal(
            convention_id, world.user("redacteur"), local_today(), "préfet de département du Loiret"
        )


def sign_convention(app, world, convention_id: int | None = None) -> None:
    """Every mandatory section written and agreed, transmitted, proposed to the préfet de
    région (a CUS), signed by the signatory and the organisme: the convention is signed,
    its text frozen."""
    convention_id = convention_id or world.convention_id
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        for section in queries.sections_with_current(convention_id):
            if not section.mandatory:
                continue
            if section.current_revision is None:
                write(section.id, drafter, f"Texte de « {section.title} ».")
            if section.state.value == "brouillon":
                ask_for_review(section.id, drafter)
            record_position(section.id, signer, "accord", "")
    settle_for_transmission(app, world, convention_id)
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        transition(convention_id, drafter, "transmise")
        is_cus = db_session().get(Convention, convention_id).kind is ConventionKind.CUS
    if is_cus:
        propose_signature(app, world, convention_id)
    with app.app_context():
        drafter, signer = world.user("redacteur"), world.user("signataire")
        sign(convention_id, signer, None, local_today())
        sign(convention_id, drafter, None, local_today())  # the organisme signs too
        transition(convention_id, drafter, "signee")
