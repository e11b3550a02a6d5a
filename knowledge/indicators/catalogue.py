"""The 26 CUS performance indicators (A.I to I.I) as structured data.

Facts (codes, units, periodicity, scale, variables, formula, target type, exclusions)
follow the "fiches de documentation" of the circulaire's fiche thématique n° 1; every
sentence is written in the project's own words. Stdlib only.

Conventions used below:
- ``kind`` says how one year's value is computed: ``ratio_percent`` = V1 / V2 × 100,
  ``ratio`` and ``amount_per_unit`` = V1 / V2, ``count`` = V1, ``qualitative`` = OUI/NON.
  The fiches write "V1/V2" for percentages while their unit is "%": the value is × 100.
- ``target_kind`` says how the six-year target reads the yearly values: ``cumulated``
  (sum over the years), ``at_term`` (stock measured on 31 December of the last year),
  ``last_year`` (flow over the whole last year), ``six_year_average`` (sum of the
  numerators divided by the sum of the denominators, never the mean of yearly ratios),
  ``per_year`` (no single aggregate; unused by the national fiches, kept for local ones).
- ``mandatory`` is False when the fiche limits the indicator to some cases;
  ``applies_when`` then says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["ratio_percent", "ratio", "count", "amount_per_unit", "qualitative"]
TargetKind = Literal["per_year", "cumulated", "at_term", "last_year", "six_year_average"]


@dataclass(frozen=True)
class Variable:
    name: str  # "V1", "V2", "V1.a" (as in the fiche)
    label: str  # short French label
    definition: str  # French, our words
    optional: bool = False  # e.g. the causes of stops of H.III


@dataclass(frozen=True)
class Indicator:
    code: str
    aspect: str
    engagement: str
    title: str
    unit: str
    periodicity: str
    scale: str
    breakdown: tuple[str, ...]
    variables: tuple[Variable, ...]
    formula: str
    kind: Kind
    target_kind: TargetKind
    exclusions: tuple[str, ...]
    notes: tuple[str, ...]
    cross_check: str
    keywords: tuple[str, ...]
    mandatory: bool = True
    applies_when: str = ""

    def variable(self, name: str) -> Variable | None:
        for variable in self.variables:
            if variable.name == name:
                return variable
        return None

    @property
    def required_variables(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables if not v.optional)


# --- shared wording --------------------------------------------------------------------

_ANNUAL = "annuelle"
_ANNUAL_CUMUL = "annuelle, avec cumul sur les 6 ans"
_BIENNIAL = "tous les 2 ans (à 2, 4 et 6 ans)"
_DEPT = "département"
_SEGMENT = "segment de patrimoine"
_ZUS = ("en ZUS", "hors ZUS")
_FINANCING = ("PLA-I", "PLUS", "PLS")

_BIENNIAL_REVIEW = (
    "Lors du bilan que le préfet dresse tous les deux ans, chaque valeur annuelle obtenue "
    "est confrontée à la cible prévue pour l'année."
)
_BIENNIAL_REVIEW_2_4 = (
    "Lors du bilan que le préfet dresse tous les deux ans, la valeur mesurée est confrontée "
    "à la cible prévue pour l'échéance (2, 4 ou 6 ans)."
)
_COMPLETE_FILE = (
    "Un dossier compte quand il est complet, c'est-à-dire qu'il réunit les pièces listées "
    "à l'annexe II de l'arrêté du 26 août 2005 (plans de financement et d'équilibre "
    "prévisionnels, plan de situation, fiche descriptive, coût prévisionnel HT, échéancier, "
    "preuve de la maîtrise du terrain ou de l'immeuble, etc.)."
)
_OWNED_DWELLINGS = Variable(
    "V2",
    "Logements détenus",
    "Logements locatifs du périmètre sur lesquels l'organisme a un droit réel (pleine "
    "propriété, bail emphytéotique ou à construction, bail à réhabilitation, usufruit…).",
)
_ALLOCATIONS = Variable(
    "V2",
    "Attributions",
    "Toutes les attributions de l'année : dossiers acceptés par la commission "
    "d'attribution (CAL) dont le logement n'a pas été refusé par le candidat.",
)
_ARREARS_3_MONTHS_DEF = (
    "Ménages ayant laissé trois échéances nettes de suite sans les régler entièrement."
)
_ENERGY_EQUIPMENT_SCOPE = (
    "Seulement pour le patrimoine équipé d'ascenseurs ou de chaudières collectives : "
    "les logements individuels, et les immeubles sans ces équipements, ne sont pas concernés."
)

_ENGAGEMENT_A = (
    "Répondre aux besoins des habitants et des territoires en augmentant la production "
    "neuve et la reconstitution de logements locatifs sociaux."
)
_ENGAGEMENT_B = (
    "Faire correspondre l'offre d'hébergement aux besoins locaux en augmentant le nombre "
    "de places nouvelles que produit l'organisme."
)
_ENGAGEMENT_C = "Maintenir en bon état et moderniser le parc déjà construit."
_ENGAGEMENT_F = (
    "Garantir la mixité des ménages logés et s'engager à accueillir des ménages modestes "
    "ou en difficulté."
)
_ENGAGEMENT_G = "Repérer tôt les ménages en difficulté de paiement et éviter les expulsions."
_ENGAGEMENT_H = (
    "Garantir aux locataires, avec les autres signataires de la convention, un service "
    "de bonne qualité."
)

_ASPECT_A = "Développement de l'offre"
_ASPECT_B = "Développement de l'offre d'insertion, d'hébergement et d'accueil temporaire"
_ASPECT_C = "Dynamique patrimoniale et développement durable"
_ASPECT_D = "Mise en vente de logements aux occupants"
_ASPECT_E = "Mutations"
_ASPECT_F = "Droit au logement"
_ASPECT_G = "Prévention des expulsions"
_ASPECT_H = "Qualité du service rendu aux locataires"
_ASPECT_I = "Performance de la gestion"

_B_SCOPE = (
    "Sont comptés, en neuf comme en acquisition-amélioration : maisons-relais (pensions de "
    "famille), résidences accueil, résidences sociales et structures d'hébergement "
    "d'urgence, de stabilisation ou d'insertion (CHRS, CHU, CADA par exemple)."
)
_B_RHVS = (
    "Les résidences hôtelières à vocation sociale (RHVS) peuvent être comptées pour la "
    "fraction réservée au préfet au titre de l'article L. 631-11 du CCH."
)
_B_DOUBLE_COUNT = (
    "Ces places en logements-foyers figurent ici et aussi dans les indicateurs propres "
    "aux logements-foyers."
)
_B_CROSS_CHECK = (
    "Infocentre SISAL (opérations PLAI d'hébergement, produit spécifique hébergement, "
    "RHVS, résidences sociales sous toutes leurs formes) ; cohérence avec le PDALPD ; "
    "capacité financière : BOLERO-WEB (OPH, SA d'HLM) et rapports MIILOS."
)
_A_SCOPE = (
    "Offre nouvelle brute : construction neuve, reconstitution après démolition, achat de "
    "logements non sociaux ensuite conventionnés, et achat de logements déjà sociaux "
    "lorsqu'il fait l'objet d'un dossier de financement social."
)
_A_SEM = (
    "Une SEM peut aussi compter ses propres logements non sociaux conventionnés à l'APL "
    "(article L. 351-2 du CCH) ou, outre-mer, améliorés avec une aide de l'État."
)
_ORDINARY_ONLY = "Ne concerne que les logements ordinaires (dits banalisés)."
_HT = (
    "Montants hors taxe : un organisme qui suit ses dépenses toutes taxes comprises en "
    "retire la TVA applicable."
)
_REHAB_SPLIT = (
    "La réforme comptable ayant fait disparaître la catégorie des grosses réparations, le "
    "coût d'une réhabilitation se partage entre immobilisations (C.I) et charges "
    "d'exploitation (C.II)."
)
_G_CHAIN = (
    "Le nombre de ménages en impayé de plus de trois mois doit être le même dans G.I (V1), "
    "G.II (V2) et G.III (V2)."
)
_H_BOILERS = (
    "Chaudière collective : appareil (gaz, fioul, bois…) qui chauffe plusieurs logements "
    "ou immeubles ; entretien par un prestataire agréé chaque année sous 400 kW, tous les "
    "deux ans au-delà (décret du 9 juin 2009, arrêté du 15 septembre 2009)."
)
_H_LIFTS = (
    "Ascenseurs : le contrat d'entretien prévoit une visite toutes les six semaines et un "
    "dépannage 24 h/24, 7 j/7 (articles R. 125-2 et suivants du CCH, arrêté du 18 novembre "
    "2004) ; vandalisme, nettoyage et modernisation n'y entrent pas."
)
_DISTRICT_HEATING = (
    "Chauffage urbain : une installation raccordée à un réseau de chaleur n'est pas une "
    "chaudière, puisqu'elle ne produit pas d'énergie."
)


def _v1(label: str, definition: str) -> tuple[Variable, ...]:
    return (Variable("V1", label, definition),)


def _v1v2(label1: str, def1: str, v2: Variable) -> tuple[Variable, ...]:
    return (Variable("V1", label1, def1), v2)


_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="A.I",
        aspect=_ASPECT_A,
        engagement=_ENGAGEMENT_A,
        title="Logements financés (dossiers de financement déposés)",
        unit="nombre de logements",
        periodicity=_ANNUAL_CUMUL,
        scale=_DEPT,
        breakdown=_FINANCING,
        variables=_v1(
            "Logements financés",
            "Logements locatifs ordinaires pour lesquels l'organisme a remis dans l'année "
            "un dossier de demande de financement complet aux services de l'État ou au "
            "délégataire des aides à la pierre.",
        ),
        formula="V1",
        kind="count",
        target_kind="cumulated",
        exclusions=(
            "Logements-foyers, places d'hébergement et logements adaptés (suivis par B.I).",
        ),
        notes=(
            _ORDINARY_ONLY,
            _A_SCOPE,
            _A_SEM,
            _COMPLETE_FILE,
            "Une cible par type de financement (PLA-I, PLUS, PLS) chaque année, et leur "
            "somme sur les six ans.",
            "Comparer la cible aux mises en service passées permet de vérifier que les "
            "dossiers déposés débouchent bien sur des logements livrés.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Infocentre SISAL (dossiers déposés) ; capacité financière : BOLERO-WEB (OPH, "
            "SA d'HLM) et rapports MIILOS ; objectifs de production nationaux et locaux."
        ),
        keywords=(
            "dossiers de financement",
            "logements financés",
            "financement de logements",
            "production de logements",
            "production neuve",
            "offre nouvelle",
            "programmation",
        ),
    ),
    Indicator(
        code="A.II",
        aspect=_ASPECT_A,
        engagement=_ENGAGEMENT_A,
        title="Logements mis en service",
        unit="nombre de logements",
        periodicity=_ANNUAL_CUMUL,
        scale=_DEPT,
        breakdown=_FINANCING,
        variables=_v1(
            "Logements mis en service",
            "Logements locatifs ordinaires effectivement proposés à la location pendant "
            "l'année, qu'ils aient déjà trouvé un occupant ou non.",
        ),
        formula="V1",
        kind="count",
        target_kind="cumulated",
        exclusions=(
            "Logements-foyers, places d'hébergement et logements adaptés (suivis par B.II).",
        ),
        notes=(
            _ORDINARY_ONLY,
            _A_SCOPE,
            _A_SEM,
            "Un logement est mis en service le jour où il peut être loué ; il n'a pas "
            "besoin d'être occupé.",
            "La cible de A.II doit rester cohérente avec celle de A.I.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "BOLERO-WEB (donnée S-NLNA : logements neufs achevés dans l'année) ; enquête "
            "EPLS puis répertoire des logements locatifs des bailleurs sociaux (RPLS, "
            "article L. 411-10 du CCH) ; SISAL (conventions APL, déclarations d'achèvement)."
        ),
        keywords=(
            "mises en service",
            "mise en service",
            "logements livrés",
            "livraisons de logements",
            "logements mis en location",
        ),
    ),
    Indicator(
        code="B.I",
        aspect=_ASPECT_B,
        engagement=_ENGAGEMENT_B,
        title="Places d'hébergement et logements adaptés financés",
        unit="nombre de logements équivalents",
        periodicity=_ANNUAL_CUMUL,
        scale=_DEPT,
        breakdown=(),
        variables=_v1(
            "Places financées (logements équivalents)",
            "Places nouvelles d'hébergement ou de logement adapté ayant fait l'objet dans "
            "l'année d'un dossier de financement complet, converties en logements "
            "équivalents selon le 4° du B de l'article R. 302-14 du CCH.",
        ),
        formula="V1",
        kind="count",
        target_kind="cumulated",
        exclusions=(
            "Logements ordinaires (suivis par A.I).",
            "Une partie des places en logements-foyers.",
        ),
        notes=(_B_SCOPE, _B_RHVS, _B_DOUBLE_COUNT, _COMPLETE_FILE, _BIENNIAL_REVIEW),
        cross_check=_B_CROSS_CHECK,
        keywords=(
            "places d'hébergement financées",
            "places d'hébergement",
            "hébergement",
            "logements adaptés",
            "logement adapté",
            "maisons relais",
            "pensions de famille",
            "résidences sociales",
            "résidences accueil",
        ),
    ),
    Indicator(
        code="B.II",
        aspect=_ASPECT_B,
        engagement=_ENGAGEMENT_B,
        title="Places d'hébergement et logements adaptés livrés",
        unit="nombre de logements équivalents",
        periodicity=_ANNUAL_CUMUL,
        scale=_DEPT,
        breakdown=(),
        variables=_v1(
            "Places livrées (logements équivalents)",
            "Places nouvelles d'hébergement ou de logement adapté livrées dans l'année, "
            "c'est-à-dire que l'organisme propriétaire juge prêtes à recevoir un occupant, "
            "exprimées en logements équivalents.",
        ),
        formula="V1",
        kind="count",
        target_kind="cumulated",
        exclusions=(
            "Logements ordinaires (suivis par A.II).",
            "Une partie des places en logements-foyers.",
        ),
        notes=(
            _B_SCOPE,
            _B_RHVS,
            _B_DOUBLE_COUNT,
            "La cible de B.II doit rester cohérente avec celle de B.I.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=_B_CROSS_CHECK,
        keywords=(
            "places d'hébergement livrées",
            "places livrées",
            "livraison de places",
            "hébergement livré",
        ),
    ),
    Indicator(
        code="C.I",
        aspect=_ASPECT_C,
        engagement=_ENGAGEMENT_C,
        title="Investissement dans le parc existant, par logement",
        unit="€ HT par logement",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1v2(
            "Dépenses d'investissement sur le parc existant",
            "Montant hors taxe, pour l'année, des travaux sur les logements existants "
            "inscrits en immobilisation : réhabilitation et remplacement de composants.",
            _OWNED_DWELLINGS,
        ),
        formula="V1 / V2",
        kind="amount_per_unit",
        target_kind="last_year",
        exclusions=("Part des travaux passée en charges d'exploitation (suivie par C.II).",),
        notes=(
            _REHAB_SPLIT,
            "Seule entre ici la part immobilisée des travaux d'entretien ou d'amélioration.",
            "Source comptable : annexe des mouvements de l'actif immobilisé, poste "
            "« constructions locatives », additions et remplacements de composants "
            "(annexe V tableau 4 pour les OPH ; annexe II fiche 2 pour les SA, fondations "
            "et coopératives).",
            _HT,
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Investissements des années passées, plan stratégique de patrimoine (PSP) et "
            "âge du parc ; capacité financière et de maîtrise d'ouvrage : BOLERO-WEB (OPH, "
            "SA d'HLM) et rapports MIILOS."
        ),
        keywords=(
            "investissement par logement",
            "dépenses d'investissement",
            "travaux d'investissement",
            "réhabilitation",
            "remplacement de composants",
            "immobilisations",
        ),
    ),
    Indicator(
        code="C.II",
        aspect=_ASPECT_C,
        engagement=_ENGAGEMENT_C,
        title="Dépenses de maintenance, par logement",
        unit="€ HT par logement",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1v2(
            "Charges de maintenance",
            "Montant hors taxe, pour l'année, des charges d'exploitation consacrées à la "
            "maintenance des immeubles : entretien courant et gros entretien.",
            _OWNED_DWELLINGS,
        ),
        formula="V1 / V2",
        kind="amount_per_unit",
        target_kind="last_year",
        exclusions=("Part des travaux inscrite en immobilisation (suivie par C.I).",),
        notes=(
            _REHAB_SPLIT,
            "Seule entre ici la part des travaux enregistrée en charges.",
            "Proche du ratio B8 de BOLERO-WEB (comptes 6151 et 6152 non récupérables, plus "
            "l'entretien fait en régie), à ceci près que B8 divise par les logements gérés "
            "et C.II par les logements détenus.",
            "Pour les SEM, les comptes d'entretien courant et de gros entretien sont "
            "61521 et 61523.",
            _HT,
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Ratio B8 (coûts de maintenance) de BOLERO-WEB pour les OPH et SA d'HLM ; "
            "capacité financière : BOLERO-WEB et rapports MIILOS."
        ),
        keywords=(
            "maintenance",
            "entretien courant",
            "gros entretien",
            "dépenses d'entretien",
            "coût de maintenance",
            "ratio B8",
        ),
    ),
    Indicator(
        code="C.III",
        aspect=_ASPECT_C,
        engagement=_ENGAGEMENT_C,
        title="Diagnostics de performance énergétique (DPE) réalisés",
        unit="%",
        periodicity="une seule mesure, 18 mois après la signature",
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1v2(
            "DPE au bâtiment",
            "Diagnostics de performance énergétique réalisés pour un bâtiment entier.",
            Variable("V2", "Bâtiments collectifs", "Nombre de bâtiments collectifs."),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=("DPE établis logement par logement.",),
        notes=(
            "Une seule mesure : la part des bâtiments collectifs diagnostiqués pendant les "
            "18 premiers mois de la convention ; la cible est fixée à 18 mois.",
            "La fiche écrit « V1/V2 » avec une unité en % : la valeur est exprimée en pourcentage.",
            "Ordres de grandeur : environ 1 500 € le DPE d'un bâtiment d'une centaine de "
            "logements (15 € par logement), 300 à 500 € pour une dizaine de logements "
            "(30 à 50 € par logement) ; un à deux jours de travail selon la taille.",
            "Le DPE est exigé à la location depuis le 1er juillet 2007 (directive "
            "2002/91/CE, ordonnance du 8 juin 2005, arrêté du 3 mai 2007) ; pour simplifier et "
            "réduire les coûts, le ministère recommandait alors un diagnostic par bâtiment.",
            "Repère : le parc HLM consomme en moyenne 170 kWh/m²/an, soit la classe D.",
        ),
        cross_check=(
            "Aucune source à ce jour ; l'enquête annuelle sur le parc social devrait à "
            "l'avenir recueillir cette information."
        ),
        keywords=(
            "DPE",
            "diagnostic de performance énergétique",
            "diagnostics de performance énergétique",
            "diagnostics énergétiques",
        ),
    ),
    Indicator(
        code="C.IV",
        aspect=_ASPECT_C,
        engagement=_ENGAGEMENT_C,
        title="Logements rénovés au sens du Grenelle de l'environnement",
        unit="%",
        periodicity=_BIENNIAL,
        scale=_SEGMENT,
        breakdown=_ZUS,
        variables=_v1v2(
            "Logements rénovés (stock)",
            "Nombre total, à la date de mesure, de logements ayant bénéficié d'une "
            "rénovation énergétique telle que la définit la loi Grenelle 1 (loi "
            "n° 2009-967, art. 5, II, 1er alinéa).",
            _OWNED_DWELLINGS,
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=(),
        notes=(
            "Objectif national : avant 2020, rénover 800 000 logements sociaux consommant "
            "plus de 230 kWh d'énergie primaire par m² et par an pour les ramener sous "
            "150 kWh, dont 180 000 en ZUS.",
            "Rythme national prévu : 40 000 rénovations en 2009, 60 000 en 2010, puis "
            "70 000 par an de 2011 à 2020 ; prêts bonifiés (éco-prêt) et subventions de "
            "l'État jusqu'à 20 % du coût des travaux.",
            "Pour fixer la cible, l'organisme repère d'abord ses logements au-dessus de "
            "230 kWhEP/m²/an.",
            _BIENNIAL_REVIEW_2_4,
        ),
        cross_check=(
            "Éco-prêts logement social octroyés par la Caisse des dépôts (données auprès de "
            "ses délégations régionales) ; capacité financière : BOLERO-WEB et rapports MIILOS."
        ),
        keywords=(
            "logements rénovés",
            "rénovation énergétique",
            "rénovation thermique",
            "Grenelle",
            "éco-prêt",
            "230 kWh",
        ),
    ),
    Indicator(
        code="D.I",
        aspect=_ASPECT_D,
        engagement=(
            "Aider les locataires du parc social à devenir propriétaires en mettant "
            "réellement en vente un plus grand nombre de logements."
        ),
        title="Logements mis en commercialisation (vente aux locataires)",
        unit="nombre de logements",
        periodicity=_ANNUAL_CUMUL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1(
            "Logements mis en commercialisation",
            "Logements que l'organisme a réellement proposés à la vente à des locataires "
            "pendant l'année.",
        ),
        formula="V1",
        kind="count",
        target_kind="cumulated",
        exclusions=(
            "Logements dont la commercialisation a été insuffisante (article R. 445-7 du CCH).",
        ),
        notes=(
            "Comptent : les logements vacants destinés à la vente (3e alinéa de l'article "
            "L. 443-11) ayant reçu les accords et avis de l'article L. 443-7 et fait "
            "l'objet de la publicité de l'article R. 443-12 ; les logements occupés ayant "
            "reçu ces accords et pour lesquels une offre de vente a été faite.",
            "L'indicateur est accompagné d'une prévision des ventes par segment, par an et "
            "en cumul ; si les ventes restent nettement en deçà, le préfet demande sous un "
            "mois une révision du plan de mise en vente.",
            "Le préfet a sur cet engagement un pouvoir d'injonction, sans pouvoir de "
            "substitution : une mise en demeure restée sans effet peut conduire à une "
            "sanction financière au terme de la convention.",
            "Un logement occupé ne se vend qu'à son locataire (ou, à sa demande et sous "
            "conditions de ressources, à son conjoint, ses ascendants ou descendants) ; un "
            "logement vacant est d'abord proposé aux locataires de l'organisme dans le "
            "département.",
            "Conditions de l'article L. 443-7 : logements de plus de 10 ans, suffisamment "
            "entretenus, sans réduire à l'excès le parc social de la commune ou de "
            "l'agglomération ; loi SRU : aucune vente en commune carencée, deux logements "
            "à construire pour un vendu dans les autres communes sous le seuil.",
            "Repère : les accords de 2007 et 2008 avec l'USH et la fédération des SEM "
            "visaient 40 000 ventes par an pour les HLM et 3 000 pour les SEM (environ 1 % "
            "du parc).",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Donnée S-NLVC de BOLERO-WEB (toutes les ventes de l'exercice) ; enquête "
            "annuelle des services déconcentrés sur les ventes aux locataires."
        ),
        keywords=(
            "vente hlm",
            "ventes hlm",
            "mise en vente",
            "mises en vente",
            "commercialisation",
            "vente aux locataires",
            "accession à la propriété",
            "plan de mise en vente",
            "plan de vente",
        ),
    ),
    Indicator(
        code="E.I",
        aspect=_ASPECT_E,
        engagement=(
            "Rendre plus fluides les parcours résidentiels en facilitant les changements "
            "de logement à l'intérieur du parc de l'organisme."
        ),
        title="Mutations internes",
        unit="%",
        periodicity=_ANNUAL,
        scale=_DEPT,
        breakdown=(),
        variables=_v1v2(
            "Mutations internes",
            "Attributions prononcées en faveur de ménages déjà locataires de l'organisme, "
            "relogements consécutifs à une démolition compris.",
            _ALLOCATIONS,
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="six_year_average",
        exclusions=("Mutations vers le parc d'un autre bailleur (mutations externes).",),
        notes=(
            "Cible sur la durée de la convention : total des mutations internes des six ans "
            "divisé par le total des attributions des six ans.",
            "Sert notamment à adapter la taille du logement à l'évolution du ménage ; en cas "
            "de sous-occupation, le bailleur doit proposer un logement adapté au loyer plus "
            "bas (article L. 442-3-1 du CCH).",
            "Une forte proportion de logements réservés réduit la marge de l'organisme pour "
            "les mutations internes.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Enquête « attributions » (article L. 441-2-5 du CCH) pour V2 ; le fichier "
            "départemental du numéro unique (attributions à des demandeurs déjà logés en "
            "HLM, tous bailleurs) donne un maximum pour V1."
        ),
        keywords=(
            "mutations internes",
            "mutation interne",
            "mobilité interne",
            "parcours résidentiels",
            "parcours résidentiel",
            "changement de logement",
            "sous-occupation",
        ),
    ),
    Indicator(
        code="F.I",
        aspect=_ASPECT_F,
        engagement=_ENGAGEMENT_F,
        title="Logements occupés par des ménages sous 60 % des plafonds (zone tendue)",
        unit="%",
        periodicity=_BIENNIAL,
        scale=_SEGMENT,
        breakdown=("par catégorie de classement", *_ZUS),
        variables=_v1v2(
            "Logements occupés par des ménages très modestes",
            "Logements situés en zone tendue dont les occupants ont des ressources au plus "
            "égales à 60 % des plafonds du 1er alinéa de l'article R. 331-12 du CCH "
            "(plafonds PLUS).",
            Variable(
                "V2",
                "Logements détenus",
                "Logements locatifs sur lesquels l'organisme a un droit réel ; l'indicateur "
                "n'étant mesuré qu'en zone tendue, on retient ceux qui y sont situés.",
            ),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=("Patrimoine situé hors zone tendue (zone C).",),
        notes=(
            "Mesure globale sur l'ensemble des zones tendues, sans distinguer A, B1 et B2.",
            "Défini par segment puis croisé avec les catégories de classement, chaque case "
            "étant ventilée en ZUS et hors ZUS ; les cases sans patrimoine restent vides.",
            "La fiche ne précise pas que V2 se limite à la zone tendue ; comme l'indicateur "
            "n'y est mesuré que là, le catalogue prend les logements détenus en zone tendue.",
            "Pour les logements PLUS, l'article R. 331-12 exige déjà au moins 30 % de ménages "
            "sous 60 % des plafonds dans chaque programme.",
            "Si la cible n'est pas tenue dans un segment, le préfet demande des propositions "
            "sous un mois ; les deux tiers des attributions suivantes dans ces immeubles "
            "vont alors à des ménages sous 60 % des plafonds jusqu'au retour à l'objectif "
            "(article R. 445-7 du CCH).",
            "Le préfet a sur cet engagement un pouvoir d'injonction, sans pouvoir de substitution.",
            _BIENNIAL_REVIEW_2_4,
        ),
        cross_check=(
            "Enquête sur l'occupation du parc social (OPS) ; enquête « attributions » "
            "(attributions à des ménages sous 60 % des plafonds PLUS)."
        ),
        keywords=(
            "60 % des plafonds",
            "60% des plafonds",
            "ménages très modestes",
            "ménages modestes",
            "occupation sociale",
            "zone tendue",
            "zones tendues",
            "mixité sociale",
        ),
        mandatory=False,
        applies_when=(
            "Seulement pour le patrimoine situé en zone tendue (zones A, B1 et B2 de "
            "l'arrêté du 29 avril 2009)."
        ),
    ),
    Indicator(
        code="F.II",
        aspect=_ASPECT_F,
        engagement=_ENGAGEMENT_F,
        title="Attributions aux ménages prioritaires (PDALPD, accords collectifs)",
        unit="%",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1v2(
            "Attributions aux ménages prioritaires",
            "Attributions à des ménages relevant des priorités du CCH, telles que le PDALPD "
            "et les accords collectifs départemental ou intercommunal les déclinent.",
            _ALLOCATIONS,
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="six_year_average",
        exclusions=(),
        notes=(
            "Cible sur la durée : total des attributions aux ménages prioritaires des six "
            "ans divisé par le total des attributions des six ans ; cibles proposées au vu "
            "du PDALPD ou des accords collectifs.",
            "Deux façons de compter V1 selon le contexte local : les publics prioritaires "
            "définis par le PDALPD (déclaration du bailleur ou candidats proposés par une "
            "instance locale du plan), ou les attributions imputées sur l'accord collectif ; "
            "dans ce second cas, la cible est l'engagement annuel quantifié de l'accord.",
            "Un ménage logé au titre de l'accord collectif ou du PDALPD et reconnu "
            "prioritaire par la commission de médiation DALO peut être compté ici.",
            "Mesure la politique d'attribution d'ensemble ; le DALO (F.III) et le "
            "contingent préfectoral (F.V) ont leurs propres indicateurs.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Enquête « attributions » (pour les accords collectifs départemental et "
            "intercommunal) ; besoins identifiés par le PDALPD ; engagement annuel "
            "quantifié fixé par l'accord collectif."
        ),
        keywords=(
            "ménages prioritaires",
            "publics prioritaires",
            "personnes prioritaires",
            "PDALPD",
            "accord collectif",
            "accords collectifs",
            "personnes défavorisées",
        ),
    ),
    Indicator(
        code="F.III",
        aspect=_ASPECT_F,
        engagement=_ENGAGEMENT_F,
        title="Attributions aux ménages reconnus prioritaires DALO",
        unit="%",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=("toutes attributions", "dont en ZUS"),
        variables=_v1v2(
            "Attributions DALO",
            "Attributions à des ménages que la commission de médiation (article L. 441-2-3 "
            "du CCH) a déclarés prioritaires et à loger d'urgence ; la part en ZUS est "
            "isolée.",
            _ALLOCATIONS,
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="six_year_average",
        exclusions=(),
        notes=(
            "Cible sur la durée : total des attributions DALO des six ans divisé par le "
            "total des attributions des six ans.",
            "Le bailleur doit loger les ménages DALO que le préfet lui désigne : le nombre "
            "de propositions faites doit égaler le nombre de désignations.",
            "La commission d'attribution garde le choix du logement (sauf contingent géré en "
            "stock) : la part des attributions DALO en ZUS ne devrait pas dépasser celle des "
            "autres attributions, et mieux vaut qu'elle soit plus faible.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Application COMDALO (suivi des recours DALO) pour V1 ; enquête « attributions » "
            "(article L. 441-2-5 du CCH) pour V2."
        ),
        keywords=(
            "DALO",
            "droit au logement opposable",
            "commission de médiation",
            "prioritaires et urgents",
            "reconnus prioritaires",
        ),
    ),
    Indicator(
        code="F.IV",
        aspect=_ASPECT_F,
        engagement=_ENGAGEMENT_F,
        title="Attributions aux ménages sortant d'hébergement ou de logement adapté",
        unit="nombre de logements",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1(
            "Attributions aux sortants d'hébergement",
            "Logements attribués dans l'année à des personnes ou des ménages qui quittent "
            "une structure d'hébergement ou un logement adapté.",
        ),
        formula="V1",
        kind="count",
        target_kind="cumulated",
        exclusions=(),
        notes=(
            "Hébergement et logement adapté recouvrent : structures d'urgence, d'insertion "
            "ou de stabilisation (CHRS, CHU, CADA), RHVS, logements de transition loués à "
            "une association ou un CCAS pour être sous-loués, et logements-foyers "
            "(résidences sociales, maisons relais, résidences accueil, FJT, FTM, foyers "
            "pour personnes âgées ou handicapées).",
            "Ce public est prioritaire (article L. 441-1 du CCH) et éligible au DALO ; "
            "l'objectif chiffré de sorties fixé par département par la circulaire du "
            "16 septembre 2009, décliné par bailleur, peut servir de point de départ.",
            "La cible se lit au regard du nombre de logements détenus et des années passées.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Pas d'enquête générale ; bilan annuel de l'accord collectif départemental, qui "
            "détaille les attributions par catégorie de ménages."
        ),
        keywords=(
            "sortants d'hébergement",
            "sortant d'hébergement",
            "sortie d'hébergement",
            "sorties d'hébergement",
            "sortie de logement adapté",
            "logement d'abord",
        ),
    ),
    Indicator(
        code="F.V",
        aspect=_ASPECT_F,
        engagement=_ENGAGEMENT_F,
        title="Attributions sur le contingent préfectoral géré en flux",
        unit="%",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1v2(
            "Attributions sur le contingent préfectoral",
            "Attributions à des ménages prioritaires au titre du contingent du préfet, pour "
            "la seule part de ce contingent gérée en flux.",
            _ALLOCATIONS,
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="six_year_average",
        exclusions=(
            "Attributions aux agents civils et militaires de l'État (5 % du contingent).",
            "Contingent géré en stock (logements identifiés un à un).",
        ),
        notes=(
            "Cible sur la durée : total des attributions sur le contingent des six ans "
            "divisé par le total des attributions des six ans.",
            "Le contingent du préfet existe de droit et sans contrepartie, jusqu'à 30 % des "
            "logements de l'organisme dont 5 % pour les agents de l'État ; en flux, "
            "l'organisme s'engage sur une proportion des logements libérés ou mis en "
            "service dans l'année.",
            "Vérifier que la cible permet d'utiliser pleinement le stock théorique de 25 % "
            "réservé aux prioritaires (article R. 441-5 du CCH), parfois plus bas selon les "
            "conventions APL.",
            _BIENNIAL_REVIEW,
        ),
        cross_check="Enquête « attributions » (article L. 441-2-5 du CCH).",
        keywords=(
            "contingent préfectoral",
            "contingent du préfet",
            "réservations préfectorales",
            "réservation préfectorale",
            "gestion en flux",
            "géré en flux",
        ),
        mandatory=False,
        applies_when=(
            "Seulement lorsque le contingent préfectoral est géré en flux, et pour cette part-là."
        ),
    ),
    Indicator(
        code="F.VI",
        aspect=_ASPECT_F,
        engagement=_ENGAGEMENT_F,
        title="Taux de vacance de plus de trois mois",
        unit="%",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1v2(
            "Logements vacants depuis plus de 3 mois",
            "Logements sans quittancement depuis au moins trois mois, vacance technique et "
            "logements jamais loués mis à part.",
            _OWNED_DWELLINGS,
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=(
            "Vacance technique (réhabilitation en cours, démolition projetée…).",
            "Logements jamais quittancés, en attente de leur première location.",
        ),
        notes=(
            "Valeur à terme : taux mesuré au 31 décembre de la sixième année.",
            "Un taux élevé peut tenir à un marché détendu plutôt qu'à la gestion de l'organisme.",
            "Le nombre de logements vacants figure chaque année dans l'annexe « parc "
            "locatif » des comptes (annexe VI pour les OPH, annexe IV pour les SA d'HLM).",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Ratio B11 de BOLERO-WEB (rapporté aux logements gérés) ; enquête EPLS puis "
            "répertoire RPLS ; annexe « parc locatif » des comptes financiers."
        ),
        keywords=(
            "taux de vacance",
            "vacance",
            "logements vacants",
            "vacance de plus de trois mois",
            "vacance de plus de 3 mois",
            "vacance commerciale",
        ),
    ),
    Indicator(
        code="G.I",
        aspect=_ASPECT_G,
        engagement=_ENGAGEMENT_G,
        title="Part des impayés de plus de trois mois",
        unit="%",
        periodicity=_ANNUAL,
        scale=_DEPT,
        breakdown=(),
        variables=(
            Variable("V1", "Ménages en impayé de plus de 3 mois", _ARREARS_3_MONTHS_DEF),
            Variable(
                "V2",
                "Ménages en impayé ou en retard",
                "Ménages qui n'ont pas réglé tout leur loyer un mois après la date limite "
                "indiquée sur l'avis d'échéance.",
            ),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=(),
        notes=(
            "Plus la valeur est faible, mieux c'est.",
            _G_CHAIN,
            "L'accompagnement des ménages (G.II) aide, à moyen terme, à faire baisser cet "
            "indicateur.",
            _BIENNIAL_REVIEW,
        ),
        cross_check="Données de la CDAPL ; cohérence avec G.II et G.III.",
        keywords=(
            "impayés de plus de trois mois",
            "impayés de plus de 3 mois",
            "impayés",
            "impayé",
            "retards de paiement",
            "dette locative",
        ),
    ),
    Indicator(
        code="G.II",
        aspect=_ASPECT_G,
        engagement=_ENGAGEMENT_G,
        title="Accompagnement des ménages en impayé",
        unit="%",
        periodicity=_ANNUAL,
        scale=_DEPT,
        breakdown=(),
        variables=(
            Variable(
                "V1",
                "Ménages accompagnés",
                "Ménages en impayé de plus de trois mois suivis par une mesure "
                "d'accompagnement que l'organisme finance pour une part significative, "
                "assurée par lui-même ou par un tiers agréé (article L. 365-3 du CCH).",
            ),
            Variable("V2", "Ménages en impayé de plus de 3 mois", _ARREARS_3_MONTHS_DEF),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=("Mesures que l'organisme ne finance pas de façon significative.",),
        notes=(
            _G_CHAIN,
            "La cible dépend de la capacité de l'organisme à financer ces mesures.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Données de la CDAPL ; cohérence avec G.I et G.III ; capacité financière : "
            "BOLERO-WEB et rapports MIILOS."
        ),
        keywords=(
            "mesures d'accompagnement",
            "accompagnement social",
            "accompagnement des ménages",
            "ménages accompagnés",
            "prévention des expulsions",
        ),
    ),
    Indicator(
        code="G.III",
        aspect=_ASPECT_G,
        engagement=_ENGAGEMENT_G,
        title="Plans d'apurement amiables",
        unit="%",
        periodicity=_ANNUAL,
        scale=_DEPT,
        breakdown=(),
        variables=(
            Variable(
                "V1",
                "Plans d'apurement amiables",
                "Échéanciers de remboursement de la dette locative convenus entre "
                "l'organisme et des locataires en impayé de plus de trois mois, y compris "
                "après résiliation du bail s'ils occupent encore le logement.",
            ),
            Variable("V2", "Ménages en impayé de plus de 3 mois", _ARREARS_3_MONTHS_DEF),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=(),
        notes=(
            _G_CHAIN,
            "La cible s'apprécie au vu des moyens engagés et du nombre de ménages avec qui "
            "l'organisme a engagé des démarches.",
            _BIENNIAL_REVIEW,
        ),
        cross_check="Cohérence avec G.I et G.II (même nombre de ménages en impayé).",
        keywords=(
            "plans d'apurement",
            "plan d'apurement",
            "apurement amiable",
            "échéanciers de paiement",
            "échéancier de paiement",
        ),
    ),
    Indicator(
        code="H.I",
        aspect=_ASPECT_H,
        engagement=_ENGAGEMENT_H,
        title="Processus de traitement des réclamations",
        unit="qualitatif",
        periodicity=_BIENNIAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1(
            "Processus de traitement des réclamations en place",
            "OUI lorsque l'organisme dispose d'un circuit opérationnel de traitement des "
            "réclamations (modes et lieux de dépôt connus des locataires, accusé de "
            "réception, traçabilité, suivi de l'enchaînement des interventions), NON sinon.",
        ),
        formula="V1 (OUI / NON)",
        kind="qualitative",
        target_kind="at_term",
        exclusions=(),
        notes=(
            "La fiche ne fixe pas de valeur-cible chiffrée (« sans objet ») : le processus "
            "doit être opérationnel au plus tard au terme des six ans.",
            "L'organisme fournit une fiche méthodologique décrivant tout le processus.",
            "Le préfet apprécie tous les deux ans les démarches engagées.",
            "Dans le calculateur, 1 (ou « oui ») vaut OUI et 0 (ou « non ») vaut NON.",
        ),
        cross_check="Pas de vérification possible ; fiche méthodologique de l'organisme.",
        keywords=(
            "traitement des réclamations",
            "processus de traitement",
            "gestion des réclamations",
            "réclamations",
        ),
    ),
    Indicator(
        code="H.II",
        aspect=_ASPECT_H,
        engagement=_ENGAGEMENT_H,
        title="Réclamations traitées en moins de 30 jours",
        unit="%",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=(
            Variable(
                "V1",
                "Réclamations traitées en moins de 30 jours",
                "Réclamations pour lesquelles enregistrement, accusé de réception, réponse "
                "au locataire et ordre d'intervention ont tous eu lieu en moins de trente "
                "jours.",
            ),
            Variable("V2", "Réclamations de l'année", "Réclamations déposées pendant l'année."),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="last_year",
        exclusions=(),
        notes=(
            "Cible de la dernière année : taux calculé sur toute la sixième année.",
            "N'a de sens que si le processus de H.I est effectif, d'où l'intérêt de "
            "respecter H.I au plus vite.",
            "Limite : un organisme qui enregistre les réclamations avec retard améliore "
            "artificiellement son taux ; la qualité du processus compte donc aussi.",
            _BIENNIAL_REVIEW,
        ),
        cross_check="Engagements pris dans le cadre d'une démarche de certification.",
        keywords=(
            "réclamations traitées",
            "délai de traitement des réclamations",
            "moins de 30 jours",
            "moins de trente jours",
            "réponse aux réclamations",
            "réclamations prises en compte",
        ),
    ),
    Indicator(
        code="H.III",
        aspect=_ASPECT_H,
        engagement=_ENGAGEMENT_H,
        title="Arrêts des ascenseurs et chaudières collectives",
        unit="nombre d'arrêts par appareil",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(
            "ascenseurs",
            "chaudières collectives",
            "ascenseurs : par cause (défaillance technique, usage anormal, malveillance)",
        ),
        variables=(
            Variable(
                "V1",
                "Arrêts de plus de n heures",
                "Arrêts d'une durée supérieure à n heures dans l'année, n étant choisi par "
                "l'organisme pour chaque type d'appareil.",
            ),
            Variable(
                "V1.a",
                "Arrêts pour défaillance technique",
                "Arrêts (ascenseurs) survenus alors que l'appareil était utilisé normalement.",
                optional=True,
            ),
            Variable(
                "V1.b",
                "Arrêts pour usage anormal",
                "Arrêts (ascenseurs) dus à une utilisation contraire aux normes de "
                "l'appareil, malveillance mise à part.",
                optional=True,
            ),
            Variable(
                "V1.c",
                "Arrêts pour malveillance",
                "Arrêts (ascenseurs) provoqués par une dégradation volontaire.",
                optional=True,
            ),
            Variable(
                "V2",
                "Appareils",
                "Nombre total d'appareils détenus (ascenseurs ou chaudières collectives "
                "selon la déclinaison).",
            ),
        ),
        formula="V1 / V2 (ascenseurs : aussi V1.a / V2, V1.b / V2 et V1.c / V2)",
        kind="ratio",
        target_kind="last_year",
        exclusions=(_DISTRICT_HEATING, "Logements individuels."),
        notes=(
            "Cinq cibles par segment : quatre pour les ascenseurs (ensemble et trois "
            "causes) et une pour les chaudières.",
            "Pour les ascenseurs, la cible V1/V2 est la somme des cibles V1.a/V2, V1.b/V2 "
            "et V1.c/V2 ; la même durée n vaut pour les trois causes (par exemple, avec "
            "n = 3 heures, V1.c compte tout arrêt de plus de 3 heures dû à la malveillance).",
            "La fiche donne « nombre d'arrêts » pour unité, mais la formule divise par le "
            "nombre d'appareils : le résultat est un nombre d'arrêts par appareil et par an.",
            "La valeur de départ peut être estimée ; ensuite, l'organisme suit précisément "
            "chaque panne et sa durée, appareil par appareil.",
            "Cible des arrêts techniques à fixer en regard de H.IV (moins de 8 pannes par "
            "appareil et par an) ; pour l'usage anormal et la malveillance, au vu des années "
            "passées, du territoire et des actions de l'organisme.",
            _H_BOILERS,
            _H_LIFTS,
            _BIENNIAL_REVIEW,
        ),
        cross_check="Carnet d'entretien de chaque appareil (interventions pour panne).",
        keywords=(
            "ascenseurs",
            "ascenseur",
            "pannes d'ascenseur",
            "arrêts d'ascenseur",
            "chaudières collectives",
            "chaudière collective",
            "arrêts de plus de n heures",
        ),
        mandatory=False,
        applies_when=_ENERGY_EQUIPMENT_SCOPE,
    ),
    Indicator(
        code="H.IV",
        aspect=_ASPECT_H,
        engagement=_ENGAGEMENT_H,
        title="Contrats de maintenance limitant les pannes à moins de 8 par an",
        unit="nombre de contrats",
        periodicity=_BIENNIAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=_v1(
            "Contrats avec clause de moins de 8 pannes",
            "Contrats de maintenance par lesquels le prestataire s'engage sur moins de "
            "8 pannes par appareil et par an, usage anormal et malveillance mis à part.",
        ),
        formula="V1",
        kind="count",
        target_kind="at_term",
        exclusions=(
            "Pannes dues à un usage anormal ou à la malveillance (hors engagement).",
            _DISTRICT_HEATING,
        ),
        notes=(
            "La clause s'introduit à la signature ou au renouvellement des contrats, jusqu'à "
            "couvrir tous les appareils du parc.",
            "Les contrats comportant la clause sont comptés à la date de mesure (2, 4 et "
            "6 ans) : la cible à terme est un stock, pas un cumul.",
            "Le préfet apprécie tous les deux ans les démarches engagées auprès des prestataires.",
            _H_BOILERS,
            _H_LIFTS,
        ),
        cross_check=("Pas de vérification possible ; calendrier de renouvellement des contrats."),
        keywords=(
            "contrats de maintenance",
            "contrats d'entretien",
            "moins de 8 pannes",
            "8 pannes",
            "clause de pannes",
            "engagement contractuel",
        ),
        mandatory=False,
        applies_when=_ENERGY_EQUIPMENT_SCOPE,
    ),
    Indicator(
        code="H.V",
        aspect=_ASPECT_H,
        engagement=_ENGAGEMENT_H,
        title="Nombre de logements par gardien",
        unit="nombre de logements par gardien",
        periodicity=_ANNUAL,
        scale=_SEGMENT,
        breakdown=(),
        variables=(
            Variable(
                "V1",
                "Logements collectifs détenus",
                "Logements locatifs collectifs sur lesquels l'organisme a un droit réel.",
            ),
            Variable(
                "V2",
                "Personnels de gardiennage",
                "Effectif affecté au gardiennage ou à la surveillance au sens de l'article "
                "R. 127-2 du CCH (concierges, gardiens, employés d'immeuble, ou prestataire).",
            ),
        ),
        formula="V1 / V2",
        kind="ratio",
        target_kind="at_term",
        exclusions=("Logements individuels (V1 ne compte que les logements collectifs).",),
        notes=(
            "Plus la valeur est basse, plus la présence de gardiens est forte.",
            "L'intitulé de la fiche parle du nombre total de logements, mais V1 ne compte "
            "que les logements locatifs collectifs détenus : le catalogue suit V1.",
            "Obligation de gardiennage (articles L. 127-1 et R. 127-1 du CCH) pour un "
            "bailleur gérant au moins 100 logements dans un immeuble ou groupe d'immeubles "
            "situé en ZUS, dans une commune de plus de 25 000 habitants ou dans une aire "
            "urbaine d'au moins 50 000 habitants : au moins un équivalent temps plein par "
            "tranche de 100 logements, toute l'année (article R. 127-2).",
            "Agents de prévention et de médiation et correspondants de nuit ne viennent "
            "qu'en complément.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Annexe comptable des effectifs (annexe V pour les OPH, annexe IV-1 pour les SA "
            "d'HLM) ; capacité à supporter des coûts de gestion accrus : BOLERO-WEB et "
            "rapports MIILOS."
        ),
        keywords=(
            "logements par gardien",
            "gardiens",
            "gardien",
            "gardiennage",
            "surveillance",
            "concierges",
        ),
    ),
    Indicator(
        code="H.VI",
        aspect=_ASPECT_H,
        engagement=(
            "Garantir aux locataires un service de bonne qualité avec les autres "
            "signataires, surtout lorsque la réponse dépend aussi de partenaires (gestion "
            "urbaine de proximité)."
        ),
        title="Satisfaction sur la propreté des parties communes",
        unit="%",
        periodicity=_BIENNIAL,
        scale=_SEGMENT,
        breakdown=_ZUS,
        variables=(
            Variable(
                "V1",
                "Locataires satisfaits",
                "Locataires ayant répondu à l'enquête et se disant satisfaits de la "
                "propreté des parties communes.",
            ),
            Variable("V2", "Locataires répondants", "Locataires interrogés qui ont répondu."),
        ),
        formula="V1 / V2 × 100",
        kind="ratio_percent",
        target_kind="at_term",
        exclusions=(),
        notes=(
            "Parties communes : parties du bâtiment ou du terrain réservées à l'usage de "
            "tous les occupants ou de plusieurs d'entre eux.",
            "Les organismes HLM se sont engagés en 2003 (congrès de l'USH) à mener tous les "
            "trois ans une enquête de satisfaction, qui aborde la propreté des parties "
            "communes et des abords.",
            "Interroger un échantillon représentatif dans chaque segment, y compris là où "
            "les données manquent au départ.",
            _BIENNIAL_REVIEW_2_4,
        ),
        cross_check=(
            "Dernière enquête de satisfaction de l'organisme (seulement si les services y "
            "ont accès)."
        ),
        keywords=(
            "propreté des parties communes",
            "propreté",
            "parties communes",
            "satisfaction des locataires",
            "enquête de satisfaction",
            "gestion urbaine de proximité",
        ),
    ),
    Indicator(
        code="I.I",
        aspect=_ASPECT_I,
        engagement="Rendre la gestion des logements plus efficiente.",
        title="Coût de fonctionnement par logement géré",
        unit="€ par logement géré",
        periodicity=_ANNUAL,
        scale=_DEPT,
        breakdown=(),
        variables=(
            Variable(
                "V1",
                "Coût de fonctionnement",
                "Charges d'exploitation de l'année, frais de personnel compris, calculées "
                "comme le numérateur du ratio B6 de BOLERO-WEB.",
            ),
            Variable("V2", "Logements gérés", "Logements gérés au sein du parc détenu."),
        ),
        formula="V1 / V2",
        kind="amount_per_unit",
        target_kind="last_year",
        exclusions=(
            "Entretien courant et gros entretien (suivis par C.II), y compris en régie.",
            "Taxe foncière sur les propriétés bâties (TFPB).",
        ),
        notes=(
            "Numérateur du ratio B6 : achats hors accession (602, 6032, 606), services "
            "extérieurs (61, 62) moins l'entretien 6151 et 6152, moins les reprises de coûts "
            "internes (7221), charges récupérables moins charges récupérées (703), impôts "
            "et taxes hors TFPB (63 sauf 63512), personnel et participation (64, 69), "
            "redevances et charges diverses (651, 658), moins la maintenance en régie.",
            "Dénominateur du ratio B6 : logements locatifs terminés (hors foyers et "
            "résidences universitaires), moins ceux gérés par des tiers, plus ceux gérés "
            "pour des tiers.",
            "Pour les SEM, les comptes d'entretien à retirer sont 61521 et 61523.",
            "La fiche fixe l'échelle au département, alors que le préambule évoque une "
            "estimation par segment (puis une comptabilité analytique) : le catalogue "
            "suit la fiche.",
            "Le ratio B17 isole les frais de personnel.",
            _BIENNIAL_REVIEW,
        ),
        cross_check=(
            "Ratios B6 et B17 de BOLERO-WEB (OPH, SA d'HLM) ; évolution passée des coûts, "
            "en particulier de personnel."
        ),
        keywords=(
            "coût de fonctionnement",
            "coûts de fonctionnement",
            "coût de gestion",
            "coûts de gestion",
            "frais de gestion",
            "performance de la gestion",
            "ratio B6",
        ),
    ),
)

CATALOGUE: dict[str, Indicator] = {indicator.code: indicator for indicator in _INDICATORS}
CODES: tuple[str, ...] = tuple(CATALOGUE)
