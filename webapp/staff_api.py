"""The staff JSON API: status, rebuild, job progress, upload previews (401 when anonymous)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import g
from flask import jsonify
from werkzeug.exceptions import HTTPException

from webapp import staffops
from webapp import uploads

bp = Blueprint("staff_api", __name__, url_prefix="/staff/api")


@bp.errorhandler(HTTPException)
def error(exc: HTTPException):
    """Every staff API error as {"ok": false, "error", "status"} (CSRF failures included)."""
    status = exc.code or 500
    return jsonify(ok=False, error=exc.description, status=status), status


@bp.get("/status")
def status() -> Response:
    """Index counts, last build, corpus files and warnings, recent actions (twin of /staff/)."""
    return jsonify(ok=True, **staffops.status_context())


@bp.post("/rebuild")
def rebuild():
    """Start a full rebuild: 202 with the job, or 409 when a build is already running."""
    job = staffops.start_rebuild(g.staff)
    if job:
        return jsonify(ok=True, job=job), 202
    return jsonify(ok=False, error="A build is already running.", status=409,
                   job=staffops.rebuilder().last()), 409


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    """A rebuild (or background publish) job's progress or final report, and what the pages
    say of it (`text`, see staffops.job_text: the script following it shows it)."""
    found = staffops.find_job(job_id) or abort(404, f"No job {job_id!r}.")
    return jsonify(ok=True, job=found, text=staffops.job_text(found))


@bp.get("/uploads/<token>")
def upload(token: str) -> Response:
    """What the parser found in an upload (twin of /staff/uploads/<token>)."""
    batch = uploads.load(staffops.paths().work_dir, token) or abort(404, "No such upload.")
    return jsonify(ok=True, **staffops.preview_context(batch))
