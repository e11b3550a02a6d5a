"""The extractive answer, written with no model: the indicator's catalogue entry, the
calculator's result for the numbers of the question, and the sentences of the best
passages that answer it, each followed by its citation [n]. Also the answer object every
mode returns: ``{"answer", "found", "mode", "indicator", "calculation", "sources"}``."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from knowledge.assistant.drafting import compose_draft, draft_suggestion
from knowledge.assistant.retrieval import Calculation, CalculationYear, Evidence
from knowledge.assistant.understanding import Understanding, aspect_indicators
from knowledge.indicators.calculator import CalculationError, compute, compute_year
from knowledge.indicators.catalogue import CATALOGUE, Indicator
from knowledge.indicators.display import (
    KIND_FORMULA,
    TARGET_WORDS,
    format_number,
    indicator_json,
)

NOT_FOUND = "Je n'ai pas trouvé de réponse dans la base documentaire."
MAX_UNIT_CHARS = 700
# A citation as written in an answer: "[2]", "[1, 3]", "[2; 4]".
CITATION = re.compile(r"\s?\[(\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*)\]")


def shorten(text: str, limit: int = MAX_UNIT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


# --- calculation ---------------------------------------------------------------------------


def calculate(understanding: Understanding) -> tuple[Calculation | None, str | None]:
    """The calculator's result for the numbers of the question, or why there is none."""
    indicator = understanding.indicator
    if indicator is None or understanding.kind != "calculation":
        return None, None
    groups = {year: names for year, names in understanding.variables.items() if names}
    try:
        if list(groups) == [None]:
            result = compute_year(indicator, groups[None])
            years: list[CalculationYear] = [
                {"year": None, "value": result.value, "working": result.working}
            ]
            value, working, warnings = result.value, result.working, []
        else:
            # compute() also reads years as written ("2025"), and a Mapping's key type
            # must be the very one it declares.
            dated: dict[int | str, dict[str, float]] = {
                year or 0: names for year, names in groups.items()
            }
            computed = compute(indicator, dated)
            years = [
                {"year": y.year, "value": y.value, "working": f"{y.year} : {y.working}"}
                for y in computed.years
            ]
            working = " ; ".join(y["working"] for y in years)
            if len(years) > 1 and computed.aggregate is not None:
                value = computed.aggregate
                working += f". {computed.aggregate_working}"
            else:
                value = years[-1]["value"]
            warnings = list(computed.warnings)
    except CalculationError as error:
        return None, str(error)
    return {
        "indicator": indicator.code,
        "value": value,
        "unit": indicator.unit,
        "working": working,
        "variables": {(str(year) if year else "valeurs"): names for year, names in groups.items()},
        "years": years,
        "warnings": warnings,
    }, None


# --- writing the extractive answer ---------------------------------------------------------


def _variables_text(indicator: Indicator) -> list[str]:
    lines = []
    for v in indicator.variables:
        optional = " (facultatif)" if v.optional else ""
        lines.append(f"- {v.name} — {v.label}{optional} : {v.definition}")
    return lines


def _bare(sentence: str) -> str:
    return sentence.rstrip(" .")


def _facet_lines(indicator: Indicator, facets: tuple[str, ...]) -> list[str]:
    code = indicator.code
    lines = []
    for facet in facets:
        if facet == "periodicity":
            lines.append(f"Périodicité de la mesure de {code} : {indicator.periodicity}.")
        elif facet == "scale":
            lines.append(f"Échelle de l'indicateur {code} : {indicator.scale}.")
        elif facet == "unit":
            lines.append(f"Unité de l'indicateur {code} : {indicator.unit}.")
        elif facet == "target":
            lines.append(f"Cible de {code} sur six ans : {TARGET_WORDS[indicator.target_kind]}.")
        elif facet == "exclusions":
            if indicator.exclusions:
                lines.append(
                    f"Exclusions de {code} : "
                    + " ; ".join(_bare(e) for e in indicator.exclusions)
                    + "."
                )
            else:
                lines.append(f"La fiche de {code} ne précise pas d'exclusion.")
        elif facet == "breakdown":
            if indicator.breakdown:
                lines.append(f"Déclinaison de {code} : " + " ; ".join(indicator.breakdown) + ".")
            else:
                lines.append(f"L'indicateur {code} n'a pas de déclinaison.")
        elif facet == "cross_check" and indicator.cross_check:
            lines.append(f"Pour vérifier les valeurs de {code} : {indicator.cross_check}")
    return lines


