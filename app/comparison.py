"""Text with its changes marked, as HTML: the one renderer of the comparisons of
``workflows.text.richdiff`` (a contribution's changes, the differences between two
revisions, an edit that met a newer save, the decision table's excerpts).

Every text is escaped here and only here; the markup is a fixed set of elements with
classes (the Content-Security-Policy allows no inline style); a link keeps its target
only for http, https and mailto. Insertions and deletions are ``<ins>`` and ``<del>``
with visually hidden words around them, since screen readers do not announce them;
whole blocks added or removed say so at their start.

Templates call it through the globals ``compare_texts``, ``render_comparison``,
``render_word_diff`` and ``formatted_text`` (registered by ``register``) or the macros
of ``templates/macros/diff.html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup, escape

from app.markdown import CACHE_FLOOR, text_key
from app.markdown import cache as _cache
from workflows.text.blocks import Run
from workflows.text.diff import ParagraphDiff
from workflows.text.richdiff import BlockDiff, ItemDiff, Piece, Pieces, RowDiff, compare

Mode = Literal["inline", "side-by-side"]
Show = Literal["both", "old", "new"]

SAFE_SCHEMES = {"http", "https", "mailto"}

# What a screen reader hears around a marked passage, and at the start of a whole block.
_OPEN = {"insert": "[début d'insertion] ", "delete": "[début de suppression] "}
_CLOSE = {"insert": " [fin d'insertion]", "delete": " [fin de suppression]"}
_WHOLE = {
    "heading": ("Titre ajouté : ", "Titre supprimé : "),
    "paragraph": ("Paragraphe ajouté : ", "Paragraphe supprimé : "),
    "quote": ("Citation ajoutée : ", "Citation supprimée : "),
    "code": ("Bloc de code ajouté : ", "Bloc de code supprimé : "),
    "rule": ("Trait de séparation ajouté", "Trait de séparation supprimé"),
    "list": ("Liste ajoutée : ", "Liste supprimée : "),
    "table": ("Tableau ajouté : ", "Tableau supprimé : "),
    "item": ("Élément de liste ajouté : ", "Élément de liste supprimé : "),
    "row": ("Ligne ajoutée : ", "Ligne supprimée : "),
}
_CLASS = {
    "equal": "cmp-equal",
    "insert": "cmp-insert",
    "delete": "cmp-delete",
    "change": "cmp-change",
}


def _sr(text: str) -> str:
    return f'<span class="sr">{escape(text)}</span>'


def _label(kind: str, op: str) -> str:
    added, removed = _WHOLE[kind]
    return _sr(added if op == "insert" else removed)


def _href(link: str) -> str | None:
    target = link.strip()
    try:
        scheme = urlsplit(target).scheme.lower()
    except ValueError:
        return None
    return target if scheme in SAFE_SCHEMES else None


def _run(run: Run) -> str:
    html = str(escape(run.text)).replace("\n", "<br>")
    if run.code:
        html = f"<code>{html}</code>"
    if run.strike:
        html = f"<s>{html}</s>"
    if run.italic:
        html = f"<em>{html}</em>"
    if run.bold:
        html = f"<strong>{html}</strong>"
    if run.link is not None:
        href = _href(run.link)
        if href is None:
            html = f'<span class="cmp-link">{html}</span>'
        else:
            html = f'<a href="{escape(href)}" rel="noopener noreferrer nofollow">{html}</a>'
    return html


class _Renderer:
    def __init__(self, author: str | None, depth: int) -> None:
        self.author = author
        self.depth = depth

    def _title(self, op: str) -> str:
        if not self.author:
            return ""
        what = "Ajout" if op == "insert" else "Suppression"
        return f' title="{escape(what)} — {escape(self.author)}"'

    def pieces(self, pieces: Pieces, show: Show, whole: bool = False) -> str:
        """Inline content: runs of one op grouped in one ``<ins>`` or ``<del>``; within
        a block wholly added or removed, the block's label says it once."""
        hidden = {"old": "insert", "new": "delete"}.get(show)
        out: list[str] = []
        group: list[Piece] = []

        def flush() -> None:
            if not group:
                return
            op = group[0].op
            if op == "equal":
                out.append("".join(_run(p.run) for p in group))
                group.clear()
                return
            # A space at the edge of a change is shown beside it, not underlined or
            # struck: " bâti" added after "Patrimoine" reads "Patrimoine [bâti]".
            runs = [p.run for p in group]
            lead = runs[0].text[: len(runs[0].text) - len(runs[0].text.lstrip(" "))]
            trail = runs[-1].text[len(runs[-1].text.rstrip(" ")) :]
            if "".join(r.text for r in runs).strip(" "):
                runs[0] = replace(runs[0], text=runs[0].text[len(lead) :])
                runs[-1] = replace(runs[-1], text=runs[-1].text[: len(runs[-1].text) - len(trail)])
            else:
                lead = trail = ""
            body = "".join(_run(r) for r in runs if r.text)
            tag = "ins" if op == "insert" else "del"
            marks = ("", "") if whole else (_sr(_OPEN[op]), _sr(_CLOSE[op]))
            out.append(f"{lead}<{tag}{self._title(op)}>{marks[0]}{body}{marks[1]}</{tag}>{trail}")
            group.clear()

        for piece in pieces:
            if piece.op == hidden:
                continue
            if group and group[0].op != piece.op:
                flush()
            group.append(piece)
        flush()
        return "".join(out)

    # --- blocks -------------------------------------------------------------------------

    def block(self, d: BlockDiff, show: Show) -> str:
        if show == "old" and d.old is None or show == "new" and d.new is None:
            return ""
        whole = d.op in ("insert", "delete")
        css = f"cmp-block {_CLASS[d.op]}"
        label = _label(d.kind, d.op) if whole else ""
        if d.kind == "list":
            return self.list(d, show, css, label)
        if d.kind == "table":
            return self.table(d, show, css, label)
        if d.kind == "rule":
            return f'<div class="{css}">{label}<hr></div>'
        body = self.pieces(d.pieces, show, whole)
        if d.cut_before:
            body = "… " + body
        if d.cut_after:
            body += " …"
        if d.kind == "heading":
            block = d.old if show == "old" and d.old is not None else d.shown
            level = min(6, block.level + self.depth)
            note = ""
            if show == "both" and d.old and d.new and d.old.level != d.new.level:
                note = (
                    f' <span class="cmp-note">(titre de niveau {d.old.level} '
                    f"devenu de niveau {d.new.level})</span>"
                )
            return f'<h{level} class="{css}">{label}{body}{note}</h{level}>'
        if d.kind == "quote":
            return f'<blockquote class="{css}">{label}<p>{body}</p></blockquote>'
        if d.kind == "code":
            return f'<div class="{css}">{label}<pre><code>{body}</code></pre></div>'
        return f'<p class="{css}">{label}{body}</p>'

    def list(self, d: BlockDiff, show: Show, css: str, label: str) -> str:
        items = [i for i in d.items if show == "both" or (i.old if show == "old" else i.new)]
        block = d.old if show == "old" and d.old is not None else d.shown
        out = [f'<div class="{css}">{label}'] if label else []
        stack: list[str] = []
        for item in items:
            level = min(item.level, len(stack))
            while len(stack) > level + 1:
                out.append(f"</li></{stack.pop()}>")
            if len(stack) == level + 1:
                out.append("</li>")
            else:
                ordered = (item.new or item.old or block.items[0]).ordered
                tag = "ol" if ordered else "ul"
                start = (
                    f' start="{block.start}"'
                    if tag == "ol" and not stack and block.start != 1
                    else ""
                )
                classes = f' class="{css}"' if not stack and not label else ""
                out.append(f"<{tag}{classes}{start}>")
                stack.append(tag)
            out.append(self.item(item, show, whole=d.op in ("insert", "delete")))
        while stack:
            out.append(f"</li></{stack.pop()}>")
        if label:
            out.append("</div>")
        return "".join(out)

    def item(self, item: ItemDiff, show: Show, whole: bool) -> str:
        own = item.op in ("insert", "delete") and not whole
        label = _label("item", item.op) if own else ""
        body = self.pieces(item.pieces, show, whole or own)
        return f'<li class="{_CLASS[item.op]}">{label}{body}'

    def table(self, d: BlockDiff, show: Show, css: str, label: str) -> str:
        rows = [r for r in d.rows if show == "both" or (r.old if show == "old" else r.new)]
        head = [r for r in rows if r.header]
        body = [r for r in rows if not r.header]
        whole = d.op in ("insert", "delete")
        out = [f'<div class="{css} cmp-table">{label}<table>']
        if head:
            out.append("<thead>")
            out.extend(self.row(r, show, "th", whole) for r in head)
            out.append("</thead>")
        if body:
            out.append("<tbody>")
            out.extend(self.row(r, show, "td", whole) for r in body)
            out.append("</tbody>")
        out.append("</table></div>")
        return "".join(out)

    def row(self, row: RowDiff, show: Show, tag: str, whole: bool) -> str:
        own = row.op in ("insert", "delete") and not whole
        cells = row.cells
        if show != "both":
            width = len((row.old if show == "old" else row.new) or ())
            cells = cells[:width]
        scope = ' scope="col"' if tag == "th" else ""
        html = []
        for k, cell in enumerate(cells):
            label = _label("row", row.op) if own and k == 0 else ""
            html.append(f"<{tag}{scope}>{label}{self.pieces(cell, show, whole or own)}</{tag}>")
        return f'<tr class="{_CLASS[row.op]}">{"".join(html)}</tr>'


