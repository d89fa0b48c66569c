"""One error shape: error.html for people, {"ok": false, "error", "status"} for programs."""

from __future__ import annotations

from flask import Flask
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from indexer.query import QueryError
from indexer.store import StoreError

NO_INDEX = ("No index yet: run `qa-index build corpus/`. The app reads the index folder named "
            "by QA_INDEX_DIR (default instance/index); qa-index uses the same variable.")
TITLES = {400: "Please check the request", 404: "Not found", 410: "No longer here",
          500: "Something went wrong", 503: "Search is not available yet"}


class Gone(HTTPException):
    """410: an address that named something once (a pair taken out of its interview);
    `interview`: the published interview it was in ({"id", "title", "url"}), or None."""

    code = 410

    def __init__(self, description: str, interview: dict | None = None):
        super().__init__(description)
        self.interview = interview


def register(app: Flask) -> None:
    """Install the error handlers."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(QueryError, query_error)
    app.register_error_handler(StoreError, no_index)


def wants_json() -> bool:
    """Whether this request is for the JSON API (/api/..., /healthz)."""
    return request.path.startswith("/api/") or request.path in ("/api", "/healthz")


def error_response(status: int, message: str, headers: dict | None = None, **more):
    """The error as JSON or as the error page, with the status code; `more`: fields the JSON
    adds and the page shows (`interview`: a link to it)."""
    if wants_json():
        body = jsonify(ok=False, error=message, status=status, **more)
        return body, status, headers or {}
    title = TITLES.get(status, HTTP_STATUS_CODES.get(status, "Error"))
    page = render_template("error.html", status=status, title=title, message=message, **more)
    return page, status, headers or {}


def http_error(exc: HTTPException):
    """404, 405, 400 from abort(), 410 (Gone), and 500 for unexpected exceptions."""
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    more = {"interview": exc.interview} if isinstance(exc, Gone) else {}
    return error_response(status, exc.description or HTTP_STATUS_CODES.get(status, ""), headers,
                          **more)


def query_error(exc: QueryError):
    """Input the query pipeline refuses (too long, only excluded words): 400 with its message."""
    return error_response(400, str(exc))


def no_index(exc: StoreError):
    """No usable index: 503 with the command that builds one."""
    current_app.logger.warning("index unavailable: %s", exc)
    return error_response(503, NO_INDEX, {"Retry-After": "60"})
