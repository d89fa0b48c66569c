"""Who may use /staff: sessions, CSRF, sign-in throttling, the secret key, the accounts CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import REPO
from staff_support import PASSWORD
from staff_support import csrf_token
from staff_support import make_staff_app
from staff_support import post
from staff_support import sign_in
from staff_support import signed_in
from staff_support import staff_config
from webapp_support import soup

from indexer import accounts
from indexer.cli import cli
from webapp import create_app
from webapp.rebuild import Job

SAMPLES = {"token": "A" * 24, "n": 1, "job_id": "abc123", "file": "x.txt"}
UNKNOWN = ["/staff", "/staff/nope", "/staff/api", "/staff/api/nope", "/staff/../staff/",
           "/staff/uploads/../../etc/passwd"]


@pytest.fixture
def app(tmp_path):
    return make_staff_app(tmp_path)


def staff_urls(app) -> list[tuple[str, str]]:
    """(method, url) for every staff route except sign-in, with sample arguments."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint == "staff_auth.signin":
            continue
        url = adapter.build(rule.endpoint, {a: SAMPLES[a] for a in rule.arguments})
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_staff_route_is_covered(app):
    urls = staff_urls(app)
    assert ("POST", "/staff/api/rebuild") in urls and ("GET", "/staff/") in urls
    assert {"/staff/", "/staff/add", "/staff/uploads", "/staff/rebuild", "/staff/withdraw",
            "/staff/signout", "/staff/api/status", "/staff/api/jobs/abc123", "/staff/edit",
            "/staff/download", "/staff/restore"} <= {u for _, u in urls}


def test_anonymous_requests_are_denied_everywhere(app):
    client = app.test_client()
    for method, url in staff_urls(app) + [("GET", u) for u in UNKNOWN] + [("POST", u) for u in
                                                                          UNKNOWN]:
        response = client.open(url, method=method)
        if url.startswith("/staff/api"):
            assert response.status_code == 401, (method, url)
            assert response.get_json() == {"ok": False, "status": 401,
                                           "error": response.get_json()["error"]}
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/staff/signin"), (method, url)


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_the_session(app):
    client = app.test_client()
    assert client.get("/staff/rebuild").headers["Location"] == "/staff/signin?next=/staff/rebuild"
    token = csrf_token(client, "/staff/signin?next=/staff/rebuild")
    response = client.post("/staff/signin", data={"csrf_token": token, "name": "alice",
                                                  "password": PASSWORD,
                                                  "next": "/staff/rebuild"})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/rebuild"
    page = soup(client.get("/staff/rebuild"))
    nav = [a.get_text() for a in page.select("nav.staff-nav a")]
    assert nav == ["Status", "Add interviews", "Rebuild"]
    assert page.select_one("nav.staff-nav button").get_text() == "Sign out"
    assert post(client, "/staff/signout").status_code == 303
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/api/status").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil",
                                    "javascript:alert(1)", "/?q=x"])
def test_sign_in_never_redirects_off_the_staff_area(app, target):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/staff/signin", data={"csrf_token": token, "name": "alice",
                                                  "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_or_unknown_account_is_refused(app):
    client = app.test_client()
    for name, password in (("alice", "wrong password!"), ("mallory", PASSWORD), ("", "")):
        response = sign_in(client, name, password)
        assert response.status_code == 401
        assert "do not match a staff account" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_removed_account_loses_its_session(app, tmp_path):
    client = signed_in(app, "bob")
    assert client.get("/staff/").status_code == 200
    accounts.remove(tmp_path / "staff.json", "bob")
    assert client.get("/staff/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(tmp_path):
    client = make_staff_app(tmp_path, SESSION_COOKIE_SECURE=True).test_client()
    https = {"base_url": "https://localhost"}
    page = client.get("/staff/signin", **https)
    token = soup(page).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/staff/signin", **https, data={
        "csrf_token": token, "name": "alice", "password": PASSWORD},
        headers={"Referer": "https://localhost/staff/signin"})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_public_pages_set_no_cookie_and_staff_pages_are_not_cached(app):
    client = app.test_client()
    assert "Set-Cookie" not in client.get("/?q=patients").headers
    assert "Set-Cookie" not in client.get("/api/search?q=patients").headers
    staff = signed_in(app)
    assert staff.get("/staff/").headers["Cache-Control"] == "no-store"


