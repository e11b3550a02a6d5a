"""Drafting help: a structured draft of one section of a convention, written offline.

Asked to draft a section ("proposez une rédaction pour la politique des loyers",
"aide-moi à rédiger cette partie" from a section page), the assistant does not stitch
quotes: it proposes a plan to fill, in three blocks.

- **Cadre** — the convention's own facts when the application gives them
  (``ConventionFacts``: organisme, period, parties), « [à compléter : …] » where not.
- **Contenu attendu** — what the circulaire and the guides say that part must contain,
  taken from the retrieved passages as whole units only: a sentence, a list with its
  lead-in (every item whole), or an enumeration after a colon split at its top-level
  commas. Each point is cited [n] and followed by a placeholder to fill. Indicator
  fiches (label/value tables), fragments (a unit starting in lower case, a list whose
  passage stops mid-item), links and short labels are never offered.
- **Engagements et indicateurs** — the catalogue's indicators of that part, with the
  targets already entered for the convention, or a placeholder.

Dated statements ("avant le 31 décembre 2010", "la période 2011 – 2016", "pour la
première C.U.S.") are not offered as wording: they are listed apart as dated, cited,
with their years, and left out of the suggestion a drafter may propose. A reference to
a law or decree by its date ("décret n° 2009-1486 du 3 décembre 2009") is a citation,
not a dated statement.

The draft is bounded (``MAX_DRAFT_CHARS`` before the sources): whole points are left
out, lowest-scored first, never cut. Plain functions over the evidence the chain has
gathered; no Flask, no index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.assistant.dating import dated_years
from knowledge.assistant.understanding import Understanding, aspect_indicators, terms
from knowledge.indicators.catalogue import CATALOGUE
from knowledge.indicators.display import shown_value

if TYPE_CHECKING:
    from knowledge.assistant.retrieval import Evidence, Ranked, Unit

Cite = Callable[["Ranked | None"], str]

MAX_DRAFT_CHARS = 2500  # a draft before its sources (a normal answer aims at 1,200)
MAX_DRAFT_SOURCES = 6
MAX_POINTS = 7  # units of "Contenu attendu"
MAX_DATED = 3
MAX_ITEM_CHARS = 600  # a longer item is left out whole, never cut
MAX_TARGETS_SHOWN = 6  # per indicator


# --- the convention's facts (given by the application) -------------------------------------


@dataclass(frozen=True)
class Party:
    name: str
    role: str  # "Signataire", "Associé"… as the application labels it
    kind: str = ""  # "EPCI", "Département", "État — DDT(M)"…


@dataclass(frozen=True)
class TargetFact:
    code: str
    year: int
    value: float
    scope: str = ""


@dataclass(frozen=True)
class ConventionFacts:
    """What Cosigne knows of the convention a section belongs to."""

    title: str = ""
    kind: str = ""  # "Convention d'utilité sociale (CUS)"…
    organisme: str = ""
    organisme_kind: str = ""
    start_year: int | None = None
    end_year: int | None = None
    section: str = ""
    parties: tuple[Party, ...] = ()
    targets: tuple[TargetFact, ...] = ()

    @property
    def period(self) -> str:
        if self.start_year and self.end_year:
            return f"{self.start_year}-{self.end_year}"
        return ""


# --- the parts of a CUS --------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A part of a CUS as the circulaire lays it out: the words that name it, the words
    its content is searched by, the catalogue aspects whose indicators it carries."""

    title: str
    names: str
    query: str
    aspects: tuple[str, ...] = ()

    @property
    def name_stems(self) -> frozenset[str]:
        return frozenset(terms(self.names))

    @property
    def topic_stems(self) -> frozenset[str]:
        return frozenset(terms(f"{self.names} {self.query}"))


_ALL_ASPECTS = tuple(dict.fromkeys(i.aspect for i in CATALOGUE.values()))

