"""The JSON API under load: gunicorn as `make run` starts it, 8 keep-alive connections."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote_plus

from bench.queries import distribution

HOST = "127.0.0.1"
READY_TIMEOUT = 120.0
WRK_MARK = "BENCH_JSON "
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Hybrid mode: how long the warm-up may go on past its set length while a worker has not yet
# loaded the model and the embeddings (each loads them on its first hybrid search).
LOAD_TIMEOUT = 120.0
MATRIX_MAPPED = "/embeddings.npy"  # indexer.dense.MATRIX, memory-mapped once a worker uses it
MODEL_LOADED = "/tokenizers/"  # the tokenizers library, imported when the model is loaded


def make_defaults(repo: Path) -> dict[str, int]:
    """WORKERS and THREADS as the Makefile sets them for `make run` (2 and 4 when unreadable)."""
    found = {"WORKERS": 2, "THREADS": 4}
    try:
        text = (repo / "Makefile").read_text(encoding="utf-8")
    except OSError:
        return found
    for name in found:
        match = re.search(rf"^{name}\s*\?=\s*(\d+)", text, re.M)
        if match:
            found[name] = int(match.group(1))
    return found


def search_paths(queries: dict[str, list[str]]) -> list[str]:
    """/api/search URLs alternating summary and message queries."""
    pairs = itertools.zip_longest(queries["summary"], queries["message"])
    return [f"/api/search?q={quote_plus(q)}" for pair in pairs for q in pair if q]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    """The `make run` command line, with the venv's gunicorn and a loopback port."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return [gunicorn, "--bind", f"{HOST}:{port}", "--workers", str(workers), "--threads",
            str(threads), "--access-logfile", "-", "webapp:create_app()"]


