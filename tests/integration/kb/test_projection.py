"""The search index catches up with the database by itself (issue 13): a document stored
but never indexed (a crash between the two), or removed but left in the index, is put
right on the first request a process serves."""

from __future__ import annotations

import pytest

from app import create_app
from app.kb import operations
from app.kb.queries import index
from app.kb.queries import search as kb_search
from knowledge.search.index import IndexBusy
from knowledge.types import SearchDocument

TEXT = b"# Vente HLM\n\nLe plan de mise en vente des logements sociaux est joint.\n"
OTHER = b"# Concertation\n\nLe plan de concertation locative associe les locataires.\n"


def _found(app, words: str) -> list[int]:
    with app.app_context():
        return sorted({hit.document_id for hit in kb_search(words).hits})


def _another_process(app):
    # A new worker: the same database and data directory, its own index object and flag.
    return create_app({**app.config, "TESTING": True})


def test_a_document_stored_but_never_indexed_is_indexed_on_the_next_start(app, monkeypatch):
    def crash(self, documents):
        raise OSError("the worker died here")

    with app.app_context():
        kept, _created = operations.ingest("vente.md", TEXT, "guide")
        kept_id = kept.id
        monkeypatch.setattr(type(index()), "add", crash)
        with pytest.raises(OSError):
            operations.ingest("concertation.md", OTHER, "guide")
    monkeypatch.undo()
    assert _found(app, "concertation locative") == []  # stored, not searchable
    later = _another_process(app)
    assert later.test_client().get("/healthz").status_code == 200  # the first request
    with later.app_context():
        lost = [d for d in index().documents() if d != kept_id]
    assert len(lost) == 1 and _found(later, "concertation locative") == lost
    assert _found(later, "mise en vente") == [kept_id]  # left as it was


def test_a_document_removed_but_left_in_the_index_goes(app):
    with app.app_context():
        index().add(
            [
                SearchDocument(
                    passage_id=9_999,
                    document_id=4_242,
                    title="Fantôme",
                    kind="guide",
                    status="en_vigueur",
                    locator="",
                    heading="",
                    text="Un passage orphelin sur la vacance technique.",
                    indicator=None,
                )
            ]
        )
    assert _found(app, "vacance technique") == [4_242]
    later = _another_process(app)
    later.test_client().get("/login")
    assert _found(later, "vacance technique") == []
    with later.app_context():
        assert index().documents() == {}


def test_the_catch_up_can_be_turned_off(app):
    with app.app_context():
        index().add(
            [
                SearchDocument(
                    passage_id=1,
                    document_id=77,
                    title="T",
                    kind="guide",
                    status="en_vigueur",
                    locator="",
                    heading="",
                    text="Un passage.",
                    indicator=None,
                )
            ]
        )
    later = create_app({**app.config, "SEARCH_CATCH_UP": False})
    later.test_client().get("/login")
    with later.app_context():
        assert index().documents() == {77: 1}


def _stored_but_not_indexed(app, monkeypatch) -> None:
    def crash(self, documents):
        raise OSError("the worker died here")

    with app.app_context():
        monkeypatch.setattr(type(index()), "add", crash)
        with pytest.raises(OSError):
            operations.ingest("concertation.md", OTHER, "guide")
    monkeypatch.undo()


def test_an_index_busy_at_the_first_request_is_caught_up_at_a_later_one(app, monkeypatch):
    _stored_but_not_indexed(app, monkeypatch)
    later = _another_process(app)
    with later.app_context():
        backend = type(index())
    real_add = backend.add

    def busy(self, documents):
        raise IndexBusy("a rebuild holds the lock")

    monkeypatch.setattr(backend, "add", busy)
    assert later.test_client().get("/login").status_code == 200  # served all the same
    assert _found(later, "concertation locative") == []
    monkeypatch.setattr(backend, "add", real_add)
    later.test_client().get("/login")  # the next request tries again
    assert len(_found(later, "concertation locative")) == 1


def test_a_bug_in_the_catch_up_is_not_hidden(app, monkeypatch):
    _stored_but_not_indexed(app, monkeypatch)
    later = _another_process(app)

    def bug(self, documents):
        raise ValueError("a programming error")

    with later.app_context():
        monkeypatch.setattr(type(index()), "add", bug)
    later.testing = False  # the app's own error page, as in production
    response = later.test_client().get("/login")
    assert response.status_code == 500


def test_whoosh_s_lock_error_reaches_the_application_as_index_busy(app, monkeypatch):
    from whoosh.index import LockError  # noqa: PLC0415 (the backend's own error)

    from knowledge.search.backends import whoosh  # noqa: PLC0415

    monkeypatch.setattr(whoosh, "WRITER_TIMEOUT", 0.2)
    with app.app_context():
        backend = index()
        holder = backend._ix.writer()  # another writer holds the lock
        try:
            with pytest.raises(IndexBusy) as caught:
                backend.add([])
            assert isinstance(caught.value.__cause__, LockError)
        finally:
            holder.cancel()
