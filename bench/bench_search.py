"""Benchmark of Cosigne's knowledge search: indexing throughput, query latency, quality.

Run by hand (not part of the test suite), from the project root:

    .venv/bin/python bench/bench_search.py                         # whoosh: 1k, 10k, 100k
    .venv/bin/python bench/bench_search.py --sizes 1000,10000      # smaller sizes only
    .venv/bin/python bench/bench_search.py --profile               # where a query's time goes
    .venv/bin/python bench/bench_search.py --backend postgres \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The passages are those of the real corpus (../shared/corpus, or --corpus), read with
knowledge.ingest.extract and cut with knowledge.ingest.passages as `kb ingest` does. An index of N
passages holds copies of them in which a few words (one in twenty) are replaced by words
drawn from the corpus itself, at their corpus frequency: vocabulary, term frequencies and
passage lengths stay those of real texts (random words would spread the postings thin and
flatter any engine). Passages are added in batches of 500, as `kb reindex` does, and the
throughput counts the commits and the final optimize() of `kb reindex` (whoosh merges its
segments, PostgreSQL vacuums its tables).

Query latency is wall-clock time of knowledge.search.search (planning, index, excerpts)
over about forty realistic French questions (the public ones and others of the same
kind), each asked once to warm up, then ROUNDS times: p50, p95 and max in milliseconds.
Retrieval quality is measured on the real corpus alone: for the public questions naming
phrases (``sources_any``), whether one is in the text of the first hit (hit@1) or of one
of the first five (hit@5), as ../shared/eval/score.py judges the assistant's sources.

whoosh indexes live in a temporary directory. With --backend postgres, a fresh schema is
created (options=-csearch_path=..., as bench/bench_revisions.py does), the index builds
its own table there through knowledge.search.backends.postgres.PostgresIndex(engine), and the
schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.ingest.extract import extract
from knowledge.ingest.passages import split_passages
from knowledge.search.index import SearchIndex, search
from knowledge.types import SearchDocument

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BATCH = 500  # as app/kb.py's INDEX_BATCH
ROUNDS = 3
CHANGED = 20  # one word in CHANGED is replaced in a copy

# Questions of the kind people ask (the public set's are read from public.jsonl too).
QUESTIONS = [
    "Quelle est la durée d'une convention d'utilité sociale ?",
    "Quels organismes sont concernés par la conclusion d'une CUS ?",
    "Combien de catégories de patrimoine est-il souhaitable de prévoir dans le classement ?",
    "Avant quelle date l'organisme doit-il envoyer sa convention au préfet du département ?",
    "La note d'enjeux du préfet est-elle obligatoire ?",
    "Quel est le rôle des DREAL dans les conventions d'utilité sociale ?",
    "Le non-respect d'un indicateur entraîne-t-il automatiquement une sanction ?",
    "Dans quelles zones la modulation du supplément de loyer de solidarité est-elle obligatoire ?",
    "Peut-on déroger au SLS en zone non tendue ?",
    "De combien peut-on relever les plafonds de ressources pour favoriser la mixité sociale ?",
    "Quelles associations de locataires peuvent signer des accords collectifs locaux ?",
    "Les représentants des locataires sont-ils consultés sur les charges locatives ?",
    "Combien de logements gère l'OPAC du Rhône ?",
    "Quelles prérogatives de puissance publique les offices peuvent-ils exercer ?",
    "Les indicateurs de performance de la convention sont-ils négociables ?",
    "Comment mesurer le taux de vacance de plus de trois mois ?",
    "Comment est calculé le coût de fonctionnement par logement géré ?",
    "À quelle fréquence les ascenseurs doivent-ils être visités ?",
    "Qu'est-ce qu'une mutation interne ?",
    "Comment calcule-t-on une valeur-cible en cumulé sur six ans ?",
    "Comment éviter l'essoufflement des conseils de concertation locative ?",
    "Quelle forme doit prendre la contractualisation entre un office et sa collectivité ?",
    "La CUS doit-elle tenir compte du PLH ?",
    "Quelles sont les deux parties du cahier des charges de gestion sociale ?",
    "Quelle est l'unité de mesure de l'indicateur I.I ?",
    "Qui sont les partenaires du plan de concertation locative ?",
    "Quelle majorité faut-il pour qu'un accord collectif proposé par le bailleur soit adopté ?",
    "Un logement occupé peut-il être vendu à une autre personne que son locataire ?",
    "indicateur f6",
]


# --- corpus -------------------------------------------------------------------------------


def load_corpus(corpus: Path) -> list[SearchDocument]:
    """The corpus's passages as `kb ingest` would index them (titles and kinds from
    manifest.json), with passage and document ids of their own."""
    manifest_path = corpus / "manifest.json"
    entries: dict[str, dict] = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = {entry["file"]: entry for entry in manifest.get("documents", [])}
    files = sorted(
        path
        for path in corpus.iterdir()
        if path.suffix.lower() in {".txt", ".md", ".docx", ".pdf"} or path.name in entries
    )
    documents: list[SearchDocument] = []
    for document_id, path in enumerate(files, start=1):
        entry = entries.get(path.name, {})
        title = entry.get("title") or path.stem.replace("-", " ")
        for passage in split_passages(extract(path.name, path.read_bytes())):
            documents.append(
                SearchDocument(
                    passage_id=len(documents) + 1,
                    document_id=document_id,
                    title=title,
                    kind=entry.get("kind", "autre"),
                    status="en_vigueur",
                    locator=passage.locator,
                    heading=" › ".join(passage.heading_path),
                    text=passage.text,
                    indicator=passage.indicator,
                )
            )
    return documents


_WORD = re.compile(r"[^\W\d_]{3,}")


def copies(base: list[SearchDocument], size: int, rng: random.Random) -> Iterator[SearchDocument]:
    """``size`` passages: the corpus's, then copies with one word in CHANGED replaced by a
    word of the corpus drawn at its frequency. Copy k of document d is document
    k × (number of documents) + d, so documents keep their passages together."""
    vocabulary = [word for doc in base for word in _WORD.findall(doc.text)]
    documents = max(doc.document_id for doc in base)
    for number in range(size):
        doc = base[number % len(base)]
        round_ = number // len(base)
        text = doc.text
        if round_:
            words = text.split(" ")
            for _ in range(max(1, len(words) // CHANGED)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            text = " ".join(words)
        yield replace(
            doc,
            passage_id=number + 1,
            document_id=round_ * documents + doc.document_id,
            text=text,
        )


def load_questions(eval_dir: Path) -> tuple[list[str], list[dict]]:
    """All questions to time, and the public ones that name source phrases."""
    public: list[dict] = []
    path = eval_dir / "public.jsonl"
    if path.exists():
        public = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    questions = [q["q"] for q in public] + QUESTIONS
    return list(dict.fromkeys(questions)), [q for q in public if q.get("sources_any")]


def norm(text: str) -> str:
    """As ../shared/eval/norm.py: accents folded, lower case, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("’", " ").replace("'", " ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# --- backends -----------------------------------------------------------------------------


@contextmanager
def whoosh_backend(tmp: Path) -> Iterator[Callable[[], SearchIndex]]:
    from knowledge.search.backends.whoosh import WhooshIndex

    counter = iter(range(1_000_000))
    yield lambda: WhooshIndex(tmp / f"index-{next(counter)}")


@contextmanager
def postgres_backend(database_url: str) -> Iterator[Callable[[], SearchIndex]]:
    try:
        from knowledge.search.backends.postgres import PostgresIndex
    except ImportError as exc:
        raise SystemExit(
            f"--backend postgres: knowledge.search.backends.postgres missing ({exc})"
        ) from exc
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"cosigne_bench_{secrets.token_hex(4)}"
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url)

    def fresh() -> SearchIndex:
        index = PostgresIndex(engine)
        index.clear()
        return index

    try:
        yield fresh
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- measures -----------------------------------------------------------------------------


