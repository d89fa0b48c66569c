"""Fixing a published interview from the Status page: every file with its warnings, Edit
details, Download, and Restore from the archive."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from staff_support import make_staff_app
from staff_support import post
from staff_support import preview_of
from staff_support import search_total
from staff_support import signed_in
from webapp_support import soup
from webapp_support import text

from indexer import publish
from indexer import store

GREEN_TOM = (b"Immune thrombocytopenia in adults: your questions answered\n"
             b"Published: March 3, 2024\n"
             b"By Tom Harris\n\n"
             b"Q: What platelet count should prompt treatment in ITP?\n"
             b"A: We treat adults with a platelet count below 30,000 or with bleeding.\n\n"
             b"Q: When do you use thrombopoietin receptor agonists?\n"
             b"A: For chronic ITP after steroids fail, eltrombopag or romiplostim.\n")
TWO = "\n".join(json.dumps(line) for line in [
    {"question": "What is CD7?", "answer": "A target.", "title": "One", "interviewee": "Dr. A"},
    {"question": "What is BCMA?", "answer": "Another.", "title": "Two", "interviewee": "Dr. B"}])
DOCX = b"PK\x03\x04" + bytes(range(256)) * 4


@pytest.fixture
def client(tmp_path):
    return signed_in(make_staff_app(tmp_path))


def add_to_corpus(root: Path, name: str, content: bytes | str) -> Path:
    """A file dropped into the corpus and indexed by an update, as the command line does."""
    path = root / "corpus" / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    store.update(root / "index", [root / "corpus"], embeddings=False)
    return path


def audit_entries(root: Path) -> list[dict]:
    path = root / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def meta_of(root: Path, name: str) -> dict | None:
    path = root / "corpus" / f"{name}.meta.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def row_of(page, name: str):
    """The status table's row of a corpus file."""
    return next(th.parent for th in page.select("table.files tbody th")
                if text(th).split(" (")[0] == name)


def edit_form(page) -> dict[str, str]:
    """What the Edit details form would send: its text fields, hidden fields and ticks."""
    form = page.select_one("form.edit-details")
    values = {i["name"]: i.get("value", "") for i in form.select("input")
              if i.get("type") in (None, "text", "hidden") and i["name"] != "csrf_token"}
    values.update({i["name"]: i["value"] for i in form.select("input[type=checkbox]")
                   if i.has_attr("checked")})
    return values


def interview_of(client, pair_id: str) -> dict:
    return client.get(f"/api/pairs/{pair_id}").get_json()["interview"]


# --- the status page: every file, with the warnings the preview gives ------------------


def test_status_lists_every_file_with_the_preview_warnings(client, tmp_path):
    unnamed = GREEN_TOM.replace(b": Dr. Rachel Green answers your questions", b"")  # no name
    add_to_corpus(tmp_path, "green-itp.txt", unnamed)
    add_to_corpus(tmp_path, "interview.docx", DOCX)
    _, staged = preview_of(client, [("green-copy.txt", unnamed + b"\n")])
    preview_warnings = [text(li) for li in staged.select("#file-1 .warnings li")]
    unnamed = next(w for w in preview_warnings if w.startswith("No interviewee found"))

    page = soup(client.get("/staff/"))
    warnings = {text(dt): [text(dd) for dd in dt.find_next_siblings("dd")]
                for dt in page.select("dl.warnings dt")}
    assert unnamed in warnings["green-itp.txt"]
    assert any(w.startswith("No date found") for w in warnings["clinic-notes.txt"])
    assert any(".docx files are not read as interviews" in w
               for w in warnings["interview.docx"])
    api = client.get("/staff/api/status").get_json()
    by_name = {f["name"]: f for f in api["files"]}
    assert unnamed in by_name["green-itp.txt"]["problems"]
    assert by_name["interview.docx"]["readable"] is False
    assert "interview.docx" in {f["name"] for f in api["warnings"]}

    row = row_of(page, "interview.docx")
    assert [text(a) for a in row.select(".row-actions a")] == ["Download", "Withdraw"]
    assert [text(a) for a in row_of(page, "green-itp.txt").select(".row-actions a")] == [
        "Edit details", "Download", "Replace", "Withdraw"]


def status_warnings(client) -> dict[str, list[str]]:
    page = soup(client.get("/staff/"))
    return {text(dt): [text(dd) for dd in dt.find_next_siblings("dd")
                       if dd.find_previous_sibling("dt") is dt]
            for dt in page.select("dl.warnings dt")}


