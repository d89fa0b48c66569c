"""Staff pages: status, add interviews (upload, preview, correct, publish), edit the details of
a published file, download it, withdraw it, restore it from the archive, rebuild.

Every view parses the form, calls one operation in ``staffops`` (or ``uploads``) and
redirects with a message; the guard in ``webapp.staff`` has already checked the session and
CSRFProtect the token.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from pathlib import PurePosixPath

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from indexer import publish
from indexer.publish import PublishError
from indexer.publish import Superseded
from webapp import preview
from webapp import staffops
from webapp import uploads
from webapp.presenters import counted
from webapp.presenters import its_pairs
from webapp.rebuild import RUNNING
from webapp.staff import refuse
from webapp.uploads import Upload

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.add_app_template_global(staffops.job_text, "job_text")
REFRESH_SECONDS = 2  # how often a page showing a running rebuild follows it


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):
    """An upload over MAX_CONTENT_LENGTH in all: say what the limits are."""
    config = current_app.config
    return refuse(413, f"The upload is too large. Upload at most {config['MAX_UPLOAD_FILES']} "
                       f"files of up to {uploads.megabytes(config['MAX_UPLOAD_BYTES'])} each.")


def render(template: str, active: str, **context) -> str:
    """A staff page, with its navigation entry marked."""
    return render_template(f"staff/{template}", active=active, **context)


@bp.get("/")
def status() -> str:
    """Index counts, the last build, corpus files and their warnings, recent staff actions."""
    context = staffops.status_context()
    running = (context["rebuild"] or {}).get("state") in ("starting", "running")
    return render("status.html", "status", refresh=REFRESH_SECONDS if running else None,
                  **context)


@bp.get("/add")
def add() -> str:
    """The upload form (optionally to replace one corpus file)."""
    replace = request.args.get("replace", "")
    if replace:
        existing_file(replace)
    config = current_app.config
    return render("add.html", "add", replace=replace, types=publish.allowed_types(),
                  max_bytes=uploads.megabytes(config["MAX_UPLOAD_BYTES"]),
                  max_files=config["MAX_UPLOAD_FILES"])


@bp.post("/uploads")
def upload():
    """Stage the uploaded files and show what the parser found."""
    files = [f for f in request.files.getlist("files") if f.filename]
    replace = request.form.get("replace", "")
    limit = current_app.config["MAX_UPLOAD_FILES"]
    if not files or len(files) > limit or (replace and len(files) != 1):
        flash(f"Choose between 1 and {limit} interview files"
              + (" (one file to replace another)." if replace else "."), "error")
        return redirect(url_for("staff.add", replace=replace or None), 303)
    if replace:
        existing_file(replace)
    batch = staffops.stage([Upload(f.filename, f.stream) for f in files], g.staff, replace)
    return redirect(url_for("staff.uploaded", token=batch.token), 303)


@bp.get("/uploads/<token>")
def uploaded(token: str) -> str:
    """The preview: every field and pair found, warnings, corrections, publish buttons."""
    return preview_page(find_batch(token))


def preview_page(batch: uploads.Batch, refused: dict | None = None) -> str:
    """The preview page (following a file being published in the background, as the Rebuild
    page follows a rebuild); `refused`, for the file whose corrections were just refused:
    its `n`, the values `typed` (kept in its form, with Replace `ticked` or not), the
    `errors` by field and the alert summing them up."""
    context = staffops.preview_context(batch)
    if refused:
        shown = next(i for i in context["items"] if i["n"] == refused["n"])
        shown.update(refused)
    running = any((i["job"] or {}).get("state") in RUNNING for i in context["items"])
    return render("preview.html", "add", labels=preview.LABELS, clearable=preview.CLEARABLE,
                  refresh=REFRESH_SECONDS if running else None, **context)


@bp.post("/uploads/<token>/<int:n>")
def act(token: str, n: int):
    """Save corrections to, publish or discard one staged file."""
    batch = find_batch(token)
    item = batch.item(n) or abort(404, "That file is no longer in this upload.")
    action = request.form.get("action", "")
    if busy := staffops.publishing(batch, item):
        flash(busy, "error")
        return redirect(url_for("staff.uploaded", token=token, _anchor=f"file-{n}"), 303)
    if action == "discard":
        uploads.discard(batch, item)
        flash(f"Discarded {item.original}.")
        return redirect(url_for("staff.uploaded", token=token) if batch.items
                        else url_for("staff.add"), 303)
    if action not in ("save", "publish"):
        abort(400, "Unknown action: save, publish or discard.")
    if not item.error and not item.published and "title" in request.form:
        refusal = take_corrections(batch, item, action)
        if refusal is not None:
            return refusal
    if action == "save":
        flash(f"Saved your corrections to {item.name}; the preview below shows them.")
    else:
        publish_one(batch, item)
    return redirect(url_for("staff.uploaded", token=token, _anchor=f"file-{n}"), 303)


def take_corrections(batch: uploads.Batch, item: uploads.Item, action: str):
    """Save the form's corrections beside a staged file: None, or the answer refusing them,
    and with them whatever the button asked for (publishing without the corrections staff
    asked for would surprise them).

    A file of several interviews takes none (the preview has no form for it; flashed). A
    field that cannot be taken (a date that does not exist) gets the preview again, 422, with
    all that was typed still in the file's form and the reason beside the field: redirecting
    would show the stored values and lose the rest of the typing."""
    parsed = uploads.parse(batch, item).interviews
    refused = preview.corrections_refused(item.original, parsed)
    if refused:
        flash(refused, "error")
        return redirect(url_for("staff.uploaded", token=batch.token, _anchor=f"file-{item.n}"),
                        303)
    values, errors = preview.corrections(request.form, item.original,
                                         parsed[0].to_dict() if parsed else {})
    if errors:
        summary = preview.refusal_summary(item.original, errors, action == "publish")
        return preview_page(batch, {"n": item.n, **preview.typed(request.form),
                                    "errors": errors, "refused": summary,
                                    "ticked": request.form.get("replace") == "1"}), 422
    preview.save_corrections(batch, item, values)
    return None


def publish_one(batch: uploads.Batch, item: uploads.Item) -> None:
    """Publish and say how it went; a large file in the background (its page follows it)."""
    try:
        old, pairs = staffops.publish_plan(batch, item, request.form.get("replace") == "1")
        if staffops.in_background(pairs):
            staffops.publish_in_background(batch, item, g.staff, old)
            flash(f"Publishing {item.name} ({counted(pairs, 'question/answer pair')}) in the "
                  "background: this page shows how far it got. Search keeps answering from "
                  "the current index meanwhile.")
            return
        done = staffops.publish_item(batch, item, g.staff, old)
    except PublishError as exc:
        flash(str(exc), "error")
        return
    flash(f"{staffops.published_as(done)}: {its_pairs(done['pairs'], 'searchable now')}.")


@bp.get("/withdraw")
def confirm_withdraw() -> str:
    """Ask before withdrawing a corpus file (also one builds cannot read): what withdrawing it
    does, from its status alone (not the whole status page's)."""
    name = request.args.get("file", "")
    return render("withdraw.html", "status",
                  file=staffops.file_context(existing_file(name, any_type=True)))


@bp.post("/withdraw")
def withdraw():
    """Withdraw a corpus file: out of the index, into the archive."""
    name = request.form.get("file", "")
    return on_status(lambda: withdrawn(name, staffops.withdraw_file(name, g.staff)))


def on_status(act: Callable[[], str]) -> Response:
    """Back to the status page after a change to one file, flashing what `act` (the change)
    says it did, or why it refused (a PublishError)."""
    try:
        flash(act())
    except PublishError as exc:
        flash(str(exc), "error")
    return redirect(url_for("staff.status"), 303)


def withdrawn(name: str, done: dict) -> str:
    """What a withdraw did: of a link, that the link went and the file it led to stayed, and
    whether its pairs are still searchable (through that file, or another link)."""
    if not done["link"]:
        return (f"Withdrew {name}: {its_pairs(done['pairs'], 'no longer searchable')}; the "
                "file is in the archive." if done["pairs"] else
                f"Withdrew {name}; the file is in the archive (it had no pairs in the index).")
    said = f"Withdrew the link {name} (to {done['link']}); the link is in the archive."
    if done["link"] == publish.MISSING:
        return said
    led_to = "The file it leads to" if done["link"] == publish.OUTSIDE else done["link"]
    if done["pairs_kept"]:
        return f"{said} {led_to} is untouched; {its_pairs(done['pairs_kept'], 'still searchable')}."
    if done["pairs"]:
        return f"{said} {led_to} is untouched; {its_pairs(done['pairs'], 'no longer searchable')}."
    return f"{said} {led_to} is untouched."


@bp.get("/restore")
def confirm_restore() -> str:
    """How an archived file can come back: Restore, or, when a corpus file holds it now (its
    name, or its interview: the version that replaced it), Replace that file with it."""
    try:
        entry = staffops.restore_context(request.args.get("file", ""))
    except PublishError as exc:
        abort(404, str(exc))
    return render("restore.html", "status", entry=entry)


@bp.post("/restore")
def restore():
    """Move an archived file back into the corpus (unless one of its name is there now, or
    its interview is served by another file: then the page asking how to restore it), or
    with `replace`, in place of that corpus file."""
    archived = request.form.get("file", "")
    replace = request.form.get("replace", "")
    try:
        flash(restored(staffops.restore_file(archived, g.staff, replace)))
    except Superseded:  # the page says why, and offers the way
        return redirect(url_for("staff.confirm_restore", file=archived), 303)
    except PublishError as exc:
        flash(str(exc), "error")
    return redirect(url_for("staff.status"), 303)


def restored(done: dict) -> str:
    """What a restore did (of a link: that it is the link again, and where it leads; in place
    of a corpus file: that it went to the archive)."""
    if done["replaced"]:
        return (f"Replaced {done['replaced']} with the archived {done['file']}: "
                f"{its_pairs(done['pairs'], 'searchable again')}; {done['replaced']} is in the "
                "archive.")
    if done["link"]:
        said = f"Restored the link {done['file']} (to {done['link']})"
        return (f"{said}: {its_pairs(done['pairs'], 'searchable')}." if done["pairs"] else
                f"{said}; the index finds no pairs in the file it leads to.")
    return (f"Restored {done['file']}: {its_pairs(done['pairs'], 'searchable again')}."
            if done["pairs"] else f"Restored {done['file']} (the index finds no pairs in it).")


@bp.get("/download")
def download():
    """A corpus file as stored, always as an attachment (an HTML file is never rendered on
    this site, where its scripts would run in the staff session)."""
    name = request.args.get("file", "")
    try:
        path = publish.download_path(staffops.paths().corpus_dir, name)
    except PublishError as exc:
        abort(404, str(exc))
    return send_file(path, mimetype="application/octet-stream", as_attachment=True,
                     download_name=PurePosixPath(name).name)  # a link's name, not its target's


@bp.get("/edit")
def edit_page():
    """The Edit details form of a published file, with what the index holds now."""
    name = request.args.get("file", "")
    existing_file(name)
    return edit_form(name)


def edit_form(name: str, refused: dict | None = None):
    """The Edit details page; `refused`: the `errors` by field, their `summary`, what was
    `typed` and `cleared` (kept in the form)."""
    context = {**staffops.edit_context(name), **(refused or {})}
    return render("edit.html", "status", labels=preview.LABELS, clearable=preview.CLEARABLE,
                  **context)


@bp.post("/edit")
def edit():
    """Save a published file's corrections (validated as the preview's are), update the
    index."""
    name = request.form.get("file", "")
    existing_file(name)
    if staffops.edit_refused(name):
        return redirect(url_for("staff.edit_page", file=name), 303)  # the page says why
    values, errors = preview.corrections(request.form, name,
                                         staffops.edit_context(name)["fields"])
    if errors:
        return edit_form(name, {"errors": errors, **preview.typed(request.form),
                                "summary": preview.refusal_summary(name, errors, False)}), 422
    try:
        done = staffops.save_details(name, values, g.staff)
    except PublishError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff.edit_page", file=name), 303)
    if done is None:
        flash(f"No change to the details of {name}: the form held the details it has.")
    else:
        flash(f"Saved the details of {name}: {its_pairs(done['pairs'], 'shown with them now')}.")
    return redirect(url_for("staff.status"), 303)


@bp.get("/rebuild")
def rebuild_page() -> str:
    """The rebuild button, the running job's progress, or the last build's report."""
    job = staffops.rebuilder().last()
    running = (job or {}).get("state") in ("starting", "running")
    return render("rebuild.html", "rebuild", job=job,
                  refresh=REFRESH_SECONDS if running else None)


@bp.post("/rebuild")
def rebuild():
    """Start a full rebuild in the background (unless one is running)."""
    if staffops.start_rebuild(g.staff):
        flash("Rebuild started. Search keeps answering from the current index meanwhile.")
    else:
        flash("A build is already running; this page shows its progress.", "error")
    return redirect(url_for("staff.rebuild_page"), 303)


def find_batch(token: str) -> uploads.Batch:
    """The upload with `token`, or 404."""
    batch = uploads.load(staffops.paths().work_dir, token)
    return batch or abort(404, "This upload is gone (published, discarded or expired). "
                               "Upload the file again.")


def existing_file(name: str, any_type: bool = False) -> Path:
    """The corpus file `name` names, or 404 (see publish.corpus_path for `any_type`, which
    also takes a link leading nowhere: it can be withdrawn)."""
    try:
        path = publish.corpus_path(staffops.paths().corpus_dir, name, any_type=any_type)
    except PublishError as exc:
        abort(404, str(exc))
    if not path.is_file() and not (any_type and path.is_symlink()):
        abort(404, f"{name} is not in the corpus.")
    return path
