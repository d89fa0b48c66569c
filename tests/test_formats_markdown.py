"""Markdown interviews: front matter, bold labels, headings, emphasis stripping."""

from __future__ import annotations

from pathlib import Path

from indexer.formats import parse_file
from indexer.formats import parse_text
from indexer.formats.markdown import strip_inline
from indexer.formats.meta import split_front_matter
from indexer.model import QAPair

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "interviews"


def parse_one(name: str):
    result = parse_file(FIXTURES / name, name)
    assert result.problems == []
    assert len(result.interviews) == 1
    return result.interviews[0]


def test_front_matter_overrides_and_bold_labels():
    iv = parse_one("front-matter.md")
    assert iv.format == "markdown"
    assert iv.method == "speaker-labels"
    assert iv.title == "Rethinking Statins"
    assert iv.date == "2023-11-20"
    assert iv.interviewee == "Prof. Karen Holt"
    assert iv.interviewer == "Cardiology Today"
    assert iv.source == "https://example.org/statins"
    assert iv.summary == "A short talk about statin myths."
    assert iv.pairs == [
        QAPair(
            "Are statin side effects overstated?",
            "Mostly, yes. The SAMSON trial showed that most muscle symptoms "
            "also appear on placebo.",
            "Cardiology Today",
            "Prof. Karen Holt",
        ),
        QAPair(
            "Who benefits most?",
            "People with established vascular disease.",
            "Cardiology Today",
            "Prof. Karen Holt",
        ),
    ]


def test_underscore_qa_labels_title_heading_and_list_inside_answer():
    iv = parse_one("underscore-qa.md")
    assert iv.title == "Asthma in Children: Ten Minutes with a Pediatrician"
    assert iv.method == "qa-labels"
    assert iv.bio == ""
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "When do you step up inhaled steroids?",
            "After two or more flares in a season.\n\n"
            "Check inhaler technique first.\n\nThen check adherence.",
        ),
        ("Are nebulisers better than spacers?", "No, a spacer works as well for most children."),
    ]


def test_question_headings():
    iv = parse_one("headings.md")
    assert iv.title == "Dermatology Basics"  # setext heading
    assert iv.method == "headings"
    assert iv.summary == "Some notes from the clinic."
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "What is the best sunscreen?",
            "The one you will actually wear every day.\n\nSPF 30 or higher.",
        ),
        (
            "How often should moles be checked?",
            # a deeper heading stays in the answer; "## About this series" ends it
            "Once a year for most adults.\n\nRed flags\n\nChanges in size, shape or colour.",
        ),
    ]


def test_bold_questions_and_bio_in_markdown():
    text = (
        "**Why did you choose neurology?**\n\n"
        "Because the brain is *fascinating*.\n\n"
        "**What is next for you?**\n\n"
        "More research.\n\n"
        "### Dr. Omar Haddad\n\n"
        "- Professor of Neurology, Example University\n"
        "- Director, Memory Clinic\n"
    )
    iv = parse_text(text, "haddad.md").interviews[0]
    assert iv.method == "bold-questions"
    assert iv.pairs == [
        QAPair(
            "Why did you choose neurology?",
            "Because the brain is fascinating.",
            "",
            "Dr. Omar Haddad",
        ),
        QAPair("What is next for you?", "More research.", "", "Dr. Omar Haddad"),
    ]
    assert iv.interviewee == "Dr. Omar Haddad"
    assert iv.bio == "Professor of Neurology, Example University\nDirector, Memory Clinic"


def test_markdown_without_blank_lines_between_label_lines():
    text = "**Q:** Is it safe?\n**A:** Yes, [mostly](https://x.example).\n**Q:** Cost?\n**A:** Low."
    iv = parse_text(text, "short.md").interviews[0]
    assert [(p.question, p.answer) for p in iv.pairs] == [
        ("Is it safe?", "Yes, mostly."),
        ("Cost?", "Low."),
    ]


def test_strip_inline():
    assert (
        strip_inline("**Bold** and __strong__ and *em* and _em_") == "Bold and strong and em and em"
    )
    assert strip_inline("See [the trial](https://example.org) ![fig](a.png)") == "See the trial fig"
    assert strip_inline("`code` &amp; <span>html</span> \\*not em\\*") == "code & html *not em*"
    assert strip_inline("snake_case_name and 2 * 3 * 4") == "snake_case_name and 2 * 3 * 4"


