"""Adding interviews from the browser: upload, preview, correct, publish, replace, withdraw."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from staff_support import act
from staff_support import corpus_names
from staff_support import csrf_token
from staff_support import interview_text
from staff_support import make_staff_app
from staff_support import page_interviews
from staff_support import post
from staff_support import preview_of
from staff_support import search_total
from staff_support import signed_in
from staff_support import upload
from staff_support import wait_for_job
from webapp_support import soup
from webapp_support import text

from indexer import publish
from indexer import store

NEW = interview_text("Apheresis day with Dr. Ada Lovelace", [
    ("What happens on apheresis day?", "We collect the leukapheresis product and ship it."),
    ("How long does it take?", "About four hours of leukapheresis in the chair."),
])
CLINIC_V2 = interview_text("Clinic notes with Dr. Grace Hopper (revised)", [
    ("Which vaccines do you give after transplant?",
     "Inactivated vaccines at six months, live ones at two years after immunoglobulin checks."),
], who="Dr. Grace Hopper")


@pytest.fixture
def app(tmp_path):
    return make_staff_app(tmp_path)


@pytest.fixture
def client(app):
    return signed_in(app)


def audit_entries(root: Path) -> list[dict]:
    path = root / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- the happy path --------------------------------------------------------------------


def test_upload_preview_edit_publish_then_search_finds_it(client, tmp_path):
    url, page = preview_of(client, [("Apheresis Day.txt", NEW)])
    section = page.select_one("section.upload")
    assert "saved as apheresis-day.txt" in text(section)
    assert text(section.select_one(".format")) == "text (speaker-labels)"
    assert text(section.select_one(".field-title")) == "Apheresis day with Dr. Ada Lovelace"
    assert text(section.select_one(".field-interviewee")) == "Dr. Ada Lovelace"
    questions = [text(q) for q in section.select(".preview-pairs .question")]
    assert questions == ["What happens on apheresis day?", "How long does it take?"]
    for field in ("title", "interviewee", "interviewer", "date"):
        control = section.find("input", attrs={"name": field})
        assert section.find("label", attrs={"for": control["id"]})
    assert search_total(client, "leukapheresis") == 0

    fields = {"title": "Apheresis day", "interviewee": "Dr. Ada Lovelace",
              "interviewer": "Sam Host", "date": "2024-05-01"}
    page = act(client, url, action="save", **fields)
    assert text(page.select_one(".field-title")) == "Apheresis day"
    assert text(page.select_one(".field-date")) == "2024-05-01"
    assert "apheresis-day.txt" not in corpus_names(tmp_path)
    assert search_total(client, "leukapheresis") == 0

    page = act(client, url, action="publish", **fields)
    assert text(page.select_one(".flash-ok")) == (
        "Published apheresis-day.txt: its 2 question/answer pairs are searchable now.")
    result = client.get("/api/search?q=leukapheresis").get_json()
    assert result["total"] == 2
    assert {r["title"] for r in result["results"]} == {"Apheresis day"}
    assert {r["date"] for r in result["results"]} == {"2024-05-01"}
    interview = page.select_one(".published a")["href"]
    assert client.get(interview).status_code == 200
    meta = json.loads((tmp_path / "corpus" / "apheresis-day.txt.meta.json").read_text())
    assert meta == {"title": "Apheresis day", "interviewer": "Sam Host", "date": "2024-05-01"}
    entry = audit_entries(tmp_path)[-1]
    assert {k: entry[k] for k in ("staff", "action", "file", "outcome")} == {
        "staff": "alice", "action": "publish", "file": "apheresis-day.txt", "outcome": "ok"}
    assert set(entry) == {"time", "staff", "action", "file", "outcome", "detail"}
    status = text(soup(client.get("/staff/")))
    assert "apheresis-day.txt" in status and "publish" in status


def test_several_files_in_one_upload(client):
    other = interview_text("Night shift", [("Who covers nights?", "A hematology fellow.")])
    url, page = preview_of(client, [("a.txt", NEW), ("b.md", other)])
    assert len(page.select("section.upload")) == 2
    act(client, url, n=2, action="publish")
    assert search_total(client, "fellow") == 1 and search_total(client, "leukapheresis") == 0
    data = client.get(f"/staff/api/uploads/{url.rsplit('/', 1)[1]}").get_json()
    assert [i["name"] for i in data["items"]] == ["a.txt", "b.md"]
    assert data["items"][1]["published"]["file"] == "b.md"
    assert data["items"][0]["pairs"] == 2 and data["items"][0]["publishable"]


def test_discard_drops_a_staged_file(client, tmp_path):
    url, _ = preview_of(client, [("new.txt", NEW)])
    response = post(client, f"{url}/1", {"action": "discard"})
    assert response.headers["Location"] == "/staff/add"
    assert client.get(url).status_code == 200  # the batch is empty, not an error
    assert "new.txt" not in corpus_names(tmp_path)


# --- withdraw and replace --------------------------------------------------------------


def test_withdraw_removes_from_search_and_archives_the_file(client, tmp_path):
    assert search_total(client, "vaccines") == 1
    confirm = soup(client.get("/staff/withdraw?file=clinic-notes.txt"))
    assert confirm.find("input", attrs={"name": "file"})["value"] == "clinic-notes.txt"
    response = post(client, "/staff/withdraw", {"file": "clinic-notes.txt"})
    page = soup(client.get(response.headers["Location"]))
    assert "its 2 question/answer pairs are no longer searchable" in text(
        page.select_one(".flash-ok"))
    assert audit_entries(tmp_path)[-1]["detail"].startswith("2 pairs;")
    assert search_total(client, "vaccines") == 0
    assert "clinic-notes.txt" not in corpus_names(tmp_path)
    assert [p.name.split("-", 1)[1] for p in (tmp_path / "archive").iterdir()] == [
        "clinic-notes.txt"]
    post(client, "/staff/withdraw", {"file": "ward-rounds.txt"})
    archived = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "archive").iterdir())
    assert archived == ["clinic-notes.txt", "ward-rounds.txt", "ward-rounds.txt.meta.json"]
    assert [e["action"] for e in audit_entries(tmp_path)] == ["withdraw", "withdraw"]


def test_replace_needs_explicit_consent_then_swaps_versions(client, tmp_path):
    old = (tmp_path / "corpus" / "clinic-notes.txt").read_bytes()
    url, page = preview_of(client, [("clinic-notes.txt", CLINIC_V2)])
    assert "already in the corpus" in text(page.select_one(".warnings"))
    assert page.find("input", attrs={"name": "replace"})
    page = act(client, url, action="publish")
    assert "already in the corpus" in text(page.select_one(".flash-error"))
    assert (tmp_path / "corpus" / "clinic-notes.txt").read_bytes() == old
    assert search_total(client, "immunoglobulin") == 0

    page = act(client, url, action="publish", replace="1")
    assert text(page.select_one(".flash-ok")) == (  # not "with clinic-notes.txt" again
        "Replaced clinic-notes.txt with the uploaded version: its 1 question/answer pair is "
        "searchable now.")
    assert search_total(client, "immunoglobulin") == 1
    assert search_total(client, "weekly") == 0
    [archived] = (tmp_path / "archive").iterdir()
    assert archived.read_bytes() == old
    assert [(e["action"], e["outcome"]) for e in audit_entries(tmp_path)] == [
        ("publish", "refused"), ("replace", "ok")]


def test_replace_from_the_status_page_under_a_new_name(client, tmp_path):
    status = soup(client.get("/staff/"))
    link = status.find("a", attrs={"aria-label": "Replace clinic-notes.txt"})["href"]
    form = soup(client.get(link)).find("input", attrs={"name": "replace"})
    assert form["value"] == "clinic-notes.txt"
    url, page = preview_of(client, [("clinic-notes-2024.md", CLINIC_V2)],
                           replace="clinic-notes.txt")
    assert "replaces clinic-notes.txt" in text(page.select_one("section.upload form"))
    page = act(client, url, action="publish")
    assert text(page.select_one(".flash-ok")) == (
        "Replaced clinic-notes.txt with clinic-notes-2024.md: its 1 question/answer pair is "
        "searchable now.")
    assert {"clinic-notes-2024.md"} <= corpus_names(tmp_path)
    assert "clinic-notes.txt" not in corpus_names(tmp_path)
    assert search_total(client, "immunoglobulin") == 1 and search_total(client, "weekly") == 0
    # the new version keeps the interview's address, and its question on vaccines (asked
    # second before) the vaccines answer's, also after a rebuild; the question it dropped
    # says so at its address and points to the interview
    assert page.select_one(".published a")["href"] == "/interview/clinic-notes"
    for _ in range(2):
        answer = client.get("/api/pairs/clinic-notes-2").get_json()
        assert "immunoglobulin" in answer["answer"] and answer["position"] == 1
        dropped = client.get("/api/pairs/clinic-notes-1")
        assert dropped.status_code == 410
        assert dropped.get_json()["interview"]["url"] == "/interview/clinic-notes"
        store.build(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)


def test_the_replace_preview_tells_which_addresses_stay_stop_and_are_new(client, tmp_path):
    """Clinicians cite pair addresses: before replacing, staff see which keep working, which
    will answer 410 Gone, and which are new, as the update will give them."""
    v2 = CLINIC_V2 + (b"\nHost: Do you check titers first?\n\n"
                      b"Dr. Grace Hopper: Yes, before any live vaccine.\n")
    url, page = preview_of(client, [("clinic-notes-2024.md", v2)], replace="clinic-notes.txt")
    told = page.select_one("#file-1 .addresses")
    assert text(told.select_one(".addresses-summary")) == (
        "Replacing clinic-notes.txt: the interview keeps its address /interview/clinic-notes. "
        "Of its question/answer pairs, 1 keeps its address, 1 is new, and 1 will stop working "
        "(its address will answer 410 Gone).")
    assert [" ".join(li.get_text().split()) for li in told.select(".addresses-gone li")] == [
        "/pair/clinic-notes-1: How do you follow patients after transplant?"]
    pairs = page.select("#file-1 .preview-pairs li")
    assert [text(p.select_one(".address")) for p in pairs] == [
        "Address: /pair/clinic-notes-2 (kept)", "Address: /pair/clinic-notes-3 (new)"]
    api = page_interviews(client, url)[0]["pairs"]
    assert [(p["address"], p["kept"]) for p in api] == [("clinic-notes-2", True),
                                                          ("clinic-notes-3", False)]

    act(client, url, action="publish")  # the update gives what the preview said
    assert client.get("/api/pairs/clinic-notes-1").status_code == 410
    for pair in api:
        found = client.get(f"/api/pairs/{pair['address']}").get_json()
        assert found["question"] == pair["question"]


def test_a_new_file_is_not_told_of_addresses(client):
    _, page = preview_of(client, [("apheresis.txt", NEW)])
    assert not page.select(".addresses") and not page.select(".preview-pairs .address")


# --- a file of many interviews, in the background --------------------------------------


def topics(count: int) -> bytes:
    """A JSON Lines file of `count` one-pair interviews."""
    return "\n".join(json.dumps({"question": f"What is topic {n}?", "title": f"Topic {n}",
                                 "answer": f"Topic {n} is about leukapheresis.",
                                 "interviewee": "Dr. A"})
                      for n in range(count)).encode()


def test_published_interviews_are_named_by_title_or_counted_in_one_link(client):
    url, _ = preview_of(client, [("two.jsonl", topics(2)), ("many.jsonl", topics(7))])
    act(client, url, 1, action="publish")
    page = act(client, url, 2, action="publish")
    links = page.select("#file-1 .published a")
    assert [(text(a), a["href"]) for a in links] == [
        ("View \u201cTopic 0\u201d", "/interview/two-topic-0"),
        ("View \u201cTopic 1\u201d", "/interview/two-topic-1")]
    [link] = page.select("#file-2 .published a")
    assert text(link) == "See its 7 interviews on the Status page"
    status = soup(client.get(link["href"]))
    row = status.find(id=link["href"].split("#")[1])
    assert text(row.th) == "many.jsonl" and len(row.select("td a[href^='/interview/']")) == 7


@pytest.fixture
def held_updates(monkeypatch):
    """Index updates wait, once they have started, until the test sets the event."""
    entered, opened = threading.Event(), threading.Event()
    update = store.update

    def held(*args, **kwargs):
        entered.set()
        assert opened.wait(30), "the test never let the update go on"
        return update(*args, **kwargs)

    monkeypatch.setattr(store, "update", held)
    yield entered, opened
    opened.set()


def test_a_large_file_is_published_in_the_background_with_progress(tmp_path, held_updates):
    entered, opened = held_updates
    client = signed_in(make_staff_app(tmp_path, STAFF_BACKGROUND_PAIRS=5))
    url, _ = preview_of(client, [("many.jsonl", topics(7))])
    response = post(client, f"{url}/1", {"action": "publish"})
    assert response.status_code == 303
    assert entered.wait(10)
    page = soup(client.get(response.headers["Location"]))
    assert ("Publishing many.jsonl (7 question/answer pairs) in the background"
            in text(page.select_one(".flash-ok")))
    job = page.select_one("#file-1 .job[data-job-url]")
    assert "Publishing many.jsonl" in text(job.select_one(".job-progress"))
    assert page.find("meta", attrs={"http-equiv": "refresh"}).parent.name == "noscript"
    assert not page.select("#file-1 button[value=publish]")
    assert search_total(client, "leukapheresis") == 0  # the index it serves meanwhile
    again = act(client, url, action="publish")
    assert "many.jsonl is being published" in text(again.select_one(".flash-error"))
    rebuild = client.post("/staff/api/rebuild", headers={"X-CSRFToken": csrf_token(client,
                                                                                   "/staff/add")})
    assert rebuild.status_code == 409

    opened.set()
    done = wait_for_job(client, job["data-job-url"].rsplit("/", 1)[1])
    assert done["state"] == "succeeded" and done["kind"] == "publish"
    said = client.get(job["data-job-url"]).get_json()["text"]
    assert said["outcome"] == "Published many.jsonl: its 7 question/answer pairs are " \
                              "searchable now."
    page = soup(client.get(url))
    assert text(page.select_one("#file-1 .published")).startswith(
        "Published as many.jsonl: its 7 question/answer pairs are searchable now.")
    assert not page.select(".job")
    assert search_total(client, "leukapheresis") == 7
    assert [(e["action"], e["outcome"]) for e in audit_entries(tmp_path)] == [
        ("rebuild", "refused"), ("publish", "ok")]


def test_a_background_publish_that_fails_says_why_and_changes_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise store.StoreError("simulated failure")

    client = signed_in(make_staff_app(tmp_path, STAFF_BACKGROUND_PAIRS=5))
    monkeypatch.setattr(store, "update", broken)
    url, _ = preview_of(client, [("many.jsonl", topics(7))])
    page = act(client, url, action="publish")
    job = page.select_one("#file-1 .job[data-job-url]")
    if job is not None:  # still running when the page was drawn
        wait_for_job(client, job["data-job-url"].rsplit("/", 1)[1])
        page = soup(client.get(url))
    failed = text(page.select_one("#file-1 .job-error"))
    assert "Nothing changed: the index could not be updated (simulated failure)" in failed
    assert page.select("#file-1 button[value=publish]")
    assert "many.jsonl" not in corpus_names(tmp_path)
    assert audit_entries(tmp_path)[-1]["outcome"] == "failed"


# --- warnings --------------------------------------------------------------------------


def test_long_answers_are_warned_about(client):
    long = interview_text("Monologue", [("Anything to add?", "word " * 1600)])
    _, page = preview_of(client, [("long.txt", long)])
    assert "is very long (1,6" in text(page.select_one(".warnings"))
    assert "No date found: add one with the corrections" in text(page.select_one(".warnings"))


def test_a_copy_of_a_corpus_file_is_refused(client, tmp_path):
    """Published, every answer of clinic-notes.txt would show twice in search."""
    copy = (tmp_path / "corpus" / "clinic-notes.txt").read_bytes()
    url, page = preview_of(client, [("copy.txt", copy)])
    error = text(page.select_one(".item-error"))
    assert ("copy.txt has the same content as clinic-notes.txt, already in the corpus" in error
            and "twice" in error and "replace clinic-notes.txt" in error)
    assert "duplicate of the published interview" in text(page.select_one(".warnings"))
    assert not page.find("button", attrs={"value": "publish"})
    assert not page.find("input", attrs={"name": "title"})
    page = act(client, url, action="publish")
    assert "copy.txt has the same content" in text(page.select_one(".flash-error"))
    assert "copy.txt" not in corpus_names(tmp_path)
    assert search_total(client, "vaccines") == 1


def test_a_copy_may_replace_the_file_it_copies_under_a_new_name(client, tmp_path):
    copy = (tmp_path / "corpus" / "clinic-notes.txt").read_bytes()
    url, page = preview_of(client, [("clinic-notes-2023.txt", copy)], replace="clinic-notes.txt")
    assert not page.select_one(".item-error")
    page = act(client, url, action="publish")
    assert "Replaced clinic-notes.txt" in text(page.select_one(".flash-ok"))
    assert "clinic-notes.txt" not in corpus_names(tmp_path)
    assert search_total(client, "vaccines") == 1


def test_a_published_upload_shows_as_published_not_as_new(client):
    url, _ = preview_of(client, [("apheresis.txt", NEW)])
    act(client, url, action="publish")
    section = soup(client.get(url)).select_one("section.upload")
    assert text(section.select_one(".published")).startswith(
        "Published as apheresis.txt: its 2 question/answer pairs are searchable now.")
    assert not section.select_one(".warnings") and not section.select_one(".item-error")
    assert not section.find("form")
    token = url.rsplit("/", 1)[1]
    [item] = client.get(f"/staff/api/uploads/{token}").get_json()["items"]
    assert item["warnings"] == [] and not item["publishable"]
    page = act(client, url, action="publish")
    assert "apheresis.txt is already published" in text(page.select_one(".flash-error"))


def test_upload_errors_name_their_file(client):
    notes = b"Some notes without any speakers.\n\nAnother paragraph of notes.\n"
    url, page = preview_of(client, [("empty.txt", b""), ("notes.txt", notes),
                                    ("photo.png", b"x"), ("no.jsonl", b'{"answer": "A"}\n')])
    errors = [text(s.select_one(".item-error")) for s in page.select("section.upload")]
    assert errors[0] == "empty.txt is empty."
    assert errors[1].startswith("Nothing to publish in notes.txt: the parser found no")
    assert "Q:" in errors[1] and "README" not in errors[1]
    assert errors[2].startswith("photo.png is not a type that can be published")
    assert errors[3].startswith("Nothing to publish in no.jsonl: no line holds")
    for n in (1, 2):
        page = act(client, url, n, action="publish")
        assert text(page.select_one(".flash-error")) == errors[n - 1]


def test_a_name_another_interview_has_is_told_with_the_address_it_gets(client, tmp_path):
    """Ids come from file names: clinic-notes.md cannot have clinic-notes.txt's address, nor
    ward-rounds.md a withdrawn ward-rounds.txt's (its old links find nothing, not this one)."""
    post(client, "/staff/withdraw", {"file": "ward-rounds.txt"})
    url, page = preview_of(client, [("clinic-notes.md", CLINIC_V2), ("ward-rounds.md", NEW),
                                    ("apheresis.md", NEW)])
    first, second, third = (text(s.select_one(".warnings")) for s in page.select("section.upload"))
    assert ("/interview/clinic-notes is the address of the published interview \u201cClinic "
            "notes with Dr. Grace Hopper\u201d (clinic-notes.txt): this one will be "
            "/interview/clinic-notes-2 if published now") in first
    assert ("/interview/ward-rounds stays with a withdrawn interview (ward-rounds.txt): this "
            "one will be /interview/ward-rounds-2 if published now") in second
    assert "/interview/" not in third
    page = act(client, url, action="publish")
    assert page.select_one(".published a")["href"] == "/interview/clinic-notes-2"