def test_status_warns_of_duplicates_in_the_corpus_as_the_preview_does(client, tmp_path):
    """However they got there (published after the preview's warning, restored, dropped into
    the folder), two files holding one interview are told on the Status page, in the
    preview's words."""
    clinic = (tmp_path / "corpus" / "clinic-notes.txt").read_bytes()
    ward = (tmp_path / "corpus" / "ward-rounds.txt").read_bytes()
    _, staged = preview_of(client, [("ward-edited.txt", ward.replace(b"weeks", b"days"))])
    said = [text(li) for li in staged.select("#file-1 .warnings li")]
    looks_like = next(w for w in said if w.startswith("Looks like a duplicate"))
    add_to_corpus(tmp_path, "ward-edited.txt", ward.replace(b"weeks", b"days"))
    add_to_corpus(tmp_path, "clinic-copy.txt", clinic)
    warnings = status_warnings(client)
    assert looks_like in warnings["ward-edited.txt"]
    assert ("Looks like a duplicate of the published interview \u201cWard rounds with Dr. Ada "
            "Lovelace\u201d (ward-edited.txt).") in warnings["ward-rounds.txt"]
    assert "Same content as clinic-notes.txt, already in the corpus." in warnings[
        "clinic-copy.txt"]
    assert "Same content as clinic-copy.txt, already in the corpus." in warnings[
        "clinic-notes.txt"]
    assert not [w for w in warnings.get("hostile.txt", []) if "duplicate" in w or "Same" in w]
    api = {f["name"]: f for f in client.get("/staff/api/status").get_json()["warnings"]}
    assert looks_like in api["ward-edited.txt"]["problems"]


def test_many_duplicates_of_one_file_are_told_once(client, tmp_path):
    lines = [json.dumps({"question": f"What is topic {n}?", "answer": f"Topic {n} explained.",
                         "title": f"Topic {n}", "interviewee": "Dr. A"}) for n in range(12)]
    add_to_corpus(tmp_path, "topics.jsonl", "\n".join(lines))
    add_to_corpus(tmp_path, "topics-again.jsonl", "\n".join(reversed(lines)))
    told = [w for w in status_warnings(client)["topics-again.jsonl"] if "duplicate" in w]
    assert told == [
        "12 of its interviews look like duplicates of published interviews in topics.jsonl "
        "(such as \u201cTopic 0\u201d, \u201cTopic 1\u201d and \u201cTopic 10\u201d)."]


def test_a_file_the_indexer_cannot_read_can_be_withdrawn(client, tmp_path):
    add_to_corpus(tmp_path, "interview.docx", DOCX)
    confirm = soup(client.get("/staff/withdraw?file=interview.docx"))
    assert confirm.find("input", attrs={"name": "file"})["value"] == "interview.docx"
    response = post(client, "/staff/withdraw", {"file": "interview.docx"})
    page = soup(client.get(response.headers["Location"]))
    assert "Withdrew interview.docx" in text(page.select_one(".flash-ok"))
    assert not (tmp_path / "corpus" / "interview.docx").exists()
    assert [p.name.split("-", 1)[1] for p in (tmp_path / "archive").iterdir()] == [
        "interview.docx"]
    assert audit_entries(tmp_path)[-1]["outcome"] == "ok"


# --- edit details ----------------------------------------------------------------------


def test_edit_details_starts_from_what_is_indexed_and_updates_the_index(client, tmp_path):
    link = row_of(soup(client.get("/staff/")), "ward-rounds.txt").find("a", string="Edit details")
    page = soup(client.get(link["href"]))
    values = edit_form(page)
    assert values == {"file": "ward-rounds.txt", "title": "Ward rounds with Dr. Ada Lovelace",
                      "interviewee": "Dr. Ada Lovelace", "interviewer": "Sam Host",
                      "date": "2024-03-05"}
    response = post(client, "/staff/edit", {**values, "title": "Ward rounds",
                                            "date": "1 April 2024"})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    flashed = text(soup(client.get("/staff/")).select_one(".flash-ok"))
    assert "Saved the details of ward-rounds.txt" in flashed
    assert meta_of(tmp_path, "ward-rounds.txt") == {
        "source": "https://example.org/ward-rounds", "title": "Ward rounds",
        "interviewer": "Sam Host", "date": "2024-04-01"}
    interview = interview_of(client, "ward-rounds-1")
    assert (interview["title"], interview["date"]) == ("Ward rounds", "2024-04-01")
    assert store.read_manifest(tmp_path / "index")["kind"] == "update"
    entry = audit_entries(tmp_path)[-1]
    assert {k: entry[k] for k in ("staff", "action", "file", "outcome")} == {
        "staff": "alice", "action": "edit", "file": "ward-rounds.txt", "outcome": "ok"}
    assert "date \u201c2024-04-01\u201d" in entry["detail"]
    archived = [p for p in (tmp_path / "archive").iterdir()]
    assert [json.loads(p.read_text())["date"] for p in archived] == ["2024-03-05"]
    assert edit_form(soup(client.get("/staff/edit?file=ward-rounds.txt")))["title"] == \
        "Ward rounds"