def indicator_card(indicator: Indicator, detail: bool = True) -> list[str]:
    """The catalogue entry in French sentences (the catalogue is not a passage: no [n])."""
    lines = [
        f"Indicateur {indicator.code} — {indicator.title} ({indicator.aspect}).",
        f"Engagement : {indicator.engagement}",
        f"Formule : {indicator.formula} ({KIND_FORMULA[indicator.kind]}), avec :",
        *_variables_text(indicator),
        f"Unité : {indicator.unit} ; périodicité : {indicator.periodicity} ; échelle : "
        f"{indicator.scale} ; objectif sur six ans : {TARGET_WORDS[indicator.target_kind]}.",
    ]
    if indicator.breakdown:
        lines.append("Déclinaison : " + " ; ".join(indicator.breakdown) + ".")
    if not indicator.mandatory and indicator.applies_when:
        lines.append(f"S'applique : {indicator.applies_when}")
    if indicator.exclusions:
        lines.append("Exclusions :")
        lines.extend(f"- {e}" for e in indicator.exclusions)
    if detail and indicator.notes:
        lines.append("À noter : " + " ".join(indicator.notes[:2]))
    return lines


def calculation_lines(evidence: Evidence) -> list[str]:
    indicator = evidence.indicator
    assert indicator is not None
    if evidence.calculation_error:
        return [f"Calcul impossible : {evidence.calculation_error}"]
    calc = evidence.calculation
    if not calc:
        return []
    given = []
    for names in calc["variables"].values():
        for name, value in names.items():
            variable = indicator.variable(name)
            label = f" ({variable.label})" if variable else ""
            given.append(f"{name} = {format_number(value, 6)}{label}")
    lines = [
        f"Calcul de {indicator.code} avec les valeurs de la question : " + ", ".join(given) + ".",
        f"{calc['working']}.".replace("..", "."),
    ]
    lines += [f"Attention : {w}" for w in calc["warnings"]]
    return lines


def _quotes(evidence: Evidence) -> list[str]:
    paragraphs: list[str] = []
    for item, unit in evidence.chosen:
        text = shorten(unit.text)
        if not text.endswith((".", "!", "?", "…", ":")):
            text += "."
        paragraphs.append(f"{text} [{evidence.number_of(item)}]")
    return paragraphs


def compose_extractive(evidence: Evidence) -> str:
    """The answer written from the catalogue, the calculator and quoted sentences."""
    if not evidence.found:
        return NOT_FOUND
    if evidence.draft is not None:
        return compose_draft(evidence)
    understanding = evidence.understanding
    indicator = evidence.indicator
    quotes = _quotes(evidence)
    parts: list[str] = []
    if indicator is not None:
        fiche = next(
            (s for s in evidence.sources if s.meta.get("indicator") == indicator.code), None
        )
        cite = f" [{evidence.number_of(fiche)}]" if fiche else ""
        mention = understanding.indicators[0]
        facets = _facet_lines(indicator, understanding.facets)
        card = indicator_card(indicator, detail=understanding.kind != "calculation")
        calculation = calculation_lines(evidence)
        by_name = mention.how == "code" or understanding.kind in ("calculation", "how_to_calculate")
        if facets:
            parts.append("\n".join(f"{line}{cite}" for line in facets))
        if calculation:
            parts.append("\n".join(calculation))
        if by_name or facets:
            parts.append(
                "\n".join(card) + (f"\nFiche de l'indicateur : {cite.strip()}" if cite else "")
            )
            if quotes:
                parts.append("Dans les textes :\n" + "\n".join(quotes))
        else:
            if quotes:
                parts.append("\n".join(quotes))
            parts.append(
                "Indicateur lié :\n"
                + "\n".join(card)
                + (f"\nFiche : {cite.strip()}" if cite else "")
            )
    elif understanding.aspect and (
        understanding.kind == "drafting"
        or re.search(r"\bindicateurs\b", understanding.question, re.I)
    ):
        codes = aspect_indicators(understanding.aspect)
        first = CATALOGUE[codes[0]]
        lead = (
            f"Pour rédiger la partie « {understanding.aspect} »"
            if understanding.kind == "drafting"
            else f"Pour la partie « {understanding.aspect} » de la CUS"
        )
        lines = [
            f"{lead}, l'organisme s'engage à : {first.engagement[0].lower()}{first.engagement[1:]}",
            "Indicateurs à renseigner, avec leurs valeurs-cibles :",
            *[f"- {c} — {CATALOGUE[c].title} ({CATALOGUE[c].unit})" for c in codes],
        ]
        parts.append("\n".join(lines))
        if quotes:
            parts.append("Dans les textes :\n" + "\n".join(quotes))
    else:
        parts.extend(quotes)
    return "\n\n".join(p for p in parts if p).strip() or NOT_FOUND


