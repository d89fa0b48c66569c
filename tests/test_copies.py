"""Pairs published more than once (an outlet's page and a hospital's copy of one interview):
one result each, the best-ranked copy, with where else it was published; in keyword and hybrid
search, the API, the pages and the CLI, with totals, facets and pages counting each once."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import write_interview
from webapp_support import make_app
from webapp_support import soup

from indexer import corpus
from indexer import semantic
from indexer import store
from indexer.cli import cli
from indexer.search import SearchIndex

MISSING = semantic.available()
needs_extra = pytest.mark.skipif(MISSING is not None, reason=f"semantic extra: {MISSING}")

OUTLET_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Dr. Wei Chen on Lung Cancer Screening | Example News</title>
<meta property="og:title" content="Dr. Wei Chen on Lung Cancer Screening">
<meta property="article:published_time" content="2024-05-17T08:30:00+00:00">
<link rel="canonical" href="https://www.news.example.org/wei-chen-screening">
</head><body><article>
<h1>Dr. Wei Chen on Lung Cancer Screening</h1>
<p><strong>Example News:</strong> Who should be screened, and how often?</p>
<p><strong>Dr. Wei Chen:</strong> Adults aged 50&ndash;80 with a 20 pack-year smoking history,
once a year, with low-dose CT.</p>
<p><strong>Example News</strong>: What are the harms of screening?</p>
<p><strong>Dr. Wei Chen</strong>: False positives, mostly &mdash; and the follow-up scans
they bring.</p>
</article></body></html>
"""
# The hospital's copy: the outlet's two pairs with other spacing, case and punctuation, and
# one of its own.
HOSPITAL = [("WHO should be screened and how often",
             "Adults aged 50-80 with a 20 pack-year smoking history, once a year, "
             "with low-dose CT."),
            ("What are the harms of screening?",
             "False positives,  mostly, and the follow-up scans they bring!"),
            ("Does screening lower deaths?",
             "Yes: lung cancer deaths fall by about a fifth in the trials.")]
# The same question answered otherwise, and the same answer to another question: not copies.
REPLY = [("What are the harms of screening?",
          "Radiation, a little, and the anxiety of waiting for results."),
         ("What do smokers ask about screening?",
          "False positives, mostly, and the follow-up scans they bring.")]
OUTLET_TITLE = "Dr. Wei Chen on Lung Cancer Screening"
HOSPITAL_TITLE = "Lung cancer screening, the hospital's copy"


