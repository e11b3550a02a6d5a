"""`flask assistant ask`, as ../shared/eval/score.py drives it: one question a line, one
answer each, printed before the next question is read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import CORPUS, ROOT

needs_corpus = pytest.mark.skipif(
    not CORPUS.exists(),
    reason=f"reference corpus not found at {CORPUS} (shared/ is beside the repository)",
)


@needs_corpus
def test_cli_reads_one_question_per_line_and_answers_each_in_json(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kb", "ingest", str(CORPUS)]).exit_code == 0
    questions = [
        "Nous avons 30 plans d'apurement amiable pour 200 ménages en impayés de plus de trois "
        "mois : valeur de G.III ?",
        "",  # blank lines are skipped
        "Quelle est la recette de la tarte tatin ?",
        "Qu'est-ce que la vacance technique ?",
    ]
    result = runner.invoke(args=["assistant", "ask", "--json"], input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(answers) == 3
    calculation, outside, definition = answers
    assert calculation["indicator"]["code"] == "G.III"
    assert calculation["calculation"]["value"] == pytest.approx(15.0)
    assert outside["found"] is False and outside["sources"] == []
    assert definition["found"] is True and "démolition" in definition["answer"]
    assert all(a["mode"] == "extractive" for a in answers)


def test_cli_answers_one_question_as_text(app, guide):
    result = app.test_cli_runner().invoke(
        args=["assistant", "ask", "Qu'est-ce que la vacance technique ?"]
    )
    assert result.exit_code == 0, result.output
    assert "réhabilitation" in result.output and "[1] Guide de la vacance" in result.output


def test_the_command_prints_each_answer_before_reading_the_next_question(app, guide, tmp_path):
    """score.py pipes all its questions at once; an interactive caller waits for each
    answer: the command flushes after every line."""
    env = dict(
        os.environ,
        COSIGNE_DATA_DIR=app.config["DATA_DIR"],
        DATABASE_URL=app.config["DATABASE_URL"],
        SECRET_KEY="test",
    )
    env.pop("COSIGNE_LLM", None)
    flask = Path(sys.executable).with_name("flask")
    process = subprocess.Popen(
        [str(flask), "--app", "app", "assistant", "ask", "--json"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdin and process.stdout
        process.stdin.write("Qu'est-ce que la vacance technique ?\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())  # stdin still open
        assert first["found"] is True
        process.stdin.write("Quelle est la recette de la tarte tatin ?\n")
        process.stdin.close()
        second = json.loads(process.stdout.readline())
        assert second["found"] is False
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