def test_a_missing_date_is_warned_about_until_corrected(client):
    dated = b"Published: 2025-02-03\n\n" + interview_text("Dated", [("Why?", "Because.")])
    undated = interview_text("Undated", [("Why not?", "Because not.")])
    url, page = preview_of(client, [("dated.txt", dated), ("undated.txt", undated)])
    first, second = page.select("section.upload")
    assert "No date found" not in text(first)
    assert "No date found" in text(second.select_one(".warnings"))
    page = act(client, url, 2, action="save", title="Undated", interviewee="Dr. Ada Lovelace",
               interviewer="", date="2025-03-04")
    assert "No date found" not in text(page.select("section.upload")[1])


def test_a_missing_interviewee_is_warned_about_until_corrected(client):
    named = interview_text("Named", [("Why?", "Because.")])
    unnamed = b"Unnamed\n\nQ: Why not?\n\nA: Because not.\n"
    url, page = preview_of(client, [("named.txt", named), ("unnamed.txt", unnamed)])
    first, second = page.select("section.upload")
    assert "No interviewee found" not in text(first)
    assert "No interviewee found: add one with the corrections" in text(
        second.select_one(".warnings"))
    page = act(client, url, 2, action="save", title="Unnamed", interviewee="Dr. Ada Lovelace",
               interviewer="", date="")
    assert "No interviewee found" not in text(page.select("section.upload")[1])



