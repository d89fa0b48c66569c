"""The index on disk: full builds, incremental updates, one writer at a time, atomic switch.

Layout of an index directory::

    INDEX_DIR/CURRENT           name of the build that serves (replaced atomically)
    INDEX_DIR/builds/<name>/    a complete Whoosh index plus manifest.json, PREVIOUS and
                                surfaces.json (the words indexed, for "did you mean")
    INDEX_DIR/.lock             held (flock) by the one process that writes

Every write, full or incremental, happens in a new build directory (an update starts from a
copy of the serving one) and becomes visible only when ``CURRENT`` is replaced, so readers
see the old index or the new one, never half of one. A failed or killed write leaves
``CURRENT`` untouched; its directory is removed by the next writer. The lock is an ``flock``,
which the kernel releases when its holder dies, so a killed build never blocks the next one.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from pathlib import Path

from whoosh import index as windex

from indexer import corpus
from indexer import dense
from indexer import spelling
from indexer.analysis import collecting_words
from indexer.corpus import SourceFile
from indexer.model import ParseProblem
from indexer.schema import SCHEMA_VERSION
from indexer.schema import make_schema
from indexer.segments import LeanWriter
from indexer.storage import SharedReadStorage
from indexer.storage import TrackedStorage

POINTER = "CURRENT"
BUILDS = "builds"
MANIFEST = "manifest.json"
PREVIOUS = "PREVIOUS"  # in a build: the build it replaced (so builds that never served go)
KEEP_BUILDS = 3  # the serving build and two before it (readers may still hold them open)
DEFAULT_LOCK_TIMEOUT = 30.0
BUILD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # what CURRENT may name

Progress = Callable[[int, int, str], None]


class StoreError(Exception):
    """A build, update or open that could not be done; the message says what to do next."""


class IndexMissing(StoreError):
    """No usable index in the directory."""


class LockTimeout(StoreError):
    """Another process held the writer lock for longer than we were willing to wait."""


@dataclass
class WriteReport:
    """What a build or update did."""

    kind: str
    build: str = ""
    files: int = 0
    interviews: int = 0
    pairs: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    seconds: float = 0.0
    embeddings: dict | None = None  # what writing the embeddings did (dense.Written)
    refused: bool = False  # strict, and a file had problems: nothing was written

    @property
    def unchanged(self) -> bool:
        return self.kind == "update" and not (self.added or self.changed or self.removed)


# --- reading ---------------------------------------------------------------------------


def current_build(index_dir: str | os.PathLike) -> str | None:
    """Name of the serving build, or None when the directory holds no index.

    A pointer that exists but cannot be read or does not name a build raises IndexMissing.
    """
    pointer = Path(index_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:  # a directory, unreadable, not UTF-8
        raise IndexMissing(f"The index pointer {pointer} cannot be read ({exc}). "
                           f"{rebuild_hint(index_dir)}") from exc
    if name and not BUILD_NAME.fullmatch(name):
        raise IndexMissing(f"The index pointer {pointer} does not name a build "
                           f"({name[:40]!r}). {rebuild_hint(index_dir)}")
    return name or None


def rebuild_hint(index_dir: str | os.PathLike) -> str:
    """The command that builds a fresh index in `index_dir`."""
    return f"Run: qa-index --index {index_dir} build corpus/"


def build_path(index_dir: str | os.PathLike, build: str) -> Path:
    """The directory of the build named `build`."""
    return Path(index_dir) / BUILDS / build


def open_build(index_dir: str | os.PathLike) -> tuple[str, windex.Index, dict]:
    """Open the serving build: (name, Whoosh index, manifest). Raises IndexMissing."""
    build = current_build(index_dir)
    hint = rebuild_hint(index_dir)
    if build is None:
        raise IndexMissing(f"No index in {index_dir}. {hint}")
    path = build_path(index_dir, build)
    try:
        ix = SharedReadStorage(path).open_index()
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        check_readable(ix, manifest)
    except Exception as exc:  # any corruption reads as "rebuild it"
        raise IndexMissing(f"The index in {path} cannot be read ({exc}). {hint}") from exc
    return build, ix, manifest


def check_readable(ix: windex.Index, manifest: dict) -> None:
    """Read the manifest's shape and every segment once, so damage shows here, not mid-search."""
    if not (isinstance(manifest, dict) and isinstance(manifest.get("files"), dict)
            and isinstance(manifest.get("interviews"), dict)):
        raise ValueError(f"{MANIFEST} is not an index manifest")
    with ix.reader() as reader:
        count = reader.doc_count()
        if count:
            next(iter(reader.all_stored_fields()), None)
            for name, field in ix.schema.items():  # one posting and one value of each file
                if field.scorable:
                    term = next(iter(reader.lexicon(name)), None)
                    if term is not None:
                        postings = reader.postings(name, term)
                        if postings.is_active():  # not when all its pairs were deleted
                            postings.id(), postings.weight()
                    reader.doc_field_length(0, name)
                if field.column_type is not None:
                    if not reader.has_column(name):  # Whoosh would read "" for every pair
                        raise ValueError(f"the {name} column is missing")
                    reader.column_reader(name)[0]
    expected = (manifest.get("counts") or {}).get("pairs", count)
    if count != expected:
        raise ValueError(f"it holds {count} pairs, its manifest says {expected}")


