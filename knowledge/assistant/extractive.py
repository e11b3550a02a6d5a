"""The extractive answer, written with no model: the indicator's catalogue entry, the
calculator's result for the numbers of the question, and the sentences of the best
passages that answer it, each followed by its citation [n]. Also the answer object every
mode returns: ``{"answer", "found", "mode", "indicator", "calculation", "sources"}``."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from knowledge.assistant.dating import dated_year
from knowledge.assistant.drafting import compose_draft, draft_suggestion
from knowledge.assistant.retrieval import Calculation, CalculationYear, Evidence, Ranked, Unit
from knowledge.assistant.understanding import Understanding, aspect_indicators
from knowledge.indicators.calculator import CalculationError, compute, evaluate_year
from knowledge.indicators.catalogue import CATALOGUE, Indicator
from knowledge.indicators.display import (
    KIND_FORMULA,
    TARGET_WORDS,
    format_number,
    indicator_json,
    shown_value,
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
            result, cautions = evaluate_year(indicator, groups[None])
            years: list[CalculationYear] = [
                {"year": None, "value": result.value, "working": result.working}
            ]
            value, working, warnings = result.value, result.working, list(cautions)
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
    if evidence.understanding.spread:
        first, last = evidence.understanding.spread
        lines.append(
            f"La quantité annuelle est comptée pour chaque année de {first} à {last} "
            f"({last - first + 1} ans), la cible de {indicator.code} étant un cumul."
        )
    lines += [f"Attention : {w}" for w in calc["warnings"]]
    return lines


# How long an answer may be before its sources: a reader takes it in at a glance.
MAX_ANSWER_CHARS = 1200
# A statement dated this many years back or more is offered as what a text said then.
_KIND_WORDS = {"circulaire": "La circulaire", "guide": "Le guide", "fiche": "La fiche"}


def _quote(evidence: Evidence, item: Ranked, unit: Unit, limit: int = MAX_UNIT_CHARS) -> str:
    text = shorten(unit.text, limit)
    if not text.endswith((".", "!", "?", "…", ":")):
        text += "."
    year = dated_year(unit.text)
    if year is not None:
        # A dated statement is given as what a text said then, never as current wording.
        who = _KIND_WORDS.get(str(item.meta.get("kind") or ""), "Le texte")
        text = f"{who} (énoncé daté de {year}) indiquait : « {text.rstrip(':')} »"
    return f"{text} [{evidence.number_of(item)}]"


def _quotes(evidence: Evidence, limit: int = MAX_UNIT_CHARS) -> list[str]:
    return [_quote(evidence, item, unit, limit) for item, unit in evidence.chosen]


def _fiche_cite(evidence: Evidence, indicator: Indicator) -> str:
    fiche = next((s for s in evidence.sources if s.meta.get("indicator") == indicator.code), None)
    return f" [{evidence.number_of(fiche)}]" if fiche else ""


def _short(text: str, limit: int) -> str:
    return shorten(_bare(text), limit)


def _sentence(text: str, limit: int = MAX_UNIT_CHARS) -> str:
    """``text`` cut to ``limit`` at a word, ending as a sentence ends ("." or "…")."""
    cut = _short(text, limit)
    return cut if cut.endswith("…") else cut + "."


def indicator_line(indicator: Indicator, cite: str) -> str:
    """The indicator in one line: what an answer that is not about it says of it."""
    return (
        f"Indicateur {indicator.code} — {indicator.title} ({indicator.unit}, "
        f"{indicator.periodicity}).{cite}"
    )


def compact_card(indicator: Indicator, cite: str, exclusions: bool = True) -> list[str]:
    """How the indicator is calculated, in a few lines: the formula with its variables,
    then unit, periodicity, scale and six-year target; the exclusions when they matter."""
    lines = [
        f"Indicateur {indicator.code} — {indicator.title} ({indicator.aspect}).{cite}",
        f"Formule : {indicator.formula} ({KIND_FORMULA[indicator.kind]}), avec :",
    ]
    for v in indicator.variables:
        optional = " (facultatif)" if v.optional else ""
        lines.append(f"- {v.name} — {v.label}{optional} : {_sentence(v.definition, 150)}")
    lines.append(
        f"Unité : {indicator.unit} ; périodicité : {indicator.periodicity} ; échelle : "
        f"{indicator.scale} ; objectif sur six ans : {TARGET_WORDS[indicator.target_kind]}."
    )
    if not indicator.mandatory and indicator.applies_when:
        lines.append(f"S'applique : {_sentence(indicator.applies_when, 160)}")
    if exclusions and indicator.exclusions:
        lines.append(
            "Exclusions : "
            + _sentence(" ; ".join(_short(e, 110) for e in indicator.exclusions[:3]))
        )
    return lines


def _result_line(evidence: Evidence) -> str | None:
    """The calculation's result, said first: that is what was asked."""
    indicator, calc = evidence.indicator, evidence.calculation
    if indicator is None or not calc:
        return None
    shown = shown_value(indicator, calc["value"])
    if _impossible(indicator, calc["value"]):
        # Never a plain result: the figures given cannot be right as they stand.
        return (
            f"Valeur de {indicator.code} hors des valeurs possibles ({shown}) : "
            "vérifiez les chiffres donnés."
        )
    if calc["warnings"]:
        return f"Valeur de {indicator.code} : {shown}, à vérifier (voir ci-dessous)."
    return f"Valeur de {indicator.code} : {shown}."


def _impossible(indicator: Indicator, value: float) -> bool:
    """A value the indicator cannot take: a share above 100 % or below 0, a negative
    count or ratio."""
    if value < 0:
        return True
    return indicator.kind == "ratio_percent" and value > 100


