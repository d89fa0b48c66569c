"""FastScorer gives Whoosh's own scores: same matches, same BM25F values, any query shape."""

from __future__ import annotations

import json
import math
from array import array

import pytest
from conftest import CORPUS
from conftest import needs_shared
from conftest import write_interview
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer import prefix
from indexer import store
from indexer.query import parse
from indexer.scoring import FastScorer
from indexer.scoring import TermCache
from indexer.search import SearchIndex

QUERIES = [
    "What is the role of CD7 CAR-T in T-cell ALL?",
    "BCMA", "B cell maturation antigen", "HSCT relapse", "leukaemia", "lymphona treatment",
    '"stem cell" transplantation', "CAR-T -toxicity", "CD19 AND relapse", "fever OR rash",
    "t(9;22) imatinib", "IL-6 cytokine release syndrome", "question:relapse",
    "What are the side effects of chemotherapy for children with AML?",
]


def whoosh_scores(searcher, query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}


def assert_same(searcher, text: str) -> bool:
    """FastScorer and Whoosh agree on `text`; returns whether FastScorer scored it itself."""
    query = parse(text).query
    scorer = FastScorer(searcher, TermCache(1_000_000))
    fast = scorer.scores(query)
    if fast is None:
        return False
    assert scorer.scores(query) == fast  # again, from the term cache
    expected = whoosh_scores(searcher, query)
    assert fast.keys() == expected.keys(), text
    for docnum, score in expected.items():
        assert math.isclose(fast[docnum], score, rel_tol=1e-9), (text, docnum)
    return True


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """The shipped corpus plus interviews added, changed and removed by updates: several
    segments and deleted documents, as a live index has after staff publish."""
    root = tmp_path_factory.mktemp("segmented")
    corpus, index_dir = root / "corpus", root / "index"
    corpus.mkdir()
    for source in CORPUS.iterdir():
        (corpus / source.name).write_bytes(source.read_bytes())
    write_interview(corpus, "one.txt", [("Is CAR-T safe for ALL?", "CAR-T toxicity is managed."),
                                        ("What about BCMA?", "BCMA CAR-T treats myeloma.")])
    store.build(index_dir, [corpus])
    write_interview(corpus, "two.txt", [("Does HSCT cure leukaemia?", "Stem cell transplant "
                                         "after relapse; fever and rash are common.")])
    store.update(index_dir, [corpus])
    write_interview(corpus, "one.txt", [("Is CAR-T safe in T-cell ALL?", "CD7 CAR-T relapse "
                                         "rates are low; IL-6 blockade helps.")])
    store.update(index_dir, [corpus])
    searcher = SearchIndex(index_dir).searcher()
    assert not searcher.is_atomic() and searcher.reader().has_deletions()
    return searcher


@pytest.mark.parametrize("text", QUERIES)
def test_named_queries_score_as_whoosh_scores_them(segmented, text):
    assert_same(segmented, text)


def test_question_mode_is_scored_by_the_fast_path(segmented):
    scored = [assert_same(segmented, text) for text in QUERIES[:6]]
    assert all(scored)


def test_required_and_excluded_terms_are_left_to_whoosh(segmented):
    assert FastScorer(segmented).scores(parse("CD19 AND relapse").query) is None


WORDS = st.sampled_from(["CAR-T", "ALL", "all", "CD7", "BCMA", "relapse", "stem", "cell",
                         "transplant", "leukemia", "fever", "rash", "what", "is", "the",
                         "T-cell", "IL-6", "myeloma", "toxicity", "HSCT", "cure", "patients",
                         "RELAPSES", "T-CELL"])  # words in capitals: the word OR as written


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(WORDS, min_size=1, max_size=12).map(" ".join))
def test_any_word_mix_scores_as_whoosh_scores_it(segmented, text):
    assert_same(segmented, text)


def test_dev_questions_on_medquad_score_as_whoosh_scores_them(tmp_path):
    """The real corpus (single segment, 17,908 pairs): every dev summary question."""
    corpus = needs_shared("data", "medquad-eval", "corpus.jsonl")
    questions = needs_shared("data", "medquad-eval", "dev-questions.jsonl")
    lines = corpus.read_text(encoding="utf-8").splitlines()[:3000]
    small = tmp_path / "medquad-3000.jsonl"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store.build(tmp_path / "index", [small])
    searcher = SearchIndex(tmp_path / "index").searcher()
    texts = [json.loads(line)["summary"] for line in questions.read_text().splitlines()
             if line.strip()]
    fast = [assert_same(searcher, text) for text in texts]
    assert sum(fast) >= len(texts) - 2  # question mode: nearly all take the fast path


@pytest.mark.parametrize("text", ["CAR-T relapse", "T-cell ALL", "BCMA myeloma",
                                  "stem cell transplant", "IL-6 fever rash", "leuk* relapse"])
def test_the_pairs_holding_each_word_are_those_whoosh_matches(segmented, text):
    """Several segments and deleted documents: holding() finds the pairs Whoosh matches."""
    concepts = parse(text).concepts
    assert len(concepts) >= 2
    concepts = prefix.expand(wq.Or(concepts), segmented)[0].subqueries  # leuk*: its terms
    scorer = FastScorer(segmented, TermCache(1_000_000))
    every = list(range(segmented.doc_count_all()))
    for concept in concepts:
        assert scorer.holding(concept, every) == set(concept.docs(segmented)), (text, concept)


def test_the_term_cache_holds_at_most_its_postings():
    cache = TermCache(10)
    for n in range(5):
        cache.put(("answer", f"t{n}"), (array("I", range(4)), array("d", [1.0] * 4)))
    assert cache.held <= 10 and cache.get(("answer", "t4")) is not None
    assert cache.get(("answer", "t0")) is None  # the least recently used went first
    cache.put(("answer", "huge"), (array("I", range(11)), array("d", [1.0] * 11)))
    assert cache.get(("answer", "huge")) is None