def read_manifest(index_dir: str | os.PathLike) -> dict:
    """The serving build's manifest. Raises IndexMissing."""
    return open_build(index_dir)[2]


# --- locking ---------------------------------------------------------------------------


@contextmanager
def writer_lock(index_dir: Path, timeout: float = DEFAULT_LOCK_TIMEOUT):
    """Hold the index's writer lock, waiting at most `timeout` seconds for it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(lock_message(index_dir, timeout)) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": now_iso()}))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_message(index_dir: Path, timeout: float) -> str:
    """Why the writer lock timed out, naming its holder (pid, since when) if recorded."""
    try:
        holder = json.loads((index_dir / ".lock").read_text(encoding="utf-8"))
        who = f" (pid {holder['pid']}, since {holder['since']})"
    except (OSError, ValueError, KeyError):
        who = ""
    return (f"Another build or update is writing {index_dir}{who}; gave up after "
            f"{timeout:g} s. Try again when it has finished.")


# --- writing ---------------------------------------------------------------------------


def build(index_dir: str | os.PathLike, paths: Iterable[str | os.PathLike], *,
          progress: Progress | None = None, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
          limitmb: int = 1024, embeddings: bool | None = None,
          embed_progress: dense.EmbedProgress | None = None,
          strict: bool = False) -> WriteReport:
    """Parse every file under `paths` into a new index and switch to it atomically.

    Files the serving build holds keep their interview and pair ids (see corpus.keep_ids).
    `embeddings`: write the pairs' question embeddings too (None: when the semantic extra is
    installed, unless QA_EMBEDDINGS=0); rows of the serving build are reused where unchanged.
    `strict`: when any file has a problem, write nothing (report.refused; the serving build
    stays), for a check that must not publish a corpus with warnings.
    """
    index_dir = Path(index_dir)
    paths = existing(paths)
    started = time.monotonic()
    report = WriteReport("build")
    embeddings = wanted_embeddings(embeddings)
    with writer_lock(index_dir, lock_timeout):
        sources = corpus.collect(paths, report.problems)
        parsed = corpus.parse_all(sources, report.problems, progress)
        report.added = [s.key for s in sources]
        if strict and report.problems:
            report.refused = True
            return report
        previous = serving_manifest(index_dir)
        mark_serving_pairs(index_dir, previous)
        known, found = corpus.dict_of(previous, "files"), {s.key for s in sources}
        manifest = empty_manifest()
        corpus.keep_ids(manifest, previous, [s for s in sources if s.key not in known],
                        [key for key in known if key not in found])
        name, path = new_build_dir(index_dir)
        with writing(path) as storage:
            ix = storage.create_index(make_schema())
            words = with_writer(ix, limitmb, lambda w: add_files(w, parsed, manifest))
            embed(index_dir, path, manifest, embeddings, embed_progress)
            finish(index_dir, name, manifest, report, started, "build", words)
    return report


def update(index_dir: str | os.PathLike, paths: Iterable[str | os.PathLike], *,
           progress: Progress | None = None, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
           limitmb: int = 1024, embeddings: bool | None = None,
           embed_progress: dense.EmbedProgress | None = None,
           renamed: dict[str | os.PathLike, str | os.PathLike] | None = None,
           strict: bool = False) -> WriteReport:
    """Bring the index up to date with `paths`: new, changed and removed files only
    (and only their pairs are embedded; see `build` for `embeddings`).

    `renamed`: {new file: the removed file it replaces}, whose ids it takes (staff replacing a
    file by one of another name); files moved unchanged keep their ids without it.
    `strict`: as for `build`.
    """
    index_dir = Path(index_dir)
    paths = list(paths)
    if current_build(index_dir) is None:
        return build(index_dir, paths, progress=progress, lock_timeout=lock_timeout,
                     limitmb=limitmb, embeddings=embeddings, embed_progress=embed_progress,
                     strict=strict)
    started = time.monotonic()
    report = WriteReport("update")
    embeddings = wanted_embeddings(embeddings)
    with writer_lock(index_dir, lock_timeout):
        _, old_ix, manifest = open_build(index_dir)
        old_ix.close()
        same_schema(manifest)
        existing(paths, corpus.known_paths(manifest["files"]))
        unreadable: set[str] = set()
        sources = corpus.collect([p for p in paths if Path(p).exists()], report.problems,
                                 unreadable)
        changes = corpus.diff(sources, manifest["files"], paths, keep=unreadable)
        report.added, report.changed = changes.added, changes.changed
        report.removed = changes.removed
        for key in changes.gone:
            report.problems.append(ParseProblem(
                manifest["files"][key].get("display") or key,
                "no longer exists; its pairs stay until an update of its own folder or a "
                "build (a folder moved and then changed, or a disk not mounted)"))
        if report.unchanged and not changes.found_at:
            fill_counts(report, manifest)
            report.build = current_build(index_dir) or ""
            return report
        parsed = corpus.parse_all(changes.to_parse, report.problems, progress)
        if strict and report.problems:
            report.refused = True
            return report
        mark_serving_pairs(index_dir, manifest)  # (not for an update refused or with no change)
        corpus.keep_ids(manifest, manifest,
                        [s for s in changes.to_parse if s.key in changes.added], changes.removed,
                        {str(Path(new).resolve()): str(Path(old).resolve())
                         for new, old in (renamed or {}).items()})
        name, path = clone_build(index_dir)
        with writing(path) as storage:
            ix = storage.open_index()
            words = with_writer(ix, limitmb,
                                lambda w: apply_changes(w, parsed, changes, manifest))
            embed(index_dir, path, manifest, embeddings, embed_progress)
            finish(index_dir, name, manifest, report, started, "update", words)
    return report


def same_schema(manifest: dict) -> None:
    """Refuse to update a build whose words were indexed by another schema version (an update
    would add pairs indexed one way to pairs indexed another: PET was "pet" before schema 3)."""
    note = schema_note(manifest)
    if note:
        raise StoreError(f"{note} Nothing was written, and the current index keeps serving.")


def schema_note(manifest: dict) -> str | None:
    """What to do about a build of another schema version than this program writes (search
    still answers from it, but words it indexed differently are missed: PET in capitals found
    nothing in a build of schema 2; before schema 5, copies of a pair are listed apart), or
    None."""
    version = manifest.get("schema_version")
    if version == SCHEMA_VERSION:
        return None
    return (f"The index was built by another version of this program (schema {version}, this "
            f"one writes {SCHEMA_VERSION}), which indexed pairs differently. Build it again "
            "once (qa-index build, or Rebuild index on the staff pages).")


def existing(paths: Iterable[str | os.PathLike],
             known: Iterable[str] = ()) -> list[str | os.PathLike]:
    """The paths, once each exists or is a `known` path (an update naming a file, or a link to
    one, deleted since: its pairs go). A missing folder is refused even when the index holds
    it: it may be a disk not mounted just now, and a mistyped path would otherwise drop its
    interviews from the new build (or, alone, empty it). Raises StoreError naming it."""
    paths, known = list(paths), set(known)
    for path in paths:
        if not Path(path).exists() and str(Path(path).resolve()) not in known:
            raise StoreError(f"{path}: no such file or directory. Nothing was written; "
                             "the previous index (if any) keeps serving.")
    return paths


def serving_pairs(index_dir: Path) -> int:
    """How many pairs the serving build holds, by its manifest (0: none, or unreadable)."""
    try:
        return int(serving_manifest(index_dir)["counts"]["pairs"])
    except (ValueError, KeyError, TypeError):
        return 0


def serving_manifest(index_dir: Path) -> dict:
    """The serving build's manifest as written ({} when there is none or it cannot be read:
    a build replaces a damaged index, its ids start afresh then)."""
    try:
        name = current_build(index_dir)
        if name is None:
            return {}
        manifest = json.loads((build_path(index_dir, name) / MANIFEST).read_text("utf-8"))
    except (StoreError, OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def unmarked(manifest: dict) -> dict[str, dict]:
    """The interview records of `manifest` (written by an earlier version) that do not hold
    their pairs' marks (corpus.pair_mark), by id."""
    return {interview_id: record
            for interview_id, record in corpus.dict_of(manifest, "interviews").items()
            if isinstance(record, dict) and "pair_marks" not in record}


