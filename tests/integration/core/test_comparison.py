"""The renderer of comparisons (app/comparison.py): safe whatever the texts hold,
accessible (what screen readers hear around changes), nested lists, tables, side by
side."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.comparison import render, render_text, render_texts, render_word_diff
from workflows.text.diff import word_diff
from workflows.text.richdiff import compare

HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The elements and attributes the renderer writes; anything else came from a text.
ELEMENTS = {
    "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "th", "td", "blockquote", "pre", "code", "hr", "br", "span", "ins", "del",
    "strong", "em", "s", "a",
}  # fmt: skip
ATTRIBUTES = {"class", "title", "href", "rel", "scope", "start", "data-label"}

hostile = st.lists(
    st.sampled_from(
        [
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"', "'", "&", "<", ">",
            "[lien](javascript:alert(1))", "[ici](https://a.example/\"onclick=\"x)",
            "**gras**", "## Titre", "- élément", "| a | b |\n|---|---|\n| c | d |", "\n\n",
            " ", "mot", "<b>", "`<i>`", "> cité", "```\n<x>\n```",
        ]
    ),
    max_size=12,
).map("".join)  # fmt: skip


class _Markup(HTMLParser):
    """The elements, attributes and link targets of some HTML, as a browser reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name == "href":
                self.hrefs.append(value or "")


@HYPOTHESIS
@given(hostile, hostile, st.sampled_from(["inline", "side-by-side"]), hostile)
def test_no_markup_of_a_text_gets_through(old: str, new: str, mode: str, author: str) -> None:
    markup = _Markup(str(render_texts(old, new, mode=mode, author=author)))
    assert markup.tags <= ELEMENTS
    assert markup.attributes <= ATTRIBUTES
    assert all(href.startswith(("https:", "mailto:")) for href in markup.hrefs)


def test_links_keep_only_safe_targets() -> None:
    html = str(render_texts("", '[site](https://a.example/?q=1&r="2") et [mail](mailto:x@y.fr)'))
    assert 'href="https://a.example/?q=1&amp;r=%222%22"' in html
    # Without a safe scheme, the words stay and the link goes.
    assert "<a " not in str(render_texts("", "[ici](ftp://a.example) [là](data:text/html,x)"))
    assert 'href="mailto:x@y.fr"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_screen_readers_hear_where_changes_begin_and_end() -> None:
    html = str(render_texts("Sur 46 communes.", "Sur 47 communes.", author="Sophie"))
    assert (
        '<del title="Suppression — Sophie"><span class="sr">[début de suppression] </span>46'
        in html
    )
    assert '47<span class="sr"> [fin d&#39;insertion]</span></ins>' in html
    whole = str(render_texts("", "Un paragraphe."))
    assert (
        '<p class="cmp-block cmp-insert"><span class="sr">Paragraphe ajouté : </span><ins>Un paragraphe.</ins></p>'
        in whole
    )


def test_nested_lists_and_numbering() -> None:
    html = str(
        render_texts(
            "3. un\n4. deux\n   - sous\n5. trois", "3. un\n4. deux\n   - sous\n   - autre\n5. trois"
        )
    )
    assert html.count("<ol") == 1 and html.count("<ul>") == 1
    assert '<ol class="cmp-block cmp-change" start="3">' in html
    assert (
        '<li class="cmp-equal">deux<ul><li class="cmp-equal">sous</li><li class="cmp-insert">'
        in html
    )


def test_side_by_side_shows_each_version_in_its_column() -> None:
    html = str(
        render(
            compare("Sur 46 communes.", "Sur 47 communes."),
            mode="side-by-side",
            labels=("Avant", "Après"),
        )
    )
    old, new = html.split('data-label="Avant">')[1].split('data-label="Après">')
    assert "46" in old and "<ins" not in old and "47" not in old
    assert "47" in new and "<del" not in new


def test_headings_sit_below_the_page_and_read_formatted() -> None:
    html = str(render_text("# Titre\n\n## Sous-titre\n\nTexte **gras**.", depth=2))
    assert '<h3 class="cmp-block cmp-equal">Titre</h3>' in html
    assert '<h4 class="cmp-block cmp-equal">Sous-titre</h4>' in html
    assert "<strong>gras</strong>" in html and "<ins" not in html


def test_a_word_diff_renders_as_its_two_texts_compared() -> None:
    old, new = "## Titre\n\n- a\n- b", "## Titre\n\n- a\n- c\n- b"
    assert render_word_diff(word_diff(old, new)) == render_texts(old, new)


def test_a_space_at_the_edge_of_a_change_sits_beside_it() -> None:
    html = str(render_texts("## Patrimoine", "## Patrimoine bâti"))
    assert 'Patrimoine <ins><span class="sr">[début d&#39;insertion] </span>bâti<span' in html
    # A change made of a space alone keeps it.
    assert "<del>" in str(render_texts("Un  mot.", "Un mot.")).replace(
        '<del><span class="sr">[début de suppression] </span>', "<del>"
    )
