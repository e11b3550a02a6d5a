"""Clean the layout noise left by text extraction and find the document's structure.

Texts exported from PDF publications carry the same kinds of noise again and again:

- page markers ("Page 29 sur 78") in the middle of the text;
- words cut at the end of a line ("réhabi-" / "litation");
- sentences broken into lines of the page's width, sometimes across a blank line;
- display titles whose letters were extracted twice ("LLEESS  CCOONNVVEENNTTII OONNSS");
- headings whose words were split by spacing ("D’UT ILITE S OCIALE");
- bullet glyphs lost as U+FFFD, vertical text in table cells (one letter per line).

``clean_text`` turns a plain text into blocks (headings and paragraphs, with the page
when a marker tells it); ``clean_blocks`` does the same on blocks already extracted
from a structured format (Markdown, Word, PDF pages), keeping their headings.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.types import Block, BlockKind

__all__ = [
    "clean_blocks",
    "clean_text",
    "indicator_code",
    "is_page_marker",
    "repair_doubled_letters",
]

# --- patterns -----------------------------------------------------------------------


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_APOSTROPHES = "’'‘`´"

PAGE_MARKER_RE = re.compile(
    r"^[\s\-–—]*page\s+(\d{1,4})(?:\s*(?:sur|/|de|of)\s*\d{1,4})?[\s\-–—]*$", re.IGNORECASE
)

# "FICHE DE DOCUMENTATION DE L’INDICATEUR F.VI", any apostrophe, any spacing.
FICHE_RE = re.compile(
    r"^\W*fiche\s+de\s+documentation\s+de\s+l\s*[" + _APOSTROPHES + r"]?\s*indicateur\s*:?\s*"
    r"(?P<letters>[A-Za-z]{1,3}?)\s*[.\-–]?\s*(?P<number>[IVXivx]+|\d{1,2})\b",
    re.IGNORECASE,
)

# The rows of a fiche indicateur's table, read from a PDF as "label value" lines:
# "Unité de mesure Nombre de logements", "Echelle de l’indicateur Département".
FICHE_ROW_RE = re.compile(
    r"^(?P<label>Aspect de la politique|Engagement|Unité de mesure|Périodicité de la mesure|"
    r"[EÉ]chelle de l["
    + _APOSTROPHES
    + r"]indicateur|Déclinaison de l["
    + _APOSTROPHES
    + r"]indicateur|Définition des variables|Méthode de calcul|Dernière valeur connue|"
    r"Valeurs? proposées? par l[" + _APOSTROPHES + r"]organisme|"
    r"Méthode de fixation de la valeur-cible)(?:\s*:)?\s+(?P<value>[^\s:a-zà-ÿ].*)$"
)

# "I – TITRE", "II- TITRE", "IV. Titre", "V) Titre"
_ROMAN_RE = re.compile(r"^(?P<num>[IVX]{1,5})(?:\s*[.)]\s+|\s*[-–—]\s*)(?P<title>\S.*)$")
# "1.2 Titre", "1.2. Titre", "2.3.1 Titre"
_DOTTED_RE = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?P<title>\S.*)$")
# "1. Titre", "2 - Titre"
_NUMBER_RE = re.compile(r"^(?P<num>\d{1,2})(?:\.\s+|\s*[-–—]\s+)(?P<title>\S.*)$")
# "A) Titre"
_LETTER_RE = re.compile(r"^(?P<num>[A-H])\)\s+(?P<title>\S.*)$")

# Bullet glyphs found at the start of list lines (U+F0xx: symbol fonts in the private use area).
_BULLET_RE = re.compile(r"^(?:[-–—•·▪■□◦●○►▶›>➜➢➔→✓✔*]|o(?=\s+\S)|[\uf000-\uf0ff])\s*")
_ARROW_LABEL_RE = re.compile(r"^[→➜➔➢►▶]\s*(?P<label>[^\W\d_][^:.!?]{0,48}?)\s*:$")

_TERMINAL = ".!?:;…"  # a paragraph ending with one of these is complete
_PROSE_END = ".!?:;…»)"
_FUNCTION_WORDS = _word_set(
    "de des du la le les l d et ou à au aux en un une sur pour par avec dans sous que qui "
    "dont son sa ses leur leurs ce cette ces entre vers chez sans se"
)
# Prefixes and suffixes that keep their hyphen when a line ends on them.
_HYPHEN_PREFIXES = _word_set(
    "non ex vice demi semi mi quasi sous après arrière avant contre grand grands grande "
    "grandes petit petite chef porte au aux ci là c'est-à"
)
_HYPHEN_SUFFIXES = _word_set(
    "ci là même mêmes être il ils elle elles on t y dessus dessous delà dedans dehors uns unes"
)
# Words that start the second line of a wrapped heading ("L’ELABORATION" / "DES CONVENTIONS").
_CONTINUATION_STARTS = _word_set("de des du d et ou à au aux en pour par sur dans avec sous entre")
_ONE_LETTER_WORDS = frozenset({"a", "à", "y", "ô"})
_ELISION_RE = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)[" + _APOSTROPHES + "]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-‑][^\W\d_]+)*")


def is_page_marker(line: str) -> int | None:
    """The page number of a marker line like "Page 29 sur 78", else None."""
    match = PAGE_MARKER_RE.match(line)
    return int(match.group(1)) if match else None


def indicator_code(text: str) -> str | None:
    """The canonical code ("F.VI") when text starts with a fiche indicateur title."""
    match = FICHE_RE.match(text.strip())
    if not match:
        return None
    return f"{match.group('letters').upper()}.{match.group('number').upper()}"


# --- small text helpers ---------------------------------------------------------------


def _norm(word: str) -> str:
    """Lower case, without accents, one kind of apostrophe: the key of the vocabularies."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub("[" + _APOSTROPHES + "]", "'", stripped)


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(_ELISION_RE.sub(" ", text))


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def _is_caps_text(text: str) -> bool:
    """A line in capitals that can be a heading (not a row of a table of acronyms or numbers)."""
    letters = _letters(text)
    if len(letters) < 4:
        return False
    if sum(c.isupper() for c in letters) < 0.85 * len(letters):
        return False
    alnum = [c for c in text if c.isalnum()]
    if sum(c.isdigit() for c in alnum) > 0.25 * len(alnum):
        return False
    if not any(len(w) >= 5 for w in re.findall(r"[^\W\d_]+", text)):
        return False
    return len(text.split()) <= 30


