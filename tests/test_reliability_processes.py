"""Two gunicorn workers serve one index: both start without one, and both see every rebuild."""

from __future__ import annotations

import json
import time

from reliability_support import Gunicorn
from reliability_support import http_get
from reliability_support import record
from webapp_support import write_small_corpus

from indexer import store

ROUNDS_SECONDS = 20.0  # each round polls until both workers have answered, at most this long


def poll(server: Gunicorn, expected_status: int, expected_build: str | None) -> dict:
    """Ask /healthz on fresh connections until both workers have answered as expected.

    Every answer must already be the expected one (the switch happened before the poll);
    returns the round's figures.
    """
    start = len(server.access_lines())
    deadline, answers, wrong = time.monotonic() + ROUNDS_SECONDS, 0, []
    workers: set[str] = set()
    while time.monotonic() < deadline:
        for _ in range(10):
            status, _, body = http_get(server.port, "/healthz")
            answers += 1
            data = json.loads(body)
            if status != expected_status or data.get("build") != expected_build:
                wrong.append((status, data))
        workers = {pid for pid, _, path in server.access_lines()[start:] if path == "/healthz"}
        if len(workers) >= 2:
            break
    assert wrong == [], wrong[:3]
    assert len(workers) >= 2, f"only workers {workers} answered in {ROUNDS_SECONDS} s"
    return {"answers": answers, "workers": len(workers)}


def test_two_workers_start_without_an_index_and_both_see_each_rebuild(tmp_path, figures):
    corpus, index_dir = write_small_corpus(tmp_path / "corpus"), tmp_path / "index"
    env = {"QA_INDEX_DIR": str(index_dir), "QA_CORPUS_DIR": str(corpus),
           "QA_SECRET_KEY": "reliability-test-key", "QA_STAFF_FILE": str(tmp_path / "staff.json"),
           "QA_STAFF_WORK_DIR": str(tmp_path / "work"), "QA_AUDIT_LOG": str(tmp_path / "a.jsonl"),
           "QA_ARCHIVE_DIR": str(tmp_path / "archive")}
    server = Gunicorn(tmp_path, env, workers=2)
    rounds, answers, started = [], 0, time.monotonic()
    try:
        server.start()
        status, _, body = http_get(server.port, "/api/search?q=patients")
        assert status == 503 and "qa-index build corpus/" in json.loads(body)["error"]
        assert "Search answers 503 until an index is built" in server.log_text()
        rounds.append(poll(server, 503, None))
        for n in range(3):  # a first build, then two rebuilds, by another process each time
            if n:
                (corpus / f"extra-{n}.txt").write_text(
                    f"Host: Extra question {n}?\n\nDr. Extra: Extra answer {n} for patients.\n",
                    encoding="utf-8")
            report = store.build(index_dir, [corpus])
            rounds.append(poll(server, 200, report.build))
            status, _, body = http_get(server.port, "/api/search?q=patients")
            assert status == 200 and json.loads(body)["total"] == 6 + n
        answers = sum(r["answers"] for r in rounds) + 4
        assert "Traceback" not in server.log_text()
    finally:
        server.stop()
    statuses = {status for _, status, _ in server.access_lines()}
    assert statuses <= {"200", "503"}
    record(figures, "two gunicorn workers, one index", **{
        "requests": answers, "rebuilds seen by both workers": len(rounds) - 1,
        "workers answering": min(r["workers"] for r in rounds), "errors": 0,
        "seconds": round(time.monotonic() - started, 1)})