PARTS: tuple[Part, ...] = (
    Part(
        "Politique des loyers",
        "loyer loyers SLS supplément",
        "fixation des loyers remise en ordre des loyers maximaux supplément de loyer de "
        "solidarité cahier des charges",
    ),
    Part(
        "Politique patrimoniale et d'investissement, plan de mise en vente",
        "patrimoine patrimoniale investissement vente PSP",
        "énoncé de la politique patrimoniale état des lieux du patrimoine stratégie "
        "patrimoniale programme d'actions plan de mise en vente plan stratégique",
        (
            "Développement de l'offre",
            "Dynamique patrimoniale et développement durable",
            "Mise en vente de logements aux occupants",
        ),
    ),
    Part(
        "Classement des immeubles",
        "classement immeubles catégories",
        "classement des immeubles ou ensembles immobiliers critères de service rendu catégories",
    ),
    Part(
        "Cahier des charges de gestion sociale",
        "cahier charges gestion sociale occupation peuplement attributions",
        "cahier des charges de gestion sociale obligations conditions d'occupation et de "
        "peuplement publics défavorisés",
        ("Droit au logement", "Mutations", "Prévention des expulsions"),
    ),
    Part(
        "Qualité du service rendu aux locataires",
        "qualité service rendu locataires",
        "politique de qualité du service rendu aux locataires engagements état des lieux "
        "orientations",
        ("Qualité du service rendu aux locataires",),
    ),
    Part(
        "Engagements, objectifs et indicateurs",
        "engagements objectifs indicateurs",
        "engagements objectifs valeurs cibles des indicateurs évaluation",
        _ALL_ASPECTS,
    ),
    Part(
        "Association des collectivités et concertation",
        "association collectivités concertation",
        "association des collectivités EPCI départements concertation avec les "
        "représentants des locataires",
    ),
    Part(
        "État des lieux",
        "état lieux diagnostic",
        "état des lieux diagnostic du patrimoine et de l'occupation sociale",
    ),
    # The parts of a contract freely negotiated between an office and a collectivité, as
    # the guide on contractualisation lists what the parties define.
    Part(
        "Orientations et objectifs du contrat",
        "orientations objectifs champs domaines contrat contractualisation",
        "orientations objectifs champs contenus de la contractualisation PLH PDH attentes "
        "besoins des deux parties",
    ),
    Part(
        "Contreparties de la collectivité",
        "contreparties leviers subventions foncier garanties",
        "contreparties collectivité leviers subventions investissement accès au foncier "
        "titres participatifs",
    ),
    Part(
        "Gouvernance, suivi et évaluation du contrat",
        "gouvernance suivi évaluation bilan pilotage animation",
        "dispositions de gouvernance et de suivi modalités de gouvernance animation "
        "évaluation bilan de la contractualisation instances élus",
    ),
)
_PART_OF_ASPECT = {a: p for p in PARTS[1:] if p.title != PARTS[5].title for a in p.aspects}


def _aspect_part(aspect: str) -> Part:
    """A catalogue aspect ("Prévention des expulsions") as a part of its own."""
    return Part(
        aspect, aspect, f"{aspect} engagements {' '.join(aspect_indicators(aspect))}", (aspect,)
    )


def find_part(text: str | None) -> Part | None:
    """The part of a CUS a text names ("la partie patrimoine", a section's title)."""
    stems = set(terms(text or ""))
    weight = _specificity()
    best, best_score = None, 0.0
    for part in PARTS:
        names = part.name_stems
        matched = names & stems
        # What the matched words say of this part, then how much of its name they are.
        said = sum(weight[s] for s in matched)
        score = said + 0.1 * said / sum(weight[s] for s in names)
        if matched and score > best_score:
            best, best_score = part, score
    return best


@lru_cache(maxsize=1)
def _specificity() -> dict[str, float]:
    """How much a word names one part rather than several: "locataires" speaks of the
    quality of service and of the concertation alike, "vente" of one part only (so "la
    vente de logements aux locataires" is the patrimonial part, not the service's)."""
    counts: dict[str, int] = {}
    for part in PARTS:
        for stem_ in part.topic_stems:
            counts[stem_] = counts.get(stem_, 0) + 1
    return {stem_: 1.0 / count for stem_, count in counts.items()}


def draft_part(understanding: Understanding, context: str | None = None) -> Part | None:
    """The part a drafting request is about, or None when it is no drafting request or
    names no part: the question first, then the section it is asked from."""
    if understanding.kind != "drafting":
        return None
    if understanding.aspect and _named_aspect(understanding):
        return _aspect_part(understanding.aspect)
    part = find_part(understanding.question)
    if part is not None:
        return part
    if understanding.indicator is not None:
        return _aspect_part(understanding.indicator.aspect)
    if context:
        return find_part(context) or (
            _aspect_part(understanding.aspect) if understanding.aspect else None
        )
    return None