def test_a_title_made_from_the_file_name_is_warned_about_until_corrected(client):
    titled = interview_text("Why and why not", [("Why?", "Because.")])
    untitled = b"Host: Why not?\n\nDr. Ada Lovelace: Because not.\n"
    url, page = preview_of(client, [("first.txt", titled), ("zhang-cd7-car-t.txt", untitled),
                                    ("kim-bcma.txt", untitled.replace(b"not", b"never"))])
    first, second, _third = page.select("section.upload")
    assert "No title found" not in text(first)
    assert ("No title found: the title was made from the file name (\u201cZhang CD7 CAR "
            "T\u201d)") in text(second.select_one(".warnings"))
    page = act(client, url, 2, action="save", title="CD7 CAR-T in T-ALL",
               interviewee="Dr. Ada Lovelace", interviewer="", date="")
    assert "No title found" not in text(page.select("section.upload")[1])
    for n in (1, 2, 3):
        act(client, url, n, action="publish")
    files = client.get("/staff/api/status").get_json()["files"]
    status = {f["name"]: f["problems"] for f in files}
    corrected = status["first.txt"] + status["zhang-cd7-car-t.txt"]
    assert not any("No title found" in problem for problem in corrected)
    assert "No title found: the title was made from the file name (\u201cKim BCMA\u201d)." in (
        " ".join(status["kim-bcma.txt"]))

