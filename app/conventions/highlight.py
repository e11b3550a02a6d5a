"""Search inside one convention: the words looked for, and their occurrences marked in
rendered HTML or plain text.

Words are compared as the knowledge base compares them (``knowledge.search.analyser``):
stop words dropped, accents and case ignored, French stems, so that "logement" finds
"logements" and "ÉVALUATION" finds "évaluations".

Marks go into the *text* of the sanitised HTML that ``app.markdown.render`` gives, never
inside a tag or an attribute: the HTML is read with the standard library's tokenizer,
every tag is copied as it came out of the sanitiser, and only the text between tags is
escaped again with its ``<mark>`` elements added. Nothing the user typed is ever written
into the page, only the words of the text that match it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup, escape

from knowledge.search.analyser import content_tokens

# A query is a few words, not a document: longer input is cut before analysis, and only
# the first distinct words count.
MAX_QUERY_CHARS = 200
MAX_TERMS = 8

_HEADING = re.compile(r"^h([1-6])$")


@dataclass(frozen=True)
class Terms:
    """The words looked for: as typed (for the page) and as compared (their stems)."""

    text: str  # the query as kept (trimmed, cut to MAX_QUERY_CHARS)
    words: tuple[str, ...]  # the content words as typed, at most MAX_TERMS
    stems: frozenset[str]
    cut: bool  # the query was longer than what is kept

    def __bool__(self) -> bool:
        return bool(self.stems)


def terms_of(raw: str | None) -> Terms:
    text = " ".join((raw or "").split())
    cut = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    words: list[str] = []
    stems: dict[str, None] = {}
    for _exact, stem_, start, end in content_tokens(text):
        if stem_ in stems:
            continue
        if len(stems) == MAX_TERMS:
            cut = True
            break
        stems[stem_] = None
        words.append(text[start:end])
    return Terms(text, tuple(words), frozenset(stems), cut)


class Marker:
    """Numbers the marks of one page (``hit-1``, ``hit-2``...), so that each can be
    linked to, and counts them."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.count = 0

    def text(self, text: str) -> Markup:
        """Plain text, escaped, its matching words in ``<mark>``."""
        if not self.terms:
            return escape(text)
        pieces: list[str] = []
        last = 0
        for _exact, stem_, start, end in content_tokens(text):
            if stem_ not in self.terms.stems:
                continue
            self.count += 1
            pieces.append(escape(text[last:start]))
            pieces.append(f'<mark id="hit-{self.count}">{escape(text[start:end])}</mark>')
            last = end
        pieces.append(escape(text[last:]))
        # Every piece of the text was escaped above; the marks are ours.
        return Markup("".join(pieces))  # noqa: S704

    def html(self, html: str, shift_headings: int = 0) -> Markup:
        """Sanitised HTML with its matching words marked, its headings moved down
        ``shift_headings`` levels (a section's "##" sits under the section's own title)."""
        rewriter = _Rewriter(self, shift_headings)
        rewriter.feed(html)
        rewriter.close()
        # Tags are copied from the sanitiser's output, text is escaped again (_Rewriter).
        return Markup("".join(rewriter.out))  # noqa: S704


def first_hit(before: int, marker: Marker) -> str | None:
    """The id of the first mark made since the marker stood at ``before``."""
    return f"hit-{before + 1}" if marker.count > before else None


def matches(terms: Terms, text: str) -> bool:
    """Whether ``text`` holds one of the words looked for (without marking anything)."""
    return bool(terms) and any(
        stem_ in terms.stems for _exact, stem_, _s, _e in content_tokens(text)
    )


class _Rewriter(HTMLParser):
    def __init__(self, marker: Marker, shift_headings: int) -> None:
        # Character references are decoded in the text, which is escaped again on the
        # way out: a word is matched as the reader sees it ("l&#39;office" is "l'office").
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.shift = shift_headings
        self.out: list[str] = []

    def _heading(self, tag: str) -> str | None:
        found = _HEADING.match(tag)
        if not self.shift or found is None:
            return None
        return f"h{min(6, int(found.group(1)) + self.shift)}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        heading = self._heading(tag)
        if heading is not None:
            # The sanitiser leaves no attribute on headings: the tag is just <hN>.
            raw = f"<{heading}>"
        self.out.append(raw)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{self._heading(tag) or tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(self.marker.text(data))
