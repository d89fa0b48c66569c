"""The relevance metrics, pinned on hand-computed cases (GUIDE.md section 2)."""

from __future__ import annotations

import math

import pytest

from indexer import evaluate as ev

GRADES = {"a": 4, "b": 3, "c": 2, "d": 1}


def test_ndcg_uses_grade_minus_one_and_the_ideal_order():
    dcg = 3 / math.log2(2) + 0 + 1 / math.log2(4)  # a, x (unjudged), c
    ideal = 3 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    assert ev.ndcg(["a", "x", "c"], GRADES) == pytest.approx(dcg / ideal)
    assert ev.ndcg(["a", "b", "c", "d"], GRADES) == pytest.approx(1.0)


def test_map_and_mrr_count_grades_three_and_four_as_relevant():
    assert ev.average_precision(["x", "b", "a"], GRADES) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert ev.reciprocal_rank(["c", "d", "b"], GRADES) == pytest.approx(1 / 3)
    assert ev.reciprocal_rank(["c", "d"], GRADES) == 0.0


def test_top_answer_scores():
    assert ev.score_question(["b"], GRADES)["avgscore@1"] == 2
    assert ev.score_question(["b"], GRADES)["p@1"] == 1.0
    assert ev.score_question(["c"], GRADES)["p@1"] == 0.0
    assert ev.score_question([], GRADES)["avgscore@1"] == 0.0


def test_duplicate_judgments_keep_the_higher_grade(tmp_path):
    path = tmp_path / "qrels.txt"
    path.write_text("Q1 2 a\nQ1 4 a\nQ2 1 b\n", encoding="utf-8")
    assert ev.load_qrels(path) == {"Q1": {"a": 4}, "Q2": {"b": 1}}


def test_questions_fall_back_to_the_paraphrase(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"qid": "Q1", "summary": "", "paraphrase": "P", "subject": "S",'
                    ' "message": "M"}\n', encoding="utf-8")
    assert ev.load_questions(path, "summary")[0].text == "P"
    assert ev.load_questions(path, "message")[0].text == "S M"


def test_averages_only_over_judged_questions():
    questions = [ev.Question("Q1", "x"), ev.Question("Q9", "y")]
    report = ev.evaluate(questions, {"Q1": {"a": 4}}, lambda text: ["a"])
    assert report["questions"] == 1 and report["metrics"]["ndcg@10"] == 1.0


def test_coverage_counts_judged_answers_in_the_top_ten():
    ranked = ["x", "a", "y", "b"]
    report = ev.evaluate([ev.Question("Q1", "x")], {"Q1": GRADES}, lambda text: ranked)
    assert report["coverage"] == {"judged@10": 0.5, "unjudged@1": 1.0}
    assert report["metrics"]["avgscore@1"] == 0.0  # the unjudged top answer scores as incorrect


def test_judged_only_scores_the_condensed_list():
    ranked = ["x", "b", "y", "a"] + [f"z{n}" for n in range(10)]
    report = ev.evaluate([ev.Question("Q1", "x")], {"Q1": GRADES}, lambda text: ranked,
                         judged_only=True)
    assert report["metrics"]["avgscore@1"] == 2  # b, then a: the unjudged x and y are dropped
    assert report["metrics"]["mrr@10"] == 1.0
    assert report["coverage"]["unjudged@1"] == 1.0  # coverage is of the list as ranked
    assert report["coverage"]["judged@10"] == pytest.approx(0.2)


def test_a_ranking_longer_than_ten_is_cut_at_ten():
    ranked = [f"z{n}" for n in range(10)] + ["a"]
    report = ev.evaluate([ev.Question("Q1", "x")], {"Q1": GRADES}, lambda text: ranked)
    assert report["metrics"]["ndcg@10"] == 0.0 and report["coverage"]["judged@10"] == 0.0


def test_bad_evaluation_files_are_named_with_the_line(tmp_path):
    no_qid = tmp_path / "questions.jsonl"
    no_qid.write_text('{"qid": "TQ1", "summary": "a?"}\n{"summary": "b?"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"questions\.jsonl:2: expected an object with a \"qid\""):
        ev.load_questions(no_qid)
    latin = tmp_path / "qrels.txt"
    latin.write_bytes("TQ1 3 caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"qrels\.txt: not UTF-8 text"):
        ev.load_qrels(latin)
    with pytest.raises(ValueError, match=r"missing\.txt: No such file"):
        ev.load_qrels(tmp_path / "missing.txt")