def test_a_json_lines_file_without_pairs_is_told_what_each_line_needs(client):
    lines = b'{"question": "What is CD7?"}\n{"answer": "orphan"}\n'
    _, page = preview_of(client, [("noanswer.jsonl", lines), ("notes.txt", b"Just notes.\n")])
    jsonl, notes = page.select("section.upload")
    error = text(jsonl.select_one(".item-error"))
    assert 'non-empty "question" and "answer"' in error and "speaker label" not in error
    assert "line 1: missing or empty 'answer'" in text(jsonl.select_one(".warnings"))
    assert "speaker label" in text(notes.select_one(".item-error"))


def test_corrections_to_a_file_of_several_interviews_are_refused(client, tmp_path):
    lines = [{"question": "What is CD7 CAR-T?", "answer": "A CAR-T.", "title": "CD7 with Dr. A",
              "interviewee": "Dr. A"},
             {"question": "What is BCMA?", "answer": "A target.", "title": "BCMA with Dr. B",
              "interviewee": "Dr. B"}]
    data = "\n".join(map(json.dumps, lines)).encode()
    url, page = preview_of(client, [("two.jsonl", data)])
    assert not page.find("input", attrs={"name": "interviewee"})
    for action in ("save", "publish"):
        page = act(client, url, action=action, title="", interviewee="Dr. Alice",
                   interviewer="", date="")
        assert "holds 2 interviews" in text(page.select_one(".flash-error"))
    assert "two.jsonl" not in corpus_names(tmp_path)
    assert [iv["interviewee"] for iv in page_interviews(client, url)] == ["Dr. A", "Dr. B"]


