"""The audit trail and the inbox: written inside the operation's own transaction, so an
action and its record commit or roll back together."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Event, Membership, Notification, User
from workflows.permissions import Role

ACTION_LABELS = {
    "connexion": "Connexion",
    "convention_creee": "Convention créée",
    "participant": "Participant ajouté ou modifié",
    "participant_retire": "Participant retiré",
    "section_ajoutee": "Section ajoutée",
    "section_renommee": "Section renommée",
    "section_deplacee": "Section déplacée",
    "revision": "Révision",
    "contribution": "Contribution proposée",
    "contribution_acceptee": "Contribution acceptée",
    "contribution_partiellement_acceptee": "Contribution partiellement acceptée",
    "contribution_rejetee": "Contribution rejetée",
    "contribution_traitee": "Contribution traitée",
    "contribution_retiree": "Contribution retirée",
    "modification_acceptee": "Modification d'une contribution acceptée",
    "modification_rejetee": "Modification d'une contribution rejetée",
    "commentaire": "Commentaire",
    "reponse": "Réponse",
    "fil_resolu": "Discussion résolue",
    "fil_rouvert": "Discussion rouverte",
    "revue_demandee": "Relecture demandée",
    "revue_annulee": "Relecture à reprendre",
    "position": "Position d'un signataire",
    "section_validee": "Section validée",
    "transition": "Changement d'étape",
    "echeances": "Échéances",
    "signature": "Signature",
    "avenant": "Avenant",
    "reunion": "Réunion",
    "document_envoye": "Document envoyé",
    "compte_rendu": "Compte rendu",
    "courrier_recu": "Courrier reçu",
    "indicateur": "Valeur d'indicateur saisie",
    "indicateur_supprime": "Valeur d'indicateur supprimée",
    "kb_ajout": "Document ajouté à la base",
    "kb_retrait": "Document retiré de la base",
    "revue_signataires": "Relecture reprise : les signataires ont changé",
    "import_docx": "Import d'un document Word",
}


def record(
    session: Session,
    action: str,
    summary: str,
    actor: User | None = None,
    convention_id: int | None = None,
    target_type: str = "",
    target_id: int | None = None,
) -> Event:
    """Append one event: who, for which organisation, did what, on what."""
    if action not in ACTION_LABELS:  # the journal's filter offers the known actions only
        raise ValueError(f"unknown journal action {action!r}: add it to ACTION_LABELS")
    event = Event(
        convention_id=convention_id,
        actor_id=actor.id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary[:500],
    )
    session.add(event)
    return event


def notify(
    session: Session,
    user_ids: set[int],
    text: str,
    link: str = "",
    convention_id: int | None = None,
) -> None:
    for user_id in sorted(user_ids):
        session.add(
            Notification(user_id=user_id, convention_id=convention_id, text=text[:1000], link=link)
        )


def members_with_role(session: Session, convention_id: int, role: Role) -> set[int]:
    """Ids of the users holding ``role`` in a convention, personally or through their
    organisation (a personal membership overrides the organisation's)."""
    memberships = list(
        session.scalars(select(Membership).where(Membership.convention_id == convention_id))
    )
    personal = {m.user_id: m.role for m in memberships if m.user_id is not None}
    by_org = {m.organisation_id: m.role for m in memberships if m.organisation_id is not None}
    users = session.scalars(
        select(User).where(User.active, User.organisation_id.in_(by_org.keys() or [-1]))
    )
    result = {u.id for u in users if personal.get(u.id, by_org.get(u.organisation_id)) is role}
    result |= {uid for uid, r in personal.items() if r is role}
    return result


def users_of_membership(session: Session, membership: Membership) -> set[int]:
    if membership.user_id is not None:
        return {membership.user_id}
    return set(
        session.scalars(
            select(User.id).where(User.organisation_id == membership.organisation_id, User.active)
        )
    )
