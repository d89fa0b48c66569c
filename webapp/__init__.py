"""The web app: search pages for clinicians and their JSON twins, over one SearchIndex.

Configuration comes from SETTINGS' defaults, then ``instance/config.py`` (if present), then
``QA_*`` environment variables (``QA_INDEX_DIR`` sets ``INDEX_DIR``), then the dict given to
``create_app`` (tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from flask import Flask
from flask import Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from indexer.search import Hybrid
from indexer.search import SearchIndex
from indexer.search import check_mode
from indexer.store import StoreError


class Setting(NamedTuple):
    """One configuration key: its name, default and what it does."""

    name: str
    default: Any
    help: str


SETTINGS = (
    Setting("INDEX_DIR", None, "Index directory to serve (default: <instance>/index, where "
                               "`qa-index build` writes from the repository root)."),
    Setting("PER_PAGE", 10, "Results per page when the request does not say."),
    Setting("MAX_PER_PAGE", 50, "Largest `per_page` a request may ask for."),
    Setting("RELATED_LIMIT", 5, "Related questions shown on a pair page."),
    Setting("INTERVIEWS_PER_PAGE", 50, "Interviews per page of the interview list."),
    Setting("SEARCH_MODE", "auto", "Default search mode: keyword, hybrid (keywords and "
                                   "meaning; needs the semantic extra and an index built with "
                                   "it), or auto (hybrid when it can run, else keyword)."),
    Setting("HYBRID_WEIGHT", Hybrid.weight, "Hybrid mode: weight of the keyword ranking in "
                                            "the fusion (0 to 1; the rest is meaning)."),
    Setting("HYBRID_DEPTH", Hybrid.depth, "Hybrid mode: keyword matches and nearest pairs "
                                          "by meaning fused per search."),
    Setting("HYBRID_SIMILARITY", Hybrid.similarity, "Hybrid mode: least cosine similarity "
                                                    "for a pair found by meaning alone."),
    Setting("HYBRID_CLOSEST", Hybrid.closest, "Hybrid mode: least cosine similarity for the "
                                              "pairs offered as closest in meaning when "
                                              "nothing matches (1: none)."),
    Setting("SEARCH_CACHE", 512, "Recent searches whose results each worker keeps (emptied "
                                 "when a new index starts serving); 0 turns the cache off."),
    Setting("SECRET_KEY", "dev", "Signs the staff session cookies (the search pages use none); "
                                 "staff pages are off with the default outside debug: set "
                                 "QA_SECRET_KEY to a long random value."),
    Setting("CORPUS_DIR", None, "Interview files staff publish to and rebuilds read (default: "
                                "corpus/ beside the webapp package, i.e. the repository's)."),
    Setting("ARCHIVE_DIR", None, "Where withdrawn and replaced files go (default: "
                                 "<instance>/archive); nothing is deleted."),
    Setting("STAFF_FILE", None, "Staff accounts and password hashes written by `qa-index staff "
                                "add` (default: <instance>/staff.json)."),
    Setting("AUDIT_LOG", None, "JSON Lines log of every publish, replace, withdraw and rebuild "
                               "(default: <instance>/audit.jsonl)."),
    Setting("STAFF_WORK_DIR", None, "Uploads awaiting publication and the last rebuild's "
                                    "state (default: <instance>/staff)."),
    Setting("MAX_UPLOAD_BYTES", 5 * 1024 * 1024, "Largest interview file staff may upload."),
    Setting("MAX_UPLOAD_FILES", 10, "Most files in one upload; MAX_CONTENT_LENGTH defaults to "
                                    "MAX_UPLOAD_BYTES x MAX_UPLOAD_FILES + 1 MB."),
    Setting("STAFF_BACKGROUND_PAIRS", 200, "Files of more question/answer pairs than this "
                                           "are published in the background, their progress "
                                           "shown (smaller ones within the request)."),
    Setting("SESSION_COOKIE_SECURE", False, "Send the staff session cookie over HTTPS only; "
                                            "set True when served over HTTPS."),
    Setting("STAFF_SIGNIN_LIMIT", "5 per minute", "Failed sign-ins allowed per account and "
                                                  "address before 429."),
    Setting("STAFF_SIGNIN_ADDRESS_LIMIT", "30 per hour", "Failed sign-ins allowed per address "
                                                         "(any account) before 429."),
    Setting("PROXIES", 0, "Reverse proxies in front of the app that set X-Forwarded-For "
                          "and X-Forwarded-Proto (0: none). Then sign-in limits count the "
                          "client's address, not the proxy's, and links use the client's "
                          "scheme; the proxy passes the Host header on. Leave 0 when clients "
                          "reach the app directly: they could forge the headers."),
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: settings, one SearchIndex, blueprints (staff too), errors, headers."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = HtmlSafeJSON(app)
    load_config(app, config)
    if proxies := app.config["PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    index = SearchIndex(app.config["INDEX_DIR"], app.config["SEARCH_CACHE"],
                        mode=app.config["SEARCH_MODE"], hybrid=app.extensions["qa_hybrid"])
    app.extensions["qa_index"] = index

    from webapp import api
    from webapp import errors
    from webapp import staff
    from webapp import views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    staff.register(app)
    errors.register(app)
    app.after_request(add_security_headers)
    check_index(app, index)
    return app


class HtmlSafeJSON(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` written as \\u escapes: the same values for programs,
    and no markup in the bytes even if a client mistakes a response for HTML."""

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def check_index(app: Flask, index: SearchIndex) -> None:
    """At start-up, open the index (and the model, for hybrid search); say in the log when
    there is no usable index and how to build one."""
    try:
        index.warm()
    except StoreError as exc:
        app.logger.warning("%s Search answers 503 until an index is built; the app picks it "
                           "up without a restart.", exc)


