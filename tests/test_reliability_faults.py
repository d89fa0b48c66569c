"""Faults: reindexing under load, builds killed with SIGKILL, failing builds, damaged indexes.

Every scenario prints its figures and adds them to the "Reliability figures" table at the end
of the run (see conftest.figures).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_interview
from reliability_support import Child
from reliability_support import http_get
from reliability_support import lock_holder
from reliability_support import record
from reliability_support import serve
from reliability_support import wait_until
from staff_support import csrf_token
from staff_support import interview_text
from staff_support import make_staff_app
from staff_support import post
from staff_support import search_total
from staff_support import signed_in
from staff_support import upload
from staff_support import wait_for_job
from webapp_support import make_app
from webapp_support import write_small_corpus
from whoosh.filedb.filestore import FileStorage

from indexer import store
from indexer.cli import cli
from indexer.search import SearchIndex
from webapp.rebuild import Rebuilder

QUERY = "patients"  # six pairs of the small corpus; every change below adds one more


def filler(corpus: Path, count: int) -> None:
    """Interviews that do not mention QUERY, so that builds have some work to do."""
    for n in range(count):
        write_interview(corpus, f"filler-{n:02}.txt",
                        [(f"What about ferritin {n}?", f"Ferritin reading number {n} is fine.")],
                        interviewee="Dr. Filler")


def pair_ids(client, query: str = QUERY) -> list[str]:
    response = client.get("/api/search", query_string={"q": query, "per_page": 50})
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(r["id"] for r in response.get_json()["results"])


# --- reindex under load ----------------------------------------------------------------


def test_reindex_under_load_never_fails_a_search(tmp_path, figures):
    """Searchers over real HTTP while a build, an update, a publish and a rebuild switch."""
    app = make_staff_app(tmp_path)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    filler(corpus, 40)
    store.build(index_dir, [corpus])
    staff = signed_in(app)
    builds, totals = {store.current_build(index_dir)}, {search_total(staff, QUERY)}
    answers, stop, counter = [], threading.Event(), {"during": 0}
    writing = threading.Event()
    urls = [f"/api/search?q={QUERY}", f"/?q={QUERY}", "/healthz",
            f"/api/search?q={QUERY}&per_page=2&page=2"]

    def search_loop(port: int, offset: int) -> None:
        n = offset
        while not stop.is_set():
            url, n = urls[n % len(urls)], n + 1
            during = writing.is_set()
            try:
                status, _, body = http_get(port, url)
            except OSError as exc:
                answers.append((url, "error", repr(exc)))
                continue
            counter["during"] += during
            answers.append((url, status, body))

    def steps() -> list[tuple[str, object]]:
        def full_build():
            write_interview(corpus, "load-build.txt", [("Do patients sleep?", "Patients sleep.")])
            store.build(index_dir, [corpus])

        def update():
            write_interview(corpus, "load-update.txt", [("Do patients eat?", "Patients eat.")])
            assert store.update(index_dir, [corpus]).added

        def publish():
            response = upload(staff, [("load-publish.txt", interview_text(
                "Published under load", [("Do patients walk?", "Patients walk daily.")]))])
            response = post(staff, response.headers["Location"] + "/1", {"action": "publish"})
            assert response.status_code == 303

        def rebuild():
            response = staff.post("/staff/api/rebuild",
                                  headers={"X-CSRFToken": csrf_token(staff, "/staff/add")})
            assert response.status_code == 202
            job = wait_for_job(staff, response.get_json()["job"]["id"])
            assert job["state"] == "succeeded", job

        return [("full build", full_build), ("incremental update", update),
                ("staff publish", publish), ("staff rebuild", rebuild)]

    started = time.monotonic()
    with serve(app) as port:
        threads = [threading.Thread(target=search_loop, args=(port, n)) for n in range(4)]
        for thread in threads:
            thread.start()
        try:
            for _name, step in steps():
                before = len(answers)
                wait_until(lambda b=before: len(answers) >= b + 40, 20, "searches")
                writing.set()
                step()
                writing.clear()
                builds.add(store.current_build(index_dir))
                totals.add(search_total(staff, QUERY))
            after = len(answers)
            wait_until(lambda: len(answers) >= after + 40, 20, "searches on the last index")
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    seconds = time.monotonic() - started

    errors, empty, seen_builds, seen_totals = [], 0, set(), set()
    for url, status, body in answers:
        if status != 200:
            errors.append((url, status, str(body)[:300]))
        elif url == "/healthz":
            seen_builds.add(json.loads(body)["build"])
        elif url.startswith("/api/search"):
            data = json.loads(body)
            seen_totals.add(data["total"])
            empty += not data["results"]
        else:
            empty += 'class="hit"' not in body
    record(figures, "reindex under load (HTTP, 4 threads)", searches=len(answers),
           **{"during writes": counter["during"], "errors": len(errors), "empty results": empty,
              "index switches": len(builds) - 1, "seconds": round(seconds, 1)})
    assert errors == []
    assert empty == 0
    assert seen_totals <= totals and totals == {6, 7, 8, 9}
    assert seen_builds <= builds and len(seen_builds) >= 3  # searches saw old and new builds
    assert counter["during"] >= 20 and len(answers) >= 200
    assert seconds < 60


# --- kill -9 ---------------------------------------------------------------------------

KILLS = [("build", "parse"), ("build", "write"), ("build", "commit"), ("build", "switch"),
         ("update", "clone"), ("update", "write")]


@pytest.mark.parametrize(("command", "phase"), KILLS, ids=[f"{c}-{p}" for c, p in KILLS])
def test_kill_9_during_a_write_leaves_the_old_index_serving(tmp_path, figures, command, phase):
    corpus, index_dir = write_small_corpus(tmp_path / "corpus"), tmp_path / "index"
    filler(corpus, 6)
    first = store.build(index_dir, [corpus])
    client = make_app(index_dir).test_client()
    before = pair_ids(client)
    write_interview(corpus, "late.txt", [("Do patients rest?", "Patients rest after it.")])

    child = Child(tmp_path, phase, ["--index", str(index_dir), command, "--lock-timeout", "5",
                                    str(corpus)])
    try:
        child.wait_for_phase()
        assert lock_holder(index_dir).get("pid") == child.pid  # it holds the writer lock
        assert pair_ids(client) == before  # the old index serves while it writes
        code = child.kill9()
    finally:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait(10)
    assert code == -signal.SIGKILL

    assert store.current_build(index_dir) == first.build
    assert pair_ids(client) == before and pair_ids(make_app(index_dir).test_client()) == before
    assert client.get("/healthz").get_json()["build"] == first.build
    assert lock_holder(index_dir)["pid"] == child.pid  # the lock file names a dead holder
    mine = f"-{child.pid}"
    leftovers = [p.name for p in (index_dir / "builds").iterdir() if p.name.endswith(mine)]
    assert bool(leftovers) == (phase != "parse")  # it had started a build directory

    started = time.monotonic()
    report = store.build(index_dir, [corpus], lock_timeout=1)  # would raise LockTimeout
    waited = time.monotonic() - started
    assert report.pairs == first.pairs + 1 and store.current_build(index_dir) == report.build
    assert pair_ids(client) == sorted([*before, "late-1"])
    assert not [p for p in (index_dir / "builds").iterdir() if p.name.endswith(mine)]
    assert not list(index_dir.glob(".*.tmp"))
    record(figures, "kill -9 during build/update", **{
        "builds killed": 1, "old index kept serving": 1, "stale locks recovered": 1,
        "next builds ok": 1})
    print(f"[reliability] killed {command} at {phase}: leftovers {len(leftovers)} removed, "
          f"next build {waited:.2f} s")


# --- builds that fail ------------------------------------------------------------------


def cli_run(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_serving(index_dir: Path, build: str, client, ids: list[str]) -> None:
    assert store.current_build(index_dir) == build
    assert pair_ids(client) == ids
    assert [p.name for p in (index_dir / "builds").iterdir()] == [build]  # nothing left over
    assert not list(index_dir.glob(".*.tmp")) and not list(index_dir.glob("builds/*/.*.tmp"))


@pytest.fixture
def served(tmp_path):
    """A small corpus, its index and a client: (corpus, index_dir, first build, client, ids)."""
    corpus, index_dir = write_small_corpus(tmp_path / "corpus"), tmp_path / "index"
    first = store.build(index_dir, [corpus])
    client = make_app(index_dir).test_client()
    return corpus, index_dir, first.build, client, pair_ids(client)


def unreadable(path: Path, monkeypatch) -> str:
    """Make `path` unreadable: chmod when that works, else (as root) a failing read."""
    if os.geteuid() != 0:
        path.chmod(0)
        return "chmod 000"
    read_bytes, target = Path.read_bytes, path.resolve()

    def refuse(self):
        if self.resolve() == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    return "failing read (root ignores chmod)"


def test_an_unreadable_file_is_reported_and_its_pairs_are_not_lost(served, monkeypatch, figures):
    corpus, index_dir, _, client, ids = served
    method = unreadable(corpus / "clinic-notes.txt", monkeypatch)
    result = cli_run("--index", str(index_dir), "update", str(corpus))
    assert result.exit_code == 0, result.output
    assert "clinic-notes.txt: cannot read: Permission denied" in result.output
    assert pair_ids(client) == ids  # an update keeps what the index holds of it
    result = cli_run("--index", str(index_dir), "build", str(corpus))
    assert result.exit_code == 0 and "clinic-notes.txt: cannot read" in result.output
    assert pair_ids(client) == [i for i in ids if not i.startswith("clinic-notes")]
    record(figures, "failed builds: unreadable file", method=method, reported=2,
           **{"pairs lost by update": 0})


def test_disk_full_on_a_small_tmpfs(tmp_path, figures):
    """The index on a 400 KB tmpfs; a corpus too big for it; needs mount (root, no sandbox)."""
    mount_point = tmp_path / "small"
    with small_tmpfs(mount_point, "400k") as mounted:
        if not mounted:
            record(figures, "failed builds: disk full", tmpfs="not available (no mount)")
            pytest.skip(f"cannot mount a tmpfs here ({mounted!r}); the failing-writer test "
                        "covers disk full")
        corpus, index_dir = write_small_corpus(tmp_path / "corpus"), mount_point / "index"
        first = store.build(index_dir, [corpus])
        client = make_app(index_dir).test_client()
        ids = pair_ids(client)
        big = tmp_path / "corpus" / "big.txt"
        big.write_text("\n".join(f"Host: Question {n} about ferritin {n * 7919}?\n\nDr. Big: "
                                 f"Answer {n} {'lorem ipsum ' * 12}{n * 104729}.\n"
                                 for n in range(4000)), encoding="utf-8")
        result = cli_run("--index", str(index_dir), "build", str(corpus))
        assert result.exit_code == 1
        assert "No space left on device" in result.output
        assert "previous index (if any) keeps serving" in result.output
        assert_serving(index_dir, first.build, client, ids)
        staff_job = rebuild_job(index_dir, corpus, tmp_path / "work")
        assert staff_job.state == "failed" and "No space left on device" in staff_job.error
        assert_serving(index_dir, first.build, client, ids)
        big.unlink()
        assert cli_run("--index", str(index_dir), "build", str(corpus)).exit_code == 0
    record(figures, "failed builds: disk full", tmpfs="400 KB tmpfs", reported=2,
           **{"old index kept serving": 2})


@contextmanager
def small_tmpfs(path: Path, size: str):
    """Mount a tmpfs of `size` at `path`; yields True, or the reason it could not."""
    path.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True, timeout=10, check=False)
        reason = done.stderr.strip() or f"mount exited with {done.returncode}"
    except (OSError, subprocess.SubprocessError) as exc:
        done, reason = None, str(exc)
    if done is None or done.returncode != 0:
        yield reason or False
        return
    try:
        yield True
    finally:  # lazily when readers still hold files open; gone once they are collected
        for command in (["umount", str(path)], ["umount", "-l", str(path)]):
            if subprocess.run(command, capture_output=True, timeout=10,
                              check=False).returncode == 0:
                break


class FullDisk:
    """Whoosh files written under INDEX_DIR/builds fail with ENOSPC after `budget` bytes."""

    def __init__(self, index_dir: Path, budget: int):
        self.builds, self.budget, self.used, self.failures = index_dir / "builds", budget, 0, 0

    def install(self, monkeypatch) -> FullDisk:
        create_file, disk = FileStorage.create_file, self

        def create(storage, name, *args, **kwargs):
            handle = create_file(storage, name, *args, **kwargs)
            if Path(storage.folder).parent == disk.builds:
                handle.file = Quota(handle.file, disk)
            return handle

        monkeypatch.setattr(FileStorage, "create_file", create)
        return self


class Quota:
    def __init__(self, file, disk: FullDisk):
        self._file, self._disk = file, disk

    def write(self, data) -> int:
        self._disk.used += len(data)
        if self._disk.used > self._disk.budget:
            self._disk.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


def rebuild_job(index_dir: Path, corpus: Path, work: Path):
    """A staff rebuild of `corpus` run to its end; the job."""
    rebuilder = Rebuilder(index_dir, corpus, work / "last-build.json")
    job = rebuilder.start("alice")
    for thread in threading.enumerate():
        if thread.name == f"rebuild-{job.id}":
            thread.join(30)
    assert not rebuilder.running()
    return job


def test_disk_full_with_a_failing_writer(served, tmp_path, monkeypatch, figures):
    corpus, index_dir, build, client, ids = served
    disk = FullDisk(index_dir, budget=2000).install(monkeypatch)
    write_interview(corpus, "more.txt", [("Do patients run?", "Patients run. " * 200)])
    for command in ("build", "update"):
        result = cli_run("--index", str(index_dir), command, str(corpus))
        assert result.exit_code == 1, result.output
        assert "Could not write the index" in result.output
        assert "No space left on device" in result.output
        assert_serving(index_dir, build, client, ids)
    job = rebuild_job(index_dir, corpus, tmp_path / "work")
    assert job.state == "failed" and "No space left on device" in job.error
    assert_serving(index_dir, build, client, ids)

    staff_root = tmp_path / "staff"  # a publish whose index update hits the full disk
    staff = signed_in(make_staff_app(staff_root))
    FullDisk(staff_root / "index", budget=2000).install(monkeypatch)
    before = sorted(p.name for p in (staff_root / "corpus").iterdir())
    response = upload(staff, [("full.txt", interview_text("Full", [("Q?", "Patients A.")]))])
    response = post(staff, response.headers["Location"] + "/1", {"action": "publish"})
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed: the index could not be updated" in page
    assert "No space left on device" in page
    assert sorted(p.name for p in (staff_root / "corpus").iterdir()) == before
    assert search_total(staff, QUERY) == 6
    monkeypatch.undo()
    assert cli_run("--index", str(index_dir), "build", str(corpus)).exit_code == 0
    record(figures, "failed builds: disk full", **{
        "failing writer": "ENOSPC from Whoosh files", "writer failures": disk.failures,
        "reported": 4, "old index kept serving": 4})


def test_permission_denied_on_the_index_directory(served, monkeypatch, figures):
    corpus, index_dir, build, client, ids = served
    mkdir = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.parent.name == store.BUILDS:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return mkdir(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "mkdir", refuse)
        for command in ("build", "update"):
            write_interview(corpus, f"{command}.txt", [("Do patients?", "Patients do.")])
            result = cli_run("--index", str(index_dir), command, str(corpus))
            assert result.exit_code == 1, result.output
            assert "Permission denied" in result.output and "keeps serving" in result.output
            assert_serving(index_dir, build, client, ids)
    methods, kept_serving = ["failing mkdir"], 2
    as_nobody = run_as_nobody(index_dir, corpus)
    if isinstance(as_nobody, str):
        methods.append(f"not run as nobody ({as_nobody})")
    else:
        done, kept = as_nobody
        assert done.returncode == 1, (done.stdout, done.stderr)
        assert "Could not write the index" in done.stderr
        assert "Permission denied" in done.stderr and "Traceback" not in done.stderr
        assert kept
        methods.append("qa-index run as nobody")
        kept_serving += 1
    record(figures, "failed builds: permission denied", method=" + ".join(methods),
           **{"old index kept serving": kept_serving})


def run_as_nobody(index_dir: Path, corpus: Path) -> tuple[subprocess.CompletedProcess,
                                                          bool] | str:
    """`qa-index build` as user nobody into a root-owned copy of the index (mode 755/644).

    Returns the process and whether the copy still serves its build, or why it cannot run.
    """
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        return "no account named nobody"
    if os.geteuid() != 0:
        return "not root"
    scratch = Path(tempfile.mkdtemp(prefix="qa-nobody-"))
    try:
        shutil.copytree(corpus, scratch / "corpus")
        shutil.copytree(index_dir, scratch / "index")
        for path in [scratch, *scratch.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        before = store.current_build(scratch / "index")
        done = run_python_as(nobody, ["-m", "indexer", "--index", str(scratch / "index"),
                                      "build", str(scratch / "corpus")], scratch)
        if isinstance(done, str):
            return done
        kept = (store.current_build(scratch / "index") == before
                and SearchIndex(scratch / "index").search(QUERY).total == 6)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return done, kept


def run_python_as(user, args: list[str], cwd: Path) -> subprocess.CompletedProcess | str:
    """Run this project's Python as `user`: this interpreter, else the system's of the same
    version with our packages on PYTHONPATH (a venv under /root is not theirs to run)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    path = os.pathsep.join([str(Path(__file__).resolve().parents[1]), *site.getsitepackages()])
    reasons = []
    for python, extra in ((sys.executable, {}), (f"/usr/bin/python{version}",
                                                  {"PYTHONPATH": path})):
        try:
            done = subprocess.run(
                [python, *args], user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd=cwd,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1",
                     "HOME": str(cwd), **extra},
                capture_output=True, text=True, timeout=60, check=False)
        except OSError as exc:
            reasons.append(f"{python}: {exc.strerror}")
            continue
        if "No module named" in done.stderr:  # an import, or `-m indexer` itself (the
            # checkout sits in a folder this user cannot enter, e.g. a mode-700 mktemp -d)
            reasons.append(f"{python}: {done.stderr.strip().splitlines()[-1]}")
            continue
        return done
    return f"{user.pw_name} cannot run this project's Python: " + "; ".join(reasons)


