"""A section's text past its limits is refused at the door with nothing written; a text
at the limits saves and its pages show it whole."""

from __future__ import annotations

from app.sections import queries
from tests.conftest import edit_section, logged_in
from workflows.limits import MAX_NESTING, MAX_TABLE_COLUMNS


def revision_count(app, section_id: int) -> int:
    with app.app_context():
        return queries.revision_count(section_id)


def test_emphasis_marks_and_a_huge_table_are_refused_and_nothing_is_written(app, world):
    client = logged_in(app, "redac@oph.test")
    before = revision_count(app, world.section_id)
    marks = edit_section(client, world.section_id, 1, "_*" * 499_000)
    assert marks.status_code == 413 and "marques de mise en forme" in marks.get_data(as_text=True)
    wide = "|" + "a|" * 100_000 + "\n|" + "-|" * 100_000
    refused = edit_section(client, world.section_id, 1, wide)
    assert refused.status_code == 413
    assert f"{MAX_TABLE_COLUMNS} colonnes" in refused.get_data(as_text=True)
    assert revision_count(app, world.section_id) == before


def test_a_text_at_the_limits_saves_and_shows_whole(app, world):
    client = logged_in(app, "redac@oph.test")
    deepest = "\n".join("  " * k + f"- niveau{k + 1}" for k in range(MAX_NESTING))
    header = "|" + "".join(f" col{k} |" for k in range(MAX_TABLE_COLUMNS))
    wide = f"{header}\n|{'---|' * MAX_TABLE_COLUMNS}\n|{' v |' * MAX_TABLE_COLUMNS}"
    filler = "\n\n".join(f"Le bailleur réhabilite {k} logements." for k in range(1_000))
    body = f"{deepest}\n\n{wide}\n\n{filler}"
    response = edit_section(client, world.section_id, 1, body)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert revision_count(app, world.section_id) == 2
    for _ in range(2):  # the second time from the cache, the same page
        page = client.get(f"/sections/{world.section_id}").get_data(as_text=True)
        assert f"niveau{MAX_NESTING}" in page and f"col{MAX_TABLE_COLUMNS - 1}" in page
        assert "réhabilite 999 logements" in page
    revision = client.get(f"/sections/{world.section_id}/revisions/2")
    assert revision.status_code == 200 and f"niveau{MAX_NESTING}" in revision.get_data(as_text=True)