def test_a_file_the_parser_cannot_use_gets_a_message_and_changes_nothing(client, tmp_path):
    build = store.current_build(tmp_path / "index")
    notes = b"Some notes without any speakers.\n\nAnother paragraph of notes.\n"
    url, page = preview_of(client, [("notes.txt", notes), ("blob.html", bytes(range(256)) * 8)])
    for section in page.select("section.upload"):
        assert "Nothing to publish" in text(section.select_one(".item-error"))
        assert not section.find("button", attrs={"value": "publish"})
    page = act(client, url, action="publish")
    assert "Nothing to publish" in text(page.select_one(".flash-error"))
    assert corpus_names(tmp_path) == {"ward-rounds.txt", "ward-rounds.txt.meta.json",
                                      "clinic-notes.txt", "hostile.txt", "hostile.txt.meta.json"}
    assert store.current_build(tmp_path / "index") == build


# --- limits and hostile input ----------------------------------------------------------


def test_oversize_files_are_refused_and_change_nothing(tmp_path):
    client = signed_in(make_staff_app(tmp_path, MAX_UPLOAD_BYTES=2000))
    big = interview_text("Big", [("Anything to add?", "word " * 1000)])
    url, page = preview_of(client, [("big.txt", big), ("small.txt", NEW)])
    big_section, small_section = page.select("section.upload")
    assert "big.txt is larger than the 2,000 bytes limit" in text(
        big_section.select_one(".item-error"))
    assert not big_section.find("button", attrs={"value": "publish"})
    assert small_section.find("button", attrs={"value": "publish"})
    page = act(client, url, action="publish")
    assert page.select_one(".flash-error")
    assert "big.txt" not in corpus_names(tmp_path)
    assert not list((tmp_path / "work").rglob("big.txt"))