def test_an_edit_the_form_cannot_take_is_refused_keeping_what_was_typed(client, tmp_path):
    before = meta_of(tmp_path, "ward-rounds.txt")
    typed = {"file": "ward-rounds.txt", "title": "Ward rounds", "interviewee": "Dr. Ada L.",
             "interviewer": "Sam Host", "date": "2024-02-30"}
    response = post(client, "/staff/edit", typed)
    assert response.status_code == 422
    page = soup(response)
    assert edit_form(page) == typed
    date = page.find("input", attrs={"name": "date"})
    assert date["aria-invalid"] == "true"
    assert ("Date of ward-rounds.txt: '2024-02-30' is not a date: February 2024 has 29 days."
            in text(page.find(id=date["aria-describedby"].split()[0])))
    assert "Nothing saved for ward-rounds.txt" in text(page.select_one("[role=alert]"))
    assert meta_of(tmp_path, "ward-rounds.txt") == before
    assert not audit_entries(tmp_path)


def test_unchanged_details_change_nothing(client, tmp_path):
    page = soup(client.get("/staff/edit?file=clinic-notes.txt"))
    response = post(client, "/staff/edit", edit_form(page))
    assert text(soup(client.get(response.headers["Location"])).select_one(".flash-ok")) == (
        "No change to the details of clinic-notes.txt: the form held the details it has.")
    assert meta_of(tmp_path, "clinic-notes.txt") is None and not audit_entries(tmp_path)


def test_a_file_of_several_interviews_takes_no_details(client, tmp_path):
    add_to_corpus(tmp_path, "two.jsonl", TWO)
    page = soup(client.get("/staff/edit?file=two.jsonl"))
    assert not page.select_one("form.edit-details")
    assert ("two.jsonl holds 2 interviews, and corrections here would be set on every one of "
            "them") in text(page.select_one(".flash-error"))
    response = post(client, "/staff/edit", {"file": "two.jsonl", "interviewee": "Dr. Z"})
    assert response.status_code == 303
    assert "holds 2 interviews" in text(soup(client.get(response.headers["Location"])))
    assert meta_of(tmp_path, "two.jsonl") is None and not audit_entries(tmp_path)


def test_a_file_without_pairs_takes_no_details(client, tmp_path):
    add_to_corpus(tmp_path, "notes.txt", "No speakers here at all.\n")
    page = soup(client.get("/staff/edit?file=notes.txt"))
    assert not page.select_one("form.edit-details")
    assert "no question/answer pairs" in text(page.select_one(".flash-error"))


# --- "none": a wrongly detected value is removed ---------------------------------------


def test_ticking_none_removes_a_wrongly_detected_interviewer(client, tmp_path):
    add_to_corpus(tmp_path, "green-itp.txt", GREEN_TOM)
    assert interview_of(client, "green-itp-1")["interviewer"] == "Tom Harris"
    values = edit_form(soup(client.get("/staff/edit?file=green-itp.txt")))
    assert values["interviewer"] == "Tom Harris" and "none_interviewer" not in values
    post(client, "/staff/edit", {**values, "none_interviewer": "1"})
    assert meta_of(tmp_path, "green-itp.txt") == {"interviewer": None}
    assert interview_of(client, "green-itp-1")["interviewer"] == ""
    pair = client.get("/api/pairs/green-itp-1").get_json()
    assert "Tom Harris" not in pair["citation"]

    values = edit_form(soup(client.get("/staff/edit?file=green-itp.txt")))
    assert values["interviewer"] == "" and values["none_interviewer"] == "1"
    del values["none_interviewer"]  # untick: the parser's value again
    post(client, "/staff/edit", values)
    assert meta_of(tmp_path, "green-itp.txt") is None
    assert interview_of(client, "green-itp-1")["interviewer"] == "Tom Harris"


def test_another_name_typed_beside_no_interviewer_is_refused(client, tmp_path):
    """Ticking "No interviewer" beside the value the form shows removes it (above); beside a
    value typed in its place, one of the two is a mistake."""
    add_to_corpus(tmp_path, "green-itp.txt", GREEN_TOM)
    values = edit_form(soup(client.get("/staff/edit?file=green-itp.txt")))
    response = post(client, "/staff/edit", {**values, "interviewer": "Tom Harrison",
                                            "none_interviewer": "1"})
    assert response.status_code == 422
    page = soup(response)
    assert "You typed \u201cTom Harrison\u201d and ticked \u201cNo interviewer or outlet\u201d" \
        in text(page.find(id="edit-interviewer-error"))
    assert meta_of(tmp_path, "green-itp.txt") is None and not audit_entries(tmp_path)


def test_none_for_a_field_the_parser_left_empty_stores_nothing(client, tmp_path):
    values = edit_form(soup(client.get("/staff/edit?file=clinic-notes.txt")))
    post(client, "/staff/edit", {**values, "none_date": "1"})
    assert meta_of(tmp_path, "clinic-notes.txt") is None


