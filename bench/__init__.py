"""Benchmark of Interview Q&A Search against its speed bars and two peers (run: python -m bench).

Not a test: it builds the MedQuAD evaluation corpus (``../shared``) through the product (the
keyword index, then again with the question embeddings), times the product's own search
pipeline in keyword and hybrid mode, loads the JSON API under gunicorn (the served default,
hybrid, with and without the result cache, then keyword mode), runs the same corpus and
questions through SQLite FTS5 and Tantivy, prints a table and writes the figures as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class EvalData:
    """The evaluation files in ../shared/data/medquad-eval."""

    corpus: Path
    questions: Path
    qrels: Path


def eval_data(repo: Path = REPO) -> EvalData:
    """The evaluation files beside the repository; exits with a message when absent."""
    folder = (repo / ".." / "shared" / "data" / "medquad-eval").resolve()
    data = EvalData(folder / "corpus.jsonl", folder / "dev-questions.jsonl",
                    folder / "dev-qrels.txt")
    missing = [str(p) for p in (data.corpus, data.questions, data.qrels) if not p.is_file()]
    if missing:
        raise SystemExit("bench: the evaluation data is missing: " + ", ".join(missing)
                         + ". Put the shared folder (with data/medquad-eval/) beside the "
                         "repository as ../shared and run again.")
    return data
