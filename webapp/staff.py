"""The staff area's gate: settings, sign-in and sign-out, the session guard, CSRF, throttling.

Everything under ``/staff`` needs a signed-in session (pages redirect to the sign-in form,
``/staff/api/...`` answers 401), except the sign-in form itself. Sessions are Flask's signed
cookie; with the default ``SECRET_KEY`` outside debug or testing the staff area answers 503
while the public search keeps working.
"""

from __future__ import annotations

import os

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import flash
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from indexer import accounts
from indexer import audit
from webapp import errors
from webapp.rebuild import Job
from webapp.rebuild import Rebuilder

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")

DEFAULT_KEYS = ("dev", "", None)
DISABLED = ("Staff pages are off because the app runs with the default SECRET_KEY. Set "
            "QA_SECRET_KEY to a long random value (python3 -c 'import secrets; "
            "print(secrets.token_hex(32))') and restart; search is unaffected.")
SIGN_IN_FIRST = "Sign in first: staff API calls need a signed-in session (/staff/signin)."
THROTTLED = "Too many sign-in attempts. Wait a minute and try again."
BAD_SIGN_IN = "That name and password do not match a staff account."
MB = 1024 * 1024
TITLES = {401: "Please sign in", 503: "Staff pages are off", 413: "Upload too large"}


def register(app: Flask) -> None:
    """Staff settings, the guard, CSRF protection, sign-in throttling and the blueprints."""
    configure(app)
    app.before_request(guard)  # before CSRF: anonymous requests get 401/redirect, not 400
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[])
    for limit, key in ((app.config["STAFF_SIGNIN_LIMIT"], account_and_address),
                       (app.config["STAFF_SIGNIN_ADDRESS_LIMIT"], get_remote_address)):
        limiter.limit(limit, key_func=key, methods=["POST"], error_message=THROTTLED,
                      deduct_when=lambda response: response.status_code == 401)(bp)

    from webapp import staff_api
    from webapp import staff_views

    for blueprint in (bp, staff_views.bp, staff_api.bp):
        app.register_blueprint(blueprint)
    config = app.config
    app.extensions["qa_rebuild"] = Rebuilder(
        config["INDEX_DIR"], config["CORPUS_DIR"],
        os.path.join(config["STAFF_WORK_DIR"], "last-build.json"),
        on_finish=lambda job: log_rebuild(config["AUDIT_LOG"], job))
    app.extensions["qa_publish"] = Rebuilder(  # (same lock: one job at a time)
        config["INDEX_DIR"], config["CORPUS_DIR"],
        os.path.join(config["STAFF_WORK_DIR"], "last-publish.json"))
    app.after_request(no_store)
    if not enabled(app):
        app.logger.warning(DISABLED)


def configure(app: Flask) -> None:
    """Fill in the staff paths under the instance folder, upload limits and cookie flags."""
    config, instance = app.config, app.instance_path
    defaults = {"CORPUS_DIR": os.path.join(os.path.dirname(app.root_path), "corpus"),
                "ARCHIVE_DIR": os.path.join(instance, "archive"),
                "STAFF_FILE": os.path.join(instance, "staff.json"),
                "AUDIT_LOG": os.path.join(instance, "audit.jsonl"),
                "STAFF_WORK_DIR": os.path.join(instance, "staff")}
    for name, value in defaults.items():
        config[name] = config.get(name) or value
    for name, least in (("MAX_UPLOAD_BYTES", 1), ("MAX_UPLOAD_FILES", 1),
                        ("STAFF_BACKGROUND_PAIRS", 0)):
        if not isinstance(config[name], int) or isinstance(config[name], bool) \
                or config[name] < least:
            raise ValueError(f"{name} must be a whole number of at least {least}, not "
                             f"{config[name]!r}")
    if config.get("MAX_CONTENT_LENGTH") is None:
        config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] * config["MAX_UPLOAD_FILES"] + MB
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a preview may stay open for a while


def enabled(app: Flask) -> bool:
    """Whether staff pages may run: a configured secret key, or debug/testing."""
    return app.config.get("SECRET_KEY") not in DEFAULT_KEYS or app.debug or app.testing


def in_staff_area() -> bool:
    """Whether this request is for /staff or below."""
    return request.path == "/staff" or request.path.startswith("/staff/")


def is_api() -> bool:
    """Whether this request is for the staff JSON API."""
    return request.path.startswith("/staff/api/") or request.path == "/staff/api"


def refuse(status: int, message: str):
    """An error in the staff area: JSON for the API, the error page otherwise."""
    if is_api():
        return jsonify(ok=False, error=message, status=status), status
    title = TITLES.get(status) or errors.TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message), status


def guard():
    """Before every request under /staff: staff enabled, and a session for all but sign-in."""
    if not in_staff_area():
        return None
    if not enabled(current_app):
        return refuse(503, DISABLED)
    if request.endpoint == "staff_auth.signin":
        return None
    name = session.get("staff")
    if isinstance(name, str) and accounts.exists(current_app.config["STAFF_FILE"], name):
        g.staff = name
        missed = request.routing_exception
        if is_api() and missed is not None and getattr(missed, "code", 0) >= 400:
            return refuse(missed.code, missed.description)  # unknown API route: JSON too
        return None
    if "staff" in session:
        session.pop("staff")  # the account was removed: end the session
    if is_api():
        return refuse(401, SIGN_IN_FIRST)
    wanted = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("staff_auth.signin", next=wanted))


def no_store(response: Response) -> Response:
    """Staff responses are never cached."""
    if in_staff_area():
        response.headers["Cache-Control"] = "no-store"
    return response


def account_and_address() -> str:
    """The throttling key for one account from one address."""
    name = request.form.get("name", "").strip().casefold()[:64]
    return f"{get_remote_address()}|{name}"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a staff path on this site, else the status page."""
    if target and target.startswith("/staff") and "//" not in target and "\\" not in target:
        return target
    return url_for("staff.status")


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    """The sign-in form; a correct name and password start a staff session."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("staff/signin.html", next=target, name="")
    name = request.form.get("name", "").strip()[:64]
    if not accounts.verify(current_app.config["STAFF_FILE"], name,
                           request.form.get("password", "")):
        return render_template("staff/signin.html", next=target, name=name,
                               error=BAD_SIGN_IN), 401
    session.clear()
    session["staff"] = name
    flash(f"Signed in as {name}.")
    return redirect(target, 303)


@bp.post("/signout")
def signout():
    """End the staff session."""
    session.clear()
    flash("Signed out.")
    return redirect(url_for("staff_auth.signin"), 303)


def log_rebuild(audit_log: str, job: Job) -> None:
    """The audit entry for a finished (or refused) rebuild."""
    outcome = {"succeeded": "ok", "refused": "refused"}.get(job.state, "failed")
    detail = job.error or (f"{job.files} files, {job.interviews} interviews, {job.pairs} pairs, "
                           f"{sum(len(w) for w in job.warnings.values())} warnings, "
                           f"{job.seconds:.1f} s")
    audit.append(audit_log, job.staff, "rebuild", "corpus", outcome, detail)