def test_a_request_over_the_total_limit_gets_413_with_the_limits(tmp_path):
    client = signed_in(make_staff_app(tmp_path, MAX_CONTENT_LENGTH=10_000))
    response = upload(client, [("big.txt", b"x" * 20_000)])
    assert response.status_code == 413
    assert "Upload at most 10 files of up to 5 MB each" in text(soup(response))


@pytest.mark.parametrize("name", ["photo.png", "run.exe", "README", "backup.tar.gz",
                                  "page.php", "notes.txt.exe", "."])
def test_wrong_types_are_refused(client, tmp_path, name):
    _, page = preview_of(client, [(name, NEW)])
    assert "is not a type that can be published" in text(page.select_one(".item-error"))
    assert not page.find("button", attrs={"value": "publish"})
    assert len(corpus_names(tmp_path)) == 5


EVIL_NAMES = {
    "../../../etc/evil.txt": "evil.txt",
    "..\\..\\windows\\evil.md": "evil.md",
    "/etc/passwd.txt": "passwd.txt",
    ".hidden.txt": "hidden.txt",
    "x.meta.json": "x-meta.json",
    "<script>alert(1)</script>.html": "script.html",
    "<b onmouseover=x>Q&A.html": "b-onmouseover-x-q-a.html",
    "Über Ärzte.TXT": "uber-arzte.txt",
    "...txt": "interview.txt",
    "a\x00b.txt": "ab.txt",
    "con .md": "con.md",
}


