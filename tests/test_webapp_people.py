"""Finding a clinician by name: a query that names an interviewee offers their questions, an
interviewee filter without a query lists them, and a loosely written name is understood."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_interview
from webapp_support import CLINIC
from webapp_support import build_small_index
from webapp_support import make_app
from webapp_support import soup
from webapp_support import text
from webapp_support import write_meta
from webapp_support import write_small_corpus

from indexer import store

HOPPER = {"name": "Dr. Grace Hopper", "pairs": 4, "query": "",
          "url": "/?interviewee=Dr.+Grace+Hopper"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    """The small corpus plus a second, newer interview with Dr. Grace Hopper."""
    root = tmp_path_factory.mktemp("people")
    (root / "corpus").mkdir()
    # its answers differ from the first interview's (copies would be listed once)
    write_interview(root / "corpus", "hopper-2025.txt",
                    [(question, f"{answer} Still so, a year on.") for question, answer in CLINIC],
                    interviewee="Dr. Grace Hopper", title="Transplant follow-up, a year on")
    write_meta(root / "corpus" / "hopper-2025.txt", date="2025-01-10")
    return build_small_index(root)


@pytest.fixture(scope="module")
def client(index_dir):
    return make_app(index_dir).test_client()


def result_ids(data: dict) -> list[str]:
    return [r["id"] for r in data["results"]]


@pytest.mark.parametrize("query", ["Dr. Grace Hopper", "Hopper", "grace hopper", "GRACE",
                                   "hopper, md", "Prof. Hopper"])
def test_a_query_naming_an_interviewee_offers_their_questions(client, query):
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["interviewees"] == [HOPPER]
    assert data["closest"] == []  # not someone else's questions as the closest in meaning
    page = soup(client.get("/", query_string={"q": query}))
    link = page.select_one(".interviewees a")
    assert text(link) == "Questions answered by Dr. Grace Hopper (4)"
    assert link["href"] == HOPPER["url"]


def test_a_name_with_other_words_searches_them_among_that_interviewees_answers(client):
    data = client.get("/api/search?q=Grace+Hopper+vaccines&mode=keyword").get_json()
    assert data["interviewees"] == [{**HOPPER, "query": "vaccines",
                                     "url": "/?q=vaccines&mode=keyword"
                                            "&interviewee=Dr.+Grace+Hopper"}]
    link = soup(client.get("/?q=Grace+Hopper+vaccines&mode=keyword")).select_one(
        ".interviewees a")
    assert text(link) == "Search “vaccines” in answers by Dr. Grace Hopper"
    narrowed = client.get(link["href"].replace("/", "/api/search", 1)).get_json()
    assert result_ids(narrowed) and all(r["interviewee"] == "Dr. Grace Hopper"
                                        for r in narrowed["results"])


@pytest.mark.parametrize("query", ["patients", "vaccines after transplant", "Hopper vaccines",
                                   "Dr.", "grace period"])
def test_ordinary_queries_name_nobody(client, query):
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["interviewees"] == []
    assert not soup(client.get("/", query_string={"q": query})).select(".interviewees")


def test_no_offer_for_the_interviewee_already_filtered(client):
    data = client.get("/api/search?q=Hopper&interviewee=Dr.+Grace+Hopper").get_json()
    assert data["interviewees"] == []


def test_an_interviewee_filter_without_a_query_lists_their_questions(client):
    data = client.get("/api/search?interviewee=Dr.+Grace+Hopper").get_json()
    # newest interview first, each in interview order
    assert result_ids(data) == ["hopper-2025-1", "hopper-2025-2",
                                "clinic-notes-1", "clinic-notes-2"]
    assert data["total"] == 4 and data["query"] == ""
    assert {f["value"]: f["count"] for f in data["facets"]["interview"]} == {
        "hopper-2025": 2, "clinic-notes": 2}
    assert data["facets"]["year"] == [{"value": "2025", "count": 2, "label": "2025",
                                       "active": False}]
    page = soup(client.get("/?interviewee=Dr.+Grace+Hopper"))
    assert text(page.select_one("#results-heading")) == \
        "4 questions answered by Dr. Grace Hopper"
    assert not page.select(".intro")  # not the landing page
    assert [a["href"] for a in page.select(".hit-question a")][0] == \
        "/pair/hopper-2025-1?interviewee=Dr.+Grace+Hopper"
    assert page.select_one(".hit-answer").get_text().startswith("Weekly visits")
    pair = soup(client.get("/pair/hopper-2025-1?interviewee=Dr.+Grace+Hopper"))
    assert pair.find("a", string="Back to results")["href"] == "/?interviewee=Dr.+Grace+Hopper"


def test_filters_without_a_query_page_and_combine(client):
    data = client.get("/api/search?year=2024&per_page=2&page=2").get_json()
    assert result_ids(data) == ["ward-rounds-3", "ward-rounds-4"]
    assert (data["total"], data["pages"]) == (5, 3)
    page = soup(client.get("/?year=2024&per_page=2&page=2"))
    assert page.find("a", rel="next")["href"] == "/?year=2024&per_page=2&page=3"
    assert text(page.select_one("#results-heading")) == "5 questions from 2024"
    data = client.get("/api/search?interview=ward-rounds&interviewee=Dr.+Grace+Hopper").get_json()
    assert data["total"] == 0 and data["results"] == []
    by_title = soup(client.get("/?interview=clinic-notes"))
    assert text(by_title.select_one("#results-heading")) == \
        "2 questions from “Clinic notes with Dr. Grace Hopper”"


def test_interviewees_link_to_their_questions(client):
    listed = soup(client.get("/interviews"))
    assert listed.find("a", string="Dr. Grace Hopper")["href"] == HOPPER["url"]
    for page in ("/pair/clinic-notes-1?q=patients", "/interview/clinic-notes"):
        facts = soup(client.get(page)).select_one(".facts")
        assert facts.find("a", string="Dr. Grace Hopper")["href"] == HOPPER["url"]
    data = client.get("/api/interviews/clinic-notes").get_json()
    assert data["interviewee_url"] == HOPPER["url"]


def test_landing_page_without_query_or_filter(client):
    page = soup(client.get("/"))
    assert page.select(".intro") and not page.select(".hit")


@pytest.mark.parametrize("value", ["grace hopper", "DR. GRACE HOPPER", "Grace Hopper, MD",
                                   "  dr grace   hopper "])
def test_a_loosely_written_interviewee_filter_is_understood(client, value):
    exact = client.get("/api/search?q=patients&interviewee=Dr.+Grace+Hopper").get_json()
    data = client.get("/api/search", query_string={"q": "patients",
                                                    "interviewee": value}).get_json()
    assert result_ids(data) == result_ids(exact) and len(result_ids(data)) == 2
    assert data["filters"] == [{"name": "interviewee", "value": "Dr. Grace Hopper",
                                "label": "Dr. Grace Hopper"}]
    assert data["params"]["interviewee"] == "Dr. Grace Hopper"


@pytest.mark.parametrize("value, named", [
    ("Hopper", "'Dr. Grace Hopper'"), ("Grace Hoper", "'Dr. Grace Hopper'"),
    ("Ada", "'Dr. Ada Lovelace'"),
])
def test_an_unknown_interviewee_filter_names_the_closest(client, value, named):
    response = client.get("/api/search", query_string={"q": "patients", "interviewee": value})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error.startswith("The interviewee filter names no interviewee in the index")
    assert f"Did you mean {named}?" in error
    page = soup(client.get("/", query_string={"q": "patients", "interviewee": value}))
    assert named in page.select_one(".error-message").get_text()
    meant = page.select_one(".meant a")
    assert repr(meant.get_text()) == named
    assert meant["href"] == "/?q=patients&interviewee=" + meant.get_text().replace(" ", "+")


def test_an_interviewee_filter_like_nobody_says_so(client):
    error = client.get("/api/search?q=patients&interviewee=Zed+Quixote").get_json()["error"]
    assert "names no interviewee" in error and "Did you mean" not in error


def test_the_interviewees_offered_follow_every_write_of_the_index(tmp_path):
    """The names are read once per build, and every write (an update, a rebuild) is a new
    build: a name added, corrected or withdrawn is offered, or not, at once."""
    index_dir = build_small_index(tmp_path)
    client = make_app(index_dir).test_client()

    def offered(query: str) -> list[str]:
        data = client.get("/api/search", query_string={"q": query}).get_json()
        return [person["name"] for person in data["interviewees"]]

    assert offered("Nora Night") == []
    night = write_interview(tmp_path / "corpus", "night.txt", CLINIC, interviewee="Dr. Nora Night")
    store.update(index_dir, [tmp_path / "corpus"], embeddings=False)
    assert offered("Nora Night") == ["Dr. Nora Night"]
    write_meta(night, interviewee="Dr. Nora Day")
    store.update(index_dir, [tmp_path / "corpus"], embeddings=False)
    assert offered("Nora") == ["Dr. Nora Day"]
    night.unlink()
    store.build(index_dir, [tmp_path / "corpus"], embeddings=False)
    assert offered("Nora") == []


# --- names typed without accents, and one person under two forms of the name ------------

GVHD = [("How do you treat GVHD?", "Steroids first, then ruxolitinib."),
        ("Can GVHD be prevented?", "Post-transplant cyclophosphamide lowers the risk.")]
ONO = {"name": "Kenji Ono, MD", "pairs": 5, "query": "",
       "url": "/?interviewee=Kenji+Ono,+MD"}


@pytest.fixture(scope="module")
def names_client(tmp_path_factory):
    """The small corpus plus one person under two forms of his name ("Dr. Kenji Ono" in one
    interview, "Kenji Ono, MD" in two), a name with accents ("Dr. José Muñoz"), and two
    people who share a surname ("Dr. Kim", "Dr. Sara Kim")."""
    root = tmp_path_factory.mktemp("names")
    corpus = write_small_corpus(root / "corpus")
    for name, pairs, person in [
            ("ono-2023.txt", GVHD, "Dr. Kenji Ono"),
            ("ono-2024.txt", [("Has GVHD treatment changed?", "Ruxolitinib comes earlier."),
                              ("Who is at risk?", "Older donors, mismatched.")],
             "Kenji Ono, MD"),
            ("ono-2025.txt", [("Any news?", "Belumosudil for chronic GVHD.")], "Kenji Ono, MD"),
            ("munoz.txt", [("What helps in thalassemia?",
                            "Luspatercept, as Dr. Muñoz's trial showed.")], "Dr. José Muñoz"),
            ("kim.txt", [("Is GVHD common?", "After allogeneic HSCT.")], "Dr. Kim"),
            ("sara-kim.txt", [("Is GVHD rare?", "Not after HSCT.")], "Dr. Sara Kim")]:
        write_interview(corpus, name, pairs)
        write_meta(corpus / name, interviewee=person)
    index_dir = root / "index"
    store.build(index_dir, [corpus], embeddings=False)
    return make_app(index_dir).test_client()


@pytest.mark.parametrize("query", ["munoz", "jose munoz", "JOSE MUNOZ", "José Muñoz",
                                   "Dr. Jose Munoz"])
def test_a_name_typed_without_accents_offers_the_interviewee(names_client, query):
    data = names_client.get("/api/search", query_string={"q": query}).get_json()
    assert [person["name"] for person in data["interviewees"]] == ["Dr. José Muñoz"]


@pytest.mark.parametrize("value", ["jose munoz", "Jose Munoz, MD", "dr josé muñoz"])
def test_an_interviewee_filter_without_accents_is_understood(names_client, value):
    data = names_client.get("/api/search", query_string={"interviewee": value}).get_json()
    assert result_ids(data) == ["munoz-1"]
    assert data["params"]["interviewee"] == "Dr. José Muñoz"


def test_a_near_spelling_without_accents_is_suggested(names_client):
    response = names_client.get("/api/search?interviewee=Jose+Munos")
    assert response.status_code == 400
    assert "Did you mean 'Dr. José Muñoz'?" in response.get_json()["error"]


def test_a_word_typed_without_accents_finds_it_written_with_them(names_client):
    data = names_client.get("/api/search?q=munoz+trial&mode=keyword").get_json()
    assert result_ids(data) == ["munoz-1"]


@pytest.mark.parametrize("value", ["Kenji Ono", "Dr. Kenji Ono", "Kenji Ono, MD",
                                   "kenji ono, m.d.", "Prof. Kenji Ono"])
def test_one_person_under_two_forms_is_one_interviewee(names_client, value):
    data = names_client.get("/api/search", query_string={"interviewee": value}).get_json()
    # every interview of his, whatever form of the name it writes
    assert sorted(result_ids(data)) == ["ono-2023-1", "ono-2023-2", "ono-2024-1",
                                        "ono-2024-2", "ono-2025-1"]
    assert data["params"]["interviewee"] == "Kenji Ono, MD"  # the form of most pairs
    assert data["facets"]["interviewee"] == [{"value": "Kenji Ono, MD", "label": "Kenji Ono, MD",
                                              "count": 5, "active": True}]
    searched = names_client.get("/api/search", query_string={
        "q": "GVHD", "interviewee": value, "mode": "keyword"}).get_json()
    assert sorted(result_ids(searched)) == ["ono-2023-1", "ono-2023-2", "ono-2024-1",
                                            "ono-2025-1"]


def test_the_facet_lists_one_person_once(names_client):
    data = names_client.get("/api/search?q=GVHD&mode=keyword").get_json()
    counts = {f["value"]: f["count"] for f in data["facets"]["interviewee"]}
    assert counts == {"Kenji Ono, MD": 4, "Dr. Kim": 1, "Dr. Sara Kim": 1}


@pytest.mark.parametrize("query", ["Kenji Ono", "ono", "Dr. Kenji Ono"])
def test_a_query_naming_one_person_offers_them_once(names_client, query):
    data = names_client.get("/api/search", query_string={"q": query}).get_json()
    assert data["interviewees"] == [ONO]


def test_every_form_of_the_name_links_to_all_their_questions(names_client):
    listed = names_client.get("/api/interviews").get_json()["interviews"]
    urls = {r["interviewee"]: r["interviewee_url"] for r in listed}
    for form in ("Dr. Kenji Ono", "Kenji Ono, MD"):
        data = names_client.get(urls[form].replace("/", "/api/search", 1)).get_json()
        assert data["total"] == 5


def test_people_who_only_share_a_surname_stay_apart(names_client):
    data = names_client.get("/api/search?interviewee=Dr.+Kim").get_json()
    assert result_ids(data) == ["kim-1"]
    assert result_ids(names_client.get("/api/search?interviewee=kim").get_json()) == ["kim-1"]
    response = names_client.get("/api/search?interviewee=Sara")
    assert response.status_code == 400
    assert "Did you mean 'Dr. Sara Kim'?" in response.get_json()["error"]
    offered = names_client.get("/api/search?q=Kim").get_json()["interviewees"]
    assert [person["name"] for person in offered] == ["Dr. Kim", "Dr. Sara Kim"]


def test_copies_under_two_forms_of_one_name_count_once(tmp_path):
    # "Dr. Kenji Ono (2)" was offered while the filter on him listed 1: the copies were
    # counted once per form of the name, then the forms added up
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, person in [("outlet.txt", "Dr. Kenji Ono"), ("hospital.txt", "Kenji Ono, MD")]:
        write_interview(corpus, name, GVHD[:1])
        write_meta(corpus / name, interviewee=person)
    store.build(tmp_path / "index", [corpus], embeddings=False)
    client = make_app(tmp_path / "index").test_client()
    data = client.get("/api/search?q=GVHD&mode=keyword").get_json()
    assert data["total"] == 1 and len(data["results"][0]["also_in"]) == 1
    (person,) = data["facets"]["interviewee"]  # one person, one answer
    assert person["count"] == 1 and person["value"] in ("Dr. Kenji Ono", "Kenji Ono, MD")
    filtered = client.get("/api/search", query_string={
        "q": "GVHD", "mode": "keyword", "interviewee": "Kenji Ono"}).get_json()
    assert filtered["total"] == 1
