"""The lifecycle of a convention: its transitions (signing freezes the text with a
fingerprint), signatures, avenants and deadlines.

The rules (allowed steps, guards, fingerprint, deadline status) are workflows/lifecycle.py;
this module gathers the facts from the database, asks, and writes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app import audit
from app.access import role_of
from app.archive import operations as archive
from app.db import db_session, reloaded, write_transaction
from app.lifecycle.queries import (
    current_proposal,
    facts,
    local_today,
    open_points,
    parties_as_seen_by,
    proposal_applies,
    signing_parties,
    speaks_for,
    state_signatories,
    transmitted_on,
)
from app.models import (
    CarriedPoint,
    Convention,
    Membership,
    Section,
    Signature,
    SignatureProposal,
    User,
    utcnow,
)
from app.notifications.operations import everyone, notify, with_roles
from app.sections.operations import insert_revision
from workflows.conventions import ConventionKind, clean_title
from workflows.errors import Forbidden, InvalidInput, NotFound, Refused
from workflows.lifecycle import (
    DEADLINE_LABELS,
    POINT_LABELS,
    STATE_LABELS,
    ConventionState,
    check_proposal_date,
    check_signature_date,
    check_state_signature,
    check_transition,
    clean_carry_note,
    clean_proposal,
    deadlines_of_path,
    fingerprint,
    signing_open,
    text_editable,
)
from workflows.notifications import Kind
from workflows.permissions import (
    Role,
    may_record_proposal,
    parties_to_sign_for,
    speaks_for_state,
    why_no_signature,
)
from workflows.text.paragraphs import assign_paragraph_ids

# Who signed for a party, with their title: as long as a name in the database.
SIGNER_MAX_CHARS = 200


def transition(convention_id: int, actor: User, to: str, today: date | None = None) -> Convention:
    """Move the convention to ``to`` when every guard agrees; signing freezes the text."""
    with write_transaction() as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        reasons = check_transition(facts(session, convention, today or date.today()), to)
        if reasons:
            raise Refused(reasons, lead="Passage refusé :")
        previous = convention.state
        path = convention.lifecycle
        convention.state = ConventionState(to)
        if convention.state is ConventionState.SIGNEE:
            _freeze(session, convention)
            archive.request(session, convention)  # its PDF/A, made by a job after commit
        if convention.state is ConventionState.TRANSMISE:
            # Sent (again) to the préfet: the parties sign from this day on.
            convention.transmitted_at = utcnow()
        if convention.state is ConventionState.DELIBERATIONS:
            # Before the assemblies (again): the parties sign from this day on.
            convention.deliberations_at = utcnow()
        if convention.state is path.yearly:
            convention.followup_year = (today or date.today()).year
        actor = reloaded(session, actor)
        summary = f"« {STATE_LABELS[previous]} » → « {STATE_LABELS[convention.state]} »"
        if convention.state is path.yearly:
            summary += f" ({convention.followup_year})"
        if convention.signed_sha256 and convention.state is ConventionState.SIGNEE:
            summary += f" ; empreinte SHA-256 {convention.signed_sha256}"
        if convention.state is path.renewal:
            renewal = _renew(session, convention, actor)
            summary += f" ; nouvelle convention « {renewal.title} » (n° {renewal.id})"
        audit.record(
            session, "transition", summary, actor, convention.id, "convention", convention.id
        )
        notify(
            session,
            Kind.TRANSITION,
            everyone(session, convention.id),
            f"« {convention.title} » : {summary}",
            f"/conventions/{convention.id}",
            convention.id,
            actor,
        )
    return convention


# The points of each kind the addresses name: a position is a reserve or a disagreement.
POINT_KINDS = {"position": ("reserve", "desaccord"), "discussion": ("discussion",)}


def _file_still_open(session: Session, convention_id: int, refusal: str) -> Convention:
    """The convention, locked, while its transmitted file may still change (before the
    transmission); refused with ``refusal`` and the current step otherwise."""
    convention = session.scalar(
        select(Convention).where(Convention.id == convention_id).with_for_update()
    )
    if convention is None:
        raise NotFound("Convention introuvable.")
    if not text_editable(convention.state, convention.lifecycle):
        raise Refused([f"{refusal} (étape actuelle : « {STATE_LABELS[convention.state]} »)."])
    return convention


def carry_point(convention_id: int, actor: User, kind: str, ref: int, note: str) -> CarriedPoint:
    """Carry an open point (``kind`` "position": a reserve or disagreement, "discussion":
    a thread) into the file transmitted to the préfet, with the organisme's note: it then
    no longer stops the transmission, and the file lists it. Only a point open now, and
    before the transmission."""
    note = clean_carry_note(note)
    with write_transaction() as session:
        convention = _file_still_open(
            session,
            convention_id,
            "Les points ouverts se reportent avant la transmission au préfet",
        )
        wanted = POINT_KINDS.get(kind)
        if wanted is None:
            raise InvalidInput(f"Type de point inconnu : « {kind} ».")
        point = next(
            (p for p in open_points(session, convention) if p.ref == ref and p.kind in wanted),
            None,
        )
        if point is None:
            raise InvalidInput(
                "Ce point n'est plus ouvert (réserve levée, nouvelle position, discussion "
                "close ou nouvelle révision) : rien à reporter."
            )
        if point.carried is not None:
            raise InvalidInput("Ce point est déjà reporté dans le dossier transmis.")
        actor = reloaded(session, actor)
        carried = CarriedPoint(
            convention_id=convention_id,
            position_id=ref if kind == "position" else None,
            thread_id=ref if kind == "discussion" else None,
            note=note,
            carried_by_id=actor.id,
        )
        session.add(carried)
        try:
            session.flush()
        except IntegrityError:
            raise InvalidInput("Ce point est déjà reporté dans le dossier transmis.") from None
        audit.record(
            session,
            "point_reporte",
            f"{POINT_LABELS[point.kind]} de {point.party} sur « {point.section} » "
            f"{'reporté' if point.kind == 'desaccord' else 'reportée'} "
            f"dans le dossier transmis : {note}",
            actor,
            convention_id,
            "section",
            point.section_ref,
        )
    return carried


def uncarry_point(convention_id: int, actor: User, kind: str, ref: int) -> None:
    """Take a carried point back out of the transmitted file (the organisme carried it too
    soon, or will lift it after all): it stops the transmission again until it is lifted
    or carried anew. Before the transmission only; the journal keeps both steps."""
    with write_transaction() as session:
        convention = _file_still_open(
            session,
            convention_id,
            "Le dossier transmis est arrêté : un point reporté ne peut plus en être retiré",
        )
        column = {"position": CarriedPoint.position_id, "discussion": CarriedPoint.thread_id}.get(
            kind
        )
        if column is None:
            raise InvalidInput(f"Type de point inconnu : « {kind} ».")
        carried = session.scalar(
            select(CarriedPoint).where(CarriedPoint.convention_id == convention_id, column == ref)
        )
        if carried is None:
            raise InvalidInput("Ce point n'est pas reporté dans le dossier transmis.")
        # A position and a thread may share an id: the point is looked for in its kind.
        point = next(
            (
                p
                for p in open_points(session, convention)
                if p.ref == ref and p.kind in POINT_KINDS[kind] and p.carried
            ),
            None,
        )
        what = (
            f"{POINT_LABELS[point.kind]} de {point.party} sur « {point.section} »"
            if point is not None
            else "Un point"
        )
        session.delete(carried)
        audit.record(
            session,
            "point_retire",
            f"{what} retiré du dossier transmis : à lever ou à reporter de nouveau.",
            reloaded(session, actor),
            convention_id,
            "section" if point is not None else "convention",
            point.section_ref if point is not None else convention_id,
        )


def _freeze(session: Session, convention: Convention) -> None:
    sections = session.scalars(
        select(Section)
        .where(Section.convention_id == convention.id)
        .options(joinedload(Section.current_revision))
        .order_by(Section.position, Section.id)
    )
    text, digest = fingerprint(
        convention.title,
        [(s.title, s.current_revision.body if s.current_revision else "") for s in sections],
    )
    convention.signed_text = text
    convention.signed_sha256 = digest
    convention.signed_at = utcnow()


def sign(
    convention_id: int,
    actor: User,
    membership_id: int | None,
    signed_on: date,
    signer: str = "",
    today: date | None = None,
) -> Signature:
    """Record a party's signature (the organisme's or a signatory's): a signatory signs
    for its own party; the organisme's drafters for the organisme, and record any
    other party's signature from the signed paper copy. The date is neither before the
    transmission to the préfet nor in the future (``today``: where the users are).
    ``signer`` names who signed (name, title): by default the user signing for their own
    party; required for a signature recorded from the paper copy."""
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        path = convention.lifecycle
        if not signing_open(convention.state, path):
            raise Refused(
                [
                    f"Les signatures se recueillent {path.signing_words} "
                    f"(étape actuelle : « {STATE_LABELS[convention.state]} »)."
                ]
            )
        actor = reloaded(session, actor)
        role = role_of(actor, convention_id)
        parties = {m.id: m for m in signing_parties(session, convention)}
        seen = parties_as_seen_by(session, convention, actor)
        allowed = {p.id for p in parties_to_sign_for(role, seen)}
        if membership_id is None:
            own = [p for p in seen if p.own and not p.signed]
            if len(own) != 1:
                if not allowed:
                    raise InvalidInput(why_no_signature(role, seen), field="membership_id")
                raise InvalidInput(
                    "Indiquez pour quelle partie la signature est enregistrée.",
                    field="membership_id",
                )
            membership_id = own[0].id
        chosen = parties.get(membership_id)
        if chosen is None:
            raise InvalidInput(
                "Ce participant ne signe pas la convention (ni l'organisme ni un signataire).",
                field="membership_id",
            )
        if session.scalar(
            select(Signature.id).where(
                Signature.convention_id == convention_id, Signature.membership_id == chosen.id
            )
        ):
            raise InvalidInput(
                f"La signature de {chosen.party_name} est déjà enregistrée.",
                field="membership_id",
            )
        if chosen.id not in allowed:
            raise Forbidden("Vous ne pouvez signer que pour votre propre organisation.")
        membership = chosen
        problem = check_signature_date(
            signed_on, transmitted_on(convention), today or local_today(), path
        )
        if problem:
            raise InvalidInput(problem, field="signed_on")
        if proposal_applies(convention) and membership.id in {
            m.id for m in state_signatories(session, convention)
        }:
            proposal = current_proposal(session, convention)
            problem = check_state_signature(
                signed_on, proposal.proposed_on if proposal is not None else None
            )
            if problem and proposal is None:
                raise Refused([problem])
            if problem:
                raise InvalidInput(problem, field="signed_on")
        signer = " ".join(signer.split())
        if len(signer) > SIGNER_MAX_CHARS:
            raise InvalidInput(
                f"Le nom et la qualité du signataire tiennent en {SIGNER_MAX_CHARS} caractères.",
                field="signer",
            )
        if not signer:
            if not speaks_for(actor, membership):
                raise InvalidInput(
                    "Indiquez le nom et la qualité de la personne qui a signé l'exemplaire "
                    f"papier pour {membership.party_name}.",
                    field="signer",
                )
            signer = actor.name
        signature = Signature(
            convention_id=convention_id,
            membership_id=membership.id,
            recorded_by_id=actor.id,
            signed_on=signed_on,
            signer=signer,
        )
        session.add(signature)
        try:
            session.flush()
        except IntegrityError:
            # Two people recorded the same signature at once: the first one stands.
            raise InvalidInput(
                f"La signature de {membership.party_name} est déjà enregistrée."
            ) from None
        audit.record(
            session,
            "signature",
            f"Signature de {membership.party_name} le {signed_on:%d/%m/%Y} ({signer})",
            actor,
            convention_id,
            "convention",
            convention_id,
        )
        notify(
            session,
            Kind.SIGNATURE,
            with_roles(session, convention_id, Role.REDACTEUR, Role.SIGNATAIRE),
            f"« {convention.title} » : signature de {membership.party_name} "
            f"enregistrée (le {signed_on:%d/%m/%Y})",
            f"/conventions/{convention_id}#signatures",
            convention_id,
            actor,
        )
    return signature


PROPOSAL_REFUSED = (
    "Votre rôle ne permet pas d'enregistrer la proposition du préfet de département : elle "
    "l'est par le service de l'État signataire, ou par l'organisme d'après le courrier reçu."
)
PROPOSAL_STATE_WROTE = (
    "La proposition du préfet de département a été enregistrée par les services de l'État : "
    "seuls eux peuvent la corriger."
)


def ensure_may_record_proposal(convention_id: int, actor: User) -> None:
    """Refuse (403) a user who may not record the proposal, before their input is read:
    the same rule as ``record_proposal`` applies in its transaction."""
    session = db_session()
    convention = session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("Convention introuvable.")
    current = current_proposal(session, convention)
    by_state = current is not None and current.by_state
    if not may_record_proposal(role_of(actor, convention_id), actor.organisation.kind, by_state):
        raise Forbidden(PROPOSAL_STATE_WROTE if by_state else PROPOSAL_REFUSED)


def record_proposal(
    convention_id: int,
    actor: User,
    proposed_on: date | None,
    proposer: str = "",
    note: str = "",
    today: date | None = None,
    date_error: str | None = None,
) -> SignatureProposal:
    """Record the préfet de département's proposal to the préfet de région to sign the
    CUS (circulaire CUS, IV), once the convention is transmitted: dated between the
    transmission and today (``today``: where the users are), with who proposed and a
    note. Recorded again (a correction) until the State has signed; the latest counts.
    ``date_error``: the door could not read the date typed (said next to its field)."""
    with write_transaction() as session:
        convention = session.scalar(
            select(Convention).where(Convention.id == convention_id).with_for_update()
        )
        if convention is None:
            raise NotFound("Convention introuvable.")
        actor = reloaded(session, actor)
        current = current_proposal(session, convention)
        by_state = current is not None and current.by_state
        if not may_record_proposal(
            role_of(actor, convention_id), actor.organisation.kind, by_state
        ):
            raise Forbidden(PROPOSAL_STATE_WROTE if by_state else PROPOSAL_REFUSED)
        if not proposal_applies(convention):
            raise Refused(
                [
                    "La proposition du préfet de département au préfet de région concerne la "
                    "signature d'une convention d'utilité sociale."
                ]
            )
        if not signing_open(convention.state, convention.lifecycle):
            raise Refused(
                [
                    "Le préfet de département propose la signature une fois la convention "
                    f"transmise (étape actuelle : « {STATE_LABELS[convention.state]} »)."
                ]
            )
        state_ids = {m.id for m in state_signatories(session, convention)}
        if state_ids and session.scalar(
            select(Signature.id).where(
                Signature.convention_id == convention_id, Signature.membership_id.in_(state_ids)
            )
        ):
            raise Refused(
                [
                    "La signature de l'État est déjà enregistrée : la proposition sur laquelle "
                    "il a signé ne se corrige plus."
                ]
            )
        problem = date_error or check_proposal_date(
            proposed_on, transmitted_on(convention), today or local_today()
        )
        if problem:
            raise InvalidInput(problem, field="proposed_on")
        assert proposed_on is not None
        who, text = clean_proposal(proposer, note)
        from_state = speaks_for_state(actor.organisation.kind)
        proposal = SignatureProposal(
            convention_id=convention_id,
            proposed_on=proposed_on,
            proposer=who,
            note=text,
            recorded_by_id=actor.id,
            by_state=from_state,
        )
        session.add(proposal)
        session.flush()
        paper = "" if from_state else " (d'après le courrier reçu)"
        summary = (
            f"Proposition de signature du préfet de département au préfet de région du "
            f"{proposed_on:%d/%m/%Y}{f' ({who})' if who else ''} "
            f"{'corrigée' if current is not None else 'enregistrée'}{paper}"
        )
        audit.record(
            session,
            "proposition_signature",
            summary,
            actor,
            convention_id,
            "convention",
            convention_id,
        )
        notify(
            session,
            Kind.SIGNATURE,
            with_roles(session, convention_id, Role.REDACTEUR, Role.SIGNATAIRE),
            f"« {convention.title} » : {summary}",
            f"/conventions/{convention_id}#proposition",
            convention_id,
            actor,
        )
    return proposal


def _renew(session: Session, old: Convention, actor: User) -> Convention:
    """The contract that follows ``old``, of the same kind, for a period as long starting
    the year after it ends: its parties with their roles, its sections with their current
    text as the first draft (the last yearly review to start from comes later)."""
    length = old.end_year - old.start_year
    start = max(old.end_year + 1, local_today().year)
    new = Convention(
        kind=old.kind,
        title=clean_title(f"{old.title} (renouvellement {start})"[:200]),
        organisme_id=old.organisme_id,
        start_year=start,
        end_year=start + length,
        cadre_id=old.cadre_id,
        amends_id=old.amends_id,  # an avenant's renewal stays on its convention's path
        renews_id=old.id,
        created_by_id=actor.id,
    )
    session.add(new)
    _copy_parties_and_text(session, old, new, actor, f"Texte de « {old.title} », renouvelé")
    audit.record(
        session,
        "convention_creee",
        f"Renouvellement de « {old.title} »",
        actor,
        new.id,
        "convention",
        new.id,
    )
    return new


def _copy_parties_and_text(
    session: Session, old: Convention, new: Convention, actor: User, note: str
) -> None:
    """``new`` starts from ``old``: the same members with their roles, the same sections
    with ``old``'s current text as their first revision (``note`` says where from)."""
    for membership in session.scalars(select(Membership).where(Membership.convention_id == old.id)):
        session.add(
            Membership(
                convention=new,
                organisation_id=membership.organisation_id,
                user_id=membership.user_id,
                role=membership.role,
            )
        )
    session.flush()
    for section in session.scalars(
        select(Section).where(Section.convention_id == old.id).order_by(Section.position)
    ):
        copy = Section(
            convention_id=new.id,
            position=section.position,
            title=section.title,
            mandatory=section.mandatory,
            concertation=section.concertation,
        )
        session.add(copy)
        session.flush()
        if section.current_revision is not None:
            body = section.current_revision.body
            insert_revision(
                session, copy, None, actor, body, note, assign_paragraph_ids("", None, body)
            )


