"""Staff corrections in the preview: what is typed survives a refusal, and a replacement keeps
the corrections made to the file it replaces."""

from __future__ import annotations

import json

import pytest
from staff_support import act
from staff_support import corpus_names
from staff_support import make_staff_app
from staff_support import page_interviews
from staff_support import post
from staff_support import preview_of
from staff_support import signed_in
from webapp_support import soup
from webapp_support import text

GREEN = (b"Immune thrombocytopenia in adults: your questions answered\n"
         b"Published: March 3, 2024\n\n"
         b"Q: What platelet count should prompt treatment in ITP?\n"
         b"A: We treat adults with a platelet count below 30,000 or with bleeding.\n\n"
         b"Q: When do you use thrombopoietin receptor agonists?\n"
         b"A: For chronic ITP after steroids fail, eltrombopag or romiplostim.\n")
GREEN_V2 = GREEN + (b"\nQ: How do you confirm the diagnosis of ITP?\n"
                    b"A: ITP is a diagnosis of exclusion: we review the blood film.\n")
KEPT = ("Corrections kept from the replaced file green-itp.txt: interviewee "
        "\u201cDr. Rachel Green\u201d")


@pytest.fixture
def client(tmp_path):
    return signed_in(make_staff_app(tmp_path))


def form(page, n: int = 1, **changes: str) -> dict[str, str]:
    """The correction fields of file `n` as a browser sends them (a checkbox when ticked),
    with `changes` typed."""
    section = page.select_one(f"#file-{n}")
    values = {i["name"]: i.get("value", "") for i in section.select(".field input")
              if i.get("type") != "checkbox" or i.has_attr("checked")}
    return {**values, **changes}


def publish_green(client) -> None:
    """green-itp.txt published with the interviewee its text does not name, as staff do."""
    url, page = preview_of(client, [("green-itp.txt", GREEN)])
    assert "No interviewee found" in text(page.select_one(".warnings"))
    page = act(client, url, action="save", **form(page, interviewee="Dr. Rachel Green"))
    act(client, url, action="publish", **form(page))


def published_meta(root, name: str) -> dict:
    return json.loads((root / "corpus" / f"{name}.meta.json").read_text(encoding="utf-8"))


# --- a replacement keeps the corrections -----------------------------------------------


@pytest.mark.parametrize(("name", "fields"), [("green-itp-v2.txt", {"replace": "green-itp.txt"}),
                                              ("green-itp.txt", {})])
def test_a_replacement_keeps_the_corrections_of_the_file_it_replaces(client, tmp_path, name,
                                                                     fields):
    """Replaced from the Status page (under a new name) or by ticking Replace (same name)."""
    publish_green(client)
    assert published_meta(tmp_path, "green-itp.txt") == {"interviewee": "Dr. Rachel Green"}
    url, page = preview_of(client, [(name, GREEN_V2)], **fields)
    section = page.select_one("#file-1")
    assert KEPT in text(section.select_one(".kept"))
    assert "clear or change its field" in text(section.select_one(".kept"))
    assert form(page)["interviewee"] == "Dr. Rachel Green"
    assert text(section.select_one(".field-interviewee")) == "Dr. Rachel Green"
    assert "No interviewee found" not in text(section)

    page = act(client, url, action="publish", **form(page), replace="1")
    assert "3 question/answer pairs are searchable now" in text(page.select_one(".flash-ok"))
    assert "green-itp.txt" not in corpus_names(tmp_path) or name == "green-itp.txt"
    assert published_meta(tmp_path, name) == {"interviewee": "Dr. Rachel Green"}
    pair = client.get("/api/pairs/green-itp-3").get_json()
    assert pair["interview"]["interviewee"] == "Dr. Rachel Green"
    assert pair["citation"].startswith("Dr. Rachel Green.")


def test_a_kept_correction_is_dropped_by_clearing_its_field(client, tmp_path):
    publish_green(client)
    url, page = preview_of(client, [("green-itp.txt", GREEN_V2)])
    page = act(client, url, action="save", **form(page, interviewee=""))
    section = page.select_one("#file-1")
    assert not section.select_one(".kept")
    assert text(section.select_one(".field-interviewee")) == "\u2013"
    assert "No interviewee found" in text(section.select_one(".warnings"))
    act(client, url, action="publish", **form(page), replace="1")
    assert "green-itp.txt.meta.json" not in corpus_names(tmp_path)
    archived = [p for p in (tmp_path / "archive").iterdir() if p.name.endswith(".meta.json")]
    assert [json.loads(p.read_text())["interviewee"] for p in archived] == ["Dr. Rachel Green"]


