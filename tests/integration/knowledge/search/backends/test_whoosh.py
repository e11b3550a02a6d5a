"""Several processes (as gunicorn workers) share one whoosh index: writers queue behind
the lock instead of failing, readers never see a half-written index."""

from __future__ import annotations

import multiprocessing
import traceback

from knowledge.search.backends.whoosh import WhooshIndex
from knowledge.search.index import search
from knowledge.types import SearchDocument

WRITERS = 2
PER_WRITER = 150


def _write(directory: str, writer: int, errors) -> None:
    try:
        index = WhooshIndex(directory)
        for batch in range(3):
            docs = [
                SearchDocument(
                    passage_id=writer * 10_000 + batch * 1000 + i,
                    document_id=writer * 100 + batch,
                    title=f"Document {writer}",
                    kind="guide",
                    status="en_vigueur",
                    locator=f"p. {i}",
                    heading="Concertation locative",
                    text=f"Le conseil de concertation locative examine le plan numéro {i} du lot {batch}.",
                )
                for i in range(PER_WRITER // 3)
            ]
            index.add(docs)
    except Exception:
        errors.put(f"writer {writer}: {traceback.format_exc()}")


def _read(directory: str, stop, errors, counts) -> None:
    try:
        index = WhooshIndex(directory)
        while not stop.is_set():
            hits, total = search(index, "conseil de concertation locative", limit=5)
            counts.put(total)
    except Exception:
        errors.put(f"reader: {traceback.format_exc()}")


def test_writers_queue_and_readers_see_whole_generations(tmp_path):
    directory = str(tmp_path / "index")
    WhooshIndex(directory)  # created once, as `db upgrade` + first ingest would
    context = multiprocessing.get_context("spawn")
    errors, counts, stop = context.Queue(), context.Queue(), context.Event()
    reader = context.Process(target=_read, args=(directory, stop, errors, counts))
    reader.start()
    writers = [context.Process(target=_write, args=(directory, w, errors)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
    stop.set()
    reader.join(60)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert not problems, "\n".join(problems)
    assert all(p.exitcode == 0 for p in writers + [reader])
    seen = []
    while not counts.empty():
        seen.append(counts.get())
    # Every read saw a whole number of committed batches (50 passages each), never a part.
    assert seen and all(total % (PER_WRITER // 3) == 0 for total in seen), sorted(set(seen))
    assert WhooshIndex(directory).count() == WRITERS * PER_WRITER