def _is_bullet(text: str) -> bool:
    return bool(_BULLET_RE.match(text)) and not re.match(r"^-\d", text)


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip("(«“\"' ")
    return bool(stripped) and stripped[0].isalpha() and stripped[0].islower()


def _starts_upper(text: str) -> bool:
    stripped = text.lstrip("(«“\"' ")
    return bool(stripped) and stripped[0].isalpha() and stripped[0].isupper()


def _last_word(text: str) -> str:
    words = _words(text)
    return _norm(words[-1]) if words else ""


def _first_word(text: str) -> str:
    match = re.match(r"\W*([^\W\d_]+)", text)
    return _norm(match.group(1)) if match else ""


def _ends_with_function_word(text: str) -> bool:
    stripped = text.rstrip()
    if stripped and stripped[-1] in _APOSTROPHES:  # "de l’" at a line end
        return True
    return _last_word(stripped) in _FUNCTION_WORDS


def _tidy(text: str) -> str:
    """One space between words, no space inside elisions nor before a period or a comma."""
    text = re.sub(r"\s+", " ", text).strip()
    # "D ’UNE", "L’ annexe" -> "D’UNE", "L’annexe"
    text = re.sub(
        r"\b((?:[LlDdJjMmNnSsTtCc]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)) ?([’']) ?(?=[^\W\d_])",
        r"\1\2",
        text,
    )
    # "HABITAT ." -> "HABITAT."  "ELABORATION , DE" -> "ELABORATION, DE"
    text = re.sub(r"(?<=[^\W\d_]) +(?=[.,](?:\s|$))", "", text)
    return text


