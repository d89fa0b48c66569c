"""Staff operations over the app's configuration: publish, withdraw, status (views stay thin).

Each change to the corpus is followed by an incremental index update; when the update fails
the change is undone, so the corpus and the serving index never disagree. Every publish,
replace and withdraw is written to the audit log with its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from indexer import audit
from indexer import publish
from indexer import store
from indexer.publish import PublishError
from webapp import preview
from webapp import uploads
from webapp.rebuild import Rebuilder
from webapp.uploads import Batch
from webapp.uploads import Item

UPDATE_LOCK_TIMEOUT = 10.0  # seconds a publish waits for a rebuild or writer (in a request)
RECENT_ACTIONS = 20


@dataclass
class Paths:
    """The folders and files the staff area works on (from the app's configuration)."""

    index_dir: Path
    corpus_dir: Path
    archive_dir: Path
    staff_file: Path
    audit_log: Path
    work_dir: Path


def paths() -> Paths:
    """This app's Paths."""
    config = current_app.config
    return Paths(*(Path(config[key]) for key in ("INDEX_DIR", "CORPUS_DIR", "ARCHIVE_DIR",
                                                 "STAFF_FILE", "AUDIT_LOG", "STAFF_WORK_DIR")))


def rebuilder() -> Rebuilder:
    """This app's background rebuilder."""
    return current_app.extensions["qa_rebuild"]


def start_rebuild(staff: str) -> dict | None:
    """Start a background rebuild: its job, or None (and an audit entry) when one is running."""
    job = rebuilder().start(staff)
    if job is None:
        audit.append(paths().audit_log, staff, "rebuild", "corpus", "refused",
                     "A build is already running.")
        return None
    return job.to_dict()


def manifest() -> dict:
    """The serving index's manifest, or an empty one when there is no index yet."""
    try:
        return store.read_manifest(paths().index_dir)
    except store.StoreError:
        return store.empty_manifest()


# --- uploads ---------------------------------------------------------------------------


def stage(files: list[uploads.Upload], staff: str, replaces: str = "") -> Batch:
    """Stage an upload for its preview, each file with the corrections of the corpus file it
    replaces (see preview.keep_corrections)."""
    where = paths()
    batch = uploads.stage(where.work_dir, files, staff, current_app.config["MAX_UPLOAD_BYTES"],
                          replaces=replaces)
    for item in batch.items:
        preview.keep_corrections(batch, item, where.corpus_dir)
    uploads.save(batch)
    return batch


def preview_context(batch: Batch) -> dict:
    """The preview page and its JSON twin."""
    return preview.batch_context(batch, paths().corpus_dir, manifest())


def publish_item(batch: Batch, item: Item, staff: str, replace: bool) -> dict:
    """Publish a staged file into the corpus and the index; PublishError says why not."""
    if item.published:
        raise PublishError(f"{item.original} is already published (as "
                           f"{item.published.get('file')}).")
    context = preview.item_context(batch, item, paths().corpus_dir, manifest())
    if not context["publishable"]:
        raise PublishError(context["error"] or f"{item.name} cannot be published.")
    old = item.replaces or (item.name if replace and context["exists"] else None)
    entry, change = locked_change(
        staff, "replace" if old else "publish", item.name,
        lambda where: publish.publish(where.corpus_dir, where.archive_dir, batch.path(item),
                                      item.name, replace=old))
    item.published = {"file": change.file.name, **entry, "replaced": old or ""}
    uploads.save(batch)
    return item.published


def withdraw_file(relative: str, staff: str) -> dict:
    """Move a corpus file to the archive and drop it from the index."""
    entry, _ = locked_change(
        staff, "withdraw", relative,
        lambda where: publish.withdraw(where.corpus_dir, where.archive_dir, relative))
    return entry


def locked_change(staff: str, action: str, name: str,
                  make: Callable[[Paths], publish.Change]) -> tuple[dict, publish.Change]:
    """Change the corpus and update the index under the rebuild lock; undo on failure; audit."""
    where, outcome = paths(), "refused"
    try:
        with rebuilder().exclusive(UPDATE_LOCK_TIMEOUT):
            change = make(where)
            held = file_entry(change.file)  # what the serving index holds of it, before
            outcome = "failed"
            try:
                report = store.update(where.index_dir, [where.corpus_dir],
                                      lock_timeout=UPDATE_LOCK_TIMEOUT,
                                      renamed={change.file: change.replaced}
                                      if change.replaced else None)
            except BaseException:
                change.undo()
                raise
    except (PublishError, store.StoreError, OSError) as exc:
        audit.append(where.audit_log, staff, action, name, outcome, str(exc))
        if outcome == "failed":
            raise PublishError(f"Nothing changed: the index could not be updated ({exc}).") \
                from exc
        raise PublishError(str(exc)) from exc
    entry = file_entry(change.file) if change.file.exists() else held  # withdrawn: was held
    audit.append(where.audit_log, staff, action, name, "ok",
                 f"{entry['pairs']} pairs; index holds {report.pairs} pairs")
    return entry, change


def file_entry(path: Path) -> dict:
    """What the serving index holds of one corpus file: interview ids and pair count."""
    entry = manifest()["files"].get(str(path.resolve()), {})
    return {"interviews": entry.get("interviews", []), "pairs": entry.get("pairs", 0)}


# --- status ----------------------------------------------------------------------------


def status_context() -> dict:
    """The status page and /staff/api/status."""
    where = paths()
    found = manifest()
    files = [file_status(path, where.corpus_dir, found)
             for path in publish.corpus_files(where.corpus_dir)]
    return {"index": index_status(found), "rebuild": rebuilder().last(), "files": files,
            "warnings": [f for f in files if f["problems"]],
            "actions": audit.recent(where.audit_log, RECENT_ACTIONS)}


def index_status(found: dict) -> dict | None:
    """Counts and last write of the serving index (None when there is none)."""
    if "counts" not in found:
        return None
    return {"documents": found["counts"]["pairs"], "interviews": found["counts"]["interviews"],
            "files": found["counts"]["files"], "built_at": found.get("built_at", ""),
            "kind": found.get("kind", ""), "seconds": found.get("seconds"),
            "schema_note": store.schema_note(found)}


def file_status(path: Path, corpus_dir: Path, found: dict) -> dict:
    """One corpus file: its name, whether and how it is indexed, its warnings."""
    entry = found["files"].get(str(path.resolve()))
    return {"name": str(path.relative_to(corpus_dir)), "indexed": entry is not None,
            "interviews": (entry or {}).get("interviews", []),
            "pairs": (entry or {}).get("pairs", 0),
            "problems": (entry or {}).get("problems", [])}