def _named_aspect(understanding: Understanding) -> bool:
    """The aspect was read from the question itself, not from the section's title."""
    aspect = understanding.aspect or ""
    return bool(frozenset(terms(aspect)) & set(understanding.terms))


def search_words(part: Part) -> str:
    """What to search for a part (the question's own words say how it is asked)."""
    return f"{part.title} {part.query}"


# --- units fit for a draft -----------------------------------------------------------------

_NOISE = re.compile(r"https?://|www\.|@|\bPage\s+\d+\s+sur\b|^\d{1,3}\s+[A-ZÀ-Ý]", re.IGNORECASE)
_NORMATIVE = re.compile(
    r"\b(?:doit|doivent|comporte|comportent|comprend|comprennent|définit|fixe|précise|"
    r"prévoit|énonce|mentionne|présente|porte|portent|identifie|contient|peut|peuvent|"
    r"obligatoire|convient)\b",
    re.IGNORECASE,
)
# A sentence opening on a pronoun or a demonstrative speaks of what the one before said.
_ANAPHORA = re.compile(
    r"^(?:Il|Elle|Ils|Elles|Ce|Cet|Cette|Ces|Celui|Celle|Ceux|Celles|Cela|Ceci)\b"
)
_STOPWORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "de",
        "des",
        "du",
        "d",
        "un",
        "une",
        "et",
        "à",
        "au",
        "aux",
        "en",
        "par",
        "pour",
        "sur",
        "dans",
        "qui",
        "que",
        "est",
        "sont",
        "ou",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "ce",
        "cette",
        "ces",
        "il",
        "elle",
    ]
)


def _is_prose(text: str, minimum_words: int = 6) -> bool:
    """A sentence a drafter can read as one: enough words, mostly lower-case words with
    the small words of French (a table row or a label has few), no link or page mark."""
    words = text.split()
    if len(words) < minimum_words or _NOISE.search(text):
        return False
    lower = sum(1 for w in words if w[:1].islower())
    small = sum(1 for w in words if w.lower().strip(",;:.()«»'’") in _STOPWORDS)
    digits = sum(1 for w in words if any(c.isdigit() for c in w))
    needed = 2 if minimum_words >= 6 else 1
    return lower >= 0.5 * len(words) and small >= needed and digits <= 0.25 * len(words)


def _is_item(text: str) -> bool:
    words = text.split()
    return len(words) >= 2 and len(text) <= MAX_ITEM_CHARS and not _NOISE.search(text)


def _top_level_split(text: str) -> list[str]:
    """``text`` split at its commas and semicolons outside parentheses and quotes."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "(«[":
            depth += 1
        elif char in ")»]":
            depth = max(0, depth - 1)
        elif char in ",;" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_INLINE_LIST = re.compile(r"^(?P<lead>[^:]{12,200}?)\s:\s(?P<rest>.+?)\.?$", re.S)


@dataclass
class Point:
    """A piece of what a part must contain: a lead-in with its items, or a sentence."""

    source: Ranked
    unit: Unit
    lead: str
    items: list[str] = field(default_factory=list)
    score: float = 0.0

    def size(self) -> int:
        return len(self.lead) + sum(len(i) + 40 for i in self.items) + 40


@dataclass
class Dated:
    source: Ranked
    years: list[int]
    score: float = 0.0


def _point_of(unit: Unit, source: Ranked) -> Point | None:
    """The unit as a point of the draft, or None when it is no whole prose unit."""
    text = unit.text
    if "\n- " in text:
        lead, *items = text.split("\n- ")
        lead = lead.strip()
        items = [i.strip() for i in items]
        if not lead[:1].isupper() or not lead.endswith(":") or not _is_prose(lead, 4):
            return None
        whole = [i for i in items if _is_item(i)]
        if len(whole) < len(items) or not whole:
            return None  # an item too long to offer: the list is not offered at all
        return Point(source, unit, lead, whole)
    text = text.strip()
    if not text[:1].isupper() or not text.endswith((".", "!", "?", ":")) or not _is_prose(text):
        return None
    if len(text) > MAX_ITEM_CHARS or _ANAPHORA.match(text) or text.count("«") != text.count("»"):
        return None  # too long to offer whole, or a sentence whose subject is elsewhere
    inline = _INLINE_LIST.match(text)
    if inline and _NORMATIVE.search(inline.group("lead")):
        items = _top_level_split(inline.group("rest"))
        if len(items) >= 3 and all(_is_item(i) for i in items):
            return Point(source, unit, inline.group("lead").strip() + " :", items)
    return Point(source, unit, text)


def _passage_ends_whole(source: Ranked) -> bool:
    return source.document.page_content.rstrip().endswith((".", "!", "?", ";", ")", "»", "…"))


def _fit_for_content(source: Ranked) -> bool:
    """Indicator fiches are tables of labels: their content is the catalogue's."""
    return not source.meta.get("indicator")