def build(index: SearchIndex, documents: Iterator[SearchDocument], size: int) -> float:
    """Add ``size`` passages in batches; returns passages per second."""
    started = time.perf_counter()
    batch: list[SearchDocument] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) == BATCH:
            index.add(batch)
            batch = []
    if batch:
        index.add(batch)
    index.optimize()  # as kb reindex does
    return size / (time.perf_counter() - started)


def latencies(index: SearchIndex, questions: list[str]) -> list[float]:
    for question in questions:  # warm-up: caches, file pages, the searcher
        search(index, question)
    samples = []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            search(index, question)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def quality(index: SearchIndex, public: list[dict]) -> tuple[int, int, list[str]]:
    first = top5 = 0
    misses = []
    for question in public:
        hits, _total = search(index, question["q"], limit=5)
        phrases = [norm(p) for p in question["sources_any"]]
        ranks = [
            i
            for i, hit in enumerate(hits)
            if any(p in norm(f"{hit.text} {hit.excerpt}") for p in phrases)
        ]
        first += bool(ranks) and ranks[0] == 0
        top5 += bool(ranks)
        if not ranks or ranks[0]:
            misses.append(f"{question['id']} (rang {ranks[0] + 1 if ranks else '>5'})")
    return first, top5, misses


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description="Cosigne search benchmark")
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--database-url", help="PostgreSQL URL (a fresh schema is used)")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--eval", default=str(SHARED / "eval"), help="folder of public.jsonl")
    parser.add_argument("--profile", action="store_true", help="profile the largest size")
    args = parser.parse_args()
    if args.backend == "postgres" and not args.database_url:
        parser.error("--backend postgres needs --database-url")
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    base = load_corpus(Path(args.corpus))
    questions, public = load_questions(Path(args.eval))
    print(
        f"python {platform.python_version()} | cpus {os.cpu_count()} | "
        f"{platform.machine()} {platform.system()} | backend {args.backend} | corpus "
        f"{len(base)} passages, {len({d.document_id for d in base})} documents | "
        f"{len(questions)} questions × {ROUNDS} rounds",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cosigne-bench-search-") as tmp:
        backend = (
            postgres_backend(args.database_url)
            if args.backend == "postgres"
            else whoosh_backend(Path(tmp))
        )
        with backend as fresh:
            index = fresh()
            build(index, iter(base), len(base))
            first, top5, misses = quality(index, public)
            print(
                f"quality on the real corpus ({len(public)} public questions with "
                f"sources_any): hit@1 {first}/{len(public)}, hit@5 {top5}/{len(public)}"
                + (f"; not first: {', '.join(misses)}" if misses else ""),
                flush=True,
            )
            print(f"{'passages':>9} {'index/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
            for size in sizes:
                index = fresh()
                rate = build(index, copies(base, size, random.Random(size)), size)
                samples = latencies(index, questions)
                print(
                    f"{size:>9} {rate:>8.0f} {statistics.median(samples):>8.1f} "
                    f"{percentile(samples, 0.95):>8.1f} {max(samples):>8.1f}",
                    flush=True,
                )
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for question in questions:
                    search(index, question)
                profiler.disable()
                print(f"\nprofile of one round at {sizes[-1]} passages (cumulative):")
                pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(18)


if __name__ == "__main__":
    main()
