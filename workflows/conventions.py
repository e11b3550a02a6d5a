"""Convention kinds, their standard sections, and the checks on titles and periods."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.errors import InvalidInput
from workflows.text.clean import clean_text


class ConventionKind(StrEnum):
    CUS = "cus"
    CADRE = "contractualisation_cadre"
    APPLICATION = "convention_application"
    AVENANT = "avenant"  # amends a signed convention; its sections start from the signed text


KIND_LABELS = {
    ConventionKind.CUS: "Convention d'utilité sociale (CUS)",
    ConventionKind.CADRE: "Contractualisation — document cadre",
    ConventionKind.APPLICATION: "Convention d'application annuelle",
    ConventionKind.AVENANT: "Avenant",
}


class OrganisationKind(StrEnum):
    OPH = "oph"
    ESH = "esh"
    SEM = "sem"
    EPCI = "epci"
    EPT = "ept"  # établissement public territorial (Grand Paris): a collectivité like an EPCI
    DEPARTEMENT = "departement"
    COMMUNE = "commune"
    DDT = "ddt"
    DREAL = "dreal"
    PREFECTURE = "prefecture"
    ASSOCIATION_LOCATAIRES = "association_locataires"
    # The regional association of the Hlm organismes: it supports them, it is neither a
    # collectivité nor the State.
    AR_HLM = "ar_hlm"
    AUTRE = "autre"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.OPH: "Office public de l'habitat (OPH)",
    OrganisationKind.ESH: "Entreprise sociale pour l'habitat (ESH)",
    OrganisationKind.SEM: "Société d'économie mixte (SEM)",
    OrganisationKind.EPCI: "EPCI",
    OrganisationKind.EPT: "Établissement public territorial (EPT)",
    OrganisationKind.DEPARTEMENT: "Département",
    OrganisationKind.COMMUNE: "Commune",
    OrganisationKind.DDT: "État — DDT(M)",
    OrganisationKind.DREAL: "État — DREAL",
    OrganisationKind.PREFECTURE: "État — préfecture",
    OrganisationKind.ASSOCIATION_LOCATAIRES: "Association de locataires",
    OrganisationKind.AR_HLM: "Association régionale Hlm",
    OrganisationKind.AUTRE: "Autre organisme",
}

ORGANISMES_HLM = frozenset({OrganisationKind.OPH, OrganisationKind.ESH, OrganisationKind.SEM})

# The State's services: the préfet's note d'enjeux et d'objectifs is theirs (workflows.enjeux).
STATE_KINDS = frozenset({OrganisationKind.DDT, OrganisationKind.DREAL, OrganisationKind.PREFECTURE})

# The collectivités an organisme associates for the buildings on their territory; an
# associated one may choose to sign the convention too (article L. 445-1 CCH).
COLLECTIVITES = frozenset(
    {
        OrganisationKind.EPCI,
        OrganisationKind.EPT,
        OrganisationKind.DEPARTEMENT,
        OrganisationKind.COMMUNE,
    }
)

# A CUS is concluded for six years (article L. 445-1 CCH).
CUS_DURATION_YEARS = 6

TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class StandardSection:
    title: str
    mandatory: bool = True
    # Under the concertation with the tenants' representatives: the law requires it for
    # the classement des immeubles (circulaire CUS, IV); the organisme may widen it.
    concertation: bool = False


STANDARD_SECTIONS: dict[ConventionKind, tuple[StandardSection, ...]] = {
    ConventionKind.CUS: (
        StandardSection("État des lieux"),
        StandardSection("Classement des immeubles", concertation=True),
        StandardSection("Politique patrimoniale et d'investissement, plan de mise en vente"),
        StandardSection("Cahier des charges de gestion sociale"),
        StandardSection("Qualité du service rendu aux locataires"),
        StandardSection("Engagements, objectifs et indicateurs"),
        StandardSection("Objectifs facultatifs", mandatory=False),
        StandardSection("Association des collectivités et concertation"),
    ),
    ConventionKind.CADRE: (
        StandardSection("Orientations et objectifs"),
        StandardSection("Contreparties de la collectivité"),
        StandardSection("Modalités pratiques (durée, calendrier)"),
        StandardSection("Gouvernance, suivi et évaluation"),
    ),
    ConventionKind.APPLICATION: (
        StandardSection("Orientations et objectifs"),
        StandardSection("Contreparties de la collectivité"),
        StandardSection("Modalités pratiques (durée, calendrier)"),
        StandardSection("Gouvernance, suivi et évaluation"),
    ),
    ConventionKind.AVENANT: (),  # copied from the signed convention
}


# Ids and numbers are the databases' 32-bit integers: a larger value is no id of any row,
# and PostgreSQL refuses to compare a column with it (an error, not "not found").
MAX_ID = 2**31 - 1


def parse_id(raw: object) -> int | None:
    """A positive integer id from a form or query value, None otherwise. (str.isdigit
    accepts "²", which int() refuses: ASCII digits only.)"""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw <= MAX_ID else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 12:
        value = int(raw)
        return value if 0 < value <= MAX_ID else None
    return None


def clean_title(raw: str | None, what: str = "Le titre") -> str:
    """Trim a title and refuse it when empty or longer than TITLE_MAX_LENGTH."""
    # Cleaned as every stored text is (workflows.text.clean), before the spaces are folded.
    title = " ".join(clean_text(raw or "").split())
    if not title:
        raise InvalidInput(f"{what} est obligatoire.")
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(f"{what} dépasse {TITLE_MAX_LENGTH} caractères.")
    return title


def check_period(kind: ConventionKind, start_year: int, end_year: int | None) -> int:
    """Return the end year of a convention's period, checking it against its kind.

    A CUS covers six years: its end defaults to start + 5 and any other length is
    refused. A contractualisation chooses its own duration (one year for an annual
    convention d'application by default).
    """
    if not 2000 <= start_year <= 2100:
        raise InvalidInput("L'année de début doit être comprise entre 2000 et 2100.")
    if kind is ConventionKind.AVENANT and end_year is None:
        raise InvalidInput("Un avenant reprend la période de la convention qu'il modifie.")
    if kind is ConventionKind.CUS:
        expected = start_year + CUS_DURATION_YEARS - 1
        if end_year is not None and end_year != expected:
            raise InvalidInput(
                f"Une CUS couvre six ans : de {start_year} à {expected}, pas jusqu'à {end_year}."
            )
        return expected
    if end_year is None:
        return start_year if kind is ConventionKind.APPLICATION else start_year + 2
    if end_year < start_year:
        raise InvalidInput("L'année de fin précède l'année de début.")
    if end_year - start_year > 20:
        raise InvalidInput("La période ne peut dépasser vingt ans.")
    return end_year
