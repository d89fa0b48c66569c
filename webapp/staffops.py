"""Staff operations over the app's configuration: publish, withdraw, edit details, restore,
status (views stay thin).

Each change to the corpus is followed by an incremental index update; when the update fails
the change is undone, so the corpus and the serving index never disagree. Every publish,
replace, withdraw, edit and restore is written to the audit log with its outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from indexer import audit
from indexer import corpus
from indexer import formats
from indexer import publish
from indexer import store
from indexer.model import ParseResult
from indexer.model import slugify
from indexer.publish import PublishError
from webapp import preview
from webapp import uploads
from webapp.presenters import counted
from webapp.presenters import its_pairs
from webapp.rebuild import RUNNING
from webapp.rebuild import Job
from webapp.rebuild import Rebuilder
from webapp.rebuild import new_job_id
from webapp.uploads import Batch
from webapp.uploads import Item

UPDATE_LOCK_TIMEOUT = 10.0  # seconds a publish waits for a rebuild or writer (in a request)
RECENT_ACTIONS = 20
NOT_INDEXED = ("Not in the index yet: rebuild the index to add it (if it still is not "
               "indexed, the rebuild report says why).")
NOT_READ = "Not indexed: {why}. Withdraw it, or convert it and add it again."
BROKEN_LINK = ("A link to a file that does not exist: withdraw it to move the link to the "
               "archive.")


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


def publisher() -> Rebuilder:
    """This app's runner of publishes too large to wait for (see publish_in_background)."""
    return current_app.extensions["qa_publish"]


def find_job(job_id: str) -> dict | None:
    """The rebuild or publish job with `job_id`, if it is the current or last one."""
    return rebuilder().job(job_id) or publisher().job(job_id)


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
    """The preview page and its JSON twin; a file being published in the background has its
    `job` (see publish_job)."""
    jobs = {item.n: publish_job(batch, item) for item in batch.items}
    context = preview.batch_context(batch, paths().corpus_dir, manifest())
    for shown in context["items"]:
        shown["job"] = jobs[shown["n"]]
    return context


def publish_job(batch: Batch, item: Item) -> dict | None:
    """The background publish of a staged file, while it runs or when it failed (None once
    it is published). One that succeeded is recorded as published here too, should the
    job's own record have been lost (the upload's record written by a request meanwhile)."""
    job = publisher().job(item.job) if item.job and not item.published else None
    if job and job.get("state") == "succeeded" and job.get("result"):
        item.published = job["result"]
        uploads.save(batch)
        return None
    return job


def publish_plan(batch: Batch, item: Item, replace: bool) -> tuple[str | None, int]:
    """What publishing a staged file does: the corpus file it replaces (or None) and its
    pairs; PublishError says why it cannot be published."""
    if item.published:
        raise PublishError(f"{item.original} is already published (as "
                           f"{item.published.get('file')}).")
    if busy := publishing(batch, item):
        raise PublishError(busy)
    context = preview.item_context(batch, item, paths().corpus_dir, manifest())
    if not context["publishable"]:
        raise PublishError(context["error"] or f"{item.name} cannot be published.")
    return item.replaces or (item.name if replace and context["exists"] else None), \
        context["pairs"]


def publishing(batch: Batch, item: Item) -> str:
    """Why a staged file takes no action now (it is being published in the background), or
    ""."""
    job = publish_job(batch, item)
    if job and job.get("state") in RUNNING:
        return (f"{item.original} is being published; the page shows how far it got. Wait "
                "until it has finished.")
    return ""


def in_background(pairs: int) -> bool:
    """Whether a file of `pairs` pairs is published in the background (its index update,
    embedding every question, takes long: 1,683 pairs took 16 s on an idle two-core server,
    43 s on a busy one, past common proxy timeouts)."""
    return pairs > current_app.config["STAFF_BACKGROUND_PAIRS"]