def mark_earlier_pairs(ix: windex.Index, manifest: dict) -> None:
    """Give the interviews of a manifest of an earlier version their pairs' marks, read from
    its index: without them, the first edit of a file after an upgrade would give each of
    its pairs a new id (see corpus.earlier_ids)."""
    lacking = unmarked(manifest)
    if not lacking:
        return
    marks = {}
    with ix.reader() as reader:
        for doc in reader.all_stored_fields():
            if doc.get("interview_id") in lacking:
                marks[doc["id"]] = corpus.pair_mark(doc["question"], doc["answer"])
    for record in lacking.values():
        ids = record.get("pair_ids")
        if isinstance(ids, list) and all(pair_id in marks for pair_id in ids):
            record["pair_marks"] = [marks[pair_id] for pair_id in ids]


def mark_serving_pairs(index_dir: Path, manifest: dict) -> None:
    """mark_earlier_pairs with the serving build, when `manifest` (its own) needs it and
    the build can be read (else its pairs' ids are kept as far as they can be without)."""
    if not unmarked(manifest):
        return
    try:
        _, ix, _ = open_build(index_dir)
    except StoreError:
        return
    try:
        mark_earlier_pairs(ix, manifest)
    finally:
        ix.close()


@contextmanager
def writing(path: Path) -> Iterator[TrackedStorage]:
    """The storage of a build directory being written; on any failure its files are closed
    and the directory removed (it never served, and a full disk needs its space back)."""
    storage = TrackedStorage(path)
    try:
        yield storage
    except BaseException:
        storage.close_all()
        shutil.rmtree(path, ignore_errors=True)
        raise


