"""Revisions compared as formatted text: the differences page inline and side by side,
what a revision changed on its own page, an edit that met a newer save, and the diff of
the API (its shape kept, its spans carrying whole figures)."""

from __future__ import annotations

from tests.conftest import api_client, edit_section, logged_in
from tests.factories import write
from tests.integration.contributions.helpers import RICH

OLD = RICH
NEW = (
    RICH.replace("8 400", "8 412")
    .replace("ans ;\n", "ans ;\n- délai de 15 jours ;\n")
    .replace("\n| 2025 | 120 |", "")
)


def _two_revisions(app, world) -> None:
    with app.app_context():
        write(world.section_id, world.users["redacteur"], OLD)  # revision 2
        write(world.section_id, world.users["redacteur"], NEW)  # revision 3


def _pages(app, world, *paths: str) -> list[str]:
    """The section's pages at ``paths`` (below /sections/<id>), revisions 2 and 3 saved."""
    _two_revisions(app, world)
    client = logged_in(app, "obs@obs.test")
    return [client.get(f"/sections/{world.section_id}{p}").get_data(as_text=True) for p in paths]


def test_the_diff_page_reads_as_the_text_with_its_changes(app, world):
    (html,) = _pages(app, world, "/diff?from=2&to=3")
    assert '<h3 class="cmp-block cmp-equal">Patrimoine</h3>' in html
    # The figure changes as a whole; the item added and the row removed say what they are.
    assert ">8 400<" in html and ">8 412<" in html
    assert '<li class="cmp-insert"><span class="sr">Élément de liste ajouté : </span>' in html
    assert '<tr class="cmp-delete"><td><span class="sr">Ligne supprimée : </span>' in html
    assert "1 élément de liste ajouté" in html and "1 ligne de tableau supprimée" in html
    assert "paragraphe modifié" in html  # the figure's paragraph
    assert "## Patrimoine" not in html and "| 2025" not in html
    assert "?vue=cote-a-cote" in html and "côte à côte" in html


def test_the_diff_page_side_by_side(app, world):
    (html,) = _pages(app, world, "/diff?from=2&to=3&vue=cote-a-cote")
    assert 'class="comparison side-by-side"' in html
    assert '<th scope="col">Révision 2</th><th scope="col">Révision 3</th>' in html
    old_column, new_column = (
        html.split('data-label="Révision 2">')[1].split("</td>")[0],
        html.split('data-label="Révision 3">')[1].split("</td>")[0],
    )
    assert "Patrimoine" in old_column and "Patrimoine" in new_column
    # Comparing other revisions keeps the side-by-side view; a link goes back inline.
    assert '<input type="hidden" name="vue" value="cote-a-cote">' in html
    assert "Voir les modifications dans le texte" in html
    # Each column shows its version: no insertion in the old one, no deletion in the new.
    for chunk in html.split('data-label="Révision 2">')[1:]:
        assert "<ins" not in chunk.split('data-label="Révision 3">')[0]
    for chunk in html.split('data-label="Révision 3">')[1:]:
        assert "<del" not in chunk.split('data-label="Révision 2">')[0]


def test_a_revision_page_marks_what_it_changed(app, world):
    html, plain = _pages(app, world, "/revisions/3", "/revisions/3?vue=texte")
    assert "Le texte de la révision 3, avec ce qu'elle change à la révision 2" in html
    assert '<li class="cmp-insert">' in html and ">8 412<" in html
    assert (
        "<ins" not in plain.split("<main")[1]
        and '<h3 class="cmp-block cmp-equal">Patrimoine</h3>' in plain
    )
    assert "délai de 15 jours" in plain and "| 2025" not in plain


def test_an_edit_meeting_a_newer_save_shows_the_difference_formatted(app, world):
    alice = logged_in(app, "redac@oph.test")
    bob = logged_in(app, "redac@oph.test")
    assert edit_section(bob, world.section_id, 1, OLD).status_code == 302
    response = edit_section(alice, world.section_id, 1, NEW)
    assert response.status_code == 409
    conflict = response.get_data(as_text=True).split("Une autre version a été enregistrée")[1]
    conflict = conflict.split("<details")[0]
    assert '<li class="cmp-insert">' in conflict and "## Patrimoine" not in conflict


def test_the_api_diff_keeps_its_shape_and_carries_whole_figures(app, world):
    _two_revisions(app, world)
    client, headers = api_client(app, "redac@oph.test")
    data = client.get(
        f"/api/sections/{world.section_id}/diff?from=2&to=3", headers=headers
    ).get_json()
    assert set(data) == {"from", "to", "stats", "paragraphs"}
    assert {"inserted_words", "deleted_words", "changed_paragraphs"} <= set(data["stats"])
    assert data["stats"]["inserted_items"] == 1 and data["stats"]["deleted_rows"] == 1
    for paragraph in data["paragraphs"]:
        assert set(paragraph) == {"op", "old_index", "new_index", "spans"}
    spans = [s for p in data["paragraphs"] for s in p["spans"]]
    assert {"op": "delete", "text": "8 400"} in spans and {"op": "insert", "text": "8 412"} in spans