def publish_item(batch: Batch, item: Item, staff: str, old: str | None,
                 job: Job | None = None, runner: Rebuilder | None = None) -> dict:
    """Publish a staged file into the corpus and the index (replacing the corpus file `old`):
    what the index holds of it (file_entry), its corpus `file` name and what it `replaced`;
    PublishError says why not. In a background `job` (of `runner`, which holds the rebuild
    lock), the job follows the update."""
    follow = {} if job is None else {"held": True, "embed_progress": embedding(job, runner)}
    entry, change = locked_change(
        staff, "replace" if old else "publish", item.name,
        lambda where: publish.publish(where.corpus_dir, where.archive_dir, batch.path(item),
                                      item.name, replace=old), **follow)
    item.published = {"file": change.file.name, **entry, "replaced": old or "",
                      "anchor": file_anchor(change.file.name)}
    uploads.save(batch)
    return item.published


def file_anchor(name: str) -> str:
    """The id of a corpus file's row on the Status page (a link to its entry ends with it)."""
    return f"file-{slugify(name)}"


def publish_in_background(batch: Batch, item: Item, staff: str, old: str | None) -> dict:
    """Start publishing a staged file (see publish_item) as a job (the Rebuild page's kind:
    one at a time with rebuilds, its progress shown on the preview): the job; PublishError
    when a rebuild or another publish is running. The upload records the job before it
    starts, and the job the outcome in the upload's record."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    token, n = batch.token, item.n

    def task(job: Job, runner: Rebuilder) -> None:
        with app.app_context():
            job.state, job.current = "running", "updating the index"
            runner.save(job, force=True)
            fresh = uploads.load(paths().work_dir, token)
            staged = fresh.item(n) if fresh else None
            if staged is None:
                raise PublishError(f"{item.original} was discarded before it was published.")
            job.result = publish_item(fresh, staged, staff, old, job, runner)
            job.pairs, job.interviews = job.result["pairs"], len(job.result["interviews"])

    item.job = new_job_id()
    uploads.save(batch)
    job = publisher().start(staff, task, job_id=item.job, kind="publish", file=item.name)
    if job is None:
        item.job = ""
        uploads.save(batch)
        raise PublishError(f"{item.original} was not published: a rebuild or another publish "
                           "is running. Try again when it has finished.")
    return job.to_dict()


def embedding(job: Job, runner: Rebuilder) -> Callable[[int, int], None]:
    """A publish job's progress through the questions its update embeds."""
    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        job.current = f"embedding questions for search by meaning: {done:,} of {total:,}"
        runner.save(job, force=done == total)
    return progress


def withdraw_file(relative: str, staff: str) -> dict:
    """Move a corpus file to the archive and drop it from the index: what the index held of
    it; for a link (moved itself), where it led (`link`, see publish.link_target) and the
    `pairs_kept`, still searchable through the file it led to (in the corpus, or through
    another link)."""
    entry, change = locked_change(
        staff, "withdraw", relative,
        lambda where: publish.withdraw(where.corpus_dir, where.archive_dir, relative))
    kept = file_entry(change.led_to)["pairs"] if change.led_to else 0
    return {**entry, "link": change.link, "pairs_kept": kept}


def restore_file(archived: str, staff: str, replace: str = "") -> dict:
    """Move an archived file back into the corpus (an archived link: make it again) and index
    it again: what the index holds of it now, with its corpus `file` name, the file it
    `replaced` (see publish.restore) and, for a link, where it leads (`link`). Refused
    (publish.Superseded) when another corpus file serves its interviews now (see
    superseded)."""
    match = publish.ARCHIVED.fullmatch(archived or "")
    name = match["name"] if match else archived

    def restore(where: Paths) -> publish.Change:
        if not replace and (refusal := superseded(where, archived)):
            raise refusal
        return publish.restore(where.corpus_dir, where.archive_dir, archived,
                               replace=replace or None)

    entry, change = locked_change(
        staff, "restore", name, restore,
        note=f"from the archive's {archived}" + (f", replacing {replace}" if replace else ""))
    return {**entry, "file": change.file.name, "link": change.link, "replaced": replace}