# --- the object returned -------------------------------------------------------------------


def _plain_excerpt(excerpt: str) -> str:
    return unescape(re.sub(r"</?mark[^>]*>", "", excerpt or ""))


def sources_json(evidence: Evidence) -> list[dict[str, Any]]:
    quoted = {id(item): unit.text for item, unit in evidence.chosen}
    out = []
    for number, item in enumerate(evidence.sources, 1):
        meta = item.meta
        out.append(
            {
                "n": number,
                "document_id": meta.get("document_id"),
                "passage_id": meta.get("passage_id"),
                "title": meta.get("title"),
                "kind": meta.get("kind"),
                "status": meta.get("status"),
                "locator": meta.get("locator"),
                "indicator": meta.get("indicator"),
                "excerpt": _plain_excerpt(meta.get("excerpt", "")),
                "quote": quoted.get(id(item), ""),
                "text": item.document.page_content,
                "score": round(item.relevance, 3),
                "search_score": round(meta.get("score") or 0.0, 3),
            }
        )
    return out


def result(evidence: Evidence, answer: str, mode: str) -> dict[str, Any]:
    found = evidence.found and answer != NOT_FOUND
    return {
        "answer": answer,
        "found": found,
        "mode": mode,
        "question_type": evidence.understanding.kind,
        "indicator": indicator_json(evidence.indicator) if found and evidence.indicator else None,
        "calculation": evidence.calculation if found else None,
        "sources": sources_json(evidence) if found else [],
        "suggestion": (
            (
                draft_suggestion(evidence, answer, mode)
                if evidence.draft
                else suggested_wording(answer)
            )
            if found
            else None
        ),
    }


# Lines of an answer that point to its sources and say nothing by themselves.
_POINTER_LINE = re.compile(
    r"(?:fiche(?: de l'indicateur)?|dans les textes|indicateur lié|sources?)\s*:?", re.I
)
_QUOTES_HEADER = re.compile(r"dans les textes\s*:?", re.I)
_DRAFTING_LEAD = re.compile(r"^Pour rédiger la partie « [^»]+ », l'organisme", re.M)
_DRAFTING_LIST = "Indicateurs à renseigner, avec leurs valeurs-cibles :"
_CONVENTION_LIST = (
    "Ces engagements sont suivis par les indicateurs suivants, dont les valeurs-cibles "
    "figurent au tableau des engagements :\n"
)


def suggested_wording(answer: str) -> str | None:
    """The answer as text a drafter may propose for a section: citations, and the lines
    that only point to sources, taken out; a drafting answer in the convention's own
    voice, without the quoted texts it rests on (those are for the drafter to read, not
    to sign). The drafter edits it before it becomes a contribution."""
    if not answer or answer == NOT_FOUND:
        return None
    drafting = bool(_DRAFTING_LEAD.search(answer))
    text = _DRAFTING_LEAD.sub("L'organisme", answer).replace(_DRAFTING_LIST, _CONVENTION_LIST)
    lines: list[str] = []
    for line in text.splitlines():
        bare = CITATION.sub("", line).rstrip()
        if drafting and _QUOTES_HEADER.fullmatch(bare.strip()):
            break
        if _POINTER_LINE.fullmatch(bare.strip()):
            continue
        lines.append(bare)
    wording = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return wording or None
