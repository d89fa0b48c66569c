"""The search's state (query, filters, page, per_page, sort, mode, expand) travels with every
link from the results to a pair or an interview and back, so "Back to results" returns to the
same list, and the pages in between answer as that search would."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from webapp_support import build_small_index
from webapp_support import make_app
from webapp_support import soup

# page 2 of a year-filtered, keyword-mode, newest-first list without synonyms, 2 a page
STATE = {"q": "patients", "year": "2024", "per_page": "2", "page": "2", "mode": "keyword",
         "sort": "newest", "expand": "0"}
SEARCH = "/?q=patients&year=2024&per_page=2&expand=0&mode=keyword&sort=newest&page=2"


@pytest.fixture(scope="module")
def small_index_dir(tmp_path_factory) -> Path:
    return build_small_index(tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="module")
def client(small_index_dir):
    return make_app(small_index_dir).test_client()


def args_of(url: str) -> dict[str, str]:
    """A link's query arguments, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_hit_links_carry_the_whole_search(client):
    page = soup(client.get(SEARCH))
    questions = [a["href"] for a in page.select(".hit-question a")]
    interviews = [a["href"] for a in page.select(".hit-meta a")]
    assert len(questions) == 2 and len(interviews) == 2
    for url in questions + interviews:
        assert args_of(url) == STATE, url
    assert all(path_of(url).startswith("/pair/") for url in questions)
    assert all(urlsplit(url).fragment == path_of(q).rsplit("/", 1)[1]
               for url, q in zip(interviews, questions, strict=True))


def test_api_results_link_as_the_page_does(client):
    data = client.get("/api/search" + SEARCH[1:]).get_json()
    page = soup(client.get(SEARCH))
    assert [r["url"] for r in data["results"]] == [a["href"] for a in
                                                   page.select(".hit-question a")]
    assert [r["interview_url"] for r in data["results"]] == [
        a["href"] for a in page.select(".hit-meta a")]


def test_back_to_results_returns_to_the_same_list(client):
    listed = soup(client.get(SEARCH))
    first = listed.select_one(".hit-question a")["href"]
    pair = soup(client.get(first))
    back = pair.find("a", string="Back to results")["href"]
    assert path_of(back) == "/" and args_of(back) == STATE
    again = soup(client.get(back))
    assert [a["href"] for a in again.select(".hit-question a")] == [
        a["href"] for a in listed.select(".hit-question a")]
    data = client.get(first.replace("/pair/", "/api/pairs/", 1)).get_json()
    assert data["results_url"] == back


def test_pair_page_links_keep_the_search(client):
    url = "/pair/ward-rounds-2?" + SEARCH.split("?", 1)[1]
    page = soup(client.get(url))
    links = [page.find("a", rel="prev")["href"], page.find("a", rel="next")["href"],
             page.find("a", string="Read the whole interview")["href"],
             *[a["href"] for a in page.select(".related li a")]]
    assert page.select(".related li a")
    for link in links:
        assert args_of(link) == STATE, link


def test_interview_page_keeps_the_search(client):
    page = soup(client.get("/interview/ward-rounds?" + SEARCH.split("?", 1)[1]))
    back = page.find("a", string="Back to results")["href"]
    assert path_of(back) == "/" and args_of(back) == STATE
    opened = [a["href"] for a in page.find_all("a", string="Open this question")]
    assert len(opened) == 5 and all(args_of(link) == STATE for link in opened)
    data = client.get("/api/interviews/ward-rounds?" + SEARCH.split("?", 1)[1]).get_json()
    assert data["results_url"] == back


def test_no_back_link_without_a_search(client):
    assert not soup(client.get("/pair/ward-rounds-2")).find("a", string="Back to results")
    assert client.get("/api/pairs/ward-rounds-2").get_json()["results_url"] is None
    plain = soup(client.get("/pair/ward-rounds-2?q=patients"))
    assert plain.find("a", string="Back to results")["href"] == "/?q=patients"


def test_related_questions_follow_the_search_mode(small_index_dir, client):
    keyword_app = make_app(small_index_dir, SEARCH_MODE="keyword").test_client()
    by_words = [r["id"] for r in keyword_app.get("/api/pairs/ward-rounds-1").get_json()["related"]]
    by_meaning = [r["id"] for r in client.get("/api/pairs/ward-rounds-1").get_json()["related"]]
    assert by_words != by_meaning  # else this test shows nothing
    after_keyword = client.get("/api/pairs/ward-rounds-1?q=patients&mode=keyword").get_json()
    assert [r["id"] for r in after_keyword["related"]] == by_words


def test_links_that_change_the_list_start_at_its_first_page(client):
    page = soup(client.get("/?q=patients&per_page=2&page=2"))
    changes = [a["href"] for a in page.select(".filters a, .mode a, .sort a")]
    assert changes and all("page" not in args_of(link) for link in changes)
    assert all(args_of(link)["per_page"] == "2" for link in changes)
    numbers = {a.get_text(): a["href"] for a in page.select(".pagination a")}
    assert numbers["1"] == "/?q=patients&per_page=2" and args_of(numbers["3"])["page"] == "3"


def test_bad_search_state_on_a_pair_page_is_a_400(client):
    assert client.get("/pair/ward-rounds-1?q=patients&page=0").status_code == 400
    assert client.get("/api/pairs/ward-rounds-1?mode=semantic").status_code == 400