def test_a_kept_correction_changed_is_the_new_one(client, tmp_path):
    publish_green(client)
    url, page = preview_of(client, [("green-itp.txt", GREEN_V2)])
    page = act(client, url, action="save", **form(page, interviewee="Dr. R. Green"))
    assert not page.select_one("#file-1 .kept")
    act(client, url, action="publish", **form(page), replace="1")
    assert published_meta(tmp_path, "green-itp.txt") == {"interviewee": "Dr. R. Green"}


def test_corrections_the_form_does_not_show_are_kept_through_saving(client, tmp_path):
    """ward-rounds.txt.meta.json also sets the source, which the form has no field for."""
    before = published_meta(tmp_path, "ward-rounds.txt")
    url, page = preview_of(client, [("ward-rounds.txt", (tmp_path / "corpus" /
                                                         "ward-rounds.txt").read_bytes()
                                     + b"\nHost: Anything else?\n\nDr. Ada Lovelace: No.\n")])
    kept = text(page.select_one("#file-1 .kept"))
    assert "date \u201c2024-03-05\u201d" in kept and "interviewer \u201cSam Host\u201d" in kept
    assert "source \u201chttps://example.org/ward-rounds\u201d" in kept
    page = act(client, url, action="save", **form(page, title="Ward rounds, revised"))
    act(client, url, action="publish", **form(page), replace="1")
    assert published_meta(tmp_path, "ward-rounds.txt") == {**before,
                                                           "title": "Ward rounds, revised"}


def test_corrections_a_file_of_several_interviews_cannot_take_are_said_to_go(client, tmp_path):
    publish_green(client)
    lines = [{"question": "Q1?", "answer": "A1.", "title": "One"},
             {"question": "Q2?", "answer": "A2.", "title": "Two"}]
    data = "\n".join(map(json.dumps, lines)).encode()
    _, page = preview_of(client, [("green.jsonl", data)], replace="green-itp.txt")
    note = text(page.select_one("#file-1 .kept"))
    assert ("The corrections of green-itp.txt (interviewee \u201cDr. Rachel Green\u201d) are "
            "not kept: this file holds 2 interviews") in note


# --- a refused correction keeps what was typed -----------------------------------------


def test_a_refused_date_keeps_what_was_typed_and_says_why_beside_the_field(client):
    url, page = preview_of(client, [("named.txt", GREEN), ("green-itp.txt", GREEN)])
    typed = form(page, 2, interviewee="Dr. Rachel Green", date="2024-02-30", action="save")
    response = post(client, f"{url}/2", typed)
    assert response.status_code == 422
    page = soup(response)
    section = page.select_one("#file-2")
    assert section.find("form")["action"].endswith("#file-2")  # the browser lands here
    assert {k: v for k, v in form(page, 2).items()} == {k: typed[k] for k in form(page, 2)}
    date = section.find("input", attrs={"name": "date"})
    assert date["aria-invalid"] == "true"
    described = " ".join(text(page.find(id=i)) for i in date["aria-describedby"].split())
    assert "Date of green-itp.txt: '2024-02-30' is not a date: February 2024 has 29 days." \
        in described
    assert "YYYY-MM-DD" not in described
    assert "Nothing saved for green-itp.txt" in text(section.select_one("[role=alert]"))
    for other in ("title", "interviewee"):
        assert not section.find("input", attrs={"name": other}).get("aria-invalid")
    assert not page.select_one("#file-1 [aria-invalid]")
    assert page_interviews(client, url, 2)[0]["interviewee"] == ""


@pytest.mark.parametrize(("typed", "why"), [
    ("05/01/2024", "'05/01/2024' could be 2024-05-01 or 2024-01-05: write the one meant"),
    ("2024-13-01", "'2024-13-01' is not a date: there is no month 13"),
    ("31 April 2024", "'31 April 2024' is not a date: April has 30 days"),
    ("March 2024", "Could not read the date 'March 2024': write it as YYYY-MM-DD (a date "
                   "without a day is not stored)"),
])
def test_a_date_the_form_cannot_take_is_refused_with_the_reason(client, tmp_path, typed, why):
    url, page = preview_of(client, [("green-itp.txt", GREEN)])
    response = post(client, f"{url}/1", form(page, date=typed, action="publish"))
    assert response.status_code == 422
    page = soup(response)
    assert why in text(page.find(id="f1-date-error"))
    assert "green-itp.txt" not in corpus_names(tmp_path)


