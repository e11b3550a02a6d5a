"""What the assistant keeps: each user's conversation (moved from the files of old), its
last exchanges only, the corpus statistics until the corpus changes."""

from __future__ import annotations

import json
from pathlib import Path

from app.assistant import engine, operations, queries
from app.kb import operations as kb


def test_a_conversation_kept_in_a_file_moves_into_the_database(app, world):
    user_id = world.users["redacteur"]
    folder = Path(app.config["DATA_DIR"]) / "assistant"
    folder.mkdir(parents=True, exist_ok=True)
    old = [
        {"question": "Ancienne question ?", "answer": "Réponse.", "sources": [], "section": None},
        {
            "question": "Depuis une section ?",
            "answer": "Oui.",
            "sources": [],
            "section": {"id": world.section_id, "title": "ancien titre"},
        },
    ]
    (folder / f"{user_id}.json").write_text(json.dumps(old), encoding="utf-8")
    with app.app_context():
        kept = queries.conversation(user_id)
        assert [e["question"] for e in kept] == ["Ancienne question ?", "Depuis une section ?"]
        assert kept[1]["section"]["id"] == world.section_id
        assert not (folder / f"{user_id}.json").exists()
        assert len(queries.conversation(user_id)) == 2  # moved once, not twice


def test_the_conversation_keeps_the_last_exchanges(app, world):
    user_id = world.users["redacteur"]
    with app.app_context():
        for number in range(operations.KEEP_EXCHANGES + 5):
            operations.remember(
                user_id, {"question": f"question {number}", "answer": "", "sources": []}
            )
        kept = queries.conversation(user_id)
    assert len(kept) == operations.KEEP_EXCHANGES
    assert kept[-1]["question"] == f"question {operations.KEEP_EXCHANGES + 4}"


def test_corpus_statistics_are_kept_until_the_corpus_changes(app, guide):
    with app.app_context():
        first = engine.corpus_stats()
        stored = Path(app.config["DATA_DIR"]) / "assistant" / "corpus-stats.json"
        assert stored.exists() and first.passages > 0
        app.extensions.pop("cosigne_corpus_stats")  # another process reads the file
        again = engine.corpus_stats()
        assert (again.passages, again.frequencies) == (first.passages, first.frequencies)
        kb.ingest("autre.md", b"# Autre\n\nLe plan de concertation locative.\n", "guide")
        assert engine.corpus_stats().passages > first.passages