def test_front_matter_parsing_by_hand():
    fields, rest = split_front_matter("---\ntitle: \"A: B\"\nauthor: 'Jo'\nignored: x\n---\nBody")
    assert fields == {"title": "A: B", "author": "Jo"}
    assert rest.strip() == "Body"
    assert split_front_matter("---\ntitle: never closed\nBody") == (
        {},
        "---\ntitle: never closed\nBody",
    )


def test_unparseable_front_matter_date_warns():
    result = parse_text("---\ndate: someday\n---\nQ: Why?\nA: Because.\n", "d.md")
    assert result.interviews[0].date == ""
    assert [p.message for p in result.problems] == ["unrecognised date in front matter: 'someday'"]


def test_title_line_directly_above_header_lines():
    text = (
        "Fighting sepsis on the wards\n*Date: 2023-04-01*\n_By Jane Roe_\n\n"
        "**Host:** What is the first step?\n\n**Dr. Lee:** Recognise it early.\n"
    )
    result = parse_text(text, "l.md")
    iv = result.interviews[0]
    assert (iv.title, iv.date, iv.interviewer, iv.summary) == (
        "Fighting sepsis on the wards",
        "2023-04-01",
        "Jane Roe",
        "",
    )
    assert result.problems == []
    assert [(p.question, p.answer) for p in iv.pairs] == [
        ("What is the first step?", "Recognise it early.")
    ]


def test_ambiguous_front_matter_date_warns():
    result = parse_text("---\ndate: 05/03/2023\n---\nQ: Why?\nA: Because.\n", "d.md")
    assert result.interviews[0].date == "2023-05-03"
    assert [p.message for p in result.problems] == [
        "read the date '05/03/2023' as 2023-05-03 (month/day); write 2023-03-05 if it is 5 March"
    ]


def test_a_line_starting_with_by_below_a_bold_question_is_no_byline():
    text = ("# Imaging in myeloma\n\n**Tell us how you find bone lesions early**\n\n"
            "By Whole-Body MRI.\n\n**When do you repeat imaging?**\n\nEvery six months.\n")
    assert parse_text(text, "mri.md").interviews[0].interviewer == ""


def test_an_honorific_surname_label_takes_the_full_name_of_the_title():
    text = ("# Treating T-cell ALL: a conversation with Dr. Maria Gonzalez\n\n"
            "**Hematology Weekly: What is new?**\n\n**Dr. Gonzalez:** CD7 CAR-T.\n\n"
            "**Hematology Weekly: And HSCT?**\n\n**Dr. Gonzalez:** Within 30 days.\n")
    iv = parse_text(text, "tcell.md").interviews[0]
    assert (iv.interviewee, iv.pairs[1].answerer) == ("Dr. Maria Gonzalez", "Dr. Maria Gonzalez")


def test_a_staff_byline_is_no_summary_and_the_labels_keep_the_interviewer():
    text = ("# Treating T-cell ALL in 2024: a conversation\n\n*Published: 2024-05-02*\n\n"
            "By Hematology Weekly staff\n\n"
            "Dr. Maria Gonzalez is a pediatric hematologist.\n\n"
            "**Hematology Weekly: What is new?**\n\n**Dr. Gonzalez:** CD7 CAR-T.\n\n"
            "**Hematology Weekly: And HSCT?**\n\n**Dr. Gonzalez:** Within 30 days.\n")
    iv = parse_text(text, "tcell.md").interviews[0]
    assert (iv.summary, iv.interviewer, iv.date) == (
        "Dr. Maria Gonzalez is a pediatric hematologist.", "Hematology Weekly", "2024-05-02")


def test_an_emphasised_published_in_line_is_the_date_not_summary():
    text = ("# Managing iron overload: a conversation with Prof. Elena Rossi\n\n"
            "*Published 4 June 2024 in Thalassemia Today*\n\n"
            "Prof. Elena Rossi is a hematologist in Milan.\n\n"
            "## When do you start chelation?\n\nAfter 10 to 20 transfusions.\n")
    iv = parse_text(text, "rossi.md").interviews[0]
    assert (iv.date, iv.interviewer, iv.interviewee, iv.summary) == (
        "2024-06-04", "Thalassemia Today", "Prof. Elena Rossi",
        "Prof. Elena Rossi is a hematologist in Milan.")