@contextmanager
def server(repo: Path, index_dir: Path, workers: int, threads: int, cache: bool = True,
           mode: str = "auto"):
    """A running gunicorn serving `index_dir`: yields (process, port); stops it afterwards.

    Without `cache`, the app's result cache is off (QA_SEARCH_CACHE=0): every request searches.
    `mode` is the app's default search mode (QA_SEARCH_MODE; auto, the app's own default, is
    hybrid when the index has embeddings).
    """
    port = free_port()
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "QA_SEARCH_MODE": mode}
    env.pop("QA_SEARCH_CACHE", None)
    if not cache:
        env["QA_SEARCH_CACHE"] = "0"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(gunicorn_command(port, workers, threads), cwd=repo, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(proc, port, log)
            yield proc, port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(proc: subprocess.Popen, port: int, log) -> None:
    """Wait until /healthz answers 200; exit with gunicorn's output when it never does."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    log.seek(0)
    raise SystemExit("bench: gunicorn did not become ready:\n"
                     + log.read().decode(errors="replace")[-3000:])


def worker_pids(master: int) -> list[int]:
    """PIDs of the processes whose parent is `master` (gunicorn's workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def status_mb(pid: int, key: str) -> float:
    """A /proc/<pid>/status memory figure (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def loaded(pid: int) -> dict[str, bool]:
    """Whether a worker has memory-mapped the embeddings and loaded the model (its maps)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return {"matrix": False, "model": False}
    return {"matrix": MATRIX_MAPPED in maps, "model": MODEL_LOADED in maps}


def served_mode(port: int, path: str) -> dict:
    """The mode (and mode_note) /api/search answers one request in."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return {"mode": None, "mode_note": f"{type(exc).__name__}: {exc}"}
    finally:
        conn.close()
    return {"mode": body.get("mode"), "mode_note": body.get("mode_note")}


def warm_up(proc: subprocess.Popen, port: int, paths: list[str], connections: int,
            warmup: float) -> tuple[dict, list[dict[str, bool]]]:
    """Load for `warmup` seconds; ask one search which mode it ran in. When it ran hybrid, go
    on loading (in short rounds, up to LOAD_TIMEOUT s more) until every worker has loaded the
    model and mapped the embeddings, so that the timed load and its RSS include them.
    (The mode the search ran in, each worker's loaded parts.)"""
    load_python(port, paths, connections, warmup)
    served = served_mode(port, paths[0])
    deadline = time.monotonic() + LOAD_TIMEOUT
    while True:
        parts = [loaded(pid) for pid in worker_pids(proc.pid)]
        done = all(p["matrix"] and p["model"] for p in parts)
        if served["mode"] != "hybrid" or done or time.monotonic() > deadline:
            return served, parts
        load_python(port, paths, connections, 1.0)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU seconds used so far by `pids`."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def client_loop(port: int, paths: list[str], counter, deadline: float, out: list) -> None:
    """One connection: request the next URL until the deadline, recording (ms, status)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    while time.perf_counter() < deadline:
        path = paths[next(counter) % len(paths)]
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
        out.append(((time.perf_counter() - started) * 1000, status))
    conn.close()


def load_python(port: int, paths: list[str], connections: int, duration: float) -> dict:
    """Closed-loop load from `connections` threads, each with its own keep-alive connection."""
    counter, results = itertools.count(), [[] for _ in range(connections)]
    deadline = time.perf_counter() + duration
    threads = [threading.Thread(target=client_loop, args=(port, paths, counter, deadline, r))
               for r in results]
    started, cpu = time.perf_counter(), own_cpu()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, own_cpu() - cpu
    samples = [s for r in results for s in r]
    errors = sum(1 for _ms, status in samples if status != 200)
    return {"client": "python http.client", "requests": len(samples), "seconds": elapsed,
            "errors": errors, "latency_ms": distribution([ms for ms, _s in samples]),
            "client_cpu_s": cpu}


def own_cpu() -> float:
    """CPU seconds used by this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wrk_available(install: bool) -> tuple[str | None, str]:
    """The wrk binary (installing the Debian package as root when asked), or why not."""
    if shutil.which("wrk"):
        return shutil.which("wrk"), "installed"
    if not install:
        return None, "wrk not installed"
    if os.geteuid() != 0:
        return None, "wrk not installed and not root (cannot apt-get install)"
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True,
                          text=True, timeout=300, env={**os.environ,
                                                       "DEBIAN_FRONTEND": "noninteractive"})
    if shutil.which("wrk"):
        return shutil.which("wrk"), "installed now with apt-get"
    return None, f"apt-get install wrk failed: {done.stderr.strip()[-300:]}"


WRK_SCRIPT = """
local paths = {%s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads * 17)
end
function init(args)
  counter = offset
  non200 = 0
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[counter %% #paths + 1])
end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  local e = summary.errors
  io.write(string.format('%s{"requests": %%d, "duration_us": %%d, "non200": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, ' ..
    '"p99": %%d, "max": %%d, "mean": %%f}\\n', summary.requests, summary.duration, bad,
    e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def load_wrk(wrk: str, port: int, paths: list[str], connections: int, duration: float) -> dict:
    """Closed-loop load with wrk (2 threads) cycling the URLs; latency percentiles from wrk."""
    script = WRK_SCRIPT % (", ".join(f'"{p}"' for p in paths), WRK_MARK)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        before = children_cpu()
        done = subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{duration:g}s",
                               "--timeout", "60s", "-s", lua.name, f"http://{HOST}:{port}"],
                              capture_output=True, text=True, timeout=duration + 120)
        cpu = children_cpu() - before
    line = next((x for x in done.stdout.splitlines() if x.startswith(WRK_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {done.stdout[-500:]} {done.stderr[-500:]}")
    f = json.loads(line[len(WRK_MARK):])
    errors = f["non200"] + f["connect"] + f["read"] + f["write"] + f["timeout"]
    latency = {"n": f["requests"], **{k: round(f[k] / 1000, 2) for k in
                                      ("p50", "p95", "p99", "max", "mean")}}
    return {"client": "wrk", "requests": f["requests"], "seconds": f["duration_us"] / 1e6,
            "errors": errors, "latency_ms": latency, "client_cpu_s": cpu,
            "error_kinds": {k: f[k] for k in ("non200", "connect", "read", "write", "timeout")}}


def children_cpu() -> float:
    """CPU seconds used so far by this process's waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_http(repo: Path, index_dir: Path, queries: dict[str, list[str]], *,
                 connections: int, duration: float, warmup: float, client: str,
                 cache: bool = True, mode: str = "auto") -> dict:
    """Serve the index with gunicorn, warm it up, load it; throughput, latency, worker RSS.

    The URLs cycle over the dev questions, so with the result cache on (as served) most
    requests after the first round are answered from it; `cache=False` measures searching
    (in hybrid mode each worker still remembers the query embeddings, dense.query_vector).
    `mode` is the served default search mode (QA_SEARCH_MODE); ``mode`` in the figures is
    the one a search ran in after the warm-up, ``embeddings_loaded`` whether every worker had
    loaded the model and the embeddings by then.
    """
    settings = make_defaults(repo)
    paths = search_paths(queries)
    wrk, why = wrk_available(install=client == "auto") if client != "python" else (None, "")
    if client == "wrk" and wrk is None:
        raise SystemExit(f"bench: --client wrk but {why}")
    with server(repo, index_dir, settings["WORKERS"], settings["THREADS"], cache,
                mode) as (proc, port):
        served, parts = warm_up(proc, port, paths, connections, warmup)
        workers = worker_pids(proc.pid)
        cpu = cpu_seconds([proc.pid, *workers])
        if wrk:
            load = load_wrk(wrk, port, paths, connections, duration)
        else:
            load = load_python(port, paths, connections, duration)
        server_cpu = cpu_seconds([proc.pid, *workers]) - cpu
        after = worker_pids(proc.pid)
        rss = [status_mb(pid, "VmRSS") for pid in after]
        peak = [status_mb(pid, "VmHWM") for pid in after]
    seconds, client_cpu = load.pop("seconds"), load.pop("client_cpu_s")
    return {**load, "requests_per_s": round(load["requests"] / seconds, 1),
            "seconds": round(seconds, 2), "connections": connections, "urls": len(paths),
            "workers": settings["WORKERS"], "threads": settings["THREADS"],
            "warmup_s": warmup, "result_cache": cache, "wrk": why or "not used (--client python)",
            "mode_setting": mode, "mode": served["mode"], "mode_note": served["mode_note"],
            "embeddings_loaded": bool(parts) and all(p["matrix"] and p["model"] for p in parts),
            "workers_loaded": parts,
            "workers_replaced": len(set(workers) - set(after)),
            "client_cpu_cores": round(client_cpu / seconds, 2),
            "server_cpu_cores": round(server_cpu / seconds, 2),
            "worker_rss_mb": {"sum": round(sum(rss), 1), "max": round(max(rss), 1),
                              "each": [round(r, 1) for r in rss],
                              "peak_max": round(max(peak), 1)}}