# --- download --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ward-rounds.txt", "page.html", "interview.docx"])
def test_download_gives_the_file_as_stored_never_rendered(client, tmp_path, name):
    content = {"page.html": b"<h1>Q&A</h1><script>alert(1)</script>",
               "interview.docx": DOCX}.get(name)
    path = tmp_path / "corpus" / name
    if content:
        path.write_bytes(content)
    response = client.get("/staff/download", query_string={"file": name})
    data = response.get_data()
    response.close()  # the file was streamed
    assert response.status_code == 200
    assert data == path.read_bytes()
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.mimetype == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- restore ---------------------------------------------------------------------------


def test_restore_brings_a_withdrawn_file_back_at_its_address(client, tmp_path):
    post(client, "/staff/withdraw", {"file": "ward-rounds.txt"})
    assert client.get("/interview/ward-rounds").status_code == 410  # withdrawn, not unknown
    page = soup(client.get("/staff/"))
    row = next(li for li in page.select(".archive li") if "ward-rounds.txt" in text(li))
    archived = row.find("input", attrs={"name": "file"})["value"]
    assert archived.endswith("-ward-rounds.txt") and row.find("button", string="Restore")
    response = post(client, "/staff/restore", {"file": archived})
    assert response.status_code == 303
    flashed = text(soup(client.get(response.headers["Location"])).select_one(".flash-ok"))
    assert "Restored ward-rounds.txt: its 5 question/answer pairs are searchable again" in flashed
    assert meta_of(tmp_path, "ward-rounds.txt")["interviewer"] == "Sam Host"
    assert list((tmp_path / "archive").iterdir()) == []
    assert client.get("/interview/ward-rounds").status_code == 200
    assert interview_of(client, "ward-rounds-1")["interviewer"] == "Sam Host"
    assert [(e["action"], e["outcome"]) for e in audit_entries(tmp_path)] == [
        ("withdraw", "ok"), ("restore", "ok")]
    assert not soup(client.get("/staff/")).select(".archive li")


def test_restore_refuses_when_a_file_of_that_name_is_in_the_corpus(client, tmp_path):
    post(client, "/staff/withdraw", {"file": "clinic-notes.txt"})
    archived = next((tmp_path / "archive").iterdir()).name
    add_to_corpus(tmp_path, "clinic-notes.txt", GREEN_TOM)
    page = soup(client.get("/staff/"))
    row = next(li for li in page.select(".archive li") if "clinic-notes.txt" in text(li))
    assert not row.find("button")
    assert "A file named clinic-notes.txt is in the corpus now" in text(row)
    response = post(client, "/staff/restore", {"file": archived})
    flashed = text(soup(client.get(response.headers["Location"])).select_one(".flash-error"))
    assert "A file named clinic-notes.txt is in the corpus now" in flashed
    assert (tmp_path / "corpus" / "clinic-notes.txt").read_bytes() == GREEN_TOM
    assert (tmp_path / "archive" / archived).exists()
    assert audit_entries(tmp_path)[-1]["outcome"] == "refused"


def replaced_under_a_new_name(client, tmp_path) -> str:
    """ward-rounds.txt replaced from the Status page by ward-rounds-v2.txt, which drops its
    last question and asks a new one: the archived name of the old version."""
    old = (tmp_path / "corpus" / "ward-rounds.txt").read_text(encoding="utf-8")
    dropped = old.index("Host: What would you tell a new resident?")
    new = old[:dropped] + ("Host: Which antibiotics do you start first?\n\n"
                           "Dr. Ada Lovelace: Piperacillin-tazobactam, unless the patient is "
                           "allergic.\n")
    url, _ = preview_of(client, [("ward-rounds-v2.txt", new.encode())],
                        replace="ward-rounds.txt")
    post(client, f"{url}/1", {"action": "publish"})
    [archived] = [p.name for p in (tmp_path / "archive").iterdir()
                  if p.name.endswith("-ward-rounds.txt")]
    return archived