def render(
    diffs: Sequence[BlockDiff],
    mode: Mode = "inline",
    author: str | None = None,
    depth: int = 1,
    labels: tuple[str, str] = ("Avant", "Après"),
) -> Markup:
    """A comparison as HTML: inline (one text, changes marked in it) or side by side
    (the old text with its deletions, the new one with its insertions, block by block).
    ``depth`` is added to the texts' heading levels so that they sit below the page's
    own headings; ``author`` names who made the changes (in a tooltip)."""
    renderer = _Renderer(author, depth)
    if not diffs:
        return Markup('<div class="comparison"><p class="muted">Texte vide.</p></div>')
    if mode == "side-by-side":
        old_label, new_label = (escape(label) for label in labels)
        rows = "".join(
            f'<tr class="{_CLASS[d.op]}"><td data-label="{old_label}">{renderer.block(d, "old")}'
            f'</td><td data-label="{new_label}">{renderer.block(d, "new")}</td></tr>'
            for d in diffs
        )
        head = "".join(f'<th scope="col">{escape(label)}</th>' for label in labels)
        html = (
            f'<table class="comparison side-by-side"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        html = (
            '<div class="comparison">'
            + "".join(renderer.block(d, "both") for d in diffs)
            + "</div>"
        )
    return Markup(html)  # noqa: S704 - every text above went through escape()