# --- the plan ------------------------------------------------------------------------------


@dataclass
class Draft:
    part: Part
    facts: ConventionFacts | None
    reference_year: int
    points: list[Point] = field(default_factory=list)
    dated: list[Dated] = field(default_factory=list)
    codes: tuple[str, ...] = ()
    fiches: dict[str, Ranked] = field(default_factory=dict)


def _reference_year(facts: ConventionFacts | None) -> int:
    if facts is not None and facts.start_year:
        return facts.start_year
    return date.today().year


def _overlap(stems: tuple[str, ...], names: frozenset[str], topic: frozenset[str]) -> float:
    """How much a unit speaks of a part: the words naming the part count double."""
    unit = set(stems)
    named, searched = len(unit & names), len((unit & topic) - names)
    if not named and searched < 2:
        return 0.0
    return (2 * named + searched) / (2 * max(1, min(len(names), 3)) + 3)


def plan(evidence: Evidence, part: Part, facts: ConventionFacts | None = None) -> Evidence:
    """Choose the points, dated statements and fiches of a draft; number the sources."""
    reference = _reference_year(facts)
    names = part.name_stems | frozenset(terms(facts.section if facts else ""))
    topic = part.topic_stems | names
    codes = tuple(c for a in part.aspects for c in aspect_indicators(a))
    draft = Draft(part, facts, reference, codes=codes)
    candidates: list[Point] = []
    dated: list[Dated] = []
    for rank_order, source in enumerate(evidence.ranked):
        if not _fit_for_content(source):
            continue
        whole_end = _passage_ends_whole(source)
        units = source.units
        for position, unit in enumerate(units):
            point = _point_of(unit, source)
            if point is None:
                continue
            if position == len(units) - 1 and point.items and not whole_end:
                point.items.pop()  # the passage stops in its last item: leave it out
                if not point.items:
                    continue
            relevance = _overlap(unit.stems, names, topic)
            if relevance == 0:
                continue
            score = relevance + 0.3 * source.relevance - 0.02 * rank_order
            score += 0.25 if _NORMATIVE.search(point.lead) else 0.0
            score += 0.15 if point.items else 0.0
            # A dated lead-in or sentence is flagged whole; a dated item of a list is
            # flagged and left out, its other items kept.
            years = dated_years(point.lead, reference)
            stale = [i for i in point.items if dated_years(i, reference)]
            if stale and not years:
                years = sorted({y for i in stale for y in dated_years(i, reference)})
                point.items = [i for i in point.items if i not in stale]
                dated.append(Dated(source, years, score))
                years = [] if point.items else years
            elif years:
                dated.append(Dated(source, years, score))
            if years:
                continue
            point.score = score
            candidates.append(point)
    candidates.sort(key=lambda p: -p.score)
    seen: set[str] = set()
    for point in candidates:
        key = point.lead[:80]
        if key in seen:
            continue
        seen.add(key)
        draft.points.append(point)
        if len(draft.points) >= MAX_POINTS:
            break
    dated.sort(key=lambda d: -d.score)
    draft.dated = dated[:MAX_DATED]
    for source in evidence.ranked:
        code = source.meta.get("indicator")
        if code in codes and code not in draft.fiches:
            draft.fiches[code] = source
    _bound(draft)
    _number_sources(evidence, draft)
    evidence.draft = draft
    return evidence


def _sized_cite(_source: Ranked | None) -> str:
    return "[9]"  # as long as a citation will be, before the sources are numbered


