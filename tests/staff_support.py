"""Staff test helpers: an app over a real corpus and index in tmp_path, signed-in clients."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from webapp_support import soup
from webapp_support import write_small_corpus
from werkzeug.security import generate_password_hash

from indexer import accounts
from indexer import store
from webapp import create_app

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff_config(root: Path, **config) -> dict:
    """Configuration keeping every staff path under `root`."""
    return {"TESTING": True, "SECRET_KEY": "test-secret-key", "INDEX_DIR": str(root / "index"),
            "CORPUS_DIR": str(root / "corpus"), "ARCHIVE_DIR": str(root / "archive"),
            "STAFF_FILE": str(root / "staff.json"), "AUDIT_LOG": str(root / "audit.jsonl"),
            "STAFF_WORK_DIR": str(root / "work"), **config}


def make_staff_app(root: Path, **config) -> Flask:
    """A small corpus, its index, two accounts (alice, bob) and the app over them."""
    if not (root / "corpus").exists():
        write_small_corpus(root / "corpus")
        store.build(root / "index", [root / "corpus"])
        accounts.save(root / "staff.json", two_accounts())
    return create_app(staff_config(root, **config))


_ACCOUNTS: dict[str, dict] = {}


def two_accounts() -> dict[str, dict]:
    """alice and bob with PASSWORD, hashed once per test session (scrypt is slow on purpose)."""
    if not _ACCOUNTS:
        for name in ("alice", "bob"):
            _ACCOUNTS[name] = {"hash": generate_password_hash(PASSWORD), "created": ""}
    return _ACCOUNTS


def csrf_token(client: FlaskClient, url: str = "/staff/signin") -> str:
    """A CSRF token for this client's session, from a staff form."""
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def sign_in(client: FlaskClient, name: str = "alice", password: str = PASSWORD, **kw):
    """Post the sign-in form (with a token) and return the response."""
    data = {"csrf_token": csrf_token(client), "name": name, "password": password}
    return client.post("/staff/signin", data=data, **kw)


def signed_in(app: Flask, name: str = "alice") -> FlaskClient:
    """A test client with a staff session."""
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def post(client: FlaskClient, url: str, data: dict | None = None, **kw):
    """POST a staff form with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client, "/staff/add"),
                                  **(data or {})}, **kw)


def upload(client: FlaskClient, files: list[tuple[str, bytes]], **fields):
    """Upload files through the Add interviews form; returns the response (303 to preview)."""
    data = {"files": [(io.BytesIO(content), name) for name, content in files], **fields}
    return post(client, "/staff/uploads", data, content_type="multipart/form-data")


def preview_of(client, files, **fields):
    """Upload and follow to the preview page: (its URL, parsed page)."""
    response = upload(client, files, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    url = response.headers["Location"]
    assert url.startswith("/staff/uploads/")
    return url, soup(client.get(url))


def act(client, url: str, n: int = 1, **data):
    """Press a button on one file of the preview; the page it lands on."""
    response = post(client, f"{url}/{n}", data)
    assert response.status_code == 303
    return soup(client.get(response.headers["Location"]))


def corpus_names(root: Path) -> set[str]:
    """The names of the files in the corpus under `root`."""
    return {p.name for p in (root / "corpus").iterdir()}


def page_interviews(client, url: str, n: int = 1) -> list[dict]:
    """The interviews the preview's JSON twin shows for file `n` (from 1)."""
    token = url.rsplit("/", 1)[1]
    return client.get(f"/staff/api/uploads/{token}").get_json()["items"][n - 1]["interviews"]


def interview_text(title: str, pairs: list[tuple[str, str]],
                   who: str = "Dr. Ada Lovelace") -> bytes:
    """A plain-text interview as uploaded bytes."""
    lines = [title, ""]
    for question, answer in pairs:
        lines += [f"Host: {question}", "", f"{who}: {answer}", ""]
    return "\n".join(lines).encode("utf-8")


def search_total(client: FlaskClient, query: str) -> int:
    """How many pairs the public API finds with the words of `query` (keyword mode: hybrid
    would also count pairs near in meaning, which says nothing about what was published)."""
    response = client.get("/api/search", query_string={"q": query, "mode": "keyword"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def wait_for_job(client: FlaskClient, job_id: str, timeout: float = 30.0) -> dict:
    """Poll the job API until the rebuild has finished; its final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/staff/api/jobs/{job_id}").get_json()["job"]
        if job["state"] not in ("starting", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"rebuild {job_id} did not finish in {timeout} s")
