"""Demo data: an OPH, its partners, one CUS and one contractualisation with history.

Loaded by `flask --app app demo`; idempotent (a second run changes nothing) and refused
by the production profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app.contributions.operations import accept, create_contribution, open_thread, reject
from app.db import db_session, write_transaction
from app.deliberations.operations import record_deliberation
from app.enjeux.operations import save_note
from app.lifecycle.operations import set_deadlines, transition
from app.models import (
    AssociationDecision,
    Comment,
    CommentThread,
    Contribution,
    Convention,
    Deliberation,
    Event,
    Meeting,
    Membership,
    NoteEnjeux,
    Notification,
    Organisation,
    OrganisationTerritory,
    OrganismePatrimoine,
    RegisterProof,
    ReviewPosition,
    Revision,
    Section,
    SentDocument,
    User,
    utcnow,
)
from app.register.operations import (
    add_concertation,
    add_document,
    add_letter,
    add_meeting,
    add_proof,
    record_decision,
    set_minutes,
)
from app.review.operations import ask_for_review, record_position
from workflows.conventions import STANDARD_SECTIONS, ConventionKind, OrganisationKind
from workflows.enjeux import PointInput
from workflows.permissions import Role
from workflows.text.paragraphs import assign_paragraph_ids
from workflows.ties import Level

DEMO_PASSWORD = "demo"

ORGANISATIONS = {
    "oph": ("Val de Loire Habitat (démo)", OrganisationKind.OPH),
    "epci": ("Communauté d'agglomération du Val de Loire (démo)", OrganisationKind.EPCI),
    "departement": ("Département du Val de Loire (démo)", OrganisationKind.DEPARTEMENT),
    "ddt": ("DDT du Val de Loire (démo)", OrganisationKind.DDT),
    "observatoire": ("Observatoire départemental de l'habitat (démo)", OrganisationKind.AUTRE),
    "locataires": (
        "Amicale des locataires de la Source — CNL (démo)",
        OrganisationKind.ASSOCIATION_LOCATAIRES,
    ),
    "admin": ("Cosigne — administration (démo)", OrganisationKind.AUTRE),
}

USERS = [
    ("redaction@oph.demo", "Claire Martin", "oph", "redacteur"),
    ("habitat@epci.demo", "Karim Benali", "epci", "signataire"),
    ("logement@departement.demo", "Sophie Lefèvre", "departement", "associe"),
    ("ddt@etat.demo", "Jean Moreau", "ddt", "signataire"),
    ("lecture@observatoire.demo", "Lucie Garnier", "observatoire", "observateur (CUS seulement)"),
    (
        "locataires@association.demo",
        "Mathieu Roux",
        "locataires",
        "associé, concertation locative (CUS seulement)",
    ),
    ("admin@cosigne.demo", "Administration", "admin", "administrateur de l'instance"),
]

# Section texts in the project's own words: (revision message, body) per revision.
CUS_TEXTS: dict[str, list[tuple[str, str]]] = {
    "État des lieux": [
        (
            "Première rédaction",
            "## Patrimoine\n\nVal de Loire Habitat gère 8 400 logements locatifs sociaux "
            "répartis sur 46 communes, dont 62 % dans l'agglomération.\n\n"
            "## Occupation\n\nLe taux de vacance commerciale de plus de trois mois atteint "
            "2,1 % fin 2024, concentré sur deux résidences des années 1970.",
        ),
        (
            "Chiffres 2024 actualisés",
            "## Patrimoine\n\nVal de Loire Habitat gère 8 412 logements locatifs sociaux "
            "répartis sur 46 communes, dont 62 % dans l'agglomération et 18 % en quartiers "
            "prioritaires de la politique de la ville.\n\n"
            "## Occupation\n\nLe taux de vacance commerciale de plus de trois mois atteint "
            "2,1 % fin 2024, concentré sur deux résidences des années 1970.\n\n"
            "## Demande\n\nLe fichier partagé compte 5 900 demandes actives, pour 1 050 "
            "attributions par an.",
        ),
    ],
    "Politique patrimoniale et d'investissement, plan de mise en vente": [
        (
            "Première rédaction",
            "L'office prévoit la réhabilitation thermique de 1 200 logements sur la période, "
            "en priorité les étiquettes E, F et G.\n\nLe plan de mise en vente porte sur "
            "60 logements individuels, proposés d'abord aux locataires occupants.",
        ),
        (
            "Ajout des constructions neuves",
            "L'office prévoit la réhabilitation thermique de 1 200 logements sur la période, "
            "en priorité les étiquettes E, F et G.\n\nIl engage la construction de 300 "
            "logements neufs, dont un tiers financés en PLAI.\n\nLe plan de mise en vente porte "
            "sur 60 logements individuels, proposés d'abord aux locataires occupants.",
        ),
        (
            "Précisions demandées par l'EPCI",
            "L'office prévoit la réhabilitation thermique de 1 200 logements sur la période, "
            "en priorité les étiquettes E, F et G, avec un gain d'au moins deux classes.\n\n"
            "Il engage la construction de 300 logements neufs, dont un tiers financés en PLAI, "
            "répartis selon les objectifs territorialisés du PLH.\n\nLe plan de mise en vente "
            "porte sur 60 logements individuels, proposés d'abord aux locataires occupants.",
        ),
    ],
    "Qualité du service rendu aux locataires": [
        (
            "Première rédaction",
            "- Enquête de satisfaction tous les deux ans ;\n- délai de traitement des "
            "réclamations techniques : 15 jours au plus ;\n- astreinte joignable en soirée et "
            "le week-end.",
        ),
    ],
}

CADRE_TEXTS: dict[str, list[tuple[str, str]]] = {
    "Orientations et objectifs": [
        (
            "Première rédaction",
            "L'office et la communauté d'agglomération s'accordent sur trois priorités : "
            "produire des logements abordables, rénover le parc ancien et accompagner le "
            "vieillissement des locataires.",
        ),
        (
            "Reprise après la réunion du comité",
            "L'office et la communauté d'agglomération s'accordent sur trois priorités : "
            "produire des logements abordables dans les communes déficitaires, rénover le parc "
            "ancien et accompagner le vieillissement des locataires.",
        ),
    ],
    "Contreparties de la collectivité": [
        (
            "Première rédaction",
            "La communauté d'agglomération garantit les emprunts de l'office à hauteur de "
            "50 % et met à disposition deux fonciers par an.",
        ),
    ],
}


def load_demo() -> bool:
    """Load the demo; return False when it is already there.

    Organisations, accounts and the conventions' texts are written in one transaction;
    the CUS's association and negotiation history is then played through the same
    operations a user's clicks call, so that its journal, register and inbox are real.
    """
    if not _load_base():
        return False
    _play_history()
    return True


def _load_base() -> bool:
    with write_transaction() as session:
        oph_name = ORGANISATIONS["oph"][0]
        if session.scalar(select(Organisation.id).where(Organisation.name == oph_name)):
            return False
        orgs = {
            key: Organisation(name=name, kind=kind) for key, (name, kind) in ORGANISATIONS.items()
        }
        session.add_all(orgs.values())
        password_hash = generate_password_hash(DEMO_PASSWORD)
        users = {
            key: User(
                email=email,
                name=name,
                password_hash=password_hash,
                organisation=orgs[key],
                is_admin=key == "admin",
            )
            for email, name, key, _label in USERS
        }
        session.add_all(users.values())
        session.flush()
        drafter = users["oph"]

        cus = _convention(
            session,
            ConventionKind.CUS,
            "CUS 2025-2030 de Val de Loire Habitat",
            orgs["oph"],
            2025,
            2030,
            drafter,
            CUS_TEXTS,
        )
        for key, role in (
            ("epci", Role.SIGNATAIRE),
            ("ddt", Role.SIGNATAIRE),
            ("departement", Role.ASSOCIE),
            # The tenants' representatives, on the sections under concertation.
            ("locataires", Role.ASSOCIE),
        ):
            session.add(Membership(convention=cus, organisation=orgs[key], role=role))
        session.add(Membership(convention=cus, user=users["observatoire"], role=Role.OBSERVATEUR))

        cadre = _convention(
            session,
            ConventionKind.CADRE,
            "Contrat Val de Loire Habitat – Communauté d'agglomération 2025-2027",
            orgs["oph"],
            2025,
            2027,
            drafter,
            CADRE_TEXTS,
        )
        session.add(Membership(convention=cadre, organisation=orgs["epci"], role=Role.SIGNATAIRE))
        _ties(session, orgs)
    return True


# The parties' ties (workflows.ties): the office is attached to the agglomération, whose
# PLH is enforceable; it owns housing in two of its communes and in a town of the
# département outside it. The CUS's participants page proposes the agglomération as
# signataire de droit and the département as associée de droit: both already take part.
# The codes have the right form; the SIREN is made up, the communes are the Loiret's.
_TERRITORIES = {
    "epci": [
        ("epci", "200000001", "Communauté d'agglomération du Val de Loire (démo)"),
        ("commune", "45234", "Orléans"),
        ("commune", "45284", "Saint-Jean-de-Braye"),
        ("departement", "45", "Loiret"),
    ],
    "departement": [("departement", "45", "Loiret")],
}
_HOUSING = [
    ("commune", "45234", "Orléans", 1850),
    ("commune", "45284", "Saint-Jean-de-Braye", 420),
    ("commune", "45208", "Montargis", 310),
]


def _ties(session: Session, orgs: dict[str, Organisation]) -> None:
    orgs["oph"].rattachement = orgs["epci"]
    orgs["epci"].plh_executoire = True
    for key, rows in _TERRITORIES.items():
        for level, code, name in rows:
            session.add(
                OrganisationTerritory(
                    organisation_id=orgs[key].id, level=Level(level), code=code, name=name
                )
            )
    for level, code, name, logements in _HOUSING:
        session.add(
            OrganismePatrimoine(
                organisme_id=orgs["oph"].id,
                level=Level(level),
                code=code,
                name=name,
                logements=logements,
            )
        )


def _convention(
    session: Session,
    kind: ConventionKind,
    title: str,
    organisme: Organisation,
    start: int,
    end: int,
    drafter: User,
    texts: dict[str, list[tuple[str, str]]],
) -> Convention:
    convention = Convention(
        kind=kind,
        title=title,
        organisme=organisme,
        start_year=start,
        end_year=end,
        created_by_id=drafter.id,
    )
    session.add(convention)
    session.add(Membership(convention=convention, organisation=organisme, role=Role.REDACTEUR))
    start_time = utcnow() - timedelta(days=60)
    for position, standard in enumerate(STANDARD_SECTIONS[kind], start=1):
        section = Section(
            convention=convention,
            position=position,
            title=standard.title,
            mandatory=standard.mandatory,
            concertation=standard.concertation,
        )
        session.add(section)
        session.flush()
        previous_body, previous_ids = "", None
        for number, (message, body) in enumerate(texts.get(standard.title, []), start=1):
            previous_ids = assign_paragraph_ids(previous_body, previous_ids, body)
            previous_body = body
            revision = Revision(
                paragraph_ids=previous_ids,
                section_id=section.id,
                number=number,
                parent_number=number - 1 or None,
                body=body,
                message=message,
                author_id=drafter.id,
                created_at=start_time + timedelta(days=position * 3 + number * 7),
            )
            session.add(revision)
            session.flush()
            section.current_revision = revision
    return convention


def _user(email: str) -> User:
    found = db_session().scalar(select(User).where(User.email == email))
    assert found is not None  # written by _load_base just before
    return found


def _text(section_id: int) -> Revision:
    """The current revision of a demo section, which _load_base wrote."""
    section = db_session().get(Section, section_id)
    assert section is not None and section.current_revision is not None
    return section.current_revision


# What the history writes, and the moments it writes: each step of the story is dated
# on the day it tells (a decision on the day of the meeting that examined it), not at the
# moment the demo is loaded.
_DATED: tuple[type[Any], ...] = (
    Revision,
    Contribution,
    CommentThread,
    Comment,
    ReviewPosition,
    Meeting,
    SentDocument,
    AssociationDecision,
    RegisterProof,
    Deliberation,
    Event,
    Notification,
    NoteEnjeux,
)


@contextmanager
def _on(day: date, hour: int = 10) -> Iterator[None]:
    """Rows written inside the block, and the moments they record, dated ``day`` (in
    their order, a minute apart) instead of now."""
    started = utcnow()
    yield
    session = db_session()
    moment = datetime.combine(day, time(hour), tzinfo=UTC)
    for model in _DATED:
        for column in model.__table__.columns:
            if column.name not in ("created_at", "updated_at", "decided_at", "resolved_at"):
                continue
            attribute = getattr(model, column.name)
            rows = session.execute(
                select(model.id, attribute).where(attribute >= started).order_by(attribute)
            ).all()
            for index, (row_id, _written) in enumerate(rows):
                session.execute(
                    update(model)
                    .where(model.id == row_id)
                    .values({column.name: moment + timedelta(minutes=index)})
                )
    session.commit()


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (ASCII), for the demo's scanned proofs."""
    text = "".join(
        f"BT /F1 12 Tf 72 {760 - 18 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines)
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _play_history() -> None:
    """The CUS went through association (meetings, documents, written contributions, the
    organisme's decisions) and now stands in negotiation with reviews under way."""
    session = db_session()
    people = {key: _user(email) for email, _name, key, _label in USERS}
    cus = session.scalar(select(Convention).where(Convention.title.like("CUS 2025-2030%")))
    assert cus is not None
    cus_id = cus.id
    sections = {
        s.title: s.id
        for s in session.scalars(select(Section).where(Section.convention_id == cus_id))
    }
    orgs = [people[k].organisation_id for k in ("epci", "departement", "ddt")]
    drafter, epci, dep, ddt = people["oph"], people["epci"], people["departement"], people["ddt"]
    today = date.today()

    with _on(today - timedelta(days=100)):  # the board opens the drafting, sets the terms
        decision = record_decision(
            cus_id,
            drafter,
            "conseil_administration",
            today - timedelta(days=100),
            2,  # above the legal minimum: two working meetings
            None,
            {
                "prefet": today - timedelta(days=97),
                **{str(org): today - timedelta(days=97) for org in orgs},
            },
        )
    with _on(today - timedelta(days=95)):  # the préfecture's acknowledgement comes back
        add_proof(
            cus_id,
            drafter,
            "decision",
            decision.id,
            "accuse_reception",
            "accuse-reception-prefecture.pdf",
            _pdf(
                [
                    "Prefecture du Val de Loire (demo)",
                    "Accuse de reception",
                    f"Deliberation du conseil d'administration du "
                    f"{today - timedelta(days=100):%d/%m/%Y}",
                    f"Recue le {today - timedelta(days=97):%d/%m/%Y}",
                ]
            ),
        )
    with _on(today - timedelta(days=92)):  # the organisme opens the association
        set_deadlines(
            cus_id,
            drafter,
            {
                "association": today - timedelta(days=20),
                "transmission": today + timedelta(days=21),
                "signature": today + timedelta(days=75),
            },
        )
        transition(cus_id, drafter, "association")
        first = add_meeting(
            cus_id,
            drafter,
            "Réunion de lancement de l'association",
            today - timedelta(days=55),
            "Siège de l'office, salle du conseil",
            orgs,
        )
    with _on(today - timedelta(days=90)):
        add_document(
            cus_id,
            first.id,
            drafter,
            "Diagnostic du patrimoine et de l'occupation",
            today - timedelta(days=90),
        )
        add_proof(
            cus_id,
            drafter,
            "meeting",
            first.id,
            "convocation",
            "convocation-reunion-de-lancement.pdf",
            _pdf(
                [
                    "Val de Loire Habitat (demo)",
                    "Convocation a la reunion de lancement de l'association",
                    f"Le {today - timedelta(days=55):%d/%m/%Y}, siege de l'office",
                    "Destinataires : EPCI, Departement, DDT",
                ]
            ),
        )
    with _on(today - timedelta(days=85)):  # the préfet's note, early in the elaboration
        _note_enjeux(cus_id, ddt, sections, today - timedelta(days=86))
    with _on(today - timedelta(days=62)):
        add_document(
            cus_id,
            first.id,
            drafter,
            "Projet d'orientations stratégiques",
            today - timedelta(days=62),
        )
    with _on(today - timedelta(days=54)):  # the day after the meeting, its minutes
        set_minutes(
            cus_id,
            first.id,
            drafter,
            "Présents : EPCI, Département, DDT.\n\n- Présentation du diagnostic ;\n"
            "- l'EPCI demande que la production neuve suive le PLH ;\n"
            "- le Département signale les besoins liés au vieillissement.",
        )
    with _on(today - timedelta(days=45)):
        add_meeting(
            cus_id,
            drafter,
            "Réunion d'examen des contributions",
            today - timedelta(days=25),
            "Hôtel d'agglomération",
            orgs,
        )
    with _on(today - timedelta(days=40)):
        add_letter(
            cus_id,
            drafter,
            "Département du Val de Loire (démo)",
            today - timedelta(days=40),
            "Avis de la commission permanente sur les orientations de la CUS",
            "Avis favorable. Le Département demande que les logements adaptés au "
            "vieillissement figurent parmi les engagements.",
        )

    politique = "Politique patrimoniale et d'investissement, plan de mise en vente"
    qualite = "Qualité du service rendu aux locataires"
    etat = "État des lieux"
    with _on(today - timedelta(days=35)):  # written contributions, before the meeting
        base = _text(sections[politique])
        accepted = create_contribution(
            sections[politique],
            epci,
            base.number,
            base.body.replace(
                "répartis selon les objectifs territorialisés du PLH",
                "répartis selon les objectifs territorialisés du PLH 2024-2029, "
                "dont 40 dans les communes déficitaires",
            ),
            "Le PLH fixe des objectifs par commune : la CUS doit s'y référer explicitement.",
        )
        base = _text(sections[qualite])
        refused = create_contribution(
            sections[qualite],
            dep,
            base.number,
            base.body.replace("15 jours", "8 jours"),
            "Un délai plus court répondrait aux attentes des locataires âgés.",
        )
    with _on(today - timedelta(days=30)):
        base = _text(sections[etat])
        create_contribution(
            sections[etat],
            ddt,
            base.number,
            base.body.replace("5 900 demandes actives", "5 900 demandes actives (SNE, fin 2024)"),
            "Citer la source des données de la demande.",
        )
        open_thread(
            sections[etat],
            ddt,
            "La vacance de plus de trois mois est-elle mesurée hors vacance technique ?",
            quote="vacance commerciale",
        )
    with _on(today - timedelta(days=25), hour=15):  # decided at the examination meeting
        accept(accepted.id, drafter)
        reject(
            refused.id,
            drafter,
            "Délai incompatible avec les moyens de la régie ; un suivi renforcé "
            "pour les plus de 75 ans est proposé à la place.",
        )
    with _on(today - timedelta(days=24)):
        base = _text(sections[qualite])
        create_contribution(
            sections[qualite],
            dep,
            base.number,
            base.body + "\n- visite annuelle proposée aux locataires de plus de 75 ans.",
            "Suite à l'échange sur les délais : formaliser le suivi des locataires âgés.",
        )
    with _on(today - timedelta(days=22)):  # the tenants' representatives on the classement
        add_concertation(
            cus_id,
            drafter,
            today - timedelta(days=22),
            "Classement des immeubles et ensembles immobiliers",
            {
                "association_cnc": "Confédération nationale du logement, amicale de la Source\n"
                "Consommation logement cadre de vie, section du Val",
                "association_10": "",
                "administrateur": "Mme Nadia Ferreira, administratrice élue des locataires",
            },
            False,
            "",
            "Classement en trois catégories présenté ; les associations demandent que "
            "l'accessibilité des ascenseurs compte dans le service rendu.",
        )
    # The contract with the agglomération is on its own path (workflows/paths.py): no
    # association nor préfet; the office and the EPCI negotiate it freely.
    cadre = session.scalar(select(Convention).where(Convention.kind == ConventionKind.CADRE))
    assert cadre is not None
    with _on(today - timedelta(days=21)):
        set_deadlines(cadre.id, drafter, {"signature": today + timedelta(days=60)})
        transition(cadre.id, drafter, "negociation")
    with _on(today - timedelta(days=20)):  # the association ends on its deadline
        transition(cus_id, drafter, "negociation")
    with _on(today - timedelta(days=12)):
        ask_for_review(sections[politique], drafter)
    with _on(today - timedelta(days=10)):
        record_position(sections[politique], epci, "accord", "")
        record_position(
            sections[politique],
            ddt,
            "accord_avec_reserves",
            "Préciser le calendrier annuel des réhabilitations.",
        )
    with _on(today - timedelta(days=6)):
        ask_for_review(sections[etat], drafter)
    with _on(today - timedelta(days=4)):
        record_position(
            sections[etat],
            epci,
            "desaccord",
            "Les chiffres de la demande doivent être ceux du fichier partagé 2025.",
        )
    _cadre_deliberation(drafter, today - timedelta(days=3))


def _cadre_deliberation(drafter: User, on: date) -> None:
    """The contract's text is settled with the EPCI: the organisme's board has approved
    it (the extract of its register attached); the communauté's council has not
    deliberated yet, so the contract's page shows one party done and one to come."""
    cadre = db_session().scalar(select(Convention).where(Convention.kind == ConventionKind.CADRE))
    assert cadre is not None
    with _on(on):
        record_deliberation(
            cadre.id,
            drafter,
            Role.REDACTEUR,
            cadre.organisme_id,
            "conseil_administration",
            on,
            "approuve",
            "",
            (
                "extrait-deliberation-ca.pdf",
                _pdf(
                    [
                        "Val de Loire Habitat (demo)",
                        "Extrait du registre des deliberations du conseil d'administration",
                        f"Seance du {on:%d/%m/%Y} : le contrat avec la communaute",
                        "d'agglomeration est approuve.",
                    ]
                ),
            ),
        )


# The DDT's note d'enjeux et d'objectifs, in the project's own words: what the State will
# negotiate, each point tied to the sections it concerns.
NOTE_POINTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "enjeu",
        "Produire des logements très sociaux (PLAI) d'abord dans les communes qui n'atteignent "
        "pas leur taux de logements sociaux.",
        (
            "Politique patrimoniale et d'investissement, plan de mise en vente",
            "Engagements, objectifs et indicateurs",
        ),
    ),
    (
        "objectif",
        "Plus aucun logement classé F ou G à la fin de la convention, les réhabilitations "
        "programmées année par année.",
        (
            "Politique patrimoniale et d'investissement, plan de mise en vente",
            "Engagements, objectifs et indicateurs",
        ),
    ),
    (
        "enjeu",
        "Loger les ménages prioritaires (DALO, sortants d'hébergement), y compris hors des "
        "quartiers prioritaires.",
        ("Cahier des charges de gestion sociale", "Engagements, objectifs et indicateurs"),
    ),
    (
        "objectif",
        "Des chiffres de la demande et de l'occupation tirés des fichiers partagés, leur "
        "source citée.",
        ("État des lieux",),
    ),
)


def _note_enjeux(cus_id: int, ddt: User, sections: dict[str, int], noted_on: date) -> None:
    points = [
        PointInput(index, kind, text, tuple(sections[title] for title in titles))
        for index, (kind, text, titles) in enumerate(NOTE_POINTS)
    ]
    save_note(cus_id, ddt, noted_on, points)