# --- doubled letters ------------------------------------------------------------------


def repair_doubled_letters(line: str) -> str | None:
    """Repair a display title whose characters were all extracted twice.

    "LLEESS  CCOONNVVEENNTTII OONNSS" -> "LES CONVENTIONS". Two spaces or more separate
    the words; a single space inside a word is noise. Returns None when a word cannot be
    read as doubled characters (the line then cannot be repaired).
    """
    repaired = []
    for chunk in re.split(r"\s{2,}", line.strip()):
        word = chunk.replace(" ", "")
        if len(word) % 2 or any(word[i] != word[i + 1] for i in range(0, len(word), 2)):
            return None
        repaired.append(word[::2])
    return " ".join(repaired)


def _doubled_ratio(line: str) -> float:
    """Share of the line's characters that stand in doubled pairs ("LLEESS" -> 1.0)."""
    chars = re.sub(r"\s", "", line)
    if len(chars) < 6:
        return 0.0
    paired = 0
    i = 0
    while i < len(chars) - 1:
        if chars[i] == chars[i + 1]:
            paired += 2
            i += 2
        else:
            i += 1
    return paired / len(chars)


def _is_doubled_line(line: str) -> bool:
    return _doubled_ratio(line) >= 0.8 and sum(c.isalpha() for c in line) >= 6


# --- the intermediate paragraph ---------------------------------------------------------


@dataclass
class _Para:
    lines: list[str]
    page: int | None
    level: int = 0
    preset: bool = False  # level given by the source format (Markdown, Word styles)
    doubled: bool = False  # repaired display title
    after_blank: bool = True  # a blank line (or a block boundary) came before it
    text: str = ""
    table: bool = False  # a table block (a pipe table), passed through as it is


