"""Understanding a drafter's question: indicator, numbers and their roles, question type.

Pure functions over plain values (no Flask, no index): the assistant reads the
question with them before it retrieves anything.

- Indicators are recognised by their codes in any spelling (``find_in_text``), and by
  the catalogue's keywords and titles ("taux de vacance" is F.VI, "mutations internes"
  E.I), a title whose words are all there outranking a shorter keyword of another.
- Numbers are read in French notation ("3 600 000", "3,6 millions", "45 %", "1 500 €");
  years, durations ("3 mois", "30 jours"), percentages and article numbers ("L. 445-1")
  are told apart from the values of the indicator's variables; digits glued to letters
  ("1er", "G3", "F.6") are not numbers at all.
- Each value is given the variable (V1, V2…) whose label and definition share most
  words with the words around the number; when the words say nothing, the values are
  taken in the order V1, V2 — how a question naturally gives them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from knowledge.assistant.numbers import cells_apart, words_to_digits, yearly_range
from knowledge.indicators.catalogue import CATALOGUE, CODES, Indicator
from knowledge.indicators.codes import find_in_text
from knowledge.search.analyser import STOP_WORDS, fold, is_stop, stem, tokens
from knowledge.search.glossary import GLOSSARY

# --- words ---------------------------------------------------------------------------------

# Words of a question that say how it is asked, not what it is about.
FILLERS = frozenset(
    """
    aide aider aidez aide-moi aidez-moi moi svp stp merci bonjour expliquer explique
    explique-moi expliquez dire dis savoir voudrais voudrions veux souhaite souhaitons
    doit doivent dois devons devez faire peut-on peux pouvez pouvons possible possibles
    selon agit exemple exemples question questions concerne concernant quelqu chose
    avons entrent rentrent exactement precisement redige rediger redigez redaction
    ecrire formuler proposer propose proposez proposes paragraphe partie section sections
    redigez redige-moi ecris ecrivez donne donnez donne-moi indique indiquez liste listez
    koi kwa kel kelle ke pk pkoi pq cb cmb bcp qd ds pr avc tjrs tt c cest stp svp
    propos sujet matiere
    """.split()  # noqa: SIM905 - a word list reads best as words
)

# The abbreviations of a typed message, spelled out before the question is read, so that
# the question's kind ("pk" asks why) and its phrases ("cmb de temps") are read as
# written in full. Whole words only, whatever their case.
SPELLED_OUT = {
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pkoi": "pourquoi",
    "koi": "quoi",
    "kwa": "quoi",
    "kel": "quel",
    "kelle": "quelle",
    "ke": "que",
    "cmb": "combien",
    "cb": "combien",
    "qd": "quand",
    "ds": "dans",
    "pr": "pour",
    "avc": "avec",
    "tjrs": "toujours",
    "bcp": "beaucoup",
    "tt": "tout",
    "c": "c'est",
    "cest": "c'est",
    "ya": "il y a",
    "jsp": "je ne sais pas",
    "qqch": "quelque chose",
    "qqn": "quelqu'un",
    "svt": "souvent",
}
_SPELLED_OUT_RE = re.compile(
    r"(?<![\w'’.-])(" + "|".join(sorted(SPELLED_OUT, key=len, reverse=True)) + r")(?=\s|$|[?!,;:])",
    re.IGNORECASE,
)
# How a question asks for a duration, said as the texts say it: they write "pour une
# durée de six ans", never "combien de temps".
_HOW_LONG_RE = re.compile(
    r"\b(?:(?:dure|durent|durera|duree|durée)\s+)?(?:pendant\s+|en\s+|depuis\s+)?"
    r"combien\s+de\s+temps\b(?:\s+(?:dure|durent|durera)\b)?",
    re.IGNORECASE,
)


# How often, asked as spoken ("tous les combien d'années"): the texts say "fréquence".
_HOW_OFTEN_RE = re.compile(
    r"\btou(?:s|tes)\s+les\s+combien(?:\s+d['’]\s*(?:ann[ée]es|ans)"
    r"|\s+de\s+(?:temps|mois|jours|semaines))?",
    re.IGNORECASE,
)


def spelled_out(text: str) -> str:
    """A typed question as if written in full: abbreviations spelled out ("pk" is
    "pourquoi"), "combien de temps" asked as "quelle durée", "tous les combien" as "à
    quelle fréquence"."""
    text = _SPELLED_OUT_RE.sub(lambda m: SPELLED_OUT[m.group(1).lower()], text)
    text = _HOW_OFTEN_RE.sub("à quelle fréquence", text)
    return _HOW_LONG_RE.sub("quelle durée", text)


