"""The numpy sentence-embedding model against sentence-transformers' own vectors, exact
nearest neighbours, the embedding files, and the fusion of keyword and dense scores.

The reference vectors in ``fixtures/semantic/reference.json`` were computed once with
sentence-transformers and torch (``scripts/reference_embeddings.py``); nothing here needs
torch. Tests that need the ``semantic`` extra skip, saying so, when it is not installed; the
fusion and the fallback without the extra are tested either way.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from conftest import FIXTURES
from conftest import REPO

from indexer import semantic

REFERENCE = FIXTURES / "semantic" / "reference.json"
MISSING = semantic.available()
needs_extra = pytest.mark.skipif(
    MISSING is not None, reason=f"semantic search not testable: {MISSING}")
needs_numpy = pytest.mark.skipif(
    semantic.np is None, reason="numpy is not installed (make semantic)")


@pytest.fixture(scope="module")
def embedder():
    return semantic.Embedder()


@pytest.fixture(scope="module")
def references() -> list[dict]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["references"]


# --- the model ----------------------------------------------------------------------------


@needs_extra
def test_every_vector_matches_sentence_transformers(embedder, references):
    np = semantic.np
    vectors = embedder.embed([r["text"] for r in references], batch_size=8)
    expected = np.array([r["embedding"] for r in references], dtype=np.float64)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)  # undo the 6-decimal rounding
    cosines = (vectors.astype(np.float64) * expected).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= 0.999, f"cosine {cosines[worst]:.6f} for {references[worst]['text']!r}"


@needs_extra
def test_the_references_cover_truncation_at_the_models_limit(embedder, references):
    assert embedder.max_seq_length == 256
    long_texts = [r["text"] for r in references if r["tokens"] > embedder.max_seq_length]
    assert long_texts, "the fixture should hold a text longer than the model's limit"
    for text in long_texts:
        assert len(embedder.tokenizer.encode(text).ids) == embedder.max_seq_length


@needs_extra
def test_batching_and_padding_do_not_change_a_vector(embedder, references):
    np = semantic.np
    texts = [r["text"] for r in references[::3]]
    together = embedder.embed(texts, batch_size=4)
    alone = np.vstack([embedder.embed([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5


@needs_extra
def test_embeddings_are_unit_float32_rows_in_input_order(embedder):
    np = semantic.np
    done = []
    texts = ["What is CAR-T?", "a much longer question about BCMA in multiple myeloma", "CD7"]
    vectors = embedder.embed(texts, batch_size=2, progress=done.append)
    assert vectors.shape == (3, semantic.DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-6)
    assert np.allclose(vectors[2], embedder.embed(["CD7"])[0], atol=1e-6)
    assert sum(done) == 3
    assert embedder.embed([]).shape == (0, semantic.DIMENSION)


@needs_extra
def test_threads_sharing_one_embedder_get_the_same_vectors(embedder, references):
    from concurrent.futures import ThreadPoolExecutor

    np = semantic.np
    texts = [r["text"] for r in references[:12]] * 3
    alone = [embedder.embed([text])[0] for text in texts]
    with ThreadPoolExecutor(4) as pool:  # the web app's 4 threads per worker
        shared = list(pool.map(lambda text: embedder.embed([text])[0], texts))
    assert max(np.abs(a - b).max() for a, b in zip(alone, shared, strict=True)) < 1e-6


@needs_extra
def test_related_questions_are_closer_than_unrelated_ones(embedder):
    question, paraphrase, other = embedder.embed([
        "What are the side effects of CAR-T therapy?",
        "Which adverse events follow chimeric antigen receptor T-cell treatment?",
        "How do I renew my passport?",
    ])
    assert question @ paraphrase > question @ other + 0.3


@needs_numpy
def test_gelu_is_the_exact_erf_gelu():
    np = semantic.np
    xs = np.linspace(-8, 8, 4001, dtype=np.float32)
    exact = [0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs.tolist()]
    assert np.abs(semantic.gelu(xs.copy()) - np.array(exact)).max() < 1e-6
    # the tanh approximation differs by ~1e-3 at |x| ~ 2: the test can tell them apart
    tanh = 0.5 * xs * (1 + np.tanh(math.sqrt(2 / math.pi) * (xs + 0.044715 * xs**3)))
    assert np.abs(tanh - np.array(exact)).max() > 1e-4


# --- availability -------------------------------------------------------------------------


def test_available_names_what_is_missing(monkeypatch):
    real = semantic.importlib.util.find_spec
    monkeypatch.setattr(semantic.importlib.util, "find_spec",
                        lambda name: None if name == "tokenizers" else real(name))
    reason = semantic.available()
    assert reason and "tokenizers" in reason and "[semantic]" in reason


def test_the_module_imports_without_numpy():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from indexer import semantic\n"
            "print(semantic.available())\n"
            "print(semantic.fuse({'a': 2.0, 'b': 1.0}, {'b': 0.9, 'c': 0.1})[0][0])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=True)
    reason, best = result.stdout.splitlines()
    assert "missing numpy" in reason
    assert best == "b"


# --- nearest neighbours and the embedding files --------------------------------------------


def _unit_rows(np, rows):
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@needs_numpy
def test_nearest_ranks_rows_by_cosine():
    np = semantic.np
    matrix = _unit_rows(np, [[1, 0], [0, 1], [1, 1], [-1, 0], [1, 0.2]])
    indices, scores = semantic.nearest(matrix, _unit_rows(np, [[1, 0.1]])[0], 3)
    assert indices.tolist() == [4, 0, 2]
    assert scores == pytest.approx(sorted(matrix[[4, 0, 2]] @ _unit_rows(np, [[1, 0.1]])[0],
                                          reverse=True), abs=1e-6)


@needs_numpy
def test_nearest_keeps_row_order_for_ties_and_clamps_k():
    np = semantic.np
    matrix = _unit_rows(np, [[0, 1], [1, 0], [0, 1], [1, 0], [1, 0]])
    query = np.array([1, 0], dtype=np.float32)
    assert semantic.nearest(matrix, query, 2)[0].tolist() == [1, 3]
    assert semantic.nearest(matrix, query, 50)[0].tolist() == [1, 3, 4, 0, 2]
    indices, scores = semantic.nearest(matrix, query, 0)
    assert indices.size == 0 and scores.size == 0


@needs_numpy
def test_nearest_equals_a_full_sort_on_random_vectors():
    np = semantic.np
    rng = np.random.default_rng(8)
    matrix = _unit_rows(np, rng.normal(size=(500, 16)))
    query = _unit_rows(np, rng.normal(size=(1, 16)))[0]
    indices, scores = semantic.nearest(matrix, query, 25)
    assert indices.tolist() == np.argsort(-(matrix @ query), kind="stable")[:25].tolist()
    assert np.all(np.diff(scores) <= 0)


@needs_numpy
def test_saved_matrix_loads_memory_mapped_with_its_ids(tmp_path):
    np = semantic.np
    matrix = _unit_rows(np, np.arange(1, 13).reshape(4, 3))
    path = tmp_path / "questions.npy"
    semantic.save_matrix(path, ["a", "b", "ç", "d d"], matrix)
    ids, loaded = semantic.load_matrix(path)
    assert ids == ["a", "b", "ç", "d d"]
    assert isinstance(loaded, np.memmap) and not loaded.flags.writeable
    assert np.array_equal(loaded, matrix)
    assert semantic.nearest(loaded, matrix[2], 1)[0].tolist() == [2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["questions.npy",
                                                          "questions.npy.ids.json"]


@needs_numpy
def test_matrix_and_ids_must_agree(tmp_path):
    np = semantic.np
    path = tmp_path / "m.npy"
    with pytest.raises(ValueError):
        semantic.save_matrix(path, ["a"], np.zeros((2, 3), dtype=np.float32))
    semantic.save_matrix(path, ["a", "b"], np.zeros((2, 3), dtype=np.float32))
    (tmp_path / "m.npy.ids.json").write_text('{"ids": ["a"]}', encoding="utf-8")
    with pytest.raises(ValueError):
        semantic.load_matrix(path)


# --- fusion -------------------------------------------------------------------------------


def _z(values):
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return [(v - mean) / spread for v in values]


def test_fuse_mixes_z_scores_linearly():
    bm25 = {"a": 12.0, "b": 8.0, "c": 1.0}
    dense = {"a": 0.50, "b": 0.70, "c": 0.60}
    zb, zd = _z(list(bm25.values())), _z(list(dense.values()))
    expected = {key: 0.25 * zb[i] + 0.75 * zd[i] for i, key in enumerate(bm25)}
    fused = semantic.fuse(bm25, dense)
    assert [key for key, _ in fused] == sorted(expected, key=expected.get, reverse=True)
    assert dict(fused) == pytest.approx(expected)


def test_a_candidate_missing_from_a_list_cut_short_gets_its_lowest_z_score():
    bm25 = {"a": 10.0, "b": 5.0, "c": 1.0}
    dense = {"b": 0.8, "d": 0.4}
    zb, zd = _z([10.0, 5.0, 1.0]), _z([0.8, 0.4])
    fused = dict(semantic.fuse(bm25, dense, weight_bm25=0.5))
    assert fused["a"] == pytest.approx(0.5 * zb[0] + 0.5 * min(zd))
    assert fused["c"] == pytest.approx(0.5 * zb[2] + 0.5 * min(zd))
    assert fused["d"] == pytest.approx(0.5 * min(zb) + 0.5 * zd[1])
    assert fused["b"] == pytest.approx(0.5 * zb[1] + 0.5 * zd[0])


def test_a_complete_list_scores_its_missing_candidates_at_the_known_score():
    # every keyword match is listed (the rest score 0); every pair above the floor 0.35 too
    bm25 = {"a": 10.0, "b": 5.0}
    dense = {"b": 0.8, "d": 0.4}
    zb, zd = _z([10.0, 5.0, 0.0]), _z([0.8, 0.4, 0.35])
    fused = dict(semantic.fuse(bm25, dense, weight_bm25=0.5, missing=(0.0, 0.35)))
    assert fused["a"] == pytest.approx(0.5 * zb[0] + 0.5 * zd[2])
    assert fused["b"] == pytest.approx(0.5 * zb[1] + 0.5 * zd[0])
    assert fused["d"] == pytest.approx(0.5 * zb[2] + 0.5 * zd[1])


def test_a_lone_keyword_match_still_counts_when_the_list_is_complete():
    # alone, its z-score would be 0, the same as a pair matching nothing: only meaning would rank
    dense = {"near": 0.9, "only": 0.6}
    assert semantic.fuse({"only": 7.0}, dense, 0.5)[0][0] == "near"
    fused = semantic.fuse({"only": 7.0}, dense, 0.5, missing=(0.0, 0.35))
    assert [key for key, _ in fused] == ["only", "near"]
    assert dict(fused)["only"] > dict(fused)["near"]
    # two one-item lists cancel out (z = +1 and -1 each): the keyword match goes first
    fused = semantic.fuse({"b": 5.0}, {"a": 0.9}, 0.5, missing=(0.0, 0.35))
    assert fused == [("b", pytest.approx(0.0)), ("a", pytest.approx(0.0))]


def test_fusion_weight_one_or_zero_keeps_one_lists_order():
    bm25 = {"a": 3.0, "b": 2.0, "c": 1.0}
    dense = {"c": 0.9, "b": 0.5, "a": 0.1}
    assert [key for key, _ in semantic.fuse(bm25, dense, weight_bm25=1.0)] == ["a", "b", "c"]
    assert [key for key, _ in semantic.fuse(bm25, dense, weight_bm25=0.0)] == ["c", "b", "a"]


def test_fuse_with_flat_or_empty_lists():
    assert semantic.fuse({}, {}) == []
    assert [key for key, _ in semantic.fuse({}, {"x": 0.2, "y": 0.9})] == ["y", "x"]
    # all-equal scores carry no ranking information: z = 0 for all, ties broken by id
    assert semantic.fuse({"b": 4.0, "a": 4.0}, {}) == [("a", 0.0), ("b", 0.0)]
    fused = semantic.fuse({"only": 7.0}, {"only": 0.3, "other": 0.1})
    assert [key for key, _ in fused] == ["only", "other"]
    # equal matches of a complete list still rank above what matched nothing
    fused = dict(semantic.fuse({"b": 4.0, "a": 4.0}, {"c": 0.5}, missing=(0.0, None)))
    assert fused["a"] == fused["b"] > fused["c"]