def test_restoring_a_replaced_version_is_refused_and_offers_to_replace(client, tmp_path):
    """Restored beside the version that replaced it, the interview would be in search twice,
    the old version under a new address."""
    archived = replaced_under_a_new_name(client, tmp_path)
    before = sorted(p.name for p in (tmp_path / "archive").iterdir())
    response = post(client, "/staff/restore", {"file": archived})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/staff/restore?file=")
    page = soup(client.get(response.headers["Location"]))
    refused = text(page.select_one(".flash-error"))
    assert ("Not restored: the interview of ward-rounds.txt is served now by ward-rounds-v2.txt "
            "(/interview/ward-rounds)") in refused
    assert "replace ward-rounds-v2.txt with it" in refused
    assert not (tmp_path / "corpus" / "ward-rounds.txt").exists()
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == before
    assert search_total(client, "febrile") == 1
    assert client.get("/interview/ward-rounds-2").status_code == 404
    assert audit_entries(tmp_path)[-1]["outcome"] == "refused"

    button = page.find("button", string="Replace ward-rounds-v2.txt with this version")
    form = button.find_parent("form")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert fields["file"] == archived and fields["replace"] == "ward-rounds-v2.txt"
    response = post(client, form["action"], {k: v for k, v in fields.items()
                                             if k != "csrf_token"})
    assert flashed(client, response) == (
        "Replaced ward-rounds-v2.txt with the archived ward-rounds.txt: its 5 question/answer "
        "pairs are searchable again; ward-rounds-v2.txt is in the archive.")
    assert {"ward-rounds.txt", "ward-rounds.txt.meta.json"} <= {
        p.name for p in (tmp_path / "corpus").iterdir()}
    assert not (tmp_path / "corpus" / "ward-rounds-v2.txt").exists()
    archive = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "archive").iterdir())
    assert archive == ["ward-rounds-v2.txt", "ward-rounds-v2.txt.meta.json"]
    assert search_total(client, "febrile") == 1 and search_total(client, "piperacillin") == 0
    assert interview_of(client, "ward-rounds-5")["id"] == "ward-rounds"  # its address again
    assert client.get("/api/pairs/ward-rounds-6").status_code == 410  # v2's new question
    assert client.get("/interview/ward-rounds-2").status_code == 404
    assert [(e["action"], e["outcome"]) for e in audit_entries(tmp_path)][-2:] == [
        ("restore", "refused"), ("restore", "ok")]


def test_an_earlier_replacement_is_known_by_its_pairs(client, tmp_path):
    """ward-rounds-v2.txt, replaced in turn by ward-rounds-v3.txt, never had an address of its
    own name: its pairs tell it is the interview ward-rounds-v3.txt serves."""
    replaced_under_a_new_name(client, tmp_path)
    v2 = (tmp_path / "corpus" / "ward-rounds-v2.txt").read_bytes()
    url, _ = preview_of(client, [("ward-rounds-v3.txt", v2 + b"\nHost: Anything else?\n\n"
                                  b"Dr. Ada Lovelace: No.\n")], replace="ward-rounds-v2.txt")
    post(client, f"{url}/1", {"action": "publish"})
    [archived] = [p.name for p in (tmp_path / "archive").iterdir()
                  if p.name.endswith("-ward-rounds-v2.txt")]
    response = post(client, "/staff/restore", {"file": archived})
    refused = text(soup(client.get(response.headers["Location"])).select_one(".flash-error"))
    assert ("the interview of ward-rounds-v2.txt is served now by ward-rounds-v3.txt "
            "(/interview/ward-rounds), which holds 5 of its 5 question/answer pairs") in refused
    assert not (tmp_path / "corpus" / "ward-rounds-v2.txt").exists()


def test_a_version_whose_name_is_taken_is_offered_as_a_replacement(client, tmp_path):
    post(client, "/staff/withdraw", {"file": "clinic-notes.txt"})
    archived = next((tmp_path / "archive").iterdir()).name
    add_to_corpus(tmp_path, "clinic-notes.txt", GREEN_TOM)
    row = next(li for li in soup(client.get("/staff/")).select(".archive li")
               if "clinic-notes.txt" in text(li))
    page = soup(client.get(row.find("a", string=re.compile("replace clinic-notes.txt"))["href"]))
    form = page.find("button", string="Replace clinic-notes.txt with this version").parent
    response = post(client, form["action"], {"file": archived, "replace": "clinic-notes.txt"})
    assert "its 2 question/answer pairs are searchable again" in flashed(client, response)
    assert search_total(client, "vaccines") == 1 and search_total(client, "eltrombopag") == 0
    assert [p.name.split("-", 1)[1] for p in (tmp_path / "archive").iterdir()] == [
        "clinic-notes.txt"]
    assert (tmp_path / "archive" / archived).exists() is False


# --- a failed index update changes nothing ---------------------------------------------


def test_an_edit_or_restore_whose_index_update_fails_changes_nothing(client, tmp_path,
                                                                      monkeypatch):
    post(client, "/staff/withdraw", {"file": "clinic-notes.txt"})
    archived = sorted(p.name for p in (tmp_path / "archive").iterdir())
    meta = (tmp_path / "corpus" / "ward-rounds.txt.meta.json").read_bytes()

    def broken(*args, **kwargs):
        raise store.StoreError("simulated failure")

    monkeypatch.setattr(store, "update", broken)
    values = edit_form(soup(client.get("/staff/edit?file=ward-rounds.txt")))
    for url, data in (("/staff/edit", {**values, "date": "2024-04-01"}),
                      ("/staff/restore", {"file": archived[0]})):
        response = post(client, url, data)
        page = soup(client.get(response.headers["Location"]))
        assert "Nothing changed" in text(page.select_one(".flash-error")), url
    assert (tmp_path / "corpus" / "ward-rounds.txt.meta.json").read_bytes() == meta
    assert not (tmp_path / "corpus" / "clinic-notes.txt").exists()
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == archived
    assert [(e["action"], e["outcome"]) for e in audit_entries(tmp_path)] == [
        ("withdraw", "ok"), ("edit", "failed"), ("restore", "failed")]