# --- a damaged or missing index at start-up --------------------------------------------


def segments(build: Path) -> list[Path]:
    """A build's segment files (postings, terms, columns; or a legacy compound .seg)."""
    return [p for p in build.iterdir() if p.suffix in {".seg", ".pst", ".trm", ".col"}]


DAMAGE = {
    "no index folder": lambda d, b: shutil.rmtree(d),
    "no CURRENT": lambda d, b: (d / "CURRENT").unlink(),
    "empty CURRENT": lambda d, b: (d / "CURRENT").write_text(""),
    "binary CURRENT": lambda d, b: (d / "CURRENT").write_bytes(b"\xff\xfe\x00garbage"),
    "CURRENT is a folder": lambda d, b: ((d / "CURRENT").unlink(), (d / "CURRENT").mkdir()),
    "CURRENT names ../..": lambda d, b: (d / "CURRENT").write_text("../../../etc\n"),
    "build folder gone": lambda d, b: shutil.rmtree(b),
    "no manifest": lambda d, b: (b / "manifest.json").unlink(),
    "manifest not JSON": lambda d, b: (b / "manifest.json").write_text("{garbage"),
    "manifest a list": lambda d, b: (b / "manifest.json").write_text("[]"),
    "no TOC": lambda d, b: [p.unlink() for p in b.glob("*.toc")],
    "TOC garbage": lambda d, b: [p.write_bytes(b"garbage") for p in b.glob("*.toc")],
    "segment gone": lambda d, b: [p.unlink() for p in segments(b)],
    "segment truncated": lambda d, b: [p.write_bytes(p.read_bytes()[:100]) for p in segments(b)],
    "segment zeroed": lambda d, b: [p.write_bytes(bytes(p.stat().st_size)) for p in segments(b)],
    "every file empty": lambda d, b: [p.write_bytes(b"") for p in b.iterdir()],
    "postings zeroed": lambda d, b: [p.write_bytes(bytes(p.stat().st_size))
                                     for p in b.glob("*.pst")],
    "terms truncated": lambda d, b: [p.write_bytes(p.read_bytes()[:50]) for p in b.glob("*.trm")],
    "a column gone": lambda d, b: [p.unlink() for p in b.glob("*.interview_id.col")],
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    store.build(root / "index", [write_small_corpus(root / "corpus")])
    return root


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_index_at_start_up_says_how_to_fix_it(pristine, tmp_path, caplog, damage,
                                                        figures):
    index_dir = tmp_path / "index"
    shutil.copytree(pristine / "index", index_dir)
    DAMAGE[damage](index_dir, store.build_path(index_dir, store.current_build(index_dir)))
    with caplog.at_level(logging.WARNING, logger="webapp"):
        client = make_app(index_dir).test_client()  # TESTING: an unhandled error would raise
    assert "build corpus/" in caplog.text and "answers 503" in caplog.text
    for url in ("/api/search?q=patients", "/healthz", "/api/pairs/ward-rounds-1"):
        response = client.get(url)
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "qa-index build corpus/" in response.get_json()["error"]
    for url in ("/?q=patients", "/", "/interview/ward-rounds"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 503 and "qa-index build corpus/" in body
        assert "Traceback" not in body
    result = cli_run("--index", str(index_dir), "search", "patients")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "build corpus/" in result.output and "Traceback" not in result.output
    result = cli_run("--index", str(index_dir), "build", str(pristine / "corpus"))
    assert result.exit_code == 0, result.output
    assert pair_ids(client) == pair_ids(make_app(pristine / "index").test_client())
    assert SearchIndex(index_dir).stats()["documents"] == 9
    record(figures, "damaged index at start-up", **{
        "kinds of damage": 1, "503 answers": 6, "tracebacks": 0, "fixed by qa-index build": 1})
