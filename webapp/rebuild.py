"""Full rebuilds (and the index updates of large publishes) in the background while search
keeps serving the old index.

One rebuild job at a time across threads, processes and gunicorn workers: starting one takes
an ``flock`` on ``rebuild.lock`` beside the job's state file (non-blocking, so a second
request is told at once that a build is running) and the job thread holds it until the end.
Publishing and withdrawing hold the same lock briefly (``exclusive``), so a rebuild never
reads the corpus while a staff change to it is half done.
The job's progress and outcome are kept in memory and written to the state file by the
lock's holder only, so every worker shows the same job. ``store.build`` itself takes the
index's writer lock, waiting ``lock_timeout`` seconds for a publish's update or a
command-line build to finish; a ``LockTimeout`` ends the job as "refused".

A job may run another `task` than a rebuild under the same lock (a publish too large to wait
for in its request: see staffops.publish_in_background); its runner keeps its own state
file, so the Rebuild page goes on showing the last rebuild.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any
from typing import TextIO

from indexer import publish
from indexer import store

RUNNING = ("starting", "running")
SAVE_EVERY = 0.5  # seconds between progress writes to the state file


@dataclass
class Job:
    """One rebuild (or other task: `kind`, and the `file` it is about): who asked, how far it
    got, what it found (a task's `result`)."""

    id: str
    staff: str
    kind: str = "rebuild"  # or "publish"
    file: str = ""
    result: dict = field(default_factory=dict)
    state: str = "starting"  # running, succeeded, failed, refused (or interrupted, as read)
    started_at: str = field(default_factory=store.now_iso)
    finished_at: str = ""
    done: int = 0
    total: int = 0
    current: str = ""
    files: int = 0
    interviews: int = 0
    pairs: int = 0
    seconds: float = 0.0
    warnings: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""
    pid: int = field(default_factory=os.getpid)

    def to_dict(self) -> dict:
        """The job as JSON-ready data."""
        return asdict(self)


class Rebuilder:
    """Starts rebuild jobs in a thread and answers what the last one is doing or did."""

    def __init__(self, index_dir: Path, corpus_dir: Path, state_file: Path, *,
                 lock_timeout: float = 5.0,
                 on_finish: Callable[[Job], None] | None = None) -> None:
        self.index_dir, self.corpus_dir = Path(index_dir), Path(corpus_dir)
        self.state_file, self.lock_timeout = Path(state_file), lock_timeout
        self.lock_file = self.state_file.with_name("rebuild.lock")
        self.on_finish = on_finish
        self._lock = threading.Lock()
        self._job: Job | None = None
        self._saved = 0.0

    def running(self) -> bool:
        """Whether this process is running a rebuild."""
        job = self._job
        return job is not None and job.state in RUNNING

    def start(self, staff: str, task: Task | None = None, job_id: str = "",
              **fields: Any) -> Job | None:
        """Start a rebuild (or `task`, its Job made with `job_id` and `fields`) and return its
        job, or None when a job is running anywhere."""
        with self._lock:
            if self.running():
                return None
            handle = self.claim()
            if handle is None:
                return None
            job = self._job = Job(job_id or new_job_id(), staff, **fields)
            self.save(job, force=True)
        threading.Thread(target=self.run, args=(job, handle, task or self.build), daemon=True,
                         name=f"{job.kind}-{job.id}").start()
        return job

    def claim(self) -> TextIO | None:
        """The rebuild lock's file, locked for us; None when another job holds it."""
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_file, "a+", encoding="utf-8")  # noqa: SIM115 - held by the job
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    @contextmanager
    def exclusive(self, timeout: float) -> Iterator[None]:
        """Hold the rebuild lock for a short corpus change, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (handle := self.claim()) is None:
            if time.monotonic() >= deadline:
                raise store.LockTimeout("A rebuild (or another publish) is running; try again "
                                        "when it has finished.")
            time.sleep(0.05)
        try:
            yield
        finally:
            handle.close()

    def run(self, job: Job, handle: TextIO, task: Task) -> None:
        """The thread: run the task, record the outcome, release the lock; never raises."""
        state, error = "failed", ""
        try:
            task(job, self)
            state = "succeeded"
        except store.LockTimeout:
            state, error = "refused", ("Another build or update (perhaps qa-index on the "
                                       "command line) is writing the index.")
        except publish.PublishError as exc:  # says what happened (a publish's update failed)
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, old index serves
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self.finish(job, state, error)
            handle.close()  # releases the rebuild lock

    def build(self, job: Job, runner: Rebuilder) -> None:
        """A rebuild's task: the corpus folder into a new index, the job following it."""
        if not publish.corpus_files(self.corpus_dir):
            raise store.StoreError(f"The corpus folder {self.corpus_dir} is missing or holds "
                                   "no interview files; the current index keeps serving.")
        report = store.build(self.index_dir, [self.corpus_dir], progress=self.progress(job),
                             lock_timeout=self.lock_timeout, embed_progress=self.embedding(job))
        self.succeeded(job, report)

    def progress(self, job: Job) -> store.Progress:
        """A write's progress through the files it parses, kept in `job`."""
        def progress(done: int, total: int, name: str) -> None:
            job.state, job.done, job.total, job.current = "running", done, total, name
            self.save(job, force=done == total)
        return progress

    def embedding(self, job: Job) -> Callable[[int, int], None]:
        """A write's progress through the questions it embeds, kept in `job` (the files
        parsed stay its done/total)."""
        def embedding(done: int, total: int) -> None:
            job.current = f"(embedding questions for search by meaning: {done} of {total})"
            self.save(job, force=done == total)
        return embedding

    def succeeded(self, job: Job, report: store.WriteReport) -> None:
        """Copy the build's report into the job."""
        job.files, job.interviews, job.pairs = report.files, report.interviews, report.pairs
        job.seconds = report.seconds
        for problem in report.problems:
            job.warnings.setdefault(problem.file, []).append(
                f"{problem.severity}: " + (f"line {problem.line}: " if problem.line else "")
                + problem.message)

    def finish(self, job: Job, state: str, error: str) -> None:
        """Record the outcome: `on_finish` (the audit entry), then the state file, then the job
        in memory, so that whoever sees the job finished, in this worker or another, finds its
        audit entry and the same outcome on every page (a page that read the outcome between
        two of these steps missed the entry, or showed the job still running). A failing
        `on_finish` becomes the job's warning; the outcome is saved regardless."""
        outcome = replace(job, state=state, error=error, finished_at=store.now_iso())
        if self.on_finish:
            try:
                self.on_finish(outcome)
            except Exception as exc:  # noqa: BLE001 - the build's outcome is kept regardless
                job.warnings.setdefault("(audit log)", []).append(  # shared with the outcome
                    f"error: the audit entry was not written: {type(exc).__name__}: {exc}")
        try:
            self.save(outcome, force=True)
        except OSError:
            pass  # this worker's pages still show the job from memory
        job.finished_at, job.error = outcome.finished_at, error
        job.state = state  # last: the job shows finished once all of it is recorded

    def save(self, job: Job, force: bool = False) -> None:
        """Write the job to the state file (at most every SAVE_EVERY seconds unless forced)."""
        now = time.monotonic()
        if not force and now - self._saved < SAVE_EVERY:
            return
        self._saved = now
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        store.write_atomic(self.state_file, json.dumps(job.to_dict(), ensure_ascii=False))

    def last(self) -> dict | None:
        """The job this process runs, else the last one any process wrote down."""
        job = self._job
        if job is not None and job.state in RUNNING:
            return job.to_dict()
        try:
            saved = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return job.to_dict() if job else None
        if saved.get("state") in RUNNING and not alive(saved.get("pid")):
            saved.update(state="interrupted", error="The process running this build stopped; "
                                                    "the previous index kept serving.")
        return saved

    def job(self, job_id: str) -> dict | None:
        """The job with `job_id` if it is the current or last one."""
        for candidate in (self._job.to_dict() if self._job else None, self.last()):
            if candidate and candidate.get("id") == job_id:
                return candidate
        return None


Task = Callable[[Job, "Rebuilder"], None]  # a job's work: raises to fail it


def new_job_id() -> str:
    """A fresh job id (a caller may make it first, to record it before the job starts)."""
    return uuid.uuid4().hex[:12]


def alive(pid) -> bool:
    """Whether a process with this id exists."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
