"""Query latency of the product's own search pipeline (and of any peer's search function)."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

from indexer import evaluate

FIELDS = ("summary", "message")
MAX_QUERY_CHARS = 1000  # the product's limit (indexer.query.MAX_QUERY_CHARS)
COLD_CHILD = ("import time; started = time.perf_counter(); "
              "from bench.queries import cold_child; cold_child(started)")

Search = Callable[[str], object]


def load_queries(questions: Path, limit: int | None = None) -> dict[str, list[str]]:
    """Dev questions as query texts per field (as evaluate defines them), message truncated."""
    return {f: [q.text[:MAX_QUERY_CHARS] for q in evaluate.load_questions(questions, f)][:limit]
            for f in FIELDS}


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(samples_ms: Sequence[float]) -> dict:
    """p50, p95, p99, max and mean of latencies in milliseconds."""
    if not samples_ms:
        return {"n": 0}
    return {"n": len(samples_ms), "p50": round(percentile(samples_ms, 50), 2),
            "p95": round(percentile(samples_ms, 95), 2),
            "p99": round(percentile(samples_ms, 99), 2), "max": round(max(samples_ms), 2),
            "mean": round(statistics.fmean(samples_ms), 2)}


def time_queries(search: Search, texts: Sequence[str], repeats: int) -> dict:
    """Warm-up pass, then `repeats` passes over all texts: latency distribution over all runs.

    When the search returns the product's SearchResults, the modes they ran in are counted
    (``modes``): a hybrid timing whose searches fell back to keyword says so.
    """
    for text in texts:
        try:
            search(text)
        except Exception:  # reported by the timed passes
            pass
    samples, errors, modes = [], [], Counter()
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            try:
                found = search(text)
            except Exception as exc:  # a query the engine rejects counts, it is not timed
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            samples.append((time.perf_counter() - started) * 1000)
            if isinstance(getattr(found, "mode", None), str):
                modes[found.mode] += 1
    out = {**distribution(samples), "errors": len(errors),
           "first_error": next(iter(errors), None), "queries": len(texts), "repeats": repeats}
    if modes:
        out["modes"] = dict(modes)
    return out


def product_search(index_dir: Path, term_cache: bool = True, mode: str = "keyword") -> Search:
    """The product's pipeline as the web page runs it: top 10 with highlighted fragments.

    Without the result cache: every timed search is computed (the passes repeat queries).
    With `term_cache` (as served) terms' scored postings are kept between searches; without
    it every search decodes and scores every posting it needs. `mode` is asked for explicitly
    (keyword or hybrid); in hybrid mode the process's remembered query embeddings
    (dense.query_vector) are forgotten before each search, so each one embeds its query.
    """
    from indexer.search import TERM_CACHE_POSTINGS
    from indexer.search import SearchIndex

    index = SearchIndex(index_dir, cache_size=0,
                        term_cache=TERM_CACHE_POSTINGS if term_cache else 0, mode=mode)
    if mode == "keyword":
        return lambda text: index.search(text, per_page=10, mode=mode)
    from indexer import dense

    def search(text: str):
        dense.query_vector.cache_clear()
        return index.search(text, per_page=10, mode=mode)

    return search


def embedding_search() -> Search:
    """The query embedding alone, as hybrid search computes it: ``dense.query_vector``'s own
    function (uncached) on the query's meaning text (with its synonyms, cut to the query token
    limit), with the process's one model. The meaning texts are worked out by time_queries'
    warm-up pass, so the timed passes time the embedding only."""
    from indexer import dense
    from indexer.query import parse

    embed = dense.query_vector.__wrapped__
    meaning: dict[str, str] = {}

    def search(text: str):
        text = text[:MAX_QUERY_CHARS]
        if text not in meaning:
            meaning[text] = parse(text).meaning_text
        return embed(meaning[text])

    return search


def hybrid_status(index_dir: Path) -> dict:
    """SearchIndex.modes() of the index: the default mode and whether hybrid can run (why not)."""
    from indexer.search import SearchIndex

    return SearchIndex(index_dir, cache_size=0).modes()


def cold_child(started: float) -> None:
    """Child entry: import, open SearchIndex(argv[1]), run query argv[2] twice; print JSON."""
    from indexer.search import SearchIndex

    imported = time.perf_counter()
    index = SearchIndex(sys.argv[1], cache_size=0)
    index.snapshot()
    opened = time.perf_counter()
    found = index.search(sys.argv[2], per_page=10)
    first = time.perf_counter()
    index.search(sys.argv[2], per_page=10)
    second = time.perf_counter()
    print(json.dumps({"import_ms": (imported - started) * 1000,
                      "open_ms": (opened - imported) * 1000,
                      "first_query_ms": (first - opened) * 1000,
                      "open_to_first_ms": (first - imported) * 1000,
                      "second_query_ms": (second - first) * 1000, "mode": found.mode}))


def first_query(index_dir: Path, text: str, runs: int, repo: Path) -> dict:
    """First query after start in fresh processes, in the index's default mode (as served;
    hybrid loads the model on the first query): medians over `runs` processes."""
    from bench.build import run_child

    figures = []
    for _ in range(runs):
        out, err, code, peak_mb = run_child(["-c", COLD_CHILD, str(index_dir), text], repo)
        if code != 0:
            raise SystemExit(f"bench: first-query process failed (exit {code}):\n{err[-3000:]}")
        figures.append({**json.loads(out.strip().splitlines()[-1]), "peak_rss_mb": peak_mb})
    modes = sorted({f.pop("mode") for f in figures})
    return {"runs": runs, "query": text[:80], "mode": "/".join(modes),
            **{k: round(statistics.median(f[k] for f in figures), 2) for k in figures[0]}}


def relevance(index_dir: Path, questions: Path, qrels: Path,
              mode: str = "keyword") -> dict[str, dict]:
    """nDCG@10 and friends of the built index per field, ranked as `qa-index eval` ranks, in
    `mode` (keyword or hybrid); each field also counts the modes its searches ran in
    (``modes``: hybrid falls back to keyword for quotes, AND/OR/NOT and the like)."""
    from indexer.search import SearchIndex

    index = SearchIndex(index_dir, cache_size=0, mode=mode)
    used: Counter = Counter()

    def rank(text: str) -> list[str]:
        found = index.search(text[:MAX_QUERY_CHARS], per_page=10, highlight=False, mode=mode)
        used[found.mode] += 1
        return [h.id for h in found.hits]

    def counted(field: str, figures: dict) -> None:
        figures["modes"] = dict(used)
        used.clear()

    return judge(rank, questions, qrels, counted)


def judge(rank: Callable[[str], list[str]], questions: Path, qrels: Path,
          after: Callable[[str, dict], None] | None = None) -> dict[str, dict]:
    """indexer.evaluate over both fields for any ranking function; `after(field, figures)` is
    called when each field is done."""
    judged = evaluate.load_qrels(qrels)
    out = {}
    for field in FIELDS:
        report = evaluate.evaluate(evaluate.load_questions(questions, field), judged, rank)
        out[field] = {"questions": report["questions"],
                      **{k: round(v, 4) for k, v in report["metrics"].items()},
                      **{k: round(v, 4) for k, v in report["coverage"].items()}}
        if after:
            after(field, out[field])
    return out