_FOLDED_STOPS = frozenset(fold(w) for w in STOP_WORDS)
_DOTTED_ACRONYM = re.compile(r"^(?:[a-z]\.){2,}[a-z]?$")


@lru_cache(maxsize=1)
def _expansions() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One pattern for every glossary expansion (folded; plurals too: "offices publics
    de l'habitat" are OPH), longest first, with the acronym of each alternative, so that
    a passage spelling out "convention d'utilité sociale" and a question saying "CUS"
    meet. One pattern rather than one per acronym: a text is read once."""
    pairs = []
    for acronym, expansion in GLOSSARY.items():
        words = [re.escape(w) + "[sx]?" for w in re.split(r"[\s'’]+", fold(expansion)) if w]
        pairs.append((r"[\s'’]+".join(words), f" {acronym.lower()} "))
    pairs.sort(key=lambda pair: -len(pair[0]))
    pattern = re.compile(r"\b(?:" + "|".join(f"({p})" for p, _a in pairs) + r")\b")
    return pattern, tuple(acronym for _p, acronym in pairs)


def canonical(text: str) -> str:
    """Folded text with spelled-out acronyms replaced by the acronym."""
    pattern, acronyms = _expansions()
    folded = fold(text or "").replace("’", "'")
    return pattern.sub(lambda m: acronyms[(m.lastindex or 1) - 1], folded)


@lru_cache(maxsize=1)
def acronym_heads() -> dict[str, str]:
    """Acronym → stem of the first word of its expansion ("cus" → "convent"): a passage
    saying "la convention" partly answers a question on the CUS."""
    heads = {}
    for acronym, expansion in GLOSSARY.items():
        first = next((w for w, _s, _e in tokens(fold(expansion)) if w not in _FOLDED_STOPS), None)
        if first:
            heads[acronym.lower()] = stem(first)
    return heads


def word_stem(word: str) -> str:
    if _DOTTED_ACRONYM.match(word):
        return word.replace(".", "")
    return stem(word)


@lru_cache(maxsize=8192)
def terms(text: str) -> tuple[str, ...]:
    """Content stems of a text in order (stop words and question fillers dropped),
    acronyms and their expansions made one."""
    out = []
    for word, _start, _end in tokens(canonical(text)):
        if word in _FOLDED_STOPS or word in FILLERS or word.isdigit():
            continue
        out.append(word_stem(word))
    return tuple(out)


# --- numbers -------------------------------------------------------------------------------

_NUMBER_RE = re.compile(
    r"(?<![\w.,\-])(?P<num>"
    r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?"  # 3 600 000 ; 1 234,5
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"  # 3.600.000
    r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?"  # 3,600,000 (English)
    r"|\d+(?:[.,]\d+)?"  # 45 ; 3,6 ; 15.5
    r")(?![\w]|[.,]\d|-\d)"
)
_MULTIPLIERS = (
    (re.compile(r"^\s*(?:milliards?\b|mds?\b|md€)", re.IGNORECASE), 1e9),
    (re.compile(r"^\s*(?:millions?\b|m€|m\s*€|m(?=\s|$))", re.IGNORECASE), 1e6),
    (re.compile(r"^\s*(?:k€|k\s*€|milliers?\b|mille\b)", re.IGNORECASE), 1e3),
)
_MONEY_RE = re.compile(
    r"^\s*(?:(?:millions?|milliards?|milliers?|mille|k|m)\s*)?(?:d['’]\s*)?(?:€|euros?\b|eur\b)",
    re.IGNORECASE,
)
_PERCENT_RE = re.compile(r"^\s*(?:%|pour\s*cent\b|pourcents?\b)", re.IGNORECASE)
_DURATION_RE = re.compile(
    r"^\s*(?:(?:mois|jours?|ans?|années?|annees?|semaines?|heures?|h|minutes?|kwh?)\b|°)",
    re.IGNORECASE,
)
_REFERENCE_BEFORE = re.compile(
    r"(?:\bart(?:icle)?s?\.?|\b[LRD]\s?\.|\bn°|\bno\.?|\bloi|\bdécret|\bdecret|\barrêté|\barrete"
    r"|\bfiche|\bpage|\bp\.|\bzones?|\btitre|(?<![\w'’])[A-I][.\-]?)\s*$",
)
_YEAR_CUE_BEFORE = re.compile(
    r"(?:\ben|\bannées?|\bannees?|\bexercices?|\bfin|\bdepuis|\bdès|\bau\s+titre\s+de)\s*$",
    re.IGNORECASE,
)
_EXPLICIT_RE = re.compile(
    r"\bV\s*([1-9])(?:\s*\.?\s*([abc]))?\s*(?:=|:|vaut|valant|égal(?:e)?\s+à|egal(?:e)?\s+a|est\s+de|de)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    """A number read in the question, with what the words around it say of it."""

    value: float
    text: str
    start: int
    end: int
    kind: str = "value"  # value | year | percent | duration | reference
    money: bool = False
    explicit: str | None = None  # "V1" when the question says "V1 = 30"


def _parse_value(raw: str) -> float:
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?", compact):
        compact = compact.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?", compact):
        compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    return float(compact)


def find_numbers(text: str) -> list[Number]:
    """Every number of ``text`` in order, classified (value, year, percent, duration…)."""
    found: list[Number] = []
    for match in _NUMBER_RE.finditer(text or ""):
        raw = match.group("num")
        start, end = match.span("num")
        after = text[end : end + 30]
        before = text[max(0, start - 25) : start]
        try:
            value = _parse_value(raw)
        except ValueError:
            continue
        kind = "value"
        money = bool(_MONEY_RE.match(after))
        explicit = None
        consumed = end
        for pattern, factor in _MULTIPLIERS:
            multiplier = pattern.match(after)
            if multiplier:
                value *= factor
                consumed = end + multiplier.end()
                break
        explicit_match = _EXPLICIT_RE.search(before)
        if explicit_match:
            name = f"V{explicit_match.group(1)}"
            if explicit_match.group(2):
                name += f".{explicit_match.group(2).lower()}"
            explicit = name
        elif _REFERENCE_BEFORE.search(before) and not money:
            kind = "reference"
        elif _PERCENT_RE.match(after):
            kind = "percent"
        elif _DURATION_RE.match(after) and not money:
            kind = "duration"
        elif _is_year(raw, value, before, after):
            kind = "year"
        found.append(
            Number(value, text[start:consumed].strip(), start, consumed, kind, money, explicit)
        )
    return _years_in_rows(text, found)


def _years_in_rows(text: str, numbers: list[Number]) -> list[Number]:
    """A year-like value beside a year, with only spaces, tabs or separators between
    ("2021 2022 2023", a spreadsheet's header row), is a year too."""
    out = list(numbers)
    changed = True
    while changed:
        changed = False
        for k, number in enumerate(out):
            if number.kind != "value" or number.explicit or not _year_like(number):
                continue
            if re.search(r"\d\s*(?:/|\bpour|\bsur)\s*$", text[: number.start]):
                continue  # the second term of a ratio ("0/2000 ; 2021 : …")
            neighbours = [out[j] for j in (k - 1, k + 1) if 0 <= j < len(out)]
            for other in neighbours:
                left, right = sorted((number, other), key=lambda n: n.start)
                gap = text[left.end : right.start]
                if other.kind == "year" and re.fullmatch(r"[\s;,|/–-]*", gap):
                    out[k] = replace(number, kind="year")
                    changed = True
                    break
    return out


def _year_like(number: Number) -> bool:
    return number.text.isdigit() and len(number.text) == 4 and 1990 <= number.value <= 2100


def _is_year(raw: str, value: float, before: str, after: str) -> bool:
    if not (raw.isdigit() and len(raw) == 4 and 1990 <= value <= 2100):
        return False
    if re.search(r"\d\s*(?:/|\bpour|\bsur)\s*$", before):
        return False  # "40/2000", "40 pour 2000": the second term of a ratio
    if re.match(r"\s*/\s*\d", after):
        return False  # "1995/2000": the first term of a ratio
    if _YEAR_CUE_BEFORE.search(before):
        return True
    following = after.lstrip()
    # "2011 40/400", "2011 : 40/400": a year that labels the numbers after it.
    if not following or following[0] in ",;:.?!)–-/" or following[0].isdigit():
        return True
    next_word = re.match(r"[^\W\d_]+", following)
    return bool(next_word and is_stop(next_word.group(0).lower()))


# --- indicators ----------------------------------------------------------------------------

# Words too common among the titles to name an indicator by themselves.
_GENERIC_TITLE_STEMS = frozenset(
    terms("logements nombre ménages attributions part plus mois trois par")
)


def _specific(text: str) -> frozenset[str]:
    return frozenset(terms(re.sub(r"\([^)]*\)", " ", text))) - _GENERIC_TITLE_STEMS


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """For each code: the specific stems of its title and of its first variable's label."""
    return {
        code: (_specific(indicator.title), _specific(indicator.variables[0].label))
        for code, indicator in CATALOGUE.items()
    }


def _name_score(code: str, question_stems: set[str]) -> float:
    """How well the question names an indicator by its title (or its V1's label): each
    title word found counts, each one missing counts against ("places d'hébergement
    livrées" is B.II, not B.I whose title says "financées")."""
    title, label = _names()[code]
    score = 0.0
    found = {s for s in title if near(s, question_stems)}
    missing = len(title - found)
    if len(found) >= 2:
        score += 2 * len(found) if not missing else len(found) - 2 * missing
    if len(label) >= 2 and all(near(s, question_stems) for s in label):
        score += 4
    return max(score, 0.0)


def near(stem_: str, stems: set[str] | frozenset[str]) -> bool:
    """``stem_`` or a form differing by at most two final letters ("trait", "traite")."""
    if stem_ in stems:
        return True
    if len(stem_) < 4:
        return False
    for other in stems:
        if len(other) >= 4 and abs(len(other) - len(stem_)) <= 2:
            shorter, longer = sorted((stem_, other), key=len)
            if longer.startswith(shorter):
                return True
    return False


@dataclass(frozen=True)
class IndicatorMention:
    code: str
    how: str  # "code" (named), "keyword" or "title"


def find_indicators(text: str) -> list[IndicatorMention]:
    """Indicators a question is about, the surest first: named codes, then those its
    words name, by the catalogue's keywords (longer ones count more) and by the titles."""
    named = [IndicatorMention(code, "code") for code in find_in_text(text)]
    folded = f" {fold(text or '').replace('’', chr(39))} "
    question_stems = set(terms(text))
    scores: dict[str, tuple[float, str]] = {}
    for code in CATALOGUE:
        keyword = max(
            (
                len(k)
                for k in CATALOGUE[code].keywords
                if f" {_fold_keyword(k)} " in _spaced(folded)
            ),
            default=0,
        )
        by_name = _name_score(code, question_stems)
        total = keyword / 10 + by_name
        if total > 0:
            scores[code] = (total, "title" if by_name > keyword / 10 else "keyword")
    codes = {m.code for m in named}
    ranked = sorted(
        (code for code in scores if code not in codes),
        key=lambda code: (-scores[code][0], CODES.index(code)),
    )
    return named + [IndicatorMention(code, scores[code][1]) for code in ranked]


# An elided article or preposition ("l'accompagnement", "d'entretien") is its word's.
_ELISION = re.compile(r"\b(?:[ldjmnst]|qu|jusqu|lorsqu|puisqu)'")


@lru_cache(maxsize=512)
def _fold_keyword(keyword: str) -> str:
    return _spaced(fold(keyword).replace("’", "'")).strip()


def _spaced(folded: str) -> str:
    return " " + " ".join(re.sub(r"[^\w%']+", " ", _ELISION.sub(" ", folded)).split()) + " "


# --- aspects (for drafting help) -----------------------------------------------------------


@lru_cache(maxsize=1)
def _aspects() -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    aspects: dict[str, list[str]] = {}
    for code, indicator in CATALOGUE.items():
        aspects.setdefault(indicator.aspect, []).append(code)
    return {
        aspect: (frozenset(terms(aspect)) - _GENERIC_TITLE_STEMS, tuple(codes))
        for aspect, codes in aspects.items()
    }


def find_aspect(text: str) -> str | None:
    """The CUS aspect ("Qualité du service rendu aux locataires"…) a text names, if any."""
    stems = set(terms(text))
    best, best_score = None, 0.0
    for aspect, (aspect_stems, _codes) in _aspects().items():
        if not aspect_stems:
            continue
        matched = aspect_stems & stems
        score = len(matched) / len(aspect_stems)
        if len(matched) >= min(2, len(aspect_stems)) and score >= 0.5 and score > best_score:
            best, best_score = aspect, score
    return best


def aspect_indicators(aspect: str) -> tuple[str, ...]:
    return _aspects().get(aspect, (frozenset(), ()))[1]


# --- question type -------------------------------------------------------------------------

QUESTION_TYPES = ("calculation", "how_to_calculate", "definition", "drafting", "other")

_DRAFTING_RE = re.compile(
    r"\b(?:r[ée]dige|r[ée]diger|r[ée]dig|r[ée]daction|formuler|formulation|reformule|"
    r"propose[rz]?\s+(?:un|une|des)\s+(?:texte|paragraphe|r[ée]daction|formulation)|"
    r"[ée]crire|paragraphe|aide[rz]?[- ]moi|mod[eè]le\s+de)",
    re.IGNORECASE,
)
_HOW_TO_RE = re.compile(
    r"\b(?:comment\s+(?:se\s+)?(?:calcul|mesur|compt|d[ée]termin|obten|[ée]tabli|renseign|est\s+calcul|est\s+mesur)"
    r"|m[ée]thode\s+de\s+calcul|formule|mode\s+de\s+calcul|se\s+calcule|calcule[- ]t[- ]on"
    r"|quelles?\s+variables?|num[ée]rateur|d[ée]nominateur)",
    re.IGNORECASE,
)
_DEFINITION_RE = re.compile(
    r"(?:qu['’]\s*est[- ]ce\s+qu|c['’]\s*est\s+quoi|\bc['’]?(?:\s*est|est)?\s+(?:koi|quoi)\b|que\s+(?:signifie|veut\s+dire|d[ée]signe|recouvre)"
    r"|d[ée]finition|d[ée]finir|qu['’]\s*entend[- ]on|que\s+faut[- ]il\s+entendre|ce\s+qu['’]\s*est)",
    re.IGNORECASE,
)
_PLURAL_INDICATORS = re.compile(r"\bindicateurs\b", re.IGNORECASE)
_CALCULATION_RE = re.compile(
    r"\b(?:valeur|calcul|combien|r[ée]sultat|taux|quel(?:le)?\s+(?:est\s+)?(?:le|la|notre)|donne|obtien)",
    re.IGNORECASE,
)

FACETS = {
    "periodicity": re.compile(
        r"p[ée]riodicit|fr[ée]quence|tous\s+les\s+combien|[àa]\s+quel\s+rythme|quand\s+(?:faut-il\s+)?mesur",
        re.IGNORECASE,
    ),
    "scale": re.compile(
        r"[ée]chelle|niveau\s+g[ée]ographique|p[ée]rim[eè]tre|maille", re.IGNORECASE
    ),
    "unit": re.compile(r"\bunit[ée]", re.IGNORECASE),
    "target": re.compile(
        r"\bcibles?\b|objectif\s+[àa]\s+six|agr[ée]g|cumul|moyenne\s+sur", re.IGNORECASE
    ),
    "exclusions": re.compile(
        r"exclu|exclusion|ne\s+(?:sont|est)\s+pas\s+compt|hors\s+champ|sauf|except", re.IGNORECASE
    ),
    "breakdown": re.compile(r"d[ée]clin(?:aison|er)|ventil", re.IGNORECASE),
    "cross_check": re.compile(r"v[ée]rifi|coh[ée]rence|contr[ôo]l", re.IGNORECASE),
}


# --- roles of the numbers ------------------------------------------------------------------

_MONEY_STEMS = frozenset(
    terms("montant dépenses coût charges investissement euros budget frais financement")
)
# Words that name what a variable's label names otherwise: "un parc de 2 400" is the
# stock of dwellings, "logements détenus" in the fiches.
_ALIASES = {stem("parc"): stem("logements"), stem("patrimoine"): stem("logements")}
_AFTER_WORDS = 7
_BEFORE_WORDS = 4
_STOP_CLAUSE = re.compile(r"[.;:?!\n]")


def _context(text: str, numbers: list[Number], index: int) -> tuple[list[str], list[str]]:
    """Content stems after a number (up to the next number or the end of the clause)
    and before it (back to the previous number or the start of the clause)."""
    number = numbers[index]
    stop = numbers[index + 1].start if index + 1 < len(numbers) else len(text)
    after_text = text[number.end : stop]
    clause_end = _STOP_CLAUSE.search(after_text)
    if clause_end:
        after_text = after_text[: clause_end.start()]
    begin = numbers[index - 1].end if index > 0 else 0
    before_text = text[begin : number.start]
    clauses = list(_STOP_CLAUSE.finditer(before_text))
    if clauses:
        before_text = before_text[clauses[-1].end() :]
    after = [_ALIASES.get(t, t) for t in terms(after_text)][:_AFTER_WORDS]
    before = [_ALIASES.get(t, t) for t in terms(before_text)][-_BEFORE_WORDS:]
    return after, before


@lru_cache(maxsize=256)
def _variable_stems(code: str, name: str) -> tuple[frozenset[str], frozenset[str]]:
    variable = CATALOGUE[code].variable(name)
    assert variable is not None
    label = frozenset(terms(variable.label))
    return label, frozenset(terms(variable.definition)) - label


def _affinity(code: str, name: str, after: list[str], before: list[str], money: bool) -> float:
    label, definition = _variable_stems(code, name)

    def weight(stem: str) -> float:
        return 2.0 if stem in label else 1.0 if stem in definition else 0.0

    score = sum(weight(s) for s in dict.fromkeys(after))
    score += 0.5 * sum(weight(s) for s in dict.fromkeys(before))
    if money and (label | definition) & _MONEY_STEMS:
        score += 2.0
    return score


# What a count is of: a number followed by one of these words ("2 400 logements"), or
# following one ("un parc de 3 000"), is no amount in euros.
_COUNT_STEMS = frozenset(
    terms(
        "logements logement ménages places bâtiments appareils ascenseurs gardiens "
        "attributions réclamations contrats locataires dossiers plans arrêts mutations "
        "diagnostics personnes"
    )
)


def _amount_variable(code: str, name: str) -> bool:
    """The numerator of an indicator counted in euros (C.I, C.II, I.I: € per dwelling)."""
    return "€" in CATALOGUE[code].unit and name == "V1"


def _counts_something(number: Number, after: list[str], before: list[str]) -> bool:
    """The words right around a number say it counts things (dwellings, households...)."""
    if number.money:
        return False
    return bool(after[:1] and after[0] in _COUNT_STEMS) or bool(
        before[-1:] and before[-1] in _COUNT_STEMS
    )


def _fits(code: str, name: str, number: Number, after: list[str], before: list[str]) -> bool:
    """An amount in euros is never taken from a number that counts things ("150
    logements", "un parc de 3 000"): better a variable said missing than a value computed
    from the wrong number. Any other number may be an amount ("1 800 000 pour 2 400
    logements")."""
    if not _amount_variable(code, name):
        return True
    return not _counts_something(number, after, before)


# Words after and before each number still free (``_context``), by its index.
_Contexts = dict[int, tuple[list[str], list[str]]]
# (score, order, pairs): variables with the indexes of their numbers, and how well the
# words fit them, then how closely the pairs keep the order of the question.
_Assignment = tuple[float, int, tuple[tuple[str, int], ...]]


def _assign(
    indicator: Indicator, text: str, numbers: list[Number], values: list[int]
) -> dict[str, float]:
    """Variables of one year from the values at positions ``values`` of ``numbers``."""
    assigned: dict[str, float] = {}
    free = []
    for index in values:
        name = numbers[index].explicit
        if name and indicator.variable(name) and name not in assigned:
            assigned[name] = numbers[index].value
        else:
            free.append(index)
    required = [n for n in indicator.required_variables if n not in assigned]
    optional = [v.name for v in indicator.variables if v.optional and v.name not in assigned]
    names = required + (optional if len(free) > len(required) else [])
    if not free or not names:
        return assigned
    contexts = {i: _context(text, numbers, i) for i in free}
    slots = min(len(free), len(names))
    best: _Assignment | None = None
    # Few numbers and at most five variables: trying every assignment is cheap.
    for chosen in itertools.permutations(free, slots):
        pairs = tuple(zip(names[:slots], chosen, strict=True))
        if not all(_fits(indicator.code, n, numbers[i], *contexts[i]) for n, i in pairs):
            continue
        key = _rated(indicator, numbers, free, contexts, pairs)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:  # no number fits an amount in euros: left for the calculator to ask
        best = _best_without_money(indicator, numbers, free, names, contexts)
    for name, index in best[2]:
        assigned[name] = numbers[index].value
    return assigned


def _rated(
    indicator: Indicator,
    numbers: list[Number],
    free: list[int],
    contexts: _Contexts,
    pairs: tuple[tuple[str, int], ...],
) -> _Assignment:
    """The pairs with their score and their order: ties go to the order of the
    question, V1 first, then V2."""
    score = sum(_affinity(indicator.code, n, *contexts[i], numbers[i].money) for n, i in pairs)
    order = -sum(abs(free.index(i) - k) for k, (_n, i) in enumerate(pairs))
    return score, order, pairs


def _best_without_money(
    indicator: Indicator,
    numbers: list[Number],
    free: list[int],
    names: list[str],
    contexts: _Contexts,
) -> _Assignment:
    """The best assignment of the variables that are not amounts (the amount stays
    missing), from the numbers that are not amounts themselves."""
    counts = [n for n in names if not _amount_variable(indicator.code, n)]
    usable = [
        i
        for i in free
        if not numbers[i].money and not (_MONEY_STEMS & set(contexts[i][0] + contexts[i][1]))
    ]
    slots = min(len(usable), len(counts))
    best: _Assignment = (float("-inf"), 0, ())
    for chosen in itertools.permutations(usable, slots):
        pairs = tuple(zip(counts[:slots], chosen, strict=True))
        key = _rated(indicator, numbers, free, contexts, pairs)
        if key[:2] > best[:2]:
            best = key
    return best


def assign_variables(
    indicator: Indicator, text: str, numbers: list[Number]
) -> dict[int | None, dict[str, float]]:
    """Variables given for each year ({None: {...}} when no year is named)."""
    values = [i for i, n in enumerate(numbers) if n.kind == "value"]
    years = [n for n in numbers if n.kind == "year"]
    if not values:
        return {}
    needed = max(1, len(indicator.required_variables))
    if len(years) > 1 and len(values) == needed * len(years):
        # "en 2024, 45 pour 300 ; en 2025, 50 pour 320": one group of values per year,
        # each year going with the values that follow it (or precede it when it ends
        # the sentence).
        by_year: dict[int | None, dict[str, float]] = {}
        year_positions = [i for i, n in enumerate(numbers) if n.kind == "year"]
        if year_positions[-1] < values[0] and year_positions == list(
            range(year_positions[0], year_positions[-1] + 1)
        ):
            # The years first, then the values variable by variable: a spreadsheet's
            # header row of years, or "en 2021 et 2022, 40 et 50 plans pour 400 et 410".
            # Which variable each row holds is told by the words after its last value
            # ("… 50 plans …, 410 ménages"); a row's values then go to their years.
            rows = [values[r * len(years) : (r + 1) * len(years)] for r in range(needed)]
            lasts = [row[-1] for row in rows]
            named = _assign(indicator, text, numbers, lasts)
            order: list[str | None] = []
            for last in lasts:
                name = next(
                    (n for n, v in named.items() if v == numbers[last].value and n not in order),
                    None,
                )
                order.append(name)
            if None in order:
                order = list(indicator.required_variables[:needed])
            for k, dated in enumerate(years):
                by_year[int(dated.value)] = {
                    str(name): numbers[row[k]].value for name, row in zip(order, rows, strict=True)
                }
            return by_year
        for k, dated in enumerate(years):
            group = values[k * needed : (k + 1) * needed]
            by_year[int(dated.value)] = _assign(indicator, text, numbers, group)
        return by_year
    year = int(years[-1].value) if len(years) == 1 else None
    return {year: _assign(indicator, text, numbers, values)}


# --- the whole reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class Understanding:
    question: str
    kind: str  # one of QUESTION_TYPES
    indicators: tuple[IndicatorMention, ...]
    numbers: tuple[Number, ...]
    # {year or None: {"V1": 30.0, ...}}
    variables: dict[int | None, dict[str, float]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    aspect: str | None = None
    terms: tuple[str, ...] = ()
    # The years a yearly quantity was repeated over ("60 par an de 2021 à 2026").
    spread: tuple[int, int] | None = None

    @property
    def indicator(self) -> Indicator | None:
        return CATALOGUE[self.indicators[0].code] if self.indicators else None

    @property
    def values(self) -> tuple[Number, ...]:
        return tuple(n for n in self.numbers if n.kind == "value")


def _gives_numbers(
    indicator: Indicator, variables: dict[int | None, dict[str, float]], text: str
) -> bool:
    """Values for the indicator: all of them, or some with words asking for a result."""
    given = [names for names in variables.values() if names]
    if not given:
        return False
    complete = all(n in names for names in given for n in indicator.required_variables)
    return complete or bool(_CALCULATION_RE.search(text))


def understand(question: str, context: str | None = None) -> Understanding:
    """Read a question (and optionally the title of the section it is asked from)."""
    text = spelled_out(" ".join(cells_apart(question or "").split()))
    mentions = find_indicators(text)
    if not mentions and context:
        mentions = [m for m in find_indicators(context) if m.how == "code"]
    # Counts written in words are read as digits ("douze plans pour quarante ménages").
    figures = words_to_digits(text)
    numbers = find_numbers(figures)
    indicator = CATALOGUE[mentions[0].code] if mentions else None
    variables = assign_variables(indicator, figures, numbers) if indicator else {}
    spread = yearly_range(figures) if indicator is not None else None
    if indicator is not None and spread and indicator.target_kind == "cumulated":
        # A yearly quantity over a range of years, for a target cumulated over the
        # years: each year of the range counts it once.
        given = [names for names in variables.values() if names]
        if len(given) == 1:
            variables = {year: dict(given[0]) for year in range(spread[0], spread[1] + 1)}
        else:
            spread = None
    else:
        spread = None
    facets = tuple(name for name, pattern in FACETS.items() if pattern.search(text))
    aspect = find_aspect(text) or (find_aspect(context) if context else None)
    drafting = bool(_DRAFTING_RE.search(text))
    named = any(m.how == "code" for m in mentions)
    if aspect and not named and (drafting or _PLURAL_INDICATORS.search(text)):
        # "Quels sont les indicateurs de la prévention des expulsions ?", "aide-moi à
        # rédiger la partie prévention des expulsions": the whole aspect, not the one
        # indicator whose keyword it also is.
        mentions, variables, indicator = [], {}, None

    if drafting:
        kind = "drafting"
    elif indicator and _gives_numbers(indicator, variables, text):
        kind = "calculation"
    elif _HOW_TO_RE.search(text):
        kind = "how_to_calculate"
    elif _DEFINITION_RE.search(text):
        kind = "definition"
    else:
        kind = "other"
    return Understanding(
        question=text,
        kind=kind,
        indicators=tuple(mentions),
        numbers=tuple(numbers),
        variables=variables,
        facets=facets,
        aspect=aspect,
        terms=terms(text),
        spread=spread,
    )