def with_writer(ix: windex.Index, limitmb: int, fill: Callable) -> set[str]:
    """Run `fill(writer)` and commit; on any error (in either) cancel the writer. Returns the
    raw words indexed (for "did you mean": :func:`indexer.spelling.save_surfaces`)."""
    writer = LeanWriter(ix, limitmb=limitmb, compound=False)  # see indexer.storage
    try:
        with collector_paused(), collecting_words() as words:
            fill(writer)
            writer.commit()
        return words
    except BaseException:
        if not writer.is_closed:
            try:
                writer.cancel()
            except Exception:  # noqa: BLE001 - e.g. the disk is still full: report the first
                pass
        raise
    finally:
        ix.close()


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while a writer runs: it allocates millions of
    containers (positions, postings) that form no cycles, and the collector would traverse
    the growing heap again and again (0.5-0.9 s of a MedQuAD build)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def wanted_embeddings(requested: bool | None) -> bool:
    """Whether this write makes embeddings (dense.wanted); StoreError when they cannot be made."""
    try:
        return dense.wanted(requested)
    except dense.DenseError as exc:
        raise StoreError(str(exc)) from exc


def embed(index_dir: Path, path: Path, manifest: dict, wanted: bool,
          progress: dense.EmbedProgress | None) -> None:
    """Write the new build's embeddings (reusing the serving build's unchanged rows) and
    record what was done in its manifest; without them the build is keyword-only."""
    if not wanted:
        manifest["embeddings"] = None
        return
    serving = serving_build(index_dir)
    previous = build_path(index_dir, serving) if serving else None
    try:
        manifest["embeddings"] = dense.write(path, previous, progress).to_dict()
    except dense.DenseError as exc:
        raise StoreError(f"{exc}; the previous index keeps serving.") from exc


