"""The web app's pages, configuration and error handling, over real tiny indexes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO
from conftest import write_interview
from flask import Flask
from webapp_support import WARD
from webapp_support import build_small_index
from webapp_support import make_app
from webapp_support import soup
from webapp_support import text

import webapp
from indexer import prefix
from indexer import store
from indexer.search import SearchIndex
from webapp.presenters import nice_date
from webapp.presenters import passage_url


@pytest.fixture
def small_index_dir(tmp_path) -> Path:
    return build_small_index(tmp_path)


@pytest.fixture
def client(small_index_dir):
    return make_app(small_index_dir).test_client()


@pytest.fixture
def seed_client(seed_index_dir):
    return make_app(seed_index_dir).test_client()


def hit_ids(page) -> list[str]:
    """The pairs listed as results (not those offered as closest when nothing matches)."""
    return [a["href"].split("?")[0].rsplit("/", 1)[1]
            for a in page.select("section.results > ol.hits .hit-question a")]


# --- configuration ---------------------------------------------------------------------


def test_defaults_and_one_search_index(small_index_dir):
    defaults = {s.name: s.default for s in webapp.SETTINGS}
    assert defaults["PER_PAGE"] == 10 and defaults["MAX_PER_PAGE"] == 50
    app = make_app(small_index_dir)
    index = app.extensions["qa_index"]
    assert isinstance(index, SearchIndex)
    client = app.test_client()
    client.get("/?q=patients")
    snapshot = index.snapshot()
    client.get("/?q=vaccines")
    assert app.extensions["qa_index"] is index and index.snapshot() is snapshot


def test_default_index_dir_is_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("QA_INDEX_DIR", raising=False)
    app = webapp.create_app()
    assert Path(app.config["INDEX_DIR"]) == Path(app.instance_path) / "index"


def test_instance_config_file_then_environment(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("PER_PAGE = 3\nMAX_PER_PAGE = 20\n")
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path))
    monkeypatch.delenv("QA_MAX_PER_PAGE", raising=False)
    monkeypatch.setenv("QA_PER_PAGE", "4")
    app = webapp.create_app()
    assert app.config["MAX_PER_PAGE"] == 20 and app.config["PER_PAGE"] == 4
    assert app.config["INDEX_DIR"] == str(tmp_path / "index")


def test_environment_then_config_dict(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("QA_PER_PAGE", "5")
    app = webapp.create_app()
    assert app.config["INDEX_DIR"] == str(tmp_path / "from-env")
    assert app.config["PER_PAGE"] == 5
    app = webapp.create_app({"PER_PAGE": 7})
    assert app.config["PER_PAGE"] == 7


def test_text_settings_from_the_environment_stay_text(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_SECRET_KEY", "1234567890123456")  # JSON would read a number
    monkeypatch.setenv("QA_CORPUS_DIR", "2024")
    app = make_app(tmp_path)
    assert app.config["SECRET_KEY"] == "1234567890123456"
    assert app.config["CORPUS_DIR"] == "2024"
    assert app.test_client().get("/staff/signin").status_code == 200


@pytest.mark.parametrize("proxies, cited", [(0, "http://search.example.org/pair/clinic-notes-1"),
                                             (1, "https://search.example.org/pair/"
                                                 "clinic-notes-1")])
def test_links_follow_the_scheme_of_configured_proxies(small_index_dir, proxies, cited):
    client = make_app(small_index_dir, PROXIES=proxies).test_client()
    forwarded = {"Host": "search.example.org", "X-Forwarded-For": "203.0.113.9",
                 "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
                 "X-Forwarded-Prefix": "/evil"}  # host and prefix are never taken from headers
    page = soup(client.get("/pair/clinic-notes-1", headers=forwarded))
    assert f" {cited}. Accessed " in page.select_one(".citation").get_text()


@pytest.mark.parametrize("config", [{"PER_PAGE": 0}, {"PER_PAGE": 60}, {"MAX_PER_PAGE": "x"},
                                    {"SEARCH_CACHE": -1}, {"SEARCH_CACHE": "big"},
                                    {"PROXIES": -1}, {"PROXIES": True}])
def test_bad_settings_are_refused(tmp_path, config):
    with pytest.raises(ValueError):
        make_app(tmp_path, **config)


def test_every_setting_has_help():
    for setting in webapp.SETTINGS:
        assert setting.name.isupper() and setting.help


@pytest.mark.parametrize("setting", [s.name for s in webapp.SETTINGS])
def test_readme_documents_every_setting(setting):
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    assert setting in readme.read_text(encoding="utf-8")


# --- search page -----------------------------------------------------------------------


def test_empty_state_explains_and_offers_examples(client):
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    examples = [a.get_text() for a in page.select(".examples a")]
    assert examples == ["CD7 CAR-T", "BCMA", "What is the role of CD7 CAR-T in T-cell ALL?"]
    assert page.select_one(".examples a")["href"] == "/?q=CD7+CAR-T"
    assert "9 questions from 3 interviews" in text(page)
    assert page.select_one(".intro a[href='/interviews']").get_text() == "3 interviews"


def test_page_is_accessible_and_responsive(client):
    page = soup(client.get("/?q=patients"))
    assert page.html["lang"] == "en"
    assert page.find("meta", attrs={"name": "viewport"})
    field = page.find("input", attrs={"name": "q"})
    assert page.find("label", attrs={"for": field["id"]})
    assert page.find("header") and page.find("main", id="main") and page.find("nav")
    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main"
    stylesheet = page.find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/static/")


def test_results_show_highlighted_question_answer_and_source(seed_client):
    response = seed_client.get("/?q=BCMA")
    page = soup(response)
    assert page.find("input", attrs={"name": "q"})["value"] == "BCMA"
    hits = page.select(".hit")
    assert hits
    first = hits[0]
    assert "BCMA" in [m.get_text() for m in page.select(".hit-answer mark")]
    assert first.select_one(".hit-question a")["href"].startswith("/pair/")
    assert first.select_one(".hit-question a")["href"].endswith("?q=BCMA")
    meta = first.select_one(".hit-meta").get_text(" ", strip=True)
    assert "Dr. He Huang" in meta and "He Huang Cellular Immunotherapy" in meta
    count = page.select_one(".results-count").get_text(" ", strip=True)
    assert re.match(r"\d+ results? for “BCMA”", count)
    assert re.search(r"Search took \d+ ms", page.select_one(".took").get_text())


def test_result_shows_date_and_question_marks(client):
    page = soup(client.get("/?q=neutropenia"))
    hit = page.select_one(".hit")
    assert hit.select_one(".hit-question mark").get_text().lower() == "neutropenia"
    assert hit.find("time")["datetime"] == "2024-03-05"
    assert "5 March 2024" in hit.get_text()


def test_match_only_in_question_still_shows_answer_start(client):
    page = soup(client.get("/?q=resident"))
    assert hit_ids(page) == ["ward-rounds-5"]
    assert page.select_one(".hit-answer").get_text().startswith("Listen to patients first")


@pytest.mark.parametrize("query", [
    "What is CAR-T?", "CAR-T!", "(CAR-T)", '"CAR-T', "CAR-T: ?", "when do you refer -- CAR-T??",
    "AND OR NOT CAR-T", "CAR-T)) ((", "title: CAR-T", "+CAR-T -", "*CAR-T*", "CAR-T^2 ~",
])
def test_questions_and_punctuation_never_error(client, query):
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200
    assert "ward-rounds-2" in hit_ids(soup(response))


@pytest.mark.parametrize("query", ["?", "!!", "-", '"', "()", ":", "AND", "what is?", "*"])
def test_only_punctuation_or_question_words(client, query):
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200


def test_seed_question_finds_the_car_t_pair(seed_client):
    page = soup(seed_client.get("/", query_string={"q": "What is CAR-T?"}))
    assert hit_ids(page)
    assert "CAR-T" in [m.get_text() for m in page.select(".hit-answer mark")]


def test_overlong_query_gets_a_visible_message(client):
    response = client.get("/", query_string={"q": "a" * 1001})
    assert response.status_code == 400
    message = soup(response).select_one(".error-message").get_text()
    assert "The query is 1001 characters long; the limit is 1000" in message
    assert client.get("/", query_string={"q": "a " * 500}).status_code == 200


def test_no_results_state(client):
    page = soup(client.get("/?q=zebrafish"))
    assert not page.select(".hit")
    assert "No answers match your search" in page.select_one(".empty").get_text()


@pytest.mark.parametrize("typo, fixed", [("lymphona", "lymphoma"), ("leukemea", "leukemia")])
def test_did_you_mean(seed_client, typo, fixed):
    page = soup(seed_client.get(f"/?q={typo}"))
    link = page.select_one(".suggestion a")
    assert link.get_text() == fixed and link["href"] == f"/?q={fixed}"
    assert soup(seed_client.get(link["href"])).select(".hit")


def test_expansions_can_be_turned_off_and_on(seed_client):
    page = soup(seed_client.get("/?q=CAR-T"))
    shown = page.select_one(".expansions")
    assert shown.get_text().startswith("Also searched:")
    off = shown.find("a")["href"]
    assert "expand=0" in off
    page = soup(seed_client.get(off))
    assert page.find("input", attrs={"name": "expand"})["value"] == "0"
    on = page.select_one(".expansions a")["href"]
    assert "expand" not in on and "Also searched" in soup(seed_client.get(on)).get_text()


def test_page_says_how_the_words_were_searched(seed_client):
    page = soup(seed_client.get("/?q=What+is+the+role+of+CD7+CAR-T+in+T-cell+all%3F"))
    reading = {div.dt.get_text(): " ".join(div.dd.get_text().split())
               for div in page.select(".reading dl > div")}
    assert reading["Exactly as written"].startswith("CD7, CAR-T (also CAR T)")
    assert reading["In any form"].startswith("role, T-cell (also T cell)")
    assert reading["Not searched"] == ("is, the, of, in, all (common words); "
                                       "What (question word)")
    hint = page.select_one(".hint a")
    assert hint.get_text() == "ALL" and "acute lymphoblastic leukemia" in hint.parent.get_text()
    assert soup(seed_client.get(hint["href"])).select_one("#q")["value"].endswith("T-cell ALL?")
    assert not soup(seed_client.get("/?q=CD7+ALL")).select(".hint")
    assert not page.select_one(".reading").has_attr("open")  # folded away when results show
    nothing = soup(seed_client.get("/?q=what+is+it")).select_one(".reading")
    assert nothing.has_attr("open")
    assert "is, it (common words)" in " ".join(nothing.get_text().split())


def test_pagination(client):
    first = soup(client.get("/?q=patients&per_page=2"))
    assert len(first.select(".hit")) == 2
    assert "page 1 of 3" in first.select_one(".took").get_text()
    nav = first.find("nav", attrs={"aria-label": "Result pages"})
    assert nav.find("a", rel="next")["href"] == "/?q=patients&per_page=2&page=2"
    last = soup(client.get("/?q=patients&per_page=2&page=3"))
    assert len(last.select(".hit")) == 2 and not last.find("a", rel="next")
    assert last.find("a", rel="prev")
    everything = hit_ids(first) + hit_ids(soup(client.get("/?q=patients&per_page=2&page=2")))
    assert len(set(everything + hit_ids(last))) == 6


def test_newest_first_puts_dated_interviews_first_and_keeps_the_choice(client):
    best = soup(client.get("/?q=patients+after+transplant&per_page=3"))
    assert hit_ids(best)[0] == "clinic-notes-1"  # undated, the best match
    sort = best.select_one(".sort")
    assert sort.select_one("[aria-current]").get_text() == "best match"
    link = sort.find("a", string="newest first")["href"]
    assert link == "/?q=patients+after+transplant&per_page=3&sort=newest"
    newest = soup(client.get(link))
    assert len(hit_ids(newest)) == 3  # the dated interview's pairs first
    assert all(pair.startswith("ward-rounds-") for pair in hit_ids(newest))
    assert newest.select_one(".sort [aria-current]").get_text() == "newest first"
    assert newest.find("a", rel="next")["href"].endswith("&sort=newest&page=2")
    assert newest.select_one(".sort a")["href"] == "/?q=patients+after+transplant&per_page=3"
    last = soup(client.get("/?q=patients+after+transplant&per_page=3&sort=newest&page=3"))
    assert hit_ids(last) == ["clinic-notes-2"]  # undated ones last
    assert client.get("/?q=patients&sort=oldest").status_code == 400


def test_the_search_box_keeps_the_chosen_sort(client):
    form = soup(client.get("/?q=patients&sort=newest")).find("form", role="search")
    assert form.find("input", attrs={"name": "sort"})["value"] == "newest"
    form = soup(client.get("/?q=patients")).find("form", role="search")
    assert form.find("input", attrs={"name": "sort"}) is None


def test_interview_list_newest_first_in_pages(small_index_dir):
    client = make_app(small_index_dir, INTERVIEWS_PER_PAGE=2).test_client()
    first = soup(client.get("/"))
    assert first.find("a", string="All interviews")["href"] == "/interviews"
    page = soup(client.get("/interviews"))
    items = [text(li) for li in page.select(".catalogue-list li")]
    assert items == ["Ward rounds with Dr. Ada Lovelace Dr. Ada Lovelace · 5 March 2024 · "
                     "5 questions", "Clinic notes with Dr. Grace Hopper Dr. Grace Hopper · "
                     "2 questions"]
    assert page.select_one(".catalogue-list li > a")["href"] == "/interview/ward-rounds"
    assert page.find("a", rel="next")["href"] == "/interviews?page=2"
    last = soup(client.get("/interviews?page=2"))
    assert [a.get_text() for a in last.select(".catalogue-list li > a")] == [
        "Hostile <script>alert(1)</script> interview"]  # as text, escaped
    assert last.find("a", rel="prev")["href"] == "/interviews" and not last.find("a", rel="next")
    assert client.get("/interviews?page=3").status_code == 400


def test_year_filter(client):
    page = soup(client.get("/?q=patients"))
    year = page.find("a", string="2024")
    assert year["href"] == "/?q=patients&year=2024"
    assert year.find_next_sibling("span", class_="count").get_text() == "5"
    filtered = soup(client.get(year["href"]))
    assert len(hit_ids(filtered)) == 5 and all(i.startswith("ward-rounds-")
                                               for i in hit_ids(filtered))
    assert "Year: 2024" in text(filtered.select_one(".active-filters"))
    for bad in ("2023", "24", "next"):
        response = client.get(f"/?q=patients&year={bad}")
        assert response.status_code == 400
        assert "The year filter names no year" in soup(response).select_one(".error-message").text


def test_no_sort_choice_when_no_interview_has_a_date(seed_client):
    page = soup(seed_client.get("/?q=CAR-T+cell+therapy"))
    assert len(hit_ids(page)) > 1 and page.select_one(".sort") is None


def test_page_past_the_end_is_empty_not_an_error(client):
    page = soup(client.get("/?q=patients&page=9"))
    assert not page.select(".hit")
    assert "There is no page 9" in page.select_one(".empty").get_text()


@pytest.mark.parametrize("args", [
    "page=0", "page=-1", "page=two", "page=1.5", "per_page=0", "per_page=51", "per_page=x",
    "expand=maybe",
])
def test_bad_parameters_get_a_friendly_page(client, args):
    response = client.get(f"/?q=patients&{args}")
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one(".error-message").get_text().startswith("The ")
    assert page.find("input", attrs={"name": "q"})["value"] == "patients"


def test_filters_with_counts_combine_and_can_be_removed(client):
    page = soup(client.get("/?q=patients"))
    facet = {a.get_text(): a["href"] for a in page.select(".filters a")}
    counts = [c.get_text() for c in page.select(".filters .count")]
    assert "Dr. Ada Lovelace" in facet and "Dr. Grace Hopper" in facet
    assert "Clinic notes with Dr. Grace Hopper" in facet  # an interview, labelled by title
    assert "5" in counts and "1" in counts
    filtered = soup(client.get(facet["Dr. Grace Hopper"]))
    assert hit_ids(filtered) == ["clinic-notes-1"]
    chip = filtered.select_one(".active-filters li")
    assert "Dr. Grace Hopper" in chip.get_text()
    assert chip.find("a")["href"] == "/?q=patients"
    by_interview = soup(client.get("/?q=patients&interview=ward-rounds"))
    assert sorted(hit_ids(by_interview)) == [f"ward-rounds-{n}" for n in range(1, 6)]
    assert "Ward rounds with Dr. Ada Lovelace" in by_interview.select_one(".active-filters").text
    none_left = soup(client.get("/?q=patients&interview=ward-rounds&interviewee=Dr.+Grace+Hopper"))
    assert hit_ids(none_left) == []
    assert "Ward rounds with Dr. Ada Lovelace" in none_left.select_one(".active-filters").text


# --- pair and interview pages ----------------------------------------------------------


def test_pair_page(client):
    page = soup(client.get("/pair/ward-rounds-1?q=patients"))
    assert "patients" in [m.get_text() for m in page.select("h1.question mark")]
    paragraphs = page.select(".answer p")
    assert len(paragraphs) == 2
    assert [m.get_text() for m in paragraphs[1].select("mark")] == ["patients"]
    facts = page.select_one(".facts").get_text(" ", strip=True)
    for expected in ("Ward rounds with Dr. Ada Lovelace", "Dr. Ada Lovelace", "Sam Host",
                     "5 March 2024"):
        assert expected in facts
    assert page.find("a", class_="source")["href"] == "https://example.org/ward-rounds"
    passage = page.select_one(".passage a")["href"]
    assert passage == ("https://example.org/ward-rounds#:~:text=Start%20broad%2Dspectrum%20"
                       "antibiotics%20within%20one,the%20antibiotics%20when%20cultures%20"
                       "return.")
    assert not page.find("a", rel="prev")
    assert page.find("a", rel="next")["href"] == "/pair/ward-rounds-2?q=patients"
    whole = page.find("a", string="Read the whole interview")["href"]
    assert whole == "/interview/ward-rounds?q=patients#ward-rounds-1"
    assert page.select(".related li a")


def test_pair_page_offers_a_citation(client):
    today = nice_date(date.today().isoformat())
    cited = soup(client.get("/pair/ward-rounds-2")).select_one(".citation").get_text()
    if not cited.endswith(f"Accessed {today}."):  # midnight passed during the request
        today = nice_date(date.today().isoformat())
    assert cited == ("Dr. Ada Lovelace. Interviewed by Sam Host. \u201cWard rounds with Dr. Ada "
                     "Lovelace,\u201d question 2. 5 March 2024. https://example.org/ward-rounds. "
                     f"Accessed {today}.")
    # no interviewer, date nor source: the pair's own page stands in for the source
    cited = soup(client.get("/pair/clinic-notes-1")).select_one(".citation").get_text()
    assert cited == ("Dr. Grace Hopper. \u201cClinic notes with Dr. Grace Hopper,\u201d "
                     f"question 1. http://localhost/pair/clinic-notes-1. Accessed {today}.")
    cited = soup(client.get("/pair/hostile-1")).select_one(".citation").get_text()
    assert "javascript:" not in cited and "http://localhost/pair/hostile-1" in cited


def test_passage_link_only_with_a_source_url(client):
    assert not soup(client.get("/pair/clinic-notes-1")).select(".passage")  # no source
    assert not soup(client.get("/pair/hostile-1")).select(".passage")  # javascript: source


@pytest.mark.parametrize("url, answer, expected", [
    ("https://x.org/a", "Yes, and no - maybe & more.",
     "https://x.org/a#:~:text=Yes%2C%20and%20no%20%2D%20maybe%20%26%20more."),
    ("https://x.org/a#part", "Short.", "https://x.org/a#part:~:text=Short."),
    (None, "Any answer.", None), ("https://x.org/a", "  ", None),
])
def test_passage_url(url, answer, expected):
    assert passage_url(url, answer) == expected


def test_pair_page_in_the_middle_links_both_ways(client):
    page = soup(client.get("/pair/ward-rounds-3"))
    assert page.find("a", rel="prev")["href"] == "/pair/ward-rounds-2"
    assert page.find("a", rel="next")["href"] == "/pair/ward-rounds-4"
    assert not page.select("mark")


def test_interview_page(client):
    page = soup(client.get("/interview/ward-rounds?q=antibiotics"))
    assert page.find("h1").get_text() == "Ward rounds with Dr. Ada Lovelace"
    pairs = page.select("li.qa")
    assert [p["id"] for p in pairs] == [f"ward-rounds-{n}" for n in range(1, 6)]
    assert [m.get_text() for m in pairs[0].select(".answer mark")] == ["antibiotics"] * 2
    assert page.find("a", class_="source")["href"] == "https://example.org/ward-rounds"
    assert "Sam Host" in page.select_one(".facts").get_text()


def test_seed_interview_page_has_summary_and_bio(seed_client, seed_index):
    interview_id = next(iter(seed_index.snapshot().manifest["interviews"]))
    page = soup(seed_client.get(f"/interview/{interview_id}?q=leukemia"))
    assert "leukemia" in page.select_one(".summary mark").get_text().lower()
    assert page.select(".bio li")
    assert len(page.select("li.qa")) == seed_index.stats()["documents"]


# --- errors, headers, rebuilds ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/pair/nope", "/interview/nope", "/nowhere"])
def test_unknown_pages_are_404_pages(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert soup(response).select_one(".error-message").get_text()


def test_a_removed_answers_address_says_so_and_links_its_interview(tmp_path):
    """A cited /pair/<id> whose question was taken out of its interview neither opens
    another answer nor reads as a mistyped address (404): 410, with the interview."""
    index_dir = build_small_index(tmp_path)
    ward = tmp_path / "corpus" / "ward-rounds.txt"
    write_interview(ward.parent, ward.name, [WARD[0], *WARD[2:]],
                    title="Ward rounds with Dr. Ada Lovelace")
    (tmp_path / "corpus" / "hostile.txt").unlink()
    store.update(index_dir, [tmp_path / "corpus"])
    client = make_app(index_dir).test_client()
    response = client.get("/pair/ward-rounds-2?q=lymphoma")
    assert response.status_code == 410 and response.mimetype == "text/html"
    page = soup(response)
    assert "was removed" in page.select_one(".error-message").get_text()
    link = page.select_one(".error-link a")
    assert link["href"] == "/interview/ward-rounds" and "Ward rounds" in link.get_text()
    assert client.get("/pair/ward-rounds-3").status_code == 200  # the others stay where they were
    withdrawn = client.get("/pair/hostile-1")
    assert withdrawn.status_code == 410 and not soup(withdrawn).select(".error-link")
    withdrawn = client.get("/interview/hostile")  # its interview's address too, not a 404
    assert withdrawn.status_code == 410 and "was withdrawn" in soup(withdrawn).get_text()
    assert client.get("/interview/never-was").status_code == 404


@pytest.mark.parametrize("path", ["/", "/?q=patients", "/pair/x", "/interview/x"])
def test_missing_index_is_a_503_page(tmp_path, path):
    response = make_app(tmp_path / "empty").test_client().get(path)
    assert response.status_code == 503
    message = soup(response).select_one(".error-message").get_text()
    assert message.startswith("No index yet: run `qa-index build corpus/`")
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_index_of_an_empty_corpus_searches_and_lists_nothing(tmp_path):
    (tmp_path / "corpus").mkdir()  # every interview withdrawn, say
    store.build(tmp_path / "index", [tmp_path / "corpus"])
    client = make_app(tmp_path / "index").test_client()
    for sort in ("relevance", "newest"):
        response = client.get(f"/?q=fever&sort={sort}")
        assert response.status_code == 200
        assert "No answers match your search" in text(soup(response))
    assert client.get("/api/interviews").get_json()["interviews"] == []


def test_corrupt_index_is_a_503_page(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "CURRENT").write_text("build-that-is-gone\n")
    response = make_app(tmp_path / "index").test_client().get("/?q=x")
    assert response.status_code == 503


def test_unexpected_errors_are_a_500_page_without_traceback(small_index_dir, monkeypatch):
    app = make_app(small_index_dir, TESTING=False)

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    # quiet for this test only: app.logger is the process's "webapp" logger, which later
    # tests read (set for good, it hid start-up warnings from test_reliability_faults)
    monkeypatch.setattr(app.logger, "disabled", True)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert soup(response).find("h1").get_text() == "Something went wrong"


@pytest.mark.parametrize("path", ["/", "/?q=patients", "/nowhere", "/api/search?q=a",
                                  "/api/nowhere", "/static/style.css", "/healthz"])
def test_security_headers(client, path):
    with client.get(path) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_style_or_safe():
    folder = REPO / "webapp" / "templates"
    for template in folder.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for forbidden in ("<script", "style=", "|safe", "<style", "http://", "https://"):
            assert forbidden not in text, f"{template.name} contains {forbidden}"


def test_rebuilt_index_is_picked_up_without_restart(tmp_path):
    index_dir = build_small_index(tmp_path)
    client = make_app(index_dir).test_client()
    assert hit_ids(soup(client.get("/?q=neutropenia"))) == ["ward-rounds-1"]
    corpus_b = tmp_path / "corpus-b"
    corpus_b.mkdir()
    write_interview(corpus_b, "lungs.txt", [("How do you treat sarcoidosis?",
                                             "Steroids when organs are threatened.")],
                    interviewee="Dr. Nightingale", title="Lungs")
    store.build(index_dir, [corpus_b])
    assert hit_ids(soup(client.get("/?q=sarcoidosis"))) == ["lungs-1"]
    assert hit_ids(soup(client.get("/?q=neutropenia"))) == []
    assert client.get("/healthz").get_json()["documents"] == 1


def test_page_says_which_words_were_searched_by_their_start(seed_client, monkeypatch):
    page = soup(seed_client.get("/?q=transpl*+immunother*+my*"))
    reading = {div.dt.get_text(): " ".join(div.dd.get_text().split())
               for div in page.select(".reading dl > div")}
    assert reading["Words starting with"].startswith("transpl* (1 word), immunother* (1 word)")
    assert reading["Not searched"] == "my* (short prefix)"
    assert '<mark class="match">Transplant</mark>' in str(page.select(".hits")[0])
    assert not page.select(".hint") and not page.select(".suggestion")
    pair = soup(seed_client.get(page.select_one(".hit-question a")["href"]))  # q=transpl*...
    marked = {mark.get_text().lower() for mark in pair.select("main mark")}
    assert marked and all(word.startswith(("transpl", "immunother")) for word in marked)
    monkeypatch.setattr(prefix, "MAX_WORDS", 1)  # CD19 and CD123 (and the joined CD19-CAR...)
    hint = soup(seed_client.get("/?q=cd1*")).select_one(".hint").get_text()
    assert "start with “cd1”: cd1* searched the 1 commonest" in " ".join(hint.split())