# A passage not quoted is pointed to when it covers the question nearly as well as the
# best one: the reader sees where else the texts speak of it (another guide, the fiche).
SEE_ALSO_SHARE = 0.75
SEE_ALSO_MAX = 2


def _see_also(evidence: Evidence, parts: list[tuple[int, str]]) -> str:
    """« Voir aussi » with the sources no part cites whose relevance is close to the
    best's, each by its place in its document; "" when there are none."""
    said = " ".join(text for _rank, text in parts)
    cited = {int(n) for m in CITATION.finditer(said) for n in re.findall(r"\d+", m.group(1))}
    top = max((item.relevance for item, _u in evidence.chosen), default=0.0)

    def place(item: Ranked) -> str:
        return _bare(str(item.meta.get("locator") or item.meta.get("title") or ""))

    quoted = {place(s) for n, s in enumerate(evidence.sources, 1) if n in cited}
    places: dict[str, list[int]] = {}  # two passages of one part are named once
    for number, item in enumerate(evidence.sources, 1):
        if number in cited or item.relevance < SEE_ALSO_SHARE * top:
            continue
        if sum(map(len, places.values())) < SEE_ALSO_MAX:
            places.setdefault(place(item), []).append(number)
    others = []
    for where, numbers in places.items():
        refs = f"[{', '.join(map(str, numbers))}]"
        # Another passage of a part already quoted is its continuation.
        more = ", plus loin" if where in quoted else ""
        others.append(f"« {_short(where, 80)} »{more} {refs}" if where else refs)
    if not others:
        return ""
    return "Voir aussi : " + " ; ".join(others) + "."


def _fit(parts: list[tuple[int, str]], limit: int = MAX_ANSWER_CHARS) -> str:
    """The parts in their order, the least needed (highest rank) dropped first until the
    answer fits ``limit``; rank 0 is the answer itself and always stays."""
    kept = [p for p in parts if p[1]]
    while len("\n\n".join(text for _r, text in kept)) > limit:
        droppable = [p for p in kept if p[0] > 0]
        if not droppable:
            break
        kept.remove(max(droppable, key=lambda p: (p[0], kept.index(p))))
    return "\n\n".join(text for _r, text in kept).strip()


def compose_extractive(evidence: Evidence) -> str:
    """The answer written from the catalogue, the calculator and quoted sentences: the
    answer first, what backs it after, no more than ``MAX_ANSWER_CHARS``."""
    if not evidence.found:
        return NOT_FOUND
    if evidence.draft is not None:
        return compose_draft(evidence)
    understanding = evidence.understanding
    indicator = evidence.indicator
    quotes = _quotes(evidence)
    parts: list[tuple[int, str]] = []  # (rank: 0 kept, higher dropped first, text)
    if indicator is not None:
        cite = _fiche_cite(evidence, indicator)
        mention = understanding.indicators[0]
        facets = _facet_lines(indicator, understanding.facets)
        calculation = calculation_lines(evidence)
        kind = understanding.kind
        if calculation:
            result_line = _result_line(evidence)
            parts.append((0, "\n".join(([result_line] if result_line else []) + calculation)))
            parts.append((1, indicator_line(indicator, cite)))
            quotes = []  # the fiche's lines add nothing to a worked calculation
        elif facets:
            parts.append((0, "\n".join(f"{line}{cite}" for line in facets)))
            parts.append((1, indicator_line(indicator, cite)))
        elif mention.how == "code" or kind == "how_to_calculate":
            exclusions = kind == "how_to_calculate"
            parts.append((0, "\n".join(compact_card(indicator, cite, exclusions))))
        else:
            # The indicator was found by the question's words: the texts answer, the
            # indicator they speak of follows in one line.
            parts.extend((0 if i == 0 else 2 + i, q) for i, q in enumerate(quotes))
            parts.append((1, "Indicateur lié : " + indicator_line(indicator, cite)))
            quotes = []
        if quotes:
            parts.extend((3 + i, q) for i, q in enumerate(quotes))
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
        parts.append((0, "\n".join(lines)))
        if quotes:
            parts.append((2, "Dans les textes :\n" + "\n".join(quotes)))
    else:
        parts.extend((0 if i == 0 else 1 + i, q) for i, q in enumerate(quotes))
    if evidence.chosen and not evidence.calculation:
        parts.append((20, _see_also(evidence, parts)))
    return cite_only_cited(evidence, _fit(parts) or NOT_FOUND)


def cite_only_cited(evidence: Evidence, answer: str) -> str:
    """Keep only the sources the answer cites, numbered 1, 2… in the order it cites
    them, the answer's citations renumbered to match: a source no sentence cites points to
    nothing, and a gap in the numbers looks like a lost source."""

    def numbers(match: re.Match[str]) -> list[int]:
        return [int(n) for n in re.findall(r"\d+", match.group(1))]

    # In the order the answer first cites them: the reader meets [1] first.
    cited = list(dict.fromkeys(n for m in CITATION.finditer(answer) for n in numbers(m)))
    cited = [n for n in cited if 1 <= n <= len(evidence.sources)]
    if cited == list(range(1, len(evidence.sources) + 1)):
        return answer
    new = {old: position for position, old in enumerate(cited, 1)}

    def renumber(match: re.Match[str]) -> str:
        kept = [str(new[n]) for n in numbers(match) if n in new]
        return f" [{', '.join(kept)}]" if kept else ""

    answer = CITATION.sub(renumber, answer)
    evidence.sources = [evidence.sources[n - 1] for n in cited]
    evidence.chosen = [(i, u) for i, u in evidence.chosen if i in evidence.sources]
    return answer


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
