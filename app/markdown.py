"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 with an allow-list.

Two layers on purpose: the parser never emits the author's HTML, and the sanitiser
removes anything outside the allow-list should a parser bug let something through.

What is rendered is kept, by the text's hash, in a small cache bounded in bytes: a
revision never changes, so the section page and the revision page of a large body (up to
the limits of ``workflows.limits``, seconds of markdown-it) pay for rendering it once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}


# Rendered HTML kept, at most this many characters of it (bytes, near enough: HTML is
# mostly ASCII), some dozens of the largest bodies (1 MB of Markdown renders to a few
# MB); texts shorter than the floor are rendered again, at no cost worth a place here.
CACHE_BYTES = 64 * 1024 * 1024
CACHE_FLOOR = 2_000


class RenderCache:
    """Least recently used HTML by the SHA-256 of its Markdown, bounded in bytes; one
    lock, as requests render in threads."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[bytes, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: bytes) -> str | None:
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
            return html

    def put(self, key: bytes, html: str) -> None:
        cost = len(html)
        if cost > self.budget:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = html
            self.size += cost
            while self.size > self.budget:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)


cache = RenderCache(CACHE_BYTES)


def text_key(*parts: object) -> bytes:
    """A cache key of texts and options: the SHA-256 of each part, so that the key does
    not hold the texts."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(repr(part).encode("utf-8", "surrogatepass")).digest())
    return digest.digest()


def render(text: str) -> Markup:
    """The safe HTML of a Markdown text (cached for texts past ``CACHE_FLOOR``)."""
    text = text or ""
    if len(text) < CACHE_FLOOR:
        return Markup(_render(text))  # noqa: S704 - sanitised by _render
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    html = cache.get(key)
    if html is None:
        html = _render(text)
        cache.put(key, html)
    return Markup(html)  # noqa: S704 - sanitised by _render


def _render(text: str) -> str:
    html = _parser.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return clean  # nh3 has just removed what is not allowed