def create_avenant(convention_id: int, actor: User, title: str) -> Convention:
    """An amendment to a signed convention: a new convention whose sections start from the
    signed text, with the same parties; the signed convention itself never changes."""
    title = clean_title(title)
    with write_transaction() as session:
        signed = session.get(Convention, convention_id)
        if signed is None:
            raise NotFound("Convention introuvable.")
        if signed.signed_sha256 is None:
            raise Refused(["Un avenant ne se rattache qu'à une convention signée."])
        actor = reloaded(session, actor)
        avenant = Convention(
            kind=ConventionKind.AVENANT,
            title=title,
            organisme_id=signed.organisme_id,
            start_year=signed.start_year,
            end_year=signed.end_year,
            amends_id=signed.id,
            created_by_id=actor.id,
        )
        session.add(avenant)
        _copy_parties_and_text(
            session, signed, avenant, actor, f"Texte signé de « {signed.title} »"
        )
        audit.record(
            session,
            "avenant",
            f"Avenant « {title} » ouvert",
            actor,
            signed.id,
            "convention",
            avenant.id,
        )
        audit.record(
            session,
            "convention_creee",
            f"Avenant à « {signed.title} »",
            actor,
            avenant.id,
            "convention",
            avenant.id,
        )
        notify(
            session,
            Kind.AVENANT,
            everyone(session, avenant.id),
            f"Avenant « {title} » ouvert sur « {signed.title} »",
            f"/conventions/{avenant.id}",
            avenant.id,
            actor,
        )
    return avenant


def set_deadlines(convention_id: int, actor: User, deadlines: dict[str, date | None]) -> Convention:
    with write_transaction() as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound("Convention introuvable.")
        changed = []
        applies = deadlines_of_path(convention.lifecycle)
        for key, value in deadlines.items():
            if key not in applies:
                raise InvalidInput(
                    f"Échéance inconnue pour cette convention : {key} (échéances possibles : "
                    f"{', '.join(applies.values())})."
                )
            if getattr(convention, f"{key}_deadline") != value:
                setattr(convention, f"{key}_deadline", value)
                changed.append(
                    f"{DEADLINE_LABELS[key]} : {value:%d/%m/%Y}"
                    if value
                    else f"{DEADLINE_LABELS[key]} : aucune"
                )
        if changed:
            actor = reloaded(session, actor)
            audit.record(
                session,
                "echeances",
                "Échéances : " + " ; ".join(changed),
                actor,
                convention_id,
                "convention",
                convention_id,
            )
    return convention
