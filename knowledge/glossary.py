"""Acronyms of French social housing and what they stand for, written for Cosigne.

Used both ways by search: a question with "PLH" also looks for "programme local de
l'habitat", and one spelling the words out also finds passages using the acronym.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "ANRU": "agence nationale pour la rénovation urbaine",
    "APL": "aide personnalisée au logement",
    "CAL": "commission d'attribution des logements",
    "CALEOL": "commission d'attribution des logements et d'examen de l'occupation des logements",
    "CCAPEX": "commission de coordination des actions de prévention des expulsions locatives",
    "CCH": "code de la construction et de l'habitation",
    "CCL": "conseil de concertation locative",
    "CIL": "conférence intercommunale du logement",
    "CUS": "convention d'utilité sociale",
    "DALO": "droit au logement opposable",
    "DDT": "direction départementale des territoires",
    "DDTM": "direction départementale des territoires et de la mer",
    "DPE": "diagnostic de performance énergétique",
    "DREAL": "direction régionale de l'environnement, de l'aménagement et du logement",
    "EPCI": "établissement public de coopération intercommunale",
    "ESH": "entreprise sociale pour l'habitat",
    "FSL": "fonds de solidarité pour le logement",
    "HLM": "habitation à loyer modéré",
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
    "PSP": "plan stratégique de patrimoine",
    "QPV": "quartier prioritaire de la politique de la ville",
    "RPLS": "répertoire des logements locatifs des bailleurs sociaux",
    "SEM": "société d'économie mixte",
    "SLS": "supplément de loyer de solidarité",
    "SNE": "système national d'enregistrement de la demande de logement social",
    "SRU": "solidarité et renouvellement urbains",
    "ZUS": "zone urbaine sensible",
}

# Lower-cased expansions, to find the acronym from the words.
_BY_EXPANSION = {expansion.lower(): acronym for acronym, expansion in GLOSSARY.items()}


def expand(text: str) -> list[str]:
    """Expansions of the acronyms in ``text`` and acronyms of the expansions it spells out.

    Acronyms are matched as written in capitals ("PLUS", not the word "plus"), except
    for those that are not French words when lower-cased ("cus", "plh").
    """
    found: list[str] = []
    for word in {w.strip(".,;:!?()«»\"'’") for w in text.split()}:
        upper = word.upper()
        if upper in GLOSSARY and (word.isupper() or upper.lower() not in _COMMON_WORDS):
            found.append(GLOSSARY[upper])
    lowered = text.lower().replace("’", "'")
    for expansion, acronym in _BY_EXPANSION.items():
        if expansion in lowered:
            found.append(acronym)
    return list(dict.fromkeys(found))


# Acronyms that are also everyday French words when written in lower case.
_COMMON_WORDS = frozenset({"plus", "cal", "sem", "apl", "pli", "pls", "cil", "sru", "fsl"})
