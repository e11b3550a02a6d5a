"""Latency of the assistant's extractive path (no model), question by question.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_assistant.py
    .venv/bin/python bench/bench_assistant.py --questions ../shared/eval/public.jsonl --rounds 5

It ingests ../shared/corpus into a temporary COSIGNE_DATA_DIR (SQLite, tables from
Base.metadata.create_all), asks every question once to warm the caches (the corpus
statistics are counted on the first question, as in a fresh process), then times
``rounds`` passes over the questions through app.assistant.assistant().ask: the whole
path of one answer, understanding, search, re-ranking, calculation and writing.
Times are wall-clock milliseconds (time.perf_counter). Target: p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=str(SHARED / "eval" / "public.jsonl"))
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    questions = [
        json.loads(line)["q"]
        for line in Path(args.questions).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    corpus = Path(args.corpus)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))

    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["COSIGNE_DATA_DIR"] = data_dir
        os.environ.pop("COSIGNE_LLM", None)
        from sqlalchemy import create_engine

        from app import create_app
        from app.assistant.queries import assistant
        from app.kb import operations as kb
        from app.models import Base

        url = f"sqlite:///{Path(data_dir) / 'cosigne.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = create_app({"DATABASE_URL": url})
        with app.app_context():
            started = time.perf_counter()
            for entry in manifest["documents"]:
                path = corpus / entry["file"]
                kb.ingest(path.name, path.read_bytes(), entry["kind"], title=entry["title"])
            ingest_s = time.perf_counter() - started

            helper = assistant()
            started = time.perf_counter()
            helper.ask(questions[0])
            first_ms = (time.perf_counter() - started) * 1000
            for question in questions:
                helper.ask(question)

            times: list[float] = []
            for _ in range(args.rounds):
                for question in questions:
                    started = time.perf_counter()
                    helper.ask(question)
                    times.append((time.perf_counter() - started) * 1000)
        app.extensions["cosigne_engine"].dispose()

    print(
        f"machine: {platform.machine()} · Python {platform.python_version()} · {os.cpu_count()} CPU"
    )
    print(f"corpus: {len(manifest['documents'])} documents ingested in {ingest_s:.1f} s")
    print(f"first question of the process (corpus statistics counted): {first_ms:.0f} ms")
    print(
        f"extractive answers, {len(questions)} questions × {args.rounds} rounds: "
        f"p50 {percentile(times, 0.50):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
        f"max {max(times):.0f} ms, mean {statistics.fmean(times):.0f} ms"
    )
    return 0 if percentile(times, 0.95) < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
