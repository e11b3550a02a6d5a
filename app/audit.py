"""The audit trail: written inside the operation's own transaction, so an action and its
record commit or roll back together (notifications: app/notifications)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Event, Membership, User

ACTION_LABELS = {
    "connexion": "Connexion",
    "convention_creee": "Convention créée",
    "participant": "Participant ajouté ou modifié",
    "participant_retire": "Participant retiré",
    "section_ajoutee": "Section ajoutée",
    "section_renommee": "Section renommée",
    "section_deplacee": "Section déplacée",
    "section_concertation": "Périmètre de la concertation locative",
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
    "point_reporte": "Point reporté au dossier transmis",
    "point_retire": "Point retiré du dossier transmis",
    "evaluation": "Évaluation",
    "avis_etat": "Avis interne de l'État",
    "concertation": "Concertation avec les locataires",
    "echeances": "Échéances",
    "signature": "Signature",
    "proposition_signature": "Proposition de signature du préfet de département",
    "avenant": "Avenant",
    "reunion": "Réunion",
    "document_envoye": "Document envoyé",
    "compte_rendu": "Compte rendu",
    "courrier_recu": "Courrier reçu",
    "decision_association": "Décision d'engagement de l'association",
    "adoption_projet": "Adoption du projet par l'organisme",
    "deliberation": "Délibération d'une partie",
    "piece_justificative": "Pièce justificative jointe au registre",
    "indicateur": "Valeur d'indicateur saisie",
    "indicateur_supprime": "Valeur d'indicateur supprimée",
    "segment": "Segment de patrimoine ajouté",
    "segment_supprime": "Segment de patrimoine supprimé",
    "kb_ajout": "Document ajouté à la base",
    "kb_retrait": "Document retiré de la base",
    "revue_signataires": "Relecture reprise : les signataires ont changé",
    "import_docx": "Import d'un document Word",
    "archive_faite": "Archive PDF/A faite",
    "archive_echec": "Archive PDF/A en échec",
    "archive_relancee": "Archive PDF/A demandée à nouveau",
    "note_enjeux": "Note d'enjeux du préfet",
    "choix_signataire": "Choix d'une collectivité associée",
    "organisation": "Organisation : nature, rattachement, PLH, territoire",
    "patrimoine": "Lieux où l'organisme possède des logements",
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


def users_of_membership(session: Session, membership: Membership) -> set[int]:
    if membership.user_id is not None:
        return {membership.user_id}
    return set(
        session.scalars(
            select(User.id).where(User.organisation_id == membership.organisation_id, User.active)
        )
    )