def add_files(writer, parsed: list[corpus.ParsedFile], manifest: dict) -> None:
    """Add every pair of the parsed files to the writer, registering them in the manifest."""
    for item in parsed:
        for doc in corpus.index_file(item, manifest):
            writer.add_document(**doc)


def apply_changes(writer, parsed: list[corpus.ParsedFile], changes: corpus.Changes,
                  manifest: dict) -> None:
    """Delete removed files' pairs; replace changed files' pairs by id (update_document);
    record where unchanged files were found (a link to one added or deleted)."""
    for key, paths in changes.found_at.items():
        corpus.record_found_at(manifest["files"][key], key, paths)
    for key in changes.removed + changes.changed:
        old_ids = corpus.forget_file(manifest, key)
        if key in changes.removed:
            writer.delete_by_term("file", key)
        else:
            stale = set(old_ids)
            item = next(p for p in parsed if p.source.key == key)
            for doc in corpus.index_file(item, manifest):
                stale.discard(doc["id"])
                writer.update_document(**doc)
            for pair_id in stale:
                writer.delete_by_term("id", pair_id)
    for item in parsed:
        if item.source.key in changes.added:
            for doc in corpus.index_file(item, manifest):
                writer.add_document(**doc)


def finish(index_dir: Path, name: str, manifest: dict, report: WriteReport,
           started: float, kind: str, words: set[str]) -> None:
    """Write the manifest, check the new build (and write its words for "did you mean"),
    switch CURRENT to it, tidy old builds."""
    path = build_path(index_dir, name)
    corpus.settle_ids(manifest)
    manifest.update(schema_version=SCHEMA_VERSION, built_at=now_iso(), kind=kind,
                    problems=[str(p) for p in report.problems])
    fill_counts(report, manifest)
    if kind == "build" and not report.pairs and (held := serving_pairs(index_dir)):
        found = "; ".join(str(p) for p in report.problems[:5]) or "no interview files"
        raise StoreError(f"The build found no question/answer pairs ({found}); the previous "
                         f"index ({held} pairs) keeps serving.")
    manifest["seconds"] = round(time.monotonic() - started, 3)
    write_atomic(path / MANIFEST, json.dumps(manifest, ensure_ascii=False))
    write_atomic(path / PREVIOUS, serving_build(index_dir) + "\n")
    check_build(path, report.pairs, words)
    pointer = index_dir / POINTER
    if pointer.is_dir() and not pointer.is_symlink():
        shutil.rmtree(pointer)  # a damaged pointer (see current_build) cannot be replaced
    write_atomic(pointer, name + "\n")
    report.build = name
    report.seconds = manifest["seconds"]
    report.embeddings = manifest.get("embeddings")
    remove_old_builds(index_dir, keep=name)