# --- CSRF ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/staff/rebuild", "/staff/signout", "/staff/withdraw",
                                 "/staff/uploads", "/staff/api/rebuild"])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_posts_without_a_valid_csrf_token_are_rejected(app, tmp_path, url, token):
    client = signed_in(app)
    data = {"file": "clinic-notes.txt"} | ({"csrf_token": token} if token else {})
    response = client.post(url, data=data)
    assert response.status_code == 400
    if url.startswith("/staff/api"):
        assert response.get_json()["ok"] is False and "CSRF" in response.get_json()["error"]
    assert (tmp_path / "corpus" / "clinic-notes.txt").exists()
    assert not (tmp_path / "audit.jsonl").exists()
    assert client.get("/staff/").status_code == 200  # still signed in


def test_sign_in_itself_needs_a_csrf_token(app):
    client = app.test_client()
    response = client.post("/staff/signin", data={"name": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_the_api_accepts_the_token_in_a_header(app, monkeypatch):
    client = signed_in(app)
    monkeypatch.setattr(app.extensions["qa_rebuild"], "start", lambda staff: Job("x", staff))
    token = csrf_token(client, "/staff/add")
    assert client.post("/staff/api/rebuild", headers={"X-CSRFToken": token}).status_code == 202


# --- throttling ------------------------------------------------------------------------


def test_sign_in_attempts_are_throttled_per_account_and_address(tmp_path):
    app = make_staff_app(tmp_path, STAFF_SIGNIN_LIMIT="3 per minute",
                         STAFF_SIGNIN_ADDRESS_LIMIT="5 per minute")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "alice", "not the password").status_code == 401
    blocked = sign_in(client, "alice")  # even the right password, from this address
    assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.get_data(True)
    assert sign_in(client, "bob").status_code == 303  # another account from the same address
    elsewhere = app.test_client()
    assert sign_in(elsewhere, "alice",
                   environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 303


def test_sign_in_attempts_are_throttled_per_address_across_accounts(tmp_path):
    app = make_staff_app(tmp_path, STAFF_SIGNIN_LIMIT="3 per minute",
                         STAFF_SIGNIN_ADDRESS_LIMIT="5 per minute")
    client = app.test_client()
    for n in range(5):
        assert sign_in(client, f"guess{n}", "password guess").status_code == 401
    assert sign_in(client, "bob").status_code == 429
    assert client.get("/staff/signin").status_code == 200  # the form itself is not throttled


def test_successful_sign_ins_are_not_counted(tmp_path):
    app = make_staff_app(tmp_path, STAFF_SIGNIN_LIMIT="2 per minute")
    for _ in range(4):
        assert sign_in(app.test_client(), "alice").status_code == 303


# --- secret key ------------------------------------------------------------------------


def test_default_secret_key_turns_staff_pages_off_but_search_works(tmp_path):
    config = staff_config(tmp_path)
    del config["SECRET_KEY"]
    make_staff_app(tmp_path)  # corpus, index and accounts
    client = create_app({**config, "TESTING": False}).test_client()
    page = client.get("/staff/signin")
    assert page.status_code == 503 and "QA_SECRET_KEY" in page.get_data(as_text=True)
    assert client.get("/staff/api/status").get_json()["status"] == 503
    assert client.post("/staff/signin", data={"name": "alice"}).status_code == 503
    assert client.get("/?q=patients").status_code == 200
    assert client.get("/api/search?q=patients").get_json()["total"] > 0


def test_default_secret_key_is_allowed_in_debug(tmp_path):
    config = staff_config(tmp_path)
    del config["SECRET_KEY"]
    make_staff_app(tmp_path)
    client = create_app({**config, "TESTING": False, "DEBUG": True}).test_client()
    assert client.get("/staff/signin").status_code == 200


def test_defaults_follow_the_instance_folder_and_repository(tmp_path):
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)})
    assert app.config["CORPUS_DIR"] == str(REPO / "corpus")
    assert app.config["STAFF_FILE"] == str(REPO / "instance" / "staff.json")
    assert app.config["AUDIT_LOG"] == str(REPO / "instance" / "audit.jsonl")
    assert app.config["ARCHIVE_DIR"] == str(REPO / "instance" / "archive")
    assert app.config["MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] >= 5 * app.config["MAX_UPLOAD_BYTES"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_sets_the_staff_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CORPUS_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("QA_STAFF_FILE", str(tmp_path / "s.json"))
    monkeypatch.setenv("QA_MAX_UPLOAD_BYTES", "1000")
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)})
    assert app.config["CORPUS_DIR"] == str(tmp_path / "c")
    assert app.config["STAFF_FILE"] == str(tmp_path / "s.json")
    assert app.config["MAX_UPLOAD_BYTES"] == 1000


