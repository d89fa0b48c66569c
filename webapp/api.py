"""JSON for programs: the twin of every page, plus /healthz."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from webapp import presenters

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    """Search results as JSON (the twin of /)."""
    return ok(presenters.search_context(request.args))


@bp.get("/api/pairs/<pair_id>")
def pair(pair_id: str) -> Response:
    """One pair with its interview, previous/next and related pairs (the twin of /pair/<id>)."""
    return ok(presenters.pair_context(pair_id, request.args))


@bp.get("/api/interviews")
def interviews() -> Response:
    """Every interview, newest first, a page at a time (the twin of /interviews)."""
    return ok(presenters.interviews_context(request.args))


@bp.get("/api/interviews/<interview_id>")
def interview(interview_id: str) -> Response:
    """A whole interview (the twin of /interview/<id>)."""
    return ok(presenters.interview_context(interview_id, request.args))


@bp.get("/healthz")
def healthz() -> Response:
    """Index status: document and interview counts, build name and time (503 without one)."""
    return ok(presenters.health_context())


def ok(context: dict) -> Response:
    """A successful JSON response: the context plus "ok": true."""
    return jsonify({"ok": True, **context})