# --- links in the corpus ---------------------------------------------------------------


def link_in_corpus(root: Path, name: str, target: Path) -> Path:
    """A link dropped into the corpus and indexed by an update."""
    link = root / "corpus" / name
    link.symlink_to(target)
    store.update(root / "index", [root / "corpus"], embeddings=False)
    return link


def flashed(client, response) -> str:
    page = soup(client.get(response.headers["Location"]))
    return text(page.select_one(".flash-ok") or page.select_one(".flash-error"))


def test_a_link_to_another_corpus_file_is_that_file(client, tmp_path):
    ward = tmp_path / "corpus" / "ward-rounds.txt"
    content = ward.read_bytes()
    link = link_in_corpus(tmp_path, "a-ward.txt", ward)  # the walk finds it first
    row = row_of(soup(client.get("/staff/")), "a-ward.txt")
    assert "(a link to ward-rounds.txt)" in text(row.th)
    assert [text(a) for a in row.select(".row-actions a")] == [
        "Edit details", "Download", "Replace", "Withdraw"]

    response = client.get("/staff/download", query_string={"file": "a-ward.txt"})
    data = response.get_data()
    response.close()
    assert response.status_code == 200 and data == content
    assert response.headers["Content-Disposition"] == "attachment; filename=a-ward.txt"

    # the corrections a build reads are ward-rounds.txt's own: that is where they go
    page = soup(client.get("/staff/edit?file=a-ward.txt"))
    assert ("a-ward.txt is a link to ward-rounds.txt: saving stores the corrections beside "
            "ward-rounds.txt") in text(page.select_one(".intro"))
    assert text(page.select_one(".intro code")) == "ward-rounds.txt.meta.json"
    response = post(client, "/staff/edit", {**edit_form(page), "title": "Ward rounds"})
    assert flashed(client, response).startswith("Saved the details of a-ward.txt")
    assert meta_of(tmp_path, "ward-rounds.txt")["title"] == "Ward rounds"
    assert meta_of(tmp_path, "a-ward.txt") is None
    assert interview_of(client, "ward-rounds-1")["title"] == "Ward rounds"
    store.build(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    assert interview_of(client, "ward-rounds-1")["title"] == "Ward rounds"

    # withdrawing the link moves the link; the file it leads to stays, and stays searchable
    response = post(client, "/staff/withdraw", {"file": "a-ward.txt"})
    assert flashed(client, response) == (
        "Withdrew the link a-ward.txt (to ward-rounds.txt); the link is in the archive. "
        "ward-rounds.txt is untouched; its 5 question/answer pairs are still searchable.")
    assert not link.is_symlink() and ward.read_bytes() == content
    [archived] = [p for p in (tmp_path / "archive").iterdir() if ".link-" in p.name]
    assert archived.name.endswith(".link-a-ward.txt")  # the link's record, not a link
    assert not archived.is_symlink()
    assert search_total(client, "neutropenia") == 1
    assert audit_entries(tmp_path)[-1]["outcome"] == "ok"


def test_a_link_out_of_the_corpus_is_corrected_beside_it_but_never_downloaded(client,
                                                                             tmp_path):
    target = night_shift_outside(tmp_path)
    link = link_in_corpus(tmp_path, "night.txt", target)
    row = row_of(soup(client.get("/staff/")), "night.txt")
    assert "(a link to a file outside the corpus folder)" in text(row.th)
    assert [text(a) for a in row.select(".row-actions a")] == [
        "Edit details", "Replace", "Withdraw"]

    response = client.get("/staff/download", query_string={"file": "night.txt"})
    assert response.status_code == 404 and b"covers nights" not in response.data
    assert ("night.txt is a link to a file outside the corpus folder: only files in the "
            "corpus folder are downloaded.") in text(soup(response))

    # a build reads its corrections beside the link, in the corpus
    page = soup(client.get("/staff/edit?file=night.txt"))
    assert ("night.txt is a link to a file outside the corpus folder: saving stores the "
            "corrections beside the link") in text(page.select_one(".intro"))
    assert text(page.select_one(".intro code")) == "night.txt.meta.json"
    assert not page.find("a", string=re.compile("Download"))
    post(client, "/staff/edit", {**edit_form(page), "interviewee": "Dr. Nora Night"})
    assert meta_of(tmp_path, "night.txt") == {"interviewee": "Dr. Nora Night"}
    assert sorted(p.name for p in target.parent.iterdir()) == ["night.txt"]
    assert interview_of(client, "night-1")["interviewee"] == "Dr. Nora Night"
    store.build(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    assert interview_of(client, "night-1")["interviewee"] == "Dr. Nora Night"

    content = target.read_bytes()
    response = post(client, "/staff/withdraw", {"file": "night.txt"})
    assert flashed(client, response) == (
        "Withdrew the link night.txt (to a file outside the corpus folder); the link is in the "
        "archive. The file it leads to is untouched; its 1 question/answer pair is no longer "
        "searchable.")
    assert not link.is_symlink() and target.read_bytes() == content
    assert sorted(p.name for p in target.parent.iterdir()) == ["night.txt"]
    assert search_total(client, "nights") == 0
    archived = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "archive").iterdir())
    assert archived == ["night.txt", "night.txt.meta.json"]


