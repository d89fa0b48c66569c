"""Helpers for the reliability tests: figures, a real HTTP server, gunicorn, killable builds."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

TESTS = Path(__file__).resolve().parent
CHILD = TESTS / "reliability_child.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"
SCENARIO_SECONDS = 60  # every scenario must finish well within this


def record(figures: dict, scenario: str, **values) -> None:
    """Add a scenario's figures to the run's table and print them (shown with -s or -rA)."""
    entry = figures.setdefault(scenario, {})
    for key, value in values.items():
        if isinstance(value, int) and not isinstance(value, bool) and isinstance(
                entry.get(key), int):
            entry[key] += value  # scenarios run as several tests add up
        else:
            entry[key] = value
    print(f"[reliability] {scenario}: " + ", ".join(f"{k} {v}" for k, v in entry.items()))


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               step: float = 0.01) -> None:
    """Sleep until `condition()` holds, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(step)


# --- HTTP ------------------------------------------------------------------------------


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, dict, str]:
    """GET http://127.0.0.1:port/path on a fresh connection (Connection: close)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without a log line per request."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def serve(app) -> Iterator[int]:
    """Serve `app` over real HTTP on a free port in a thread (one thread per request)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="http-server", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# --- gunicorn --------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn 'webapp:create_app()'` with some workers on a free port, logging to files."""

    def __init__(self, root: Path, env: dict[str, str], workers: int = 2, threads: int = 2):
        self.root, self.log, self.access = root, root / "gunicorn.log", root / "access.log"
        command = [str(GUNICORN), "--bind", "127.0.0.1:0", "--workers", str(workers),
                   "--threads", str(threads), "--graceful-timeout", "5",
                   "--error-logfile", str(self.log), "--capture-output",
                   "--access-logfile", str(self.access),
                   "--access-logformat", "%(p)s %(s)s %(U)s", "webapp:create_app()"]
        self.process = subprocess.Popen(command, cwd=TESTS.parent, env={**os.environ, **env},
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.port = 0

    def start(self, timeout: float = 30.0) -> Gunicorn:
        """Wait until gunicorn listens and every worker has booted."""
        def ready() -> bool:
            assert self.process.poll() is None, f"gunicorn exited: {self.log_text()}"
            text = self.log_text()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            if found:
                self.port = int(found.group(1))
            return bool(found) and len(re.findall(r"Booting worker", text)) >= 2
        wait_until(ready, timeout, "gunicorn to start", step=0.05)
        return self

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def access_lines(self) -> list[tuple[str, str, str]]:
        """(worker pid, status, path) per request served so far."""
        if not self.access.exists():
            return []
        lines = self.access.read_text(errors="replace").splitlines()
        return [tuple(line.split(" ", 2)) for line in lines if line.count(" ") >= 2]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


# --- builds killed at a phase ----------------------------------------------------------


class Child:
    """`qa-index ARGS` in a child process that stops at `phase` (see reliability_child.py)."""

    def __init__(self, root: Path, phase: str, args: list[str]):
        self.signal = root / f"reached-{phase}"
        self.stderr = root / f"child-{phase}.err"
        with open(self.stderr, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(CHILD), phase, str(self.signal), *args],
                cwd=TESTS.parent, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_phase(self, timeout: float = 30.0) -> None:
        def reached() -> bool:
            assert self.process.poll() is None, (
                f"child exited with {self.process.returncode} before its phase: "
                f"{self.stderr.read_text(errors='replace')[-2000:]}")
            return self.signal.exists()
        wait_until(reached, timeout, f"the child to reach {self.signal.name}")

    def kill9(self) -> int:
        """SIGKILL the child and reap it; its return code."""
        os.kill(self.process.pid, signal.SIGKILL)
        return self.process.wait(10)


def lock_holder(index_dir: Path) -> dict:
    """What the writer lock file says about its last holder."""
    try:
        return json.loads((index_dir / ".lock").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