def check_build(path: Path, expected_pairs: int, words: set[str]) -> None:
    """Refuse to switch to a build whose document count is not what was written; on the same
    open index, write its term -> words map for "did you mean" (indexer.spelling)."""
    ix = windex.open_dir(str(path))
    try:
        count = ix.doc_count()
        with ix.reader() as reader:
            spelling.save_surfaces(path, reader, words)
    finally:
        ix.close()
    if count != expected_pairs:
        raise StoreError(f"New index in {path} holds {count} pairs, expected "
                         f"{expected_pairs}; the previous index keeps serving.")


def fill_counts(report: WriteReport, manifest: dict) -> None:
    """Set the report's file, interview and pair counts from the manifest; record them in it."""
    report.files = len(manifest["files"])
    report.interviews = len(manifest["interviews"])
    report.pairs = sum(i["pair_count"] for i in manifest["interviews"].values())
    manifest["counts"] = {"files": report.files, "interviews": report.interviews,
                          "pairs": report.pairs}


def empty_manifest() -> dict:
    """A manifest with no files and no interviews."""
    return {"files": {}, "interviews": {}}


def new_build_dir(index_dir: Path) -> tuple[str, Path]:
    """Create an empty build directory named by UTC time and pid: (name, path)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    name = f"build-{stamp}-{os.getpid()}"
    path = build_path(index_dir, name)
    path.mkdir(parents=True)
    return name, path


def clone_build(index_dir: Path) -> tuple[str, Path]:
    """A new build directory holding a copy of the serving build's files."""
    source = build_path(index_dir, current_build(index_dir) or "")
    name, path = new_build_dir(index_dir)
    for item in source.iterdir():
        if (item.is_file() and not item.name.endswith("WRITELOCK")
                and item.name not in (dense.MATRIX, dense.META)):  # rewritten, rows reused
            shutil.copy2(item, path / item.name)
    return name, path


def serving_build(index_dir: Path) -> str:
    """The serving build's name, or "" when there is none (or the pointer is damaged)."""
    try:
        return current_build(index_dir) or ""
    except IndexMissing:
        return ""


def remove_old_builds(index_dir: Path, keep: str) -> None:
    """Keep the serving build and the KEEP_BUILDS - 1 builds that served before it; remove
    the rest, including builds of failed or killed writes (they never served)."""
    for stale in index_dir.glob(f".{POINTER}.*.tmp"):  # a writer killed while switching
        stale.unlink(missing_ok=True)
    builds = {p.name: p for p in (index_dir / BUILDS).iterdir() if p.is_dir()}
    survivors, name, legacy = [], keep, False
    while name in builds and len(survivors) < KEEP_BUILDS:
        survivors.append(name)
        try:
            name = (builds[name] / PREVIOUS).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):  # written before PREVIOUS existed
            legacy = True
            break
    if legacy:  # fall back to the newest complete builds older than the chain's end
        older = sorted((n for n, p in builds.items()
                        if n < survivors[-1] and (p / MANIFEST).exists()), reverse=True)
        survivors += older[:KEEP_BUILDS - len(survivors)]
    for name, path in builds.items():
        if name not in survivors:
            shutil.rmtree(path, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. the disk is full: leave no half-written file
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def now_iso() -> str:
    """The current UTC time in ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


__all__ = ["build", "update", "open_build", "current_build", "read_manifest", "WriteReport",
           "StoreError", "IndexMissing", "LockTimeout", "SourceFile"]