def _bound(draft: Draft) -> None:
    """Leave out whole points, the lowest scored first, until the draft fits."""
    while draft.points and len(render(draft, _sized_cite)) > MAX_DRAFT_CHARS:
        weakest = min(draft.points, key=lambda p: p.score)
        draft.points.remove(weakest)
    while draft.dated and len(render(draft, _sized_cite)) > MAX_DRAFT_CHARS:
        draft.dated.pop()


def _number_sources(evidence: Evidence, draft: Draft) -> None:
    """Sources in the order the draft cites them; what no point cites is not listed."""
    sources: list[Ranked] = []

    def add(source: Ranked) -> bool:
        if source in sources:
            return True
        if len(sources) >= MAX_DRAFT_SOURCES:
            return False
        sources.append(source)
        return True

    # The passage with the best point first; a passage's points in their order.
    best: dict[int, float] = {}
    for point in draft.points:
        best[id(point.source)] = max(best.get(id(point.source), 0.0), point.score)
    draft.points.sort(key=lambda p: (-best[id(p.source)], p.unit.position))
    draft.points = [p for p in draft.points if add(p.source)]
    # Many indicators are named on one line, with no fiche cited: none is listed.
    cited_fiches = draft.fiches if len(draft.codes) <= 6 else {}
    draft.fiches = {c: s for c, s in cited_fiches.items() if add(s)}
    draft.dated = [d for d in draft.dated if add(d.source)]
    evidence.sources = sources
    evidence.chosen = [(p.source, p.unit) for p in draft.points]


# --- writing the draft ---------------------------------------------------------------------

TO_FILL = "[à compléter : {}]"


def _fill(what: str) -> str:
    return f"« {TO_FILL.format(what)} »"


def _parties_lines(facts: ConventionFacts | None) -> list[str]:
    if facts is None or not facts.parties:
        return [f"- Signataires et collectivités associées : {_fill('parties à la convention')}."]
    by_role: dict[str, list[str]] = {}
    for party in facts.parties:
        label = f"{party.name} ({party.kind})" if party.kind else party.name
        by_role.setdefault(party.role, []).append(label)
    return [f"- {role} : {', '.join(names)}." for role, names in by_role.items()]


def _frame_lines(draft: Draft) -> list[str]:
    facts = draft.facts
    organisme = facts.organisme if facts and facts.organisme else ""
    kind = f", {facts.organisme_kind}" if facts and facts.organisme_kind else ""
    period = facts.period if facts else ""
    lines = [
        f"- Organisme : {organisme + kind if organisme else _fill('nom de l’organisme')}.",
        f"- Période de la convention : {period or _fill('années de début et de fin')}.",
        *_parties_lines(facts),
    ]
    return lines


def _targets_of(draft: Draft, code: str) -> str:
    facts = draft.facts
    rows = [t for t in (facts.targets if facts else ()) if t.code == code]
    if not rows:
        period = f" {draft.facts.period}" if draft.facts and draft.facts.period else ""
        return _fill(f"valeurs-cibles{period}")
    indicator = CATALOGUE[code]
    rows.sort(key=lambda t: (t.year, t.scope))
    scopes = {t.scope for t in rows}
    shown = []
    for target in rows[:MAX_TARGETS_SHOWN]:
        where = f" ({target.scope})" if len(scopes) > 1 and target.scope else ""
        shown.append(f"{target.year}{where} : {shown_value(indicator, target.value)}")
    more = " ; …" if len(rows) > MAX_TARGETS_SHOWN else ""
    return "cibles saisies dans Cosigne — " + " ; ".join(shown) + more


def _indicator_lines(draft: Draft, cite: Cite) -> list[str]:
    lines = []
    codes = draft.codes
    facts = draft.facts
    entered = {t.code for t in facts.targets} if facts else set()
    if len(codes) > 6:  # many indicators: those filled in full, the others named
        filled = [c for c in codes if c in entered]
        for code in filled:
            lines.append(f"- {code} — {CATALOGUE[code].title} : {_targets_of(draft, code)}.")
        left = [c for c in codes if c not in entered]
        if left:
            period = f" {facts.period}" if facts and facts.period else ""
            lines.append(
                f"- Indicateurs à renseigner ({', '.join(left)}) : "
                + _fill(f"valeurs-cibles{period}")
                + "."
            )
        return lines
    for code in codes:
        indicator = CATALOGUE[code]
        fiche = draft.fiches.get(code)
        mark = f" {cite(fiche)}".rstrip() if fiche is not None else ""
        lines.append(
            f"- {code} — {indicator.title} ({indicator.unit}){mark} : {_targets_of(draft, code)}."
        )
    return lines


