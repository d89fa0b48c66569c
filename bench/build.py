"""The product's full build, in a child process so that its peak memory can be read.

Two builds: the keyword index alone (``embeddings=False``), then the same corpus again with the
question embeddings (``embeddings=True``) into the same directory; the first build has none to
reuse, so every pair is embedded and the embedding step's own time is the product's figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = "from bench.build import child; child()"


def child() -> None:
    """Child process entry: build argv[1] into argv[2] with indexer.store.build, embeddings
    when argv[3] is "1" (none when "0"), and print the figures as JSON."""
    corpus, index_dir = sys.argv[1], sys.argv[2]
    embeddings = sys.argv[3] == "1" if len(sys.argv) > 3 else False
    from indexer import store

    started = time.perf_counter()
    report = store.build(index_dir, [corpus], embeddings=embeddings)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "pairs": report.pairs,
                      "interviews": report.interviews, "problems": len(report.problems),
                      "embeddings": report.embeddings}))


def run_child(argv: list[str], cwd: Path) -> tuple[str, str, int, float]:
    """Run a child Python process: (stdout, stderr, exit code, peak RSS in MB via wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, *argv], cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return out.read(), err.read(), proc.returncode, usage.ru_maxrss / 1024


def build_child(corpus: Path, index_dir: Path, repo: Path,
                embeddings: bool) -> tuple[dict, float, float]:
    """One indexer.store.build in a child: (its JSON figures, process seconds, peak RSS MB)."""
    started = time.perf_counter()
    out, err, code, peak_mb = run_child(
        ["-c", CHILD, str(corpus), str(index_dir), "1" if embeddings else "0"], repo)
    wall = time.perf_counter() - started
    if code != 0:
        what = "embedding build" if embeddings else "build"
        raise SystemExit(f"bench: the product {what} failed (exit {code}):\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), wall, peak_mb


def build_product(corpus: Path, index_dir: Path, repo: Path) -> dict:
    """Build `corpus` into `index_dir` through indexer.store.build without embeddings (the
    keyword index alone): time, size, peak RSS."""
    figures, wall, peak_mb = build_child(corpus, index_dir, repo, embeddings=False)
    return {"seconds": round(figures["seconds"], 3), "process_seconds": round(wall, 3),
            "pairs": figures["pairs"], "interviews": figures["interviews"],
            "problems": figures["problems"], "peak_rss_mb": round(peak_mb, 1),
            "size_mb": round(index_size(index_dir) / 1e6, 2), "embeddings": False}


def build_embeddings(corpus: Path, index_dir: Path, repo: Path) -> dict:
    """Build `corpus` again into `index_dir`, now with embeddings (the serving build has none,
    so every pair is embedded): the embedding step's seconds (WriteReport.embeddings), the whole
    build's, the child's peak RSS, the rows written."""
    figures, wall, peak_mb = build_child(corpus, index_dir, repo, embeddings=True)
    written = figures.get("embeddings")
    if not written:
        raise SystemExit("bench: the embedding build wrote no embeddings")
    return {"seconds": round(written["seconds"], 3), "total_seconds": round(figures["seconds"], 3),
            "process_seconds": round(wall, 3), "peak_rss_mb": round(peak_mb, 1),
            "rows": written["rows"], "embedded": written.get("embedded"),
            "reused": written.get("reused"), "model": written.get("model"),
            "pairs": figures["pairs"], "size_mb": round(index_size(index_dir) / 1e6, 2)}


def index_size(index_dir: Path) -> int:
    """Bytes on disk of the serving build of a product index directory."""
    from indexer import store

    build = store.current_build(index_dir)
    path = store.build_path(index_dir, build) if build else Path(index_dir)
    return dir_size(path)


def dir_size(path: Path) -> int:
    """Bytes of all files under `path`."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())
