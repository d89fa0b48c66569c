"""The JSON API: every page's twin, /healthz, and the one error shape."""

from __future__ import annotations

import json

import pytest
from conftest import write_interview
from webapp_support import WARD
from webapp_support import build_small_index
from webapp_support import make_app
from webapp_support import soup

from indexer import store

SEARCH_KEYS = {"query", "total", "page", "per_page", "took_ms", "suggestion", "expansions",
               "words", "facets", "results", "mode", "mode_note", "sort"}
RESULT_KEYS = {"id", "question", "question_html", "answer_html", "score", "by_meaning",
               "interviewee",
               "title", "date", "url", "interview_id"}


@pytest.fixture
def index_dir(tmp_path):
    return build_small_index(tmp_path)


@pytest.fixture
def client(index_dir):
    return make_app(index_dir).test_client()


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_search_fields(client):
    data = get_json(client, "/api/search?q=neutropenia")
    assert SEARCH_KEYS <= data.keys()
    assert data["query"] == "neutropenia" and data["total"] == 1
    assert data["page"] == 1 and data["per_page"] == 10 and data["took_ms"] >= 0
    assert data["suggestion"] is None and isinstance(data["expansions"], list)
    result = data["results"][0]
    assert RESULT_KEYS <= result.keys()
    assert result["id"] == "ward-rounds-1" and result["interview_id"] == "ward-rounds"
    assert result["interviewee"] == "Dr. Ada Lovelace" and result["date"] == "2024-03-05"
    assert result["title"] == "Ward rounds with Dr. Ada Lovelace"
    assert '<mark class="match' in result["question_html"] and not result["by_meaning"]
    # BM25F in keyword mode; in hybrid mode a fused z-score, which may be 0 or below
    assert result["score"] > 0 if data["mode"] == "keyword" else isinstance(result["score"],
                                                                               float)
    assert result["answer_html"].startswith("Start broad-spectrum")
    assert result["url"] == "/pair/ward-rounds-1?q=neutropenia"
    assert client.get(result["url"]).status_code == 200


def test_search_words_say_how_each_word_was_searched(client):
    words = get_json(client, "/api/search?q=What+is+neutropenia+in+T-cell+all")["words"]
    assert [(w["word"], w["how"], w["why"]) for w in words] == [
        ("What", "skipped", "question word"), ("is", "skipped", "common word"),
        ("neutropenia", "word", None), ("in", "skipped", "common word"),
        ("T-cell", "word", None), ("all", "skipped", "common word")]
    assert words[4]["parts"] == ["T", "cell"]
    assert words[5]["hint"]["query"] == "What is neutropenia in T-cell ALL"
    assert get_json(client, '/api/search?q="neutropenia"')["words"] == []


def test_search_words_say_which_no_pair_holds(client):
    data = get_json(client, "/api/search?q=sickle+neutropenia")
    assert [(w["word"], w["absent"]) for w in data["words"]] == [
        ("sickle", True), ("neutropenia", False)]
    page = client.get("/?q=sickle+neutropenia").get_data(as_text=True)
    assert data["total"] and "No question or answer uses “sickle”" in page
    assert "No question or answer uses" not in client.get("/?q=neutropenia").get_data(
        as_text=True)