def superseded(where: Paths, archived: str) -> publish.Superseded | None:
    """Why the archived file `archived` is not restored beside the corpus file that serves
    its interviews now (corpus.served_elsewhere: the version that replaced it, usually), or
    None: every answer they share would show twice in search, and the version would come
    back under a new address. Replacing that file with it is the way (the ids go with it)."""
    source = publish.archived_path(where.archive_dir, archived)
    match = publish.ARCHIVED.fullmatch(source.name)
    target = publish.corpus_path(where.corpus_dir, match["name"])
    if match["link"] or publish.occupied(target):  # (publish.restore says why not)
        return None
    interviews = uploads.read(source, match["name"]).interviews
    served = corpus.served_elsewhere(manifest(), target, interviews)
    if not served:
        return None
    root = Path(where.corpus_dir).resolve()
    files = sorted({preview.corpus_name(s.file, root) for s in served})
    ids = [s.interview_id for s in served]
    addresses = ", ".join(f"/interview/{i}" for i in ids[:3]) + (
        f" and {len(ids) - 3:,} more" if len(ids) > 3 else "")
    what = (f"the interview of {target.name} is" if len(interviews) == 1 else
            f"{counted(len(served), 'interview')} of {target.name} "
            f"{'is' if len(served) == 1 else 'are'}")
    said = f"Not restored: {what} served now by {' and '.join(files)} ({addresses})"
    if len(served) == 1:
        one = served[0]
        said += (", which took its address when it replaced it" if one.address else
                 f", which holds {one.matched} of its {one.pairs} question/answer pairs")
    said += (f". Restored beside {'it' if len(files) == 1 else 'them'}, the answers they share "
             "would show twice in search, and this version would come back under a new "
             "address.")
    if len(files) > 1:
        return publish.Superseded(f"{said} To restore this version, withdraw those files "
                                  "first.")
    return publish.Superseded(
        f"{said} To bring this version back, replace {files[0]} with it: the interview keeps "
        f"its address, and {files[0]} goes to the archive.", files[0])


def save_details(relative: str, values: dict[str, str | None], staff: str) -> dict | None:
    """Make the Edit details form's `values` the corrections of a corpus file and update
    the index: what the index holds of the file now, or None when nothing changes."""
    path = publish.interview_path(paths().corpus_dir, relative)
    old = publish.read_overrides(path)
    new = corpus.overrides(preview.corrected(path, relative, values))
    if new == old:
        return None
    entry, _ = locked_change(
        staff, "edit", relative,
        lambda where: publish.correct(where.corpus_dir, where.archive_dir, relative, new),
        note=changes_note(old, new))
    return entry


def changes_note(old: dict[str, str | None], new: dict[str, str | None]) -> str:
    """What an edit changed, for the audit log: 'set date \u201c2024-04-01\u201d, no
    interviewer; title as the file has it'."""
    unset = object()
    changed = {k: new.get(k, unset) for k in corpus.OVERRIDE_FIELDS
               if new.get(k, unset) != old.get(k, unset)}
    values = {k: v for k, v in changed.items() if v is not unset}
    parts = [f"set {preview.listed(values)}"] if values else []
    dropped = [k for k, v in changed.items() if v is unset]
    parts += [f"{', '.join(dropped)} as the file has it"] if dropped else []
    return "; ".join(parts)