def render_texts(
    old: str | None,
    new: str | None,
    mode: Mode = "inline",
    author: str | None = None,
    depth: int = 1,
    labels: tuple[str, str] = ("Avant", "Après"),
) -> Markup:
    """Compare two Markdown texts and render the comparison (see ``render``).

    Cached by the texts' hashes: the texts compared are revisions and contributions,
    which never change, and comparing two large ones costs seconds (the revision page,
    the contribution page)."""
    old, new = old or "", new or ""
    if len(old) + len(new) < CACHE_FLOOR:
        return render(compare(old, new), mode, author, depth, labels)
    key = text_key("texts", old, new, mode, author, depth, labels)
    html = _cache.get(key)
    if html is None:
        html = str(render(compare(old, new), mode, author, depth, labels))
        _cache.put(key, html)
    return Markup(html)  # noqa: S704 - escaped by render, cached as it was


def render_text(text: str | None, depth: int = 1) -> Markup:
    """A Markdown text formatted by the same renderer, with no change marked (its
    headings ``depth`` levels below the page's: under a section's title, "#" is a
    sub-heading)."""
    text = text or ""
    key = text_key("text", text, depth) if len(text) >= CACHE_FLOOR else None
    cached = _cache.get(key) if key is not None else None
    if cached is not None:
        return Markup(cached)  # noqa: S704 - escaped when rendered, cached as it was
    renderer = _Renderer(None, depth)
    blocks = compare(text, text)
    html = f'<div class="formatted">{"".join(renderer.block(d, "new") for d in blocks)}</div>'
    if key is not None:
        _cache.put(key, html)
    return Markup(html)  # noqa: S704 - escaped above


def word_diff_texts(diffs: Iterable[ParagraphDiff]) -> tuple[str, str]:
    """The two texts a word diff was made of (its paragraphs, joined)."""
    old, new = [], []
    for paragraph in diffs:
        if paragraph.old_index is not None:
            old.append("".join(s.text for s in paragraph.spans if s.op != "insert"))
        if paragraph.new_index is not None:
            new.append("".join(s.text for s in paragraph.spans if s.op != "delete"))
    return "\n\n".join(old), "\n\n".join(new)


def render_word_diff(diffs: Iterable[ParagraphDiff], author: str | None = None) -> Markup:
    """A word diff (``workflows.text.diff.word_diff``) shown formatted."""
    old, new = word_diff_texts(diffs)
    return render(compare(old, new), author=author)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        compare_texts=render_texts,
        formatted_text=render_text,
        render_comparison=render,
        render_word_diff=render_word_diff,
    )
