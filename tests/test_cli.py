"""qa-index: the command-line contract other tools rely on."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SEED
from conftest import write_interview

from indexer.cli import cli


@pytest.fixture
def run(tmp_path):
    """Invoke qa-index with --index in tmp_path; returns the click Result."""
    runner = CliRunner()

    def invoke(*args: str, index: str | None = None):
        return runner.invoke(cli, ["--index", index or str(tmp_path / "ix"), *args])

    return invoke


def test_build_search_stats(run, corpus_dir):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker."),
                                              ("BCMA?", "A myeloma target.")])
    result = run("build", str(corpus_dir))
    assert result.exit_code == 0, result.output
    assert "2 pairs from 1 interviews in 1 files" in result.output
    hits = json.loads(run("search", "CD7", "--json").output)
    assert hits[0]["id"] == "alpha-1"
    assert {"id", "question", "answer", "score", "title", "interviewee"} <= hits[0].keys()
    stats = run("stats").output
    assert "Pairs:      2" in stats and "Interviews: 1" in stats and "Last build" in stats


def test_index_dir_from_environment(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker.")])
    runner = CliRunner(env={"QA_INDEX_DIR": str(tmp_path / "env-ix")})
    assert runner.invoke(cli, ["build", str(corpus_dir)]).exit_code == 0
    assert (tmp_path / "env-ix" / "CURRENT").exists()


def test_update_reports_changes(run, corpus_dir):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker.")])
    run("build", str(corpus_dir))
    assert "up to date" in run("update", str(corpus_dir)).output
    write_interview(corpus_dir, "beta.txt", [("Ferritin?", "Iron stores.")])
    result = run("update", str(corpus_dir))
    assert result.exit_code == 0 and "1 added, 0 changed, 0 removed" in result.output


def test_parse_json_of_the_seed(run):
    result = run("parse", str(SEED), "--json")
    assert result.exit_code == 0
    found = json.loads(result.output)
    assert found["interviewee"] == "Dr. He Huang"
    assert found["interviewer"] == "Oncology Frontier – Hematology Frontier"
    assert len(found["pairs"]) == 3
    assert found["pairs"][2]["answer"].endswith("the entire hematological tumor treatment field.")
    assert {"title", "date", "source", "summary"} <= found.keys()


def test_parse_prints_the_bio_one_item_per_line(run):
    lines = run("parse", str(SEED)).output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Bio:"))
    assert lines[start] == ("Bio:         Qiushi Distinguished Professor, Zhejiang University, "
                            "Chief Scientist of 973 Program")
    assert lines[start + 1] == ("             Chief Physician and Doctoral Supervisor, Zhejiang "
                                "Provincial Special Expert")
    assert lines[start + 13] == "Pairs:       3"  # all 13 items, then the next field
    assert lines[start + 12].endswith("Hematology Branch of Chinese Medical Association")


def test_parse_json_lines_gives_a_list(run, tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"id": "x1", "question": "Q?", "answer": "A.", "title": "T"})
                    + "\n", encoding="utf-8")
    found = json.loads(run("parse", str(path), "--json").output)
    assert isinstance(found, list) and found[0]["pairs"][0]["question"] == "Q?"


def test_strict_turns_warnings_into_failure_and_writes_nothing(run, corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker.")])
    (corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    relaxed = run("build", str(corpus_dir))
    assert relaxed.exit_code == 0 and "empty.txt" in relaxed.output
    built = sorted(p.name for p in (tmp_path / "ix").iterdir())
    strict = run("build", "--strict", str(corpus_dir))
    assert strict.exit_code == 1 and "empty.txt" in strict.output
    assert "with --strict nothing was written" in strict.output
    # a check that must not publish: the relaxed build keeps serving, no build was added
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == built
    (corpus_dir / "empty.txt").unlink()
    assert run("build", "--strict", str(corpus_dir)).exit_code == 0


def test_missing_index_is_a_clear_error_not_a_traceback(run):
    result = run("search", "CD7")
    assert result.exit_code == 1
    assert "No index in" in result.output and "build" in result.output
    assert "Traceback" not in result.output


def test_over_long_query_is_refused(run, corpus_dir):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker.")])
    run("build", str(corpus_dir))
    result = run("search", "x" * 1001)
    assert result.exit_code == 1 and "limit is 1000" in result.output


def test_search_says_which_words_were_not_searched(run, corpus_dir):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker.")])
    run("build", str(corpus_dir), "--no-embeddings")
    result = run("search", "what is CD7 in T-cell all")
    assert result.exit_code == 0
    header, hint = result.output.splitlines()[:2]
    assert header.endswith("; not searched: what, is, in, all")
    assert hint.endswith("search ALL in capitals: what is CD7 in T-cell ALL")
    assert "not searched" not in run("search", "CD7").output



def test_search_says_when_a_word_is_found_only_through_its_synonym(run, corpus_dir):
    write_interview(corpus_dir, "cml.txt", [("How is CML monitored?", "By BCR-ABL1 tests.")])
    run("build", str(corpus_dir), "--no-embeddings")
    lines = run("search", "BCR-ABL").output.splitlines()
    assert lines[0].endswith("; also searched: BCR-ABL1; in no pair: BCR-ABL")
    assert lines[1] == ("No question or answer uses “BCR-ABL” itself: the results match what "
                        "was also searched (BCR-ABL1).")

def test_search_sorted_by_newest_and_filtered(run, corpus_dir):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker; CD7.")])
    write_interview(corpus_dir, "beta.txt", [("Any news?", "A CD7 trial opened.")])
    (corpus_dir / "beta.txt.meta.json").write_text('{"date": "2025-01-02"}', encoding="utf-8")
    run("build", str(corpus_dir), "--no-embeddings")
    ids = {sort: [hit["id"] for hit in json.loads(run("search", "CD7", "--json",
                                                      "--sort", sort).output)]
           for sort in ("relevance", "newest")}
    assert ids == {"relevance": ["alpha-1", "beta-1"], "newest": ["beta-1", "alpha-1"]}
    lines = run("search", "CD7", "--sort", "newest").output.splitlines()
    assert lines[2].endswith("beta-1 - Beta (Dr. Ada Lovelace, 2025-01-02)")
    result = run("search", "CD7", "--sort", "date")
    assert result.exit_code == 2 and "'date' is not one of 'relevance', 'newest'" in result.output
    only = json.loads(run("search", "CD7", "--json", "--year", "2025").output)
    assert [hit["id"] for hit in only] == ["beta-1"]
    only = json.loads(run("search", "CD7", "--json", "--interview", "alpha").output)
    assert [hit["id"] for hit in only] == ["alpha-1"]
    result = run("search", "CD7", "--year", "1999")
    assert result.exit_code == 2 and "The year filter names no year in the index" in result.output



def test_search_filters_as_on_the_search_page(run, corpus_dir):
    # the CLI refused "kenji ono" that the web resolves, with no "did you mean", and an empty
    # query with a filter listed nothing where the web lists the filter's pairs
    write_interview(corpus_dir, "ono.txt", [("What is GVHD?", "Graft-versus-host disease."),
                                            ("How is GVHD treated?", "Steroids first.")],
                    interviewee="Dr. Kenji Ono")
    write_interview(corpus_dir, "kim.txt", [("Is GVHD common?", "After allogeneic HSCT.")],
                    interviewee="Dr. Sara Kim")
    (corpus_dir / "kim.txt.meta.json").write_text('{"date": "2025-01-02"}', encoding="utf-8")
    run("build", str(corpus_dir), "--no-embeddings")
    hits = json.loads(run("search", "GVHD", "--json", "--interviewee", "kenji ono").output)
    assert {hit["id"] for hit in hits} == {"ono-1", "ono-2"}
    result = run("search", "GVHD", "--interviewee", "Ono")
    assert result.exit_code == 2 and "Did you mean 'Dr. Kenji Ono'?" in result.output
    listed = json.loads(run("search", "", "--json", "--interviewee", "Dr. Kenji Ono").output)
    assert [hit["id"] for hit in listed] == ["ono-1", "ono-2"]  # in interview order
    text = run("search", "", "--interviewee", "kenji ono").output
    assert text.startswith("2 pairs") and "\n1. ono-1 - Ono (Dr. Kenji Ono)" in text  # no score
    every = run("search", "", "--json", "--year", "2025").output
    assert [hit["id"] for hit in json.loads(every)] == ["kim-1"]
    assert run("search", "").output.startswith("0 pairs")  # no query, no filter: nothing


def test_search_finds_one_person_under_every_form_of_the_name(run, corpus_dir):
    # "Dr. Kenji Ono" and "Kenji Ono, MD" were two interviewees, and "jose munoz" nobody
    write_interview(corpus_dir, "ono.txt", [("What is GVHD?", "Graft-versus-host disease.")],
                    interviewee="Dr. Kenji Ono")
    write_interview(corpus_dir, "ono-md.txt", [("Is GVHD rare?", "No, common after HSCT.")])
    (corpus_dir / "ono-md.txt.meta.json").write_text('{"interviewee": "Kenji Ono, MD"}',
                                                      encoding="utf-8")
    write_interview(corpus_dir, "munoz.txt", [("Is GVHD treatable?", "Mostly, yes.")],
                    interviewee="Dr. José Muñoz")
    run("build", str(corpus_dir), "--no-embeddings")
    listed = json.loads(run("search", "", "--json", "--interviewee", "kenji ono").output)
    assert sorted(hit["id"] for hit in listed) == ["ono-1", "ono-md-1"]
    hits = json.loads(run("search", "GVHD", "--json", "--interviewee", "jose munoz").output)
    assert [hit["id"] for hit in hits] == ["munoz-1"]

def test_eval_prints_the_metrics(run, corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker."),
                                              ("BCMA?", "A myeloma target.")])
    run("build", str(corpus_dir))
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"qid": "Q1", "summary": "CD7 marker", "subject": "cd7",
                                     "message": "what is cd7"}) + "\n", encoding="utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("Q1 4 alpha-1\nQ1 1 alpha-2\n", encoding="utf-8")
    result = run("eval", "--questions", str(questions), "--qrels", str(qrels), "--json")
    figures = json.loads(result.output)
    assert figures["questions"] == 1
    assert figures["metrics"]["p@1"] == 1.0 and figures["metrics"]["ndcg@10"] == 1.0
    assert figures["coverage"] == {"judged@10": 1.0, "unjudged@1": 0.0}
    text = run("eval", "--questions", str(questions), "--qrels", str(qrels), "--per-question")
    assert "ndcg@10" in text.output and "judged@10" in text.output
    assert "Q1       ndcg@10=1.000" in text.output and "unjudged@1=0.000  CD7 marker" in text.output


def test_eval_judged_only_drops_unjudged_answers(run, corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", [("What is CD7?", "CD7 is a T-cell marker."),
                                              ("Is CD7 on T cells?", "Yes, CD7 marks them.")])
    run("build", str(corpus_dir))
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"qid": "Q1", "summary": "What is CD7?"}) + "\n",
                         encoding="utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("Q1 3 alpha-2\n", encoding="utf-8")  # only the second-ranked pair is judged
    args = ("eval", "--questions", str(questions), "--qrels", str(qrels), "--json")
    plain, condensed = json.loads(run(*args).output), json.loads(run(*args, "--judged-only").output)
    assert plain["metrics"]["p@1"] == 0.0 and plain["coverage"]["unjudged@1"] == 1.0
    assert condensed["metrics"]["p@1"] == 1.0 and condensed["judged_only"] is True


def test_many_files_show_a_progress_bar(run, corpus_dir):
    for n in range(12):
        write_interview(corpus_dir, f"i{n:02d}.txt", [("What is CD7?", "A T-cell marker.")])
    result = run("build", str(corpus_dir))
    assert result.exit_code == 0
    assert "Parsing" in result.stderr
    assert "12 pairs from 12 interviews in 12 files" in result.stdout


@pytest.mark.parametrize(("name", "content", "why"), [
    ("interview.docx", b"PK\x03\x04 not an interview", "unrecognised format"),
    ("binary.txt", bytes(range(256)) * 8, "looks like binary data"),
    ("notes.txt", b"Some notes without any speakers.\n", "no question/answer pairs"),
    ("empty.txt", b"", "empty file"),
])
def test_parse_exits_non_zero_when_the_file_gives_nothing_to_index(run, tmp_path, name,
                                                                    content, why):
    """As build does when no pairs were indexed: a script checking files can tell."""
    path = tmp_path / name
    path.write_bytes(content)
    for args in ((), ("--json",)):
        result = run("parse", str(path), *args)
        assert result.exit_code == 1, result.output
        assert why in result.output and f"{name}: nothing to index" in result.output
