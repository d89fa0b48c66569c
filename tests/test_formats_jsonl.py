"""JSON Lines and JSON arrays of question/answer records, including the MedQuAD corpus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from indexer.formats import parse_file
from indexer.formats import parse_text
from indexer.formats.jsonl import normalize_answer
from indexer.model import QAPair

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "interviews"
MEDQUAD = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "medquad-eval" / "corpus.jsonl"
)


def test_groups_by_title_and_source_with_unique_keys():
    result = parse_file(FIXTURES / "pairs.jsonl", "pairs.jsonl")
    assert result.problems == []
    summary = [(iv.key, iv.title, iv.source, len(iv.pairs)) for iv in result.interviews]
    assert summary == [
        ("Hypertension [ClinicA]", "Hypertension", "https://a.example.org/htn", 2),
        ("Diabetes", "Diabetes", "", 1),
        ("Hypertension [ClinicB]", "Hypertension", "", 1),
        ("", "Pairs", "", 1),
    ]
    htn, diabetes, htn_b, untitled = result.interviews
    assert {(iv.format, iv.method) for iv in result.interviews} == {("jsonl", "jsonl")}
    assert htn.pairs == [
        QAPair(
            "What is high blood pressure?",
            "Key Points - Pressure stays high.\n\nIt damages arteries.",
            source_id="h-1",
        ),
        QAPair("How is it treated?", "Lifestyle first, then medicines.", source_id="h-2"),
    ]
    assert diabetes.pairs == [
        QAPair("What is diabetes?", "High blood sugar.", "", "Dr. Sugar", "d-1")
    ]
    assert (diabetes.interviewee, diabetes.date) == ("Dr. Sugar", "2024-03-03")
    assert htn_b.pairs[0].source_id == "7"
    assert untitled.pairs[0].question == "An untitled question?"


def test_broken_lines_warn_with_line_numbers_and_rest_is_parsed():
    result = parse_file(FIXTURES / "broken.jsonl", "broken.jsonl")
    assert [(p.line, p.severity) for p in result.problems] == [(n, "warning") for n in range(2, 8)]
    messages = [p.message for p in result.problems]
    assert messages[0].startswith("invalid JSON: ")
    assert messages[1:] == [
        "not a JSON object (list); line skipped",
        "missing or empty 'answer'; line skipped",
        "missing or empty 'question'; line skipped",
        "'question' is not a string; line skipped",
        "'title' is not a string; line skipped",
    ]
    assert (
        str(result.problems[1]) == "warning: broken.jsonl:3: not a JSON object (list); line skipped"
    )
    [iv] = result.interviews
    assert [p.source_id for p in iv.pairs] == ["ok-1", "ok-2"]


def test_json_array_file():
    result = parse_file(FIXTURES / "array.json", "array.json")
    assert [p.message for p in result.problems] == ["item 3: not a JSON object (str); skipped"]
    [iv] = result.interviews
    assert (iv.key, iv.title) == ("Migraine", "Migraine")
    assert [(p.question, p.answer, p.source_id) for p in iv.pairs] == [
        ("What triggers migraine?", "Sleep loss, stress and some foods.", "a1"),
        ("Is it hereditary?", "Often.", "a2"),
    ]


def test_json_lines_in_a_json_file():
    result = parse_file(FIXTURES / "lines.json", "lines.json")
    assert result.problems == []
    [iv] = result.interviews
    assert (iv.key, iv.title, [p.source_id for p in iv.pairs]) == ("", "Lines", ["l1", "l2"])


def test_no_valid_line_means_no_interview():
    result = parse_text('{"question": ""}\nnot json\n', "bad.jsonl")
    assert result.interviews == []
    assert [(p.line, p.message.split(";")[0]) for p in result.problems[:1]] == [
        (1, "missing or empty 'question'")
    ]
    assert result.problems[-1].message == "no question/answer pairs found"


def test_pretty_printed_single_object():
    result = parse_text('{\n  "question": "Why?",\n  "answer": "Because."\n}\n', "one.json")
    assert result.problems == []
    assert result.interviews[0].pairs == [QAPair("Why?", "Because.")]


def test_normalize_answer():
    assert normalize_answer("  a   b \n c  ") == "a b c"
    assert normalize_answer("one\n   \n\n two  three\n") == "one\n\ntwo three"
    assert normalize_answer("x\u00a0\u00a0y") == "x y"
    assert normalize_answer("a\u2009\u3000b\x1c c\u2028d\x85\te ") == "a b c d e"  # any \s


@pytest.mark.skipif(not MEDQUAD.is_file(), reason=f"MedQuAD corpus not found at {MEDQUAD}")
def test_whole_medquad_corpus():
    start = time.perf_counter()
    result = parse_file(MEDQUAD)
    elapsed = time.perf_counter() - start
    assert result.problems == []
    assert result.pair_count == 17_908
    keys = [iv.key for iv in result.interviews]
    assert len(keys) == len(set(keys)) == 6158  # untitled records are grouped by their url
    assert max(len(iv.pairs) for iv in result.interviews) < 100
    first = result.interviews[0]
    assert (first.title, first.key) == (
        "Adult Acute Lymphoblastic Leukemia",
        "Adult Acute Lymphoblastic Leukemia",
    )
    assert first.source == "https://www.cancer.gov/types/leukemia/patient/adult-all-treatment-pdq"
    assert first.pairs[0].source_id == "CancerGov_0000001_1_Sec1"
    assert first.pairs[0].question == "What is (are) Adult Acute Lymphoblastic Leukemia ?"
    assert first.pairs[0].answer.startswith("Key Points - Adult acute lymphoblastic leukemia (ALL)")
    assert "  " not in first.pairs[0].answer
    print(f"parsed MedQuAD in {elapsed:.2f} s")


def test_broken_first_line_does_not_hide_the_rest():
    text = '[1, 2\n{"question": "Q?", "answer": "A."}\n'
    result = parse_text(text, "first-broken.jsonl")
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [(1, "invalid JSON")]
    assert result.interviews[0].pairs == [QAPair("Q?", "A.")]
    result = parse_text('{"question": "Q?",\n"answer": 3}\n', "x.jsonl")  # one JSON document
    assert [p.message for p in result.problems] == [
        "item 1: 'answer' is not a string; skipped",
        "no question/answer pairs found",
    ]


def test_ambiguous_dates_warn_once_each():
    lines = [
        '{"title": "A", "date": "05/03/2023", "question": "a?", "answer": "a"}',
        '{"title": "B", "date": "05/03/2023", "question": "b?", "answer": "b"}',
        '{"title": "C", "date": "25/03/2023", "question": "c?", "answer": "c"}',
    ]
    result = parse_text("\n".join(lines), "d.jsonl")
    assert [iv.date for iv in result.interviews] == ["2023-05-03", "2023-05-03", "2023-03-25"]
    assert [p.message for p in result.problems] == [
        "read the date '05/03/2023' as 2023-05-03 (month/day); write 2023-03-05 if it is 5 March"
    ]


def test_unreadable_dates_are_reported_once_each():
    lines = [
        '{"title": "A", "date": "March 2024", "question": "a?", "answer": "a"}',
        '{"title": "A", "date": "March 2024", "question": "b?", "answer": "b"}',
        '{"title": "B", "date": "March 2024", "question": "c?", "answer": "c"}',
    ]
    result = parse_text("\n".join(lines), "d.jsonl")
    assert [iv.date for iv in result.interviews] == ["", ""]
    assert [p.message for p in result.problems] == [
        "could not read the date 'March 2024': write it as YYYY-MM-DD "
        "(a date without a day is not stored)"]