def test_a_broken_link_is_listed_and_can_only_be_withdrawn(client, tmp_path):
    link = tmp_path / "corpus" / "gone.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    page = soup(client.get("/staff/"))
    row = row_of(page, "gone.txt")
    assert [text(a) for a in row.select(".row-actions a")] == ["Withdraw"]
    warning = next(dt.find_next_sibling("dd") for dt in page.select("dl.warnings dt")
                   if text(dt) == "gone.txt")
    assert text(warning) == (
        "A link to a file that does not exist: withdraw it to move the link to the archive.")
    response = client.get("/staff/download", query_string={"file": "gone.txt"})
    assert response.status_code == 404
    assert "gone.txt is a link to a file that does not exist." in text(soup(response))
    assert client.get("/staff/edit", query_string={"file": "gone.txt"}).status_code == 404
    confirm = soup(client.get("/staff/withdraw?file=gone.txt"))
    assert confirm.find("input", attrs={"name": "file"})["value"] == "gone.txt"
    assert text(confirm.select_one("section p")) == (
        "gone.txt is a link to a file that does not exist. The link moves to the archive "
        "folder; the file it leads to is not touched. The index holds no pairs of it.")
    response = post(client, "/staff/withdraw", {"file": "gone.txt"})
    assert flashed(client, response) == (
        "Withdrew the link gone.txt (to a file that does not exist); the link is in the "
        "archive.")
    assert not link.is_symlink() and not (tmp_path / "nowhere.txt").exists()
    row = archive_row(soup(client.get("/staff/")), "gone.txt")
    assert not row.find("button") and (
        "gone.txt was a link to a file outside the corpus folder that is gone: the link cannot "
        "be restored unless that file is back.") in text(row)


def archive_row(page, name: str):
    """The archive list's entry of a withdrawn corpus file (the newest of that name)."""
    return next(li for li in page.select(".archive li") if text(li.strong) == name)


def restore_button_of(client, name: str) -> str:
    """The archived name the Restore button of `name` sends (it must have one)."""
    row = archive_row(soup(client.get("/staff/")), name)
    assert row.find("button", string="Restore"), text(row)
    return row.find("input", attrs={"name": "file"})["value"]


