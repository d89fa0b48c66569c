"""Relevance metrics over a questions file and graded judgments (qrels), top 10.

Definitions follow ``shared/GUIDE.md`` section 2: grades 1-4 (Incorrect, Related, Incomplete,
Excellent), the higher grade wins when an answer is judged twice; gain = grade - 1; relevant
means grade >= 3; averages are over the questions that have judgments.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEPTH = 10
METRICS = ("ndcg@10", "map@10", "mrr@10", "avgscore@1", "p@1")
# How much of the top 10 the judgments can see: an unjudged answer counts as gain 0 however
# good it is, so a ranking that puts answers outside the judged pool first scores low.
COVERAGE = ("judged@10", "unjudged@1")


@dataclass
class Question:
    qid: str
    text: str


def load_questions(path: str | Path, field: str = "summary") -> list[Question]:
    """Questions as the harness asks them: summary (else paraphrase) or subject + message."""
    questions = []
    for number, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("qid"), str | int):
            raise ValueError(f"{path}:{number}: expected an object with a \"qid\"")
        if field == "message":
            text = f"{row.get('subject', '')} {row.get('message', '')}".strip()
        else:
            text = row.get("summary") or row.get("paraphrase") or ""
        questions.append(Question(str(row["qid"]), text))
    return questions


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """qid -> {answer id: grade}, keeping the higher grade of duplicate judgments."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(read_lines(path), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit():
            raise ValueError(f"{path}:{number}: expected 'qid grade answer_id', got {line!r}")
        qid, grade, answer = parts[0], int(parts[1]), parts[2]
        judged = qrels.setdefault(qid, {})
        judged[answer] = max(grade, judged.get(answer, 0))
    return qrels


def read_lines(path: str | Path) -> list[str]:
    """The lines of a UTF-8 text file; ValueError naming the file when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from exc


def gain(grades: dict[str, int], answer_id: str) -> int:
    """The answer's gain: grade - 1, 0 when unjudged."""
    return max(grades.get(answer_id, 1) - 1, 0)


def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    """nDCG@10: the ranking's DCG (log2(rank + 1) discount) over the ideal DCG of the grades."""
    dcg = sum(gain(grades, a) / math.log2(i + 2) for i, a in enumerate(ranked[:DEPTH]))
    ideal = sorted((g - 1 for g in grades.values()), reverse=True)[:DEPTH]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def average_precision(ranked: list[str], grades: dict[str, int]) -> float:
    """AP@10: precision at each relevant (grade >= 3) answer, summed, over min(#relevant, 10)."""
    relevant = sum(1 for g in grades.values() if g >= 3)
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, answer in enumerate(ranked[:DEPTH], 1):
        if grades.get(answer, 0) >= 3:
            hits += 1
            total += hits / i
    return total / min(relevant, DEPTH)


def reciprocal_rank(ranked: list[str], grades: dict[str, int]) -> float:
    """1 / rank of the first relevant (grade >= 3) answer in the top 10, else 0."""
    for i, answer in enumerate(ranked[:DEPTH], 1):
        if grades.get(answer, 0) >= 3:
            return 1.0 / i
    return 0.0


def score_question(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    """One question's METRICS for a ranking: nDCG@10, MAP@10, MRR@10, avgScore@1, P@1."""
    top = ranked[0] if ranked else None
    return {
        "ndcg@10": ndcg(ranked, grades),
        "map@10": average_precision(ranked, grades),
        "mrr@10": reciprocal_rank(ranked, grades),
        "avgscore@1": gain(grades, top) if top else 0.0,
        "p@1": 1.0 if top and grades.get(top, 0) >= 3 else 0.0,
    }


def coverage(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    """The share of the top 10 that has a judgment, and whether the top answer has none."""
    top = ranked[:DEPTH]
    return {
        "judged@10": sum(answer in grades for answer in top) / len(top) if top else 0.0,
        "unjudged@1": 1.0 if top and top[0] not in grades else 0.0,
    }


def evaluate(questions: list[Question], qrels: dict[str, dict[str, int]],
             rank: Callable[[str], list[str]], judged_only: bool = False) -> dict:
    """Run `rank(text) -> answer ids` for every judged question; mean and per-question.

    ``judged_only`` scores condensed lists (Sakai 2007): unjudged answers are dropped from
    the ranking before the top 10 is cut, so the figures show how the ranking orders the
    answers the judges saw (`rank` should then return more than 10). ``coverage`` is always
    of the list as ranked.
    """
    per_question = {}
    for question in questions:
        grades = qrels.get(question.qid)
        if grades:
            ranked = rank(question.text)
            scored = [a for a in ranked if a in grades] if judged_only else ranked
            per_question[question.qid] = {**score_question(scored[:DEPTH], grades),
                                          **coverage(ranked, grades), "query": question.text}
    count = len(per_question)

    def mean(name: str) -> float:
        return sum(q[name] for q in per_question.values()) / count if count else 0.0

    return {"questions": count, "metrics": {m: mean(m) for m in METRICS},
            "coverage": {c: mean(c) for c in COVERAGE}, "per_question": per_question}
