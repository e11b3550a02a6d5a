"""`flask import-docx`: the preview, then the import with authors mapped on the command line."""

from __future__ import annotations

import json

from tests.integration.word.helpers import counts, partner_document


def test_the_command_line_previews_and_imports(app, world, tmp_path):
    data = partner_document(
        app,
        world,
        "Unknown Author",
        "Premier texte, en ligne de commande.",
        "Premier texte de la section.",
    )
    path = tmp_path / "retour.docx"
    path.write_bytes(data)
    runner = app.test_cli_runner()
    args = [
        "import-docx",
        str(path),
        "--convention",
        str(world.convention_id),
        "--as",
        "redac@oph.test",
    ]
    before = counts(app)
    dry = runner.invoke(args=[*args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["authors"] == {"Unknown Author": None}
    unmapped = runner.invoke(args=args)
    assert unmapped.exit_code != 0 and "Unknown Author" in unmapped.output
    assert counts(app) == before
    done = runner.invoke(args=[*args, "--map", "Unknown Author=sign@epci.test"])
    assert done.exit_code == 0, done.output
    assert "1 contribution(s)" in done.output