def test_a_word_found_only_through_its_synonym_is_said_so(tmp_path):
    (tmp_path / "corpus").mkdir()
    write_interview(tmp_path / "corpus", "cml.txt", [
        ("How is CML monitored?", "By BCR-ABL1 transcripts every three months.")])
    store.build(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    client = make_app(tmp_path / "index").test_client()
    data = get_json(client, "/api/search?q=BCR-ABL")
    assert [(w["word"], w["absent"], w["also"]) for w in data["words"]] == [
        ("BCR-ABL", True, ["BCR-ABL1"])]
    notice = ("No question or answer uses “BCR-ABL” itself: the results match what was "
              "also searched (BCR-ABL1).")
    assert data["absent_note"] == notice
    assert notice in " ".join(soup(client.get("/?q=BCR-ABL")).get_text().split())
    assert get_json(client, "/api/search?q=BCR-ABL1")["absent_note"] is None

def test_search_sorted_by_newest(client):
    data = get_json(client, "/api/search?q=patients+after+transplant&sort=newest")
    assert data["sort"] == "newest"
    dates = [r["date"] for r in data["results"]]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2024-03-05" and not dates[-1]
    assert get_json(client, "/api/search?q=patients")["sort"] == "relevance"
    error = get_json(client, "/api/search?q=patients&sort=date", status=400)
    assert "sort parameter must be one of relevance, newest" in error["error"]


def test_search_by_year(client):
    data = get_json(client, "/api/search?q=patients")
    assert data["facets"]["year"] == [{"value": "2024", "count": 5, "label": "2024",
                                       "active": False}]
    data = get_json(client, "/api/search?q=patients&year=2024")
    assert data["total"] == 5 and data["facets"]["year"][0]["active"]
    assert data["filters"] == [{"name": "year", "value": "2024", "label": "2024"}]


def test_search_twin_matches_the_page(client):
    data = get_json(client, "/api/search?q=patients&per_page=3&page=2")
    page = soup(client.get("/?q=patients&per_page=3&page=2"))
    assert [r["url"] for r in data["results"]] == [a["href"] for a in
                                                   page.select(".hit-question a")]
    assert data["total"] == 6 and data["page"] == 2 and data["per_page"] == 3
    assert page.find("link", rel="alternate")["href"].startswith("/api/search?")


def test_facets_and_filters(client):
    data = get_json(client, "/api/search?q=patients")
    people = {f["value"]: f["count"] for f in data["facets"]["interviewee"]}
    assert people == {"Dr. Ada Lovelace": 5, "Dr. Grace Hopper": 1}
    interviews = {f["value"]: f["label"] for f in data["facets"]["interview"]}
    assert interviews["clinic-notes"] == "Clinic notes with Dr. Grace Hopper"
    data = get_json(client, "/api/search?q=patients&interviewee=Dr.+Grace+Hopper")
    assert [r["id"] for r in data["results"]] == ["clinic-notes-1"]
    assert data["filters"] == [{"name": "interviewee", "value": "Dr. Grace Hopper",
                                "label": "Dr. Grace Hopper"}]
    data = get_json(client, "/api/search?q=patients&interview=clinic-notes"
                            "&interviewee=Dr.+Ada+Lovelace")
    assert data["total"] == 0  # no facets left to name the interview: still by its title
    assert {f["name"]: f["label"] for f in data["filters"]} == {
        "interview": "Clinic notes with Dr. Grace Hopper", "interviewee": "Dr. Ada Lovelace"}


def test_suggestion_and_expansion_switch(seed_index_dir):
    client = make_app(seed_index_dir).test_client()
    assert get_json(client, "/api/search?q=lymphona")["suggestion"] == "lymphoma"
    assert get_json(client, "/api/search?q=leukemea")["suggestion"] == "leukemia"
    assert get_json(client, "/api/search?q=CAR-T")["expansions"]
    data = get_json(client, "/api/search?q=CAR-T&expand=0")
    assert data["expansions"] == [] and data["expand"] is False


def test_empty_query_is_not_an_error(client):
    data = get_json(client, "/api/search")
    assert data["total"] == 0 and data["results"] == [] and data["query"] == ""


def test_pair(client):
    data = get_json(client, "/api/pairs/ward-rounds-2?q=lymphoma")
    assert data["id"] == "ward-rounds-2" and data["position"] == 2
    assert data["question"] == "When do you refer patients for CAR-T cell therapy?"
    assert data["answer_paragraphs_html"][0].count("<mark") == 1
    assert data["previous"]["id"] == "ward-rounds-1" and data["next"]["id"] == "ward-rounds-3"
    assert data["previous"]["url"] == "/pair/ward-rounds-1?q=lymphoma"
    interview = data["interview"]
    assert interview == {"id": "ward-rounds", "title": "Ward rounds with Dr. Ada Lovelace",
                         "interviewee": "Dr. Ada Lovelace", "interviewer": "Sam Host",
                         "interviewee_url": "/?interviewee=Dr.+Ada+Lovelace",
                         "date": "2024-03-05", "source": "https://example.org/ward-rounds",
                         "source_url": "https://example.org/ward-rounds",
                         "url": "/interview/ward-rounds?q=lymphoma"}
    assert data["related"] and all({"id", "question", "url"} <= r.keys()
                                   for r in data["related"])
    assert "ward-rounds-2" not in [r["id"] for r in data["related"]]
    assert data["citation"].startswith("Dr. Ada Lovelace. Interviewed by Sam Host. ")
    assert data["passage_url"] == ("https://example.org/ward-rounds#:~:text=We%20refer%20"
                                   "patients%20with%20relapsed,early%2C%20because%20"
                                   "manufacturing%20takes%20weeks.")


def test_interview_list(client):
    data = get_json(client, "/api/interviews")
    assert (data["total"], data["page"], data["pages"], data["per_page"]) == (3, 1, 1, 50)
    assert [i["id"] for i in data["interviews"]] == ["ward-rounds", "clinic-notes", "hostile"]
    assert data["interviews"][0] == {
        "id": "ward-rounds", "title": "Ward rounds with Dr. Ada Lovelace",
        "interviewee": "Dr. Ada Lovelace", "interviewer": "Sam Host", "date": "2024-03-05",
        "interviewee_url": "/?interviewee=Dr.+Ada+Lovelace", "pairs": 5,
        "url": "/interview/ward-rounds"}
    error = get_json(client, "/api/interviews?page=2", status=400)
    assert "page parameter must be a whole number from 1 to 1" in error["error"]


def test_first_and_last_pairs_have_one_neighbour(client):
    assert get_json(client, "/api/pairs/ward-rounds-1")["previous"] is None
    assert get_json(client, "/api/pairs/ward-rounds-5")["next"] is None


def test_interview(client):
    data = get_json(client, "/api/interviews/ward-rounds?q=patients")
    assert data["title"] == "Ward rounds with Dr. Ada Lovelace"
    assert data["interviewer"] == "Sam Host" and data["date"] == "2024-03-05"
    assert {"summary", "summary_html", "bio", "bio_html"} <= data.keys()
    assert [p["id"] for p in data["pairs"]] == [f"ward-rounds-{n}" for n in range(1, 6)]
    assert all("<mark" in p["question_html"] for p in data["pairs"][:4])
    assert "file" not in data and "display" not in data  # no server paths


def test_healthz(client, index_dir):
    data = get_json(client, "/healthz")
    assert data["status"] == "ok" and data["documents"] == 9 and data["interviews"] == 3
    assert data["build"] == store.current_build(index_dir) and data["built_at"]


@pytest.mark.parametrize("url, status", [
    ("/api/pairs/nope", 404), ("/api/interviews/nope", 404), ("/api/nowhere", 404),
    ("/api/", 404), ("/api/search?page=0", 400), ("/api/search?page=x", 400),
    ("/api/search?per_page=51", 400), ("/api/search?per_page=0", 400),
    ("/api/search?expand=maybe", 400), ("/api/pairs/ward-rounds-1?expand=2", 400),
])
def test_errors_have_one_shape(client, url, status):
    data = get_json(client, url, status)
    assert data.keys() == {"ok", "error", "status"}
    assert data["ok"] is False and data["status"] == status and data["error"]


def test_a_removed_pair_is_410_naming_its_interview(tmp_path, index_dir):
    ward = tmp_path / "corpus" / "ward-rounds.txt"
    write_interview(ward.parent, ward.name, WARD[2:], title="Ward rounds with Dr. Ada Lovelace")
    (tmp_path / "corpus" / "hostile.txt").unlink()
    store.update(index_dir, [tmp_path / "corpus"])
    client = make_app(index_dir).test_client()
    data = get_json(client, "/api/pairs/ward-rounds-2", 410)
    assert data["ok"] is False and data["status"] == 410 and "removed" in data["error"]
    assert data["interview"] == {"id": "ward-rounds", "title": "Ward rounds with Dr. Ada Lovelace",
                                 "url": "/interview/ward-rounds"}
    assert get_json(client, "/api/pairs/ward-rounds-3")["position"] == 1
    data = get_json(client, "/api/pairs/hostile-2", 410)
    assert data["interview"] is None and "withdrawn" in data["error"]
    data = get_json(client, "/api/interviews/hostile", 410)
    assert "was withdrawn" in data["error"]


def test_overlong_query_is_400_with_message(client):
    data = get_json(client, "/api/search?q=" + "x" * 1001, 400)
    assert data["error"].startswith("The query is 1001 characters long; the limit is 1000")
    get_json(client, "/api/pairs/ward-rounds-1?q=" + "x" * 1001, 400)


def test_wrong_method_is_json_405(client):
    response = client.post("/api/search")
    assert response.status_code == 405 and response.get_json()["status"] == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("url", ["/healthz", "/api/search?q=x", "/api/pairs/x"])
def test_missing_index_is_json_503(tmp_path, url):
    client = make_app(tmp_path / "nothing").test_client()
    data = get_json(client, url, 503)
    assert data["ok"] is False and data["status"] == 503
    assert data["error"].startswith("No index yet: run `qa-index build corpus/`")


def test_untitled_pages_of_one_file_are_told_apart_in_facets(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [{"question": f"What is {topic}?", "answer": f"{topic} is a rash illness.",
                "url": f"https://www.example.org/{topic}/"} for topic in ("measles", "rubella")]
    (corpus / "faq.jsonl").write_text("\n".join(json.dumps(r) for r in records),
                                      encoding="utf-8")
    store.build(tmp_path / "index", [corpus], embeddings=False)
    data = get_json(make_app(tmp_path / "index").test_client(), "/api/search?q=rash")
    labels = sorted(f["label"] for f in data["facets"]["interview"])
    assert labels == ["Faq · example.org/measles", "Faq · example.org/rubella"]


def test_search_words_say_which_words_were_searched_by_their_start(client):
    data = get_json(client, "/api/search?q=transpl*+vaccin*&mode=keyword")
    assert data["suggestion"] is None and data["expansions"] == []
    assert {hit["id"] for hit in data["results"]} == {"clinic-notes-1", "clinic-notes-2"}
    assert [(w["word"], w["how"], w["starts"], w["found"], w["kept"]) for w in data["words"]] == [
        ("transpl*", "prefix", ["transpl"], 1, 1), ("vaccin*", "prefix", ["vaccin"], 1, 1)]
    words = get_json(client, "/api/search?q=transpl*+-vaccines")["words"]  # power-user syntax
    assert [(w["word"], w["how"]) for w in words] == [("transpl*", "prefix")]