def locked_change(staff: str, action: str, name: str, make: Callable[[Paths], publish.Change],
                  note: str = "", held: bool = False,
                  embed_progress: Callable[[int, int], None] | None = None,
                  ) -> tuple[dict, publish.Change]:
    """Change the corpus and update the index under the rebuild lock (`held`: by the caller,
    a background job); undo on failure; audit (with `note` saying what changed, when the
    action's name does not, and where a link that moved led)."""
    where, outcome = paths(), "refused"
    try:
        with nullcontext() if held else rebuilder().exclusive(UPDATE_LOCK_TIMEOUT):
            change = make(where)
            before = file_entry(change.led_to or change.file)  # what the index holds
            outcome = "failed"
            try:
                report = store.update(where.index_dir, [where.corpus_dir],
                                      lock_timeout=UPDATE_LOCK_TIMEOUT,
                                      renamed={change.file: change.replaced}
                                      if change.replaced else None,
                                      embed_progress=embed_progress)
            except BaseException:
                change.undo()
                raise
    except (PublishError, store.StoreError, OSError) as exc:
        audit.append(where.audit_log, staff, action, name, outcome, str(exc))
        if outcome == "failed":
            raise PublishError(f"Nothing changed: the index could not be updated ({exc}).") \
                from exc
        if isinstance(exc, PublishError):
            raise  # as refused (a Superseded restore: the page asking how)
        raise PublishError(str(exc)) from exc
    entry = file_entry(change.file) if change.file.exists() else before  # withdrawn
    moved = f"a link to {change.link}; the link moved" if change.link else ""
    audit.append(where.audit_log, staff, action, name, "ok",
                 "; ".join(filter(None, [moved, note, f"{entry['pairs']} pairs; index holds "
                                                      f"{report.pairs} pairs"])))
    return entry, change


def file_entry(path: Path) -> dict:
    """What the serving index holds of one corpus file: interview ids, their titles (in the
    same order), pair count."""
    found = manifest()
    entry = found["files"].get(str(path.resolve()), {})
    ids = entry.get("interviews", [])
    return {"interviews": ids, "pairs": entry.get("pairs", 0),
            "titles": [found["interviews"].get(i, {}).get("title", "") for i in ids]}


# --- status ----------------------------------------------------------------------------


def status_context() -> dict:
    """The status page and /staff/api/status: every file in the corpus (also those builds
    cannot read), those with warnings, the archive. The corpus folder is walked once."""
    where = paths()
    found = manifest()
    walked = publish.walk(where.corpus_dir)
    reads = read_counts(walked, where.corpus_dir)
    duplicates = preview.corpus_duplicates(found, Path(where.corpus_dir).resolve())
    files = [file_status(path, where.corpus_dir, found, reads, duplicates)
             for path in publish.shown_files(walked, where.corpus_dir)]
    return {"index": index_status(found), "rebuild": rebuilder().last(), "files": files,
            "warnings": [f for f in files if f["problems"]],
            "archive": archive_status(where),
            "actions": audit.recent(where.audit_log, RECENT_ACTIONS)}


JOB_LABELS = {"starting": "Starting", "running": "Running", "succeeded": "Succeeded",
              "failed": "Failed", "refused": "Not started", "interrupted": "Interrupted"}


def job_text(job: dict) -> dict:
    """What the pages say of a rebuild job, also in its JSON for the script that follows a
    running one (one wording): its state's `label`, whether it has `finished`, the `progress`
    of a running job, the `outcome` of a finished one."""
    state = job.get("state", "")
    said = {"label": JOB_LABELS.get(state, state), "finished": state not in RUNNING,
            "progress": "", "outcome": ""}
    if job.get("kind") == "publish":
        return publish_text(job, said)
    if not said["finished"]:
        done, total, current = job.get("done", 0), job.get("total", 0), job.get("current")
        said["progress"] = (f"Files parsed: {done} of {total or '…'}"
                            + (f" (last: {current})" if current else "") + ".")
        if total and done == total:
            said["progress"] += (" All files parsed; writing the new index. The pairs indexed "
                                 "are counted when it is switched in.")
    elif state == "succeeded":
        said["outcome"] = (f"{counted(job.get('files', 0), 'file')}, "
                           f"{counted(job.get('interviews', 0), 'interview')}, "
                           f"{counted(job.get('pairs', 0), 'pair')} indexed in "
                           f"{job.get('seconds', 0):.1f} s.")
    else:
        said["outcome"] = f"{job.get('error', '')} The previous index keeps serving."
    return said


