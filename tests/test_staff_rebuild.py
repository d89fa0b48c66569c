"""Rebuilding from the browser: in the background, one at a time, search never interrupted."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_interview
from staff_support import csrf_token
from staff_support import make_staff_app
from staff_support import post
from staff_support import search_total
from staff_support import signed_in
from staff_support import wait_for_job
from webapp_support import soup
from webapp_support import text

from indexer import corpus
from indexer import semantic
from indexer import store
from indexer.cli import cli
from webapp import staffops
from webapp.presenters import nice_time
from webapp.rebuild import Rebuilder


class Gate:
    """Holds every build after it has taken the writer lock, until the test opens it."""

    def __init__(self):
        self.opened, self.entered = threading.Event(), threading.Event()

    def arm(self, monkeypatch) -> Gate:
        """Hold builds from now on (so fixtures' builds are not held)."""
        parse_all = corpus.parse_all

        def held(*args, **kwargs):
            self.entered.set()
            assert self.opened.wait(30), "the test never opened the gate"
            return parse_all(*args, **kwargs)

        monkeypatch.setattr(corpus, "parse_all", held)
        return self


@pytest.fixture
def gate():
    """A Gate, opened at the end of the test whatever happened."""
    gate = Gate()
    yield gate
    gate.opened.set()


def start(client) -> tuple[int, dict]:
    """POST /staff/api/rebuild with a token: (status, body)."""
    response = client.post("/staff/api/rebuild",
                           headers={"X-CSRFToken": csrf_token(client, "/staff/add")})
    return response.status_code, response.get_json()


def wait_until(condition, timeout: float = 20.0) -> None:
    """Sleep until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def audit_actions(root: Path) -> list[tuple[str, str]]:
    lines = (root / "audit.jsonl").read_text().splitlines()
    return [(e["action"], e["outcome"]) for e in map(json.loads, lines)]


def test_rebuild_while_searching_fails_no_search(tmp_path, gate, monkeypatch):
    app = make_staff_app(tmp_path)
    opened, entered = gate.arm(monkeypatch).opened, gate.entered
    for n in range(30):
        write_interview(tmp_path / "corpus", f"extra-{n:02}.txt",
                        [(f"Question {n} about patients?", f"Answer {n} for patients.")])
    before = store.current_build(tmp_path / "index")
    staff = signed_in(app)
    failures, done, counts = [], threading.Event(), {"during": 0, "all": 0}

    def search_loop():
        client = app.test_client()
        while not done.is_set():
            response = client.get("/api/search?q=patients")
            if response.status_code != 200 or response.get_json()["total"] < 1:
                failures.append(response.status_code)
            counts["all"] += 1
            counts["during"] += entered.is_set() and not opened.is_set()

    searchers = [threading.Thread(target=search_loop) for _ in range(3)]
    for thread in searchers:
        thread.start()
    try:
        status, body = start(staff)
        assert status == 202 and body["job"]["staff"] == "alice"
        assert entered.wait(10)
        wait_until(lambda: counts["during"] >= 20)
        page = soup(staff.get("/staff/rebuild"))
        assert page.find("meta", attrs={"http-equiv": "refresh"}).parent.name == "noscript"
        assert "Files parsed" in text(page.select_one(".job"))
        assert search_total(staff, "patients") == 6  # still the old index
        opened.set()
        job = wait_for_job(staff, body["job"]["id"])
        after = counts["all"]
        wait_until(lambda: counts["all"] >= after + 20)  # and on the new index
    finally:
        opened.set()
        done.set()
        for thread in searchers:
            thread.join()
    assert failures == [] and counts["all"] > counts["during"] >= 20
    assert job["state"] == "succeeded" and job["files"] == 33 and job["done"] == 33
    if semantic.available() is None:  # the last step: the 30 new of 39 questions embedded
        assert job["current"] == "(embedding questions for search by meaning: 30 of 30)"
    assert store.current_build(tmp_path / "index") != before
    assert search_total(staff, "patients") == 36  # the new index answers now
    report = text(soup(staff.get("/staff/rebuild")).select_one(".job"))
    assert "33 files, 33 interviews, 39 pairs indexed" in report
    assert audit_actions(tmp_path) == [("rebuild", "ok")]


def test_a_second_request_is_told_a_build_is_running(tmp_path, gate, monkeypatch):
    app = make_staff_app(tmp_path)
    opened, entered = gate.arm(monkeypatch).opened, gate.entered
    alice, bob = signed_in(app, "alice"), signed_in(app, "bob")
    status, first = start(alice)
    assert status == 202 and entered.wait(10)
    status, second = start(bob)
    assert status == 409 and second["error"] == "A build is already running."
    assert second["job"]["id"] == first["job"]["id"]
    page = soup(bob.get(post(bob, "/staff/rebuild").headers["Location"]))
    assert "already running" in text(page.select_one(".flash-error"))
    assert not page.find("button", string="Rebuild index")

    worker = make_staff_app(tmp_path)  # another gunicorn worker: same folders, own memory
    status, other = start(signed_in(worker))
    assert status == 409 and other["job"]["id"] == first["job"]["id"]
    assert other["job"]["state"] == "starting"  # read from the state file
    opened.set()
    assert wait_for_job(alice, first["job"]["id"])["state"] == "succeeded"
    assert audit_actions(tmp_path) == [("rebuild", "refused")] * 3 + [("rebuild", "ok")]
    status, third = start(alice)  # and once it is done, the next one starts
    assert status == 202
    wait_for_job(alice, third["job"]["id"])


def test_another_worker_shows_the_running_build(tmp_path, gate, monkeypatch):
    app = make_staff_app(tmp_path)
    opened, entered = gate.arm(monkeypatch).opened, gate.entered
    for n in range(3):
        write_interview(tmp_path / "corpus", f"extra-{n}.txt", [("Q?", "Answer.")])
    status, body = start(signed_in(app))
    assert entered.wait(10)
    opened.set()
    job = wait_for_job(signed_in(app), body["job"]["id"])
    other = signed_in(make_staff_app(tmp_path))
    assert other.get(f"/staff/api/jobs/{job['id']}").get_json()["job"]["state"] == "succeeded"
    status_page = other.get("/staff/api/status").get_json()
    assert status_page["rebuild"]["id"] == job["id"] and status_page["index"]["files"] == 6


def test_a_failing_rebuild_reports_why_and_search_keeps_working(tmp_path, monkeypatch):
    app = make_staff_app(tmp_path)
    staff = signed_in(app)
    before = store.current_build(tmp_path / "index")

    def broken(path, expected_pairs, words):
        raise store.StoreError("simulated disk failure while checking the new build")

    monkeypatch.setattr(store, "check_build", broken)
    status, body = start(staff)
    job = wait_for_job(staff, body["job"]["id"])
    assert job["state"] == "failed" and "simulated disk failure" in job["error"]
    assert store.current_build(tmp_path / "index") == before
    assert search_total(staff, "patients") == 6
    page = soup(staff.get("/staff/"))
    assert "simulated disk failure" in text(page.select_one(".job-error"))
    assert "previous index keeps serving" in text(page.select_one(".job-error"))
    assert audit_actions(tmp_path) == [("rebuild", "failed")]


def test_a_rebuild_without_a_corpus_is_refused_and_changes_nothing(tmp_path):
    app = make_staff_app(tmp_path, CORPUS_DIR=str(tmp_path / "missing"))
    staff = signed_in(app)
    before = store.current_build(tmp_path / "index")
    status, body = start(staff)
    job = wait_for_job(staff, body["job"]["id"])
    assert job["state"] == "failed" and "missing or holds no interview files" in job["error"]
    assert store.current_build(tmp_path / "index") == before
    assert search_total(staff, "patients") == 6


def test_a_rebuild_of_a_corpus_without_pairs_changes_nothing(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("", encoding="utf-8")
    app = make_staff_app(tmp_path, CORPUS_DIR=str(bad))
    staff = signed_in(app)
    before = store.current_build(tmp_path / "index")
    status, body = start(staff)
    job = wait_for_job(staff, body["job"]["id"])
    assert job["state"] == "failed" and "found no question/answer pairs" in job["error"]
    assert "empty.txt" in job["error"] and "keeps serving" in job["error"]
    assert store.current_build(tmp_path / "index") == before
    assert search_total(staff, "patients") == 6


def test_status_page_shows_counts_warnings_and_recent_actions(tmp_path):
    app = make_staff_app(tmp_path)
    (tmp_path / "corpus" / "empty-notes.txt").write_text("No speakers here at all.\n")
    staff = signed_in(app)
    status, body = start(staff)
    wait_for_job(staff, body["job"]["id"])
    page = soup(staff.get("/staff/"))
    assert text(page.select_one(".count-documents")) == "9"
    assert text(page.select_one(".count-interviews")) == "4"
    warnings = text(page.select_one("dl.warnings"))
    assert "empty-notes.txt" in warnings and "no question/answer pairs" in warnings
    assert "Succeeded" in text(page.select_one(".job"))
    rows = [text(r) for r in page.select("table.audit tbody tr")]
    assert len(rows) == 1 and "alice rebuild corpus ok" in rows[0]
    api = staff.get("/staff/api/status").get_json()
    assert api["index"]["documents"] == 9 and api["actions"][0]["action"] == "rebuild"
    assert [f["name"] for f in api["warnings"]] == [  # the two without a date, as in the preview
        "clinic-notes.txt", "empty-notes.txt", "hostile.txt"]


def test_no_corpus_change_while_a_rebuild_runs_in_any_worker(tmp_path, gate, monkeypatch):
    app = make_staff_app(tmp_path)
    opened, entered = gate.arm(monkeypatch).opened, gate.entered
    monkeypatch.setattr(staffops, "UPDATE_LOCK_TIMEOUT", 0.3)
    status, body = start(signed_in(app))
    assert entered.wait(10)
    other = signed_in(make_staff_app(tmp_path))  # another worker
    response = post(other, "/staff/withdraw", {"file": "clinic-notes.txt"})
    page = soup(other.get(response.headers["Location"]))
    assert "A rebuild (or another publish) is running" in text(page.select_one(".flash-error"))
    assert (tmp_path / "corpus" / "clinic-notes.txt").exists()
    opened.set()
    wait_for_job(other, body["job"]["id"])
    assert search_total(other, "vaccines") == 1
    assert audit_actions(tmp_path) == [("withdraw", "refused"), ("rebuild", "ok")]


def test_a_failed_index_update_undoes_the_corpus_change(tmp_path, monkeypatch):
    staff = signed_in(make_staff_app(tmp_path))

    def broken(*args, **kwargs):
        raise store.StoreError("simulated failure")

    monkeypatch.setattr(store, "update", broken)
    response = post(staff, "/staff/withdraw", {"file": "ward-rounds.txt"})
    page = soup(staff.get(response.headers["Location"]))
    assert "Nothing changed" in text(page.select_one(".flash-error"))
    assert (tmp_path / "corpus" / "ward-rounds.txt.meta.json").exists()
    assert not list((tmp_path / "archive").iterdir())
    assert audit_actions(tmp_path) == [("withdraw", "failed")]


def finished_job(rebuilder: Rebuilder, staff: str = "alice") -> dict:
    """Start a rebuild directly and wait for its outcome (in memory)."""
    job = rebuilder.start(staff)
    deadline = time.monotonic() + 30
    while rebuilder.job(job.id)["state"] in ("starting", "running"):
        assert time.monotonic() < deadline, "the rebuild did not finish"
        time.sleep(0.02)
    return rebuilder.job(job.id)


def test_the_audit_entry_is_written_before_the_outcome_shows(tmp_path):
    # A page polling the job saw "succeeded" and read the audit log before its entry was
    # written (a flaky test showed it): the outcome must show only once the entry is there.
    (tmp_path / "corpus").mkdir()
    write_interview(tmp_path / "corpus", "a.txt", [("Why?", "Because.")])
    seen = {}

    def on_finish(job):
        seen["outcome"] = job.state
        seen["memory"] = rebuilder.job(job.id)["state"]
        seen["file"] = json.loads((tmp_path / "state" / "job.json").read_text())["state"]

    rebuilder = Rebuilder(tmp_path / "index", tmp_path / "corpus", tmp_path / "state" / "job.json",
                          on_finish=on_finish)
    assert finished_job(rebuilder)["state"] == "succeeded"
    assert seen["outcome"] == "succeeded"
    assert seen["memory"] in ("starting", "running") and seen["file"] in ("starting", "running")


def test_a_failing_audit_entry_does_not_lose_the_outcome(tmp_path):
    (tmp_path / "corpus").mkdir()
    write_interview(tmp_path / "corpus", "a.txt", [("Why?", "Because.")])

    def on_finish(job):
        raise OSError("disk full")

    rebuilder = Rebuilder(tmp_path / "index", tmp_path / "corpus", tmp_path / "state" / "job.json",
                          on_finish=on_finish)
    job = finished_job(rebuilder)
    assert job["state"] == "succeeded" and job["pairs"] == 1
    assert job["warnings"]["(audit log)"] == [
        "error: the audit entry was not written: OSError: disk full"]
    saved = json.loads((tmp_path / "state" / "job.json").read_text())
    assert saved["state"] == "succeeded" and saved["finished_at"]


def test_an_index_of_another_schema_is_said_to_need_a_rebuild(tmp_path):
    # served quietly, it missed what the new schema indexes differently (PET in capitals)
    make_staff_app(tmp_path)
    build = store.current_build(tmp_path / "index")
    manifest_file = store.build_path(tmp_path / "index", build) / store.MANIFEST
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest_file.write_text(json.dumps({**manifest, "schema_version": 2}), encoding="utf-8")
    app = make_staff_app(tmp_path)  # a fresh worker reads the manifest
    staff = signed_in(app)
    note = staff.get("/healthz").get_json()["schema_note"]
    assert note.startswith("The index was built by another version") and "schema 2" in note
    assert note in text(soup(staff.get("/staff/")).select_one(".schema-note"))
    printed = CliRunner().invoke(cli, ["--index", str(tmp_path / "index"), "stats"]).output
    assert f"Note:       {note}" in printed
    status, body = start(staff)  # the rebuild it asks for
    assert wait_for_job(staff, body["job"]["id"])["state"] == "succeeded"
    assert staff.get("/healthz").get_json()["schema_note"] is None
    assert not soup(staff.get("/staff/")).select_one(".schema-note")


def test_the_rebuild_page_follows_the_job_json_in_a_live_region(tmp_path, gate, monkeypatch):
    # a whole-page refresh every 2 s reset screen readers to the top of the page: a script
    # follows the job's JSON and updates a live region; without scripts the page refreshes
    app = make_staff_app(tmp_path)
    opened = gate.arm(monkeypatch).opened
    staff = signed_in(app)
    status, body = start(staff)
    job_url = f"/staff/api/jobs/{body['job']['id']}"
    assert gate.entered.wait(10)
    for address in ("/staff/rebuild", "/staff/"):  # the status page shows the job too
        page = soup(staff.get(address))
        box = page.select_one(".job")
        assert box["data-job-url"] == job_url and box["data-poll-seconds"] == "2", address
        live = box.select_one("[aria-live=polite]")
        assert live.get("role") == "status" and "job-progress" in live["class"]
        [script] = page.find_all("script")
        assert script["src"] == "/static/staff-job.js" and not script.string
        assert page.find("meta", attrs={"http-equiv": "refresh"}).parent.name == "noscript"
        assert box.find("a", string="Refresh")["href"] == address
        polled = staff.get(job_url).get_json()
        assert polled["job"]["state"] in ("starting", "running")
        assert polled["text"]["finished"] is False
        assert polled["text"]["progress"] == text(live)  # the script shows the page's words
        assert polled["text"]["label"] == text(box.select_one(".job-state"))
    script = app.test_client().get("/static/staff-job.js")
    source = script.get_data()
    script.close()  # a static file is streamed
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert b"fetch(" in source
    opened.set()
    job = wait_for_job(staff, body["job"]["id"])
    polled = staff.get(job_url).get_json()
    assert polled["job"] == job and polled["text"]["finished"] is True
    page = soup(staff.get("/staff/rebuild"))
    assert polled["text"]["outcome"] == text(page.select_one(".job-report"))
    assert polled["text"]["outcome"].endswith("pairs indexed in "
                                              f"{job['seconds']:.1f} s.")
    assert polled["text"]["label"] == "Succeeded"
    assert not page.find_all("script") and not page.find("meta", attrs={"http-equiv": "refresh"})
    assert not page.select_one(".job").has_attr("data-job-url")


def test_a_failed_job_is_told_in_the_job_json_as_on_the_page(tmp_path, monkeypatch):
    staff = signed_in(make_staff_app(tmp_path))

    def broken(path, expected_pairs, words):
        raise store.StoreError("simulated disk failure")

    monkeypatch.setattr(store, "check_build", broken)
    status, body = start(staff)
    wait_for_job(staff, body["job"]["id"])
    polled = staff.get(f"/staff/api/jobs/{body['job']['id']}").get_json()["text"]
    assert polled["label"] == "Failed" and polled["finished"] is True
    assert polled["outcome"] == ("StoreError: simulated disk failure The previous index keeps "
                                 "serving.")
    assert polled["outcome"] == text(soup(staff.get("/staff/rebuild")).select_one(".job-error"))


@pytest.mark.parametrize(("iso", "shown"), [
    ("2026-11-25T11:57:39+00:00", "25 Nov 2026, 11:57 UTC"),
    ("2024-03-05T09:04:00Z", "5 Mar 2024, 09:04 UTC"),
    ("2024-03-05T23:30:00-02:00", "6 Mar 2024, 01:30 UTC"),  # told in UTC, like the rest
    ("2024-03-05", "2024-03-05"),  # no time, or no zone: shown as stored
    ("2024-03-05T09:04:00", "2024-03-05T09:04:00"),
    ("", ""), (None, ""), ("soon", "soon"),
])
def test_times_are_shown_readably(iso, shown):
    assert nice_time(iso) == shown


def test_staff_pages_show_times_readably_in_time_elements(tmp_path):
    staff = signed_in(make_staff_app(tmp_path))
    wait_for_job(staff, start(staff)[1]["job"]["id"])
    post(staff, "/staff/withdraw", {"file": "clinic-notes.txt"})  # an archived file, an action
    page = soup(staff.get("/staff/"))
    times = page.find_all("time")
    # the index's last write, the rebuild's start and end, the archived file, 2 actions
    assert len(times) == 6
    readable = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC")
    for element in times:
        assert readable.fullmatch(text(element)), element
        assert text(element) == nice_time(element["datetime"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)", element["datetime"])
    archived = page.select_one(".archive time")
    assert page.select_one(".archive button")["aria-label"] == (
        f"Restore clinic-notes.txt archived {nice_time(archived['datetime'])}")
    api = staff.get("/staff/api/status").get_json()  # the API keeps ISO 8601
    assert api["actions"][0]["time"] == page.select("table.audit time")[0]["datetime"]
    assert api["rebuild"]["started_at"] in {t["datetime"] for t in times}