def test_the_date_field_reads_dates_as_a_meta_json_does(client):
    """The README's "5 March 2023" in a NAME.meta.json is taken in the form too (one parser)."""
    url, page = preview_of(client, [("green-itp.txt", GREEN)])
    page = act(client, url, action="save", **form(page, date="5 March 2023"))
    assert text(page.select_one(".field-date")) == "2023-03-05"
    assert form(page)["date"] == "2023-03-05"


def test_a_refused_correction_keeps_the_replace_tick(client):
    url, page = preview_of(client, [("clinic-notes.txt", GREEN)])
    response = post(client, f"{url}/1", form(page, date="2024-02-30", action="publish",
                                             replace="1"))
    assert response.status_code == 422
    assert soup(response).find("input", attrs={"name": "replace"}).has_attr("checked")


# --- "none" removes what the parser found ----------------------------------------------


def test_ticking_none_in_the_preview_publishes_no_interviewer(client, tmp_path):
    """green-itp.txt's byline "By Tom Harris" is read as the interviewer; staff know better."""
    tom = GREEN.replace(b"Published: March 3, 2024\n", b"Published: March 3, 2024\nBy Tom Harris\n")
    url, page = preview_of(client, [("green-itp.txt", tom)])
    assert text(page.select_one(".field-interviewer")) == "Tom Harris"
    tick = page.select_one("#file-1").find("input", attrs={"name": "none_interviewer"})
    assert tick["type"] == "checkbox" and page.find("label", attrs={"for": tick["id"]})
    page = act(client, url, action="save", **form(page), none_interviewer="1")
    assert text(page.select_one(".field-interviewer")) == "\u2013"
    assert page.select_one("#file-1").find("input", attrs={"name": "none_interviewer"}) \
        .has_attr("checked")
    act(client, url, action="publish", **form(page))  # the box stays ticked
    assert published_meta(tmp_path, "green-itp.txt") == {"interviewer": None}
    assert client.get("/api/pairs/green-itp-1").get_json()["interview"]["interviewer"] == ""


def test_a_name_typed_beside_no_interviewee_is_refused_naming_the_field(client, tmp_path):
    """Both say something: the typed name and the ticked box; saving one silently loses the
    other (the name was dropped)."""
    url, page = preview_of(client, [("green-itp.txt", GREEN)])
    typed = form(page, interviewee="Dr. Rachel Green", none_interviewee="1", action="save")
    response = post(client, f"{url}/1", typed)
    assert response.status_code == 422
    page = soup(response)
    field = page.find("input", attrs={"name": "interviewee"})
    assert field["aria-invalid"] == "true" and field["value"] == "Dr. Rachel Green"
    assert ("Interviewee of green-itp.txt: You typed \u201cDr. Rachel Green\u201d and ticked "
            "\u201cNo interviewee\u201d: clear the field for no interviewee, or untick the box to "
            "keep the name.") == text(page.find(id="f1-interviewee-error"))
    assert page.find("input", attrs={"name": "none_interviewee"}).has_attr("checked")
    assert "Nothing saved for green-itp.txt: correct the interviewee" in text(
        page.select_one("#file-1 [role=alert]"))
    assert page_interviews(client, url)[0]["interviewee"] == ""
    response = post(client, f"{url}/1", {**typed, "action": "publish"})
    assert response.status_code == 422 and "green-itp.txt" not in corpus_names(tmp_path)


def test_none_kept_from_a_replaced_file_is_listed_and_kept(client, tmp_path):
    tom = GREEN.replace(b"Published: March 3, 2024\n", b"Published: March 3, 2024\nBy Tom Harris\n")
    url, page = preview_of(client, [("green-itp.txt", tom)])
    page = act(client, url, action="save", **form(page), none_interviewer="1")
    act(client, url, action="publish", **form(page))  # the box stays ticked
    url, page = preview_of(client, [("green-itp.txt", tom + b"\n")])
    assert "no interviewer" in text(page.select_one("#file-1 .kept"))
    assert page.select_one("#file-1").find("input", attrs={"name": "none_interviewer"}) \
        .has_attr("checked")
    act(client, url, action="publish", **form(page), replace="1")
    assert published_meta(tmp_path, "green-itp.txt") == {"interviewer": None}
