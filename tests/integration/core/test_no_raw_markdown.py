"""No page a user reads shows raw Markdown: headings' hashes, list markers and emphasis
are rendered wherever text is read, compared or signed.

Every page a member can open (the routes of the URL map, as in the access matrix) is
rendered with sections written in rich Markdown, a contribution changing a heading, a list
item and a table cell, a discussion on a passage, and a signed convention; the text a
reader sees (what is in forms' fields and in source views aside) must hold no marker."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from app.contributions.operations import create_contribution, open_thread
from app.lifecycle.operations import sign, transition
from tests.conftest import logged_in
from tests.factories import set_state, url_for_rule, write
from workflows.lifecycle import ConventionState

RICH = (
    "## Patrimoine\n\n"
    "Val de Loire Habitat gère **8 412 logements** répartis sur *46 communes*.\n\n"
    "### Occupation\n\n"
    "- le taux de vacance atteint 2,1 % ;\n"
    "- la rotation, 9 %.\n\n"
    "1. d'abord le diagnostic ;\n"
    "2. ensuite les orientations.\n\n"
    "| Indicateur | Valeur |\n| --- | --- |\n| F.VI | 2,1 % |\n\n"
    "> Une citation.\n"
)
PROPOSAL = (
    RICH.replace("## Patrimoine", "## Patrimoine et occupation")
    .replace("la rotation, 9 %", "la rotation, 8 %")
    .replace("| F.VI | 2,1 % |", "| F.VI | 2,0 % |")
)

# Markers as they would read if left unrendered: at a line's start for blocks, around
# words for emphasis.
MARKERS = [
    re.compile(r"(?m)^\s*#{1,6} \S"),
    re.compile(r"(?m)^\s*[-*+] \S"),
    re.compile(r"\*\*\S[^*]*\S\*\*|__\S[^_]*\S__"),
    re.compile(r"(?<![\w*])\*\S[^*\n]*\S\*(?![\w*])"),
    re.compile(r"(?m)^\s*\|.*\|\s*$"),
    re.compile(r"(?m)^\s*> \S"),
]
VOID_TAGS = {"br", "img", "input", "hr", "meta", "link", "col", "wbr", "source"}
SKIPPED_TAGS = {"textarea", "pre", "code", "script", "style", "option", "select", "title"}


class _Text(HTMLParser):
    """The text of a page as a reader sees it, one line per block: fields, scripts and
    the Markdown source views (``pre``, ``.markdown-source``, the syntax their label
    explains) aside."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipped: list[str] = []  # the open tags of a skipped element, outermost first

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.skipped or tag in SKIPPED_TAGS or "markdown-source" in classes:
            if tag not in VOID_TAGS:
                self.skipped.append(tag)
        elif tag in {"p", "li", "h1", "h2", "h3", "h4", "tr", "br", "div", "td", "th"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipped and self.skipped[-1] == tag:
            self.skipped.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipped:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def _offending(app, world, client, contribution_id: int) -> tuple[int, list[str]]:
    """(pages read, markers found) over every GET page of the world's convention."""
    offending: list[str] = []
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")):
            continue
        if rule.endpoint.startswith("accounts.") or rule.arguments & {"filename"}:
            continue
        with app.app_context():
            url = url_for_rule(rule, world)
        if rule.endpoint == "contributions.show":
            url = f"/contributions/{contribution_id}"
        elif "number" in rule.arguments:  # the revision in rich Markdown, not the first
            url = url.replace("/revisions/1", "/revisions/2")
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        checked += 1
        text = _visible_text(response.get_data(as_text=True))
        for marker in MARKERS:
            found = marker.search(text)
            if found:
                offending.append(f"{url}: {found.group(0).strip()[:60]!r}")
    return checked, offending


def test_no_page_shows_raw_markdown(app, world):
    with app.app_context():
        write(world.section_id, world.user("redacteur"), RICH)
        contribution_id = create_contribution(
            world.section_id, world.user("associe"), 2, PROPOSAL, "Préciser."
        ).id
        open_thread(world.section_id, world.user("associe"), "**Source** ?", "8 412 logements")
    client = logged_in(app, "redac@oph.test")
    checked, offending = _offending(app, world, client, contribution_id)
    assert checked >= 20, checked  # the crawl reached the convention's pages
    # The same convention signed: its signed text, reading view and register.
    with app.app_context():
        set_state(world.convention_id, ConventionState.TRANSMISE)
        sign(world.convention_id, world.user("signataire"), None, date.today())
        sign(world.convention_id, world.user("redacteur"), None, date.today())  # the organisme
        transition(world.convention_id, world.user("redacteur"), "signee")
    signed_checked, signed_offending = _offending(app, world, client, contribution_id)
    assert signed_checked >= 20, signed_checked
    found = offending + [f"(signée) {line}" for line in signed_offending]
    assert not found, "\n".join(found)
