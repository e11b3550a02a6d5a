"""Acronyms of French social housing and what they stand for, written for Cosigne.

Used both ways by search: a question with "PLH" also looks for "programme local de
l'habitat", and one spelling the words out also finds passages using the acronym. The
words are compared as stems, so "programmes locaux de l'habitat" is the PLH too; the
index marks every spelled-out occurrence with the acronym (``acronyms.acronym_spans``),
so that one term finds both spellings. Data only: the functions that read it are in
``knowledge.search.acronyms``.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "ALUR": "accès au logement et un urbanisme rénové",
    "ANCOLS": "agence nationale de contrôle du logement social",
    "ANRU": "agence nationale pour la rénovation urbaine",
    "APL": "aide personnalisée au logement",
    "CAL": "commission d'attribution des logements",
    "CALEOL": "commission d'attribution des logements et d'examen de l'occupation des logements",
    "CCAPEX": "commission de coordination des actions de prévention des expulsions locatives",
    "CCH": "code de la construction et de l'habitation",
    "CCL": "conseil de concertation locative",
    "CCLP": "conseil de concertation locative de patrimoine",
    "CDC": "caisse des dépôts et consignations",
    "CGLLS": "caisse de garantie du logement locatif social",
    "CIL": "conférence intercommunale du logement",
    "CNL": "confédération nationale du logement",
    "CRHH": "comité régional de l'habitat et de l'hébergement",
    "CSF": "confédération syndicale des familles",
    "CUS": "convention d'utilité sociale",
    "DALO": "droit au logement opposable",
    "DDT": "direction départementale des territoires",
    "DDTM": "direction départementale des territoires et de la mer",
    "DGALN": "direction générale de l'aménagement, du logement et de la nature",
    "DHUP": "direction de l'habitat, de l'urbanisme et des paysages",
    "DPE": "diagnostic de performance énergétique",
    "DREAL": "direction régionale de l'environnement, de l'aménagement et du logement",
    "ELAN": "évolution du logement, de l'aménagement et du numérique",
    "EPCI": "établissement public de coopération intercommunale",
    "EPLS": "enquête sur le parc locatif social",
    "ESH": "entreprise sociale pour l'habitat",
    "FSL": "fonds de solidarité pour le logement",
    "GUP": "gestion urbaine de proximité",
    "HLM": "habitation à loyer modéré",
    "MIILOS": "mission interministérielle d'inspection du logement social",
    "MOLLE": "mobilisation pour le logement et la lutte contre l'exclusion",
    "OPAC": "office public d'aménagement et de construction",
    "OPH": "office public de l'habitat",
    "PCL": "plan de concertation locative",
    "PDALHPD": "plan départemental d'action pour le logement et l'hébergement des personnes défavorisées",
    "PDALPD": "plan départemental d'action pour le logement des personnes défavorisées",
    "PDH": "plan départemental de l'habitat",
    "PLAI": "prêt locatif aidé d'intégration",
    "PLH": "programme local de l'habitat",
    "PLI": "prêt locatif intermédiaire",
    "PLS": "prêt locatif social",
    "PLU": "plan local d'urbanisme",
    "PLUS": "prêt locatif à usage social",
    "PSLA": "prêt social location-accession",
    "PSP": "plan stratégique de patrimoine",
    "QPV": "quartier prioritaire de la politique de la ville",
    "RHVS": "résidence hôtelière à vocation sociale",
    "RPLS": "répertoire des logements locatifs des bailleurs sociaux",
    "SEM": "société d'économie mixte",
    "SLS": "supplément de loyer de solidarité",
    "SNE": "système national d'enregistrement de la demande de logement social",
    "SRU": "solidarité et renouvellement urbains",
    "TFPB": "taxe foncière sur les propriétés bâties",
    "UES": "union d'économie sociale",
    "USH": "union sociale pour l'habitat",
    "ZUS": "zone urbaine sensible",
}

# Acronyms that are also everyday French words when written in lower case.
COMMON_WORDS = frozenset(
    {"plus", "cal", "sem", "apl", "pli", "pls", "cil", "sru", "fsl", "elan", "molle", "ues"}
)