# --- accounts and the CLI --------------------------------------------------------------


def test_cli_adds_lists_and_removes_accounts(tmp_path):
    staff_file = tmp_path / "staff.json"
    runner = CliRunner()
    args = ["staff", "--staff-file", str(staff_file)]
    result = runner.invoke(cli, [*args, "add", "carol"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in staff_file.read_text()
    assert staff_file.stat().st_mode & 0o777 == 0o600
    assert accounts.verify(staff_file, "carol", PASSWORD)
    assert not accounts.verify(staff_file, "carol", "something else")
    again = runner.invoke(cli, [*args, "add", "carol"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code != 0 and "already an account" in again.output
    assert runner.invoke(cli, [*args, "list"]).output.strip() == "carol"
    assert runner.invoke(cli, [*args, "remove", "carol"]).exit_code == 0
    assert json.loads(staff_file.read_text()) == {"accounts": {}}


def test_cli_refuses_short_passwords_and_bad_names(tmp_path):
    runner = CliRunner()
    args = ["staff", "--staff-file", str(tmp_path / "staff.json")]
    short = runner.invoke(cli, [*args, "add", "dave"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least" in short.output
    bad = runner.invoke(cli, [*args, "add", "../x"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert bad.exit_code != 0 and "account name" in bad.output


def test_cli_and_app_share_the_staff_file_variable(tmp_path, monkeypatch):
    staff_file = tmp_path / "shared.json"
    monkeypatch.setenv("QA_STAFF_FILE", str(staff_file))
    result = CliRunner().invoke(cli, ["staff", "add", "erin"],
                                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    make_staff_app(tmp_path)
    config = staff_config(tmp_path)
    del config["STAFF_FILE"]
    client = create_app(config).test_client()
    assert sign_in(client, "erin").status_code == 303


def test_unknown_staff_api_routes_answer_json(app):
    client = signed_in(app)
    missing = client.get("/staff/api/nope")
    assert missing.status_code == 404 and missing.get_json()["ok"] is False
    wrong = client.get("/staff/api/rebuild")
    assert wrong.status_code == 405 and wrong.get_json()["status"] == 405


def test_sign_in_limits_count_the_client_behind_a_proxy(tmp_path):
    client = make_staff_app(tmp_path, PROXIES=1,
                            STAFF_SIGNIN_ADDRESS_LIMIT="2 per hour").test_client()

    def attempt(address: str) -> int:
        return sign_in(client, "nobody", "wrong",
                       headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.9") for _ in range(3)][-1] == 429  # its third failure
    assert attempt("198.51.100.7") != 429  # another client behind the same proxy