def load_config(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then QA_* variables, then `config`; then check."""
    app.config.from_mapping({s.name: s.default for s in SETTINGS})
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("QA")
    for setting in SETTINGS:  # text stays text: a numeric secret or a folder named 2024
        raw = os.environ.get(f"QA_{setting.name}")
        if raw is not None and (setting.default is None or isinstance(setting.default, str)):
            app.config[setting.name] = raw
    if config:
        app.config.from_mapping(config)
    if not app.config["INDEX_DIR"]:
        app.config["INDEX_DIR"] = os.path.join(app.instance_path, "index")
    for name in ("PER_PAGE", "MAX_PER_PAGE", "RELATED_LIMIT", "INTERVIEWS_PER_PAGE"):
        if not isinstance(app.config[name], int) or app.config[name] < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, "
                             f"not {app.config[name]!r}")
    proxies = app.config["PROXIES"]
    if not isinstance(proxies, int) or isinstance(proxies, bool) or proxies < 0:
        raise ValueError(f"PROXIES must be a whole number of at least 0, not {proxies!r}")
    cache = app.config["SEARCH_CACHE"]
    if not isinstance(cache, int) or isinstance(cache, bool) or cache < 0:
        raise ValueError(f"SEARCH_CACHE must be a whole number of at least 0, not {cache!r}")
    if app.config["PER_PAGE"] > app.config["MAX_PER_PAGE"]:
        raise ValueError("PER_PAGE must not be larger than MAX_PER_PAGE")
    try:
        check_mode(app.config["SEARCH_MODE"])
    except ValueError as exc:
        raise ValueError(f"SEARCH_MODE: {exc}") from None
    values = {}
    for name in ("HYBRID_WEIGHT", "HYBRID_DEPTH", "HYBRID_SIMILARITY", "HYBRID_CLOSEST"):
        value = app.config[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number, not {value!r}")
        key = name.removeprefix("HYBRID_").lower()
        try:
            Hybrid(**{key: value})  # each setting checked on its own, so the error names it
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        values[key] = value
    app.extensions["qa_hybrid"] = Hybrid(**values)


def add_security_headers(response: Response) -> Response:
    """Every response: CSP without inline script, nosniff, same-origin referrer, no framing."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