@pytest.mark.parametrize(("given", "safe"), EVIL_NAMES.items())
def test_safe_names(given, safe):
    assert publish.safe_name(given) == safe


@pytest.mark.parametrize("given", ["../../../etc/evil.txt", "..\\..\\windows\\evil.md",
                                   "/etc/passwd.txt", "x.meta.json",
                                   "<script>alert(1)</script>.html",
                                   "<b onmouseover=x>Q&A.html"])
def test_malicious_file_names_land_safely_in_the_corpus(client, tmp_path, given):
    before = {p for p in tmp_path.rglob("*") if "index" not in p.parts}
    names = corpus_names(tmp_path)
    content = NEW if given.endswith((".txt", ".md")) else (
        b"<h1>Evil</h1><p><strong>Host:</strong> What happens on apheresis day?</p>"
        b"<p><strong>Dr. Ada Lovelace:</strong> We collect leukapheresis product.</p>"
        if given.endswith(".html") else b'{"question": "Q?", "answer": "leukapheresis"}\n')
    url, page = preview_of(client, [(given, content)])
    assert "<script>" not in str(page) and "../" not in str(page.select_one("form"))
    act(client, url, action="publish")
    after = {p for p in tmp_path.rglob("*") if "index" not in p.parts}
    added = {p.relative_to(tmp_path).parts[0] for p in after - before}
    assert added <= {"corpus", "work", "audit.jsonl"}
    [name] = corpus_names(tmp_path) - names  # the one published file, a slug
    assert re.fullmatch(r"[a-z0-9-]+\.(txt|md|html|json)", name)
    assert search_total(client, "leukapheresis") >= 1


