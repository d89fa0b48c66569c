"""Measure the numpy embedding model on MedQuAD: index-time cost, query latency, memory.

Issue 8's bars: the 17,908 MedQuAD questions embedded in <= 120 s, a query embedded in
<= 8 ms (p50), and a worker with the embeddings loaded in <= 400 MB. This prints those
figures for this machine::

    python scripts/semantic_figures.py                       # ../shared/data/medquad-eval
    python scripts/semantic_figures.py --save /tmp/questions.npy --index instance/index

With ``--save`` the question matrix is written there and a fresh process measures what a
worker holds: the model and the memory-mapped matrix, and with ``--index`` that search index
too, after running the dev questions through both. The data is
read from the shared folder at run time and never copied.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer import semantic  # noqa: E402  (after the path, so that it runs from a checkout)
from indexer.evaluate import load_questions  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "medquad-eval"


def rss_mb() -> float:
    """Resident set size now (not the peak: loading briefly maps the weights file too)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the dev questions")
    parser.add_argument("--save", type=Path, help="keep the question matrix here (.npy)")
    parser.add_argument("--index", type=Path, help="also open this search index (RSS)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if reason := semantic.available():
        sys.exit(reason)
    if args.worker:
        worker(args.worker, args.data, args.index)
        return

    started = time.perf_counter()
    embedder = semantic.Embedder()
    print(f"model loaded in {time.perf_counter() - started:.2f} s, RSS {rss_mb():.0f} MB")

    rows = [json.loads(line) for line in (args.data / "corpus.jsonl").open(encoding="utf-8")]
    ids, questions = [row["id"] for row in rows], [row["question"] for row in rows]
    del rows
    started = time.perf_counter()
    matrix = embedder.embed(questions, batch_size=args.batch_size)
    took = time.perf_counter() - started
    print(f"{len(questions)} questions embedded in {took:.1f} s "
          f"({len(questions) / took:.0f}/s, batch {args.batch_size})")

    for field in ("summary", "message"):
        # as `qa-index eval` asks them: its field choice and its first 1,000 characters
        texts = [q.text for q in load_questions(args.data / "dev-questions.jsonl", field)]
        for text in texts[:5]:  # warm-up
            embedder.embed([text[:1000]])
        times = []
        for _ in range(args.rounds):
            for text in texts:
                begin = time.perf_counter()
                embedder.embed([text[:1000]])
                times.append((time.perf_counter() - begin) * 1000)
        print(f"query embedding, dev {field}: p50 {statistics.median(times):.2f} ms, "
              f"p95 {percentile(times, 0.95):.2f} ms ({len(times)} runs)")

    if args.save:
        semantic.save_matrix(args.save, ids, matrix)
        # A fresh process, as a web worker would be: this one still holds the corpus and
        # the allocator's leftovers from embedding it.
        command = [sys.executable, __file__, "--data", str(args.data), "--worker", str(args.save)]
        if args.index:
            command += ["--index", str(args.index)]
        subprocess.run(command, check=True)


def worker(matrix_path: Path, data: Path, index_path: Path | None) -> None:
    """What a worker holds: the model, the memory-mapped matrix, searches (RSS after each)."""
    baseline = rss_mb()
    embedder = semantic.Embedder()
    ids, matrix = semantic.load_matrix(matrix_path)
    query = embedder.embed(["What are the side effects of CAR-T therapy?"])[0]
    times = []
    for _ in range(50):
        begin = time.perf_counter()
        semantic.nearest(matrix, query, 100)
        times.append((time.perf_counter() - begin) * 1000)
    print(f"exact top-100 over {matrix.shape[0]} x {matrix.shape[1]}: "
          f"p50 {statistics.median(times):.2f} ms")
    print(f"fresh process RSS: {baseline:.0f} MB at start, {rss_mb():.0f} MB with the model and "
          f"the memory-mapped {matrix.shape[0]} x {matrix.shape[1]} matrix after a search")
    if index_path:
        from indexer.search import SearchIndex

        index = SearchIndex(index_path)
        for field in ("summary", "message"):
            for question in load_questions(data / "dev-questions.jsonl", field):
                text = question.text[:1000]
                index.search(text, per_page=100, highlight=False)
                semantic.nearest(matrix, embedder.embed([text])[0], 100)
        print(f"  and {rss_mb():.0f} MB after the dev questions through {index_path} too")

if __name__ == "__main__":
    main()