def publish_text(job: dict, said: dict) -> dict:
    """What the preview says of a background publish (see job_text)."""
    if not said["finished"]:
        said["progress"] = f"Publishing {job.get('file')}: {job.get('current') or 'starting'}."
    elif job.get("state") == "succeeded":
        said["outcome"] = (f"{published_as(job.get('result') or {})}: "
                           f"{its_pairs(job.get('pairs', 0), 'searchable now')}.")
    else:
        said["outcome"] = f"{job.get('error', '')} The index keeps serving as it was."
    return said


def published_as(done: dict) -> str:
    """"Published new.txt", "Replaced old.txt with new.md", or, of a file replaced by one of
    its name, "Replaced x.txt with the uploaded version" (not "with x.txt")."""
    if not done.get("replaced"):
        return f"Published {done.get('file')}"
    new = "the uploaded version" if done["file"] == done["replaced"] else done["file"]
    return f"Replaced {done['replaced']} with {new}"


def index_status(found: dict) -> dict | None:
    """Counts and last write of the serving index (None when there is none)."""
    if "counts" not in found:
        return None
    return {"documents": found["counts"]["pairs"], "interviews": found["counts"]["interviews"],
            "files": found["counts"]["files"], "built_at": found.get("built_at", ""),
            "kind": found.get("kind", ""), "seconds": found.get("seconds"),
            "schema_note": store.schema_note(found)}


def file_context(path: Path) -> dict:
    """The status of the one corpus file at `path` (see file_status), for a page about it
    alone: the corpus is walked only to tell whether a link's file is read elsewhere."""
    return file_status(path, Path(paths().corpus_dir).resolve(), manifest())


def file_status(path: Path, corpus_dir: Path, found: dict, reads: Counter | None = None,
                duplicates: dict[str, list[str]] | None = None) -> dict:
    """One corpus file: its name, whether builds read it, whether and how it is indexed, and
    its warnings: those of its last parse and those the preview gives (no date, no
    interviewee; `duplicates`: preview.corpus_duplicates of `found`), from what the index
    holds (`found`); `reads`: see is_read_elsewhere."""
    readable = corpus.is_corpus_file(path, Path(corpus_dir))
    entry = found["files"].get(str(path.resolve())) if readable else None
    ids = (entry or {}).get("interviews", [])
    link = publish.link_target(path, corpus_dir)
    if link == publish.MISSING:
        problems = [BROKEN_LINK]
    elif not readable:
        problems = [NOT_READ.format(why=formats.unsupported_type(path.name))]
    elif entry is None:
        problems = [NOT_INDEXED]
    else:
        records = [found["interviews"][i] for i in ids if i in found["interviews"]]
        problems = ([preview.stored_problem_text(p, entry.get("display", ""))
                     for p in entry.get("problems", [])] + preview.details_missing(records)
                    + (duplicates or {}).get(str(path.resolve()), []))
    name = str(path.relative_to(corpus_dir))
    return {"name": name, "anchor": file_anchor(name), "readable": readable,
            "indexed": entry is not None, "interviews": ids,
            "pairs": (entry or {}).get("pairs", 0), "problems": problems, "link": link,
            "broken": link == publish.MISSING,
            "downloadable": link not in (publish.OUTSIDE, publish.MISSING),
            "link_kept": link not in ("", publish.MISSING)
                         and is_read_elsewhere(path, Path(corpus_dir), reads)}


def is_read_elsewhere(link: Path, corpus_dir: Path, reads: Counter | None = None) -> bool:
    """Whether builds find the file a link in the corpus leads to at another path of the
    corpus too (the file itself, another link): withdrawing the link keeps its pairs.
    `reads`: read_counts of a walk already made (else the corpus is walked)."""
    if reads is None:
        reads = read_counts(publish.walk(corpus_dir), corpus_dir)
    itself = 1 if corpus.is_corpus_file(link, Path(corpus_dir)) else 0  # read at the link
    return reads[link.resolve()] > itself