@pytest.mark.parametrize("name", ["../staff.json", "../../etc/passwd", "/etc/passwd",
                                  "ward-rounds.txt.meta.json", "missing.txt", ""])
def test_withdraw_refuses_anything_but_a_corpus_file(client, tmp_path, name):
    assert client.get("/staff/withdraw", query_string={"file": name}).status_code == 404
    response = post(client, "/staff/withdraw", {"file": name})
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one(".flash-error")
    assert (tmp_path / "staff.json").exists() and len(corpus_names(tmp_path)) == 5
    assert not (tmp_path / "archive").exists()
    assert audit_entries(tmp_path)[-1]["outcome"] == "refused"


def test_unknown_upload_tokens_are_404(client):
    for token in ("A" * 24, "../../etc", "x"):
        assert client.get(f"/staff/uploads/{token}").status_code == 404
    assert client.get("/staff/api/uploads/" + "B" * 24).get_json()["status"] == 404


def test_staff_pages_are_accessible_and_inert(client, app):
    url, _ = preview_of(client, [("new.txt", NEW), ("photo.png", b"x")])
    pages = ["/staff/", "/staff/add", "/staff/add?replace=clinic-notes.txt", url,
             "/staff/rebuild", "/staff/withdraw?file=clinic-notes.txt",
             "/staff/edit?file=ward-rounds.txt"]
    for address in pages + ["/staff/signin"]:
        response = (client if address != "/staff/signin" else app.test_client()).get(address)
        assert response.status_code == 200, address
        page = soup(response)
        assert page.html["lang"] == "en" and len(page.find_all("h1")) == 1, address
        assert not page.find_all("script") and not page.find_all(style=True), address
        for control in page.find_all(["input", "select", "textarea"]):
            if control.get("type") in ("hidden", "submit"):
                continue
            assert control.get("id") and page.find("label", attrs={"for": control["id"]}), (
                address, control)
        for form in page.find_all("form", method="post"):
            assert form.find("input", attrs={"name": "csrf_token"}), address


def test_a_single_pair_is_told_as_one(client, tmp_path):
    one = interview_text("Night shift", [("Who covers nights?", "A hematology fellow.")])
    url, _ = preview_of(client, [("night.txt", one)])
    page = act(client, url, action="publish")
    assert text(page.select_one(".flash-ok")) == (
        "Published night.txt: its 1 question/answer pair is searchable now.")
    assert text(page.select_one(".published")).startswith(
        "Published as night.txt: its 1 question/answer pair is searchable now.")
    confirm = text(soup(client.get("/staff/withdraw?file=night.txt")).select_one("section p"))
    assert "Its 1 question/answer pair (1 interview) leaves the search at once." in confirm
    response = post(client, "/staff/withdraw", {"file": "night.txt"})
    assert text(soup(client.get(response.headers["Location"])).select_one(".flash-ok")) == (
        "Withdrew night.txt: its 1 question/answer pair is no longer searchable; the file is "
        "in the archive.")
    archived = next((tmp_path / "archive").iterdir()).name
    response = post(client, "/staff/restore", {"file": archived})
    assert text(soup(client.get(response.headers["Location"])).select_one(".flash-ok")) == (
        "Restored night.txt: its 1 question/answer pair is searchable again.")


def test_staff_error_pages_lead_back_to_the_status_page(tmp_path):
    app = make_staff_app(tmp_path, MAX_CONTENT_LENGTH=10_000)
    client = signed_in(app)
    for response, status in ((client.get("/staff/edit?file=missing.txt"), 404),
                             (client.get("/staff/nowhere"), 404),
                             (upload(client, [("big.txt", b"x" * 20_000)]), 413),
                             (client.post("/staff/rebuild", data={"csrf_token": "x"}), 400)):
        assert response.status_code == status
        notice = soup(response).select_one(".notice")
        links = {text(a): a["href"] for a in notice.find_all("a")}
        assert links == {"Back to staff status": "/staff/"}, response.request.path
    # outside the staff area, and for anyone not signed in, it is the search
    for response in (client.get("/nowhere"), app.test_client().post("/staff/signin")):
        links = {text(a): a["href"] for a in soup(response).select_one(".notice").find_all("a")}
        assert links == {"Back to search": "/"}
