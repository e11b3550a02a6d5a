"""The reading view: the whole convention on one page, for every member; its content
(title page, sections in order with their state and reserves, rendered text, targets,
signatures), its search, its print stylesheet, and its bounded cost."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import event

from app.contributions.operations import open_thread
from app.conventions import pdf
from app.conventions import queries as convention_queries
from app.conventions.highlight import MAX_QUERY_CHARS, MAX_TERMS, terms_of
from app.db import db_session
from app.models import Convention
from app.review.queries import register
from app.sections import queries
from tests.conftest import logged_in
from tests.factories import write
from tests.integration.conventions.helpers import BODY, RESERVE, furnish, sign_convention

EMAILS = {
    "redacteur": "redac@oph.test",
    "signataire": "sign@epci.test",
    "associe": "asso@dep.test",
    "observateur": "obs@obs.test",
    "outsider": "autre@esh.test",
}


def _url(world, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/conventions/{world.convention_id}/document" + (f"?{query}" if query else "")


def _page(app, world, role="redacteur", **args) -> str:
    response = logged_in(app, EMAILS[role]).get(_url(world, **args))
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


class _Text(HTMLParser):
    """The text a reader sees, line by line as the blocks break it, and every tag."""

    BLOCKS = frozenset(
        [
            "p",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "dt",
            "dd",
            "td",
            "th",
            "tr",
            "div",
            "br",
            "ul",
            "ol",
            "table",
            "caption",
            "blockquote",
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def lines(self) -> list[str]:
        return [line.strip() for line in "".join(self.parts).split("\n") if line.strip()]


def _read(html: str) -> _Text:
    reader = _Text()
    reader.feed(html)
    reader.close()
    return reader


@pytest.mark.parametrize("role", ["redacteur", "signataire", "associe", "observateur"])
def test_every_member_reads_the_whole_convention(app, world, role):
    page = _page(app, world, role)
    assert "Premier texte de la section." in page


def test_a_non_member_is_refused_and_a_visitor_sent_to_log_in(app, world):
    assert logged_in(app, EMAILS["outsider"]).get(_url(world)).status_code == 403
    response = app.test_client().get(_url(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    outsider = logged_in(app, EMAILS["outsider"])
    assert outsider.get(f"/conventions/{world.convention_id}/document.pdf").status_code == 403


def test_the_convention_page_links_to_its_reading_view(app, world):
    page = logged_in(app, EMAILS["observateur"]).get(f"/conventions/{world.convention_id}")
    assert f'href="{_url(world)}"' in page.get_data(as_text=True)


def test_the_title_page_the_sections_in_order_their_state_targets_and_signatories(app, world):
    furnish(app, world)
    page = _page(app, world, "associe")
    lines = _read(page).lines()
    text = "\n".join(lines)
    # Title page: kind, title, organisme, period, stage, parties with their roles.
    assert "Convention d'utilité sociale (CUS)" in text and "CUS test" in lines
    assert "OPH Test" in lines and "2025–2030" in lines and "Négociation" in lines
    for party in (
        "OPH Test — Rédacteur",
        "EPCI Test — Signataire",
        "Département Test — Associé",
        "Obs — Observateur (à titre personnel)",
    ):
        assert party in lines, party
    # Every section in order, in the table of contents and as numbered headings.
    with app.app_context():
        titles = [s.title for s in queries.sections_with_current(world.convention_id)]
    headings = [line for line in lines if re.match(r"^\d+\. ", line)]
    assert headings == [f"{n}. {title}" for n, title in enumerate(titles, start=1)]
    toc = text.index("Sommaire")
    assert [text.index(t, toc) for t in titles] == sorted(text.index(t, toc) for t in titles)
    for title_id in re.findall(r'<a href="#(section-\d+)">', page):
        assert f'id="{title_id}"' in page
    # The first section: its state, the reserve on it (as the register has it), its text.
    assert "Validée · révision 2 du" in text
    with app.app_context():
        items = register(world.convention_id)
    assert [(i.party, i.text) for i in items] == [("EPCI Test", RESERVE)]
    assert f"Accord avec réserves — EPCI Test : {RESERVE}" in lines
    assert "Le parc compte 8 400 logements locatifs sociaux, dont 1 200 à réhabiliter." in lines
    assert "Cette section n'est pas encore rédigée." in lines  # the sections left empty
    # The target table and the signatures (none recorded yet).
    assert "F.VI — Taux de vacance de plus de trois mois" in text
    assert "F.VI — Loiret" in lines and "2,5 %" in lines
    assert "Signatures" in lines and "en attente" in lines


def test_the_text_is_rendered_never_raw_markdown(app, world):
    furnish(app, world)
    page = _page(app, world)
    reader = _read(page)
    lines = reader.lines()
    assert not [line for line in lines if line.startswith(("## ", "# ", "- ", "* ", "|"))]
    assert "**" not in "\n".join(lines) and "](" not in "\n".join(lines)
    tags = [tag for tag, _attrs in reader.tags]
    # The body's "##" sits under the section's own title (h2), the list and table are HTML.
    assert "<h3>Patrimoine</h3>" in page and "<strong>8 400 logements</strong>" in page
    assert "<li>réhabilitations thermiques ;</li>" in page and tags.count("table") >= 2
    assert '<a href="https://exemple.fr/quartier-prioritaire" title="Plan du quartier"' in page


def test_a_signed_convention_shows_its_signatures_and_fingerprint(app, world):
    furnish(app, world)
    sign_convention(app, world)
    with app.app_context():
        convention = db_session().get(Convention, world.convention_id)
        digest = convention.signed_sha256
    lines = _read(_page(app, world, "observateur")).lines()
    text = "\n".join(lines)
    assert "Signée" in text
    assert f"Empreinte SHA-256 du texte signé : {digest}" in text
    row = lines.index("EPCI Test")
    assert lines[row + 1] == "Signataire" and lines[row + 2].startswith("signée le ")
    assert lines[row + 3].startswith("Sign, le ")  # recorded by the signatory's user
    # The organisme signs too, on its own line.
    organisme = lines.index("OPH Test", row - 5)
    assert lines[organisme + 1] == "Organisme" and lines[organisme + 2].startswith("signée le ")
    assert lines[organisme + 3].startswith("Redac, le ")


# --- search ---------------------------------------------------------------------------


def test_a_stemmed_word_is_found_and_marked_with_links_to_each_hit(app, world):
    furnish(app, world)
    page = _page(app, world, q="logement")
    # "logements" twice in the first section (text and table head), nowhere else.
    assert '<strong>8 400 <mark id="hit-1">logements</mark></strong>' in page
    assert '<th><mark id="hit-2">Logements</mark></th>' in page
    assert page.count("<mark ") == 2
    results = page[page.index('id="resultats"') : page.index('id="sommaire"')]
    assert "<strong>2</strong> occurrences de « logement » dans 1 section." in results
    assert '<a href="#hit-1">1. État des lieux</a> — 2 occurrences' in results


def test_accents_and_case_do_not_matter(app, world):
    furnish(app, world)
    page = _page(app, world, q="REHABILITATION")
    assert '<li><mark id="hit-2">réhabilitations</mark> thermiques ;</li>' in page
    assert '<mark id="hit-1">réhabiliter</mark>' in page


def test_a_word_only_in_a_link_target_or_a_title_attribute_is_not_marked(app, world):
    furnish(app, world)
    for word in ("quartier", "exemple"):
        page = _page(app, world, q=word)
        assert "<mark" not in page
        assert '<a href="https://exemple.fr/quartier-prioritaire" title="Plan du quartier"' in page
        assert "<strong>0</strong> occurrence de" in page
    # A word both in the link's text and in its target: only the text is marked.
    page = _page(app, world, q="plan")
    assert (
        '<a href="https://exemple.fr/quartier-prioritaire" title="Plan du quartier" '
        'rel="noopener noreferrer nofollow">le <mark id="hit-1">plan</mark> stratégique</a>'
    ) in page
    # No mark anywhere inside a tag.
    assert not re.search(r"<[^>]*<mark", page)


def test_what_is_typed_comes_back_escaped(app, world):
    furnish(app, world)
    typed = "<script>alert('logement')</script>"
    response = logged_in(app, EMAILS["redacteur"]).get(_url(world), query_string={"q": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in page and "alert('logement')" not in page
    assert 'value="&lt;script&gt;alert(&#39;logement&#39;)&lt;/script&gt;"' in page
    assert '<mark id="hit-1">logements</mark>' in page  # the word typed is still looked for


def test_a_query_of_common_words_only_says_so(app, world):
    page = _page(app, world, q="le+de+et")
    assert "Aucun mot à chercher dans « le de et »" in page and "<mark" not in page


def test_long_queries_are_cut(app, world):
    words = " ".join(f"mot{n}" for n in range(40))
    terms = terms_of(words)
    assert len(terms.words) == MAX_TERMS and terms.cut
    assert len(terms_of("logement " * 100).text) == MAX_QUERY_CHARS
    page = _page(app, world, q=words.replace(" ", "+"))
    assert f"La recherche porte sur les {MAX_TERMS} premiers mots." in page


def test_the_discussions_are_searched_when_asked(app, world):
    # The world's discussion, by the associé: "Une question sur ce passage." (on "texte").
    without = _page(app, world, q="questions")
    assert "Dans les discussions" not in without and "<mark" not in without
    page = _page(app, world, "observateur", q="questions", discussions=1)
    results = page[page.index('id="resultats"') : page.index('id="sommaire"')]
    assert "checked" in page[page.index('name="discussions"') :][:80]
    assert "<strong>0</strong> occurrence de « questions » dans 0 section et 1 discussion." in (
        results
    )
    link = f'href="/sections/{world.section_id}#fil-{world.thread_id}"'
    assert link in results and "Discussion sur « État des lieux »" in results
    assert '<p>Une <mark id="hit-1">question</mark> sur ce passage.</p>' in results
    # The quoted passage is searched too, and marked.
    page = _page(app, world, q="texte", discussions=1)
    assert '<blockquote class="quote">« <mark id="hit-' in page


def test_the_discussions_of_a_contribution_link_to_it(app, world):
    with app.app_context():
        open_thread(
            world.section_id,
            world.user("signataire"),
            "Le calendrier des démolitions manque.",
            contribution_id=world.contribution_id,
        )
    page = _page(app, world, q="démolition", discussions=1)
    assert f'href="/contributions/{world.contribution_id}#fil-' in page
    assert f"contribution n° {world.contribution_id}" in page


# --- print, PDF link, cost --------------------------------------------------------------


def test_the_print_stylesheet_is_linked_and_hides_the_application(app, world):
    page = _page(app, world)
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page
    css = app.test_client().get("/static/print.css").get_data(as_text=True)
    assert "@page" in css and ".top, .crumbs, .foot" in css and "display: none" in css
    assert "break-before: page" in css and "a[href]::after { content: none" in css
    # The search, the links to the application and the PDF button are not printed.
    assert 'class="document-tools noprint"' in page


def test_the_pdf_link_or_why_there_is_none(app, world):
    with app.app_context():
        available = pdf.command() is not None  # LibreOffice on this machine
    link = f'href="/conventions/{world.convention_id}/document.pdf"'
    assert (link in _page(app, world)) is available
    app.config["SOFFICE_COMMAND"] = "cosigne-no-such-soffice"
    page = _page(app, world).replace("&#39;", "'")
    assert link not in page
    assert "Le PDF n'est pas disponible sur ce serveur : LibreOffice n'y est pas installé." in page


def _count_queries(app, convention_id: int) -> int:
    engine = app.extensions["cosigne_engine"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.test_request_context():
        convention = db_session().get(Convention, convention_id)
        event.listen(engine, "before_cursor_execute", count)
        try:
            convention_queries.document_page(convention, "logement", in_discussions=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_page_costs_the_same_few_queries_whatever_the_number_of_sections(app, world):
    furnish(app, world)
    small = _count_queries(app, world.convention_id)
    with app.app_context():
        drafter = world.user("redacteur")
        for section in queries.sections_with_current(world.convention_id):
            write(section.id, drafter, BODY + "\n\nEncore un paragraphe.")
    assert _count_queries(app, world.convention_id) == small <= 12