def read_counts(walked: list[Path], corpus_dir: Path) -> Counter:
    """Of a walk of the corpus folder, at how many paths a build reads each file a link
    leads to (by its resolved path: a file and the links to it are read once, at one of
    them); without links, nothing is resolved."""
    root = Path(corpus_dir)
    linked = {p.resolve() for p in walked if p.is_symlink() and p.exists()}  # not a loop
    if not linked:
        return Counter()
    return Counter(key for p in walked
                   if corpus.is_corpus_file(p, root) and (key := p.resolve()) in linked)


def archive_status(where: Paths) -> list[dict]:
    """The interview files in the archive, newest first: the archived name, the corpus
    name, when it was archived, whether a file of that name is in the corpus now, and of a
    withdrawn link where it leads (`link`) or why it cannot be restored (`gone`)."""
    return [archive_entry(path, where) for path in publish.archived_files(where.archive_dir)]


def archive_entry(path: Path, where: Paths) -> dict:
    """One file of the archive, as archive_status lists it."""
    match = publish.ARCHIVED.fullmatch(path.name)
    stamp = match["stamp"]
    _, link, gone = (publish.archived_link(path, where.corpus_dir) if match["link"]
                     else ("", "", ""))
    return {"name": path.name, "file": match["name"],
            "archived_at": f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:"
                           f"{stamp[11:13]}:{stamp[13:15]}Z",
            "in_corpus": publish.occupied(Path(where.corpus_dir) / match["name"]),
            "link": link, "gone": gone}


def restore_context(archived: str) -> dict:
    """The page asking how to restore an archived file (PublishError: it is not in the
    archive): its archive entry, why it is not restored as it is (`refused`, see superseded
    and publish.restore) and the corpus file replacing which restores it (`current`)."""
    where = paths()
    entry = archive_entry(publish.archived_path(where.archive_dir, archived), where)
    refusal = None
    if entry["in_corpus"]:
        refusal = publish.name_taken(Path(where.corpus_dir) / entry["file"])
    elif not entry["gone"]:
        refusal = superseded(where, archived)
    return {**entry, "refused": str(refusal or ""),
            "current": refusal.current if refusal else ""}


# --- edit details ------------------------------------------------------------------------


def read_corpus_file(relative: str) -> tuple[Path, ParseResult]:
    """The corpus file `relative` (the file a link leads to) and what the parser reads in it."""
    path = publish.interview_path(paths().corpus_dir, relative)
    return path, uploads.read(path, relative)


def edit_refused(relative: str) -> str:
    """Why the corpus file `relative` takes no corrections (see preview.details_refused)."""
    return preview.details_refused(relative, read_corpus_file(relative)[1])


def edit_context(relative: str) -> dict:
    """The Edit details page of a corpus file: the details the index holds now (as read from
    the file when it is not indexed yet), the fields set to no value, or why the file takes
    no corrections (`refused`); for a link, where it leads (`link`); the corrections file
    saving writes (`corrections`, its corpus name: where a build reads it)."""
    where = paths()
    path, result = read_corpus_file(relative)
    found = manifest()
    entry = found["files"].get(str(path.resolve()), {})
    records = [found["interviews"].get(i, {}) for i in entry.get("interviews", [])]
    shown = records[0] if len(records) == 1 else (
        result.interviews[0].to_dict() if result.interviews else {})
    root = Path(where.corpus_dir).resolve()
    link = publish.link_target(publish.corpus_path(root, relative), root)
    return {"file": relative, "refused": preview.details_refused(relative, result),
            "fields": {k: shown.get(k, "") for k in preview.EDITABLE},
            "cleared": preview.cleared(path), "interviews": entry.get("interviews", []),
            "link": link, "downloadable": link != publish.OUTSIDE,
            "reads": path.relative_to(root).as_posix(),
            "corrections": corpus.override_path(path).relative_to(root).as_posix()}