class _Vocabulary:
    """Words and hyphenated compounds seen in the document, to decide how to rejoin."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.compounds: Counter[str] = Counter()

    def add_lines(self, lines: Sequence[str]) -> None:
        cut_before = False
        for line in lines:
            words = _words(line)
            if cut_before and words:
                words = words[1:]  # the end of a word cut on the line above
            cut_before = bool(re.search(r"[^\W\d_][-\u00ad]\s*$", line))
            if cut_before and words:
                words = words[:-1]  # the start of a word cut at this line's end
            for word in words:
                key = _norm(word)
                self.words[key] += 1
                if "-" in key:
                    self.compounds[key] += 1
                    for part in key.split("-"):
                        self.words[part] += 1

    def add_text(self, text: str) -> None:
        for word in _words(text):
            key = _norm(word)
            self.words[key] += 1
            for part in key.split("-"):
                self.words[part] += 1

    def is_word(self, token: str) -> bool:
        key = _norm(token)
        if len(key) == 1:
            return key in _ONE_LETTER_WORDS or token in _ONE_LETTER_WORDS
        return self.words[key] > 0


# --- line level: from lines to paragraphs ---------------------------------------------


def _normalise_line(line: str) -> str:
    line = line.replace("\t", " ").replace("\u00a0", " ").replace("\u202f", " ")
    line = line.replace("\ufffd", "").replace("\u200b", "").replace("\ufeff", "")
    # A soft hyphen inside a word is invisible; at the line end it marks a cut word.
    line = re.sub("\u00ad(?=\\S)", "", line)
    return line.rstrip()


def _vertical_text_lines(lines: Sequence[str]) -> set[int]:
    """Indexes of lines that hold one character each, three or more in a row (blank lines
    between them allowed): text written vertically in a table cell."""
    found: set[int] = set()
    run: list[int] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if len(stripped) == 1 and (stripped.isalpha() or stripped == "."):
            run.append(index)
            continue
        if len(run) >= 3:
            found.update(run)
        run = []
    if len(run) >= 3:
        found.update(run)
    return found


def _typical_width(lines: Iterable[str]) -> int:
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return 80
    return max(40, lengths[int(len(lengths) * 0.8)])


class _LineAssembler:
    """Groups lines into paragraphs and follows the page markers of a plain text."""

    def __init__(self) -> None:
        self.page: int | None = None

    def paragraphs(
        self, raw_lines: Sequence[str], fixed_page: int | None, width: int
    ) -> list[_Para]:
        lines = [_normalise_line(line) for line in raw_lines]
        vertical = _vertical_text_lines(lines)
        paras: list[_Para] = []
        current: _Para | None = None
        blank_before = True

        def close() -> None:
            nonlocal current
            if current is not None and current.lines:
                paras.append(current)
            current = None

        for index, line in enumerate(lines):
            if index in vertical:
                continue
            marker = is_page_marker(line)
            if marker is not None:
                close()
                blank_before = True
                if fixed_page is None:
                    self.page = marker
                continue
            if not line.strip():
                close()
                blank_before = True
                continue
            page_break = fixed_page is None and bool(re.match(r"^ \S", line))
            if page_break and self.page is not None:
                # The text of the page the marker named has ended; the next page is not
                # known for sure, so the following blocks carry no page.
                self.page = None
            page = fixed_page if fixed_page is not None else self.page
            doubled = False
            if _is_doubled_line(line):
                repaired = repair_doubled_letters(line)
                if repaired is None:
                    continue  # unreadable display title: dropped
                line, doubled = repaired, True
            text = line.strip()
            if not any(c.isalnum() for c in text):
                close()
                blank_before = True
                continue
            if current is not None and (
                doubled != current.doubled or self._starts_paragraph(current.lines[-1], text, width)
            ):
                close()
                blank_before = False
            if current is None:
                current = _Para(lines=[], page=page, doubled=doubled, after_blank=blank_before)
            current.lines.append(text)
        close()
        return paras

    @staticmethod
    def _starts_paragraph(previous: str, line: str, width: int) -> bool:
        """Whether `line` starts a new paragraph though no blank line precedes it."""
        if _is_bullet(line) or FICHE_RE.match(line):
            return True
        if FICHE_ROW_RE.match(line) and not line.startswith("Engagement"):
            return True  # the next row of a fiche's table
        caps_before, caps_after = _is_caps_text(previous), _is_caps_text(line)
        if caps_before != caps_after:
            return True
        if caps_before and caps_after:
            # A heading in capitals wrapped on the next line goes on with a preposition
            # ("DE LA DISCUSSION") or with its last word alone ("SOCIALE").
            return not (
                _ends_with_function_word(previous)
                or _first_word(line) in _CONTINUATION_STARTS
                or len(line.split()) <= 2
            )
        short = len(previous) < 0.6 * width
        if _numbered_heading(line) and (short or previous[-1] in _TERMINAL):
            return True
        if short and previous[-1] in _TERMINAL:
            return True
        return (
            short
            and previous[-1] not in ",-"
            and _starts_upper(line)
            and not _ends_with_function_word(previous)
        )


# --- paragraph level ---------------------------------------------------------------------


def _join_cut_word(left: str, right: str, vocabulary: _Vocabulary) -> str:
    """Join a line ending with "word-" to the next line: drop the hyphen of a word cut by
    the layout ("réhabi-" "litation"), keep the one of a compound ("logements-" "foyers")."""
    head = left[:-1]
    left_word = re.search(r"([^\W\d_]+)$", head)
    right_word = re.match(r"([^\W\d_]+)", right)
    if not left_word or not right_word:
        return head + "-" + right  # "351-" "55": a number range, a code
    lw, rw = left_word.group(1), right_word.group(1)
    joined, compound = _norm(lw + rw), _norm(lw + "-" + rw)
    if vocabulary.compounds[compound] and not vocabulary.words[joined]:
        keep = True
    elif vocabulary.words[joined]:
        keep = False
    elif rw[0].isupper():
        keep = True  # "BOLERO-" "WEB", "Val-de-" "Loire"
    else:
        keep = _norm(lw) in _HYPHEN_PREFIXES or _norm(rw) in _HYPHEN_SUFFIXES
    return head + ("-" if keep else "") + right


def _join_lines(lines: Sequence[str], vocabulary: _Vocabulary) -> str:
    text = lines[0]
    for line in lines[1:]:
        text = _join_pieces(text, line, vocabulary)
    return _tidy(text)


def _join_pieces(left: str, right: str, vocabulary: _Vocabulary) -> str:
    left = left.rstrip()
    right = right.strip()
    if left.endswith("\u00ad"):
        return left[:-1] + right
    if re.search(r"[^\W\d_]-$", left) or re.search(r"\d-$", left):
        return _join_cut_word(left, right, vocabulary)
    return left + " " + right


def _numbered_heading(text: str) -> tuple[int, str] | None:
    """(level, text) of a numbered heading: "I – ..." 1, "1. ..." 2, "1.2 ..." 3, "A) ..." 3."""
    for regex, level in ((_ROMAN_RE, 1), (_DOTTED_RE, None), (_NUMBER_RE, 2), (_LETTER_RE, 3)):
        match = regex.match(text)
        if not match:
            continue
        title = match.group("title")
        if not _starts_upper(title) and not title.startswith(("«", '"')):
            continue
        if level is None:
            level = min(6, 1 + match.group("num").count(".") + 1)
        return level, text
    return None


def _looks_like_heading_shape(text: str, max_words: int) -> bool:
    words = text.split()
    if not words or len(words) > max_words:
        return False
    return text[-1] not in ",;"


def _is_prose(para: _Para | None) -> bool:
    if para is None or para.level:
        return False
    if _is_bullet(para.text):
        return True
    return len(para.text.split()) >= 8 and para.text[-1] in _PROSE_END


def _heading_candidate(para: _Para) -> bool:
    """A short line without final punctuation that could be a heading in mixed case."""
    text = para.text
    words = text.split()
    limit = 20 if text.endswith("?") else 12
    if para.level or para.preset or para.doubled or not words or len(words) > limit:
        return False
    if not _starts_upper(text) or _is_bullet(text) or not any(c.islower() for c in text):
        return False
    alnum = [c for c in text if c.isalnum()]
    if sum(c.isdigit() for c in alnum) > 0.3 * len(alnum):
        return False  # a row of figures
    if text[-1] in ".,;:!…" or _ends_with_function_word(text):
        return False
    # "Thomas Quéro," / "Président de ...": a signature, not a heading.
    return not any(line.rstrip().endswith(",") for line in para.lines[:-1])


def _mark_mixed_case_headings(paras: list[_Para], skip: set[int]) -> None:
    """Short unpunctuated lines (one to three in a row) between a finished paragraph and
    prose are headings: "Les instances nationales et régionales", "Qui est signataire ?"."""
    index = 0
    while index < len(paras):
        if index in skip or not _heading_candidate(paras[index]):
            index += 1
            continue
        end = index
        while end + 1 < len(paras) and end + 1 not in skip and _heading_candidate(paras[end + 1]):
            end += 1
        previous = paras[index - 1] if index else None
        following = paras[end + 1] if end + 1 < len(paras) else None
        finished_before = (
            previous is None or previous.level > 0 or previous.text[-1] in _TERMINAL + "»"
        )
        if end - index < 3 and finished_before and _is_prose(following):
            for para in paras[index : end + 1]:
                para.level = 3
        index = end + 1


def _merge_continuations(paras: list[_Para], vocabulary: _Vocabulary, width: int) -> list[_Para]:
    """Rejoin a sentence broken by a blank line, a page marker or a page break."""
    merged: list[_Para] = []
    for para in paras:
        previous = merged[-1] if merged else None
        if previous is not None and _continues(previous, para, width):
            previous.text = _tidy(_join_pieces(previous.text, para.text, vocabulary))
            previous.lines.extend(para.lines)
            continue
        merged.append(para)
    return merged


def _continues(previous: _Para, para: _Para, width: int) -> bool:
    if previous.preset or para.preset or previous.doubled != para.doubled:
        return False
    if _is_bullet(para.text) or FICHE_RE.match(para.text) or FICHE_RE.match(previous.text):
        return False
    end = previous.text[-1]
    if end in _TERMINAL:
        return False
    caps_before, caps_after = _is_caps_text(previous.text), _is_caps_text(para.text)
    if caps_before or caps_after:
        if not (caps_before and caps_after) or _numbered_heading(para.text):
            return False
        # A heading in capitals wrapped on two lines, with a blank line between.
        if _ends_with_function_word(previous.text):
            return True
        return not _numbered_heading(previous.text) and len(previous.lines[-1]) >= 0.7 * width
    if previous.text.endswith("-"):
        return True
    return _starts_lower(para.text) or _ends_with_function_word(previous.text)


def _detect_headings(paras: list[_Para], mixed_case: bool) -> None:
    in_fiche = False
    fiche_rows: set[int] = set()
    for index, para in enumerate(paras):
        if para.table:
            continue
        if para.preset:
            if indicator_code(para.text):
                in_fiche = True
            elif para.level <= 2:
                in_fiche = False
            continue
        text = para.text
        if indicator_code(text) and len(text.split()) <= 15:
            para.level, in_fiche = 2, True
            continue
        numbered = _numbered_heading(text)
        if (
            numbered
            and _looks_like_heading_shape(text, 20)
            and (text[-1] != "." or _is_caps_text(text))
        ):
            para.level = numbered[0]
            if para.level == 1:
                in_fiche = False
            continue
        if para.doubled:
            para.level = 2 if _is_caps_text(text) else 3
            in_fiche = False
            continue
        if _is_caps_text(text) and _looks_like_heading_shape(text, 30):
            para.level = 3 if in_fiche else 2
            continue
        arrow = _ARROW_LABEL_RE.match(text)
        if arrow and len(arrow.group("label").split()) <= 5:
            para.level, para.text = 3, arrow.group("label")
            continue
        if in_fiche:
            # Inside a fiche, short unpunctuated lines are the rows of its table; a row
            # read as "label value" is written "label : value".
            fiche_rows.add(index)
            row = FICHE_ROW_RE.match(text)
            if row:
                para.text = f"{row.group('label')} : {row.group('value')}"
    if mixed_case:
        _mark_mixed_case_headings(paras, fiche_rows)


def _attach_subtitles(paras: list[_Para]) -> list[_Para]:
    """ "LE CONVENTIONNEMENT D’UTILITE SOCIALE" + "pour quoi faire" on the next line: one title."""
    result: list[_Para] = []
    for para in paras:
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.level
            and not previous.preset
            and not para.level
            and not para.after_blank
            and _is_caps_text(previous.text)
            and _starts_lower(para.text)
            and len(para.text.split()) <= 8
            and para.text[-1] not in _TERMINAL
        ):
            previous.text = f"{previous.text} {para.text}"
            continue
        result.append(para)
    return result


def _repair_split_words(text: str, vocabulary: _Vocabulary) -> str:
    """Join the pieces of a word split by spacing in a heading: "D’UT ILITE S OCIALE"."""
    tokens = text.split(" ")

    def core(token: str) -> str:
        return re.sub(r"^[^\W\d_]{1,2}[" + _APOSTROPHES + "]", "", token)

    def alpha(token: str) -> bool:
        letters = [c for c in token if c.isalpha()]
        return (
            bool(letters)
            and all(c.isalpha() or c in _APOSTROPHES for c in token)
            and all(c.isupper() for c in letters)
        )

    for pass_both_unknown in (True, False):
        index = 0
        while index < len(tokens) - 1:
            left, right = tokens[index], tokens[index + 1]
            if alpha(left) and alpha(right) and not any(c in _APOSTROPHES for c in right):
                joined = core(left) + right
                left_known = vocabulary.is_word(core(left))
                right_known = vocabulary.is_word(right)
                unknown = (not left_known) + (not right_known)
                wanted = 2 if pass_both_unknown else 1
                if unknown >= wanted and vocabulary.is_word(joined) and len(_norm(joined)) > 2:
                    tokens[index : index + 2] = [left + right]
                    continue
            index += 1
    return " ".join(tokens)


def _heading_text(text: str) -> str:
    text = _tidy(text)
    return text.rstrip(" .:;,").strip() or text


def _finish(
    paras: list[_Para], mixed_case: bool, vocabulary: _Vocabulary, width: int
) -> list[Block]:
    for para in paras:
        if not para.text:
            para.text = _join_lines(para.lines, vocabulary)
    paras = [p for p in paras if any(c.isalnum() for c in p.text)]
    body_vocabulary = _Vocabulary()
    for para in paras:
        if not para.preset and not _is_caps_text(para.text):
            body_vocabulary.add_text(para.text)
    for para in paras:
        if not para.preset and _is_caps_text(para.text):
            para.text = _repair_split_words(para.text, body_vocabulary)
    paras = _merge_continuations(paras, vocabulary, width)
    _detect_headings(paras, mixed_case)
    paras = _attach_subtitles(paras)
    blocks: list[Block] = []
    for para in paras:
        if para.table:
            blocks.append(Block(text=para.text, page=para.page, kind=BlockKind.TABLE))
        elif para.level:
            blocks.append(Block(text=_heading_text(para.text), level=para.level, page=para.page))
        else:
            blocks.append(Block(text=_bullet_text(para.text), level=0, page=para.page))
    return blocks


def _bullet_text(text: str) -> str:
    """Write every list bullet the same way ("• "), keeping dashes."""
    match = _BULLET_RE.match(text)
    if not match or text.startswith(("-", "–", "—", "•", "*")):  # "*": often a footnote
        return text
    rest = text[match.end() :]
    if not rest or rest[0].isdigit():
        return text
    return "• " + rest


# --- public API -------------------------------------------------------------------------


def clean_text(raw: str) -> list[Block]:
    """Blocks of a plain text: headings found from their look, paragraphs rejoined,
    page markers turned into the page of the blocks that follow them."""
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    vocabulary = _Vocabulary()
    normalised = [_normalise_line(line) for line in lines]
    vocabulary.add_lines(normalised)
    width = _typical_width(normalised)
    paras = _LineAssembler().paragraphs(lines, None, width)
    return _finish(paras, mixed_case=True, vocabulary=vocabulary, width=width)


def clean_blocks(blocks: Sequence[Block]) -> list[Block]:
    """Clean blocks extracted from a structured format.

    Headings (level > 0) are kept as given. The text of each paragraph block is cleaned
    like a plain text (its lines rejoined, page markers removed, headings recognised);
    the page of a block, when the format gives one, is kept. Short unpunctuated lines are
    taken for headings only when the source had none of its own.
    """
    all_lines = [
        _normalise_line(line)
        for block in blocks
        if block.kind != BlockKind.TABLE
        for line in block.text.splitlines() or [""]
    ]
    vocabulary = _Vocabulary()
    vocabulary.add_lines(all_lines)
    width = _typical_width(all_lines)
    assembler = _LineAssembler()
    paras: list[_Para] = []
    for block in blocks:
        if block.kind == BlockKind.TABLE:
            paras.append(_Para(lines=[], page=block.page, preset=True, text=block.text, table=True))
            continue
        if block.level > 0:
            text = _tidy(block.text)
            if text:
                paras.append(
                    _Para(
                        lines=[text],
                        page=block.page,
                        level=min(block.level, 6),
                        preset=True,
                        text=text,
                    )
                )
            continue
        paras.extend(assembler.paragraphs(block.text.splitlines(), block.page, width))
    has_structure = any(block.level > 0 for block in blocks)
    return _finish(paras, mixed_case=not has_structure, vocabulary=vocabulary, width=width)