def write_copies(folder):
    """The outlet's page, the hospital's copy of it, and a reply that only resembles them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "outlet.html").write_text(OUTLET_PAGE, encoding="utf-8")
    write_interview(folder, "hospital.txt", HOSPITAL, interviewee="Dr. Wei Chen",
                    title=HOSPITAL_TITLE)
    write_interview(folder, "reply.txt", REPLY, interviewee="Dr. Ann Other",
                    title="A reply on screening")
    return folder


@pytest.fixture
def copies_dir(tmp_path):
    index_dir = tmp_path / "index"
    store.build(index_dir, [write_copies(tmp_path / "corpus")], embeddings=not MISSING)
    return index_dir


def questions(results):
    return [(hit.question, hit.answer.split()[0]) for hit in results.hits]


# --- the fingerprint -------------------------------------------------------------------


def test_a_pair_s_fingerprint_ignores_case_spacing_and_punctuation():
    same = corpus.fingerprint(*corpus.pair_words("Who should be screened, and how often?",
                                                 "Adults aged 50–80, once a year."))
    assert same == corpus.fingerprint(*corpus.pair_words("WHO should be screened and how often",
                                                         "adults  aged 50-80 once a year"))
    for question, answer in [("Who should be screened, and how often?", "Adults aged 50–80."),
                             ("Who should be screened?", "Adults aged 50–80, once a year."),
                             ("Who should be screened, and how often? Adults aged", "50–80, "
                              "once a year.")]:
        assert corpus.fingerprint(*corpus.pair_words(question, answer)) != same


# --- search ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["keyword", pytest.param("hybrid", marks=needs_extra)])
def test_a_pair_published_twice_is_one_result_naming_the_other_copy(copies_dir, mode):
    results = SearchIndex(copies_dir).search("harms of screening", mode=mode)
    assert results.mode == mode
    harms = {hit.answer.split(",")[0]: hit for hit in results.hits
             if hit.question.startswith("What are the harms")}
    assert sorted(harms) == ["False positives", "Radiation"]
    copy, = harms["False positives"].also_in
    assert {copy.title, harms["False positives"].title} == {OUTLET_TITLE, HOSPITAL_TITLE}
    assert copy.id != harms["False positives"].id and harms["Radiation"].also_in == []
    ids = [hit.id for hit in results.hits]
    assert copy.id not in ids and len(ids) == len(set(ids))
    assert results.total == len(results.hits)  # one page: the total counts what it lists


def test_the_copy_kept_is_the_best_ranked_and_the_others_say_where_they_were_published(
        copies_dir):
    index = SearchIndex(copies_dir)
    newest = index.search("pack-year smoking", mode="keyword", sort="newest")
    hit, = newest.hits
    assert hit.title == OUTLET_TITLE and hit.date == "2024-05-17"  # the dated copy first
    copy, = hit.also_in
    assert (copy.title, copy.date, copy.outlet) == (HOSPITAL_TITLE, "", "")
    back = index.search("pack-year smoking", mode="keyword",
                        filters={"interview": copy.interview_id}).hits[0]
    outlet_copy, = back.also_in  # within a filter, the copy it leaves out is still named
    assert (outlet_copy.title, outlet_copy.date, outlet_copy.outlet) == (
        OUTLET_TITLE, "2024-05-17", "news.example.org")
    assert outlet_copy.id == hit.id


def test_a_copy_an_update_removed_is_no_longer_named(tmp_path):
    # after a staff edit, "Also published in" named deleted documents: a result its own
    # copy, or a withdrawn pair answering 410 (a fresh build was right)
    corpus_dir = write_copies(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    store.build(index_dir, [corpus_dir], embeddings=False)
    write_interview(corpus_dir, "hospital.txt", HOSPITAL, interviewee="Dr. Wei Chen",
                    title=HOSPITAL_TITLE + ", revised")  # its pairs written again
    store.update(index_dir, [corpus_dir], embeddings=False)
    hit, = SearchIndex(index_dir).search("pack-year smoking", mode="keyword").hits
    copy, = hit.also_in
    assert copy.id != hit.id and HOSPITAL_TITLE + ", revised" in (copy.title, hit.title)
    (corpus_dir / "hospital.txt").unlink()
    store.update(index_dir, [corpus_dir], embeddings=False)
    hit, = SearchIndex(index_dir).search("pack-year smoking", mode="keyword").hits
    assert hit.title == OUTLET_TITLE and hit.also_in == []


def test_pairs_that_only_resemble_each_other_are_all_listed(copies_dir):
    results = SearchIndex(copies_dir).search("false positives follow-up scans", mode="keyword")
    assert sorted(hit.question for hit in results.hits) == [
        "What are the harms of screening?", "What do smokers ask about screening?"]
    assert results.total == 2


def test_totals_and_facets_count_each_copy_once(copies_dir):
    index = SearchIndex(copies_dir)
    results = index.search("screening screened", mode="keyword", per_page=100)
    assert results.total == len(results.hits) == 5  # 7 pairs, 2 of them copies
    counts = {v["value"]: v["count"] for v in results.facets["interviewee"]}
    for name, count in counts.items():  # what the facet promises, its filter lists
        assert index.search("screening screened", mode="keyword",
                            filters={"interviewee": name}).total == count
    assert counts["Dr. Wei Chen"] == 3


@pytest.mark.parametrize("scorer", ["fast", "whoosh"])
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_pages_are_full_and_never_repeat_a_pair_published_many_times(tmp_path, monkeypatch,
                                                                      scorer, sort):
    """Three copies of one interview and pairs of their own: every page but the last is full,
    and the pages list each pair once, as one long page does."""
    if scorer == "whoosh":  # the queries FastScorer leaves to Whoosh's collectors
        monkeypatch.setattr("indexer.search.FastScorer.scores", lambda self, query: None)
    folder = tmp_path / "corpus"
    folder.mkdir()
    shared = [(f"How is stage {n} treated?", f"Stage {n} cancer is treated with drug {n}.")
              for n in range(1, 6)]
    for copy in range(3):
        own = [(f"Question {copy} on the cancer clinic?", f"Answer {copy} about the clinic.")]
        write_interview(folder, f"copy{copy}.txt", shared + own, title=f"Copy {copy}")
    index_dir = tmp_path / "index"
    store.build(index_dir, [folder], embeddings=False)
    index = SearchIndex(index_dir, cache_size=0)
    whole = index.search("cancer", per_page=100, sort=sort)
    assert whole.total == len(whole.hits) == 8  # 5 shared + 3 own, of 18 pairs
    assert all(len(hit.also_in) == 2 for hit in whole.hits if "stage" in hit.question)
    paged = []
    for page in range(1, 4):
        results = index.search("cancer", per_page=3, page=page, sort=sort)
        assert results.total == 8 and results.pages == 3
        assert len(results.hits) == (3 if page < 3 else 2)
        paged += [hit.id for hit in results.hits]
    assert paged == [hit.id for hit in whole.hits]


# --- API, pages and CLI ----------------------------------------------------------------


def test_the_api_lists_the_other_copies_with_their_addresses(copies_dir):
    client = make_app(copies_dir).test_client()
    data = client.get("/api/search", query_string={"q": "harms of screening",
                                                   "mode": "keyword"}).get_json()
    first = data["results"][0]
    copy, = first["also_in"]
    assert copy.keys() >= {"id", "interview_id", "title", "date", "outlet", "url",
                           "interview_url"}
    assert copy["url"].startswith(f"/pair/{copy['id']}?") and "q=harms" in copy["url"]
    assert client.get(copy["url"]).status_code == 200
    assert {copy["title"], first["title"]} == {OUTLET_TITLE, HOSPITAL_TITLE}
    assert data["total"] == len(data["results"]) == 5
    published_twice = [result["question"] for result in data["results"] if result["also_in"]]
    assert sorted(published_twice, key=len) == ["What are the harms of screening?",
                                                "Who should be screened, and how often?"]


def test_the_page_notes_where_else_an_answer_was_published(copies_dir):
    client = make_app(copies_dir).test_client()
    page = soup(client.get("/", query_string={"q": "pack-year smoking", "mode": "keyword",
                                              "sort": "newest"}))
    hit, = page.select("li.hit")
    note = hit.select_one(".also-in")
    assert " ".join(note.get_text().split()) == f"Also published in: {HOSPITAL_TITLE}."
    link = note.select_one("a")
    assert link["href"].startswith("/pair/hospital-")
    page = soup(client.get("/", query_string={"q": "pack-year smoking", "mode": "keyword"}))
    text = " ".join(page.select_one("li.hit .also-in").get_text().split())
    assert text in (f"Also published in: {HOSPITAL_TITLE}.",
                    f"Also published in: {OUTLET_TITLE} (news.example.org, 17 May 2024).")


def test_the_cli_says_where_else_an_answer_was_published(copies_dir):
    runner = CliRunner()
    result = runner.invoke(cli, ["--index", str(copies_dir), "search", "pack-year smoking",
                                 "--mode", "keyword", "--sort", "newest"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 pairs")
    line = next(line for line in result.output.splitlines() if "Also published in" in line)
    assert line.strip().startswith(f"Also published in: {HOSPITAL_TITLE} [hospital-")
    result = runner.invoke(cli, ["--index", str(copies_dir), "search", "pack-year smoking",
                                 "--mode", "keyword", "--json"])
    hit, = json.loads(result.output)
    assert [copy["title"] for copy in hit["also_in"]] in ([HOSPITAL_TITLE], [OUTLET_TITLE])


@pytest.mark.parametrize("mode", ["keyword", pytest.param("hybrid", marks=needs_extra)])
def test_related_questions_are_neither_the_pair_s_own_copies_nor_copies_twice(copies_dir, mode):
    index = SearchIndex(copies_dir, cache_size=0)
    (hit,) = [hit for hit in index.search('"harms of screening"', mode="keyword").hits
              if hit.answer.startswith("False")]
    for pair_id in [hit.id, *(copy.id for copy in hit.also_in)]:
        related = index.related(pair_id, mode=mode)
        keys = [pair_key(doc) for doc in related]
        assert pair_key({"question": hit.question, "answer": hit.answer}) not in keys
        assert len(keys) == len(set(keys))  # the other pair published twice, once


def pair_key(doc):
    """A pair's words, case and punctuation aside (what makes two pairs copies)."""
    return " ".join("".join(c for c in f"{doc['question']} {doc['answer']}".lower()
                            if c.isalnum() or c.isspace()).split())
