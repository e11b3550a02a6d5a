"""`flask --app app assistant ask [--json] [QUESTION]`: without QUESTION, one question per
line on standard input and one answer per line on standard output (JSON with ``--json``),
flushed after each, as ``../shared/eval/score.py`` drives it."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click
from flask.cli import AppGroup

from app.assistant import queries

log = logging.getLogger(__name__)

assistant_group = AppGroup("assistant", help="Assistant de rédaction : questions à la base.")


def _print_answer(answer: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(answer["answer"] + "\n")
        for source in answer.get("sources") or []:
            sys.stdout.write(f"  [{source['n']}] {source['title']} — {source['locator']}\n")
        if answer.get("sources"):
            sys.stdout.write("\n")
    sys.stdout.flush()


def _failure(question: str, error: Exception) -> dict[str, Any]:
    return {
        "answer": f"Erreur : {error}",
        "found": False,
        "mode": "extractive",
        "indicator": None,
        "calculation": None,
        "sources": [],
        "question": question,
        "error": str(error),
    }


@assistant_group.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Une réponse JSON par question.")
def ask_command(question: str | None, as_json: bool) -> None:
    """Pose QUESTION à l'assistant ; sans QUESTION, lit une question par ligne."""
    if question is not None:
        _print_answer(queries.assistant().ask(queries.clean_question(question)), as_json)
        return
    helper = queries.assistant()
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        try:
            answer = helper.ask(queries.clean_question(text))
        except Exception as exc:  # one bad question must not stop the others
            log.exception("question refusée : %s", text)
            answer = _failure(text, exc)
        _print_answer(answer, as_json)