def _dated_line(dated: Dated, cite: Cite) -> str:
    source = dated.source
    where = source.meta.get("locator") or source.meta.get("title") or "ce passage"
    if dated.years == [0]:
        what = "parle de la première génération de CUS"
    else:
        what = "date de " + ", ".join(str(y) for y in dated.years)
    return (
        f"- {cite(source)} (« {where} ») {what} : règle à vérifier dans les textes en "
        f"vigueur, non reprise dans la proposition."
    )


def section_title(draft: Draft) -> str:
    return draft.facts.section if draft.facts and draft.facts.section else draft.part.title


def facts_text(draft: Draft, cite: Cite) -> str:
    """The convention's facts and the part's indicators, as the plan gives them."""
    lines = _frame_lines(draft)
    if draft.codes:
        lines += _indicator_lines(draft, cite)
    return "\n".join(lines)


def dated_text(draft: Draft, cite: Cite) -> str:
    return "\n".join(_dated_line(d, cite) for d in draft.dated)


def render(draft: Draft, cite: Cite, suggestion: bool = False, dated: bool = True) -> str:
    """The draft as text: ``cite(source)`` gives "[n]"; a suggestion (what a drafter
    may propose) has Markdown headings, no citations and no dated statements."""
    citing: Cite = (lambda _s: "") if suggestion else cite
    facts = draft.facts
    who = f" de {facts.organisme}" if facts and facts.organisme else ""
    period = f" ({facts.period})" if facts and facts.period else ""
    blocks: list[str] = []

    def heading(title: str) -> str:
        return f"## {title}" if suggestion else f"{title} :"

    if not suggestion:
        blocks.append(
            f"Proposition de plan pour la section « {section_title(draft)} » de la convention"
            f"{who}{period}, d'après les textes cités ; les « [à compléter : ...] » sont à remplir."
        )
    blocks.append("\n".join([heading("Cadre de la convention"), *_frame_lines(draft)]))
    content = [heading("Ce que la section doit contenir")]
    # Sentences first, then lists: a sentence after a list would read as its last item.
    for point in sorted(draft.points, key=lambda p: bool(p.items)):
        mark = citing(point.source)
        mark = f" {mark}" if mark else ""
        if point.items:
            content.append(f"\n{point.lead}{mark}" if len(content) > 1 else f"{point.lead}{mark}")
            content.extend(
                f"- {item.rstrip(' ;,.')} : {_fill('ce que prévoit l’organisme')}"
                for item in point.items
            )
        else:
            content.append(f"- {point.lead}{mark} {_fill('ce que prévoit l’organisme')}")
    if not draft.points:
        content.append(
            f"- {_fill('contenu de la section, que les textes retrouvés ne détaillent pas')}"
        )
    blocks.append("\n".join(content))
    if draft.codes:
        blocks.append(
            "\n".join([heading("Engagements et indicateurs"), *_indicator_lines(draft, citing)])
        )
    if draft.dated and dated and not suggestion:
        blocks.append("Énoncés datés, à ne pas reprendre tels quels :\n" + dated_text(draft, cite))
    return "\n\n".join(blocks)


def citer(evidence: Evidence) -> Cite:
    """ "[n]" for a source of the evidence, "" for any other."""

    def cite(source: Ranked | None) -> str:
        if source is None or source not in evidence.sources:
            return ""
        return f"[{evidence.number_of(source)}]"

    return cite


def compose_draft(evidence: Evidence) -> str:
    """The extractive draft, cited."""
    assert evidence.draft is not None
    return render(evidence.draft, citer(evidence))


def draft_suggestion(evidence: Evidence, answer: str, mode: str = "extractive") -> str | None:
    """What a drafter may propose as a contribution: the plan in Markdown without its
    citations or dated statements; a model's prose with its citations taken out."""
    from knowledge.assistant.extractive import CITATION  # noqa: PLC0415 - extractive imports us

    if evidence.draft is None:
        return None
    if mode == "llm":
        text = CITATION.sub("", answer).strip()
        return re.sub(r"\n{3,}", "\n\n", text) or None
    return render(evidence.draft, citer(evidence), suggestion=True)