def test_a_withdrawn_link_is_restored_as_the_link(client, tmp_path):
    ward = tmp_path / "corpus" / "ward-rounds.txt"
    content = ward.read_bytes()
    link = tmp_path / "corpus" / "a-ward.txt"
    link.symlink_to("ward-rounds.txt")  # relative, as `ln -s` makes it in the folder
    store.update(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    post(client, "/staff/withdraw", {"file": "a-ward.txt"})
    assert not link.is_symlink()

    row = archive_row(soup(client.get("/staff/")), "a-ward.txt")
    assert "(a link to ward-rounds.txt)" in text(row)
    archived = restore_button_of(client, "a-ward.txt")
    response = post(client, "/staff/restore", {"file": archived})
    assert flashed(client, response) == (
        "Restored the link a-ward.txt (to ward-rounds.txt): its 5 question/answer pairs are "
        "searchable.")
    assert link.is_symlink() and os.readlink(link) == "ward-rounds.txt"
    assert ward.read_bytes() == content and not ward.is_symlink()
    assert list((tmp_path / "archive").iterdir()) == []
    assert "(a link to ward-rounds.txt)" in text(row_of(soup(client.get("/staff/")),
                                                        "a-ward.txt").th)
    assert search_total(client, "neutropenia") == 1
    assert [(e["action"], e["outcome"]) for e in audit_entries(tmp_path)] == [
        ("withdraw", "ok"), ("restore", "ok")]


def test_a_withdrawn_link_out_of_the_corpus_comes_back_with_its_corrections(client,
                                                                           tmp_path):
    target = night_shift_outside(tmp_path)
    content = target.read_bytes()
    link = link_in_corpus(tmp_path, "night.txt", target)
    page = soup(client.get("/staff/edit?file=night.txt"))
    post(client, "/staff/edit", {**edit_form(page), "interviewee": "Dr. Nora Night"})
    post(client, "/staff/withdraw", {"file": "night.txt"})
    assert search_total(client, "nights") == 0

    response = post(client, "/staff/restore", {"file": restore_button_of(client, "night.txt")})
    assert flashed(client, response) == (
        "Restored the link night.txt (to a file outside the corpus folder): its 1 "
        "question/answer pair is searchable.")
    assert os.readlink(link) == str(target)
    assert meta_of(tmp_path, "night.txt") == {"interviewee": "Dr. Nora Night"}
    assert target.read_bytes() == content and sorted(target.parent.iterdir()) == [target]
    assert search_total(client, "nights") == 1
    assert interview_of(client, "night-1")["interviewee"] == "Dr. Nora Night"


def test_a_withdrawn_link_whose_file_is_gone_says_so_and_stays_archived(client, tmp_path):
    link = tmp_path / "corpus" / "a-ward.txt"
    link.symlink_to("ward-rounds.txt")
    store.update(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    post(client, "/staff/withdraw", {"file": "a-ward.txt"})
    post(client, "/staff/withdraw", {"file": "ward-rounds.txt"})
    gone = ("a-ward.txt was a link to ward-rounds.txt, which is not in the corpus now: "
            "restore ward-rounds.txt first, then the link.")
    row = archive_row(soup(client.get("/staff/")), "a-ward.txt")
    assert gone in text(row) and not row.find("button")
    archived = sorted(p.name for p in (tmp_path / "archive").iterdir())
    link_record = next(name for name in archived if "a-ward.txt" in name)
    response = post(client, "/staff/restore", {"file": link_record})
    assert flashed(client, response) == gone
    assert not link.is_symlink()
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == archived
    assert audit_entries(tmp_path)[-1]["outcome"] == "refused"

    # once the file is back, so is the link
    post(client, "/staff/restore", {"file": restore_button_of(client, "ward-rounds.txt")})
    response = post(client, "/staff/restore", {"file": restore_button_of(client, "a-ward.txt")})
    assert flashed(client, response).startswith("Restored the link a-ward.txt")
    assert os.readlink(link) == "ward-rounds.txt"


def test_a_link_in_a_subfolder_is_restored_leading_to_the_same_file(client, tmp_path):
    (tmp_path / "corpus" / "sub").mkdir()
    link = tmp_path / "corpus" / "sub" / "see-ward.txt"
    link.symlink_to("../ward-rounds.txt")
    store.update(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    post(client, "/staff/withdraw", {"file": "sub/see-ward.txt"})
    response = post(client, "/staff/restore",
                    {"file": restore_button_of(client, "see-ward.txt")})
    assert flashed(client, response).startswith(
        "Restored the link see-ward.txt (to ward-rounds.txt)")
    restored = tmp_path / "corpus" / "see-ward.txt"  # restores go to the corpus folder
    assert os.readlink(restored) == "ward-rounds.txt"


def test_a_link_whose_index_update_fails_is_left_as_it_was(client, tmp_path, monkeypatch):
    link = tmp_path / "corpus" / "a-ward.txt"
    link.symlink_to("ward-rounds.txt")
    store.update(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    update = store.update

    def broken(*args, **kwargs):
        raise store.StoreError("simulated failure")

    monkeypatch.setattr(store, "update", broken)
    response = post(client, "/staff/withdraw", {"file": "a-ward.txt"})
    assert "Nothing changed" in flashed(client, response)
    assert os.readlink(link) == "ward-rounds.txt"
    assert not (tmp_path / "archive").exists() or not list((tmp_path / "archive").iterdir())

    monkeypatch.setattr(store, "update", update)
    post(client, "/staff/withdraw", {"file": "a-ward.txt"})
    archived = sorted(p.name for p in (tmp_path / "archive").iterdir())
    monkeypatch.setattr(store, "update", broken)
    response = post(client, "/staff/restore", {"file": restore_button_of(client, "a-ward.txt")})
    assert "Nothing changed" in flashed(client, response)
    assert not link.is_symlink()
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == archived


def test_the_status_page_walks_the_corpus_once_and_a_confirmation_only_for_a_link(
        client, tmp_path, monkeypatch):
    for n in range(3):
        (tmp_path / "corpus" / f"see-ward-{n}.txt").symlink_to("ward-rounds.txt")
    walks = []
    walk = publish.walk
    monkeypatch.setattr(publish, "walk", lambda folder: walks.append(folder) or walk(folder))
    page = soup(client.get("/staff/"))
    assert len(walks) == 1
    assert "(a link to ward-rounds.txt)" in text(row_of(page, "see-ward-2.txt").th)
    walks.clear()
    confirm = soup(client.get("/staff/withdraw?file=clinic-notes.txt"))
    assert "Its 2 question/answer pairs (1 interview) leave the search" in text(confirm)
    assert walks == []
    confirm = soup(client.get("/staff/withdraw?file=see-ward-0.txt"))
    assert "its pairs stay searchable through it" in text(confirm) and len(walks) == 1


def night_shift_outside(tmp_path):
    """An interview file outside the corpus folder, for links that lead out of it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "night.txt"
    target.write_bytes(b"Night shift\n\nQ: Who covers nights in hematology?\n\n"
                       b"A: A hematology fellow covers nights.\n")
    return target
